"""Workshop rules against a real database: offers, deadlines, expiry, withdrawal, capacity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from models import Enrollment, OutboxMessage, WorkshopSession
from models.db import Sessionmaker
from services import workshop_staff, workshops
from services.errors import InvalidInput, NotFound
from tests.conftest import FakeClock
from tests.factories import make_people, make_policy, make_session, make_workshop

WAW = ZoneInfo("Europe/Warsaw")
POLICY = make_policy(reminder_hours=(24, 2))


def test_offer_deadline_is_shorter_when_the_session_is_near() -> None:
    # Without quiet hours: this is about the window's length (quiet hours: test_reminder_time).
    policy = make_policy(quiet=None)
    now = datetime(2027, 3, 1, 12, tzinfo=UTC)
    far = policy.offer_deadline(now, now + timedelta(days=7))
    assert far - now == timedelta(hours=12)
    near = policy.offer_deadline(now, now + timedelta(hours=8))
    assert near - now == timedelta(hours=2)  # a quarter of the time left
    very_near = policy.offer_deadline(now, now + timedelta(minutes=40))
    assert very_near - now == timedelta(minutes=30)  # never under the minimum...
    almost = policy.offer_deadline(now, now + timedelta(minutes=10))
    assert almost == now + timedelta(minutes=10)  # ...and never past the start


async def _enroll(sm: Sessionmaker, person_id: int, chat: int, sid: int, now: datetime) -> str:
    async with sm.begin() as s:
        return (await workshops.enroll(s, person_id, chat, sid, now, POLICY)).outcome


async def _statuses(sm: Sessionmaker, sid: int) -> list[str]:
    async with sm() as s:
        return list(
            await s.scalars(
                select(Enrollment.status)
                .where(Enrollment.session_id == sid)
                .order_by(Enrollment.id)
            )
        )


async def test_reminders_follow_the_configured_offsets(
    sessionmaker: Sessionmaker, clock: FakeClock
) -> None:
    # Pinned to daytime: with the real clock a reminder could fall in quiet hours and move.
    clock.now = datetime(2027, 3, 1, 12, 0, tzinfo=WAW).astimezone(UTC)
    [p] = await make_people(sessionmaker, 1)
    w = await make_workshop(sessionmaker)
    ws = await make_session(sessionmaker, w, clock() + timedelta(days=3))  # Thursday 12:00
    await _enroll(sessionmaker, p.id, 10_000, ws.id, clock())
    async with sessionmaker() as s:
        due = sorted(r.due_at for r in await s.scalars(select(OutboxMessage)))
    assert due == [ws.starts_at - timedelta(hours=24), ws.starts_at - timedelta(hours=2)]


async def test_a_reminder_in_quiet_hours_is_stored_for_the_evening_before(
    sessionmaker: Sessionmaker, clock: FakeClock
) -> None:
    clock.now = datetime(2027, 3, 1, 12, 0, tzinfo=WAW).astimezone(UTC)
    [p] = await make_people(sessionmaker, 1)
    w = await make_workshop(sessionmaker)
    starts = datetime(2027, 3, 4, 8, 30, tzinfo=WAW)  # the 2 h reminder would be at 06:30
    ws = await make_session(sessionmaker, w, starts.astimezone(UTC))
    await _enroll(sessionmaker, p.id, 10_000, ws.id, clock())
    async with sessionmaker() as s:
        due = sorted(r.due_at for r in await s.scalars(select(OutboxMessage)))
    assert due == [
        datetime(2027, 3, 3, 8, 30, tzinfo=WAW),  # 24 h: 08:30 the day before
        datetime(2027, 3, 3, 20, 59, tzinfo=WAW),  # 2 h: 06:30 is quiet → 20:59 the evening before
    ]


async def test_batched_sign_ups_plan_reminders_the_same_way(
    sessionmaker: Sessionmaker, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 3, 20, 12, 0, tzinfo=WAW).astimezone(UTC)
    people = await make_people(sessionmaker, 2)
    w = await make_workshop(sessionmaker)
    # Sunday 29 March 2026, the spring clock change: 24 h before 10:00 is Saturday 10:00 CET.
    starts = datetime(2026, 3, 29, 10, 0, tzinfo=WAW)
    ws = await make_session(sessionmaker, w, starts.astimezone(UTC), capacity=5)
    sign_ups = [workshops.SignUp(p.id, p.telegram_id or 0) for p in people]
    async with sessionmaker.begin() as s:
        await workshops.enroll_many(s, ws.id, sign_ups, clock(), POLICY)
    async with sessionmaker() as s:
        due = sorted(r.due_at for r in await s.scalars(select(OutboxMessage)))
    saturday = datetime(2026, 3, 28, 10, 0, tzinfo=WAW)
    sunday_early = datetime(2026, 3, 29, 8, 0, tzinfo=WAW)  # 2 h before: 08:00 is not quiet
    assert due == [saturday, saturday, sunday_early, sunday_early]


async def test_an_afternoon_offer_is_stored_with_a_deadline_of_eight(
    sessionmaker: Sessionmaker, clock: FakeClock
) -> None:
    clock.now = datetime(2027, 3, 1, 14, 15, tzinfo=WAW).astimezone(UTC)
    a, b = await make_people(sessionmaker, 2)
    w = await make_workshop(sessionmaker)
    starts = datetime(2027, 3, 8, 18, 0, tzinfo=WAW)
    ws = await make_session(sessionmaker, w, starts.astimezone(UTC), capacity=1)
    for p in (a, b):
        await _enroll(sessionmaker, p.id, p.telegram_id or 0, ws.id, clock())
    async with sessionmaker.begin() as s:
        first = await s.scalar(select(Enrollment).where(Enrollment.person_id == a.id))
        assert first is not None
        await workshops.cancel_enrollment(s, a.id, first.id, clock(), POLICY)
    eight = datetime(2027, 3, 2, 8, 0, tzinfo=WAW)  # not 02:15 (14:15 + 12 h)
    async with sessionmaker() as s:
        offered = await s.scalar(select(Enrollment).where(Enrollment.person_id == b.id))
        offer = await s.scalar(select(OutboxMessage).where(OutboxMessage.kind == "ws_offer"))
    assert offered is not None and offered.status == "offered"
    assert offered.offer_expires_at == eight
    assert offer is not None and offer.expires_at == eight
    clock.now = eight.astimezone(UTC) - timedelta(minutes=1)  # 07:59: still offered
    async with sessionmaker.begin() as s:
        assert await workshops.expire_offers(s, clock(), POLICY) == 0
    clock.now = eight.astimezone(UTC)
    async with sessionmaker.begin() as s:
        assert await workshops.expire_offers(s, clock(), POLICY) == 1


async def test_offers_stop_when_the_session_starts(
    sessionmaker: Sessionmaker, clock: FakeClock
) -> None:
    people = await make_people(sessionmaker, 3)
    w = await make_workshop(sessionmaker)
    ws = await make_session(sessionmaker, w, clock() + timedelta(hours=30), capacity=1)
    for p in people:
        await _enroll(sessionmaker, p.id, p.telegram_id or 0, ws.id, clock())
    async with sessionmaker.begin() as s:
        first = await s.scalar(select(Enrollment).where(Enrollment.status == "confirmed"))
        assert first is not None
        await workshops.cancel_enrollment(s, first.person_id, first.id, clock(), POLICY)
    assert await _statuses(sessionmaker, ws.id) == ["cancelled", "offered", "waiting"]
    clock.advance(hours=31)  # the session has started: nobody is offered anything any more
    async with sessionmaker.begin() as s:
        ended = await workshops.expire_offers(s, clock(), POLICY)
    assert ended == 2
    assert await _statuses(sessionmaker, ws.id) == ["cancelled", "expired", "expired"]
    async with sessionmaker() as s:
        offers = list(
            await s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "ws_offer"))
        )
    assert len(offers) == 1  # the third person was never offered a seat after the start


async def test_deleting_data_frees_the_seat_for_the_next_person(
    sessionmaker: Sessionmaker, clock: FakeClock
) -> None:
    people = await make_people(sessionmaker, 2)
    w = await make_workshop(sessionmaker)
    ws = await make_session(sessionmaker, w, clock() + timedelta(hours=5), capacity=1)
    for p in people:
        await _enroll(sessionmaker, p.id, p.telegram_id or 0, ws.id, clock())
    async with sessionmaker.begin() as s:
        # Inside the cut-off: a normal cancel would be refused, withdrawal is not.
        assert await workshops.withdraw_person(s, people[0].id, clock(), POLICY) == 1
    assert await _statuses(sessionmaker, ws.id) == ["cancelled", "offered"]


async def test_capacity_cannot_drop_below_taken_seats(
    sessionmaker: Sessionmaker, clock: FakeClock
) -> None:
    from services import people as people_service

    async with sessionmaker.begin() as s:
        await people_service.add_staff(s, 900, "coordinator", "Ewa", "pl", clock())
    people = await make_people(sessionmaker, 3)
    w = await make_workshop(sessionmaker)
    ws = await make_session(sessionmaker, w, clock() + timedelta(days=2), capacity=3)
    for p in people:
        await _enroll(sessionmaker, p.id, p.telegram_id or 0, ws.id, clock())
    with pytest.raises(InvalidInput):
        async with sessionmaker.begin() as s:
            await workshop_staff.change_capacity(s, 900, ws.id, 2, clock(), POLICY)
    async with sessionmaker() as s:
        stored = await s.get(WorkshopSession, ws.id)
    assert stored is not None and stored.capacity == 3


async def test_someone_elses_enrolment_is_not_found(
    sessionmaker: Sessionmaker, clock: FakeClock
) -> None:
    a, b = await make_people(sessionmaker, 2)
    w = await make_workshop(sessionmaker)
    ws = await make_session(sessionmaker, w, clock() + timedelta(days=2))
    await _enroll(sessionmaker, a.id, a.telegram_id or 0, ws.id, clock())
    async with sessionmaker() as s:
        enrollment_id = await s.scalar(select(Enrollment.id))
    assert enrollment_id is not None
    for call in (workshops.cancel_enrollment, workshops.take_offer, workshops.pass_offer):
        with pytest.raises(NotFound):
            async with sessionmaker.begin() as s:
                await call(s, b.id, enrollment_id, clock(), POLICY)
    assert await _statuses(sessionmaker, ws.id) == ["confirmed"]
