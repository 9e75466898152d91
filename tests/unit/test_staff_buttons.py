"""The staff codecs (`st`, `sw`, `sx`) and prompts keep the strings the bot always sent."""

from __future__ import annotations

from handlers.buttons import staff as st
from handlers.buttons import staff_tools as sx
from handlers.buttons import staff_workshops as sw
from models import WorkshopGroup


def test_staff_wire_format_is_unchanged() -> None:
    assert st.Approve(5).pack() == "st:ap:5"
    assert st.CancelPrompt().pack() == "st:cx"
    assert sw.NewInGroup(WorkshopGroup.SOCIAL).pack() == "sw:ng:social"
    assert sw.ToggleAttendance(9).pack() == "sw:a:9"
    assert sx.Agenda().pack() == "sx:a"  # the choice, as it always was
    assert sx.Agenda(sx.Span.WEEK).pack() == "sx:a:w"
    assert sx.Sx.unpack("sx:a") == sx.Agenda()
    assert sx.MonthChosen(sx.Report.INDICATORS, 202703).pack() == "sx:em:ind:202703"
    assert (
        sx.SendExport(sx.Report.PARTICIPANTS, 0, sx.Format.CSV).pack() == "sx:ef:participants:0:csv"
    )


def test_staff_prompts_are_the_stored_strings() -> None:
    assert st.InviteName().pack() == "invite_name"
    assert sw.CapacityPrompt(12).pack() == "capacity:12"
    assert sw.SwPrompt.unpack("ws_new:social") == sw.TitleOfNew(WorkshopGroup.SOCIAL)
    assert sx.FindPrompt().pack() == "sx_find"
    assert sw.SwPrompt.owns("capacity:abc")  # an older version: the feature forgets it
    assert not sw.SwPrompt.matches("capacity:abc")
    assert not sw.SwPrompt.owns("sx_find")
