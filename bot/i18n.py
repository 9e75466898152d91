"""Message catalogues (Fluent .ftl files per language) and the translator handlers use."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fluent.runtime import FluentBundle, FluentResource
from fluent.syntax.ast import Resource

from bot.settings import SUPPORTED_LANGUAGES

LOCALES = Path(__file__).parent / "locales"
LANGUAGE_NAMES = {"pl": "Polski", "uk": "Українська", "en": "English"}
_log = logging.getLogger(__name__)


def guess_language(language_code: str | None, default: str) -> str:
    """The supported language closest to Telegram's `language_code` (e.g. "uk-UA" → "uk")."""
    if language_code:
        base = language_code.split("-")[0].lower()
        if base in SUPPORTED_LANGUAGES:
            return base
        if base == "ru":  # Ukrainian refugees often run phones in Russian
            return "uk"
    return default


_PARSED: dict[Path, tuple[float, Resource]] = {}


def _parsed(path: Path) -> Resource:
    """The parsed catalogue file, parsed once per process (per version of the file): parsing
    every .ftl costs most of a second, and each Application builds a Translator."""
    mtime = path.stat().st_mtime
    cached = _PARSED.get(path)
    if cached is None or cached[0] != mtime:
        cached = (mtime, FluentResource(path.read_text(encoding="utf-8")))
        _PARSED[path] = cached
    return cached[1]


class Translator:
    """Formats messages by id in one of the supported languages."""

    def __init__(self, default_language: str = "pl", locales: Path = LOCALES) -> None:
        self.default_language = default_language
        self.bundles: dict[str, FluentBundle] = {}
        self.message_ids: dict[str, set[str]] = {}
        for lang in SUPPORTED_LANGUAGES:
            bundle = FluentBundle([lang], use_isolating=False)
            ids: set[str] = set()
            for path in sorted((locales / lang).glob("*.ftl")):
                resource = _parsed(path)
                bundle.add_resource(resource)
                ids.update(
                    entry.id.name
                    for entry in resource.body
                    if type(entry).__name__ == "Message" and hasattr(entry, "id")
                )
            self.bundles[lang] = bundle
            self.message_ids[lang] = ids

    def __call__(self, lang: str | None, msg_id: str, **args: Any) -> str:
        """The message `msg_id` in `lang` (default language if unknown), formatted with args."""
        bundle = self.bundles.get(lang or "") or self.bundles[self.default_language]
        if not bundle.has_message(msg_id):
            _log.error("missing message %s in %s", msg_id, lang)
            bundle = self.bundles[self.default_language]
            if not bundle.has_message(msg_id):
                return msg_id
        message = bundle.get_message(msg_id)
        if message.value is None:
            return msg_id
        text, errors = bundle.format_pattern(message.value, args)
        for error in errors:
            _log.error("message %s in %s: %s", msg_id, lang, type(error).__name__)
        return str(text)

    def all_variants(self, msg_id: str) -> dict[str, str]:
        """The message in every language, keyed by language (to recognise button labels)."""
        return {lang: self(lang, msg_id) for lang in SUPPORTED_LANGUAGES}
