"""Typed buttons (handlers.buttons): every action round-trips, anything else is BadCallback."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import types
import typing
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

import pytest

import handlers.buttons
from handlers.buttons import INT32_MAX, BadCallback, Button, Feature, Id, Prompt
from handlers.buttons import menu as mb
from handlers.buttons import onboarding as ob
from handlers.buttons import workshops as ws


def _codecs() -> list[type[Button]]:
    for info in pkgutil.iter_modules(handlers.buttons.__path__):
        importlib.import_module(f"handlers.buttons.{info.name}")
    return [
        c
        for c in _subclasses(Button)
        if "feature" in c.__dict__ and c.__module__.startswith("handlers.buttons")
    ]


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out


def _sample(kind: typing.Any, big: bool) -> object:
    if typing.get_origin(kind) is typing.Annotated:
        return INT32_MAX if big else 1
    if kind is bool:
        return big
    if kind is int:
        return INT32_MAX if big else 0
    if kind is str:
        return "A" * 20 if big else "x"
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        return max(kind, key=len) if big else next(iter(kind))
    if kind is datetime:
        return datetime(9999, 12, 31, 23, 59) if big else datetime(2027, 3, 28, 2, 30)
    if kind is date:
        return date(9999, 12, 31) if big else date(2027, 3, 1)
    if typing.get_origin(kind) is types.UnionType:
        (inner,) = [a for a in typing.get_args(kind) if a is not type(None)]
        return _sample(inner, big)
    raise AssertionError(f"no sample for {kind!r}")  # pragma: no cover


def _actions() -> list[type[Button]]:
    return [a for codec in _codecs() for a in _subclasses(codec) if "action" in a.__dict__]


def test_every_feature_has_one_codec() -> None:
    assert {c.feature for c in _codecs()} <= set(Feature)
    assert len({c.feature for c in _codecs()}) == len(_codecs())


@pytest.mark.parametrize("big", [False, True])
def test_every_action_round_trips_within_64_bytes(big: bool) -> None:
    actions = _actions()
    assert len(actions) >= 20
    for action in actions:
        hints = typing.get_type_hints(action, include_extras=True)
        values = {
            f.name: _sample(hints[f.name], big)
            for f in dataclasses.fields(action)  # type: ignore[arg-type]
        }
        press = action(**values)
        data = press.pack()
        assert len(data.encode()) <= 64, data
        codec = next(c for c in _codecs() if issubclass(action, c))
        assert codec.unpack(data) == press
        assert data.startswith(f"{codec.feature.value}:")


def test_wire_format_is_unchanged() -> None:
    """Buttons already in people's chats keep working: same strings as before typing."""
    assert ws.SignUp(42).pack() == "ws:b:42"
    assert ws.Groups().pack() == "ws:top"
    assert ws.Group(ws.WorkshopGroup.SOCIAL).pack() == "ws:g:social"
    assert mb.Bookings(2).pack() == "bk:l:2"
    assert ob.Agree(ob.Language.UK, "-").pack() == "ob:y:uk:-"
    assert ws.Ws.unpack("ws:e:7") == ws.Booking(7)
    assert mb.Bk.unpack("bk:l") == mb.Bookings(0)  # a default may be left out


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "ws",
        "ws:",
        "ws:zz:1",  # unknown action
        "ws:b",  # argument missing
        "ws:b:1:2",  # one too many
        "ws:b:0",  # not an id
        "ws:b:000",
        "ws:b:-1",
        "ws:b:1e3",
        "ws:b:2147483648",  # beyond 32 bits: PostgreSQL would refuse the parameter
        "ws:b:99999999999999999999",
        "ws:b:١٢",  # non-ASCII digits
        "ws:b:1;drop",
        "ws:g:nosuchgroup",
        "ws::1",
        "bk:l:x",
        "cs:b:1",  # another feature's
        "ws:b:" + "1" * 70,
        42,
    ],
)
def test_malformed_data_is_bad_callback(data: object) -> None:
    with pytest.raises(BadCallback):
        ws.Ws.unpack(data)
    assert not ws.Ws.matches(data)


def test_ints_flags_and_ids() -> None:
    assert ws.Ws.unpack("ws:b:2147483647") == ws.SignUp(INT32_MAX)
    assert mb.Bk.unpack("bk:l:0") == mb.Bookings(0)  # 0 is a page, not an id

    class Demo(Button, feature=Feature.STAFF):  # a throwaway codec, never registered to a route
        pass

    @dataclass(frozen=True)
    class Flag(Demo, action="zz-flag"):
        row: Id
        on: bool

    assert Flag(5, True).pack() == "st:zz-flag:5:1"
    assert Demo.unpack("st:zz-flag:5:0") == Flag(5, False)
    with pytest.raises(BadCallback):
        Demo.unpack("st:zz-flag:5:2")


def test_pack_refuses_what_could_not_round_trip() -> None:
    with pytest.raises(ValueError):
        ws.SignUp(2**31).pack()
    with pytest.raises(ValueError):
        ws.SignUp(-1).pack()
    with pytest.raises(ValueError):
        ob.ChooseAgain("has:colon").pack()
    with pytest.raises(ValueError):
        ob.ChooseAgain("x" * 70).pack()


def test_an_action_code_is_defined_once() -> None:
    with pytest.raises(ValueError):

        @dataclass(frozen=True)
        class Twice(ws.Ws, action="b"):
            session_id: Id


def test_prompts_share_the_codec() -> None:
    class Demo(Prompt, prompts=True):
        pass

    @dataclass(frozen=True)
    class Reason(Demo, code="zz_reason"):
        request_id: Id

    assert Reason(9).pack() == "zz_reason:9"
    assert Demo.unpack("zz_reason:9") == Reason(9)
    assert not Demo.matches("zz_reason:x")
    assert not Demo.matches("other:9")
    assert not Demo.matches(None)
    assert Demo.owns("zz_reason:x")  # its own prompt, of an older version: its to forget
    assert not Demo.owns("other:9") and not Demo.owns(None)
