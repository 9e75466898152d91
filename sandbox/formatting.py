"""Telegram HTML parse mode: plain text, entities and markup errors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

# Tag name -> entity type (None: decided by attributes).
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "blockquote": "blockquote",
}
SUPPORTED_TAGS = frozenset({*_SIMPLE_TAGS, "a", "span", "tg-emoji"})
_NAMED_ENTITY_RE = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_ALLOWED_NAMED = frozenset({"lt", "gt", "amp", "quot"})


def utf16_len(text: str) -> int:
    """Length of a string in UTF-16 code units (Telegram's entity offsets unit)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(slots=True)
class ParsedText:
    """Result of parsing formatted text."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class _TelegramHTMLParser(HTMLParser):
    """Collects plain text and MessageEntity dicts; records unsupported markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.pos = 0
        self.stack: list[tuple[str, dict[str, Any] | None]] = []
        self.entities: list[dict[str, Any]] = []
        self.errors: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self.pos += utf16_len(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        entity: dict[str, Any] | None = None
        if tag in _SIMPLE_TAGS:
            entity = {"type": _SIMPLE_TAGS[tag]}
            if tag == "blockquote" and "expandable" in attributes:
                entity["type"] = "expandable_blockquote"
            if tag == "code" and self.stack and self.stack[-1][0] == "pre":
                language = attributes.get("class", "")
                pre = self.stack[-1][1]
                if language.startswith("language-") and pre is not None:
                    pre["language"] = language[len("language-") :]
                entity = None
        elif tag == "a":
            href = attributes.get("href")
            if href:
                entity = {"type": "text_link", "url": href}
        elif tag == "span":
            if attributes.get("class") != "tg-spoiler":
                self.errors.append('unsupported start tag "span" without class="tg-spoiler"')
            entity = {"type": "spoiler"}
        elif tag == "tg-emoji":
            emoji_id = attributes.get("emoji-id")
            if not emoji_id:
                self.errors.append('tag "tg-emoji" must have attribute "emoji-id"')
            entity = {"type": "custom_emoji", "custom_emoji_id": emoji_id or ""}
        else:
            self.errors.append(f'unsupported start tag "{tag}"')
            return
        if entity is not None:
            entity["offset"] = self.pos
        self.stack.append((tag, entity))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.errors.append(f'unsupported self-closing tag "{tag}"')

    def handle_endtag(self, tag: str) -> None:
        if tag not in SUPPORTED_TAGS:
            self.errors.append(f'unsupported end tag "{tag}"')
            return
        if not self.stack or self.stack[-1][0] != tag:
            expected = f'"{self.stack[-1][0]}"' if self.stack else "no open tag"
            self.errors.append(f'unmatched end tag "{tag}", expected {expected}')
            return
        _, entity = self.stack.pop()
        if entity is not None:
            length = self.pos - entity["offset"]
            if length > 0:
                entity["length"] = length
                self.entities.append(entity)

    def handle_comment(self, data: str) -> None:
        self.errors.append("comments are not supported")

    def handle_decl(self, decl: str) -> None:
        self.errors.append("declarations are not supported")


def parse_html(text: str) -> ParsedText:
    """Parse Telegram-flavoured HTML into plain text, entities and a list of errors."""
    parser = _TelegramHTMLParser()
    for match in _NAMED_ENTITY_RE.finditer(text):
        if match.group(1) not in _ALLOWED_NAMED:
            parser.errors.append(f'unsupported HTML entity "&{match.group(1)};"')
    parser.feed(text)
    parser.close()
    for tag, _ in parser.stack:
        parser.errors.append(f'unclosed start tag "{tag}"')
    entities = sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))
    return ParsedText("".join(parser.parts), entities, parser.errors)


_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_MARKERS = ("||", "__", "*", "_", "~")


def parse_markdown_v2(text: str) -> ParsedText:
    """Strip MarkdownV2 markup (no entities) and report unescaped reserved characters."""
    out: list[str] = []
    errors: list[str] = []
    open_markers: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "\\":
            if i + 1 < n:
                out.append(text[i + 1])
            i += 2
            continue
        if text.startswith("```", i):
            end = text.find("```", i + 3)
            if end < 0:
                errors.append("can't find end of pre entity")
                end = n
            body = text[i + 3 : end]
            first, newline, rest = body.partition("\n")
            if newline and first and " " not in first:
                body = rest
            out.append(body.replace("\\`", "`").replace("\\\\", "\\"))
            i = end + 3
            continue
        if char == "`":
            end = text.find("`", i + 1)
            if end < 0:
                errors.append("can't find end of code entity")
                end = n
            out.append(text[i + 1 : end])
            i = end + 1
            continue
        marker = next((m for m in _MDV2_MARKERS if text.startswith(m, i)), None)
        if marker is not None:
            if open_markers and open_markers[-1] == marker:
                open_markers.pop()
            else:
                open_markers.append(marker)
            i += len(marker)
            continue
        if char == "[":
            open_markers.append("[")
            i += 1
            continue
        if char == "]" and open_markers and open_markers[-1] == "[":
            open_markers.pop()
            if text.startswith("(", i + 1):
                end = text.find(")", i + 2)
                i = (end if end >= 0 else n) + 1
            else:
                i += 1
            continue
        if char == ">" and (i == 0 or text[i - 1] == "\n"):
            i += 1
            continue
        if char in _MDV2_RESERVED:
            errors.append(f"character {char!r} is reserved and must be escaped with '\\'")
        out.append(char)
        i += 1
    for marker in open_markers:
        errors.append(f"can't find end of the entity starting with {marker!r}")
    return ParsedText("".join(out), [], errors)


def visible_text(text: str, parse_mode: str | None) -> ParsedText:
    """Parse `text` according to `parse_mode` (HTML, MarkdownV2, Markdown or none)."""
    if parse_mode == "HTML":
        return parse_html(text)
    if parse_mode == "MarkdownV2":
        return parse_markdown_v2(text)
    if parse_mode == "Markdown":
        stripped = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
        return ParsedText(re.sub(r"[*_`]", "", stripped))
    return ParsedText(text)
