"""Workshops: browsing, sign-up with capacity, the fair waiting list with offers, attendance.

Seats are counted in `workshop_session.seats_taken` and changed only by conditional UPDATEs
(`... WHERE seats_taken < capacity`), so capacity holds with any number of concurrent sign-ups
on SQLite and PostgreSQL. A freed seat is never given away silently: it is *offered* to the
first person on the waiting list and stays held (counted) until they take it, pass, or the
offer expires; then it goes to the next person.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from models import (
    ACTIVE_ENROLLMENT,
    SEAT_HOLDING,
    Enrollment,
    EnrollmentStatus,
    OutboxMessage,
    Person,
    PersonStatus,
    SessionStatus,
    Workshop,
    WorkshopGroup,
    WorkshopSeries,
    WorkshopSession,
)
from models.db import rowcount
from services import childcare, outbox, people
from services.errors import DomainError, NotFound
from services.policy import Policy

KIND_REMINDER = "ws_reminder"
KIND_OFFER = "ws_offer"
KIND_SESSION_CANCELLED = "ws_cancelled"


class SessionClosed(DomainError):
    """The session has started, ended or was cancelled: no sign-ups any more."""


class CutoffPassed(DomainError):
    """Too late to cancel in the bot; the person is told whom to call."""


class OfferGone(DomainError):
    """The offer was taken, passed or expired meanwhile."""


@dataclass(frozen=True)
class SessionView:
    """One session as a participant sees it in a list."""

    session: WorkshopSession
    workshop: Workshop
    free_seats: int
    waiting: int


@dataclass(frozen=True)
class EnrollResult:
    """What happened when someone signed up."""

    enrollment: Enrollment
    outcome: Literal["confirmed", "waiting", "already"]
    position: int | None  # place on the waiting list, 1-based
    session: WorkshopSession
    workshop: Workshop


@dataclass(frozen=True)
class Booking:
    """An active enrolment with its session and workshop (for "My bookings")."""

    enrollment: Enrollment
    session: WorkshopSession
    workshop: Workshop
    position: int | None = None


async def list_workshops(session: AsyncSession, group: str) -> list[Workshop]:
    """Active workshops of one group, by Polish title (none for an unknown group)."""
    if group not in {g.value for g in WorkshopGroup}:
        return []  # the column's enum type would refuse the value rather than match nothing
    rows = await session.scalars(
        select(Workshop)
        .where(Workshop.group_key == group, Workshop.active.is_(True))
        .order_by(Workshop.title_pl)
    )
    return list(rows)


async def get_workshop(session: AsyncSession, workshop_id: int) -> Workshop:
    """One workshop; NotFound if it does not exist."""
    workshop = await session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound()
    return workshop


async def _waiting_counts(session: AsyncSession, session_ids: list[int]) -> dict[int, int]:
    if not session_ids:
        return {}
    rows = await session.execute(
        select(Enrollment.session_id, func.count())
        .where(
            Enrollment.session_id.in_(session_ids),
            Enrollment.status == EnrollmentStatus.WAITING.value,
        )
        .group_by(Enrollment.session_id)
    )
    return {sid: int(count) for sid, count in rows.all()}


async def upcoming_sessions(
    session: AsyncSession, workshop_id: int, now: datetime, limit: int = 8
) -> list[SessionView]:
    """The next scheduled sessions of a workshop with free seats and waiting-list length."""
    workshop = await get_workshop(session, workshop_id)
    rows = list(
        await session.scalars(
            select(WorkshopSession)
            .where(
                WorkshopSession.workshop_id == workshop_id,
                WorkshopSession.status == SessionStatus.SCHEDULED.value,
                WorkshopSession.starts_at > now,
            )
            .order_by(WorkshopSession.starts_at)
            .limit(limit)
        )
    )
    waiting = await _waiting_counts(session, [s.id for s in rows])
    return [
        SessionView(s, workshop, max(0, s.capacity - s.seats_taken), waiting.get(s.id, 0))
        for s in rows
    ]


async def session_view(session: AsyncSession, session_id: int) -> SessionView:
    """One session with its workshop, free seats and waiting-list length."""
    ws = await session.get(WorkshopSession, session_id)
    if ws is None:
        raise NotFound()
    workshop = await get_workshop(session, ws.workshop_id)
    waiting = (await _waiting_counts(session, [ws.id])).get(ws.id, 0)
    return SessionView(ws, workshop, max(0, ws.capacity - ws.seats_taken), waiting)


async def series_of(session: AsyncSession, workshop_id: int, now: datetime) -> list[WorkshopSeries]:
    """Series of a workshop that still have sessions ahead."""
    rows = await session.scalars(
        select(WorkshopSeries)
        .where(
            WorkshopSeries.workshop_id == workshop_id,
            WorkshopSeries.id.in_(
                select(WorkshopSession.series_id).where(
                    WorkshopSession.starts_at > now,
                    WorkshopSession.status == SessionStatus.SCHEDULED.value,
                )
            ),
        )
        .order_by(WorkshopSeries.id)
    )
    return list(rows)


async def _position(session: AsyncSession, enrollment: Enrollment) -> int:
    """1-based place on the waiting list (arrival order = enrolment id)."""
    ahead = await session.scalar(
        select(func.count()).where(
            Enrollment.session_id == enrollment.session_id,
            Enrollment.status == EnrollmentStatus.WAITING.value,
            Enrollment.id < enrollment.id,
        )
    )
    return int(ahead or 0) + 1


async def _active_enrollment(
    session: AsyncSession, person_id: int, session_id: int
) -> Enrollment | None:
    return await session.scalar(
        select(Enrollment).where(
            Enrollment.session_id == session_id,
            Enrollment.person_id == person_id,
            Enrollment.status.in_(ACTIVE_ENROLLMENT),
        )
    )


async def _lock_session(session: AsyncSession, session_id: int) -> WorkshopSession:
    """Load a session row locked for this transaction (FOR UPDATE on PostgreSQL; on SQLite
    every transaction already holds the write lock from BEGIN IMMEDIATE). Sign-ups and seat
    changes of one session are thereby handled one after another, in arrival order, so the
    enrolment ids, the seats and the waiting list all agree on who came first."""
    ws = await session.scalar(
        select(WorkshopSession)
        .where(WorkshopSession.id == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if ws is None:
        raise NotFound()
    return ws


async def _lock_session_and_workshop(
    session: AsyncSession, session_id: int
) -> tuple[WorkshopSession, Workshop]:
    """`_lock_session` that also loads the workshop, in the same statement.

    Nothing else may be joined in: on PostgreSQL a statement that waited for the row lock
    re-reads only the locked row, so rows joined from other tables could be stale. Whatever
    must be current (the person's enrolment) is read by the next statement, after the lock.
    """
    row = (
        await session.execute(
            select(WorkshopSession, Workshop)
            .join(Workshop, Workshop.id == WorkshopSession.workshop_id)
            .where(WorkshopSession.id == session_id)
            .with_for_update(of=WorkshopSession)
            .execution_options(populate_existing=True)
        )
    ).first()
    if row is None:
        raise NotFound()
    return row[0], row[1]


async def _take_seat(session: AsyncSession, session_id: int) -> bool:
    """Atomically take one seat if one is free; the database decides, not Python."""
    result = await session.execute(
        update(WorkshopSession)
        .where(
            WorkshopSession.id == session_id,
            WorkshopSession.status == SessionStatus.SCHEDULED.value,
            WorkshopSession.seats_taken < WorkshopSession.capacity,
        )
        .values(seats_taken=WorkshopSession.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(rowcount(result))


async def _take_seats(session: AsyncSession, session_id: int, seats: int) -> bool:
    """Atomically take `seats` seats if that many are free (all or none)."""
    result = await session.execute(
        update(WorkshopSession)
        .where(
            WorkshopSession.id == session_id,
            WorkshopSession.status == SessionStatus.SCHEDULED.value,
            WorkshopSession.seats_taken + seats <= WorkshopSession.capacity,
        )
        .values(seats_taken=WorkshopSession.seats_taken + seats)
        .execution_options(synchronize_session=False)
    )
    return bool(rowcount(result))


async def _release_seat(session: AsyncSession, session_id: int) -> None:
    await session.execute(
        update(WorkshopSession)
        .where(WorkshopSession.id == session_id, WorkshopSession.seats_taken > 0)
        .values(seats_taken=WorkshopSession.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )


async def _insert_enrollments(
    session: AsyncSession, rows: list[dict[str, Any]]
) -> list[Enrollment]:
    """Insert new enrolments of distinct people in one multi-row INSERT; return them, in the
    same order, as persistent objects of the session (no reload).

    The database numbers the rows in the order of the VALUES list, so ids follow arrival
    order; each id is matched to its row by person, not by the order of RETURNING.
    """
    if not rows:
        return []
    table = cast(Table, Enrollment.__table__)
    columns = [c.key for c in table.columns if c.key != "id"]
    values: list[dict[str, Any]] = [{key: row.get(key) for key in columns} for row in rows]
    # A Core executemany: SQLAlchemy's "insertmanyvalues" sends it as INSERT ... VALUES
    # (...), (...) ... RETURNING, from a statement compiled once and cached (an ORM or
    # multi-values insert() would be compiled anew for every batch size).
    connection = await session.connection()
    returned = await connection.execute(
        insert(table).returning(table.c.id, table.c.person_id), values
    )
    ids = {person_id: enrollment_id for enrollment_id, person_id in returned.all()}
    created = []
    for row in values:
        enrollment = Enrollment(id=ids[row["person_id"]], **row)
        make_transient_to_detached(enrollment)  # as if loaded: every column is set
        session.add(enrollment)
        created.append(enrollment)
    return created


async def _schedule_reminders_many(
    session: AsyncSession,
    seated: Sequence[tuple[Enrollment, int]],
    ws: WorkshopSession,
    now: datetime,
    policy: Policy,
) -> None:
    """`_schedule_reminders` for several new seats (enrolment, chat) of one session, in one
    multi-row INSERT: the rows `outbox.enqueue` would write one by one."""
    planned = policy.reminders(ws.starts_at, now)
    rows = [
        {
            "chat_id": chat_id,
            "person_id": enrollment.person_id,
            "kind": KIND_REMINDER,
            "ref_id": enrollment.id,
            "due_at": reminder.due_at,
            "expires_at": ws.starts_at,
            "payload": {},
            "status": outbox.PENDING,
            "attempts": 0,
            "created_at": now,
        }
        for enrollment, chat_id in seated
        for reminder in planned
    ]
    if rows:
        connection = await session.connection()
        await connection.execute(insert(cast(Table, OutboxMessage.__table__)), rows)


async def _schedule_reminders(
    session: AsyncSession,
    enrollment: Enrollment,
    ws: WorkshopSession,
    chat_id: int,
    now: datetime,
    policy: Policy,
) -> None:
    for reminder in policy.reminders(ws.starts_at, now):
        await outbox.enqueue(
            session,
            chat_id=chat_id,
            person_id=enrollment.person_id,
            kind=KIND_REMINDER,
            ref_id=enrollment.id,
            due_at=reminder.due_at,
            expires_at=ws.starts_at,
        )


@dataclass(frozen=True)
class SignUp:
    """One sign-up of a batch: who, and the chat their reminders go to."""

    person_id: int
    chat_id: int


@dataclass(frozen=True)
class Tapper:
    """Who pressed a sign-up button, as far as signing up needs to know (see `tappers`)."""

    person_id: int
    language: str
    active: bool
    unreachable: bool = False  # Telegram answered 403 before (person.unreachable_at)


async def tappers(session: AsyncSession, telegram_ids: Collection[int]) -> dict[int, Tapper]:
    """The people behind these Telegram ids (one query, only the columns a sign-up needs);
    ids nobody has are missing from the result."""
    if not telegram_ids:
        return {}
    rows = await session.execute(
        select(
            Person.telegram_id, Person.id, Person.language, Person.status, Person.unreachable_at
        ).where(Person.telegram_id.in_(set(telegram_ids)))
    )
    return {
        tid: Tapper(pid, lang, status == PersonStatus.ACTIVE, gone is not None)
        for tid, pid, lang, status, gone in rows.all()
        if tid is not None
    }


async def enroll(
    session: AsyncSession,
    person_id: int,
    chat_id: int,
    session_id: int,
    now: datetime,
    policy: Policy,
) -> EnrollResult:
    """Sign up for a session: a seat if one is free, else the waiting list. Idempotent.

    `enroll_many` with one sign-up: five statements.
    """
    [result] = await enroll_many(session, session_id, [SignUp(person_id, chat_id)], now, policy)
    return result


@dataclass(frozen=True)
class SignUpOutcome:
    """What one press of a session's sign-up button came to."""

    lang: str | None  # None: not an active participant (the caller tells them why)
    result: EnrollResult | None = None
    problem: Literal["closed", "stale"] | None = None  # session over / no such session


async def sign_up_tappers(
    session: AsyncSession,
    session_id: int,
    telegram_ids: Sequence[int],
    now: datetime,
    policy: Policy,
) -> list[SignUpOutcome]:
    """The presses of one session's sign-up button that arrived together (one per Telegram
    id, in arrival order), in the caller's one transaction: the people looked up in one
    query, those who blocked the bot marked reachable again (they tap our buttons), then
    `enroll_many` for the active participants. One outcome per press, in order."""
    found = await tappers(session, list(telegram_ids))
    back = [tid for tid, tapper in found.items() if tapper.unreachable]
    if back:
        await people.mark_reachable(session, *back)
    sign_ups = [
        SignUp(found[tid].person_id, tid)
        for tid in telegram_ids
        if tid in found and found[tid].active
    ]
    problem: Literal["closed", "stale"] | None = None
    results: list[EnrollResult] = []
    try:  # both are raised before anything is written
        results = await enroll_many(session, session_id, sign_ups, now, policy)
    except SessionClosed:
        problem = "closed"
    except NotFound:
        problem = "stale"
    remaining = iter(results)
    outcomes = []
    for tid in telegram_ids:
        tapper = found.get(tid)
        if tapper is None or not tapper.active:
            outcomes.append(SignUpOutcome(None))
        elif problem is not None:
            outcomes.append(SignUpOutcome(tapper.language, problem=problem))
        else:
            outcomes.append(SignUpOutcome(tapper.language, next(remaining)))
    return outcomes


async def enroll_many(
    session: AsyncSession,
    session_id: int,
    sign_ups: Sequence[SignUp],
    now: datetime,
    policy: Policy,
) -> list[EnrollResult]:
    """Sign several people up for one session at once, in the order given (a group commit).

    Exactly as if each had called `enroll` in that order, one after another: the first ones
    get the free seats, the others join the waiting list behind everyone already on it, and a
    person who already has an active enrolment (or comes twice) gets it back as "already".
    Returns one result per sign-up, in the same order.

    This is the hot path of a rush on a popular date, so the whole batch costs what one
    sign-up costs: lock the session row (with its workshop), read the active enrolments of all
    the people, take all the seats in one conditional UPDATE, insert the enrolments (one
    multi-row INSERT, ids in arrival order), then their reminders, and one count for the
    waiting-list positions. Every enrolment is created under the session lock, so the unique
    index on active enrolments can only be hit by a bug: no savepoint is spent on catching it.
    """
    if not sign_ups:
        return []
    ws, workshop = await _lock_session_and_workshop(session, session_id)
    if ws.status != SessionStatus.SCHEDULED or ws.starts_at <= now:
        raise SessionClosed()
    # After the lock, in a statement of its own: on PostgreSQL it sees every enrolment
    # committed before the lock was granted (see _lock_session_and_workshop).
    existing: dict[int, Enrollment] = {
        e.person_id: e
        for e in await session.scalars(
            select(Enrollment).where(
                Enrollment.session_id == session_id,
                Enrollment.person_id.in_({s.person_id for s in sign_ups}),
                Enrollment.status.in_(ACTIVE_ENROLLMENT),
            )
        )
    }
    newcomers: list[SignUp] = []  # first taps of people without an active enrolment
    seen = set(existing)
    for sign_up in sign_ups:
        if sign_up.person_id not in seen:
            seen.add(sign_up.person_id)
            newcomers.append(sign_up)
    seats = min(max(0, ws.capacity - ws.seats_taken), len(newcomers))
    if seats and not await _take_seats(session, session_id, seats):
        seats = 0  # cannot happen under the lock; the database has the last word anyway
    if seats:
        # Keep the loaded row in step with the UPDATE without flushing it again.
        set_committed_value(ws, "seats_taken", ws.seats_taken + seats)
    created = await _insert_enrollments(
        session,
        [
            dict(
                session_id=session_id,
                person_id=sign_up.person_id,
                status=(
                    EnrollmentStatus.CONFIRMED if k < seats else EnrollmentStatus.WAITING
                ).value,
                created_at=now,
                confirmed_at=now if k < seats else None,
            )
            for k, sign_up in enumerate(newcomers)
        ],
    )
    existing.update((s.person_id, e) for s, e in zip(newcomers, created, strict=True))
    seated = [(e, s.chat_id) for s, e in zip(newcomers[:seats], created[:seats], strict=True)]
    await _schedule_reminders_many(session, seated, ws, now, policy)
    positions: dict[int, int] = {}  # enrolment id -> place on the waiting list (by id)
    waiting_new = sorted(created[seats:], key=lambda e: e.id)
    if waiting_new:
        first = await _position(session, waiting_new[0])
        positions.update((e.id, first + k) for k, e in enumerate(waiting_new))
    fresh = {e.id for e in created}
    results: list[EnrollResult] = []
    for sign_up in sign_ups:
        enrollment = existing[sign_up.person_id]
        outcome: Literal["confirmed", "waiting", "already"] = "already"
        if enrollment.id in fresh:
            fresh.discard(enrollment.id)  # a second tap in the same batch is "already"
            outcome = "confirmed" if enrollment.status == "confirmed" else "waiting"
        position = None
        if enrollment.status == EnrollmentStatus.WAITING:
            if enrollment.id not in positions:
                positions[enrollment.id] = await _position(session, enrollment)
            position = positions[enrollment.id]
        results.append(EnrollResult(enrollment, outcome, position, ws, workshop))
    return results


async def enroll_series(
    session: AsyncSession,
    person_id: int,
    chat_id: int,
    series_id: int,
    now: datetime,
    policy: Policy,
) -> list[tuple[WorkshopSession, EnrollResult]]:
    """Sign up for every upcoming session of a series (seat or waiting list for each)."""
    sessions = list(
        await session.scalars(
            select(WorkshopSession)
            .where(
                WorkshopSession.series_id == series_id,
                WorkshopSession.status == SessionStatus.SCHEDULED.value,
                WorkshopSession.starts_at > now,
            )
            .order_by(WorkshopSession.starts_at)
        )
    )
    if not sessions:
        raise SessionClosed()
    results = []
    for ws in sessions:
        results.append((ws, await enroll(session, person_id, chat_id, ws.id, now, policy)))
    return results


async def _booking_of(session: AsyncSession, enrollment: Enrollment) -> Booking:
    """The enrolment with its session and workshop."""
    ws = await session.get(WorkshopSession, enrollment.session_id)
    assert ws is not None
    return Booking(enrollment, ws, await get_workshop(session, ws.workshop_id))


async def _end(enrollment: Enrollment, status: EnrollmentStatus, now: datetime) -> None:
    enrollment.status = status
    enrollment.ended_at = now


async def cancel_enrollment(
    session: AsyncSession,
    person_id: int,
    enrollment_id: int,
    now: datetime,
    policy: Policy,
) -> Booking:
    """Give up a seat or a waiting-list place; a freed seat is offered to the next person."""
    enrollment = await people.own(session, Enrollment, enrollment_id, person_id)
    if enrollment.status not in ACTIVE_ENROLLMENT:
        raise OfferGone()
    ws = await _lock_session(session, enrollment.session_id)
    workshop = await get_workshop(session, ws.workshop_id)
    if enrollment.status == EnrollmentStatus.CONFIRMED:
        if now > ws.starts_at - timedelta(hours=ws.cancel_cutoff_hours):
            raise CutoffPassed()
    await _withdraw(session, enrollment, now, policy)
    await session.flush()
    return Booking(enrollment, ws, workshop)


async def _withdraw(
    session: AsyncSession, enrollment: Enrollment, now: datetime, policy: Policy
) -> None:
    """Cancel an active enrolment (its session row already locked): its pending messages go,
    and a seat it held is offered to the next person waiting."""
    holds_seat = enrollment.status in SEAT_HOLDING
    await _end(enrollment, EnrollmentStatus.CANCELLED, now)
    await outbox.cancel(session, kind=KIND_REMINDER, ref_id=enrollment.id)
    await outbox.cancel(session, kind=KIND_OFFER, ref_id=enrollment.id)
    await childcare.cancel_for_enrollment(session, enrollment.id, now=now, policy=policy)
    if holds_seat:
        await _release_seat(session, enrollment.session_id)
        await offer_free_seats(session, enrollment.session_id, now, policy)


async def offer_free_seats(
    session: AsyncSession, session_id: int, now: datetime, policy: Policy
) -> list[Enrollment]:
    """Offer every free seat to the first people waiting, in arrival order."""
    ws = await _lock_session(session, session_id)
    if ws.status != SessionStatus.SCHEDULED or ws.starts_at <= now:
        return []
    offered = []
    while True:
        first = await session.scalar(
            select(Enrollment)
            .where(
                Enrollment.session_id == session_id,
                Enrollment.status == EnrollmentStatus.WAITING.value,
            )
            .order_by(Enrollment.id)
            .limit(1)
        )
        if first is None or not await _take_seat(session, session_id):
            break
        first.status = EnrollmentStatus.OFFERED
        first.offered_at = now
        first.offer_expires_at = policy.offer_deadline(now, ws.starts_at)
        await session.flush()
        chat_id = await _chat_of(session, first.person_id)
        if chat_id is not None:
            await outbox.enqueue(
                session,
                chat_id=chat_id,
                person_id=first.person_id,
                kind=KIND_OFFER,
                ref_id=first.id,
                due_at=now,
                expires_at=first.offer_expires_at,
            )
        offered.append(first)
    return offered


async def _chat_of(session: AsyncSession, person_id: int) -> int | None:
    from models import Person

    return await session.scalar(select(Person.telegram_id).where(Person.id == person_id))


async def take_offer(
    session: AsyncSession,
    person_id: int,
    enrollment_id: int,
    now: datetime,
    policy: Policy,
) -> Booking:
    """Accept an offered seat before its deadline."""
    enrollment = await people.own(session, Enrollment, enrollment_id, person_id)
    if enrollment.status == EnrollmentStatus.CONFIRMED:
        return await _booking_of(session, enrollment)
    result = await session.execute(
        update(Enrollment)
        .where(
            Enrollment.id == enrollment_id,
            Enrollment.status == EnrollmentStatus.OFFERED.value,
            Enrollment.offer_expires_at > now,
        )
        .values(status=EnrollmentStatus.CONFIRMED.value, confirmed_at=now)
        .execution_options(synchronize_session=False)
    )
    if not rowcount(result):
        raise OfferGone()
    await session.refresh(enrollment)
    taken = await _booking_of(session, enrollment)
    chat_id = await _chat_of(session, person_id)
    if chat_id is not None:
        await _schedule_reminders(session, enrollment, taken.session, chat_id, now, policy)
    return taken


async def pass_offer(
    session: AsyncSession,
    person_id: int,
    enrollment_id: int,
    now: datetime,
    policy: Policy,
) -> Booking:
    """Decline an offered seat; it goes to the next person waiting."""
    enrollment = await people.own(session, Enrollment, enrollment_id, person_id)
    await _lock_session(session, enrollment.session_id)
    result = await session.execute(
        update(Enrollment)
        .where(
            Enrollment.id == enrollment_id,
            Enrollment.status == EnrollmentStatus.OFFERED.value,
        )
        .values(status=EnrollmentStatus.PASSED.value, ended_at=now)
        .execution_options(synchronize_session=False)
    )
    if not rowcount(result):
        raise OfferGone()
    await session.refresh(enrollment)
    await _release_seat(session, enrollment.session_id)
    await offer_free_seats(session, enrollment.session_id, now, policy)
    return await _booking_of(session, enrollment)


async def expire_offers(session: AsyncSession, now: datetime, policy: Policy) -> int:
    """Offers past their deadline go to the next person; waiting lists of started sessions end.

    Run by a scheduler job; returns how many enrolments it ended.
    """
    overdue_filter = (
        Enrollment.status == EnrollmentStatus.OFFERED.value,
        Enrollment.offer_expires_at <= now,
    )
    # Lock the sessions first (the same order every other seat change uses), then re-read
    # the offers: one taken or passed meanwhile is no longer overdue.
    session_ids = sorted(
        set(await session.scalars(select(Enrollment.session_id).where(*overdue_filter)))
    )
    for session_id in session_ids:
        await _lock_session(session, session_id)
    overdue = list(
        await session.scalars(
            select(Enrollment)
            .where(*overdue_filter)
            .order_by(Enrollment.id)
            .execution_options(populate_existing=True)
        )
    )
    touched: set[int] = set()
    for enrollment in overdue:
        await _end(enrollment, EnrollmentStatus.EXPIRED, now)
        await _release_seat(session, enrollment.session_id)
        touched.add(enrollment.session_id)
    await session.flush()
    for session_id in sorted(touched):
        await offer_free_seats(session, session_id, now, policy)
    started = await session.execute(
        update(Enrollment)
        .where(
            Enrollment.status == EnrollmentStatus.WAITING.value,
            Enrollment.session_id.in_(
                select(WorkshopSession.id).where(WorkshopSession.starts_at <= now)
            ),
        )
        .values(status=EnrollmentStatus.EXPIRED.value, ended_at=now)
        .execution_options(synchronize_session=False)
    )
    return len(overdue) + rowcount(started)


async def my_bookings(session: AsyncSession, person_id: int, now: datetime) -> list[Booking]:
    """Upcoming seats, offers and waiting-list places of one person, soonest first."""
    rows = await session.execute(
        select(Enrollment, WorkshopSession, Workshop)
        .join(WorkshopSession, WorkshopSession.id == Enrollment.session_id)
        .join(Workshop, Workshop.id == WorkshopSession.workshop_id)
        .where(
            Enrollment.person_id == person_id,
            Enrollment.status.in_(ACTIVE_ENROLLMENT),
            WorkshopSession.ends_at > now,
        )
        .order_by(WorkshopSession.starts_at, Enrollment.id)
    )
    bookings = []
    for enrollment, ws, workshop in rows.all():
        position = None
        if enrollment.status == EnrollmentStatus.WAITING:
            position = await _position(session, enrollment)
        bookings.append(Booking(enrollment, ws, workshop, position))
    return bookings


async def booking(session: AsyncSession, person_id: int, enrollment_id: int) -> Booking:
    """One of the person's own enrolments with its session and workshop."""
    enrollment = await people.own(session, Enrollment, enrollment_id, person_id)
    return await _booking_of(session, enrollment)


async def message_subject(
    session: AsyncSession, kind: str, person_id: int | None, enrollment_id: int | None
) -> tuple[Person, Booking] | None:
    """The recipient and the booking a queued workshop message (`kind`) is about, if it is
    still wanted at send time: the person still active and reachable, the booking theirs and,
    for a reminder, still a confirmed seat at a scheduled session, for an offer still open.
    None means the message is dropped."""
    if person_id is None or enrollment_id is None:
        return None
    person = await session.get(Person, person_id)
    if person is None or person.telegram_id is None or person.status != PersonStatus.ACTIVE:
        return None
    try:
        found = await booking(session, person.id, enrollment_id)
    except NotFound:
        return None
    status = found.enrollment.status
    if kind == KIND_REMINDER and (
        status != EnrollmentStatus.CONFIRMED or found.session.status != SessionStatus.SCHEDULED
    ):
        return None
    if kind == KIND_OFFER and (
        status != EnrollmentStatus.OFFERED or found.enrollment.offer_expires_at is None
    ):
        return None
    return person, found


async def history(session: AsyncSession, person_id: int, now: datetime) -> list[Booking]:
    """Past sessions the person had a seat in, newest first, with attendance as marked."""
    rows = await session.execute(
        select(Enrollment, WorkshopSession, Workshop)
        .join(WorkshopSession, WorkshopSession.id == Enrollment.session_id)
        .join(Workshop, Workshop.id == WorkshopSession.workshop_id)
        .where(
            Enrollment.person_id == person_id,
            Enrollment.status == EnrollmentStatus.CONFIRMED.value,
            WorkshopSession.starts_at <= now,
        )
        .order_by(WorkshopSession.starts_at.desc())
        .limit(20)
    )
    return [Booking(e, s, w) for e, s, w in rows.all()]


async def withdraw_person(
    session: AsyncSession, person_id: int, now: datetime, policy: Policy
) -> int:
    """End every active enrolment of a person who deletes their data (cut-off ignored);
    freed seats are offered to the next people. Returns how many were ended."""
    return len(await _withdraw_all(session, person_id, now, policy))


async def withdraw_future(
    session: AsyncSession, person_id: int, now: datetime, policy: Policy
) -> list[EnrollmentStatus]:
    """End a deactivated person's active enrolments in sessions not started yet (cut-off
    ignored, nobody told but the people waiting: each freed seat is offered to the next).
    Returns the statuses they had (confirmed, offered, waiting), one per enrolment."""
    return await _withdraw_all(session, person_id, now, policy, starting_after=now)


async def _withdraw_all(
    session: AsyncSession,
    person_id: int,
    now: datetime,
    policy: Policy,
    *,
    starting_after: datetime | None = None,
) -> list[EnrollmentStatus]:
    query = select(Enrollment).where(
        Enrollment.person_id == person_id, Enrollment.status.in_(ACTIVE_ENROLLMENT)
    )
    if starting_after is not None:
        query = query.join(WorkshopSession, WorkshopSession.id == Enrollment.session_id).where(
            WorkshopSession.starts_at > starting_after
        )
    active = list(await session.scalars(query.order_by(Enrollment.id)))
    statuses = []
    for enrollment in active:
        await _lock_session(session, enrollment.session_id)
        await session.refresh(enrollment)  # the lock may have waited for another change
        if enrollment.status not in ACTIVE_ENROLLMENT:
            continue
        statuses.append(enrollment.status)
        await _withdraw(session, enrollment, now, policy)
    await session.flush()
    return statuses
