"""Staff work on workshops: session lists, rosters, attendance, capacity, cancellation.

Every function re-checks the acting staff member's role and writes an audit entry for changes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    ACTIVE_ENROLLMENT,
    Enrollment,
    EnrollmentStatus,
    Person,
    Role,
    SessionStatus,
    Workshop,
    WorkshopGroup,
    WorkshopSession,
)
from models.db import rowcount
from services import audit, childcare, outbox, people
from services.errors import InvalidInput, NotFound
from services.policy import Policy
from services.workshops import (
    KIND_OFFER,
    KIND_REMINDER,
    KIND_SESSION_CANCELLED,
    SessionClosed,
    _lock_session,
    offer_free_seats,
)

WORKSHOP_STAFF = (Role.ADMIN.value, Role.COORDINATOR.value)


@dataclass(frozen=True)
class RosterEntry:
    """One person on a session's list, as staff see it."""

    enrollment: Enrollment
    name: str


@dataclass(frozen=True)
class Roster:
    """Who holds a seat, who has an open offer and who waits, for one session."""

    session: WorkshopSession
    workshop: Workshop
    confirmed: list[RosterEntry]
    offered: list[RosterEntry]
    waiting: list[RosterEntry]


async def sessions_ahead(
    session: AsyncSession, actor_tid: int, now: datetime, days: int = 14
) -> list[tuple[WorkshopSession, Workshop]]:
    """Sessions from the start of today for `days` days, cancelled ones included."""
    await people.require_role(session, actor_tid, WORKSHOP_STAFF)
    rows = await session.execute(
        select(WorkshopSession, Workshop)
        .join(Workshop, Workshop.id == WorkshopSession.workshop_id)
        .where(
            WorkshopSession.ends_at > now - timedelta(hours=12),
            WorkshopSession.starts_at < now + timedelta(days=days),
        )
        .order_by(WorkshopSession.starts_at)
        .limit(40)
    )
    return [(ws, w) for ws, w in rows.all()]


async def roster(session: AsyncSession, actor_tid: int, session_id: int) -> Roster:
    """The lists of one session, in arrival order."""
    await people.require_role(session, actor_tid, WORKSHOP_STAFF)
    ws = await session.get(WorkshopSession, session_id, populate_existing=True)
    if ws is None:
        raise NotFound()
    workshop = await session.get(Workshop, ws.workshop_id)
    assert workshop is not None
    rows = await session.execute(
        select(Enrollment, Person.display_name)
        .join(Person, Person.id == Enrollment.person_id)
        .where(Enrollment.session_id == session_id, Enrollment.status.in_(ACTIVE_ENROLLMENT))
        .order_by(Enrollment.id)
        .execution_options(populate_existing=True)
    )
    lists: dict[str, list[RosterEntry]] = {s: [] for s in ACTIVE_ENROLLMENT}
    for enrollment, name in rows.all():
        lists[enrollment.status].append(RosterEntry(enrollment, name or "—"))
    return Roster(
        ws,
        workshop,
        lists[EnrollmentStatus.CONFIRMED.value],
        lists[EnrollmentStatus.OFFERED.value],
        lists[EnrollmentStatus.WAITING.value],
    )


async def toggle_attendance(
    session: AsyncSession, actor_tid: int, enrollment_id: int, now: datetime
) -> Enrollment:
    """Flip "came" / "did not come" for a confirmed seat (unmarked counts as not yet came);
    the enrolment as it is now (its session is the roster to show again)."""
    actor = await people.require_role(session, actor_tid, WORKSHOP_STAFF)
    enrollment = await session.get(Enrollment, enrollment_id, populate_existing=True)
    if enrollment is None or enrollment.status != EnrollmentStatus.CONFIRMED:
        raise NotFound()
    enrollment.attended = not bool(enrollment.attended)
    enrollment.attendance_marked_at = now
    await session.flush()
    await audit.record_action(
        session,
        actor.id,
        "attendance.present" if enrollment.attended else "attendance.absent",
        "enrollment",
        enrollment.id,
    )
    return enrollment


async def mark_rest_absent(
    session: AsyncSession, actor_tid: int, session_id: int, now: datetime
) -> int:
    """Record everyone not marked yet as a no-show (supportive record only, never a ban)."""
    actor = await people.require_role(session, actor_tid, WORKSHOP_STAFF)
    result = await session.execute(
        update(Enrollment)
        .where(
            Enrollment.session_id == session_id,
            Enrollment.status == EnrollmentStatus.CONFIRMED.value,
            Enrollment.attended.is_(None),
        )
        .values(attended=False, attendance_marked_at=now)
        .execution_options(synchronize_session=False)
    )
    await audit.record_action(session, actor.id, "attendance.rest_absent", "session", session_id)
    return rowcount(result)


async def cancel_session(
    session: AsyncSession, actor_tid: int, session_id: int, now: datetime, policy: Policy
) -> int:
    """Cancel a session: everyone with a seat, an offer or a waiting place is told (outbox)."""
    actor = await people.require_role(session, actor_tid, WORKSHOP_STAFF)
    ws = await _lock_session(session, session_id)
    if ws.status == SessionStatus.CANCELLED:
        raise SessionClosed()
    affected = list(
        await session.scalars(
            select(Enrollment).where(
                Enrollment.session_id == session_id, Enrollment.status.in_(ACTIVE_ENROLLMENT)
            )
        )
    )
    ws.status = SessionStatus.CANCELLED
    ws.cancelled_at = now
    ws.seats_taken = 0
    for enrollment in affected:
        enrollment.status = EnrollmentStatus.SESSION_CANCELLED
        enrollment.ended_at = now
        await outbox.cancel(session, kind=KIND_REMINDER, ref_id=enrollment.id)
        await outbox.cancel(session, kind=KIND_OFFER, ref_id=enrollment.id)
        await childcare.cancel_for_enrollment(session, enrollment.id, now=now, policy=policy)
        chat_id = await session.scalar(
            select(Person.telegram_id).where(Person.id == enrollment.person_id)
        )
        if chat_id is not None:
            await outbox.enqueue(
                session,
                chat_id=chat_id,
                person_id=enrollment.person_id,
                kind=KIND_SESSION_CANCELLED,
                ref_id=enrollment.id,
                due_at=now,
                expires_at=ws.starts_at,
            )
    await session.flush()
    await audit.record_action(session, actor.id, "session.cancel", "session", session_id)
    return len(affected)


async def change_capacity(
    session: AsyncSession,
    actor_tid: int,
    session_id: int,
    capacity: int,
    now: datetime,
    policy: Policy,
) -> WorkshopSession:
    """Set a session's capacity (not below the seats already taken); new seats are offered
    to the waiting list in order."""
    actor = await people.require_role(session, actor_tid, WORKSHOP_STAFF)
    ws = await _lock_session(session, session_id)
    if capacity < ws.seats_taken or capacity > 1000:
        raise InvalidInput("ws-capacity-invalid")
    try:
        # The session row is locked, so the check above holds; the database's CHECK
        # (seats_taken <= capacity) is the backstop and answers as the same refusal.
        async with session.begin_nested():
            ws.capacity = capacity
            await session.flush()
    except IntegrityError as exc:
        raise InvalidInput("ws-capacity-invalid") from exc
    await offer_free_seats(session, session_id, now, policy)
    await audit.record_action(session, actor.id, "session.capacity", "session", session_id)
    return ws


EDITABLE_FIELDS = ("title_pl", "description_pl", "place")
_SESSION_LINE = re.compile(
    r"^\s*(?P<date>\d{4}-\d{2}-\d{2}|\d{1,2}\.\d{1,2}\.\d{4})\s+"
    r"(?P<start>\d{1,2}[:.]\d{2})\s*[-–]\s*(?P<end>\d{1,2}[:.]\d{2})"
    r"(?:\s+(?P<capacity>\d{1,4}))?(?:\s+(?P<place>\S.{0,199}?))?\s*$"
)


def slugify(title: str) -> str:
    """A URL-safe slug from a Polish title ("Szkoła dla rodziców" → "szkola-dla-rodzicow")."""
    table = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")
    ascii_title = unicodedata.normalize("NFKD", title.translate(table))
    ascii_title = ascii_title.encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return (slug or "warsztat")[:56]


@dataclass(frozen=True)
class SessionLine:
    """A date typed by staff: start and end in UTC, optional capacity and place."""

    starts_at: datetime
    ends_at: datetime
    capacity: int | None
    place: str | None


def parse_session_line(text: str, tz: ZoneInfo, now: datetime) -> SessionLine:
    """Parse "2027-03-02 17:00-19:00 12 MOPS Wejherowo": a date ("2.03.2027" works too),
    local hours, then optionally seats and a place."""
    match = _SESSION_LINE.match(text)
    if match is None:
        raise InvalidInput("sw-session-format")
    raw_date = match["date"]
    try:
        if "." in raw_date:
            day, month, year = (int(x) for x in raw_date.split("."))
        else:
            year, month, day = (int(x) for x in raw_date.split("-"))
        start_h, start_m = (int(x) for x in re.split("[:.]", match["start"]))
        end_h, end_m = (int(x) for x in re.split("[:.]", match["end"]))
        starts = datetime(year, month, day, start_h, start_m, tzinfo=tz)
        ends = datetime(year, month, day, end_h, end_m, tzinfo=tz)
    except ValueError as exc:
        raise InvalidInput("sw-session-format") from exc
    if ends <= starts:
        raise InvalidInput("sw-session-end-before-start")
    if starts <= now:
        raise InvalidInput("sw-session-in-past")
    capacity = int(match["capacity"]) if match["capacity"] else None
    if capacity is not None and capacity > 1000:
        raise InvalidInput("ws-capacity-invalid")
    place = match["place"].strip() if match["place"] else None
    return SessionLine(starts.astimezone(UTC), ends.astimezone(UTC), capacity, place)


async def create_workshop(
    session: AsyncSession, actor_tid: int, group: str, title_pl: str
) -> Workshop:
    """A new workshop with a Polish title (other languages fall back to it until translated)."""
    actor = await people.require_role(session, actor_tid, WORKSHOP_STAFF)
    title = " ".join(title_pl.split())
    if not title or len(title) > 120 or title.startswith("/"):
        raise InvalidInput("sw-title-invalid")
    if group not in {g.value for g in WorkshopGroup}:
        raise InvalidInput("sw-title-invalid")
    base = slugify(title)
    slug, n = base, 1
    while await session.scalar(select(Workshop.id).where(Workshop.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    workshop = Workshop(
        slug=slug,
        group_key=group,
        title_pl=title,
        title_uk="",
        title_en="",
        description_pl="",
        description_uk="",
        description_en="",
        place="",
    )
    session.add(workshop)
    await session.flush()
    await audit.record_action(session, actor.id, "workshop.create", "workshop", workshop.id)
    return workshop


async def edit_workshop(
    session: AsyncSession, actor_tid: int, workshop_id: int, field: str, value: str
) -> Workshop:
    """Change a workshop's Polish title, Polish description or place."""
    actor = await people.require_role(session, actor_tid, WORKSHOP_STAFF)
    if field not in EDITABLE_FIELDS:
        raise NotFound()
    workshop = await session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound()
    text = value.strip()
    limit = 120 if field == "title_pl" else 200 if field == "place" else 1500
    if not text or len(text) > limit or text.startswith("/"):
        raise InvalidInput("sw-title-invalid")
    setattr(workshop, field, text)
    await session.flush()
    await audit.record_action(session, actor.id, f"workshop.edit.{field}", "workshop", workshop_id)
    return workshop


async def add_session(
    session: AsyncSession, actor_tid: int, workshop_id: int, line: SessionLine
) -> WorkshopSession:
    """A new date for a workshop (capacity, place and cut-off default to the workshop's)."""
    actor = await people.require_role(session, actor_tid, WORKSHOP_STAFF)
    workshop = await session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound()
    ws = WorkshopSession(
        workshop_id=workshop_id,
        starts_at=line.starts_at,
        ends_at=line.ends_at,
        place=line.place,
        capacity=workshop.default_capacity if line.capacity is None else line.capacity,
        cancel_cutoff_hours=workshop.cancel_cutoff_hours,
    )
    try:
        async with session.begin_nested():
            session.add(ws)
            await session.flush()
    except IntegrityError as exc:
        raise InvalidInput("sw-session-exists") from exc
    await audit.record_action(session, actor.id, "session.add", "session", ws.id)
    return ws


async def all_workshops(session: AsyncSession, actor_tid: int) -> list[Workshop]:
    """Every workshop (active or not), by group and title, for the staff catalogue screen."""
    await people.require_role(session, actor_tid, WORKSHOP_STAFF)
    rows = await session.scalars(select(Workshop).order_by(Workshop.group_key, Workshop.title_pl))
    return list(rows)
