"""Deactivating a participant (SQLite and PostgreSQL): future bookings of every kind are
cancelled in the same transaction, freed seats go to the waiting list, the past stays."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from models import (
    CareRequest,
    ConsultationBooking,
    Enrollment,
    OutboxMessage,
    Person,
    Slot,
    WorkshopSession,
)
from models.db import Sessionmaker
from services import deactivation
from services.errors import AlreadyDecided, NotAllowed
from services.workshops import KIND_OFFER
from tests.conftest import FakeClock
from tests.factories import make_people, make_workshop
from tests.services.test_childcare import (
    START,
    WEDNESDAY,
    WS_POLICY,
    add_child,
    ask,
    enroll,
    local,
    make_staff,
    make_ws,
)
from tests.services.test_consultations import COORDINATOR_TID, add_hours, make_club, slots_of
from tests.services.test_consultations import book as book_slot


async def _status(sm: Sessionmaker, model: type, row_id: int) -> str:
    async with sm() as s:
        row = await s.get(model, row_id)
        assert row is not None
        return str(row.status)


async def test_deactivation_cancels_future_bookings_and_offers_the_seat(
    sessionmaker: Sessionmaker,
) -> None:
    clock = FakeClock(START)
    club = await make_club(sessionmaker, clock())
    await make_staff(sessionmaker, clock())
    await add_hours(sessionmaker, club.specialist_id, club.social, 2, time(10), time(12), clock())
    me, waiting, other = await make_people(sessionmaker, 3)
    workshop = await make_workshop(sessionmaker)
    full = await make_ws(
        sessionmaker, workshop, local(WEDNESDAY, time(17)), local(WEDNESDAY, time(19)), seats=1
    )
    past = await make_ws(
        sessionmaker, workshop, START - timedelta(days=2), START - timedelta(days=2, hours=-2)
    )
    seat = await enroll(sessionmaker, me, full.id, clock())
    queued = await enroll(sessionmaker, waiting, full.id, clock())
    async with sessionmaker.begin() as s:
        history = Enrollment(session_id=past.id, person_id=me.id, status="confirmed")
        s.add(history)
        s.add(
            OutboxMessage(
                person_id=me.id, chat_id=me.telegram_id or 0, kind="broadcast", ref_id=999,
                due_at=clock() + timedelta(hours=1),
            )
        )  # fmt: skip
    slot = (await slots_of(sessionmaker, club.social))[0]
    booking = (await book_slot(sessionmaker, me.id, slot.id, clock())).booking
    child = await add_child(sessionmaker, me.id, clock())
    [care] = await ask(sessionmaker, me.id, [child.id], clock(), consultation_id=booking.id)
    assert care.request is not None

    with pytest.raises(NotAllowed):
        async with sessionmaker.begin() as s:
            await deactivation.deactivate_participant(
                s, other.telegram_id or 0, me.id, clock(), WS_POLICY
            )
    async with sessionmaker.begin() as s:
        summary = await deactivation.deactivate_participant(
            s, COORDINATOR_TID, me.id, clock(), WS_POLICY
        )

    assert (summary.workshop_seats, summary.waiting_places) == (1, 0)
    assert (summary.consultations, summary.care_requests, summary.messages) == (1, 1, 1)
    assert await _status(sessionmaker, Person, me.id) == "deactivated"
    assert await _status(sessionmaker, Enrollment, seat) == "cancelled"
    assert await _status(sessionmaker, Enrollment, queued) == "offered"
    assert await _status(sessionmaker, Enrollment, history.id) == "confirmed"  # the past stays
    assert await _status(sessionmaker, ConsultationBooking, booking.id) == "cancelled"
    assert await _status(sessionmaker, Slot, slot.id) == "free"
    assert await _status(sessionmaker, CareRequest, care.request.id) == "cancelled"
    async with sessionmaker() as s:
        stored = await s.get(WorkshopSession, full.id)
        assert stored is not None and stored.seats_taken == 1  # held by the offer
        offers = list(
            await s.scalars(
                select(OutboxMessage.person_id).where(
                    OutboxMessage.kind == KIND_OFFER, OutboxMessage.status == "pending"
                )
            )
        )
        mine = list(
            await s.scalars(
                select(OutboxMessage.kind).where(
                    OutboxMessage.person_id == me.id,
                    OutboxMessage.status.in_(("pending", "claimed")),
                )
            )
        )
    assert offers == [waiting.id]
    assert mine == []  # the deactivated person is told nothing

    with pytest.raises(AlreadyDecided):
        async with sessionmaker.begin() as s:
            await deactivation.deactivate_participant(s, COORDINATOR_TID, me.id, clock(), WS_POLICY)


async def test_deactivation_of_a_waiting_participant_leaves_the_seats_alone(
    sessionmaker: Sessionmaker,
) -> None:
    clock = FakeClock(START)
    await make_staff(sessionmaker, clock())
    holder, me = await make_people(sessionmaker, 2)
    workshop = await make_workshop(sessionmaker)
    full = await make_ws(
        sessionmaker, workshop, local(WEDNESDAY, time(17)), local(WEDNESDAY, time(19)), seats=1
    )
    await enroll(sessionmaker, holder, full.id, clock())
    queued = await enroll(sessionmaker, me, full.id, clock())
    async with sessionmaker.begin() as s:
        summary = await deactivation.deactivate_participant(
            s, COORDINATOR_TID, me.id, clock(), WS_POLICY
        )
    assert (summary.workshop_seats, summary.waiting_places, summary.consultations) == (0, 1, 0)
    assert await _status(sessionmaker, Enrollment, queued) == "cancelled"
    async with sessionmaker() as s:
        stored = await s.get(WorkshopSession, full.id)
        assert stored is not None and stored.seats_taken == 1
