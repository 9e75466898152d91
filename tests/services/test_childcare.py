"""Childcare against a real database (SQLite and PostgreSQL): dependants and their ownership,
requests tied to workshop enrolments and consultations, the window with its margin, capacity
(peak overlap, held, promoted when room frees), decisions, cancellations through the booking
services, the roster, the daily roster queue and deleting one's data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.context import Deps
from bot.i18n import Translator
from bot.settings import Settings
from models import (
    AuditEvent,
    CareRequest,
    ConsultationBooking,
    Dependant,
    Enrollment,
    OutboxMessage,
    Person,
    Workshop,
    WorkshopSession,
)
from models.db import Sessionmaker
from services import childcare as cc
from services import consultations as c
from services import erasure, people, workshop_staff
from services import workshops as ws
from services.errors import AlreadyDecided, InvalidInput, NotAllowed, NotFound
from tests.conftest import FakeClock
from tests.factories import make_people, make_policy, make_workshop
from tests.services.test_consultations import (
    COORDINATOR_TID,
    POLICY,
    SPECIALIST_TID,
    add_hours,
    make_club,
    refer,
    slots_of,
)

WAW = ZoneInfo("Europe/Warsaw")
CARE = make_policy()
WS_POLICY = make_policy()
PARTNER_TID = 700
# Monday 1 March 2027, 10:00 in Wejherowo; the workshop is on Wednesday 3 March, 17:00-19:00.
START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
WEDNESDAY = date(2027, 3, 3)
ALL_DAY = (time(0), time(23, 59))


def local(day: date, clock: time) -> datetime:
    """A local (Wejherowo) wall time as an aware UTC datetime."""
    return datetime.combine(day, clock, tzinfo=WAW).astimezone(UTC)


@dataclass(frozen=True)
class World:
    """Staff, participants and one workshop session."""

    partner_id: int
    coordinator_id: int
    participants: list[Person]
    workshop: Workshop
    session: WorkshopSession


async def make_staff(sm: Sessionmaker, now: datetime) -> tuple[int, int]:
    """The childcare partner and a coordinator."""
    async with sm.begin() as s:
        partner = await people.add_staff(
            s, PARTNER_TID, "childcare_partner", "Dobrodziejki", "pl", now
        )
        coordinator = await people.add_staff(s, COORDINATOR_TID, "coordinator", "Ewa", "pl", now)
    return partner.id, coordinator.id


async def make_ws(
    sm: Sessionmaker, workshop: Workshop, starts_at: datetime, ends_at: datetime, seats: int = 10
) -> WorkshopSession:
    async with sm.begin() as s:
        session = WorkshopSession(
            workshop_id=workshop.id,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=seats,
            cancel_cutoff_hours=24,
        )
        s.add(session)
    return session


async def make_world(sm: Sessionmaker, clock: FakeClock, participants: int = 3) -> World:
    partner_id, coordinator_id = await make_staff(sm, clock())
    group = await make_people(sm, participants)
    workshop = await make_workshop(sm)
    session = await make_ws(sm, workshop, local(WEDNESDAY, time(17)), local(WEDNESDAY, time(19)))
    return World(partner_id, coordinator_id, group, workshop, session)


async def enroll(sm: Sessionmaker, person: Person, session_id: int, now: datetime) -> int:
    assert person.telegram_id is not None
    async with sm.begin() as s:
        result = await ws.enroll(s, person.id, person.telegram_id, session_id, now, WS_POLICY)
    return result.enrollment.id


async def add_child(
    sm: Sessionmaker,
    person_id: int,
    now: datetime,
    name: str = "Ola",
    birth_year: int = 2020,
    kind: str = "child",
    needs: str | None = None,
) -> Dependant:
    async with sm.begin() as s:
        return await cc.add_dependant(
            s,
            person_id=person_id,
            name=name,
            kind=kind,
            birth_year=birth_year,
            needs=needs,
            now=now,
        )


async def ask(
    sm: Sessionmaker,
    person_id: int,
    dependant_ids: list[int],
    now: datetime,
    *,
    enrollment_id: int | None = None,
    consultation_id: int | None = None,
) -> list[cc.CareResult]:
    async with sm.begin() as s:
        return await cc.request_care(
            s,
            person_id=person_id,
            dependant_ids=dependant_ids,
            enrollment_id=enrollment_id,
            consultation_id=consultation_id,
            now=now,
            policy=CARE,
        )


async def ask_for_child(
    sm: Sessionmaker, person: Person, session_id: int, now: datetime, birth_year: int = 2020
) -> cc.CareResult:
    """Enrol `person` in the session, register a child and ask care for it."""
    enrollment_id = await enroll(sm, person, session_id, now)
    child = await add_child(sm, person.id, now, birth_year=birth_year)
    [result] = await ask(sm, person.id, [child.id], now, enrollment_id=enrollment_id)
    return result


async def set_window(
    sm: Sessionmaker,
    now: datetime,
    max_dependants: int,
    *,
    weekday: int | None = None,
    hours: tuple[time, time] = ALL_DAY,
    min_age: int | None = None,
    max_age: int | None = None,
    window_id: int | None = None,
) -> None:
    async with sm.begin() as s:
        await cc.set_capacity_window(
            s,
            actor_tid=COORDINATOR_TID,
            weekday=weekday,
            start=hours[0],
            end=hours[1],
            max_dependants=max_dependants,
            min_age=min_age,
            max_age=max_age,
            window_id=window_id,
            now=now,
            policy=CARE,
        )


async def request(sm: Sessionmaker, request_id: int) -> CareRequest:
    async with sm() as s:
        found = await s.get(CareRequest, request_id)
        assert found is not None
        return found


async def outbox_rows(sm: Sessionmaker, kind: str) -> list[OutboxMessage]:
    async with sm() as s:
        return list(
            await s.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
            )
        )


async def decide(
    sm: Sessionmaker,
    request_id: int,
    now: datetime,
    approve: bool = True,
    reason: str | None = None,
    actor_tid: int = PARTNER_TID,
) -> cc.CareView:
    async with sm.begin() as s:
        return await cc.decide(
            s,
            actor_tid=actor_tid,
            request_id=request_id,
            approve=approve,
            reason=reason,
            now=now,
            policy=CARE,
        )


def req_id(result: cc.CareResult) -> int:
    assert result.request is not None
    return result.request.id


# --- dependants ----------------------------------------------------------------------------


async def test_dependants_are_added_changed_and_removed_by_their_owner_only(
    sessionmaker: Sessionmaker,
) -> None:
    clock = FakeClock(START)
    me, other = await make_people(sessionmaker, 2)
    ola = await add_child(sessionmaker, me.id, clock(), name="  Ola \n ", needs=" orzechy ")
    assert (ola.name, ola.kind, ola.birth_year, ola.needs) == ("Ola", "child", 2020, "orzechy")
    await add_child(
        sessionmaker, me.id, clock(), name="Babcia Zosia", kind="adult", birth_year=1940
    )
    async with sessionmaker.begin() as s:
        assert [d.name for d in await cc.dependants_of(s, me.id)] == ["Ola", "Babcia Zosia"]
        assert await cc.dependants_of(s, other.id) == []
        changed = await cc.update_dependant(
            s, person_id=me.id, dependant_id=ola.id, now=clock(), name="Olka", needs=""
        )
        assert (changed.name, changed.needs) == ("Olka", "")
        # Somebody else's id is reported exactly like a missing one, and nothing changes.
        with pytest.raises(NotFound):
            await cc.update_dependant(
                s, person_id=other.id, dependant_id=ola.id, now=clock(), name="Zła"
            )
        with pytest.raises(NotFound):
            await cc.remove_dependant(
                s, person_id=other.id, dependant_id=ola.id, now=clock(), policy=make_policy()
            )
        with pytest.raises(NotFound):
            await cc.remove_dependant(
                s, person_id=me.id, dependant_id=999_999, now=clock(), policy=make_policy()
            )
    async with sessionmaker() as s:
        stored = await s.get(Dependant, ola.id)
        assert stored is not None and stored.name == "Olka"
    async with sessionmaker.begin() as s:
        await cc.remove_dependant(
            s, person_id=me.id, dependant_id=ola.id, now=clock(), policy=make_policy()
        )
    async with sessionmaker() as s:
        assert [d.name for d in await cc.dependants_of(s, me.id)] == ["Babcia Zosia"]


@pytest.mark.parametrize(
    ("field", "value", "key"),
    [
        ("name", "", "care-name-invalid"),
        ("name", "x" * 61, "care-name-invalid"),
        ("name", "1234", "care-name-invalid"),
        ("name", "/start", "care-name-invalid"),
        ("kind", "cat", "care-kind-invalid"),
        ("birth_year", 2028, "care-birth-year-invalid"),
        ("birth_year", 2027 - 111, "care-birth-year-invalid"),
        ("needs", "x" * 301, "care-needs-invalid"),
    ],
)
async def test_dependant_values_are_checked(
    sessionmaker: Sessionmaker, field: str, value: object, key: str
) -> None:
    clock = FakeClock(START)
    [me] = await make_people(sessionmaker, 1)
    values: dict[str, object] = {"name": "Ola", "kind": "child", "birth_year": 2020, "needs": ""}
    values[field] = value
    with pytest.raises(InvalidInput) as refused:
        async with sessionmaker.begin() as s:
            await cc.add_dependant(s, person_id=me.id, now=clock(), **values)  # type: ignore[arg-type]
    assert refused.value.reason == key
    async with sessionmaker() as s:
        assert await cc.dependants_of(s, me.id) == []


# --- requests ------------------------------------------------------------------------------


async def test_request_with_a_workshop_enrolment(sessionmaker: Sessionmaker) -> None:
    clock = FakeClock(START)
    world = await make_world(sessionmaker, clock, participants=1)
    [me] = world.participants
    enrollment_id = await enroll(sessionmaker, me, world.session.id, clock())
    ola = await add_child(sessionmaker, me.id, clock())
    zosia = await add_child(
        sessionmaker, me.id, clock(), name="Zosia", kind="adult", birth_year=1950
    )
    results = await ask(
        sessionmaker, me.id, [ola.id, zosia.id], clock(), enrollment_id=enrollment_id
    )
    assert [(r.dependant_id, r.outcome) for r in results] == [
        (ola.id, "pending"),
        (zosia.id, "pending"),
    ]
    stored = await request(sessionmaker, req_id(results[0]))
    # The window follows the session (17:00-19:00) with 15 minutes before and after.
    assert stored.starts_at == local(WEDNESDAY, time(16, 45))
    assert stored.ends_at == local(WEDNESDAY, time(19, 15))
    assert stored.place == "KIS Śródmieście, Wejherowo"
    assert (stored.enrollment_id, stored.consultation_id) == (enrollment_id, None)
    asked = await outbox_rows(sessionmaker, cc.KIND_REQUESTED)
    assert sorted((m.chat_id, m.ref_id) for m in asked) == sorted(
        (PARTNER_TID, req_id(r)) for r in results
    )
    # A double tap finds the existing requests.
    again = await ask(sessionmaker, me.id, [ola.id], clock(), enrollment_id=enrollment_id)
    assert [(r.outcome, req_id(r)) for r in again] == [("already", req_id(results[0]))]
    async with sessionmaker() as s:
        mine = await cc.requests_of(s, me.id, now=clock())
    assert [(v.request.id, v.dependant and v.dependant.name) for v in mine] == [
        (req_id(results[0]), "Ola"),
        (req_id(results[1]), "Zosia"),
    ]
    assert mine[0].workshop is not None and mine[0].workshop.id == world.workshop.id
    assert mine[0].age == 7 and mine[1].age == 77


async def test_request_needs_ones_own_dependants_and_a_confirmed_future_seat(
    sessionmaker: Sessionmaker,
) -> None:
    clock = FakeClock(START)
    world = await make_world(sessionmaker, clock, participants=2)
    me, other = world.participants
    small = await make_ws(
        sessionmaker, world.workshop, local(WEDNESDAY, time(10)), local(WEDNESDAY, time(12)), 1
    )
    mine = await enroll(sessionmaker, me, world.session.id, clock())
    theirs = await enroll(sessionmaker, other, small.id, clock())
    waiting = await enroll(sessionmaker, me, small.id, clock())  # the only seat is taken
    ola = await add_child(sessionmaker, me.id, clock())
    their_child = await add_child(sessionmaker, other.id, clock(), name="Kuba")
    with pytest.raises(NotFound):  # somebody else's dependant
        await ask(sessionmaker, me.id, [ola.id, their_child.id], clock(), enrollment_id=mine)
    with pytest.raises(NotFound):  # somebody else's enrolment
        await ask(sessionmaker, me.id, [ola.id], clock(), enrollment_id=theirs)
    with pytest.raises(NotFound):
        await ask(sessionmaker, me.id, [ola.id], clock(), consultation_id=999_999)
    with pytest.raises(cc.BookingUnavailable):  # a waiting-list place
        await ask(sessionmaker, me.id, [ola.id], clock(), enrollment_id=waiting)
    with pytest.raises(InvalidInput):
        await ask(sessionmaker, me.id, [], clock(), enrollment_id=mine)
    clock.now = local(WEDNESDAY, time(17, 5))  # the session has started
    with pytest.raises(cc.BookingUnavailable):
        await ask(sessionmaker, me.id, [ola.id], clock(), enrollment_id=mine)
    async with sessionmaker() as s:
        assert list(await s.scalars(select(CareRequest))) == []


async def test_request_with_a_consultation_and_what_the_partner_sees(
    sessionmaker: Sessionmaker,
) -> None:
    clock = FakeClock(START)
    club = await make_club(sessionmaker, clock())
    await make_staff(sessionmaker, clock())
    await add_hours(sessionmaker, club.specialist_id, club.social, 2, time(10), time(12), clock())
    await add_hours(
        sessionmaker, club.specialist_id, club.psychologist, 3, time(10), time(12), clock()
    )
    [me] = await make_people(sessionmaker, 1)
    ola = await add_child(sessionmaker, me.id, clock(), needs="alergia na orzechy")
    social = (await slots_of(sessionmaker, club.social))[0]
    psych = (await slots_of(sessionmaker, club.psychologist))[0]
    await refer(sessionmaker, me.id, club.psychologist, clock())
    async with sessionmaker.begin() as s:
        social_booking = await c.book(
            s, person_id=me.id, slot_id=social.id, now=clock(), tz=WAW, policy=POLICY
        )
        psych_booking = await c.book(
            s, person_id=me.id, slot_id=psych.id, now=clock(), tz=WAW, policy=POLICY
        )
    [first] = await ask(
        sessionmaker, me.id, [ola.id], clock(), consultation_id=social_booking.booking.id
    )
    [second] = await ask(
        sessionmaker, me.id, [ola.id], clock(), consultation_id=psych_booking.booking.id
    )
    assert (first.outcome, second.outcome) == ("pending", "pending")
    stored = await request(sessionmaker, req_id(first))
    assert stored.starts_at == social.starts_at - timedelta(minutes=15)
    assert stored.ends_at == social.ends_at + timedelta(minutes=15)
    assert stored.place == "MOPS Wejherowo, pokój 11"
    assert (stored.enrollment_id, stored.consultation_id) == (None, social_booking.booking.id)
    async with sessionmaker() as s:
        for_partner = await cc.pending_requests(s, PARTNER_TID, now=clock())
        for_coordinator = await cc.pending_requests(s, COORDINATOR_TID, now=clock())
        with pytest.raises(NotAllowed):
            await cc.pending_requests(s, me.telegram_id or 0, now=clock())
        with pytest.raises(NotAllowed):
            await cc.pending_requests(s, SPECIALIST_TID, now=clock())
    # The partner needs the time and the place, never that it is a psychologist.
    assert [(v.request.id, v.service and v.service.slug) for v in for_partner] == [
        (req_id(first), "social"),
        (req_id(second), None),
    ]
    assert [v.service and v.service.slug for v in for_coordinator] == ["social", "psychologist"]
    assert for_partner[0].parent_name == "Uczestnik 0"


# --- capacity ------------------------------------------------------------------------------


async def test_over_capacity_is_held_and_promoted_when_room_frees(
    sessionmaker: Sessionmaker,
) -> None:
    clock = FakeClock(START)
    world = await make_world(sessionmaker, clock, participants=4)
    await set_window(sessionmaker, clock(), 2)
    p1, p2, p3, p4 = world.participants
    r1 = await ask_for_child(sessionmaker, p1, world.session.id, clock())
    r2 = await ask_for_child(sessionmaker, p2, world.session.id, clock())
    r3 = await ask_for_child(sessionmaker, p3, world.session.id, clock())
    assert (r1.outcome, r2.outcome) == ("pending", "pending")
    assert (r3.outcome, r3.reason, r3.capacity) == ("held", "care-held-full", 2)
    # A held request waits silently: the partner is asked only about pending ones.
    assert {m.ref_id for m in await outbox_rows(sessionmaker, cc.KIND_REQUESTED)} == {
        req_id(r1),
        req_id(r2),
    }
    # p1 cancels the care (the seat stays): p3 moves up and is told.
    async with sessionmaker.begin() as s:
        view = await cc.cancel_request(
            s, person_id=p1.id, request_id=req_id(r1), now=clock(), policy=CARE
        )
    assert view.request.status == "cancelled"
    assert (await request(sessionmaker, req_id(r3))).status == "pending"
    [unheld] = await outbox_rows(sessionmaker, cc.KIND_UNHELD)
    assert (unheld.chat_id, unheld.ref_id) == (p3.telegram_id, req_id(r3))
    [cancelled] = await outbox_rows(sessionmaker, cc.KIND_CANCELLED)
    assert (cancelled.chat_id, cancelled.ref_id) == (PARTNER_TID, req_id(r1))
    assert req_id(r3) in {m.ref_id for m in await outbox_rows(sessionmaker, cc.KIND_REQUESTED)}
    async with sessionmaker() as s:
        seat = await s.scalar(select(Enrollment).where(Enrollment.person_id == p1.id))
    assert seat is not None and seat.status == "confirmed"
    # Cancelling twice, or somebody else's request: refused, nothing changes.
    async with sessionmaker.begin() as s:
        with pytest.raises(cc.CareClosed):
            await cc.cancel_request(
                s, person_id=p1.id, request_id=req_id(r1), now=clock(), policy=make_policy()
            )
        with pytest.raises(NotFound):
            await cc.cancel_request(
                s, person_id=p4.id, request_id=req_id(r2), now=clock(), policy=make_policy()
            )
    # Full again (p2, p3); p4 is held; a decline frees the place for p4.
    r4 = await ask_for_child(sessionmaker, p4, world.session.id, clock())
    assert r4.outcome == "held"
    await decide(sessionmaker, req_id(r2), clock(), approve=False, reason="Brak opiekunki")
    assert (await request(sessionmaker, req_id(r4))).status == "pending"
    # Raising the capacity offers room at once, too.
    p5 = (await make_people(sessionmaker, 1, first_id=20_000))[0]
    r5 = await ask_for_child(sessionmaker, p5, world.session.id, clock())
    assert r5.outcome == "held"
    async with sessionmaker() as s:
        [window] = await cc.capacity_windows(s, PARTNER_TID)
    await set_window(sessionmaker, clock(), 3, window_id=window.id)
    assert (await request(sessionmaker, req_id(r5))).status == "pending"


async def test_capacity_counts_the_peak_overlap_not_every_overlapping_request(
    sessionmaker: Sessionmaker,
) -> None:
    clock = FakeClock(START)
    world = await make_world(sessionmaker, clock, participants=4)
    await set_window(sessionmaker, clock(), 2)
    early = await make_ws(
        sessionmaker, world.workshop, local(WEDNESDAY, time(9)), local(WEDNESDAY, time(10))
    )
    late = await make_ws(
        sessionmaker, world.workshop, local(WEDNESDAY, time(11)), local(WEDNESDAY, time(12))
    )
    long = await make_ws(
        sessionmaker, world.workshop, local(WEDNESDAY, time(9, 30)), local(WEDNESDAY, time(11, 30))
    )
    a, b, c1, c2 = world.participants
    assert (await ask_for_child(sessionmaker, a, early.id, clock())).outcome == "pending"
    assert (await ask_for_child(sessionmaker, b, late.id, clock())).outcome == "pending"
    # 9:15-11:45 overlaps both, but never both at once: one place is taken at the peak.
    assert (await ask_for_child(sessionmaker, c1, long.id, clock())).outcome == "pending"
    # Now 9:30-10:15 has two children (early + long): the next one does not fit.
    held = await ask_for_child(sessionmaker, c2, long.id, clock())
    assert (held.outcome, held.capacity) == ("held", 2)


async def test_age_limits_and_hours_without_care_refuse_with_a_reason(
    sessionmaker: Sessionmaker,
) -> None:
    clock = FakeClock(START)
    world = await make_world(sessionmaker, clock, participants=1)
    [me] = world.participants
    # No care on any day, except Wednesdays 16:00-20:00 for children of 3 to 10.
    await set_window(sessionmaker, clock(), 0)
    await set_window(
        sessionmaker, clock(), 5, weekday=2, hours=(time(16), time(20)), min_age=3, max_age=10
    )
    enrollment_id = await enroll(sessionmaker, me, world.session.id, clock())
    baby = await add_child(sessionmaker, me.id, clock(), name="Staś", birth_year=2025)
    teen = await add_child(sessionmaker, me.id, clock(), name="Kuba", birth_year=2010)
    ola = await add_child(sessionmaker, me.id, clock(), name="Ola", birth_year=2020)
    results = await ask(
        sessionmaker, me.id, [baby.id, teen.id, ola.id], clock(), enrollment_id=enrollment_id
    )
    assert [(r.outcome, r.reason) for r in results] == [
        ("refused", "care-too-young"),
        ("refused", "care-too-old"),
        ("pending", None),
    ]
    thursday = await make_ws(
        sessionmaker,
        world.workshop,
        local(WEDNESDAY + timedelta(days=1), time(17)),
        local(WEDNESDAY + timedelta(days=1), time(19)),
    )
    other = await enroll(sessionmaker, me, thursday.id, clock())
    [closed] = await ask(sessionmaker, me.id, [ola.id], clock(), enrollment_id=other)
    assert (closed.outcome, closed.reason, closed.request) == (
        "refused",
        "care-no-care-then",
        None,
    )
    async with sessionmaker() as s:
        assert len(list(await s.scalars(select(CareRequest)))) == 1
        with pytest.raises(NotAllowed):
            await cc.capacity_windows(s, me.telegram_id or 0)
        assert len(await cc.capacity_windows(s, PARTNER_TID)) == 2
    with pytest.raises(InvalidInput):
        await set_window(sessionmaker, clock(), 3, hours=(time(12), time(10)))
    with pytest.raises(InvalidInput):
        await set_window(sessionmaker, clock(), 3, min_age=10, max_age=3)


# --- decisions -----------------------------------------------------------------------------


async def test_approve_decline_and_the_first_decision_wins(sessionmaker: Sessionmaker) -> None:
    clock = FakeClock(START)
    world = await make_world(sessionmaker, clock, participants=2)
    p1, p2 = world.participants
    async with sessionmaker.begin() as s:
        await people.add_staff(s, SPECIALIST_TID, "specialist", "Anna", "pl", clock())
    r1 = await ask_for_child(sessionmaker, p1, world.session.id, clock())
    r2 = await ask_for_child(sessionmaker, p2, world.session.id, clock())
    for tid in (p1.telegram_id or 0, SPECIALIST_TID):
        with pytest.raises(NotAllowed):
            await decide(sessionmaker, req_id(r1), clock(), actor_tid=tid)
    with pytest.raises(NotFound):
        await decide(sessionmaker, 999_999, clock())
    view = await decide(sessionmaker, req_id(r1), clock())
    assert (view.request.status, view.request.decided_by_id) == ("approved", world.partner_id)
    with pytest.raises(AlreadyDecided):
        await decide(sessionmaker, req_id(r1), clock(), approve=False, actor_tid=COORDINATOR_TID)
    for reason in (None, "   ", "x" * 201):
        with pytest.raises(InvalidInput) as refused:
            await decide(sessionmaker, req_id(r2), clock(), approve=False, reason=reason)
        assert refused.value.reason == "care-reason-invalid"
    declined = await decide(
        sessionmaker,
        req_id(r2),
        clock(),
        approve=False,
        reason=" Brak miejsc   dla niemowląt ",
        actor_tid=COORDINATOR_TID,
    )
    assert declined.request.status == "declined"
    assert declined.request.decline_reason == "Brak miejsc dla niemowląt"
    assert declined.request.decided_by_id == world.coordinator_id
    told = await outbox_rows(sessionmaker, cc.KIND_DECIDED)
    assert [(m.chat_id, m.ref_id, m.payload) for m in told] == [
        (p1.telegram_id, req_id(r1), {"approved": True}),
        (p2.telegram_id, req_id(r2), {"approved": False}),
    ]
    async with sessionmaker() as s:
        actions = [
            (a.action, a.target_id)
            for a in await s.scalars(
                select(AuditEvent).where(AuditEvent.target_type == "care_request")
            )
        ]
    assert actions == [("care.approve", req_id(r1)), ("care.decline", req_id(r2))]
    # A decided request cannot be cancelled twice by the decision path; the participant may
    # still cancel an approved one.
    async with sessionmaker.begin() as s:
        with pytest.raises(cc.CareClosed):
            await cc.cancel_request(
                s, person_id=p2.id, request_id=req_id(r2), now=clock(), policy=make_policy()
            )
        await cc.cancel_request(
            s, person_id=p1.id, request_id=req_id(r1), now=clock(), policy=make_policy()
        )


# --- bookings ending -----------------------------------------------------------------------


async def test_cancelling_a_workshop_seat_cancels_care_and_tells_the_partner(
    sessionmaker: Sessionmaker,
) -> None:
    clock = FakeClock(START)
    world = await make_world(sessionmaker, clock, participants=3)
    await set_window(sessionmaker, clock(), 1)
    p1, p2, p3 = world.participants
    r1 = await ask_for_child(sessionmaker, p1, world.session.id, clock())
    r2 = await ask_for_child(sessionmaker, p2, world.session.id, clock())
    assert (r1.outcome, r2.outcome) == ("pending", "held")
    await decide(sessionmaker, req_id(r1), clock())
    assert r1.request is not None and r1.request.enrollment_id is not None
    async with sessionmaker.begin() as s:
        await ws.cancel_enrollment(s, p1.id, r1.request.enrollment_id, clock(), WS_POLICY)
    assert (await request(sessionmaker, req_id(r1))).status == "cancelled"
    [told] = await outbox_rows(sessionmaker, cc.KIND_CANCELLED)
    assert (told.chat_id, told.ref_id) == (PARTNER_TID, req_id(r1))
    # The freed place went to the held request, in the same transaction.
    assert (await request(sessionmaker, req_id(r2))).status == "pending"
    assert [m.ref_id for m in await outbox_rows(sessionmaker, cc.KIND_UNHELD)] == [req_id(r2)]
    # Staff cancel the session: every remaining request goes with it.
    r3 = await ask_for_child(sessionmaker, p3, world.session.id, clock())
    assert r3.outcome == "held"
    async with sessionmaker.begin() as s:
        await workshop_staff.cancel_session(s, COORDINATOR_TID, world.session.id, clock(), CARE)
    assert (await request(sessionmaker, req_id(r2))).status == "cancelled"
    assert (await request(sessionmaker, req_id(r3))).status == "cancelled"
    # The partner hears about the pending one; the held one never reached them.
    assert [m.ref_id for m in await outbox_rows(sessionmaker, cc.KIND_CANCELLED)] == [
        req_id(r1),
        req_id(r2),
    ]


async def test_consultation_cancelled_or_moved_takes_the_care_along(
    sessionmaker: Sessionmaker,
) -> None:
    clock = FakeClock(START)
    club = await make_club(sessionmaker, clock())
    await make_staff(sessionmaker, clock())
    await add_hours(sessionmaker, club.specialist_id, club.social, 2, time(10), time(12), clock())
    slots = await slots_of(sessionmaker, club.social)
    [me] = await make_people(sessionmaker, 1)
    ola = await add_child(sessionmaker, me.id, clock())
    async with sessionmaker.begin() as s:
        booking = (
            await c.book(
                s, person_id=me.id, slot_id=slots[0].id, now=clock(), tz=WAW, policy=POLICY
            )
        ).booking
    [result] = await ask(sessionmaker, me.id, [ola.id], clock(), consultation_id=booking.id)
    await decide(sessionmaker, req_id(result), clock())
    # Moved to the next slot: the window follows and the partner is asked again.
    async with sessionmaker.begin() as s:
        await c.reschedule(
            s,
            person_id=me.id,
            booking_id=booking.id,
            new_slot_id=slots[1].id,
            now=clock(),
            tz=WAW,
            policy=POLICY,
        )
    moved = await request(sessionmaker, req_id(result))
    assert moved.status == "pending"
    assert moved.starts_at == slots[1].starts_at - timedelta(minutes=15)
    assert moved.ends_at == slots[1].ends_at + timedelta(minutes=15)
    asked = await outbox_rows(sessionmaker, cc.KIND_REQUESTED)
    assert asked[-1].payload == {
        "moved_from": (slots[0].starts_at - timedelta(minutes=15)).isoformat()
    }
    # Cancelling the care keeps the booking.
    async with sessionmaker.begin() as s:
        await cc.cancel_request(
            s, person_id=me.id, request_id=req_id(result), now=clock(), policy=make_policy()
        )
        kept = await s.get(ConsultationBooking, booking.id, populate_existing=True)
        assert kept is not None and kept.status == "booked"
    [again] = await ask(sessionmaker, me.id, [ola.id], clock(), consultation_id=booking.id)
    assert again.outcome == "pending" and req_id(again) != req_id(result)
    # Cancelling the booking cancels the care and tells the partner.
    async with sessionmaker.begin() as s:
        await c.cancel_booking(
            s, person_id=me.id, booking_id=booking.id, now=clock(), policy=POLICY
        )
    assert (await request(sessionmaker, req_id(again))).status == "cancelled"
    assert [m.ref_id for m in await outbox_rows(sessionmaker, cc.KIND_CANCELLED)] == [
        req_id(result),
        req_id(again),
    ]


# --- roster --------------------------------------------------------------------------------


async def test_roster_lists_the_days_approved_care_for_staff_only(
    sessionmaker: Sessionmaker,
) -> None:
    clock = FakeClock(START)
    world = await make_world(sessionmaker, clock, participants=3)
    p1, p2, p3 = world.participants
    async with sessionmaker.begin() as s:
        await people.add_staff(s, SPECIALIST_TID, "specialist", "Anna", "pl", clock())
    early = await make_ws(
        sessionmaker, world.workshop, local(WEDNESDAY, time(9)), local(WEDNESDAY, time(11))
    )
    e1 = await enroll(sessionmaker, p1, world.session.id, clock())
    e2 = await enroll(sessionmaker, p2, early.id, clock())
    e3 = await enroll(sessionmaker, p3, early.id, clock())
    ola = await add_child(sessionmaker, p1.id, clock(), needs="alergia na orzechy")
    zosia = await add_child(
        sessionmaker, p2.id, clock(), name="Zosia", kind="adult", birth_year=1950, needs="wózek"
    )
    kuba = await add_child(sessionmaker, p3.id, clock(), name="Kuba")
    [r1] = await ask(sessionmaker, p1.id, [ola.id], clock(), enrollment_id=e1)
    [r2] = await ask(sessionmaker, p2.id, [zosia.id], clock(), enrollment_id=e2)
    await ask(sessionmaker, p3.id, [kuba.id], clock(), enrollment_id=e3)  # stays pending
    await decide(sessionmaker, req_id(r1), clock())
    await decide(sessionmaker, req_id(r2), clock(), actor_tid=COORDINATOR_TID)
    async with sessionmaker() as s:
        entries = await cc.roster(s, PARTNER_TID, WEDNESDAY, WAW)
        assert await cc.roster(s, COORDINATOR_TID, WEDNESDAY, WAW) == entries
        assert await cc.roster(s, PARTNER_TID, WEDNESDAY + timedelta(days=1), WAW) == []
        for tid in (p1.telegram_id or 0, SPECIALIST_TID, 123_456):
            with pytest.raises(NotAllowed):
                await cc.roster(s, tid, WEDNESDAY, WAW)
    assert [
        (
            e.local_start,
            e.local_end,
            e.dependant_name,
            e.kind,
            e.age,
            e.needs,
            e.place,
            e.parent_name,
        )
        for e in entries
    ] == [
        (
            time(8, 45),
            time(11, 15),
            "Zosia",
            "adult",
            77,
            "wózek",
            "KIS Śródmieście, Wejherowo",
            "Uczestnik 1",
        ),
        (
            time(16, 45),
            time(19, 15),
            "Ola",
            "child",
            7,
            "alergia na orzechy",
            "KIS Śródmieście, Wejherowo",
            "Uczestnik 0",
        ),
    ]


async def test_daily_roster_is_queued_once_per_partner_and_day(
    sessionmaker: Sessionmaker,
) -> None:
    clock = FakeClock(START)
    world = await make_world(sessionmaker, clock, participants=1)
    async with sessionmaker.begin() as s:
        await people.add_staff(s, PARTNER_TID + 1, "childcare_partner", "Marta", "pl", clock())
        s.add(
            Person(
                telegram_id=PARTNER_TID + 2,
                role="childcare_partner",
                status="deactivated",
                language="pl",
                display_name="Była",
                source="staff",
            )
        )
    r = await ask_for_child(sessionmaker, world.participants[0], world.session.id, clock())
    await decide(sessionmaker, req_id(r), clock())
    clock.now = local(WEDNESDAY, time(7, 30))
    async with sessionmaker.begin() as s:
        # Nothing on Tuesday: no roster queued.
        assert (
            await cc.enqueue_daily_roster(s, now=clock(), tz=WAW, day=WEDNESDAY - timedelta(days=1))
            == 0
        )
        assert await cc.enqueue_daily_roster(s, now=clock(), tz=WAW) == 2
    async with sessionmaker.begin() as s:
        assert await cc.enqueue_daily_roster(s, now=clock(), tz=WAW) == 0
    rows = await outbox_rows(sessionmaker, cc.KIND_ROSTER)
    assert sorted(m.chat_id for m in rows) == [PARTNER_TID, PARTNER_TID + 1]
    assert {(m.ref_id, m.payload["day"]) for m in rows} == {(20270303, "2027-03-03")}
    assert all(m.expires_at == local(WEDNESDAY + timedelta(days=1), time(0)) for m in rows)


# --- deleting one's data -------------------------------------------------------------------


async def test_deleting_ones_data_deletes_the_dependants(sessionmaker: Sessionmaker) -> None:
    clock = FakeClock(START)
    world = await make_world(sessionmaker, clock, participants=2)
    me, other = world.participants
    r = await ask_for_child(sessionmaker, me, world.session.id, clock())
    await add_child(sessionmaker, me.id, clock(), name="Zosia", kind="adult", birth_year=1950)
    theirs = await add_child(sessionmaker, other.id, clock(), name="Kuba")
    await decide(sessionmaker, req_id(r), clock(), approve=False, reason="Brak miejsc")
    r2 = await ask(
        sessionmaker,
        me.id,
        [(await add_child(sessionmaker, me.id, clock(), name="Ala")).id],
        clock(),
        enrollment_id=(await request(sessionmaker, req_id(r))).enrollment_id,
    )
    # "Delete my data": bookings end, dependants are deleted, the person is anonymised.
    async with sessionmaker.begin() as s:
        await erasure.erase_my_data(s, me.id, clock(), WS_POLICY)
    async with sessionmaker() as s:
        assert await cc.dependants_of(s, me.id) == []
        assert [d.id for d in await cc.dependants_of(s, other.id)] == [theirs.id]
        stored = list(
            await s.scalars(
                select(CareRequest).where(CareRequest.person_id == me.id).order_by(CareRequest.id)
            )
        )
    assert [(x.status, x.dependant_id, x.decline_reason) for x in stored] == [
        ("declined", None, None),
        ("cancelled", None, None),
    ]
    assert [m.ref_id for m in await outbox_rows(sessionmaker, cc.KIND_CANCELLED)] == [req_id(r2[0])]


async def test_erasing_ones_data_cancels_active_care(sessionmaker: Sessionmaker) -> None:
    clock = FakeClock(START)
    world = await make_world(sessionmaker, clock, participants=1)
    [me] = world.participants
    r = await ask_for_child(sessionmaker, me, world.session.id, clock())
    async with sessionmaker.begin() as s:
        await erasure.erase_my_data(s, me.id, clock(), WS_POLICY)
    stored = await request(sessionmaker, req_id(r))
    assert (stored.status, stored.dependant_id) == ("cancelled", None)


# --- the policy belongs to the application, not to the module --------------------------------


async def test_two_applications_in_one_process_each_apply_their_own_care_capacity(
    engine: AsyncEngine, sessionmaker: Sessionmaker
) -> None:
    """Two sets of dependencies (two bots, a bot and the CLI, two tests) in one process: each
    applies the care capacity of its own settings. With a module-global policy the one built
    last decided for both."""
    clock = FakeClock(START)
    world = await make_world(sessionmaker, clock, participants=3)
    one_place = Deps(
        settings=Settings(KISBOT_CARE_CAPACITY=1),
        engine=engine,
        sessionmaker=sessionmaker,
        i18n=Translator("pl"),
    )
    two_places = Deps(
        settings=Settings(KISBOT_CARE_CAPACITY=2),
        engine=engine,
        sessionmaker=sessionmaker,
        i18n=Translator("pl"),
    )
    assert (one_place.policy.care_capacity, two_places.policy.care_capacity) == (1, 2)

    async def ask_with(deps: Deps, person: Person) -> str:
        enrollment_id = await enroll(sessionmaker, person, world.session.id, clock())
        child = await add_child(sessionmaker, person.id, clock())
        async with deps.transaction() as s:
            [result] = await cc.request_care(
                s,
                person_id=person.id,
                dependant_ids=[child.id],
                enrollment_id=enrollment_id,
                now=clock(),
                policy=deps.policy,
            )
        return result.outcome

    first, second, third = world.participants
    assert await ask_with(one_place, first) == "pending"
    assert await ask_with(one_place, second) == "held"  # one place, taken
    assert await ask_with(two_places, third) == "pending"  # two places: the second is free
