"""The broadcast (bc:) and care staff (cp:) codecs make the strings the old code made."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.settings import Language
from handlers.buttons import BadCallback
from handlers.buttons import broadcasts as bcb
from handlers.buttons import staff_childcare as cp


def test_broadcast_wire_format_is_unchanged() -> None:
    assert bcb.Menu().pack() == "bc:m"
    assert bcb.AskText(7, Language.UK).pack() == "bc:t:7:uk"
    assert bcb.AudienceWaitlist(7, 12).pack() == "bc:aqp:7:12"
    assert (
        bcb.AudienceDates(7, date(2027, 3, 1), date(2027, 3, 7)).pack()
        == "bc:adp:7:20270301:20270307"
    )
    assert bcb.WhenPreset(7, datetime(2027, 3, 1, 18, 0)).pack() == "bc:wp:7:202703011800"
    assert bcb.Bc.unpack("bc:sy:7") == bcb.Stop(7)
    assert bcb.TextPrompt(7, Language.PL).pack() == "bc_text:7:pl"
    assert bcb.BcPrompt.unpack("bc_media:7") == bcb.MediaPrompt(7)
    assert bcb.BcPrompt.unpack("bc_when:7") == bcb.WhenPrompt(7)


def test_care_staff_wire_format_is_unchanged() -> None:
    assert cp.Pending().pack() == "cp:l"
    assert cp.DeclineWith(3, cp.DeclinePreset.AGE).pack() == "cp:rs:3:1"
    assert cp.Roster(date(2027, 3, 2)).pack() == "cp:g:20270302"
    assert cp.Cp.unpack("cp:g") == cp.Roster()  # older buttons: today
    assert cp.ReasonPrompt(3).pack() == "cp_reason:3"
    assert cp.CpPrompt.unpack("cp_reason:3") == cp.ReasonPrompt(3)


@pytest.mark.parametrize(
    "data", ["bc:t:7:de", "bc:adp:7:20270301", "bc:d", "bc:x:7:1", "cp:rs:3:2", "cp:g:x"]
)
def test_malformed_is_bad_callback(data: str) -> None:
    codec = bcb.Bc if data.startswith("bc:") else cp.Cp
    with pytest.raises(BadCallback):
        codec.unpack(data)


@pytest.mark.parametrize(
    "data",
    [
        "bc:adp:7:20270230:20270301",  # 30 February
        "bc:adp:7:2027031:20270301",
        "bc:wp:7:202703012460",  # 24:60
        "bc:wp:7:2027030118",
        "cp:g:20271301",
        "cp:g:0",
    ],
)
def test_days_and_moments_that_are_none_are_bad_callbacks(data: str) -> None:
    codec = bcb.Bc if data.startswith("bc:") else cp.Cp
    with pytest.raises(BadCallback):
        codec.unpack(data)


def test_days_and_moments_are_read_back() -> None:
    assert bcb.Bc.unpack("bc:wp:7:202703011800") == bcb.WhenPreset(7, datetime(2027, 3, 1, 18))
    assert cp.Cp.unpack("cp:g:20270302") == cp.Roster(date(2027, 3, 2))
