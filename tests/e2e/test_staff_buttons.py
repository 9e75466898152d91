"""Typed staff buttons (`st:`, `sw:`, `sx:`) and prompts: forged or malformed presses are stale
buttons in the staff member's language and change nothing; a prompt of an older version is
forgotten."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from models import AuditEvent, Enrollment, OutboxMessage, Person, WorkshopSession
from services import people, workshops
from tests.e2e.conftest import Harness
from tests.e2e.flows import person_row, register_active, register_self
from tests.factories import make_policy, make_session, make_workshop

COORDINATOR_TID = 70
STALE_EN = "out of date"

FORGED = [
    # st: the staff menu
    "st:zz:1",
    "st:ap",
    "st:ap:0",
    "st:ap:2147483648",
    "st:rj:x",
    "st:rj:1:2",
    "st:pd:1",
    "st:cx:1",
    # sw: workshop sessions
    "sw:zz:1",
    "sw:r:2147483648",
    "sw:a:0",
    "sw:cy",
    "sw:k:-1",
    "sw:ng:nosuchgroup",
    "sw:l:1",
    "sw:w:1:2",
    # sx: staff tools
    "sx:zz:1",
    "sx:p:2147483648",
    "sx:dy:0",
    "sx:a:x",
    "sx:ek:nosuchkind",
    "sx:em:workshops:abc",
    "sx:em:workshops:202713",  # no such month
    "sx:ef:workshops:202703:pdf",
    "sx:ef:ind:202703:csv",  # the indicators are no export
    "sx:ef:workshops:0:csv",  # an export of every month is no button of ours
    "sx:ch:1",
]


async def _snapshot(h: Harness) -> dict[str, Any]:
    async with h.sessionmaker() as s:
        return {
            "people": sorted(
                (await s.execute(select(Person.id, Person.status, Person.awaiting))).all()
            ),
            "sessions": sorted(
                (
                    await s.execute(
                        select(WorkshopSession.id, WorkshopSession.status, WorkshopSession.capacity)
                    )
                ).all()
            ),
            "enrollments": sorted(
                (
                    await s.execute(select(Enrollment.id, Enrollment.status, Enrollment.attended))
                ).all()
            ),
            "audit": await s.scalar(select(func.count(AuditEvent.id))),
            "outbox": await s.scalar(select(func.count(OutboxMessage.id))),
        }


async def test_forged_staff_presses_are_stale_in_the_staff_language(harness: Harness) -> None:
    await harness.admin.say("/start")
    await register_active(harness, harness.user(1, "Anna"), "Anna Nowak")
    await register_self(harness, harness.user(2, "Jan"), "Jan Kowalski")
    workshop = await make_workshop(harness.sessionmaker)
    ws = await make_session(harness.sessionmaker, workshop, harness.clock() + timedelta(days=3))
    anna = await person_row(harness, 1)
    assert anna is not None
    async with harness.sessionmaker.begin() as s:
        await workshops.enroll(s, anna.id, 1, ws.id, harness.clock(), make_policy())
        await people.add_staff(
            s, COORDINATOR_TID, "coordinator", "Coordinator", "en", harness.clock()
        )
    await harness.settle()
    coordinator = harness.user(COORDINATOR_TID, "Coordinator")
    await coordinator.say("/staff")
    before = await _snapshot(harness)
    for data in FORGED:
        await coordinator.press_data(data)
        got = await coordinator.expect()
        assert got.answer is not None, data
        assert STALE_EN in (got.answer.text or ""), (data, got.answer.text)
        assert not got.messages, data
    assert not coordinator.documents and not coordinator.photos
    assert await _snapshot(harness) == before


@pytest.mark.parametrize("awaiting", ["capacity:abc", "ws_new:nosuchgroup", "invite_name:1"])
async def test_a_prompt_of_an_older_version_is_forgotten(harness: Harness, awaiting: str) -> None:
    admin = harness.admin
    await admin.say("/start")
    row = await person_row(harness, admin.id)
    assert row is not None
    async with harness.sessionmaker.begin() as s:
        await people.set_awaiting(s, row.id, awaiting)
    got = await admin.say("Pisanie CV")
    assert "nieaktualny" in got.text
    after = await person_row(harness, admin.id)
    assert after is not None and after.awaiting is None
    async with harness.sessionmaker() as s:
        assert (
            await s.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.actor_id == row.id))
            == 0
        )
