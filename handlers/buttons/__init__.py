"""Typed buttons: one codec per feature, a frozen dataclass per action.

callback_data stays the short string "<feature>:<action>[:<arg>...]" (ids and small choices
only, at most 64 bytes), so buttons already sitting in people's chats keep working. What is
typed is everything around it:

    class Ws(Button, feature=Feature.WORKSHOPS):          # the feature's codec
        ...

    @dataclass(frozen=True)
    class OpenWorkshop(Ws, action="w"):                    # one action
        workshop_id: Id

    OpenWorkshop(7).pack()            -> "ws:w:7"
    Ws.unpack("ws:w:7")               -> OpenWorkshop(workshop_id=7)
    Ws.unpack("ws:w:x")               -> BadCallback

Field types: `Id` (a row id, 1..INT32_MAX), `int` (0..INT32_MAX: an index, a page), `bool`
("0"/"1"), `str` (a safe token), a `StrEnum` (one of its values), a `date` (yyyymmdd, a real
day), a naive `datetime` (yyyymmddHHMM, local wall-clock time), and `X | None = None` for a
trailing field that may be absent. Trailing fields
at their defaults are left out of the data and filled in again when it is read (so a field
added later does not make older buttons stale); no other field may be missing. Every press is still
re-authorised in the services: a decoded button is only a hint of what was pressed.

`BadCallback` means the data is not a button this bot made (stale after an update, or forged);
the feature's entry point (`handlers.entry`) answers it as a stale button. A bug inside an
action is never a `BadCallback`: it reaches the error handler and the log.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Self

from telegram import InlineKeyboardButton

MAX_BYTES = 64
# Every id column is a 32-bit INTEGER: a bigger number can match no row, and on PostgreSQL it
# does not even reach the query ("value out of int32 range").
INT32_MAX = 2**31 - 1
_SAFE = re.compile(r"[A-Za-z0-9_-]+")


class Feature(StrEnum):
    """The prefix of every feature's buttons: one codec each."""

    ONBOARDING = "ob"
    LANGUAGE = "lg"
    MY_DATA = "md"
    WORKSHOPS = "ws"
    CONSULTATIONS = "cs"
    CHILDCARE = "cc"
    BOOKINGS = "bk"
    STAFF = "st"
    STAFF_WORKSHOPS = "sw"
    STAFF_TOOLS = "sx"
    STAFF_CHILDCARE = "cp"
    STAFF_CONSULT = "cx"
    BROADCASTS = "bc"


class BadCallback(ValueError):
    """callback_data that is no button of ours: unknown action, missing or malformed argument."""


class _RowId:
    """Marker: an int that must be a row id (1..INT32_MAX)."""


Id = Annotated[int, _RowId]


def _parse_int(text: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        raise BadCallback("not a number")
    number = int(text)
    if number > INT32_MAX:
        raise BadCallback("out of range")
    return number


def _parse(kind: Any, text: str) -> object:
    """One argument, parsed by its field's type."""
    if typing.get_origin(kind) is Annotated:
        base, *marks = typing.get_args(kind)
        value = _parse(base, text)
        if _RowId in marks and not (isinstance(value, int) and value >= 1):
            raise BadCallback("not an id")
        return value
    if typing.get_origin(kind) in (typing.Union, types.UnionType):  # `X | None`: None is
        (inner,) = [a for a in typing.get_args(kind) if a is not type(None)]  # left out
        return _parse(inner, text)
    if kind is bool:
        if text not in ("0", "1"):
            raise BadCallback("not a flag")
        return text == "1"
    if kind is int:
        return _parse_int(text)
    if kind is str:
        return text
    if kind is datetime:  # a local wall-clock moment, yyyymmddHHMM
        try:
            return datetime.strptime(text, "%Y%m%d%H%M") if len(text) == 12 else _no_moment()
        except ValueError:
            raise BadCallback("no such moment") from None
    if kind is date:  # yyyymmdd
        try:
            return datetime.strptime(text, "%Y%m%d").date() if len(text) == 8 else _no_day()
        except ValueError:
            raise BadCallback("no such day") from None
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        try:
            return kind(text)
        except ValueError:
            raise BadCallback("not a choice") from None
    raise TypeError(f"unsupported button field type {kind!r}")


def _no_day() -> date:
    raise BadCallback("not yyyymmdd")


def _no_moment() -> datetime:
    raise BadCallback("not yyyymmddHHMM")


def _pack_one(value: object) -> str:
    if value is None:
        raise ValueError("only a trailing field left at its default may be None")
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.strftime("%Y%m%d%H%M")
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, int) and not 0 <= value <= INT32_MAX:
        raise ValueError(f"{value} does not fit the 32-bit id columns")
    return str(value)


class _Packed:
    """Shared by buttons and prompts: a code, then the fields in order, joined by ":"."""

    _key: ClassVar[str]  # the code part of the string ("ws:b", "cc_name")
    _codes: ClassVar[dict[str, type[_Packed]]]
    _code_parts: ClassVar[int]  # how many ":"-parts the code itself has
    _fields: ClassVar[tuple[tuple[str, Any, bool], ...] | None] = None

    @classmethod
    def _register(cls, code: str) -> None:
        if code in cls._codes:
            raise ValueError(f"{code} is defined twice")
        cls._key = code
        cls._codes[code] = cls
        cls._fields = None

    @classmethod
    def _field_types(cls) -> tuple[tuple[str, Any, bool], ...]:
        if cls._fields is None:
            hints = typing.get_type_hints(cls, include_extras=True)
            cls._fields = tuple(
                (
                    f.name,
                    hints[f.name],
                    f.default is not dataclasses.MISSING
                    or f.default_factory is not dataclasses.MISSING,
                )
                for f in dataclasses.fields(typing.cast(Any, cls))
            )
        return cls._fields

    @classmethod
    def _default(cls, name: str) -> object:
        field = cls.__dataclass_fields__[name]  # type: ignore[attr-defined]
        if field.default is not dataclasses.MISSING:
            return field.default
        return field.default_factory()

    def pack(self) -> str:
        """The string this stands for; ValueError if it could not round-trip."""
        fields = self._field_types()
        values = [getattr(self, name) for name, _, _ in fields]
        # Trailing fields left at their defaults are left out ("sx:a", not "sx:a:choose"):
        # unpack fills them in again, and buttons made before a field was added still work.
        while (
            values
            and fields[len(values) - 1][2]
            and values[-1] == self._default(fields[len(values) - 1][0])
        ):
            values.pop()
        parts = self._key.split(":") + [_pack_one(value) for value in values]
        for part in parts:
            if not _SAFE.fullmatch(part):
                raise ValueError(f"unsafe part {part!r}")
        data = ":".join(parts)
        if len(data.encode()) > MAX_BYTES:
            raise ValueError("longer than 64 bytes")
        return data

    @classmethod
    def unpack(cls, data: object) -> Self:
        """What `data` stands for, if it is one of this codec's; BadCallback if not."""
        if not isinstance(data, str) or len(data.encode()) > MAX_BYTES:
            raise BadCallback("not our data")
        parts = data.split(":")
        if len(parts) < cls._code_parts or any(not _SAFE.fullmatch(p) for p in parts):
            raise BadCallback("malformed")
        code = ":".join(parts[: cls._code_parts])
        args = parts[cls._code_parts :]
        kind = cls._codes.get(code)
        if kind is None or not issubclass(kind, cls):
            raise BadCallback("unknown code")
        fields = kind._field_types()
        required = sum(1 for _, _, has_default in fields if not has_default)
        if not required <= len(args) <= len(fields):
            raise BadCallback("wrong number of arguments")
        values = {name: _parse(t, a) for (name, t, _), a in zip(fields, args, strict=False)}
        made: Any = kind
        return typing.cast(Self, made(**values))

    @classmethod
    def matches(cls, data: object) -> bool:
        """Whether `data` is one of this codec's (without telling why not)."""
        try:
            cls.unpack(data)
        except BadCallback:
            return False
        return True


class Button(_Packed):
    """Base of every feature's button codec (a direct subclass with `feature=`) and, below
    it, of every action (a frozen dataclass with `action=`): "<feature>:<action>[:<arg>...]"."""

    feature: ClassVar[Feature]
    action: ClassVar[str]
    _codes: ClassVar[dict[str, type[_Packed]]] = {}
    _code_parts = 2

    def __init_subclass__(
        cls, *, feature: Feature | None = None, action: str | None = None, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        if feature is not None:  # a feature's codec
            cls.feature = feature
            cls._codes = {}
        if action is not None:  # one of its actions
            if not _SAFE.fullmatch(action):
                raise ValueError(f"unsafe action code {action!r}")
            cls.action = action
            cls._register(f"{cls.feature.value}:{action}")

    @classmethod
    def pattern(cls) -> str:
        """The CallbackQueryHandler pattern that routes this feature's presses to it."""
        return f"^{re.escape(cls.feature.value)}:"

    def button(self, text: str) -> InlineKeyboardButton:
        """An inline button with `text` that sends this press."""
        return InlineKeyboardButton(text, callback_data=self.pack())


class Prompt(_Packed):
    """What a person's next typed message answers (`Person.awaiting`), stored between
    messages and across restarts: "<code>[:<arg>...]", e.g. "cc_name:child:2019".

    A feature's prompts share a base (a direct subclass with `prompts=True`); each prompt is a
    frozen dataclass with `code=`. `Base.matches(person.awaiting)` tells whether the feature
    expects the next message; `Base.unpack` gives the prompt (BadCallback for a prompt of an
    older version, which the feature forgets).
    """

    _codes: ClassVar[dict[str, type[_Packed]]] = {}
    _code_parts = 1

    def __init_subclass__(
        cls, *, prompts: bool = False, code: str | None = None, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        if prompts:
            cls._codes = {}
        if code is not None:
            if not _SAFE.fullmatch(code):
                raise ValueError(f"unsafe prompt code {code!r}")
            cls._register(code)

    @classmethod
    def owns(cls, awaiting: str | None) -> bool:
        """Whether `awaiting` is one of this codec's prompts by its code, whatever its
        arguments: a prompt of an older version is the feature's to forget (`unpack` refuses
        it)."""
        kind = cls._codes.get((awaiting or "").partition(":")[0])
        return kind is not None and issubclass(kind, cls)
