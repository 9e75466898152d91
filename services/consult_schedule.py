"""Consultation schedule: service types, specialists, weekly hours, closures and free slots.

Slots are generated from the weekly hours (local club time, converted to UTC per day with
zoneinfo, so a 10:00 slot is 08:00 UTC in summer and 09:00 UTC in winter) for
`KISBOT_SLOT_WEEKS_AHEAD` weeks, skipping closures and the past. `sync_slots` is idempotent
and converges the stored slots to the hours: run it from a scheduler job and after every
change of hours or closures.

**Changing hours never deletes a slot.** Slots are never deleted at all (a slot that was once
booked is referenced by its booking's history), only withdrawn:

- a *free* slot no longer covered by the hours (or inside a closure, or whose specialist left
  or stopped offering the service) becomes `withdrawn` at once; if the hours cover it again
  later it becomes `free` again;
- a *booked* slot no longer covered **keeps its booking**: the booking stays valid until the
  participant reschedules or cancels (the cut-off does not apply to such a booking), the
  slot gets `withdrawn_at` (it becomes `withdrawn` when its booking ends instead of `free`),
  the participant is sent a `consult_moved` outbox message (due at once, in the same
  transaction) asking them to pick another time, and the booking is returned in
  `SyncResult.affected` so staff can be told who is affected. Each booking is told once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    Closure,
    ConsultationBooking,
    ConsultationStatus,
    Person,
    PersonStatus,
    Role,
    ServiceType,
    Slot,
    SlotStatus,
    SpecialistService,
    WeeklyHours,
)
from models.consultations import DEFAULT_REMINDER_OFFSETS
from services import audit, outbox, people
from services.errors import InvalidInput, NotAllowed, NotFound
from services.reminder_time import local_to_utc

KIND_MOVED = "consult_moved"

CONSULT_MANAGERS = (Role.ADMIN.value, Role.COORDINATOR.value)
# Specialists may also change their own hours and add their own leave.
SCHEDULE_EDITORS = (*CONSULT_MANAGERS, Role.SPECIALIST.value)

PLACE_MAX = 200
REASON_MAX = 200
INSERT_CHUNK = 200


@dataclass(frozen=True)
class ServiceTypeSeed:
    """A service type created by `ensure_service_types` when its slug is missing."""

    slug: str
    name_pl: str
    name_uk: str
    name_en: str
    requires_referral: bool
    slot_minutes: int
    sensitive: bool
    reminder_offsets_minutes: tuple[int, ...] = DEFAULT_REMINDER_OFFSETS


DEFAULT_SERVICE_TYPES: tuple[ServiceTypeSeed, ...] = (
    ServiceTypeSeed(
        slug="psychologist",
        name_pl="Konsultacja psychologiczna",
        name_uk="Консультація психолога",
        name_en="Psychological consultation",
        requires_referral=True,
        slot_minutes=50,
        sensitive=True,
    ),
    ServiceTypeSeed(
        slug="legal",
        name_pl="Porada prawna",
        name_uk="Юридична консультація",
        name_en="Legal advice",
        requires_referral=True,
        slot_minutes=60,
        sensitive=True,
    ),
    ServiceTypeSeed(
        slug="social",
        name_pl="Poradnictwo socjalne",
        name_uk="Соціальне консультування",
        name_en="Social counselling",
        requires_referral=False,
        slot_minutes=45,
        sensitive=False,
    ),
    ServiceTypeSeed(
        slug="career",
        name_pl="Doradztwo zawodowe",
        name_uk="Кар’єрне консультування",
        name_en="Career counselling",
        requires_referral=False,
        slot_minutes=45,
        sensitive=False,
    ),
)


@dataclass(frozen=True)
class AffectedBooking:
    """A booking whose slot the hours or a closure no longer cover (it stays valid)."""

    booking_id: int
    person_id: int
    slot_id: int
    service_type_id: int
    starts_at: datetime


@dataclass(frozen=True)
class SyncResult:
    """What one run of `sync_slots` changed."""

    created: int
    withdrawn: int
    affected: list[AffectedBooking]

    def __add__(self, other: SyncResult) -> SyncResult:
        return SyncResult(
            self.created + other.created,
            self.withdrawn + other.withdrawn,
            self.affected + other.affected,
        )


EMPTY_SYNC = SyncResult(0, 0, [])


@dataclass(frozen=True)
class HoursChange:
    """The weekly hours after a change (None when removed) and what it did to the slots."""

    hours: WeeklyHours | None
    sync: SyncResult


@dataclass(frozen=True)
class ClosureChange:
    """A closure added or removed, and what it did to the slots."""

    closure: Closure
    sync: SyncResult


@dataclass(frozen=True)
class _Wanted:
    service_type_id: int
    ends_at: datetime
    place: str


# --- service types -------------------------------------------------------------------------


async def ensure_service_types(
    session: AsyncSession, seeds: Iterable[ServiceTypeSeed] = DEFAULT_SERVICE_TYPES
) -> int:
    """Create the service types whose slug is missing (existing ones are left as staff edited
    them); returns how many were created. Safe to run at every start, also concurrently."""
    created = 0
    for seed in seeds:
        if await session.scalar(select(ServiceType.id).where(ServiceType.slug == seed.slug)):
            continue
        row = ServiceType(
            slug=seed.slug,
            name_pl=seed.name_pl,
            name_uk=seed.name_uk,
            name_en=seed.name_en,
            requires_referral=seed.requires_referral,
            slot_minutes=seed.slot_minutes,
            reminder_offsets_minutes=list(seed.reminder_offsets_minutes),
            cancel_cutoff_hours=None,
            sensitive=seed.sensitive,
            active=True,
        )
        try:
            async with session.begin_nested():
                session.add(row)
                await session.flush()
        except IntegrityError:
            continue  # created meanwhile by another process
        created += 1
    return created


SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
MAX_OFFSET_MINUTES = 14 * 24 * 60


async def save_service_type(
    session: AsyncSession,
    *,
    actor_tid: int,
    slug: str,
    now: datetime,
    names: dict[str, str] | None = None,
    requires_referral: bool | None = None,
    slot_minutes: int | None = None,
    reminder_offsets_minutes: list[int] | None = None,
    cancel_cutoff_hours: int | Literal["default"] | None = None,
    sensitive: bool | None = None,
    active: bool | None = None,
) -> tuple[ServiceType, bool]:
    """Create a service type or change the given fields of an existing one (admins and
    coordinators). Returns (row, created). A new one needs its names in pl, uk and en.
    `cancel_cutoff_hours="default"` goes back to KISBOT_CONSULT_CUTOFF_HOURS. A new slot
    length applies to the slots the next sync generates; booked slots keep theirs.
    InvalidInput: consult-service-slug, -names, -minutes, -reminders, -cutoff."""
    actor = await people.require_role(session, actor_tid, CONSULT_MANAGERS)
    if not SLUG_RE.match(slug):
        raise InvalidInput("consult-service-slug")
    names = {k: v.strip() for k, v in (names or {}).items() if v is not None}
    if any(not value or len(value) > 120 for value in names.values()):
        raise InvalidInput("consult-service-names")
    if slot_minutes is not None and not 5 <= slot_minutes <= 480:
        raise InvalidInput("consult-service-minutes")
    if reminder_offsets_minutes is not None and (
        not reminder_offsets_minutes
        or any(not 1 <= m <= MAX_OFFSET_MINUTES for m in reminder_offsets_minutes)
    ):
        raise InvalidInput("consult-service-reminders")
    if isinstance(cancel_cutoff_hours, int) and not 0 <= cancel_cutoff_hours <= 336:
        raise InvalidInput("consult-service-cutoff")
    row = await session.scalar(select(ServiceType).where(ServiceType.slug == slug))
    created = row is None
    if row is None:
        if set(names) != {"pl", "uk", "en"}:
            raise InvalidInput("consult-service-names")
        row = ServiceType(
            slug=slug,
            name_pl=names["pl"],
            name_uk=names["uk"],
            name_en=names["en"],
            requires_referral=bool(requires_referral),
            slot_minutes=slot_minutes or 45,
            reminder_offsets_minutes=sorted(
                set(reminder_offsets_minutes or DEFAULT_REMINDER_OFFSETS), reverse=True
            ),
            cancel_cutoff_hours=None,
            sensitive=bool(sensitive),
            active=True if active is None else active,
        )
        session.add(row)
    for lang, value in names.items():
        setattr(row, f"name_{lang}", value)
    if requires_referral is not None:
        row.requires_referral = requires_referral
    if slot_minutes is not None:
        row.slot_minutes = slot_minutes
    if reminder_offsets_minutes is not None:
        row.reminder_offsets_minutes = sorted(set(reminder_offsets_minutes), reverse=True)
    if cancel_cutoff_hours == "default":
        row.cancel_cutoff_hours = None
    elif cancel_cutoff_hours is not None:
        row.cancel_cutoff_hours = cancel_cutoff_hours
    if sensitive is not None:
        row.sensitive = sensitive
    if active is not None:
        row.active = active
    await session.flush()
    await audit.record_action(
        session, actor.id, "service_type.create" if created else "service_type.update",
        "service_type", row.id,
    )  # fmt: skip
    return row, created


async def list_service_types(
    session: AsyncSession, *, active_only: bool = True
) -> list[ServiceType]:
    """Service types in a stable order (by id: the seed order)."""
    query = select(ServiceType).order_by(ServiceType.id)
    if active_only:
        query = query.where(ServiceType.active.is_(True))
    return list(await session.scalars(query))


async def get_service_type(session: AsyncSession, service_type_id: int) -> ServiceType:
    """One service type; NotFound if it does not exist."""
    service = await session.get(ServiceType, service_type_id)
    if service is None:
        raise NotFound()
    return service


async def service_type_by_slug(session: AsyncSession, slug: str) -> ServiceType:
    """One service type by its slug; NotFound if it does not exist."""
    service = await session.scalar(select(ServiceType).where(ServiceType.slug == slug))
    if service is None:
        raise NotFound()
    return service


# --- specialists ---------------------------------------------------------------------------


async def _authorise(session: AsyncSession, actor_tid: int, specialist_id: int | None) -> Person:
    """Coordinators and admins may change anyone's schedule; a specialist only their own."""
    actor = await people.require_role(session, actor_tid, SCHEDULE_EDITORS)
    if actor.role == Role.SPECIALIST and actor.id != specialist_id:
        raise NotAllowed()
    return actor


async def _specialist(session: AsyncSession, person_id: int) -> Person:
    person = await session.get(Person, person_id, populate_existing=True)
    if person is None or person.role != Role.SPECIALIST or person.status != PersonStatus.ACTIVE:
        raise InvalidInput("consult-not-specialist")
    return person


async def link_specialist(
    session: AsyncSession, *, actor_tid: int, specialist_id: int, service_type_id: int
) -> None:
    """Record that a specialist provides a service (idempotent)."""
    actor = await people.require_role(session, actor_tid, CONSULT_MANAGERS)
    await _specialist(session, specialist_id)
    await get_service_type(session, service_type_id)
    await _link(session, specialist_id, service_type_id)
    await audit.record_action(session, actor.id, "consult.link", "person", specialist_id)


async def _link(session: AsyncSession, specialist_id: int, service_type_id: int) -> None:
    exists = await session.get(SpecialistService, (specialist_id, service_type_id))
    if exists is not None:
        return
    try:
        async with session.begin_nested():
            session.add(SpecialistService(person_id=specialist_id, service_type_id=service_type_id))
            await session.flush()
    except IntegrityError:
        pass  # linked meanwhile


async def unlink_specialist(
    session: AsyncSession,
    *,
    actor_tid: int,
    specialist_id: int,
    service_type_id: int,
    now: datetime,
    tz: ZoneInfo,
    weeks_ahead: int,
) -> SyncResult:
    """The specialist no longer provides a service: their hours for it are removed, free slots
    withdrawn, booked ones kept and their participants told (see the module notes)."""
    actor = await people.require_role(session, actor_tid, CONSULT_MANAGERS)
    await session.execute(
        delete(SpecialistService).where(
            SpecialistService.person_id == specialist_id,
            SpecialistService.service_type_id == service_type_id,
        )
    )
    await session.execute(
        delete(WeeklyHours).where(
            WeeklyHours.specialist_id == specialist_id,
            WeeklyHours.service_type_id == service_type_id,
        )
    )
    await audit.record_action(session, actor.id, "consult.unlink", "person", specialist_id)
    return await sync_slots(
        session, now=now, tz=tz, weeks_ahead=weeks_ahead, specialist_ids=[specialist_id]
    )


async def specialists_for(session: AsyncSession, service_type_id: int) -> list[Person]:
    """Active specialists who provide a service, by name."""
    rows = await session.scalars(
        select(Person)
        .join(SpecialistService, SpecialistService.person_id == Person.id)
        .where(
            SpecialistService.service_type_id == service_type_id,
            Person.role == Role.SPECIALIST.value,
            Person.status == PersonStatus.ACTIVE.value,
        )
        .order_by(Person.display_name, Person.id)
    )
    return list(rows)


async def services_of(session: AsyncSession, specialist_id: int) -> list[ServiceType]:
    """The service types a specialist provides."""
    rows = await session.scalars(
        select(ServiceType)
        .join(SpecialistService, SpecialistService.service_type_id == ServiceType.id)
        .where(SpecialistService.person_id == specialist_id)
        .order_by(ServiceType.id)
    )
    return list(rows)


# --- weekly hours and closures -------------------------------------------------------------


def _minutes(clock: time) -> int:
    return clock.hour * 60 + clock.minute


async def set_weekly_hours(
    session: AsyncSession,
    *,
    actor_tid: int,
    specialist_id: int,
    service_type_id: int,
    weekday: int,
    start: time,
    end: time,
    place: str,
    now: datetime,
    tz: ZoneInfo,
    weeks_ahead: int,
    hours_id: int | None = None,
) -> HoursChange:
    """Add weekly hours (or change the hours `hours_id`) and bring the slots in line at once.

    Setting hours for a service links the specialist to it. Hours of one specialist must not
    overlap on the same weekday. A changed place applies to free slots; booked slots keep the
    place their participant was given.
    """
    actor = await _authorise(session, actor_tid, specialist_id)
    await _specialist(session, specialist_id)
    service = await get_service_type(session, service_type_id)
    start, end = start.replace(second=0, microsecond=0), end.replace(second=0, microsecond=0)
    place = " ".join(place.split())
    if not 0 <= weekday <= 6:
        raise InvalidInput("consult-hours-invalid")
    if _minutes(end) - _minutes(start) < service.slot_minutes:
        raise InvalidInput("consult-hours-invalid")
    if len(place) > PLACE_MAX or place.startswith("/"):
        raise InvalidInput("consult-place-invalid")
    others = await session.scalars(
        select(WeeklyHours).where(
            WeeklyHours.specialist_id == specialist_id,
            WeeklyHours.weekday == weekday,
            WeeklyHours.id != (hours_id or 0),
        )
    )
    for other in others:
        if start < other.end_time and other.start_time < end:
            raise InvalidInput("consult-hours-overlap")
    if hours_id is None:
        hours = WeeklyHours(specialist_id=specialist_id)
        session.add(hours)
    else:
        found = await session.get(WeeklyHours, hours_id, populate_existing=True)
        if found is None or found.specialist_id != specialist_id:
            raise NotFound()
        hours = found
    hours.service_type_id = service_type_id
    hours.weekday = weekday
    hours.start_time = start
    hours.end_time = end
    hours.place = place
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:  # the same start added meanwhile
        raise InvalidInput("consult-hours-overlap") from exc
    await _link(session, specialist_id, service_type_id)
    await audit.record_action(session, actor.id, "consult.hours.set", "weekly_hours", hours.id)
    sync = await sync_slots(
        session, now=now, tz=tz, weeks_ahead=weeks_ahead, specialist_ids=[specialist_id]
    )
    return HoursChange(hours, sync)


async def remove_weekly_hours(
    session: AsyncSession,
    *,
    actor_tid: int,
    hours_id: int,
    now: datetime,
    tz: ZoneInfo,
    weeks_ahead: int,
) -> HoursChange:
    """Remove weekly hours: free slots are withdrawn, booked ones kept (participants told)."""
    _, sync = await _remove_and_sync(
        session, WeeklyHours, hours_id, "consult.hours.remove", actor_tid, now, tz, weeks_ahead
    )
    return HoursChange(None, sync)


_Removable = TypeVar("_Removable", WeeklyHours, Closure)


async def _remove_and_sync(
    session: AsyncSession,
    model: type[_Removable],
    row_id: int,
    action: str,
    actor_tid: int,
    now: datetime,
    tz: ZoneInfo,
    weeks_ahead: int,
) -> tuple[_Removable, SyncResult]:
    """Delete weekly hours or a closure (NotFound if there is none; a closure without a
    specialist is the whole club's) once the actor may manage it, record `action`, and bring
    that specialist's (or everyone's) slots in line."""
    row = await session.get(model, row_id)
    if row is None:
        raise NotFound()
    specialist_id = row.specialist_id
    actor = await _authorise(session, actor_tid, specialist_id)
    await session.delete(row)
    await session.flush()
    await audit.record_action(session, actor.id, action, model.__tablename__, row_id)
    sync = await sync_slots(
        session,
        now=now,
        tz=tz,
        weeks_ahead=weeks_ahead,
        specialist_ids=None if specialist_id is None else [specialist_id],
    )
    return row, sync


async def list_weekly_hours(
    session: AsyncSession, specialist_id: int | None = None
) -> list[WeeklyHours]:
    """Weekly hours (of one specialist or everyone), by specialist, weekday and time."""
    query = select(WeeklyHours).order_by(
        WeeklyHours.specialist_id, WeeklyHours.weekday, WeeklyHours.start_time
    )
    if specialist_id is not None:
        query = query.where(WeeklyHours.specialist_id == specialist_id)
    return list(await session.scalars(query))


async def add_closure(
    session: AsyncSession,
    *,
    actor_tid: int,
    specialist_id: int | None,
    starts_on: date,
    ends_on: date,
    reason: str,
    now: datetime,
    tz: ZoneInfo,
    weeks_ahead: int,
) -> ClosureChange:
    """Days off for one specialist (leave) or, with `specialist_id` None, the whole club.

    Free slots on those days are withdrawn; booked ones are kept and their participants told
    to pick another time (see the module notes).
    """
    actor = await _authorise(session, actor_tid, specialist_id)
    if specialist_id is not None:
        await _specialist(session, specialist_id)
    reason = " ".join(reason.split())
    if ends_on < starts_on or ends_on < now.astimezone(tz).date():
        raise InvalidInput("consult-closure-invalid")
    if len(reason) > REASON_MAX:
        raise InvalidInput("consult-closure-invalid")
    closure = Closure(
        specialist_id=specialist_id,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        created_by_id=actor.id,
        created_at=now,
    )
    session.add(closure)
    await session.flush()
    await audit.record_action(session, actor.id, "consult.closure.add", "closure", closure.id)
    sync = await sync_slots(
        session,
        now=now,
        tz=tz,
        weeks_ahead=weeks_ahead,
        specialist_ids=None if specialist_id is None else [specialist_id],
        reason="closure",
    )
    return ClosureChange(closure, sync)


async def remove_closure(
    session: AsyncSession,
    *,
    actor_tid: int,
    closure_id: int,
    now: datetime,
    tz: ZoneInfo,
    weeks_ahead: int,
) -> ClosureChange:
    """Remove a closure: its days get their free slots back."""
    closure, sync = await _remove_and_sync(
        session, Closure, closure_id, "consult.closure.remove", actor_tid, now, tz, weeks_ahead
    )
    return ClosureChange(closure, sync)


async def list_closures(
    session: AsyncSession, *, today: date, specialist_id: int | None = None
) -> list[Closure]:
    """Closures not over yet (club-wide ones included when filtering by specialist)."""
    query = select(Closure).where(Closure.ends_on >= today).order_by(Closure.starts_on)
    if specialist_id is not None:
        query = query.where(
            or_(Closure.specialist_id == specialist_id, Closure.specialist_id.is_(None))
        )
    return list(await session.scalars(query))


# --- slots ---------------------------------------------------------------------------------


def day_slots(
    day: date, start: time, end: time, slot_minutes: int, tz: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """(start, end) UTC instants of the slots that weekly hours give on one local day.

    Slots step by `slot_minutes` of local clock time from `start` and must end by `end`; a
    local start time that does not exist that day (the spring-forward gap) is skipped.
    """
    result = []
    minute, finish = _minutes(start), _minutes(end)
    while minute + slot_minutes <= finish:
        starts_at = local_to_utc(day, time(minute // 60, minute % 60), tz, strict=True)
        if starts_at is not None:
            result.append((starts_at, starts_at + timedelta(minutes=slot_minutes)))
        minute += slot_minutes
    return result


def _closed(day: date, closures: list[Closure]) -> bool:
    return any(c.starts_on <= day <= c.ends_on for c in closures)


async def _wanted_slots(
    session: AsyncSession,
    specialist_id: int,
    days: set[date],
    tz: ZoneInfo,
    now: datetime,
) -> dict[datetime, _Wanted]:
    """The slots the hours ask for on `days` (future ones only), by start."""
    person = await session.get(Person, specialist_id, populate_existing=True)
    if (
        not days
        or person is None
        or person.role != Role.SPECIALIST
        or person.status != PersonStatus.ACTIVE
    ):
        return {}
    rows = (
        await session.execute(
            select(WeeklyHours, ServiceType)
            .join(ServiceType, ServiceType.id == WeeklyHours.service_type_id)
            .join(
                SpecialistService,
                and_(
                    SpecialistService.person_id == WeeklyHours.specialist_id,
                    SpecialistService.service_type_id == WeeklyHours.service_type_id,
                ),
            )
            .where(WeeklyHours.specialist_id == specialist_id, ServiceType.active.is_(True))
        )
    ).all()
    if not rows:
        return {}
    closures = list(
        await session.scalars(
            select(Closure).where(
                or_(Closure.specialist_id == specialist_id, Closure.specialist_id.is_(None)),
                Closure.ends_on >= min(days),
                Closure.starts_on <= max(days),
            )
        )
    )
    wanted: dict[datetime, _Wanted] = {}
    for day in sorted(days):
        if _closed(day, closures):
            continue
        for hours, service in rows:
            if hours.weekday != day.weekday():
                continue
            for starts_at, ends_at in day_slots(
                day, hours.start_time, hours.end_time, service.slot_minutes, tz
            ):
                if starts_at > now:
                    wanted.setdefault(starts_at, _Wanted(service.id, ends_at, hours.place))
    return wanted


async def _specialists_to_sync(session: AsyncSession, now: datetime) -> list[int]:
    with_hours = set(await session.scalars(select(WeeklyHours.specialist_id).distinct()))
    with_slots = set(
        await session.scalars(
            select(Slot.specialist_id)
            .where(Slot.starts_at > now, Slot.status != SlotStatus.WITHDRAWN.value)
            .distinct()
        )
    )
    return sorted(with_hours | with_slots)


def _insert(session: AsyncSession) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING for the session's database."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(Slot)
    return sqlite.insert(Slot)


async def sync_slots(
    session: AsyncSession,
    *,
    now: datetime,
    tz: ZoneInfo,
    weeks_ahead: int,
    specialist_ids: list[int] | None = None,
    reason: str = "hours",
) -> SyncResult:
    """Bring the future slots of some specialists (None: everyone) in line with their hours
    and closures: create the missing free slots for `weeks_ahead` weeks from today, withdraw
    free slots no longer covered, keep booked ones and tell their participants (`reason` goes
    into the `consult_moved` payload: "hours" or "closure"). Idempotent."""
    ids = specialist_ids if specialist_ids is not None else await _specialists_to_sync(session, now)
    total = EMPTY_SYNC
    for specialist_id in sorted(set(ids)):
        total = total + await _sync_specialist(session, specialist_id, now, tz, weeks_ahead, reason)
    await session.flush()
    return total


async def generate_slots(
    session: AsyncSession, *, now: datetime, tz: ZoneInfo, weeks_ahead: int
) -> int:
    """The scheduler job's step: `sync_slots` for every specialist; returns slots created."""
    return (await sync_slots(session, now=now, tz=tz, weeks_ahead=weeks_ahead)).created


async def _sync_specialist(
    session: AsyncSession,
    specialist_id: int,
    now: datetime,
    tz: ZoneInfo,
    weeks_ahead: int,
    reason: str,
) -> SyncResult:
    today = now.astimezone(tz).date()
    horizon = {today + timedelta(days=i) for i in range(7 * weeks_ahead)}
    # Lock this specialist's future slots (in id order, like every other multi-slot change):
    # a concurrent booking then either finished before (we see it booked) or waits and finds
    # the slot no longer free.
    existing = list(
        await session.scalars(
            select(Slot)
            .where(Slot.specialist_id == specialist_id, Slot.starts_at > now)
            .order_by(Slot.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    days = horizon | {s.starts_at.astimezone(tz).date() for s in existing}
    wanted = await _wanted_slots(session, specialist_id, days, tz, now)
    withdrawn = 0
    affected: list[AffectedBooking] = []
    for slot in existing:
        want = wanted.get(slot.starts_at)
        same = (
            want is not None
            and want.service_type_id == slot.service_type_id
            and want.ends_at == slot.ends_at
        )
        if slot.status == SlotStatus.FREE:
            if want is None:
                slot.status = SlotStatus.WITHDRAWN
                slot.withdrawn_at = now
                withdrawn += 1
            elif not same or slot.place != want.place:
                # Nobody holds it: it simply takes the hours' current shape.
                slot.service_type_id = want.service_type_id
                slot.ends_at = want.ends_at
                slot.place = want.place
        elif slot.status == SlotStatus.WITHDRAWN:
            if want is not None:
                slot.status = SlotStatus.FREE
                slot.withdrawn_at = None
                slot.service_type_id = want.service_type_id
                slot.ends_at = want.ends_at
                slot.place = want.place
        elif same:
            slot.withdrawn_at = None  # covered (again): released normally when it ends
        elif slot.withdrawn_at is None:
            slot.withdrawn_at = now
            moved = await _tell_moved(session, slot, now, reason)
            if moved is not None:
                affected.append(moved)
    await session.flush()
    by_start = {s.starts_at for s in existing}
    rows = [
        {
            "specialist_id": specialist_id,
            "service_type_id": want.service_type_id,
            "starts_at": starts_at,
            "ends_at": want.ends_at,
            "place": want.place,
            "status": SlotStatus.FREE.value,
            "created_at": now,
        }
        for starts_at, want in sorted(wanted.items())
        if starts_at not in by_start and starts_at.astimezone(tz).date() in horizon
    ]
    created = 0
    for i in range(0, len(rows), INSERT_CHUNK):
        stmt = (
            _insert(session)
            .values(rows[i : i + INSERT_CHUNK])
            .on_conflict_do_nothing(index_elements=["specialist_id", "starts_at"])
            .returning(Slot.id)
        )
        created += len(list(await session.scalars(stmt)))
    return SyncResult(created, withdrawn, affected)


async def _tell_moved(
    session: AsyncSession, slot: Slot, now: datetime, reason: str
) -> AffectedBooking | None:
    booking = await session.scalar(
        select(ConsultationBooking).where(
            ConsultationBooking.slot_id == slot.id,
            ConsultationBooking.status == ConsultationStatus.BOOKED.value,
        )
    )
    if booking is None:
        return None
    chat_id = await session.scalar(select(Person.telegram_id).where(Person.id == booking.person_id))
    if chat_id is not None:
        await outbox.enqueue(
            session,
            chat_id=chat_id,
            person_id=booking.person_id,
            kind=KIND_MOVED,
            ref_id=booking.id,
            due_at=now,
            expires_at=slot.starts_at,
            payload={"reason": reason},
        )
    return AffectedBooking(
        booking.id, booking.person_id, slot.id, booking.service_type_id, slot.starts_at
    )
