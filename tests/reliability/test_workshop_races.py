"""Capacity under a thundering herd: 60 people, 10 seats, at once, ten times, on both databases."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from models import Enrollment, WorkshopSession
from models.db import create_sessionmaker
from services import workshops
from tests.conftest import FakeClock
from tests.factories import make_people, make_session, make_workshop

POLICY = workshops.Policy()


async def test_sixty_people_ten_seats(engine: AsyncEngine, clock: FakeClock) -> None:
    sm = create_sessionmaker(engine)
    people = await make_people(sm, 60)
    workshop = await make_workshop(sm)
    for round_no in range(10):
        ws = await make_session(sm, workshop, clock() + timedelta(days=7 + round_no), capacity=10)

        async def sign_up(person_id: int, chat_id: int, session_id: int = ws.id) -> str:
            async with sm.begin() as session:
                result = await workshops.enroll(
                    session, person_id, chat_id, session_id, clock(), POLICY
                )
                return result.outcome

        outcomes = await asyncio.gather(*(sign_up(p.id, p.telegram_id or 0) for p in people))
        assert outcomes.count("confirmed") == 10, f"round {round_no}"
        assert outcomes.count("waiting") == 50, f"round {round_no}"
        async with sm() as session:
            rows = list(
                await session.scalars(
                    select(Enrollment).where(Enrollment.session_id == ws.id).order_by(Enrollment.id)
                )
            )
            stored = await session.get(WorkshopSession, ws.id)
        assert stored is not None and stored.seats_taken == 10
        # Arrival order: the first ten to be handled hold the seats, the rest wait behind them.
        assert [r.status for r in rows] == ["confirmed"] * 10 + ["waiting"] * 50
        assert len({r.person_id for r in rows}) == 60


async def test_double_taps_make_one_enrolment(engine: AsyncEngine, clock: FakeClock) -> None:
    sm = create_sessionmaker(engine)
    [person] = await make_people(sm, 1)
    workshop = await make_workshop(sm)
    ws = await make_session(sm, workshop, clock() + timedelta(days=3), capacity=5)

    async def tap() -> str:
        async with sm.begin() as session:
            result = await workshops.enroll(
                session, person.id, person.telegram_id or 0, ws.id, clock(), POLICY
            )
            return result.outcome

    outcomes = await asyncio.gather(*(tap() for _ in range(8)))
    assert sorted(outcomes) == ["already"] * 7 + ["confirmed"]
    async with sm() as session:
        stored = await session.get(WorkshopSession, ws.id)
        count = len(list(await session.scalars(select(Enrollment))))
    assert count == 1 and stored is not None and stored.seats_taken == 1
