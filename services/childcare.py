"""Childcare: participants' dependants, care requests tied to a booking, the partner's capacity,
decisions, the daily roster.

A care request covers one dependant during one booking: a confirmed workshop enrolment or a
booked consultation, both in the future. Its window is the booking's start minus the margin to
its end plus the margin (`Policy.care_margin_minutes`, KISBOT_CARE_MARGIN_MINUTES).

Capacity (`care_capacity` rows, local time, a weekday's own rows taking precedence over the
every-day ones; KISBOT_CARE_CAPACITY where no row covers a moment) is checked as the *peak
overlap*: the window is cut at every start and end of the overlapping requests and capacity
rows, and in every piece the pending + approved requests present there, plus the new one, must
fit the capacity of that piece. A request that does not fit is `held` (never silently
refused); one outside a window's age limits, or in a window with capacity 0, is refused.

Races: every change that can alter how many places are taken on a local day first locks that
day's `care_day` row (INSERT ... ON CONFLICT DO NOTHING, then SELECT ... FOR UPDATE on
PostgreSQL; on SQLite every transaction already holds the write lock from BEGIN IMMEDIATE), in
date order, after the booking's own lock (workshop session or consultation slot) when there is
one: the order the booking services use, so nothing waits in a circle. Two requests racing for
the last place are thereby decided one after the other.

Freed room (a pending or approved request cancelled or declined, a capacity window changed) is
offered again in the same transaction: the oldest held requests that now fit become `pending`
(the partner still decides) and the participant is told (`care_unheld`).

Outbox kinds (ref_id = the request id unless said otherwise):
- `care_requested` to every active childcare partner: a new pending request to decide (also
  after a promotion; payload `{"moved_from": ISO}` when a rescheduled consultation moved it);
- `care_decided` to the participant, payload `{"approved": bool}`;
- `care_cancelled` to every active childcare partner: a pending or approved request was
  cancelled (by the participant, or because its booking ended);
- `care_unheld` to the participant: a held request got a place and waits for the decision;
- `care_roster` to every active childcare partner, ref_id YYYYMMDD, payload `{"day": ISO}`.

A participant acts only on their own dependants and requests: somebody else's id is
`NotFound`, exactly like a missing one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    ACTIVE_CARE,
    COUNTED_CARE,
    CareCapacity,
    CareDay,
    CareRequest,
    CareStatus,
    ConsultationBooking,
    ConsultationStatus,
    Dependant,
    DependantKind,
    Enrollment,
    EnrollmentStatus,
    OutboxMessage,
    Person,
    PersonStatus,
    Role,
    ServiceType,
    SessionStatus,
    Slot,
    Workshop,
    WorkshopSession,
)
from models.db import rowcount
from services import audit, outbox, people
from services.errors import AlreadyDecided, DomainError, InvalidInput, NotAllowed, NotFound
from services.policy import Policy
from services.reminder_time import local_to_utc

__all__ = [
    "CARE_STAFF",
    "KIND_CANCELLED",
    "KIND_DECIDED",
    "KIND_REQUESTED",
    "KIND_ROSTER",
    "KIND_UNHELD",
    "BookingUnavailable",
    "CareClosed",
    "CareResult",
    "CareView",
    "RosterEntry",
    "add_dependant",
    "cancel_for_consultation",
    "cancel_for_enrollment",
    "cancel_future_requests",
    "cancel_request",
    "capacity_windows",
    "decide",
    "decision_to_tell",
    "dependants_of",
    "enqueue_daily_roster",
    "forget_person",
    "load_request",
    "move_for_consultation",
    "pending_requests",
    "promote_held",
    "remove_capacity_window",
    "remove_dependant",
    "request_care",
    "request_view",
    "requests_of",
    "roster",
    "set_capacity_window",
    "unhold_to_tell",
    "update_dependant",
]

KIND_REQUESTED = "care_requested"
KIND_DECIDED = "care_decided"
KIND_CANCELLED = "care_cancelled"
KIND_UNHELD = "care_unheld"
KIND_ROSTER = "care_roster"

# Who decides, sees the pending list and the roster, and sets the capacity windows.
CARE_STAFF = (Role.ADMIN.value, Role.COORDINATOR.value, Role.CHILDCARE_PARTNER.value)
_PARTNER = Role.CHILDCARE_PARTNER.value

NAME_MAX = 60
NEEDS_MAX = 300
REASON_MAX = 200
OLDEST_YEARS = 110
MAX_DEPENDANTS = 10

HELD = CareStatus.HELD
PENDING = CareStatus.PENDING
APPROVED = CareStatus.APPROVED


class CareClosed(DomainError):
    """The care request is no longer active (cancelled or decided meanwhile, or over)."""


class BookingUnavailable(DomainError):
    """Care cannot be asked for this booking: not active (a waiting-list place, cancelled) or
    already started."""


@dataclass(frozen=True)
class CareResult:
    """What became of the request for one dependant."""

    dependant_id: int
    outcome: Literal["pending", "held", "already", "refused"]
    request: CareRequest | None  # None when refused
    # Message key: care-held-full (held), care-too-young / care-too-old / care-no-care-then
    # (refused); None otherwise.
    reason: str | None = None
    capacity: int | None = None  # held: how many dependants fit at the fullest moment


@dataclass(frozen=True)
class CareView:
    """A request with what a screen or a renderer shows about it."""

    request: CareRequest
    dependant: Dependant | None  # None once removed
    parent_name: str  # "—" once anonymised
    workshop: Workshop | None  # the activity, for a workshop enrolment
    # The consultation's service; None for workshops and, for the partner, for sensitive
    # services (psychologist, lawyer): the partner needs the time and place, not the reason.
    service: ServiceType | None

    @property
    def age(self) -> int | None:
        """The dependant's age in years on the day care starts (from the birth year)."""
        if self.dependant is None:
            return None
        return self.dependant.age_on(self.request.starts_at.date())


@dataclass(frozen=True)
class RosterEntry:
    """One dependant on the partner's list of the day."""

    request_id: int
    starts_at: datetime  # UTC
    ends_at: datetime
    local_start: time  # in the club's time zone
    local_end: time
    dependant_name: str
    kind: str  # DependantKind value
    age: int | None  # years on that day (from the birth year)
    needs: str
    place: str
    parent_name: str


# --- dependants ----------------------------------------------------------------------------


def _clean_name(text: str) -> str:
    name = " ".join(text.split())
    if not name or len(name) > NAME_MAX or name.startswith("/"):
        raise InvalidInput("care-name-invalid")
    if not any(ch.isalpha() for ch in name):
        raise InvalidInput("care-name-invalid")
    return name


def _clean_needs(text: str | None) -> str:
    needs = " ".join((text or "").split())
    if len(needs) > NEEDS_MAX:
        raise InvalidInput("care-needs-invalid")
    return needs


def _check_kind(kind: str) -> DependantKind:
    if kind not in {k.value for k in DependantKind}:
        raise InvalidInput("care-kind-invalid")
    return DependantKind(kind)


def _check_birth_year(year: int, now: datetime) -> int:
    if not now.year - OLDEST_YEARS <= year <= now.year:
        raise InvalidInput("care-birth-year-invalid")
    return year


async def _active_person(session: AsyncSession, person_id: int) -> Person:
    person = await session.get(Person, person_id)
    if person is None:
        raise NotFound()
    if person.status != PersonStatus.ACTIVE:
        raise NotAllowed()
    return person


def check_birth_year(year: int, now: datetime) -> int:
    """A year of birth as `add_dependant` accepts it; InvalidInput care-birth-year-invalid."""
    return _check_birth_year(year, now)


async def dependant_view(session: AsyncSession, person_id: int, dependant_id: int) -> Dependant:
    """One's own dependant; somebody else's id is NotFound, like a missing one."""
    return await people.own(session, Dependant, dependant_id, person_id)


async def dependants_of(session: AsyncSession, person_id: int) -> list[Dependant]:
    """The person's dependants, in the order they were added."""
    rows = await session.scalars(
        select(Dependant).where(Dependant.person_id == person_id).order_by(Dependant.id)
    )
    return list(rows)


async def add_dependant(
    session: AsyncSession,
    *,
    person_id: int,
    name: str,
    kind: str,
    birth_year: int,
    needs: str | None = None,
    now: datetime,
) -> Dependant:
    """Register a dependant of an active participant. InvalidInput: care-name-invalid,
    care-kind-invalid, care-birth-year-invalid (future, or over 110 years ago),
    care-needs-invalid (over 300 characters), care-too-many-dependants (10 at most)."""
    await _active_person(session, person_id)
    dependant = Dependant(
        person_id=person_id,
        name=_clean_name(name),
        kind=_check_kind(kind),
        birth_year=_check_birth_year(birth_year, now),
        needs=_clean_needs(needs),
        created_at=now,
    )
    count = await session.scalar(
        select(func.count()).where(Dependant.person_id == person_id).select_from(Dependant)
    )
    if int(count or 0) >= MAX_DEPENDANTS:
        raise InvalidInput("care-too-many-dependants")
    session.add(dependant)
    await session.flush()
    return dependant


async def update_dependant(
    session: AsyncSession,
    *,
    person_id: int,
    dependant_id: int,
    now: datetime,
    name: str | None = None,
    kind: str | None = None,
    birth_year: int | None = None,
    needs: str | None = None,
) -> Dependant:
    """Change the given fields of one's own dependant (`needs=""` clears the note); the same
    checks as `add_dependant`. Requests already made are not re-checked."""
    dependant = await people.own(session, Dependant, dependant_id, person_id)
    if name is not None:
        dependant.name = _clean_name(name)
    if kind is not None:
        dependant.kind = _check_kind(kind)
    if birth_year is not None:
        dependant.birth_year = _check_birth_year(birth_year, now)
    if needs is not None:
        dependant.needs = _clean_needs(needs)
    dependant.updated_at = now
    await session.flush()
    return dependant


async def remove_dependant(
    session: AsyncSession,
    *,
    person_id: int,
    dependant_id: int,
    now: datetime,
    policy: Policy,
) -> None:
    """Delete one's own dependant: its active requests are cancelled first (the partner is
    told about pending and approved ones, freed room is offered again). Past requests stay,
    without the dependant, only as counts."""
    dependant = await people.own(session, Dependant, dependant_id, person_id)
    active = list(
        await session.scalars(
            select(CareRequest).where(
                CareRequest.dependant_id == dependant.id, CareRequest.status.in_(ACTIVE_CARE)
            )
        )
    )
    await _cancel_requests(session, active, now, policy)
    await session.delete(dependant)
    await session.flush()


async def forget_person(
    session: AsyncSession, person_id: int, *, now: datetime, policy: Policy
) -> int:
    """For "delete my data": cancel the person's active requests (partners told), clear the
    decline reasons of their requests and delete their dependants. Returns how many
    dependants were deleted."""
    active = list(
        await session.scalars(
            select(CareRequest).where(
                CareRequest.person_id == person_id, CareRequest.status.in_(ACTIVE_CARE)
            )
        )
    )
    await _cancel_requests(session, active, now, policy)
    await session.execute(
        update(CareRequest)
        .where(CareRequest.person_id == person_id)
        .values(decline_reason=None)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(
        delete(Dependant)
        .where(Dependant.person_id == person_id)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result)


async def cancel_future_requests(
    session: AsyncSession, person_id: int, *, now: datetime, policy: Policy
) -> list[CareRequest]:
    """For a deactivated person: cancel their active requests whose care has not started
    (partners told, freed room to held requests). Returns them."""
    active = list(
        await session.scalars(
            select(CareRequest)
            .where(
                CareRequest.person_id == person_id,
                CareRequest.status.in_(ACTIVE_CARE),
                CareRequest.starts_at > now,
            )
            .order_by(CareRequest.id)
        )
    )
    return await _cancel_requests(session, active, now, policy)


# --- day locks and capacity ----------------------------------------------------------------


def _days(starts_at: datetime, ends_at: datetime, tz: ZoneInfo) -> list[date]:
    """The local days a window touches (one, unless it crosses midnight)."""
    first = starts_at.astimezone(tz).date()
    last = (ends_at - timedelta(microseconds=1)).astimezone(tz).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = local_to_utc(day, time(0), tz)
    end = local_to_utc(day + timedelta(days=1), time(0), tz)
    assert start is not None and end is not None
    return start, end


async def _lock_days(session: AsyncSession, days: Iterable[date]) -> None:
    """Lock the care-day rows (created when missing) in date order for this transaction."""
    wanted = sorted(set(days))
    if not wanted:
        return
    dialect = session.get_bind().dialect.name
    insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for day in wanted:
        await session.execute(insert(CareDay).values(day=day).on_conflict_do_nothing())
    await session.execute(
        select(CareDay.day).where(CareDay.day.in_(wanted)).order_by(CareDay.day).with_for_update()
    )


def _request_days(requests: Iterable[CareRequest], tz: ZoneInfo) -> set[date]:
    return {day for r in requests for day in _days(r.starts_at, r.ends_at, tz)}


@dataclass(frozen=True)
class _Rule:
    starts_at: datetime
    ends_at: datetime
    max_dependants: int
    min_age: int | None
    max_age: int | None
    specific: bool  # a weekday's own row (beats the every-day rows)


async def _rules(
    session: AsyncSession, starts_at: datetime, ends_at: datetime, tz: ZoneInfo
) -> list[_Rule]:
    """Capacity rows that overlap the window, as UTC intervals on the window's days."""
    rows = list(await session.scalars(select(CareCapacity).order_by(CareCapacity.id)))
    rules = []
    for day in _days(starts_at, ends_at, tz):
        for row in rows:
            if row.weekday is not None and row.weekday != day.weekday():
                continue
            start = local_to_utc(day, row.start_time, tz)
            end = local_to_utc(day, row.end_time, tz)
            assert start is not None and end is not None
            if start < ends_at and end > starts_at:
                rules.append(
                    _Rule(
                        start,
                        end,
                        row.max_dependants,
                        row.min_age,
                        row.max_age,
                        row.weekday is not None,
                    )
                )
    return rules


def _effective(rules: Sequence[_Rule], moment: datetime) -> list[_Rule]:
    covering = [r for r in rules if r.starts_at <= moment < r.ends_at]
    return [r for r in covering if r.specific] or covering


@dataclass(frozen=True)
class _Verdict:
    outcome: Literal["fits", "held", "refused"]
    reason: str | None = None
    capacity: int | None = None


async def _evaluate(
    session: AsyncSession,
    *,
    starts_at: datetime,
    ends_at: datetime,
    age: int,
    policy: Policy,
    exclude_id: int | None = None,
) -> _Verdict:
    """Whether one more dependant of `age` fits the window (peak overlap, see module notes).
    The caller holds the locks of the window's days."""
    rules = await _rules(session, starts_at, ends_at, policy.tz)
    conditions = [
        CareRequest.status.in_(COUNTED_CARE),
        CareRequest.starts_at < ends_at,
        CareRequest.ends_at > starts_at,
    ]
    if exclude_id is not None:
        conditions.append(CareRequest.id != exclude_id)
    rows = await session.execute(
        select(CareRequest.starts_at, CareRequest.ends_at).where(*conditions)
    )
    taken = rows.all()
    cuts = {starts_at, ends_at}
    for moment in [r.starts_at for r in rules] + [r.ends_at for r in rules]:
        if starts_at < moment < ends_at:
            cuts.add(moment)
    for start, end in taken:
        cuts.update(m for m in (start, end) if starts_at < m < ends_at)
    points = sorted(cuts)
    full: int | None = None
    for piece_start, piece_end in pairwise(points):
        effective = _effective(rules, piece_start)
        for rule in effective:
            if rule.min_age is not None and age < rule.min_age:
                return _Verdict("refused", "care-too-young")
            if rule.max_age is not None and age > rule.max_age:
                return _Verdict("refused", "care-too-old")
        capacity = min(r.max_dependants for r in effective) if effective else policy.care_capacity
        if capacity == 0:
            return _Verdict("refused", "care-no-care-then")
        present = sum(1 for start, end in taken if start < piece_end and end > piece_start)
        if present + 1 > capacity:
            full = capacity if full is None else min(full, capacity)
    if full is not None:
        return _Verdict("held", "care-held-full", full)
    return _Verdict("fits")


# --- outbox helpers ------------------------------------------------------------------------


async def _partners(session: AsyncSession) -> list[tuple[int, int]]:
    """(person id, chat id) of every active childcare partner, in person order."""
    return await people.active_chats(session, (Role.CHILDCARE_PARTNER.value,))


async def _tell_partners(
    session: AsyncSession,
    kind: str,
    request: CareRequest,
    now: datetime,
    payload: dict[str, Any] | None = None,
) -> None:
    for partner_id, chat_id in await _partners(session):
        await outbox.enqueue(
            session,
            chat_id=chat_id,
            person_id=partner_id,
            kind=kind,
            ref_id=request.id,
            due_at=now,
            expires_at=request.ends_at,
            payload=payload,
        )


async def _tell_participant(
    session: AsyncSession,
    kind: str,
    request: CareRequest,
    now: datetime,
    payload: dict[str, Any] | None = None,
) -> None:
    chat_id = await session.scalar(select(Person.telegram_id).where(Person.id == request.person_id))
    if chat_id is None:
        return
    await outbox.enqueue(
        session,
        chat_id=chat_id,
        person_id=request.person_id,
        kind=kind,
        ref_id=request.id,
        due_at=now,
        expires_at=request.ends_at,
        payload=payload,
    )


# --- requests ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Booking:
    person_id: int
    active: bool
    starts_at: datetime
    ends_at: datetime
    place: str


async def _lock_enrollment(session: AsyncSession, person_id: int, enrollment_id: int) -> _Booking:
    """The participant's enrolment, its session row locked first (as every seat change does)."""
    enrollment = await session.get(Enrollment, enrollment_id, populate_existing=True)
    if enrollment is None or enrollment.person_id != person_id:
        raise NotFound()
    row = (
        await session.execute(
            select(WorkshopSession, Workshop)
            .join(Workshop, Workshop.id == WorkshopSession.workshop_id)
            .where(WorkshopSession.id == enrollment.session_id)
            .with_for_update(of=WorkshopSession)
            .execution_options(populate_existing=True)
        )
    ).one()
    ws, workshop = row[0], row[1]
    status = await session.scalar(
        select(Enrollment.status).where(Enrollment.id == enrollment_id)
    )  # re-read after the lock
    active = status == EnrollmentStatus.CONFIRMED and ws.status == SessionStatus.SCHEDULED
    return _Booking(person_id, active, ws.starts_at, ws.ends_at, ws.place or workshop.place)


async def _lock_consultation(session: AsyncSession, person_id: int, booking_id: int) -> _Booking:
    """The participant's consultation booking, its slot row locked first (as cancelling and
    rescheduling do)."""
    booking = await session.get(ConsultationBooking, booking_id, populate_existing=True)
    if booking is None or booking.person_id != person_id:
        raise NotFound()
    await session.execute(select(Slot.id).where(Slot.id == booking.slot_id).with_for_update())
    await session.refresh(booking)
    slot = await session.get(Slot, booking.slot_id, populate_existing=True)
    assert slot is not None
    active = booking.status == ConsultationStatus.BOOKED
    return _Booking(person_id, active, slot.starts_at, slot.ends_at, slot.place)


async def _existing(
    session: AsyncSession,
    dependant_id: int,
    enrollment_id: int | None,
    consultation_id: int | None,
) -> CareRequest | None:
    booking_match = (
        CareRequest.enrollment_id == enrollment_id
        if enrollment_id is not None
        else CareRequest.consultation_id == consultation_id
    )
    return await session.scalar(
        select(CareRequest).where(
            CareRequest.dependant_id == dependant_id,
            booking_match,
            CareRequest.status.in_(ACTIVE_CARE),
        )
    )


async def request_care(
    session: AsyncSession,
    *,
    person_id: int,
    dependant_ids: Sequence[int],
    enrollment_id: int | None = None,
    consultation_id: int | None = None,
    now: datetime,
    policy: Policy,
) -> list[CareResult]:
    """Ask care for some of one's own dependants during one's own booking (exactly one of
    `enrollment_id` — a confirmed seat — and `consultation_id` — a booked consultation —, not
    started yet). One result per dependant, in the order given: `pending` (partners told),
    `held` (over capacity: reason care-held-full and the capacity), `already` (an active
    request exists: a double tap), `refused` (reason care-too-young, care-too-old,
    care-no-care-then; nothing stored).

    Raises NotFound (somebody else's or a missing dependant or booking: nothing is changed),
    NotAllowed (person not active), BookingUnavailable, InvalidInput("care-no-dependants").
    """
    policy = policy
    if (enrollment_id is None) == (consultation_id is None):
        raise ValueError("give exactly one of enrollment_id and consultation_id")
    wanted = list(dict.fromkeys(dependant_ids))
    if not wanted:
        raise InvalidInput("care-no-dependants")
    await _active_person(session, person_id)
    dependants = {
        d.id: d
        for d in await session.scalars(
            select(Dependant).where(Dependant.id.in_(wanted), Dependant.person_id == person_id)
        )
    }
    if len(dependants) != len(wanted):
        raise NotFound()
    if enrollment_id is not None:
        booking = await _lock_enrollment(session, person_id, enrollment_id)
    else:
        assert consultation_id is not None
        booking = await _lock_consultation(session, person_id, consultation_id)
    if not booking.active or booking.starts_at <= now:
        raise BookingUnavailable()
    starts_at = booking.starts_at - policy.care_margin
    ends_at = booking.ends_at + policy.care_margin
    await _lock_days(session, _days(starts_at, ends_at, policy.tz))
    results = []
    for dependant_id in wanted:
        dependant = dependants[dependant_id]
        existing = await _existing(session, dependant_id, enrollment_id, consultation_id)
        if existing is not None:
            results.append(CareResult(dependant_id, "already", existing))
            continue
        age = dependant.age_on(starts_at.astimezone(policy.tz).date())
        verdict = await _evaluate(
            session, starts_at=starts_at, ends_at=ends_at, age=age, policy=policy
        )
        if verdict.outcome == "refused":
            results.append(CareResult(dependant_id, "refused", None, verdict.reason))
            continue
        request = CareRequest(
            person_id=person_id,
            dependant_id=dependant_id,
            enrollment_id=enrollment_id,
            consultation_id=consultation_id,
            starts_at=starts_at,
            ends_at=ends_at,
            place=booking.place[:200],
            status=PENDING if verdict.outcome == "fits" else HELD,
            created_at=now,
        )
        session.add(request)
        await session.flush()
        if request.status == PENDING:
            await _tell_partners(session, KIND_REQUESTED, request, now)
            results.append(CareResult(dependant_id, "pending", request))
        else:
            results.append(
                CareResult(dependant_id, "held", request, verdict.reason, verdict.capacity)
            )
    return results


def _booking_live() -> ColumnElement[bool]:
    """The request's booking is still on (a session being cancelled, whose enrolments are
    ended one by one, no longer counts: its held requests are not promoted meanwhile)."""
    enrollment = (
        select(Enrollment.id)
        .join(WorkshopSession, WorkshopSession.id == Enrollment.session_id)
        .where(
            Enrollment.id == CareRequest.enrollment_id,
            Enrollment.status == EnrollmentStatus.CONFIRMED.value,
            WorkshopSession.status == SessionStatus.SCHEDULED.value,
        )
        .exists()
    )
    consultation = (
        select(ConsultationBooking.id)
        .where(
            ConsultationBooking.id == CareRequest.consultation_id,
            ConsultationBooking.status == ConsultationStatus.BOOKED.value,
        )
        .exists()
    )
    return or_(enrollment, consultation)


async def _promote(
    session: AsyncSession, days: Iterable[date], now: datetime, policy: Policy
) -> list[CareRequest]:
    """Offer freed room on `days` (already locked) to the oldest held requests that now fit:
    they become pending, the participant is told (`care_unheld`), the partners asked."""
    locked = set(days)
    if not locked:
        return []
    bounds = [_day_bounds(day, policy.tz) for day in sorted(locked)]
    start, end = bounds[0][0], bounds[-1][1]
    held = list(
        await session.scalars(
            select(CareRequest)
            .where(
                CareRequest.status == HELD,
                CareRequest.starts_at < end,
                CareRequest.ends_at > start,
                CareRequest.starts_at > now,
                _booking_live(),
            )
            .order_by(CareRequest.created_at, CareRequest.id)
            .execution_options(populate_existing=True)
        )
    )
    extra = _request_days(held, policy.tz) - locked
    if extra:  # a held window crossing midnight into a day not locked yet
        await _lock_days(session, extra)
    promoted = []
    for request in held:
        dependant = (
            await session.get(Dependant, request.dependant_id) if request.dependant_id else None
        )
        if dependant is None:
            continue
        verdict = await _evaluate(
            session,
            starts_at=request.starts_at,
            ends_at=request.ends_at,
            age=dependant.age_on(request.starts_at.astimezone(policy.tz).date()),
            policy=policy,
            exclude_id=request.id,
        )
        if verdict.outcome != "fits":
            continue
        moved = await session.execute(
            update(CareRequest)
            .where(CareRequest.id == request.id, CareRequest.status == HELD)
            .values(status=PENDING)
            .execution_options(synchronize_session=False)
        )
        if not rowcount(moved):
            continue
        await session.refresh(request)
        await _tell_participant(session, KIND_UNHELD, request, now)
        await _tell_partners(session, KIND_REQUESTED, request, now)
        promoted.append(request)
    return promoted


async def promote_held(
    session: AsyncSession, *, now: datetime, policy: Policy
) -> list[CareRequest]:
    """Offer room to every future held request that now fits (after the capacity was raised,
    e.g. a new KISBOT_CARE_CAPACITY at start-up). Returns the promoted requests."""
    policy = policy
    held = list(
        await session.scalars(
            select(CareRequest).where(CareRequest.status == HELD, CareRequest.starts_at > now)
        )
    )
    days = _request_days(held, policy.tz)
    await _lock_days(session, days)
    return await _promote(session, days, now, policy)


async def _cancel_requests(
    session: AsyncSession, requests: Sequence[CareRequest], now: datetime, policy: Policy
) -> list[CareRequest]:
    """Cancel active requests (their days locked here): partners are told about the pending
    and approved ones not over yet, and freed room goes to held requests."""
    if not requests:
        return []
    days = _request_days(requests, policy.tz)
    await _lock_days(session, days)
    cancelled = []
    freed = False
    for request in requests:
        await session.refresh(request)
        was = request.status
        result = await session.execute(
            update(CareRequest)
            .where(CareRequest.id == request.id, CareRequest.status.in_(ACTIVE_CARE))
            .values(status=CareStatus.CANCELLED.value, cancelled_at=now)
            .execution_options(synchronize_session=False)
        )
        if not rowcount(result):
            continue
        await session.refresh(request)
        await outbox.cancel(session, kind=KIND_REQUESTED, ref_id=request.id)
        await outbox.cancel(session, kind=KIND_UNHELD, ref_id=request.id)
        if was in COUNTED_CARE:
            freed = True
            if request.ends_at > now:
                await _tell_partners(session, KIND_CANCELLED, request, now)
        cancelled.append(request)
    if freed:
        await _promote(session, days, now, policy)
    return cancelled


async def _active_for(
    session: AsyncSession, *, enrollment_id: int | None = None, consultation_id: int | None = None
) -> list[CareRequest]:
    condition = (
        CareRequest.enrollment_id == enrollment_id
        if enrollment_id is not None
        else CareRequest.consultation_id == consultation_id
    )
    rows = await session.scalars(
        select(CareRequest)
        .where(condition, CareRequest.status.in_(ACTIVE_CARE))
        .order_by(CareRequest.id)
    )
    return list(rows)


async def cancel_for_enrollment(
    session: AsyncSession,
    enrollment_id: int,
    *,
    now: datetime,
    policy: Policy,
) -> list[CareRequest]:
    """The enrolment ended (cancelled, withdrawn, session cancelled): its active requests are
    cancelled in the same transaction (see `_cancel_requests`). Returns them."""
    requests = await _active_for(session, enrollment_id=enrollment_id)
    return await _cancel_requests(session, requests, now, policy)


async def cancel_for_consultation(
    session: AsyncSession,
    booking_id: int,
    *,
    now: datetime,
    policy: Policy,
) -> list[CareRequest]:
    """The consultation booking was cancelled or withdrawn: as `cancel_for_enrollment`."""
    requests = await _active_for(session, consultation_id=booking_id)
    return await _cancel_requests(session, requests, now, policy)


async def move_for_consultation(
    session: AsyncSession,
    booking_id: int,
    *,
    now: datetime,
    policy: Policy,
) -> list[CareResult]:
    """The booking was rescheduled (its slot row locked by the caller): each active request
    follows the new slot (window, place) and is checked again — `pending` (the partners are
    asked again, payload `{"moved_from": ISO}`: they agreed to another time), `held` (no room
    then; partners told `care_cancelled` if it was pending or approved), or `refused`
    (cancelled: the new time's age limits or no care then). Freed room on the old days is
    offered to held requests."""
    policy = policy
    requests = await _active_for(session, consultation_id=booking_id)
    if not requests:
        return []
    booking = await session.get(ConsultationBooking, booking_id, populate_existing=True)
    assert booking is not None
    slot = await session.get(Slot, booking.slot_id, populate_existing=True)
    assert slot is not None
    starts_at, ends_at = slot.starts_at - policy.care_margin, slot.ends_at + policy.care_margin
    old_days = _request_days(requests, policy.tz)
    await _lock_days(session, old_days | set(_days(starts_at, ends_at, policy.tz)))
    results = []
    for request in requests:
        await session.refresh(request)
        if request.status not in ACTIVE_CARE or request.dependant_id is None:
            continue
        was, moved_from = request.status, request.starts_at
        if (request.starts_at, request.ends_at) == (starts_at, ends_at):
            request.place = slot.place[:200]  # same time with another specialist
            await session.flush()
            continue
        dependant = await session.get(Dependant, request.dependant_id)
        assert dependant is not None
        request.starts_at, request.ends_at, request.place = starts_at, ends_at, slot.place[:200]
        verdict = await _evaluate(
            session,
            starts_at=starts_at,
            ends_at=ends_at,
            age=dependant.age_on(starts_at.astimezone(policy.tz).date()),
            policy=policy,
            exclude_id=request.id,
        )
        await outbox.cancel(session, kind=KIND_REQUESTED, ref_id=request.id)
        await outbox.cancel(session, kind=KIND_UNHELD, ref_id=request.id)
        if verdict.outcome == "fits":
            request.status, request.decided_at, request.decided_by_id = PENDING, None, None
            await session.flush()
            await _tell_partners(
                session, KIND_REQUESTED, request, now, {"moved_from": moved_from.isoformat()}
            )
            results.append(CareResult(request.dependant_id, "pending", request))
            continue
        if verdict.outcome == "held":
            request.status = HELD
            outcome: Literal["held", "refused"] = "held"
        else:
            request.status, request.cancelled_at = CareStatus.CANCELLED, now
            outcome = "refused"
        request.decided_at, request.decided_by_id = None, None
        await session.flush()
        if was in COUNTED_CARE:
            await _tell_partners(session, KIND_CANCELLED, request, now)
        results.append(
            CareResult(request.dependant_id, outcome, request, verdict.reason, verdict.capacity)
        )
    await _promote(session, old_days, now, policy)
    return results


async def cancel_request(
    session: AsyncSession,
    *,
    person_id: int,
    request_id: int,
    now: datetime,
    policy: Policy,
) -> CareView:
    """Cancel one's own care request; the booking stays. The partners are told when it was
    pending or approved; freed room goes to held requests. CareClosed when it is no longer
    active or its window is over, NotFound for somebody else's request."""
    request = await people.own(session, CareRequest, request_id, person_id)
    if request.status not in ACTIVE_CARE or request.ends_at <= now:
        raise CareClosed()
    if not await _cancel_requests(session, [request], now, policy):
        raise CareClosed()  # cancelled or decided meanwhile
    return (await _views(session, [request]))[0]


async def decide(
    session: AsyncSession,
    *,
    actor_tid: int,
    request_id: int,
    approve: bool,
    reason: str | None = None,
    now: datetime,
    policy: Policy,
) -> CareView:
    """Approve or decline a pending request (childcare partner, coordinator, admin); the first
    decision wins (AlreadyDecided for later ones). A decline needs a short reason
    (InvalidInput care-reason-invalid: empty or over 200 characters) and frees room for held
    requests. The participant is told (`care_decided`). NotAllowed for other roles, NotFound
    for a missing request, CareClosed when the window is over."""
    policy = policy
    actor = await people.require_role(session, actor_tid, CARE_STAFF)
    request = await session.get(CareRequest, request_id, populate_existing=True)
    if request is None:
        raise NotFound()
    if request.status != PENDING:
        raise AlreadyDecided()
    clean_reason = None
    if not approve:
        clean_reason = " ".join((reason or "").split())
        if not clean_reason or len(clean_reason) > REASON_MAX:
            raise InvalidInput("care-reason-invalid")
    if request.ends_at <= now:
        raise CareClosed()
    days = _request_days([request], policy.tz)
    await _lock_days(session, days)
    result = await session.execute(
        update(CareRequest)
        .where(CareRequest.id == request_id, CareRequest.status == PENDING)
        .values(
            status=APPROVED if approve else CareStatus.DECLINED.value,
            decided_at=now,
            decided_by_id=actor.id,
            decline_reason=clean_reason,
        )
        .execution_options(synchronize_session=False)
    )
    if not rowcount(result):
        raise AlreadyDecided()
    await session.refresh(request)
    await audit.record_action(
        session, actor.id, "care.approve" if approve else "care.decline", "care_request", request_id
    )
    await outbox.cancel(session, kind=KIND_REQUESTED, ref_id=request.id)
    await _tell_participant(session, KIND_DECIDED, request, now, {"approved": approve})
    if not approve:
        await _promote(session, days, now, policy)
    return (await _views(session, [request], hide_sensitive=actor.role == _PARTNER))[0]


# --- lists ---------------------------------------------------------------------------------


async def _views(
    session: AsyncSession, requests: Sequence[CareRequest], *, hide_sensitive: bool = False
) -> list[CareView]:
    views = []
    for request in requests:
        dependant = (
            await session.get(Dependant, request.dependant_id) if request.dependant_id else None
        )
        parent = await session.scalar(
            select(Person.display_name).where(Person.id == request.person_id)
        )
        workshop = service = None
        if request.enrollment_id is not None:
            workshop = await session.scalar(
                select(Workshop)
                .join(WorkshopSession, WorkshopSession.workshop_id == Workshop.id)
                .join(Enrollment, Enrollment.session_id == WorkshopSession.id)
                .where(Enrollment.id == request.enrollment_id)
            )
        elif request.consultation_id is not None:
            service = await session.scalar(
                select(ServiceType)
                .join(ConsultationBooking, ConsultationBooking.service_type_id == ServiceType.id)
                .where(ConsultationBooking.id == request.consultation_id)
            )
            if service is not None and hide_sensitive and service.sensitive:
                service = None
        views.append(CareView(request, dependant, parent or "—", workshop, service))
    return views


async def request_view(session: AsyncSession, person_id: int, request_id: int) -> CareView:
    """One of the person's own requests (any status); NotFound for anybody else's."""
    request = await people.own(session, CareRequest, request_id, person_id)
    return (await _views(session, [request]))[0]


async def load_request(session: AsyncSession, request_id: int) -> CareView | None:
    """A request by id for renderers (no ownership check: never call it with an id a
    participant sent). Sensitive services are hidden, as partners receive these too."""
    request = await session.get(CareRequest, request_id, populate_existing=True)
    if request is None:
        return None
    return (await _views(session, [request], hide_sensitive=True))[0]


async def _request_to_tell(
    session: AsyncSession, person_id: int | None, request_id: int | None
) -> tuple[Person, CareView] | None:
    """The asker of a request, active and reachable, and the request (with its dependant)."""
    if person_id is None or request_id is None:
        return None
    person = await session.get(Person, person_id)
    if person is None or person.telegram_id is None:
        return None
    if person.status != PersonStatus.ACTIVE.value:
        return None
    view = await load_request(session, request_id)
    if view is None or view.request.person_id != person.id or view.dependant is None:
        return None
    return person, view


async def decision_to_tell(
    session: AsyncSession, person_id: int | None, request_id: int | None, now: datetime
) -> tuple[Person, CareView] | None:
    """The recipient and the request of a queued "your request was decided" message, while it
    is still wanted (the asker reachable, the request approved or declined and not over);
    None otherwise: the message is dropped."""
    found = await _request_to_tell(session, person_id, request_id)
    if found is None:
        return None
    request = found[1].request
    if request.status not in (APPROVED, CareStatus.DECLINED.value) or request.ends_at <= now:
        return None
    return found


async def unhold_to_tell(
    session: AsyncSession, person_id: int | None, request_id: int | None
) -> tuple[Person, CareView] | None:
    """The recipient and the request of a queued "room freed: your request is waiting for a
    decision" message, while the request is still pending; None otherwise."""
    found = await _request_to_tell(session, person_id, request_id)
    if found is None or found[1].request.status != PENDING:
        return None
    return found


async def requester_language(session: AsyncSession, request_id: int) -> str | None:
    """The stored language of the person who asked for care (for a reason chosen by the
    partner from presets: it is stored in that person's language); None if unknown."""
    language: str | None = await session.scalar(
        select(Person.language)
        .join(CareRequest, CareRequest.person_id == Person.id)
        .where(CareRequest.id == request_id)
    )
    return language


async def requests_of(
    session: AsyncSession, person_id: int, *, now: datetime | None = None
) -> list[CareView]:
    """The person's requests (every status), soonest first; with `now`, only those whose
    window is not over."""
    conditions = [CareRequest.person_id == person_id]
    if now is not None:
        conditions.append(CareRequest.ends_at > now)
    rows = await session.scalars(
        select(CareRequest)
        .where(*conditions)
        .order_by(CareRequest.starts_at, CareRequest.id)
        .execution_options(populate_existing=True)
    )
    return await _views(session, list(rows))


async def pending_requests(
    session: AsyncSession, actor_tid: int, *, now: datetime
) -> list[CareView]:
    """Requests waiting for a decision whose window is not over, soonest first (childcare
    partner, coordinator, admin; NotAllowed otherwise)."""
    actor = await people.require_role(session, actor_tid, CARE_STAFF)
    rows = await session.scalars(
        select(CareRequest)
        .where(CareRequest.status == PENDING, CareRequest.ends_at > now)
        .order_by(CareRequest.starts_at, CareRequest.id)
        .execution_options(populate_existing=True)
    )
    return await _views(session, list(rows), hide_sensitive=actor.role == _PARTNER)


async def roster(
    session: AsyncSession, actor_tid: int, day: date, tz: ZoneInfo
) -> list[RosterEntry]:
    """The approved care of one local day (windows starting that day), by time: who, when,
    where, needs (childcare partner, coordinator, admin; NotAllowed otherwise)."""
    await people.require_role(session, actor_tid, CARE_STAFF)
    start, end = _day_bounds(day, tz)
    rows = await session.execute(
        select(CareRequest, Dependant, Person.display_name)
        .join(Dependant, Dependant.id == CareRequest.dependant_id)
        .join(Person, Person.id == CareRequest.person_id)
        .where(
            CareRequest.status == APPROVED,
            CareRequest.starts_at >= start,
            CareRequest.starts_at < end,
        )
        .order_by(CareRequest.starts_at, CareRequest.ends_at, CareRequest.id)
    )
    return [
        RosterEntry(
            request_id=request.id,
            starts_at=request.starts_at,
            ends_at=request.ends_at,
            local_start=request.starts_at.astimezone(tz).time().replace(tzinfo=None),
            local_end=request.ends_at.astimezone(tz).time().replace(tzinfo=None),
            dependant_name=dependant.name,
            kind=dependant.kind,
            age=dependant.age_on(day),
            needs=dependant.needs,
            place=request.place,
            parent_name=name or "—",
        )
        for request, dependant, name in rows.all()
    ]


async def pending_count_on(
    session: AsyncSession, actor_tid: int, day: date, now: datetime, tz: ZoneInfo
) -> int:
    """How many requests starting on local `day` wait for a decision (care staff only)."""
    views = await pending_requests(session, actor_tid, now=now)
    return sum(1 for v in views if v.request.starts_at.astimezone(tz).date() == day)


# --- what the outbox still has to tell care staff -------------------------------------------


@dataclass(frozen=True)
class CareNotice:
    """A message about a request that care staff should still get: who reads it, what about."""

    recipient: Person
    view: CareView


@dataclass(frozen=True)
class MorningRoster:
    """A partner's morning roster that is still worth sending."""

    recipient: Person
    day: date
    entries: list[RosterEntry]
    waiting: int  # requests of that day still waiting for a decision


async def _care_staff(session: AsyncSession, row: OutboxMessage) -> Person | None:
    """The row's recipient if still an active childcare partner (or coordinator, admin)."""
    if row.person_id is None:
        return None
    recipient = await session.get(Person, row.person_id)
    if (
        recipient is None
        or recipient.telegram_id is None
        or recipient.role not in CARE_STAFF
        or recipient.status != PersonStatus.ACTIVE.value
    ):
        return None
    return recipient


async def new_request_notice(session: AsyncSession, row: OutboxMessage) -> CareNotice | None:
    """A `care_requested` row: the request while it still waits for a decision (and its
    dependant is there) and the recipient is still care staff; else None."""
    recipient = await _care_staff(session, row)
    if recipient is None or row.ref_id is None:
        return None
    view = await load_request(session, row.ref_id)
    if view is None or view.request.status != PENDING or view.dependant is None:
        return None
    return CareNotice(recipient, view)


async def cancelled_request_notice(session: AsyncSession, row: OutboxMessage) -> CareNotice | None:
    """A `care_cancelled` row: the request unless it is gone or active again meanwhile, and
    the recipient still care staff; else None."""
    recipient = await _care_staff(session, row)
    if recipient is None or row.ref_id is None:
        return None
    view = await load_request(session, row.ref_id)
    if view is None or view.request.status in (PENDING, APPROVED):
        return None
    return CareNotice(recipient, view)


async def morning_roster(
    session: AsyncSession, row: OutboxMessage, tz: ZoneInfo
) -> MorningRoster | None:
    """A `care_roster` row: the day's care for its recipient, read now; None when they are no
    longer care staff or the day has no care left."""
    recipient = await _care_staff(session, row)
    if recipient is None or recipient.telegram_id is None:
        return None
    day = date.fromisoformat(str((row.payload or {}).get("day", "")))
    try:
        entries = await roster(session, recipient.telegram_id, day, tz)
        waiting = await pending_count_on(session, recipient.telegram_id, day, row.due_at, tz)
    except NotAllowed:
        return None
    if not entries and not waiting:
        return None
    return MorningRoster(recipient, day, entries, waiting)


async def enqueue_daily_roster(
    session: AsyncSession, *, now: datetime, tz: ZoneInfo, day: date | None = None
) -> int:
    """Queue the day's roster (`care_roster`, ref_id YYYYMMDD, payload `{"day": ISO date}`,
    due now, expiring at the end of that day) for every active childcare partner, when that
    day has approved or pending care; at most once per partner and day, whoever else runs
    this (insert-or-nothing on a unique index). Returns how many this call queued."""
    day = day or now.astimezone(tz).date()
    start, end = _day_bounds(day, tz)
    anything = await session.scalar(
        select(CareRequest.id)
        .where(
            CareRequest.status.in_(COUNTED_CARE),
            CareRequest.starts_at >= start,
            CareRequest.starts_at < end,
        )
        .limit(1)
    )
    if anything is None:
        return 0
    queued = 0
    # In person order (_partners), so concurrent runs take the index's row locks alike.
    for partner_id, chat_id in await _partners(session):
        queued += await outbox.enqueue_daily_digest(
            session,
            chat_id=chat_id,
            person_id=partner_id,
            kind=KIND_ROSTER,
            day=day,
            due_at=now,
            expires_at=end,
        )
    return queued


# --- capacity windows ----------------------------------------------------------------------


async def capacity_windows(session: AsyncSession, actor_tid: int) -> list[CareCapacity]:
    """The configured capacity windows, every-day ones first, then by weekday and time."""
    await people.require_role(session, actor_tid, CARE_STAFF)
    rows = await session.scalars(
        select(CareCapacity).order_by(
            CareCapacity.weekday.is_not(None),
            CareCapacity.weekday,
            CareCapacity.start_time,
            CareCapacity.id,
        )
    )
    return list(rows)


async def set_capacity_window(
    session: AsyncSession,
    *,
    actor_tid: int,
    weekday: int | None,
    start: time,
    end: time,
    max_dependants: int,
    min_age: int | None = None,
    max_age: int | None = None,
    window_id: int | None = None,
    now: datetime,
    policy: Policy,
) -> CareCapacity:
    """Add a capacity window or change `window_id` (childcare partner, coordinator, admin).
    Requests already pending or approved stay; freed room (a raised capacity) is offered to
    held requests at once. InvalidInput("care-capacity-invalid") for an impossible window."""
    actor = await people.require_role(session, actor_tid, CARE_STAFF)
    if (
        (weekday is not None and not 0 <= weekday <= 6)
        or end <= start
        or not 0 <= max_dependants <= 500
        or (min_age is not None and not 0 <= min_age <= 120)
        or (max_age is not None and not 0 <= max_age <= 120)
        or (min_age is not None and max_age is not None and min_age > max_age)
    ):
        raise InvalidInput("care-capacity-invalid")
    if window_id is None:
        row = CareCapacity(created_at=now)
        session.add(row)
    else:
        found = await session.get(CareCapacity, window_id)
        if found is None:
            raise NotFound()
        row = found
    row.weekday, row.start_time, row.end_time = weekday, start, end
    row.max_dependants, row.min_age, row.max_age = max_dependants, min_age, max_age
    await session.flush()
    await audit.record_action(session, actor.id, "care.capacity", "care_capacity", row.id)
    await promote_held(session, now=now, policy=policy)
    return row


async def remove_capacity_window(
    session: AsyncSession,
    *,
    actor_tid: int,
    window_id: int,
    now: datetime,
    policy: Policy,
) -> None:
    """Delete a capacity window (the default capacity applies there again); freed room is
    offered to held requests."""
    actor = await people.require_role(session, actor_tid, CARE_STAFF)
    row = await session.get(CareCapacity, window_id)
    if row is None:
        raise NotFound()
    await session.delete(row)
    await session.flush()
    await audit.record_action(session, actor.id, "care.capacity.remove", "care_capacity", window_id)
    await promote_held(session, now=now, policy=policy)
