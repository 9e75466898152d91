"""Bot API specification loading, parameter normalisation and validation."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from sandbox.formatting import visible_text

SPEC_FILE = Path(__file__).with_name("bot-api-10.1.json")

PRIMITIVES = frozenset({"Integer", "Float", "Boolean", "String"})
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
CALLBACK_ANSWER_LIMIT = 200
COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
PARSE_MODES = frozenset({"HTML", "MarkdownV2", "Markdown"})
# Fields of an InlineKeyboardButton that do not define its action.
BUTTON_DECORATION = frozenset({"text", "style", "icon_custom_emoji_id"})
_DISCRIMINATOR_RE = re.compile(r'(?:must be|always)\s+"?([a-z_]+)"?')


@dataclass(slots=True)
class UploadedFile:
    """A file part received in a multipart/form-data request."""

    name: str
    filename: str
    content_type: str
    content: bytes

    def __repr__(self) -> str:
        return f"<file {self.filename!r} {len(self.content)} B>"


@dataclass(slots=True)
class Problem:
    """One spec violation found in a call."""

    kind: str
    message: str


@dataclass(slots=True)
class FieldSpec:
    """A parameter of a method or a field of a type."""

    name: str
    types: list[str]
    required: bool


@dataclass(slots=True)
class ObjectSpec:
    """A method or a type of the Bot API."""

    name: str
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    subtypes: list[str] = field(default_factory=list)
    # For abstract types: (discriminating field, {value: subtype name}).
    discriminator: tuple[str, dict[str, str]] | None = None


class BotApiSpec:
    """The Bot API described by the JSON spec, with lookup and validation helpers."""

    def __init__(self, data: dict[str, Any]) -> None:
        """Build the lookup tables from the parsed JSON spec."""
        self.version: str = str(data.get("version", ""))
        self.methods: dict[str, ObjectSpec] = {
            name: _object_spec(entry) for name, entry in data["methods"].items()
        }
        self.types: dict[str, ObjectSpec] = {
            name: _object_spec(entry) for name, entry in data["types"].items()
        }
        self._method_by_lower = {name.lower(): name for name in self.methods}
        for spec in self.types.values():
            if spec.subtypes:
                spec.discriminator = self._find_discriminator(spec)

    def _find_discriminator(self, spec: ObjectSpec) -> tuple[str, dict[str, str]] | None:
        """Find the field (like `type`) whose constant value selects the subtype."""
        for candidate in ("type", "status", "source"):
            values: dict[str, str] = {}
            for sub in spec.subtypes:
                sub_spec = self.types.get(sub)
                if sub_spec is None or candidate not in sub_spec.fields:
                    break
                description = _FIELD_DESCRIPTIONS.get((sub, candidate), "")
                match = _DISCRIMINATOR_RE.search(description)
                if match is None:
                    break
                values[match.group(1)] = sub
            else:
                return candidate, values
        return None

    def method_name(self, name: str) -> str | None:
        """Return the canonical method name for a case-insensitive name, or None."""
        return self._method_by_lower.get(name.lower())

    # ------------------------------------------------------------------ coercion

    def coerce_params(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Convert string values (form/query encoding) into typed values using the spec."""
        spec = self.methods[method]
        result: dict[str, Any] = {}
        for name, value in params.items():
            fspec = spec.fields.get(name)
            result[name] = coerce_value(value, fspec.types) if fspec else value
        return result

    # ---------------------------------------------------------------- validation

    def validate(self, method: str, params: dict[str, Any]) -> list[Problem]:
        """Return every spec problem found in a call of `method` with typed `params`."""
        spec = self.methods[method]
        problems: list[Problem] = []
        for name in params:
            if name not in spec.fields:
                problems.append(Problem("unknown_parameter", f"unknown parameter {name!r}"))
        for fspec in spec.fields.values():
            if fspec.name not in params:
                if fspec.required:
                    problems.append(
                        Problem("missing_parameter", f"missing required parameter {fspec.name!r}")
                    )
                continue
            problems.extend(self.check_value(params[fspec.name], fspec.types, fspec.name))
        problems.extend(_semantic_checks(method, params))
        return problems

    def check_value(self, value: Any, types: list[str], path: str) -> list[Problem]:
        """Check `value` against a union of spec types; return the problems found."""
        matched: list[tuple[str, list[Problem]]] = []
        for type_name in types:
            problems = self._check_one(value, type_name, path)
            if problems is None:
                continue
            if not problems:
                return []
            matched.append((type_name, problems))
        if not matched:
            expected = " or ".join(types)
            return [
                Problem("type", f"{path}: expected {expected}, got {_describe(value)}"),
            ]
        if len(matched) > 1 and isinstance(value, dict):
            # Several object types fit the shape: report the most plausible one.
            matched.sort(key=lambda item: -self._score(value, item[0]))
        return matched[0][1]

    def _score(self, value: dict[str, Any], type_name: str) -> int:
        """Rate how well the keys of `value` fit the fields of `type_name`."""
        spec = self.types.get(type_name)
        if spec is None:
            return 0
        fields = spec.fields
        if spec.discriminator is not None:
            disc_field, mapping = spec.discriminator
            sub = self.types.get(mapping.get(str(value.get(disc_field)), ""))
            fields = sub.fields if sub else {}
        known = sum(1 for key in value if key in fields)
        missing = sum(1 for f in fields.values() if f.required and f.name not in value)
        return known * 2 - missing * 3 - (len(value) - known) * 3

    def _check_one(self, value: Any, type_name: str, path: str) -> list[Problem] | None:
        """Check one type; None means the shape does not fit at all."""
        if type_name.startswith("Array of "):
            if not isinstance(value, list):
                return None
            inner = type_name[len("Array of ") :]
            problems: list[Problem] = []
            for index, item in enumerate(value):
                problems.extend(self.check_value(item, [inner], f"{path}[{index}]"))
            return problems
        if type_name == "Integer":
            return [] if isinstance(value, int) and not isinstance(value, bool) else None
        if type_name == "Float":
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            return [] if ok else None
        if type_name == "Boolean":
            return [] if isinstance(value, bool) else None
        if type_name == "String":
            return [] if isinstance(value, str) else None
        if type_name == "InputFile":
            return [] if isinstance(value, UploadedFile) else None
        spec = self.types.get(type_name)
        if spec is None or not isinstance(value, dict):
            return None
        return self.check_object(value, spec, path)

    def check_object(self, value: dict[str, Any], spec: ObjectSpec, path: str) -> list[Problem]:
        """Validate the fields of an object (dict) against a type spec."""
        if spec.subtypes:
            if spec.discriminator is None:
                return []
            disc_field, mapping = spec.discriminator
            sub_name = mapping.get(str(value.get(disc_field)))
            if sub_name is None:
                allowed = ", ".join(sorted(mapping))
                return [
                    Problem(
                        "type",
                        f"{path}.{disc_field}: must be one of {allowed} for {spec.name}",
                    )
                ]
            return self.check_object(value, self.types[sub_name], path)
        problems: list[Problem] = []
        for key in value:
            if spec.fields and key not in spec.fields:
                problems.append(Problem("unknown_parameter", f"{path}: unknown field {key!r}"))
        for fspec in spec.fields.values():
            if fspec.name not in value:
                if fspec.required:
                    problems.append(
                        Problem(
                            "missing_parameter", f"{path}: missing required field {fspec.name!r}"
                        )
                    )
                continue
            problems.extend(
                self.check_value(value[fspec.name], fspec.types, f"{path}.{fspec.name}")
            )
        checker = _OBJECT_CHECKS.get(spec.name)
        if checker is not None:
            problems.extend(checker(value, path))
        return problems


# Descriptions are only needed to find discriminators; kept outside the dataclasses.
_FIELD_DESCRIPTIONS: dict[tuple[str, str], str] = {}


def _object_spec(entry: dict[str, Any]) -> ObjectSpec:
    """Build an ObjectSpec from a spec entry."""
    spec = ObjectSpec(name=entry["name"], subtypes=list(entry.get("subtypes", [])))
    for raw in entry.get("fields", []):
        spec.fields[raw["name"]] = FieldSpec(raw["name"], list(raw["types"]), bool(raw["required"]))
        _FIELD_DESCRIPTIONS[(entry["name"], raw["name"])] = str(raw.get("description", ""))
    return spec


@lru_cache(maxsize=1)
def load_spec() -> BotApiSpec:
    """Load (once) the bundled Bot API spec."""
    with SPEC_FILE.open(encoding="utf-8") as fh:
        return BotApiSpec(json.load(fh))


_INT_RE = re.compile(r"^-?\d+$")


def coerce_value(value: Any, types: list[str]) -> Any:
    """Convert a string sent in form encoding into the typed value the spec expects."""
    if not isinstance(value, str):
        return value
    if value.startswith("attach://"):
        return value
    if "Integer" in types and _INT_RE.match(value):
        return int(value)
    if "Float" in types:
        try:
            return float(value)
        except ValueError:
            pass
    if "Boolean" in types and value.lower() in ("true", "false"):
        return value.lower() == "true"
    wants_json = any(t not in PRIMITIVES and t != "InputFile" for t in types)
    if wants_json and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _describe(value: Any) -> str:
    """Name the JSON type of a value for error messages."""
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Float"
    if isinstance(value, str):
        return f"String {value[:30]!r}"
    if isinstance(value, list):
        return "Array"
    if isinstance(value, dict):
        return "Object"
    if isinstance(value, UploadedFile):
        return "InputFile"
    return type(value).__name__


# --------------------------------------------------------------- semantic checks


def _check_inline_button(value: dict[str, Any], path: str) -> list[Problem]:
    """An inline button needs exactly one action; callback_data must be 1-64 bytes."""
    problems: list[Problem] = []
    actions = [key for key in value if key not in BUTTON_DECORATION]
    if len(actions) != 1:
        problems.append(
            Problem(
                "button",
                f"{path}: inline button {value.get('text')!r} must have exactly one action "
                f"field, got {actions or 'none'}",
            )
        )
    data = value.get("callback_data")
    if isinstance(data, str):
        size = len(data.encode("utf-8"))
        if not 1 <= size <= CALLBACK_DATA_LIMIT:
            problems.append(
                Problem(
                    "limit",
                    f"{path}.callback_data: must be 1-{CALLBACK_DATA_LIMIT} bytes, got {size}",
                )
            )
    if isinstance(value.get("text"), str) and not value["text"]:
        problems.append(Problem("limit", f"{path}.text: button text must not be empty"))
    return problems


def _check_keyboard_button(value: dict[str, Any], path: str) -> list[Problem]:
    """Keyboard buttons need a non-empty text."""
    if isinstance(value.get("text"), str) and not value["text"]:
        return [Problem("limit", f"{path}.text: button text must not be empty")]
    return []


def _check_bot_command(value: dict[str, Any], path: str) -> list[Problem]:
    """BotCommand.command must match ^[a-z0-9_]{1,32}$; description 1-256 characters."""
    problems: list[Problem] = []
    command = value.get("command")
    if isinstance(command, str) and not COMMAND_RE.match(command):
        problems.append(
            Problem("command", f"{path}.command: {command!r} must match ^[a-z0-9_]{{1,32}}$")
        )
    description = value.get("description")
    if isinstance(description, str) and not 1 <= len(description) <= 256:
        problems.append(
            Problem(
                "command",
                f"{path}.description: must be 1-256 characters, got {len(description)}",
            )
        )
    return problems


_OBJECT_CHECKS = {
    "InlineKeyboardButton": _check_inline_button,
    "KeyboardButton": _check_keyboard_button,
    "BotCommand": _check_bot_command,
}


def _check_text(
    params: dict[str, Any], key: str, low: int, high: int, entities_key: str
) -> list[Problem]:
    """Check the length (after entity parsing) and the markup of a text or caption."""
    text = params.get(key)
    if not isinstance(text, str):
        return []
    problems: list[Problem] = []
    parse_mode = params.get("parse_mode")
    visible = text
    if isinstance(parse_mode, str) and parse_mode:
        if parse_mode not in PARSE_MODES:
            problems.append(Problem("type", f"parse_mode: unsupported value {parse_mode!r}"))
        else:
            parsed = visible_text(text, parse_mode)
            visible = parsed.text
            kind = "html" if parse_mode == "HTML" else "markdown"
            for error in parsed.errors:
                problems.append(Problem(kind, f"{key}: can't parse entities: {error}"))
        if entities_key in params:
            problems.append(
                Problem("type", f"{entities_key} and parse_mode must not be used together")
            )
    length = len(visible.strip()) if low > 0 else len(visible)
    if not low <= length <= high:
        problems.append(
            Problem(
                "limit",
                f"{key}: must be {low}-{high} characters after entity parsing, got {length}",
            )
        )
    return problems


_INLINE_EDITABLE = frozenset(
    {
        "editMessageText",
        "editMessageCaption",
        "editMessageMedia",
        "editMessageReplyMarkup",
        "editMessageLiveLocation",
        "stopMessageLiveLocation",
    }
)


def _semantic_checks(method: str, params: dict[str, Any]) -> list[Problem]:
    """Checks that the type system of the spec cannot express."""
    problems: list[Problem] = []
    if method in ("sendMessage", "editMessageText"):
        problems.extend(_check_text(params, "text", 1, TEXT_LIMIT, "entities"))
    if "caption" in params:
        problems.extend(_check_text(params, "caption", 0, CAPTION_LIMIT, "caption_entities"))
    if method in _INLINE_EDITABLE and "inline_message_id" not in params:
        missing = [key for key in ("chat_id", "message_id") if key not in params]
        if missing:
            problems.append(
                Problem(
                    "missing_parameter",
                    f"{' and '.join(missing)} required when inline_message_id is not given",
                )
            )
    if method == "editMessageText" and "text" not in params and "rich_message" not in params:
        problems.append(Problem("missing_parameter", "missing required parameter 'text'"))
    if method == "answerCallbackQuery":
        text = params.get("text")
        if isinstance(text, str) and len(text) > CALLBACK_ANSWER_LIMIT:
            problems.append(
                Problem(
                    "limit",
                    f"text: callback answer must be 0-{CALLBACK_ANSWER_LIMIT} characters, "
                    f"got {len(text)}",
                )
            )
    if method == "setMyCommands":
        commands = params.get("commands")
        if isinstance(commands, list) and len(commands) > 100:
            problems.append(Problem("limit", f"commands: at most 100, got {len(commands)}"))
    return problems
