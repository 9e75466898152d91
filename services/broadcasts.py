"""Staff broadcasts: compose an announcement, choose its audience, queue one outbox row per
recipient, stop it, and report on its delivery.

Only coordinators and admins may broadcast; every call re-checks the role (`require_role`).
A draft is edited by its author only; any coordinator or admin may see reports and stop a
running broadcast. Recipients are written as `outbox_message` rows (kind "broadcast") in the
confirming transaction, one per chat (a partial unique index), so a double confirmation, a
retry or a restart never sends anyone the same broadcast twice. The outbox statuses are the
report: sent = delivered, blocked = unreachable (403), failed/expired = failed, cancelled =
not sent on purpose (stopped, or the person left).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    SEAT_HOLDING,
    AudienceKind,
    Broadcast,
    BroadcastStatus,
    ConsultationBooking,
    ConsultationStatus,
    Enrollment,
    EnrollmentStatus,
    MediaKind,
    OutboxMessage,
    OutboxStatus,
    Person,
    PersonStatus,
    Role,
    SessionStatus,
    Slot,
    Workshop,
    WorkshopSession,
)
from models.db import rowcount
from models.outbox import KIND_BROADCAST, PRIORITY_BULK
from services import audit, people
from services import outbox as outbox_service
from services.errors import AlreadyDecided, InvalidInput, NotFound
from services.policy import Policy
from services.reminder_time import after_quiet_hours, local_to_utc

KIND = KIND_BROADCAST
MANAGERS = people.APPROVER_ROLES
LANGUAGES = ("pl", "uk", "en")
TEXT_LIMIT = 4096  # Telegram's limit for a message text (after entities are parsed)
CAPTION_LIMIT = 1024  # ... and for a photo's or document's caption
MAX_RANGE_DAYS = 92
MAX_SCHEDULE_DAYS = 90
INSERT_CHUNK = 1000  # recipient rows per INSERT statement
LIVE = (BroadcastStatus.SENDING.value, BroadcastStatus.STOPPED.value)
CONFIRMED = (
    BroadcastStatus.SCHEDULED.value,
    BroadcastStatus.SENDING.value,
    BroadcastStatus.STOPPED.value,
)
_TAG = re.compile(r"<[^>]+>")
_DAY = r"(\d{1,2})\.(\d{1,2})(?:\.(\d{4}))?"
_RANGE = re.compile(rf"^\s*{_DAY}\s*(?:(?:[-–—]|do|to|по)?\s*{_DAY})?\s*$", re.IGNORECASE)
_WHEN = re.compile(
    r"^\s*(?:(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})\.(\d{1,2})(?:\.(\d{4}))?)\s+"
    r"(\d{1,2})[:.](\d{2})\s*$"
)


@dataclass(frozen=True)
class Audience:
    """Who a broadcast goes to (see AudienceKind)."""

    kind: str
    ref: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    language: str | None = None

    @classmethod
    def of(cls, broadcast: Broadcast) -> Audience | None:
        """The audience stored on a broadcast, or None when not chosen yet."""
        if broadcast.audience_kind is None:
            return None
        return cls(
            broadcast.audience_kind,
            broadcast.audience_ref,
            broadcast.audience_from,
            broadcast.audience_to,
            broadcast.audience_language,
        )


@dataclass(frozen=True)
class AudienceCount:
    """How many people an audience reaches now, and how many it leaves out as unreachable."""

    recipients: int
    unreachable: int


@dataclass(frozen=True)
class Report:
    """A broadcast's delivery so far, from its outbox rows."""

    total: int = 0
    delivered: int = 0
    unreachable: int = 0
    failed: int = 0
    cancelled: int = 0
    waiting: int = 0  # pending, claimed or being sent
    retrying: int = 0  # waiting after a failed attempt (429, 5xx, timeout)

    @property
    def done(self) -> int:
        """Recipients whose row is final."""
        return self.total - self.waiting

    @property
    def finished(self) -> bool:
        """Nothing is left to send."""
        return self.waiting == 0


@dataclass(frozen=True)
class Failure:
    """One recipient the broadcast did not reach, for the author's list."""

    person_id: int | None
    name: str | None
    status: str  # blocked, failed or expired
    error: str | None


@dataclass(frozen=True)
class Summary:
    """A broadcast with its report, for the list of past broadcasts."""

    broadcast: Broadcast
    report: Report = field(default_factory=Report)


@dataclass(frozen=True)
class Target:
    """A workshop or a date to pick as an audience, with how many people it reaches."""

    id: int
    workshop: Workshop
    starts_at: datetime | None
    people: int


# ----------------------------------------------------------------- texts


def plain_length(text_html: str) -> int:
    """The length Telegram counts for an HTML text (tags removed, entities decoded)."""
    return len(html.unescape(_TAG.sub("", text_html)))


def preview(text_html: str, limit: int = 160) -> str:
    """The start of a text as plain text (escaped again for HTML), for cards and lists."""
    plain = " ".join(html.unescape(_TAG.sub("", text_html)).split())
    if len(plain) > limit:
        plain = plain[: limit - 1] + "…"
    return html.escape(plain)


def _limit(broadcast: Broadcast) -> int:
    return CAPTION_LIMIT if broadcast.media_kind else TEXT_LIMIT


# ----------------------------------------------------------------- drafts


async def _manager(session: AsyncSession, actor_tid: int) -> Person:
    return await people.require_role(session, actor_tid, MANAGERS)


async def _get(session: AsyncSession, broadcast_id: int, *, lock: bool = False) -> Broadcast:
    stmt = select(Broadcast).where(Broadcast.id == broadcast_id)
    if lock:
        stmt = stmt.with_for_update()
    broadcast = await session.scalar(stmt)
    if broadcast is None:
        raise NotFound()
    return broadcast


async def _draft(session: AsyncSession, actor_tid: int, broadcast_id: int) -> Broadcast:
    """The actor's own draft; NotFound for someone else's, AlreadyDecided once confirmed."""
    actor = await _manager(session, actor_tid)
    broadcast = await _get(session, broadcast_id, lock=True)
    if broadcast.author_id != actor.id:
        raise NotFound()
    if broadcast.status != BroadcastStatus.DRAFT:
        raise AlreadyDecided()
    return broadcast


async def create_draft(session: AsyncSession, actor_tid: int) -> Broadcast:
    """A new, empty draft by the acting coordinator or admin."""
    actor = await _manager(session, actor_tid)
    broadcast = Broadcast(
        author_id=actor.id, status=BroadcastStatus.DRAFT, text_pl="", urgent=False
    )
    session.add(broadcast)
    await session.flush()
    return broadcast


async def latest_draft(session: AsyncSession, actor_tid: int) -> Broadcast | None:
    """The actor's most recent unfinished draft, if any."""
    actor = await _manager(session, actor_tid)
    draft: Broadcast | None = await session.scalar(
        select(Broadcast)
        .where(Broadcast.author_id == actor.id, Broadcast.status == BroadcastStatus.DRAFT.value)
        .order_by(Broadcast.created_at.desc(), Broadcast.id.desc())
        .limit(1)
    )
    return draft


async def get_draft(session: AsyncSession, actor_tid: int, broadcast_id: int) -> Broadcast:
    """The actor's own draft, for its card."""
    return await _draft(session, actor_tid, broadcast_id)


async def get(session: AsyncSession, actor_tid: int, broadcast_id: int) -> Broadcast:
    """Any confirmed broadcast (or the actor's own draft), for coordinators and admins."""
    actor = await _manager(session, actor_tid)
    broadcast = await _get(session, broadcast_id)
    if broadcast.status == BroadcastStatus.DRAFT and broadcast.author_id != actor.id:
        raise NotFound()
    return broadcast


async def set_text(
    session: AsyncSession, actor_tid: int, broadcast_id: int, language: str, text_html: str
) -> Broadcast:
    """The main (Polish) text or the Ukrainian/English version, as Telegram HTML."""
    broadcast = await _draft(session, actor_tid, broadcast_id)
    if language not in LANGUAGES:
        raise NotFound()
    text = text_html.strip()
    length = plain_length(text)
    if length == 0 or text.startswith("/"):
        raise InvalidInput("bc-text-empty")
    if length > _limit(broadcast):
        raise InvalidInput("bc-caption-too-long" if broadcast.media_kind else "bc-text-too-long")
    setattr(broadcast, f"text_{language}", text)
    await session.flush()
    return broadcast


async def remove_version(
    session: AsyncSession, actor_tid: int, broadcast_id: int, language: str
) -> Broadcast:
    """Drop the Ukrainian or English version (those people get the Polish text)."""
    broadcast = await _draft(session, actor_tid, broadcast_id)
    if language not in ("uk", "en"):
        raise NotFound()
    setattr(broadcast, f"text_{language}", None)
    await session.flush()
    return broadcast


async def set_media(
    session: AsyncSession,
    actor_tid: int,
    broadcast_id: int,
    kind: str,
    file_id: str,
    caption_html: str | None = None,
) -> Broadcast:
    """Attach a photo or a document (Telegram's file_id); its caption, if any, becomes the main
    text. With an attachment every text must fit in a caption (1024 characters)."""
    broadcast = await _draft(session, actor_tid, broadcast_id)
    if kind not in {m.value for m in MediaKind} or not file_id or len(file_id) > 255:
        raise InvalidInput("bc-media-invalid")
    caption = (caption_html or "").strip()
    texts = [caption or broadcast.text_pl, broadcast.text_uk, broadcast.text_en]
    if any(text and plain_length(text) > CAPTION_LIMIT for text in texts):
        raise InvalidInput("bc-caption-too-long")
    broadcast.media_kind = MediaKind(kind)
    broadcast.media_file_id = file_id
    if caption:
        broadcast.text_pl = caption
    await session.flush()
    return broadcast


async def remove_media(session: AsyncSession, actor_tid: int, broadcast_id: int) -> Broadcast:
    """Send the text alone."""
    broadcast = await _draft(session, actor_tid, broadcast_id)
    broadcast.media_kind = None
    broadcast.media_file_id = None
    await session.flush()
    return broadcast


async def set_audience(
    session: AsyncSession, actor_tid: int, broadcast_id: int, audience: Audience, now: datetime
) -> Broadcast:
    """Choose who gets it; the workshop or date must exist (and lie ahead)."""
    broadcast = await _draft(session, actor_tid, broadcast_id)
    kind = audience.kind
    values: dict[str, Any] = {"ref": None, "date_from": None, "date_to": None, "language": None}
    if kind == AudienceKind.ALL.value:
        pass
    elif kind == AudienceKind.LANGUAGE.value:
        if audience.language not in LANGUAGES:
            raise NotFound()
        values["language"] = audience.language
    elif kind == AudienceKind.WORKSHOP.value:
        if audience.ref is None or await session.get(Workshop, audience.ref) is None:
            raise NotFound()
        values["ref"] = audience.ref
    elif kind in (AudienceKind.SESSION.value, AudienceKind.WAITLIST.value):
        ws = await session.get(WorkshopSession, audience.ref) if audience.ref else None
        if ws is None or ws.status != SessionStatus.SCHEDULED or ws.ends_at <= now:
            raise NotFound()
        values["ref"] = audience.ref
    elif kind == AudienceKind.DATES.value:
        start, end = audience.date_from, audience.date_to
        if start is None or end is None or end < start:
            raise InvalidInput("bc-dates-format")
        if (end - start).days > MAX_RANGE_DAYS:
            raise InvalidInput("bc-dates-too-long")
        values["date_from"], values["date_to"] = start, end
    else:
        raise NotFound()
    broadcast.audience_kind = AudienceKind(kind)
    broadcast.audience_ref = values["ref"]
    broadcast.audience_from = values["date_from"]
    broadcast.audience_to = values["date_to"]
    broadcast.audience_language = values["language"]
    await session.flush()
    return broadcast


async def set_send_at(
    session: AsyncSession,
    actor_tid: int,
    broadcast_id: int,
    send_at: datetime | None,
    now: datetime,
) -> Broadcast:
    """Send later (a moment within 90 days), or as soon as confirmed (None)."""
    broadcast = await _draft(session, actor_tid, broadcast_id)
    if send_at is not None:
        if send_at <= now:
            raise InvalidInput("bc-when-past")
        if send_at > now + timedelta(days=MAX_SCHEDULE_DAYS):
            raise InvalidInput("bc-when-too-far")
    broadcast.send_at = send_at
    await session.flush()
    return broadcast


async def toggle_urgent(session: AsyncSession, actor_tid: int, broadcast_id: int) -> Broadcast:
    """Urgent announcements are sent during quiet hours too."""
    broadcast = await _draft(session, actor_tid, broadcast_id)
    broadcast.urgent = not broadcast.urgent
    await session.flush()
    return broadcast


async def discard(session: AsyncSession, actor_tid: int, broadcast_id: int) -> None:
    """Throw a draft away (kept as 'discarded' only for the audit trail, texts emptied)."""
    broadcast = await _draft(session, actor_tid, broadcast_id)
    actor = await _manager(session, actor_tid)
    broadcast.status = BroadcastStatus.DISCARDED
    broadcast.text_pl, broadcast.text_uk, broadcast.text_en = "", None, None
    broadcast.media_kind = broadcast.media_file_id = None
    await session.flush()
    await audit.record_action(session, actor.id, "broadcast.discard", "broadcast", broadcast.id)


# ----------------------------------------------------------------- audiences


def local_day_bounds(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) local, as UTC instants."""
    low = local_to_utc(start, time(0, 0), tz)
    high = local_to_utc(end + timedelta(days=1), time(0, 0), tz)
    assert low is not None and high is not None
    return low, high


def _reachable_participants() -> tuple[Any, ...]:
    return (
        Person.role == Role.PARTICIPANT.value,
        Person.status == PersonStatus.ACTIVE.value,
        Person.telegram_id.is_not(None),
    )


def _audience_query(audience: Audience, now: datetime, tz: ZoneInfo) -> Any:
    """(person id, telegram id, unreachable_at) of everyone the audience reaches, once each."""
    base = select(Person.id, Person.telegram_id, Person.unreachable_at).where(
        *_reachable_participants()
    )
    kind = audience.kind
    if kind == AudienceKind.ALL.value:
        return base
    if kind == AudienceKind.LANGUAGE.value:
        return base.where(Person.language == audience.language)
    if kind in (AudienceKind.SESSION.value, AudienceKind.WAITLIST.value):
        statuses = (
            (EnrollmentStatus.WAITING.value,)
            if kind == AudienceKind.WAITLIST.value
            else SEAT_HOLDING
        )
        ids = select(Enrollment.person_id).where(
            Enrollment.session_id == audience.ref, Enrollment.status.in_(statuses)
        )
        return base.where(Person.id.in_(ids))
    if kind == AudienceKind.WORKSHOP.value:
        ids = (
            select(Enrollment.person_id)
            .join(WorkshopSession, WorkshopSession.id == Enrollment.session_id)
            .where(
                WorkshopSession.workshop_id == audience.ref,
                WorkshopSession.status == SessionStatus.SCHEDULED.value,
                WorkshopSession.ends_at > now,
                Enrollment.status.in_(SEAT_HOLDING),
            )
        )
        return base.where(Person.id.in_(ids))
    if kind == AudienceKind.DATES.value:
        assert audience.date_from is not None and audience.date_to is not None
        low, high = local_day_bounds(audience.date_from, audience.date_to, tz)
        seats = (
            select(Enrollment.person_id)
            .join(WorkshopSession, WorkshopSession.id == Enrollment.session_id)
            .where(
                WorkshopSession.status == SessionStatus.SCHEDULED.value,
                WorkshopSession.starts_at >= low,
                WorkshopSession.starts_at < high,
                Enrollment.status.in_(SEAT_HOLDING),
            )
        )
        consultations = (
            select(ConsultationBooking.person_id)
            .join(Slot, Slot.id == ConsultationBooking.slot_id)
            .where(
                ConsultationBooking.status == ConsultationStatus.BOOKED.value,
                Slot.starts_at >= low,
                Slot.starts_at < high,
            )
        )
        return base.where(or_(Person.id.in_(seats), Person.id.in_(consultations)))
    raise NotFound()


async def _audience_rows(
    session: AsyncSession, audience: Audience, now: datetime, tz: ZoneInfo
) -> tuple[list[tuple[int, int]], int]:
    rows = (await session.execute(_audience_query(audience, now, tz))).all()
    reachable = [(pid, tid) for pid, tid, gone in rows if gone is None]
    return reachable, len(rows) - len(reachable)


async def count_audience(
    session: AsyncSession, actor_tid: int, audience: Audience, now: datetime, tz: ZoneInfo
) -> AudienceCount:
    """How many people would get it now (and how many are left out: they blocked the bot)."""
    await _manager(session, actor_tid)
    reachable, unreachable = await _audience_rows(session, audience, now, tz)
    return AudienceCount(len(reachable), unreachable)


async def workshop_targets(session: AsyncSession, actor_tid: int, now: datetime) -> list[Target]:
    """Workshops with an upcoming date and how many people hold seats in them."""
    await _manager(session, actor_tid)
    rows = await session.execute(
        select(Workshop, func.count(func.distinct(Enrollment.person_id)))
        .join(WorkshopSession, WorkshopSession.workshop_id == Workshop.id)
        .outerjoin(
            Enrollment,
            and_(Enrollment.session_id == WorkshopSession.id, Enrollment.status.in_(SEAT_HOLDING)),
        )
        .where(
            WorkshopSession.status == SessionStatus.SCHEDULED.value,
            WorkshopSession.ends_at > now,
        )
        .group_by(Workshop.id)
        .order_by(Workshop.title_pl)
    )
    return [Target(w.id, w, None, int(n)) for w, n in rows.all()]


async def session_targets(
    session: AsyncSession, actor_tid: int, now: datetime, *, waiting: bool, limit: int = 20
) -> list[Target]:
    """Upcoming dates with their seat holders (or, with `waiting`, their waiting lists; only
    dates that have one)."""
    await _manager(session, actor_tid)
    statuses = (EnrollmentStatus.WAITING.value,) if waiting else SEAT_HOLDING
    count = func.count(Enrollment.id)
    stmt = (
        select(WorkshopSession, Workshop, count)
        .join(Workshop, Workshop.id == WorkshopSession.workshop_id)
        .outerjoin(
            Enrollment,
            and_(Enrollment.session_id == WorkshopSession.id, Enrollment.status.in_(statuses)),
        )
        .where(
            WorkshopSession.status == SessionStatus.SCHEDULED.value,
            WorkshopSession.ends_at > now,
        )
        .group_by(WorkshopSession.id, Workshop.id)
        .order_by(WorkshopSession.starts_at, WorkshopSession.id)
        .limit(limit)
    )
    if waiting:
        stmt = stmt.having(count > 0)
    rows = await session.execute(stmt)
    return [Target(ws.id, w, ws.starts_at, int(n)) for ws, w, n in rows.all()]


async def describe_target(session: AsyncSession, audience: Audience) -> Target | None:
    """The workshop or date an audience names (for the card), or None."""
    if audience.ref is None:
        return None
    if audience.kind == AudienceKind.WORKSHOP.value:
        workshop = await session.get(Workshop, audience.ref)
        return Target(workshop.id, workshop, None, 0) if workshop else None
    if audience.kind in (AudienceKind.SESSION.value, AudienceKind.WAITLIST.value):
        ws = await session.get(WorkshopSession, audience.ref)
        if ws is None:
            return None
        workshop = await session.get(Workshop, ws.workshop_id)
        assert workshop is not None
        return Target(ws.id, workshop, ws.starts_at, 0)
    return None


# ----------------------------------------------------------------- typed dates and times


def _year_for(day: int, month: int, year: int | None, today: date) -> date:
    """A typed day.month (year optional: this year, or next when that day has passed)."""
    if year is not None:
        return date(year, month, day)
    candidate = date(today.year, month, day)
    if candidate < today - timedelta(days=1):
        candidate = date(today.year + 1, month, day)
    return candidate


def parse_date_range(text: str, today: date) -> tuple[date, date]:
    """ "3.12-10.12", "3.12.2026 - 5.01.2027" or a single "3.12" (that one day)."""
    match = _RANGE.match(text)
    if match is None:
        raise InvalidInput("bc-dates-format")
    d1, m1, y1, d2, m2, y2 = match.groups()
    try:
        start = _year_for(int(d1), int(m1), int(y1) if y1 else None, today)
        end = start
        if d2 is not None:
            end = _year_for(int(d2), int(m2), int(y2) if y2 else None, start)
    except ValueError as exc:
        raise InvalidInput("bc-dates-format") from exc
    if end < start:
        raise InvalidInput("bc-dates-format")
    if (end - start).days > MAX_RANGE_DAYS:
        raise InvalidInput("bc-dates-too-long")
    return start, end


def parse_when(text: str, tz: ZoneInfo, now: datetime) -> datetime:
    """ "5.12 10:00", "5.12.2026 10:00" or "2026-12-05 10:00", local time, as UTC."""
    match = _WHEN.match(text)
    if match is None:
        raise InvalidInput("bc-when-format")
    iy, im, idd, dd, dm, dy, hh, mm = match.groups()
    today = now.astimezone(tz).date()
    try:
        if iy is not None:
            day = date(int(iy), int(im), int(idd))
        else:
            day = _year_for(int(dd), int(dm), int(dy) if dy else None, today)
        clock = time(int(hh), int(mm))
    except ValueError as exc:
        raise InvalidInput("bc-when-format") from exc
    moment = local_to_utc(day, clock, tz)
    assert moment is not None
    return moment.astimezone(UTC)


# ----------------------------------------------------------------- confirm, stop


@dataclass(frozen=True)
class ConfirmPlan:
    """What confirming a draft would do now: who gets it and when it starts."""

    broadcast: Broadcast
    recipients: list[tuple[int, int]]  # (person id, chat id)
    chosen: datetime  # the time the author chose (now when "as soon as confirmed")
    due: datetime  # the start: `chosen`, or later for quiet hours

    @property
    def count(self) -> int:
        """How many people it goes to."""
        return len(self.recipients)

    @property
    def immediate(self) -> bool:
        """Whether it starts going out as soon as it is confirmed."""
        return self.broadcast.send_at is None and self.due <= self.chosen

    @property
    def moved_by_quiet_hours(self) -> bool:
        """Whether quiet hours push the start past the chosen time."""
        return self.due != self.chosen


async def plan_confirmation(
    session: AsyncSession,
    actor_tid: int,
    broadcast_id: int,
    now: datetime,
    policy: Policy,
) -> ConfirmPlan:
    """Every check confirming makes, and its plan (the confirmation question shows it; `confirm`
    acts on it): a text, an audience, a time not in the past and somebody to send to. The start
    moves to the end of the policy's quiet hours unless the broadcast is urgent."""
    tz = policy.tz
    broadcast = await _draft(session, actor_tid, broadcast_id)
    audience = Audience.of(broadcast)
    if not broadcast.text_pl.strip():
        raise InvalidInput("bc-text-empty")
    if audience is None:
        raise InvalidInput("bc-no-audience")
    if broadcast.send_at is not None and broadcast.send_at <= now:
        raise InvalidInput("bc-when-past")
    recipients, _ = await _audience_rows(session, audience, now, tz)
    if not recipients:
        raise InvalidInput("bc-no-recipients")
    chosen = broadcast.send_at or now
    due = chosen if broadcast.urgent else after_quiet_hours(chosen, tz, policy.quiet)
    return ConfirmPlan(broadcast, list(recipients), chosen, due)


async def confirm(
    session: AsyncSession,
    actor_tid: int,
    broadcast_id: int,
    now: datetime,
    policy: Policy,
) -> Broadcast:
    """Queue the draft: one outbox row per recipient, due now or at the scheduled time (moved
    to the end of quiet hours unless urgent) and expiring the policy's `broadcast_max_age`
    after that. The first confirmation wins (conditional update on `draft`); the partial
    unique index keeps it to one row per chat."""
    plan = await plan_confirmation(session, actor_tid, broadcast_id, now, policy)
    actor = await _manager(session, actor_tid)
    broadcast, due = plan.broadcast, plan.due
    status = BroadcastStatus.SCHEDULED if due > now else BroadcastStatus.SENDING
    result = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast.id, Broadcast.status == BroadcastStatus.DRAFT.value)
        .values(
            status=status.value,
            confirmed_at=now,
            send_at=due if status is BroadcastStatus.SCHEDULED else broadcast.send_at,
            recipients=plan.count,
        )
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        raise AlreadyDecided()
    await _write_recipients(
        session, broadcast.id, plan.recipients, due, due + policy.broadcast_max_age, now
    )
    await session.refresh(broadcast)
    await audit.record_action(session, actor.id, "broadcast.confirm", "broadcast", broadcast.id)
    return broadcast


async def _write_recipients(
    session: AsyncSession,
    broadcast_id: int,
    recipients: Sequence[tuple[int, int]],
    due: datetime,
    expires_at: datetime,
    now: datetime,
) -> None:
    seen: set[int] = set()
    rows: list[dict[str, Any]] = []
    for person_id, chat_id in recipients:
        if chat_id in seen:
            continue
        seen.add(chat_id)
        rows.append(
            {
                "chat_id": chat_id,
                "person_id": person_id,
                "kind": KIND,
                "ref_id": broadcast_id,
                "payload": {},
                "due_at": due,
                "expires_at": expires_at,  # retried while Telegram fails, until then
                "priority": PRIORITY_BULK,
                "status": OutboxStatus.PENDING.value,
                "attempts": 0,
                "created_at": now,
            }
        )
    for start in range(0, len(rows), INSERT_CHUNK):
        await session.execute(insert(OutboxMessage), rows[start : start + INSERT_CHUNK])


async def stop(session: AsyncSession, actor_tid: int, broadcast_id: int, now: datetime) -> int:
    """Stop a scheduled or running broadcast: what has not been handed to Telegram yet is
    cancelled (messages already on their way still arrive). Returns how many were cancelled."""
    actor = await _manager(session, actor_tid)
    broadcast = await _get(session, broadcast_id, lock=True)
    result = await session.execute(
        update(Broadcast)
        .where(
            Broadcast.id == broadcast.id,
            Broadcast.status.in_((BroadcastStatus.SCHEDULED.value, BroadcastStatus.SENDING.value)),
            Broadcast.finished_at.is_(None),
        )
        .values(status=BroadcastStatus.STOPPED.value, stopped_at=now)
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        raise AlreadyDecided()
    cancelled = await outbox_service.cancel(session, kind=KIND, ref_id=broadcast.id)
    await audit.record_action(session, actor.id, "broadcast.stop", "broadcast", broadcast.id)
    return cancelled


# ----------------------------------------------------------------- delivery and reports


def _report(counts: dict[str, int], retrying: int = 0) -> Report:
    waiting = sum(
        counts.get(s, 0)
        for s in (
            OutboxStatus.PENDING.value,
            OutboxStatus.CLAIMED.value,
            OutboxStatus.SENDING.value,
        )
    )
    return Report(
        total=sum(counts.values()),
        delivered=counts.get(OutboxStatus.SENT.value, 0),
        unreachable=counts.get(OutboxStatus.BLOCKED.value, 0),
        failed=counts.get(OutboxStatus.FAILED.value, 0) + counts.get(OutboxStatus.EXPIRED.value, 0),
        cancelled=counts.get(OutboxStatus.CANCELLED.value, 0),
        waiting=waiting,
        retrying=retrying,
    )


async def _reports(session: AsyncSession, ids: Iterable[int]) -> dict[int, Report]:
    wanted = list(ids)
    if not wanted:
        return {}
    retry = func.sum(
        case(
            (
                and_(
                    OutboxMessage.status == OutboxStatus.PENDING.value,
                    OutboxMessage.last_error.is_not(None),
                ),
                1,
            ),
            else_=0,
        )
    )
    rows = await session.execute(
        select(OutboxMessage.ref_id, OutboxMessage.status, func.count(), retry)
        .where(OutboxMessage.kind == KIND, OutboxMessage.ref_id.in_(wanted))
        .group_by(OutboxMessage.ref_id, OutboxMessage.status)
    )
    counts: dict[int, dict[str, int]] = {i: {} for i in wanted}
    retrying: dict[int, int] = dict.fromkeys(wanted, 0)
    for ref_id, status, n, r in rows.all():
        counts[ref_id][status] = int(n)
        retrying[ref_id] += int(r or 0)
    return {i: _report(counts[i], retrying[i]) for i in wanted}


async def report(session: AsyncSession, broadcast_id: int) -> Report:
    """The delivery so far (no role check: used by the progress job and after one)."""
    return (await _reports(session, [broadcast_id]))[broadcast_id]


async def report_for(session: AsyncSession, actor_tid: int, broadcast_id: int) -> Summary:
    """A broadcast and its report, for coordinators and admins."""
    broadcast = await get(session, actor_tid, broadcast_id)
    return Summary(broadcast, await report(session, broadcast_id))


async def recent(session: AsyncSession, actor_tid: int, limit: int = 10) -> list[Summary]:
    """The latest confirmed broadcasts (scheduled, running, stopped or done), newest first."""
    await _manager(session, actor_tid)
    rows = list(
        await session.scalars(
            select(Broadcast)
            .where(Broadcast.status.in_(CONFIRMED))
            .order_by(Broadcast.confirmed_at.desc(), Broadcast.id.desc())
            .limit(limit)
        )
    )
    reports = await _reports(session, [b.id for b in rows])
    return [Summary(b, reports[b.id]) for b in rows]


async def failures(
    session: AsyncSession, actor_tid: int, broadcast_id: int, limit: int = 200
) -> list[Failure]:
    """Recipients not reached (blocked the bot, or failed with a reason), by name."""
    await get(session, actor_tid, broadcast_id)
    rows = await session.execute(
        select(Person.id, Person.display_name, OutboxMessage.status, OutboxMessage.last_error)
        .select_from(OutboxMessage)
        .outerjoin(Person, Person.id == OutboxMessage.person_id)
        .where(
            OutboxMessage.kind == KIND,
            OutboxMessage.ref_id == broadcast_id,
            OutboxMessage.status.in_(
                (
                    OutboxStatus.BLOCKED.value,
                    OutboxStatus.FAILED.value,
                    OutboxStatus.EXPIRED.value,
                )
            ),
        )
        .order_by(OutboxMessage.status, Person.display_name, OutboxMessage.id)
        .limit(limit)
    )
    return [Failure(pid, name, status, error) for pid, name, status, error in rows.all()]


@dataclass(frozen=True)
class Delivery:
    """A queued broadcast message that is still wanted: the broadcast and who gets it."""

    broadcast: Broadcast
    recipient: Person


async def delivery(session: AsyncSession, row: OutboxMessage) -> Delivery | None:
    """A `broadcast` outbox row at send time: the broadcast while it is scheduled or sending
    and the recipient while still an active member in that chat; None when it was stopped or
    discarded meanwhile, or the person left the club or deleted their data since."""
    broadcast = await session.get(Broadcast, row.ref_id) if row.ref_id is not None else None
    if broadcast is None or broadcast.status not in (
        BroadcastStatus.SCHEDULED.value,
        BroadcastStatus.SENDING.value,
    ):
        return None
    person = await session.get(Person, row.person_id) if row.person_id is not None else None
    if (
        person is None
        or person.status != PersonStatus.ACTIVE.value
        or person.telegram_id != row.chat_id
    ):
        return None
    return Delivery(broadcast, person)


async def author_language(session: AsyncSession, broadcast: Broadcast) -> str | None:
    """The language the broadcast's author reads the bot in now (None if unknown)."""
    author = await session.get(Person, broadcast.author_id) if broadcast.author_id else None
    return author.language if author else None


async def start_due(session: AsyncSession, now: datetime) -> list[int]:
    """Scheduled broadcasts whose time has come become 'sending'; returns their ids."""
    ids = list(
        await session.scalars(
            select(Broadcast.id).where(
                Broadcast.status == BroadcastStatus.SCHEDULED.value, Broadcast.send_at <= now
            )
        )
    )
    if not ids:
        return []
    result = await session.execute(
        update(Broadcast)
        .where(Broadcast.id.in_(ids), Broadcast.status == BroadcastStatus.SCHEDULED.value)
        .values(status=BroadcastStatus.SENDING.value)
        .returning(Broadcast.id)
        .execution_options(synchronize_session=False)
    )
    return [row[0] for row in result.all()]


async def live(session: AsyncSession) -> list[Broadcast]:
    """Broadcasts being delivered (or stopped, with messages still on their way)."""
    rows = await session.scalars(
        select(Broadcast)
        .where(Broadcast.status.in_(LIVE), Broadcast.finished_at.is_(None))
        .order_by(Broadcast.id)
    )
    return list(rows)


async def claim_progress(
    session: AsyncSession, broadcast_id: int, now: datetime, every: timedelta
) -> bool:
    """Whether this process should edit the progress message now: at most once per `every`,
    decided by a conditional update, so two bot processes never both edit it."""
    result = await session.execute(
        update(Broadcast)
        .where(
            Broadcast.id == broadcast_id,
            Broadcast.finished_at.is_(None),
            or_(Broadcast.progress_at.is_(None), Broadcast.progress_at <= now - every),
        )
        .values(progress_at=now)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result) == 1


async def finish_if_done(session: AsyncSession, broadcast_id: int, now: datetime) -> Report | None:
    """Mark a live broadcast finished when every recipient row is final; the report when this
    call finished it (only one caller ever gets it), else None."""
    current = await report(session, broadcast_id)
    if not current.finished:
        return None
    result = await session.execute(
        update(Broadcast)
        .where(
            Broadcast.id == broadcast_id,
            Broadcast.status.in_(LIVE),
            Broadcast.finished_at.is_(None),
        )
        .values(finished_at=now)
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        return None
    return current


async def set_progress_message(
    session: AsyncSession, broadcast_id: int, chat_id: int, message_id: int
) -> None:
    """Remember which message of the author's shows the progress."""
    await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id)
        .values(progress_chat_id=chat_id, progress_message_id=message_id)
        .execution_options(synchronize_session=False)
    )
