"""The typed cs / cc / cx buttons and prompts carry exactly the strings the hand-written ones
did: buttons in people's chats and questions stored in `person.awaiting` keep working."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.buttons import BadCallback
from handlers.buttons import childcare as cc
from handlers.buttons import consultations as cs
from handlers.buttons import staff_consult as cx
from models import DependantKind


def test_consultation_buttons_keep_their_data() -> None:
    assert cs.Services().pack() == "cs:top"
    assert cs.Day(3, date(2027, 3, 1)).pack() == "cs:d:3:20270301"
    assert cs.AskMove(5, 9).pack() == "cs:rk:5:9"
    assert cs.Discreet(5, False).pack() == "cs:n:5:0"
    assert cs.Details(5, cs.DetailsKind.MOVED).pack() == "cs:dt:5:m"
    assert cs.Cs.unpack("cs:ry:5:9") == cs.MoveTo(5, 9)
    assert cs.Cs.unpack("cs:d:3:20270301") == cs.Day(3, date(2027, 3, 1))
    with pytest.raises(BadCallback):
        cs.Cs.unpack("cs:d:3:20271399")


def test_childcare_buttons_and_prompts_keep_their_data() -> None:
    assert cc.CareFor(cc.BookingKind("w"), 7).pack() == "cc:b:w:7"
    assert cc.AskCare(cc.BookingKind.CONSULTATION, 7, 2).pack() == "cc:q:c:7:2"
    assert cc.Edit(2, cc.Field.NEEDS).pack() == "cc:e:2:s"
    assert cc.AddDependant(DependantKind.ADULT).pack() == "cc:a:adult"
    assert cc.NewName(DependantKind.CHILD, 2019).pack() == "cc_name:child:2019"
    assert cc.CcPrompt.unpack("cc_year:adult") == cc.NewYear(DependantKind.ADULT)
    assert cc.CcPrompt.unpack("cc_eyear:4") == cc.EditYear(4)
    for old in ("cc_name:child", "cc_needs:x", "cc_year:robot", "cc_other:1"):
        with pytest.raises(BadCallback):
            cc.CcPrompt.unpack(old)


def test_a_referral_draft_carries_only_the_choices_made() -> None:
    steps = ["cx:d:0", "cx:d:5:3", "cx:d:5:3:4", "cx:d:5:3:4:90"]
    drafts = [cx.Draft(0), cx.Draft(5, 3), cx.Draft(5, 3, 4), cx.Draft(5, 3, 4, 90)]
    assert [d.pack() for d in drafts] == steps
    assert [cx.Cx.unpack(s) for s in steps] == drafts
    for forged in ("cx:d", "cx:d:5:0", "cx:d:5:3:0", "cx:d:5:3:4:90:1"):
        with pytest.raises(BadCallback):
            cx.Cx.unpack(forged)
    assert cx.Mark(8, True).pack() == "cx:o:8:1"
    assert cx.Search().pack() == "cx_find"
