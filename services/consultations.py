"""Consultations: booking a slot, cancelling, rescheduling, reminders, agendas, outcomes.

Races are settled by the database:

- a slot is claimed with `UPDATE slot SET status = 'booked' WHERE id = ? AND status = 'free'
  AND starts_at > now`, so of any number of concurrent bookers exactly one gets it
  (`SlotTaken` for the others);
- a referral session is taken with a conditional UPDATE as well (see `consult_referrals`);
- one active booking per person and service type is a partial unique index; a concurrent
  second booking fails on it inside a savepoint and is reported as `AlreadyBooked`.

Every change of a booking writes or cancels its reminder rows of the outbox in the same
transaction (`consult_reminder`, `ref_id` = booking id, payload `{"offset": minutes}`,
`expires_at` = the start), planned by `services.reminder_time` (quiet hours, DST). The
renderer decides the wording; `booking.reminders_neutral` and `service.sensitive` tell it
whether the message may name the service and the specialist at all (a discreet one opens
neutrally and shows them after "Show details": a lock screen previews several lines).

Cancelling and rescheduling are allowed until the cut-off: the service type's
`cancel_cutoff_hours` when set, otherwise `KISBOT_CONSULT_CUTOFF_HOURS` (`Policy.consult_cutoff`).
A booking whose slot the hours no longer cover (`slot.withdrawn_at`) can be cancelled or
moved until it starts. A participant acts only on their own bookings: somebody else's id is
`NotFound`, exactly like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    ConsultationBooking,
    ConsultationStatus,
    Person,
    PersonStatus,
    Role,
    ServiceType,
    Slot,
    SlotStatus,
)
from models.db import rowcount
from services import audit, childcare, outbox, people
from services.consult_referrals import (
    REFERRAL_CODE_PREFIX,
    ReferralCodeInvalid,
    ReferralState,
    active_referral,
    claim_referral_code,
    give_back_session,
    is_referral_code,
    issue_referral,
    issue_referral_code,
    list_referrals,
    own_referral,
    referral_for_staff,
    referral_link,
    referral_state,
    referrals_of,
    revoke_referral,
    sessions_left,
    take_session,
)
from services.consult_schedule import (
    CONSULT_MANAGERS,
    DEFAULT_SERVICE_TYPES,
    KIND_MOVED,
    AffectedBooking,
    ClosureChange,
    HoursChange,
    ServiceTypeSeed,
    SyncResult,
    add_closure,
    ensure_service_types,
    generate_slots,
    get_service_type,
    link_specialist,
    list_closures,
    list_service_types,
    list_weekly_hours,
    remove_closure,
    remove_weekly_hours,
    save_service_type,
    service_type_by_slug,
    services_of,
    set_weekly_hours,
    specialists_for,
    sync_slots,
    unlink_specialist,
)
from services.errors import DomainError, InvalidInput, NotAllowed, NotFound
from services.policy import Policy
from services.reminder_time import local_to_utc, plan_reminder_offsets
from services.workshops import CutoffPassed

__all__ = [
    "CONSULT_MANAGERS",
    "DEFAULT_SERVICE_TYPES",
    "KIND_AGENDA",
    "KIND_MOVED",
    "KIND_REMINDER",
    "OUTCOME_ROLES",
    "REFERRAL_CODE_PREFIX",
    "AffectedBooking",
    "AgendaEntry",
    "AlreadyBooked",
    "BookingClosed",
    "ClosureChange",
    "ConsultationView",
    "CutoffPassed",
    "HoursChange",
    "QuotaUsed",
    "ReferralCodeInvalid",
    "ReferralRequired",
    "ReferralState",
    "ServiceTypeSeed",
    "SlotTaken",
    "SlotView",
    "SyncResult",
    "active_referral",
    "add_closure",
    "agenda",
    "agenda_for",
    "book",
    "booking_to_tell",
    "booking_view",
    "cancel_booking",
    "claim_referral_code",
    "close_past_bookings",
    "confirm_booking",
    "enqueue_daily_agendas",
    "ensure_service_types",
    "free_slot",
    "free_slots",
    "generate_slots",
    "get_service_type",
    "is_referral_code",
    "issue_referral",
    "issue_referral_code",
    "link_specialist",
    "list_closures",
    "list_referrals",
    "list_service_types",
    "list_weekly_hours",
    "load_booking",
    "mark_outcome",
    "morning_agenda",
    "my_consultations",
    "own_referral",
    "referral_for_staff",
    "referral_link",
    "referral_state",
    "referrals_of",
    "remove_closure",
    "remove_weekly_hours",
    "reschedule",
    "revoke_referral",
    "save_service_type",
    "service_days",
    "service_of_slot",
    "service_type_by_slug",
    "services_of",
    "sessions_left",
    "set_reminders_neutral",
    "set_weekly_hours",
    "specialist_name",
    "specialists_for",
    "sync_slots",
    "unlink_specialist",
    "withdraw_future",
    "withdraw_person",
]

KIND_REMINDER = "consult_reminder"
KIND_AGENDA = "consult_agenda"

OUTCOME_ROLES = (Role.ADMIN.value, Role.COORDINATOR.value, Role.SPECIALIST.value)
# Statuses an outcome may be (re)marked from: the appointment, once it has started.
MARKABLE = (
    ConsultationStatus.BOOKED.value,
    ConsultationStatus.UNMARKED.value,
    ConsultationStatus.ATTENDED.value,
    ConsultationStatus.NO_SHOW.value,
)

BOOKED = ConsultationStatus.BOOKED


class ReferralRequired(DomainError):
    """The service needs a referral and the person has no valid one: show how to get one."""


class QuotaUsed(DomainError):
    """The person's valid referral has no session left."""


class SlotTaken(DomainError):
    """The slot is no longer free (booked by someone else, withdrawn, or already started)."""


class AlreadyBooked(DomainError):
    """The person already has an upcoming booking of this service (`booking_id`)."""

    def __init__(self, booking_id: int) -> None:
        super().__init__(booking_id)
        self.booking_id = booking_id


class BookingClosed(DomainError):
    """The booking is no longer active (cancelled, past, or its outcome marked)."""


@dataclass(frozen=True)
class SlotView:
    """A free slot as a participant picks it."""

    slot: Slot
    specialist_name: str


@dataclass(frozen=True)
class ConsultationView:
    """A booking with its slot, service and specialist (for "My consultations", renderers)."""

    booking: ConsultationBooking
    slot: Slot
    service: ServiceType
    specialist_name: str


@dataclass(frozen=True)
class AgendaEntry:
    """One line of a specialist's day."""

    slot_id: int
    booking_id: int | None
    starts_at: datetime  # UTC
    ends_at: datetime
    local_time: time  # start in the club's time zone
    participant_name: str | None  # None for a free slot; "—" once anonymised
    service: ServiceType
    place: str
    status: str  # the booking's status, or "free"


def _today(now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date()


def _day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = local_to_utc(day, time(0), tz)
    end = local_to_utc(day + timedelta(days=1), time(0), tz)
    assert start is not None and end is not None
    return start, end


def _bookable(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        Slot.status == SlotStatus.FREE.value,
        Slot.starts_at > now,
        Person.status == PersonStatus.ACTIVE.value,
        Person.role == Role.SPECIALIST.value,
    )


# --- browsing ------------------------------------------------------------------------------


async def service_days(
    session: AsyncSession, service_type_id: int, *, now: datetime, tz: ZoneInfo, days: int
) -> list[date]:
    """Local dates in the next `days` days that have at least one free slot of the service."""
    starts = await session.scalars(
        select(Slot.starts_at)
        .join(Person, Person.id == Slot.specialist_id)
        .where(
            Slot.service_type_id == service_type_id,
            Slot.starts_at < now + timedelta(days=days),
            *_bookable(now),
        )
        .order_by(Slot.starts_at)
    )
    return sorted({s.astimezone(tz).date() for s in starts})


async def free_slots(
    session: AsyncSession, service_type_id: int, day: date, *, now: datetime, tz: ZoneInfo
) -> list[SlotView]:
    """Free future slots of a service on one local day, by time (then specialist)."""
    start, end = _day_bounds(day, tz)
    rows = await session.execute(
        select(Slot, Person.display_name)
        .join(Person, Person.id == Slot.specialist_id)
        .where(
            Slot.service_type_id == service_type_id,
            Slot.starts_at >= start,
            Slot.starts_at < end,
            *_bookable(now),
        )
        .order_by(Slot.starts_at, Person.display_name, Slot.id)
    )
    return [SlotView(slot, name or "—") for slot, name in rows.all()]


async def service_of_slot(session: AsyncSession, slot_id: int) -> ServiceType:
    """The service a slot belongs to; NotFound for no such slot."""
    slot = await session.get(Slot, slot_id)
    if slot is None:
        raise NotFound()
    return await get_service_type(session, slot.service_type_id)


async def free_slot(
    session: AsyncSession, slot_id: int, *, now: datetime, tz: ZoneInfo
) -> tuple[SlotView, ServiceType]:
    """A slot one could book now, with its service (the confirm screen); NotFound for no such
    slot, SlotTaken when it is no longer free."""
    slot = await session.get(Slot, slot_id)
    if slot is None:
        raise NotFound()
    day = slot.starts_at.astimezone(tz).date()
    free = await free_slots(session, slot.service_type_id, day, now=now, tz=tz)
    view = next((v for v in free if v.slot.id == slot_id), None)
    if view is None:
        raise SlotTaken()
    return view, await get_service_type(session, slot.service_type_id)


# --- booking -------------------------------------------------------------------------------


async def _view(session: AsyncSession, booking: ConsultationBooking) -> ConsultationView:
    slot = await session.get(Slot, booking.slot_id, populate_existing=True)
    service = await session.get(ServiceType, booking.service_type_id)
    assert slot is not None and service is not None
    name = await session.scalar(select(Person.display_name).where(Person.id == slot.specialist_id))
    return ConsultationView(booking, slot, service, name or "—")


async def _active_booking(
    session: AsyncSession, person_id: int, service_type_id: int
) -> ConsultationBooking | None:
    return await session.scalar(
        select(ConsultationBooking)
        .where(
            ConsultationBooking.person_id == person_id,
            ConsultationBooking.service_type_id == service_type_id,
            ConsultationBooking.status == BOOKED,
        )
        .execution_options(populate_existing=True)
    )


async def close_past_bookings(
    session: AsyncSession,
    *,
    now: datetime,
    person_id: int | None = None,
    service_type_id: int | None = None,
) -> int:
    """Active bookings whose appointment has ended without an outcome become 'unmarked'
    (so they no longer count as the upcoming booking); returns how many."""
    ended = select(Slot.id).where(Slot.ends_at <= now)
    conditions = [ConsultationBooking.status == BOOKED, ConsultationBooking.slot_id.in_(ended)]
    if person_id is not None:
        conditions.append(ConsultationBooking.person_id == person_id)
    if service_type_id is not None:
        conditions.append(ConsultationBooking.service_type_id == service_type_id)
    result = await session.execute(
        update(ConsultationBooking)
        .where(*conditions)
        .values(status=ConsultationStatus.UNMARKED.value)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result)


async def _specialist_available(session: AsyncSession, slot: Slot) -> bool:
    """The slot's specialist still works here (slot sync withdraws their slots later)."""
    found = await session.scalar(
        select(Person.id).where(
            Person.id == slot.specialist_id,
            Person.status == PersonStatus.ACTIVE.value,
            Person.role == Role.SPECIALIST.value,
        )
    )
    return found is not None


async def _claim_slot(session: AsyncSession, slot_id: int, now: datetime) -> bool:
    result = await session.execute(
        update(Slot)
        .where(Slot.id == slot_id, Slot.status == SlotStatus.FREE.value, Slot.starts_at > now)
        .values(status=SlotStatus.BOOKED.value)
        .execution_options(synchronize_session=False)
    )
    return bool(rowcount(result))


async def _release_slot(session: AsyncSession, slot_id: int) -> None:
    """A booked slot becomes free again, or withdrawn when its hours no longer cover it."""
    await session.execute(
        update(Slot)
        .where(Slot.id == slot_id, Slot.status == SlotStatus.BOOKED.value)
        .values(
            status=case(
                (Slot.withdrawn_at.is_(None), SlotStatus.FREE.value),
                else_=SlotStatus.WITHDRAWN.value,
            )
        )
        .execution_options(synchronize_session=False)
    )


async def _schedule_reminders(
    session: AsyncSession,
    booking: ConsultationBooking,
    slot: Slot,
    service: ServiceType,
    now: datetime,
    tz: ZoneInfo,
    policy: Policy,
) -> None:
    chat_id = await session.scalar(select(Person.telegram_id).where(Person.id == booking.person_id))
    if chat_id is None:
        return
    planned = plan_reminder_offsets(
        slot.starts_at,
        list(service.reminder_offsets_minutes or []),
        now=now,
        tz=tz,
        quiet=policy.quiet,
    )
    for reminder in planned:
        await outbox.enqueue(
            session,
            chat_id=chat_id,
            person_id=booking.person_id,
            kind=KIND_REMINDER,
            ref_id=booking.id,
            due_at=reminder.due_at,
            expires_at=slot.starts_at,
            payload={"offset": reminder.offset_minutes},
        )


async def book(
    session: AsyncSession,
    *,
    person_id: int,
    slot_id: int,
    now: datetime,
    tz: ZoneInfo,
    policy: Policy,
    neutral: bool = True,
) -> ConsultationView:
    """Book a free slot: checks the referral, takes one of its sessions, claims the slot and
    queues the reminders, all in the caller's transaction.

    Raises ReferralRequired, QuotaUsed, SlotTaken, AlreadyBooked (also for a double tap on
    the same slot), NotFound (no such slot or service), NotAllowed (person not active).
    On any of these no slot, session or booking was changed (the person's past appointments
    of the service that nobody marked may have become 'unmarked', see close_past_bookings).
    A slot starting inside the cut-off can still be booked; it just cannot be cancelled in
    the bot any more.
    """
    person = await session.get(Person, person_id)
    if person is None:
        raise NotFound()
    if person.status != PersonStatus.ACTIVE:
        raise NotAllowed()
    slot = await session.get(Slot, slot_id, populate_existing=True)
    if slot is None:
        raise NotFound()
    service = await get_service_type(session, slot.service_type_id)
    if not service.active or not await _specialist_available(session, slot):
        raise SlotTaken()
    await close_past_bookings(session, now=now, person_id=person_id, service_type_id=service.id)
    existing = await _active_booking(session, person_id, service.id)
    if existing is not None:
        raise AlreadyBooked(existing.id)
    today = _today(now, tz)
    if service.requires_referral:
        state = await referral_state(session, person_id, service.id, today)
        if state == "none":
            raise ReferralRequired()
        if state == "used_up":
            raise QuotaUsed()
    try:
        # One savepoint around every change: whatever is refused below leaves nothing behind,
        # even if the caller catches the error and commits.
        async with session.begin_nested():
            if not await _claim_slot(session, slot_id, now):
                raise SlotTaken()
            referral_id = None
            if service.requires_referral:
                referral_id = await take_session(session, person_id, service.id, today)
                if referral_id is None:
                    raise QuotaUsed()  # the last session went to a concurrent booking
            booking = ConsultationBooking(
                slot_id=slot_id,
                person_id=person_id,
                service_type_id=service.id,
                referral_id=referral_id,
                status=BOOKED,
                created_at=now,
                reminders_neutral=neutral,
            )
            session.add(booking)
            await session.flush()
            await _schedule_reminders(session, booking, slot, service, now, tz, policy)
    except IntegrityError:
        # A concurrent booking of the same person and service won the unique index.
        raced = await _active_booking(session, person_id, service.id)
        if raced is None:
            raise
        raise AlreadyBooked(raced.id) from None
    except SlotTaken:
        holder = await session.scalar(
            select(ConsultationBooking).where(
                ConsultationBooking.slot_id == slot_id, ConsultationBooking.status == BOOKED
            )
        )
        if holder is not None and holder.person_id == person_id:
            raise AlreadyBooked(holder.id) from None  # a double tap: this booking is theirs
        raise
    return await _view(session, booking)


def _check_cutoff(slot: Slot, service: ServiceType, now: datetime, policy: Policy) -> None:
    if now >= slot.starts_at:
        raise CutoffPassed()
    if slot.withdrawn_at is not None:
        return  # the club changed the hours: the participant may always move or cancel
    if now > slot.starts_at - policy.consult_cutoff(service):
        raise CutoffPassed()


async def booking_view(session: AsyncSession, person_id: int, booking_id: int) -> ConsultationView:
    """One of the person's own bookings (any status)."""
    booking = await people.own(session, ConsultationBooking, booking_id, person_id)
    return await _view(session, booking)


async def load_booking(session: AsyncSession, booking_id: int) -> ConsultationView | None:
    """A booking by id for renderers and staff screens (no ownership check: never call it
    with an id a participant sent)."""
    booking = await session.get(ConsultationBooking, booking_id, populate_existing=True)
    return None if booking is None else await _view(session, booking)


async def booking_to_tell(
    session: AsyncSession, person_id: int | None, booking_id: int | None
) -> tuple[Person, ConsultationView] | None:
    """The recipient of a queued message about a booking (a reminder, "the hours changed") and
    the booking, while the message is still wanted: the owner active and reachable, the
    booking still booked. None otherwise: the message is dropped."""
    if person_id is None or booking_id is None:
        return None
    person = await session.get(Person, person_id)
    if person is None or person.telegram_id is None or person.status != PersonStatus.ACTIVE.value:
        return None
    view = await load_booking(session, booking_id)
    if view is None or view.booking.person_id != person.id or view.booking.status != BOOKED:
        return None
    return person, view


async def cancel_booking(
    session: AsyncSession,
    *,
    person_id: int,
    booking_id: int,
    now: datetime,
    policy: Policy,
) -> ConsultationView:
    """Cancel one's own booking before the cut-off: the slot is free again, the referral
    session comes back and pending reminders are cancelled. CutoffPassed after the cut-off,
    BookingClosed when it is no longer active, NotFound for somebody else's booking."""
    booking = await people.own(session, ConsultationBooking, booking_id, person_id)
    if booking.status != BOOKED:
        raise BookingClosed()
    view = await _view(session, booking)
    _check_cutoff(view.slot, view.service, now, policy)
    await _end_booking(session, booking, now, policy, give_back=True)
    return await _view(session, booking)


async def _end_booking(
    session: AsyncSession,
    booking: ConsultationBooking,
    now: datetime,
    policy: Policy,
    *,
    give_back: bool,
) -> None:
    # Slot before booking, the order every change takes (booking, rescheduling, slot sync),
    # so two transactions never wait for each other in a circle on PostgreSQL.
    await session.execute(select(Slot.id).where(Slot.id == booking.slot_id).with_for_update())
    result = await session.execute(
        update(ConsultationBooking)
        .where(ConsultationBooking.id == booking.id, ConsultationBooking.status == BOOKED)
        .values(status=ConsultationStatus.CANCELLED.value, cancelled_at=now)
        .execution_options(synchronize_session=False)
    )
    if not rowcount(result):
        raise BookingClosed()  # cancelled or marked meanwhile
    await session.refresh(booking)
    await _release_slot(session, booking.slot_id)
    if give_back and booking.referral_id is not None:
        await give_back_session(session, booking.referral_id)
    await outbox.cancel(session, kind=KIND_REMINDER, ref_id=booking.id)
    await outbox.cancel(session, kind=KIND_MOVED, ref_id=booking.id)
    await childcare.cancel_for_consultation(session, booking.id, now=now, policy=policy)


async def reschedule(
    session: AsyncSession,
    *,
    person_id: int,
    booking_id: int,
    new_slot_id: int,
    now: datetime,
    tz: ZoneInfo,
    policy: Policy,
) -> ConsultationView:
    """Move one's own booking to another free slot of the same service, atomically: the new
    slot is claimed, the old one released, the reminders re-planned; the booking keeps its id
    and its referral session (nothing is taken or given back). Same cut-off as cancelling.

    Raises SlotTaken, CutoffPassed, BookingClosed, NotFound, InvalidInput("consult-other-
    service") when the new slot is of another service.
    """
    booking = await people.own(session, ConsultationBooking, booking_id, person_id)
    if booking.status != BOOKED:
        raise BookingClosed()
    old = await _view(session, booking)
    if new_slot_id == booking.slot_id:
        return old
    new_slot = await session.get(Slot, new_slot_id, populate_existing=True)
    if new_slot is None:
        raise NotFound()
    if new_slot.service_type_id != booking.service_type_id:
        raise InvalidInput("consult-other-service")
    if not await _specialist_available(session, new_slot):
        raise SlotTaken()
    _check_cutoff(old.slot, old.service, now, policy)
    old_slot_id = booking.slot_id
    async with session.begin_nested():
        # Both slots locked in id order (as slot sync does), so no two changes deadlock.
        await session.execute(
            select(Slot.id)
            .where(Slot.id.in_(sorted((old_slot_id, new_slot_id))))
            .order_by(Slot.id)
            .with_for_update()
        )
        if not await _claim_slot(session, new_slot_id, now):
            raise SlotTaken()
        moved = await session.execute(
            update(ConsultationBooking)
            .where(
                ConsultationBooking.id == booking.id,
                ConsultationBooking.status == BOOKED,
                ConsultationBooking.slot_id == old_slot_id,
            )
            .values(slot_id=new_slot_id, rescheduled_at=now, confirmed_at=None)
            .execution_options(synchronize_session=False)
        )
        if not rowcount(moved):
            raise BookingClosed()
        await _release_slot(session, old_slot_id)
        await outbox.cancel(session, kind=KIND_REMINDER, ref_id=booking.id)
        await outbox.cancel(session, kind=KIND_MOVED, ref_id=booking.id)
        await session.refresh(booking)
        new_slot = await session.get(Slot, new_slot_id, populate_existing=True)
        assert new_slot is not None
        await _schedule_reminders(session, booking, new_slot, old.service, now, tz, policy)
        await childcare.move_for_consultation(session, booking.id, now=now, policy=policy)
    return await _view(session, booking)


async def confirm_booking(
    session: AsyncSession, *, person_id: int, booking_id: int, now: datetime
) -> ConsultationView:
    """Record "I'll come" from a reminder: recorded once (a second tap changes nothing)."""
    booking = await people.own(session, ConsultationBooking, booking_id, person_id)
    if booking.status != BOOKED:
        raise BookingClosed()
    view = await _view(session, booking)
    if now >= view.slot.ends_at:
        raise BookingClosed()
    if booking.confirmed_at is None:
        booking.confirmed_at = now
        await session.flush()
    return view


async def set_reminders_neutral(
    session: AsyncSession, *, person_id: int, booking_id: int, neutral: bool
) -> ConsultationView:
    """Whether messages sent out about this booking keep the service and the specialist off
    the lock screen (behind "Show details")."""
    booking = await people.own(session, ConsultationBooking, booking_id, person_id)
    booking.reminders_neutral = neutral
    await session.flush()
    return await _view(session, booking)


async def my_consultations(
    session: AsyncSession, person_id: int, now: datetime
) -> list[ConsultationView]:
    """The person's active bookings not over yet, soonest first."""
    rows = await session.execute(
        select(ConsultationBooking, Slot, ServiceType, Person.display_name)
        .join(Slot, Slot.id == ConsultationBooking.slot_id)
        .join(ServiceType, ServiceType.id == ConsultationBooking.service_type_id)
        .join(Person, Person.id == Slot.specialist_id)
        .where(
            ConsultationBooking.person_id == person_id,
            ConsultationBooking.status == BOOKED,
            Slot.ends_at > now,
        )
        .order_by(Slot.starts_at, ConsultationBooking.id)
    )
    return [ConsultationView(b, s, t, name or "—") for b, s, t, name in rows.all()]


async def withdraw_person(
    session: AsyncSession, person_id: int, now: datetime, policy: Policy
) -> int:
    """End every active booking of a person who deletes their data (cut-off ignored): slots
    freed, referral sessions given back, reminders cancelled. Returns how many."""
    return await _withdraw_all(session, person_id, now, policy)


async def withdraw_future(
    session: AsyncSession, person_id: int, now: datetime, policy: Policy
) -> int:
    """End a deactivated person's bookings that have not started (cut-off ignored, nobody
    told): slots freed, referral sessions given back, reminders and care cancelled. Returns
    how many."""
    return await _withdraw_all(session, person_id, now, policy, starting_after=now)


async def _withdraw_all(
    session: AsyncSession,
    person_id: int,
    now: datetime,
    policy: Policy,
    *,
    starting_after: datetime | None = None,
) -> int:
    query = select(ConsultationBooking).where(
        ConsultationBooking.person_id == person_id, ConsultationBooking.status == BOOKED
    )
    if starting_after is not None:
        query = query.join(Slot, Slot.id == ConsultationBooking.slot_id).where(
            Slot.starts_at > starting_after
        )
    active = list(await session.scalars(query.order_by(ConsultationBooking.id)))
    ended = 0
    for booking in active:
        try:
            await _end_booking(session, booking, now, policy, give_back=True)
        except BookingClosed:
            continue  # cancelled or marked meanwhile: nothing was changed for it
        ended += 1
    return ended


# --- specialists: agenda and outcomes ------------------------------------------------------


def _agenda_entry(
    slot: Slot,
    service: ServiceType,
    tz: ZoneInfo,
    booking: ConsultationBooking | None = None,
    name: str | None = None,
) -> AgendaEntry:
    return AgendaEntry(
        slot_id=slot.id,
        booking_id=booking.id if booking is not None else None,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        local_time=slot.starts_at.astimezone(tz).time().replace(tzinfo=None),
        participant_name=(name or "—") if booking is not None else None,
        service=service,
        place=slot.place,
        status=booking.status if booking is not None else SlotStatus.FREE.value,
    )


async def agenda(
    session: AsyncSession,
    specialist_id: int,
    day: date,
    tz: ZoneInfo,
    *,
    include_free: bool = False,
) -> list[AgendaEntry]:
    """A specialist's appointments on one local day, by time (cancelled ones left out; free
    slots too, unless `include_free`). No authorisation here: see `agenda_for`."""
    start, end = _day_bounds(day, tz)
    slots = list(
        await session.scalars(
            select(Slot)
            .where(
                Slot.specialist_id == specialist_id,
                Slot.starts_at >= start,
                Slot.starts_at < end,
                Slot.status != SlotStatus.WITHDRAWN.value,
            )
            .order_by(Slot.starts_at)
            .execution_options(populate_existing=True)
        )
    )
    slot_ids = [s.id for s in slots]
    bookings: dict[int, tuple[ConsultationBooking, str | None]] = {}
    if slot_ids:
        rows = await session.execute(
            select(ConsultationBooking, Person.display_name)
            .join(Person, Person.id == ConsultationBooking.person_id)
            .where(
                ConsultationBooking.slot_id.in_(slot_ids),
                ConsultationBooking.status != ConsultationStatus.CANCELLED.value,
            )
            .order_by(ConsultationBooking.id)
        )
        for booking, name in rows.all():
            bookings[booking.slot_id] = (booking, name)
    services = {s.id: s for s in await session.scalars(select(ServiceType))}
    entries = []
    for slot in slots:
        found = bookings.get(slot.id)
        if found is None:
            if include_free and slot.status == SlotStatus.FREE:
                entries.append(_agenda_entry(slot, services[slot.service_type_id], tz))
            continue
        booking, name = found
        entries.append(_agenda_entry(slot, services[slot.service_type_id], tz, booking, name))
    return entries


async def agenda_for(
    session: AsyncSession,
    *,
    actor_tid: int,
    specialist_id: int,
    day: date,
    tz: ZoneInfo,
    include_free: bool = False,
) -> list[AgendaEntry]:
    """`agenda` for a staff member: the specialist themselves, a coordinator or an admin."""
    actor = await people.require_role(session, actor_tid, OUTCOME_ROLES)
    if actor.role == Role.SPECIALIST and actor.id != specialist_id:
        raise NotAllowed()
    return await agenda(session, specialist_id, day, tz, include_free=include_free)


async def specialist_name(session: AsyncSession, specialist_id: int) -> str | None:
    """A specialist's name for the title of their agenda; None if unknown."""
    name: str | None = await session.scalar(
        select(Person.display_name).where(Person.id == specialist_id)
    )
    return name


async def morning_agenda(
    session: AsyncSession, specialist_id: int | None, day: date, tz: ZoneInfo
) -> tuple[Person, list[AgendaEntry]] | None:
    """A specialist's queued morning agenda, while it is still wanted: the specialist active
    and reachable, with appointments that day. None otherwise: the message is dropped."""
    if specialist_id is None:
        return None
    specialist = await session.get(Person, specialist_id)
    if (
        specialist is None
        or specialist.telegram_id is None
        or specialist.role != Role.SPECIALIST.value
        or specialist.status != PersonStatus.ACTIVE.value
    ):
        return None
    entries = await agenda(session, specialist.id, day, tz)
    if not entries:
        return None
    return specialist, entries


async def enqueue_daily_agendas(
    session: AsyncSession, *, now: datetime, tz: ZoneInfo, day: date | None = None
) -> int:
    """Queue the day's agenda (`consult_agenda`, `ref_id` = YYYYMMDD, payload `{"day": ISO
    date}`, due now, expiring at the end of that day) for every active specialist with at
    least one booking that day; at most once per specialist and day, whoever else runs this
    (insert-or-nothing on a unique index). Returns how many this call queued."""
    day = day or _today(now, tz)
    start, end = _day_bounds(day, tz)
    rows = await session.execute(
        select(Person.id, Person.telegram_id)
        .join(Slot, Slot.specialist_id == Person.id)
        .join(ConsultationBooking, ConsultationBooking.slot_id == Slot.id)
        .where(
            Slot.starts_at >= start,
            Slot.starts_at < end,
            ConsultationBooking.status == BOOKED,
            Person.role == Role.SPECIALIST.value,
            Person.status == PersonStatus.ACTIVE.value,
            Person.telegram_id.is_not(None),
        )
        .distinct()
    )
    queued = 0
    # In person order, so two concurrent runs take the index's row locks in the same order.
    for person_id, chat_id in sorted(rows.all()):
        if chat_id is None:
            continue
        queued += await outbox.enqueue_daily_digest(
            session,
            chat_id=chat_id,
            person_id=person_id,
            kind=KIND_AGENDA,
            day=day,
            due_at=now,
            expires_at=end,
        )
    return queued


async def mark_outcome(
    session: AsyncSession, *, actor_tid: int, booking_id: int, attended: bool, now: datetime
) -> ConsultationView:
    """Record attended / no-show (a supportive record, never a ban) once the appointment has
    started; may be corrected later. Allowed for the booking's specialist, coordinators and
    admins (NotAllowed for anyone else). The referral session stays used either way."""
    actor = await people.require_role(session, actor_tid, OUTCOME_ROLES)
    booking = await session.get(ConsultationBooking, booking_id, populate_existing=True)
    if booking is None:
        raise NotFound()
    view = await _view(session, booking)
    if actor.role == Role.SPECIALIST and view.slot.specialist_id != actor.id:
        raise NotAllowed()
    if now < view.slot.starts_at:
        raise InvalidInput("consult-not-started")
    status = ConsultationStatus.ATTENDED.value if attended else ConsultationStatus.NO_SHOW.value
    result = await session.execute(
        update(ConsultationBooking)
        .where(ConsultationBooking.id == booking_id, ConsultationBooking.status.in_(MARKABLE))
        .values(status=status, outcome_marked_at=now, outcome_marked_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if not rowcount(result):
        raise BookingClosed()  # cancelled
    await session.refresh(booking)
    await outbox.cancel(session, kind=KIND_REMINDER, ref_id=booking.id)
    await audit.record_action(
        session,
        actor.id,
        "consultation.attended" if attended else "consultation.no_show",
        "consultation_booking",
        booking_id,
    )
    return await _view(session, booking)
