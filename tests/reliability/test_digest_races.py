"""The morning agenda and the childcare roster go to each recipient once a day, even when two
bot processes (two Applications with engines of their own on one database) run the job at the
same moment, and when the catch-up job of a restarted process runs after it: the database
decides (a unique index on the outbox, insert-or-nothing), not a read before the write."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import build_application
from bot.context import KisApplication
from bot.settings import Settings
from models import OutboxMessage
from models.db import Sessionmaker, create_engine, create_sessionmaker
from scheduler import daily
from services import childcare as cc
from services import consultations as c
from services import people
from tests.conftest import FakeClock
from tests.factories import make_people
from tests.services import test_childcare as tc
from tests.services.test_consultations import (
    POLICY,
    START,
    WAW,
    add_hours,
    make_club,
    refer,
    slots_of,
)

ROUNDS = 4  # days, each raced afresh
SPECIALISTS = 3
PARTNERS = 3


def _apps(database_url: str, engines: list[AsyncEngine], clock: FakeClock) -> list[KisApplication]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        TELEGRAM_BOT_TOKEN="1:race",
        DATABASE_URL=database_url,
        KISBOT_AGENDA_TIME="07:30",
        KISBOT_ROSTER_TIME="07:30",
    )
    return [
        build_application(settings, engine=e, clock=clock, migrate_on_start=False) for e in engines
    ]


async def _warm_up(apps: list[KisApplication]) -> None:
    """A connection open in each pool, so neither run starts a connect behind the other."""
    for app in apps:
        async with app.bot_data["deps"].transaction() as session:
            await session.execute(select(1))


async def _count(sm: Sessionmaker, kind: str) -> list[tuple[int | None, int | None, int]]:
    async with sm() as s:
        rows = await s.execute(
            select(OutboxMessage.person_id, OutboxMessage.ref_id, func.count())
            .where(OutboxMessage.kind == kind)
            .group_by(OutboxMessage.person_id, OutboxMessage.ref_id)
            .order_by(OutboxMessage.person_id, OutboxMessage.ref_id)
        )
        return [(p, r, n) for p, r, n in rows.all()]


async def test_two_processes_queue_one_agenda_per_specialist_and_day(
    engine: AsyncEngine, database_url: str
) -> None:
    sm = create_sessionmaker(engine)
    clock = FakeClock(START)
    club = await make_club(sm, clock())
    specialist_ids = [club.specialist_id]
    async with sm.begin() as s:
        for n in range(1, SPECIALISTS):
            person = await people.add_staff(s, 810 + n, "specialist", f"Spec {n}", "pl", clock())
            specialist_ids.append(person.id)
    # Every specialist: psychology every day 10:00-12:00, one booking each day.
    for specialist_id in specialist_ids:
        for weekday in range(7):
            await add_hours(
                sm, specialist_id, club.psychologist, weekday, time(10), time(12), clock()
            )
    slots = await slots_of(sm, club.psychologist)
    participants = await make_people(sm, SPECIALISTS * ROUNDS)
    days = sorted({s.starts_at.astimezone(WAW).date() for s in slots})[1 : ROUNDS + 1]
    booked = iter(participants)
    for day in days:
        for specialist_id in specialist_ids:
            slot = next(
                s
                for s in slots
                if s.specialist_id == specialist_id and s.starts_at.astimezone(WAW).date() == day
            )
            person = next(booked)
            await refer(sm, person.id, club.psychologist, clock())
            async with sm.begin() as s:
                await c.book(
                    s, person_id=person.id, slot_id=slot.id, now=clock(), tz=WAW, policy=POLICY
                )

    second = create_engine(database_url)
    try:
        apps = _apps(database_url, [engine, second], clock)
        await _warm_up(apps)
        for day in days:
            clock.now = datetime.combine(day, time(7, 30), tzinfo=WAW).astimezone(UTC)
            queued = await asyncio.gather(*(daily.run_morning_agenda(app) for app in apps))
            assert sum(queued) == SPECIALISTS, (day, queued)
            # A restarted process catches up a little later: nothing more.
            clock.now += timedelta(minutes=10)
            restarted = _apps(database_url, [second], clock)[0]
            assert await daily.run_agenda_catch_up(restarted) == 0
        rows = await _count(sm, c.KIND_AGENDA)
        assert len(rows) == SPECIALISTS * ROUNDS
        assert all(n == 1 for _, _, n in rows), rows
    finally:
        await second.dispose()


async def test_two_processes_queue_one_roster_per_partner_and_day(
    engine: AsyncEngine, database_url: str
) -> None:
    sm = create_sessionmaker(engine)
    clock = FakeClock(START)
    world = await tc.make_world(sm, clock, participants=ROUNDS)
    async with sm.begin() as s:
        for n in range(1, PARTNERS):
            await people.add_staff(
                s, tc.PARTNER_TID + n, "childcare_partner", f"P{n}", "pl", clock()
            )
    # Care on Wednesday and the days after it, one participant's child each day.
    days = [tc.WEDNESDAY + timedelta(days=n) for n in range(ROUNDS)]
    sessions = [world.session]
    for day in days[1:]:
        start, end = tc.local(day, time(17)), tc.local(day, time(19))
        sessions.append(await tc.make_ws(sm, world.workshop, start, end))
    for session, person in zip(sessions, world.participants, strict=True):
        r = await tc.ask_for_child(sm, person, session.id, clock())
        await tc.decide(sm, tc.req_id(r), clock())

    second = create_engine(database_url)
    try:
        apps = _apps(database_url, [engine, second], clock)
        await _warm_up(apps)
        for day in days:
            clock.now = tc.local(day, time(7, 30))
            queued = await asyncio.gather(*(daily.run_morning_roster(app) for app in apps))
            assert sum(queued) == PARTNERS, (day, queued)
            clock.now += timedelta(minutes=10)
            restarted = _apps(database_url, [second], clock)[0]
            assert await daily.run_roster_catch_up(restarted) == 0
        rows = await _count(sm, cc.KIND_ROSTER)
        assert len(rows) == PARTNERS * ROUNDS
        assert all(n == 1 for _, _, n in rows), rows
    finally:
        await second.dispose()


async def test_catch_up_after_a_restart_sends_no_second_roster(
    engine: AsyncEngine, database_url: str
) -> None:
    """The roster went out at 07:30; the bot restarts at 08:00 and its catch-up runs, while
    another process runs its own catch-up too: the partner has one roster."""
    sm = create_sessionmaker(engine)
    clock = FakeClock(START)
    world = await tc.make_world(sm, clock, participants=1)
    r = await tc.ask_for_child(sm, world.participants[0], world.session.id, clock())
    await tc.decide(sm, tc.req_id(r), clock())
    second = create_engine(database_url)
    try:
        first, other = _apps(database_url, [engine, second], clock)
        clock.now = tc.local(tc.WEDNESDAY, time(7, 30))
        assert await daily.run_morning_roster(first) == 1
        clock.now = tc.local(tc.WEDNESDAY, time(8, 0))
        restarted = _apps(database_url, [engine], clock)[0]
        caught = await asyncio.gather(
            daily.run_roster_catch_up(restarted),
            daily.run_roster_catch_up(other),
        )
        assert caught == [0, 0]
        assert [n for _, _, n in await _count(sm, cc.KIND_ROSTER)] == [1]
    finally:
        await second.dispose()
