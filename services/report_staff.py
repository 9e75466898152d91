"""Read-only staff look-ups for the bot's staff screens: the agenda of a day and a
participant's card. (Participant search lives in `services.participant_search`.)

What each role gets from `staff_agenda`:
- admins and coordinators: the day's workshop sessions (seats taken, capacity, waiting),
  every specialist's consultations, and the day's childcare;
- a specialist: only their own consultations (nothing else);
- the childcare partner: only the childcare of the day, without the booking behind it;
- participants: NotAllowed.

`participant_card` is for admins and coordinators only (it shows which services someone uses).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models import (
    ACTIVE_CARE,
    CareRequest,
    ConsultationBooking,
    ConsultationStatus,
    Dependant,
    Enrollment,
    EnrollmentStatus,
    Person,
    Referral,
    Role,
    ServiceType,
    Slot,
    Workshop,
    WorkshopSession,
)
from services import people
from services.errors import NotFound
from services.reports import MANAGERS, PARTNER, SPECIALIST, local_day_bounds

AGENDA_ROLES = (*MANAGERS, SPECIALIST, PARTNER)
CARD_ROLES = MANAGERS


@dataclass(frozen=True)
class AgendaSession:
    """A workshop session of the day."""

    session_id: int
    workshop: str
    starts_at: datetime
    ends_at: datetime
    place: str | None
    status: str
    capacity: int
    seats_taken: int
    waiting: int


@dataclass(frozen=True)
class AgendaConsultation:
    """A booked (or already marked) consultation of the day."""

    booking_id: int
    starts_at: datetime
    ends_at: datetime
    service: str
    place: str
    participant_id: int
    participant_name: str | None
    status: str


@dataclass(frozen=True)
class AgendaCare:
    """A care request of the day (held, pending or approved)."""

    request_id: int
    starts_at: datetime
    ends_at: datetime
    place: str
    status: str
    dependant_name: str | None
    dependant_kind: str | None
    age: int | None
    parent_name: str | None


@dataclass(frozen=True)
class Agenda:
    """One local day for one staff member (see the module docstring for who sees what)."""

    day: date
    sessions: list[AgendaSession] = field(default_factory=list)
    # specialist's name -> their consultations, by time
    consultations: dict[str, list[AgendaConsultation]] = field(default_factory=dict)
    childcare: list[AgendaCare] = field(default_factory=list)


async def staff_agenda(session: AsyncSession, *, actor_tid: int, day: date, tz: ZoneInfo) -> Agenda:
    """The agenda of local `day` as the acting staff member may see it."""
    actor = await people.require_role(session, actor_tid, AGENDA_ROLES)
    start, end = local_day_bounds(day, tz)
    manager = actor.role in MANAGERS
    agenda = Agenda(day)
    if manager:
        agenda.sessions.extend(await _sessions(session, start, end))
    if manager or actor.role == SPECIALIST:
        agenda.consultations.update(
            await _consultations(session, start, end, None if manager else actor.id)
        )
    if manager or actor.role == PARTNER:
        agenda.childcare.extend(await _care(session, start, end, day))
    return agenda


async def _sessions(session: AsyncSession, start: datetime, end: datetime) -> list[AgendaSession]:
    waiting = (
        select(func.count())
        .where(
            Enrollment.session_id == WorkshopSession.id,
            Enrollment.status == EnrollmentStatus.WAITING.value,
        )
        .correlate(WorkshopSession)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(WorkshopSession, Workshop.title_pl, waiting)
        .join(Workshop, Workshop.id == WorkshopSession.workshop_id)
        .where(WorkshopSession.starts_at >= start, WorkshopSession.starts_at < end)
        .order_by(WorkshopSession.starts_at, WorkshopSession.id)
    )
    return [
        AgendaSession(
            s.id,
            title,
            s.starts_at,
            s.ends_at,
            s.place,
            s.status,
            s.capacity,
            s.seats_taken,
            int(count),
        )
        for s, title, count in rows.all()
    ]


async def _consultations(
    session: AsyncSession, start: datetime, end: datetime, specialist_id: int | None
) -> dict[str, list[AgendaConsultation]]:
    specialist = aliased(Person)
    query = (
        select(
            ConsultationBooking.id,
            Slot.starts_at,
            Slot.ends_at,
            ServiceType.name_pl,
            Slot.place,
            ConsultationBooking.person_id,
            Person.display_name,
            ConsultationBooking.status,
            specialist.display_name,
            specialist.id,
        )
        .join(Slot, Slot.id == ConsultationBooking.slot_id)
        .join(ServiceType, ServiceType.id == ConsultationBooking.service_type_id)
        .join(Person, Person.id == ConsultationBooking.person_id)
        .join(specialist, specialist.id == Slot.specialist_id)
        .where(
            Slot.starts_at >= start,
            Slot.starts_at < end,
            ConsultationBooking.status != ConsultationStatus.CANCELLED.value,
        )
        .order_by(specialist.display_name, Slot.starts_at, ConsultationBooking.id)
    )
    if specialist_id is not None:
        query = query.where(Slot.specialist_id == specialist_id)
    grouped: dict[str, list[AgendaConsultation]] = defaultdict(list)
    for bid, starts, ends, service, place, pid, pname, status, sname, sid in (
        await session.execute(query)
    ).all():
        grouped[sname or f"#{sid}"].append(
            AgendaConsultation(bid, starts, ends, service, place, pid, pname, status)
        )
    return dict(grouped)


async def _care(
    session: AsyncSession, start: datetime, end: datetime, day: date
) -> list[AgendaCare]:
    rows = await session.execute(
        select(
            CareRequest, Dependant.name, Dependant.kind, Dependant.birth_year, Person.display_name
        )
        .join(Person, Person.id == CareRequest.person_id)
        .outerjoin(Dependant, Dependant.id == CareRequest.dependant_id)
        .where(
            CareRequest.status.in_(ACTIVE_CARE),
            CareRequest.starts_at >= start,
            CareRequest.starts_at < end,
        )
        .order_by(CareRequest.starts_at, CareRequest.id)
    )
    return [
        AgendaCare(
            r.id,
            r.starts_at,
            r.ends_at,
            r.place,
            r.status,
            name,
            kind,
            day.year - year if year is not None else None,
            parent,
        )
        for r, name, kind, year, parent in rows.all()
    ]


# ------------------------------------------------------------------ participant card


@dataclass(frozen=True)
class CardBooking:
    """One workshop enrolment or consultation booking on the card."""

    kind: str  # "workshop" or "consultation"
    booking_id: int
    title: str  # workshop title or service name
    starts_at: datetime
    ends_at: datetime
    status: str
    attended: bool | None  # None: not marked (or not applicable yet)


@dataclass(frozen=True)
class CardReferral:
    """A referral to a service, with its quota."""

    referral_id: int
    service: str
    sessions_total: int
    sessions_used: int
    expires_on: date
    revoked: bool


@dataclass(frozen=True)
class CardCare:
    """A care request of the participant."""

    request_id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    dependant_name: str | None


@dataclass(frozen=True)
class ParticipantCard:
    """Everything staff need about one participant on one screen."""

    person: Person
    past: list[CardBooking]
    upcoming: list[CardBooking]
    referrals: list[CardReferral]
    care: list[CardCare]

    @property
    def attended(self) -> int:
        """Past bookings marked attended."""
        return sum(1 for b in self.past if b.attended is True)

    @property
    def no_shows(self) -> int:
        """Past bookings marked as no-show."""
        return sum(1 for b in self.past if b.attended is False)


async def participant_card(
    session: AsyncSession, *, actor_tid: int, person_id: int, now: datetime
) -> ParticipantCard:
    """The card of participant `person_id` (admins and coordinators; NotFound for staff ids
    and unknown ids)."""
    await people.require_role(session, actor_tid, CARD_ROLES)
    person = await session.get(Person, person_id)
    if person is None or person.role != Role.PARTICIPANT:
        raise NotFound()
    bookings: list[CardBooking] = []
    enrolments = await session.execute(
        select(
            Enrollment.id,
            Workshop.title_pl,
            WorkshopSession.starts_at,
            WorkshopSession.ends_at,
            Enrollment.status,
            Enrollment.attended,
        )
        .join(WorkshopSession, WorkshopSession.id == Enrollment.session_id)
        .join(Workshop, Workshop.id == WorkshopSession.workshop_id)
        .where(Enrollment.person_id == person_id)
    )
    for eid, title, starts, ends, status, attended in enrolments.all():
        bookings.append(CardBooking("workshop", eid, title, starts, ends, status, attended))
    consultations = await session.execute(
        select(
            ConsultationBooking.id,
            ServiceType.name_pl,
            Slot.starts_at,
            Slot.ends_at,
            ConsultationBooking.status,
        )
        .join(Slot, Slot.id == ConsultationBooking.slot_id)
        .join(ServiceType, ServiceType.id == ConsultationBooking.service_type_id)
        .where(ConsultationBooking.person_id == person_id)
    )
    outcome = {ConsultationStatus.ATTENDED: True, ConsultationStatus.NO_SHOW: False}
    for bid, name, starts, ends, booking_status in consultations.all():
        bookings.append(
            CardBooking(
                "consultation", bid, name, starts, ends, booking_status, outcome.get(booking_status)
            )
        )
    bookings.sort(key=lambda b: (b.starts_at, b.kind, b.booking_id))
    referrals = [
        CardReferral(
            r.id, name, r.sessions_total, r.sessions_used, r.expires_on, r.revoked_at is not None
        )
        for r, name in (
            await session.execute(
                select(Referral, ServiceType.name_pl)
                .join(ServiceType, ServiceType.id == Referral.service_type_id)
                .where(Referral.person_id == person_id)
                .order_by(Referral.created_at.desc(), Referral.id.desc())
            )
        ).all()
    ]
    care = [
        CardCare(r.id, r.starts_at, r.ends_at, r.status, name)
        for r, name in (
            await session.execute(
                select(CareRequest, Dependant.name)
                .outerjoin(Dependant, Dependant.id == CareRequest.dependant_id)
                .where(CareRequest.person_id == person_id)
                .order_by(CareRequest.starts_at.desc(), CareRequest.id.desc())
            )
        ).all()
    ]
    return ParticipantCard(
        person=person,
        past=[b for b in bookings if b.starts_at < now][::-1],  # newest first
        upcoming=[b for b in bookings if b.starts_at >= now],
        referrals=referrals,
        care=care,
    )
