"""Capacity under a thundering herd: 60 people, 10 seats, at once, ten times, on both databases."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.batching import GroupCommit
from bot.context import Deps
from bot.i18n import Translator
from bot.settings import Settings
from handlers.workshops import SignUpOutcome, sign_up_batch
from models import Enrollment, OutboxMessage, Person, PersonStatus, WorkshopSession
from models.db import create_sessionmaker
from services import workshops
from tests.conftest import FakeClock
from tests.factories import make_people, make_policy, make_session, make_workshop

POLICY = make_policy()
EnrollResult = workshops.EnrollResult


async def enroll_alone(
    sm: async_sessionmaker[AsyncSession], clock: FakeClock, person: Person, session_id: int
) -> str:
    """One sign-up in a transaction of its own (`workshops.enroll`); its outcome."""
    async with sm.begin() as session:
        result = await workshops.enroll(
            session, person.id, person.telegram_id or 0, session_id, clock(), POLICY
        )
        return result.outcome


async def assert_ten_seated_fifty_waiting(
    sm: async_sessionmaker[AsyncSession], session_id: int
) -> list[Enrollment]:
    """The stored outcome of a 60-for-10 round: ten confirmed first, then fifty waiting, one
    enrolment per person; the enrolments in id (arrival) order."""
    async with sm() as session:
        rows = list(
            await session.scalars(
                select(Enrollment)
                .where(Enrollment.session_id == session_id)
                .order_by(Enrollment.id)
            )
        )
        stored = await session.get(WorkshopSession, session_id)
    assert stored is not None and stored.seats_taken == 10
    # Arrival order: the first ten to be handled hold the seats, the rest wait behind them.
    assert [r.status for r in rows] == ["confirmed"] * 10 + ["waiting"] * 50
    assert len({r.person_id for r in rows}) == 60
    return rows


async def test_sixty_people_ten_seats(engine: AsyncEngine, clock: FakeClock) -> None:
    sm = create_sessionmaker(engine)
    people = await make_people(sm, 60)
    workshop = await make_workshop(sm)
    for round_no in range(10):
        ws = await make_session(sm, workshop, clock() + timedelta(days=7 + round_no), capacity=10)
        outcomes = await asyncio.gather(*(enroll_alone(sm, clock, p, ws.id) for p in people))
        assert outcomes.count("confirmed") == 10, f"round {round_no}"
        assert outcomes.count("waiting") == 50, f"round {round_no}"
        await assert_ten_seated_fifty_waiting(sm, ws.id)


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


async def test_sixty_people_ten_seats_in_group_commits(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    """The bot's path: presses that arrive together share one transaction (enroll_many via
    GroupCommit), while other sign-ups run `enroll` in transactions of their own."""
    sm = create_sessionmaker(engine)
    people = await make_people(sm, 60)
    workshop = await make_workshop(sm)

    async def run_batch(session_id: int, batch: list[workshops.SignUp]) -> list[EnrollResult]:
        async with sm.begin() as session:
            return await workshops.enroll_many(session, session_id, batch, clock(), POLICY)

    for round_no in range(10):
        ws = await make_session(sm, workshop, clock() + timedelta(days=7 + round_no), capacity=10)
        batcher: GroupCommit[int, workshops.SignUp, EnrollResult] = GroupCommit(run_batch)
        batched, alone = people[:45], people[45:]
        results = await asyncio.gather(
            *(batcher.submit(ws.id, workshops.SignUp(p.id, p.telegram_id or 0)) for p in batched),
            *(enroll_alone(sm, clock, p, ws.id) for p in alone),
        )
        outcomes = [r.outcome if isinstance(r, EnrollResult) else r for r in results]
        assert outcomes.count("confirmed") == 10, f"round {round_no}"
        assert outcomes.count("waiting") == 50, f"round {round_no}"
        rows = await assert_ten_seated_fifty_waiting(sm, ws.id)
        # Positions told to the batched people are their places in id order.
        place = {r.id: n for n, r in enumerate([r for r in rows if r.status == "waiting"], 1)}
        for result in results[:45]:
            assert isinstance(result, EnrollResult)
            if result.outcome == "waiting":
                assert result.position == place[result.enrollment.id]


async def test_one_batch_keeps_arrival_order(engine: AsyncEngine, clock: FakeClock) -> None:
    sm = create_sessionmaker(engine)
    people = await make_people(sm, 30)
    workshop = await make_workshop(sm)
    ws = await make_session(sm, workshop, clock() + timedelta(days=7), capacity=10)
    early = people[:3]
    async with sm.begin() as session:  # three already wait (the session is full for them)
        await session.execute(
            update(WorkshopSession).where(WorkshopSession.id == ws.id).values(capacity=0)
        )
        for p in early:
            await workshops.enroll(session, p.id, p.telegram_id or 0, ws.id, clock(), POLICY)
        await session.execute(
            update(WorkshopSession).where(WorkshopSession.id == ws.id).values(capacity=10)
        )
    order = people[3:] + early  # 27 newcomers, then the three who already wait
    async with sm.begin() as session:
        results = await workshops.enroll_many(
            session,
            ws.id,
            [workshops.SignUp(p.id, p.telegram_id or 0) for p in order],
            clock(),
            POLICY,
        )
    assert [r.outcome for r in results] == ["confirmed"] * 10 + ["waiting"] * 17 + ["already"] * 3
    assert [r.position for r in results[10:27]] == list(range(4, 21))
    assert [r.position for r in results[27:]] == [1, 2, 3]
    ids = [r.enrollment.id for r in results[:27]]
    assert ids == sorted(ids)
    async with sm() as session:
        reminders = list(
            await session.scalars(
                select(OutboxMessage.ref_id).where(OutboxMessage.kind == workshops.KIND_REMINDER)
            )
        )
    assert sorted(reminders) == sorted(ids[:10])


async def test_double_taps_in_one_batch_make_one_enrolment(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    sm = create_sessionmaker(engine)
    [person, other] = await make_people(sm, 2)
    workshop = await make_workshop(sm)
    ws = await make_session(sm, workshop, clock() + timedelta(days=3), capacity=1)
    taps = [workshops.SignUp(person.id, person.telegram_id or 0)] * 3
    taps += [workshops.SignUp(other.id, other.telegram_id or 0)] * 2

    async def batch() -> list[str]:
        async with sm.begin() as session:
            results = await workshops.enroll_many(session, ws.id, taps, clock(), POLICY)
            return [r.outcome for r in results]

    outcomes = await asyncio.gather(batch(), batch(), batch())
    assert sorted(outcomes) == [
        ["already"] * 5,
        ["already"] * 5,
        ["confirmed", "already", "already", "waiting", "already"],
    ]
    async with sm() as session:
        stored = await session.get(WorkshopSession, ws.id)
        count = len(list(await session.scalars(select(Enrollment))))
    assert count == 2 and stored is not None and stored.seats_taken == 1


async def test_the_sign_up_button_path_in_group_commits(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    """handlers.workshops.sign_up_batch (services.workshops.sign_up_tappers), as the bot runs
    it: presses by Telegram id, some from people who may not sign up (they take the router's
    usual path), in batches."""
    sm = create_sessionmaker(engine)
    people = await make_people(sm, 62)
    async with sm.begin() as session:  # two of them have not finished registering
        for p in people[:2]:
            await session.execute(
                update(Person).where(Person.id == p.id).values(status=PersonStatus.PENDING.value)
            )
    workshop = await make_workshop(sm)
    ws = await make_session(sm, workshop, clock() + timedelta(days=7), capacity=10)
    settings = Settings(_env_file=None, telegram_bot_token="1:x")  # type: ignore[call-arg]
    deps = Deps(settings, engine, sm, Translator("pl"), clock=clock)

    async def run(session_id: int, telegram_ids: list[int]) -> list[SignUpOutcome]:
        return await sign_up_batch(deps, session_id, telegram_ids)

    batcher: GroupCommit[int, int, SignUpOutcome] = GroupCommit(run)
    first = await batcher.submit(ws.id, people[2].telegram_id or 0)  # a batch of one
    taps = [p.telegram_id or 0 for p in people] + [people[5].telegram_id or 0]
    outcomes = [first, *await asyncio.gather(*(batcher.submit(ws.id, t) for t in taps))]
    assert [o.lang for o in outcomes[1:3]] == [None, None]  # pending: not handled here
    results = [o.result for o in outcomes if o.result is not None]
    assert [r.outcome for r in results].count("confirmed") == 10
    assert [r.outcome for r in results].count("waiting") == 50
    assert [r.outcome for r in results].count("already") == 2  # people[2] again, people[5]
    async with sm() as session:
        rows = list(
            await session.scalars(
                select(Enrollment).where(Enrollment.session_id == ws.id).order_by(Enrollment.id)
            )
        )
    assert [r.status for r in rows] == ["confirmed"] * 10 + ["waiting"] * 50
    place = {r.id: n for n, r in enumerate([r for r in rows if r.status == "waiting"], 1)}
    for result in results:
        if result.enrollment.status == "waiting":
            assert result.position == place[result.enrollment.id]
    # An unknown or closed session: the active are told, the others take the usual path.
    [stale_pending, stale_active] = await sign_up_batch(
        deps, ws.id + 1000, [people[0].telegram_id or 0, people[3].telegram_id or 0]
    )
    assert stale_pending.lang is None and stale_active.problem == "stale"
    clock.advance(days=8)
    [closed_pending, closed_active] = await sign_up_batch(
        deps, ws.id, [people[0].telegram_id or 0, people[3].telegram_id or 0]
    )
    assert closed_pending.lang is None and closed_active.problem == "closed"


async def test_a_sign_up_makes_an_unreachable_person_reachable_again(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    """A press proves the person unblocked the bot: broadcasts reach them again."""
    sm = create_sessionmaker(engine)
    tapper, other = await make_people(sm, 2)
    async with sm.begin() as session:
        await session.execute(update(Person).values(unreachable_at=clock()))
    workshop = await make_workshop(sm)
    ws = await make_session(sm, workshop, clock() + timedelta(days=7))
    settings = Settings(_env_file=None, telegram_bot_token="1:x")  # type: ignore[call-arg]
    deps = Deps(settings, engine, sm, Translator("pl"), clock=clock)
    [outcome] = await sign_up_batch(deps, ws.id, [tapper.telegram_id or 0])
    assert outcome.result is not None and outcome.result.outcome == "confirmed"
    async with sm() as session:
        marks = dict((await session.execute(select(Person.id, Person.unreachable_at))).all())
    assert marks[tapper.id] is None and marks[other.id] is not None
