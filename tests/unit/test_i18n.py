"""Message catalogues: complete in every language, valid Fluent, right Polish plurals."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fluent.syntax import FluentParser, ast

from bot.i18n import LOCALES, Translator, guess_language
from bot.settings import SUPPORTED_LANGUAGES

ROOT = Path(__file__).resolve().parents[2]


def test_every_message_exists_in_every_language() -> None:
    t = Translator()
    reference = t.message_ids["pl"]
    assert reference, "the Polish catalogue is empty"
    for lang in SUPPORTED_LANGUAGES:
        missing = reference - t.message_ids[lang]
        extra = t.message_ids[lang] - reference
        assert not missing, f"{lang} lacks {sorted(missing)}"
        assert not extra, f"{lang} has messages Polish lacks: {sorted(extra)}"


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_catalogue_parses_without_junk(lang: str) -> None:
    for path in (LOCALES / lang).glob("*.ftl"):
        resource = FluentParser().parse(path.read_text(encoding="utf-8"))
        junk = [entry for entry in resource.body if isinstance(entry, ast.Junk)]
        assert not junk, f"{path.name}: unparsable entries {[j.content[:40] for j in junk]}"


def test_every_message_id_used_in_code_exists() -> None:
    """Literal ids passed to the translator in the code must be in the catalogue."""
    t = Translator()
    used: set[str] = set()
    pattern = re.compile(r"""\bt\(\s*[\w.]+,\s*"([a-z0-9-]+)"|all_variants\("([a-z0-9-]+)"\)""")
    for folder in ("handlers", "bot", "services", "scheduler"):
        for path in (ROOT / folder).rglob("*.py"):
            for match in pattern.finditer(path.read_text(encoding="utf-8")):
                used.add(match.group(1) or match.group(2))
    assert used, "no translator calls found: the pattern is out of date"
    assert used <= t.message_ids["pl"], f"missing: {sorted(used - t.message_ids['pl'])}"


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "1 zgłoszenie do zatwierdzenia"),
        (2, "2 zgłoszenia do zatwierdzenia"),
        (4, "4 zgłoszenia do zatwierdzenia"),
        (5, "5 zgłoszeń do zatwierdzenia"),
        (12, "12 zgłoszeń do zatwierdzenia"),
        (22, "22 zgłoszenia do zatwierdzenia"),
        (25, "25 zgłoszeń do zatwierdzenia"),
        (112, "112 zgłoszeń do zatwierdzenia"),
    ],
)
def test_polish_plural_forms(count: int, expected: str) -> None:
    assert Translator()("pl", "btn-staff-pending", count=count) == expected


def test_ukrainian_plural_forms() -> None:
    t = Translator()
    assert t("uk", "btn-staff-pending", count=1) == "1 заявка на підтвердження"
    assert t("uk", "btn-staff-pending", count=3) == "3 заявки на підтвердження"
    assert t("uk", "btn-staff-pending", count=11) == "11 заявок на підтвердження"


def test_unknown_language_falls_back_to_default() -> None:
    t = Translator("pl")
    assert t("de", "menu-mydata") == t("pl", "menu-mydata")


@pytest.mark.parametrize(
    ("code", "expected"),
    [("pl", "pl"), ("uk-UA", "uk"), ("en-GB", "en"), ("ru", "uk"), ("de", "pl"), (None, "pl")],
)
def test_guess_language(code: str | None, expected: str) -> None:
    assert guess_language(code, "pl") == expected
