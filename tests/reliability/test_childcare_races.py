"""Childcare races on both databases: ten requests at once (for ten different sessions whose
care windows overlap) for three places give exactly three pending and seven held; two
decisions at once, one wins; a cancellation racing a new request always gives the freed place
to the oldest held request."""

from __future__ import annotations

import asyncio
from datetime import time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from models import CareRequest, OutboxMessage
from models.db import create_sessionmaker
from services import childcare as cc
from services.errors import AlreadyDecided
from tests.conftest import FakeClock
from tests.factories import make_people, make_policy
from tests.services.test_childcare import (
    CARE,
    COORDINATOR_TID,
    PARTNER_TID,
    START,
    WEDNESDAY,
    add_child,
    ask,
    ask_for_child,
    decide,
    enroll,
    local,
    make_world,
    make_ws,
    req_id,
    set_window,
)

RACERS = 10
PLACES = 3
ROUNDS = 3


async def test_ten_requests_for_three_places(engine: AsyncEngine) -> None:
    sm = create_sessionmaker(engine)
    clock = FakeClock(START)
    world = await make_world(sm, clock, participants=0)
    await set_window(sm, clock(), PLACES)
    for round_no in range(ROUNDS):
        day = WEDNESDAY + timedelta(days=round_no)
        racers = await make_people(sm, RACERS, first_id=30_000 + 100 * round_no)
        prepared = []
        for n, person in enumerate(racers):
            # Each in another session (10:00, 10:05, ...), so only the care-day lock, not a
            # session's row lock, stands between them; all ten windows share 10:45-12:00.
            start = local(day, time(10, 5 * n))
            session = await make_ws(sm, world.workshop, start, start + timedelta(hours=2))
            enrollment_id = await enroll(sm, person, session.id, clock())
            child = await add_child(sm, person.id, clock())
            prepared.append((person.id, child.id, enrollment_id))

        async def request(person_id: int, child_id: int, enrollment_id: int) -> str:
            async with sm.begin() as s:
                [result] = await cc.request_care(
                    s,
                    person_id=person_id,
                    dependant_ids=[child_id],
                    enrollment_id=enrollment_id,
                    now=clock(),
                    policy=CARE,
                )
            return result.outcome

        outcomes = await asyncio.gather(*(request(*args) for args in prepared))
        assert sorted(outcomes) == ["held"] * (RACERS - PLACES) + ["pending"] * PLACES, (
            f"round {round_no}: {outcomes}"
        )
        async with sm() as s:
            rows = await s.execute(
                select(CareRequest.status, func.count())
                .where(CareRequest.enrollment_id.in_([e for _, _, e in prepared]))
                .group_by(CareRequest.status)
            )
            counts = dict(rows.all())
            asked = await s.scalar(
                select(func.count()).where(OutboxMessage.kind == cc.KIND_REQUESTED)
            )
        assert counts == {"pending": PLACES, "held": RACERS - PLACES}, f"round {round_no}"
        assert asked == PLACES * (round_no + 1)


async def test_two_decisions_at_once_one_wins(engine: AsyncEngine) -> None:
    sm = create_sessionmaker(engine)
    clock = FakeClock(START)
    world = await make_world(sm, clock, participants=5)
    for person in world.participants:
        result = await ask_for_child(sm, person, world.session.id, clock())

        async def attempt(approve: bool, tid: int, request_id: int = req_id(result)) -> str:
            try:
                await decide(sm, request_id, clock(), approve, "Brak miejsc", actor_tid=tid)
            except AlreadyDecided:
                return "late"
            return "approved" if approve else "declined"

        outcomes = await asyncio.gather(attempt(True, PARTNER_TID), attempt(False, COORDINATOR_TID))
        assert outcomes.count("late") == 1, outcomes
        async with sm() as s:
            stored = await s.get(CareRequest, req_id(result))
            told = await s.scalar(
                select(func.count()).where(
                    OutboxMessage.kind == cc.KIND_DECIDED, OutboxMessage.ref_id == req_id(result)
                )
            )
        winner = next(o for o in outcomes if o != "late")
        assert stored is not None and stored.status == winner
        assert told == 1


async def test_a_freed_place_goes_to_the_oldest_held_request(engine: AsyncEngine) -> None:
    sm = create_sessionmaker(engine)
    clock = FakeClock(START)
    world = await make_world(sm, clock, participants=3)
    await set_window(sm, clock(), 1)
    first, second, third = world.participants
    r1 = await ask_for_child(sm, first, world.session.id, clock())
    r2 = await ask_for_child(sm, second, world.session.id, clock())
    assert (r1.outcome, r2.outcome) == ("pending", "held")
    third_enrollment = await enroll(sm, third, world.session.id, clock())
    third_child = await add_child(sm, third.id, clock())

    async def cancel_first() -> None:
        async with sm.begin() as s:
            await cc.cancel_request(
                s, person_id=first.id, request_id=req_id(r1), now=clock(), policy=make_policy()
            )

    async def third_asks() -> None:
        await ask(sm, third.id, [third_child.id], clock(), enrollment_id=third_enrollment)

    # Whichever commits first, the place goes to the second participant (waiting longest).
    await asyncio.gather(cancel_first(), third_asks())
    async with sm() as s:
        rows = await s.execute(
            select(CareRequest.person_id, CareRequest.status).order_by(CareRequest.id)
        )
        statuses = dict(rows.all())
    assert statuses == {first.id: "cancelled", second.id: "pending", third.id: "held"}
