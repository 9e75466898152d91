"""One slot, thirty people at once, five times, on both databases: exactly one booking, and
only the winner's referral loses a session. Double taps of one person make one booking."""

from __future__ import annotations

import asyncio
from datetime import time

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from models import ConsultationBooking, OutboxMessage, Referral, Slot
from models.db import create_sessionmaker
from services import consultations as c
from tests.conftest import FakeClock
from tests.factories import make_people
from tests.services.test_consultations import (
    POLICY,
    START,
    WAW,
    add_hours,
    make_club,
    refer,
    slots_of,
)

RACERS = 30
ROUNDS = 5


async def test_thirty_people_one_slot(engine: AsyncEngine) -> None:
    sm = create_sessionmaker(engine)
    clock = FakeClock(START)
    club = await make_club(sm, clock())
    # Wednesdays and Thursdays 10:00-12:00: enough psychology slots for every round.
    for weekday in (2, 3):
        await add_hours(
            sm, club.specialist_id, club.psychologist, weekday, time(10), time(12), clock()
        )
    slots = await slots_of(sm, club.psychologist)
    assert len(slots) >= ROUNDS
    for round_no in range(ROUNDS):
        racers = await make_people(sm, RACERS, first_id=20_000 + 100 * round_no)
        referrals = {
            p.id: (await refer(sm, p.id, club.psychologist, clock(), sessions=1)).id for p in racers
        }
        slot_id = slots[round_no].id

        async def try_to_book(person_id: int, slot: int = slot_id) -> str:
            try:
                async with sm.begin() as session:
                    await c.book(
                        session,
                        person_id=person_id,
                        slot_id=slot,
                        now=clock(),
                        tz=WAW,
                        policy=POLICY,
                    )
            except c.SlotTaken:
                return "taken"
            return "booked"

        outcomes = await asyncio.gather(*(try_to_book(p.id) for p in racers))
        assert outcomes.count("booked") == 1, f"round {round_no}: {outcomes}"
        assert outcomes.count("taken") == RACERS - 1, f"round {round_no}"
        winner = racers[outcomes.index("booked")]
        async with sm() as session:
            bookings = list(
                await session.scalars(
                    select(ConsultationBooking).where(ConsultationBooking.slot_id == slot_id)
                )
            )
            rows = await session.execute(
                select(Referral.id, Referral.sessions_used).where(
                    Referral.id.in_(list(referrals.values()))
                )
            )
            used = {referral_id: count for referral_id, count in rows.all()}
            slot = await session.get(Slot, slot_id)
            reminders = await session.scalar(
                select(func.count()).where(
                    OutboxMessage.kind == c.KIND_REMINDER,
                    OutboxMessage.ref_id.in_([b.id for b in bookings]),
                )
            )
        assert [(b.person_id, b.status) for b in bookings] == [(winner.id, "booked")]
        assert bookings[0].referral_id == referrals[winner.id]
        assert slot is not None and slot.status == "booked"
        assert sum(used.values()) == 1 and used[referrals[winner.id]] == 1, f"round {round_no}"
        assert reminders == 2


async def test_double_taps_of_one_person_make_one_booking(engine: AsyncEngine) -> None:
    sm = create_sessionmaker(engine)
    clock = FakeClock(START)
    club = await make_club(sm, clock())
    for weekday in (1, 2, 3):
        await add_hours(
            sm, club.specialist_id, club.psychologist, weekday, time(9), time(12), clock()
        )
    slots = await slots_of(sm, club.psychologist)
    [person] = await make_people(sm, 1)
    referral = await refer(sm, person.id, club.psychologist, clock(), sessions=5)

    async def tap(slot_id: int) -> str:
        try:
            async with sm.begin() as session:
                await c.book(
                    session,
                    person_id=person.id,
                    slot_id=slot_id,
                    now=clock(),
                    tz=WAW,
                    policy=POLICY,
                )
        except c.AlreadyBooked:
            return "already"
        return "booked"

    # Eight taps at once: on the same slot and on other slots of the same service.
    targets = [slots[0].id] * 4 + [s.id for s in slots[1:5]]
    outcomes = await asyncio.gather(*(tap(slot_id) for slot_id in targets))
    assert sorted(outcomes) == ["already"] * 7 + ["booked"]
    async with sm() as session:
        bookings = list(await session.scalars(select(ConsultationBooking)))
        stored = await session.get(Referral, referral.id)
        booked_slots = await session.scalar(select(func.count()).where(Slot.status == "booked"))
    assert len(bookings) == 1 and bookings[0].status == "booked"
    assert stored is not None and stored.sessions_used == 1
    assert booked_slots == 1
