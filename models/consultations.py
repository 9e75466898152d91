"""ORM models of consultations: service types, specialists' weekly hours and closures, slots,
referrals and bookings.

Uniqueness is settled by the database: one slot per specialist and start time, at most one
active booking per slot, and at most one active booking per person and service type (partial
unique indexes on `status = 'booked'`, on SQLite and PostgreSQL alike).
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, str_enum, utcnow

DEFAULT_REMINDER_OFFSETS = (1440, 120)  # minutes before the start: the day before, 2 h before


class SlotStatus(StrEnum):
    """Whether a slot can be booked."""

    FREE = "free"
    BOOKED = "booked"  # held by exactly one booking with status 'booked' (or its past outcome)
    WITHDRAWN = "withdrawn"  # no longer offered: hours changed, a closure, specialist gone


class ConsultationStatus(StrEnum):
    """Life of one booking."""

    BOOKED = "booked"  # active: holds its slot, counts as "the upcoming booking" of a service
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"  # recorded, never a ban
    # The appointment is over and nobody marked an outcome yet. Set when the person books the
    # same service again (or by `close_past_bookings`), so an unmarked past appointment does
    # not block the next booking; staff can still mark it attended or no-show later.
    UNMARKED = "unmarked"


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


ACTIVE_BOOKING = f"status = '{ConsultationStatus.BOOKED.value}'"


def _default_offsets() -> list[int]:
    return list(DEFAULT_REMINDER_OFFSETS)


class ServiceType(Base):
    """A kind of consultation (psychologist, legal adviser, ...), with names in every language."""

    __tablename__ = "service_type"
    __table_args__ = (
        CheckConstraint("slot_minutes > 0 AND slot_minutes <= 480", name="slot_minutes"),
        CheckConstraint("cancel_cutoff_hours IS NULL OR cancel_cutoff_hours >= 0", name="cutoff"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name_pl: Mapped[str] = mapped_column(String(120))
    name_uk: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    requires_referral: Mapped[bool] = mapped_column(Boolean, default=False)
    slot_minutes: Mapped[int] = mapped_column(Integer, default=45)
    # Minutes before the start; a whole number of days means "the same clock time N days
    # before" (see services.reminder_time).
    reminder_offsets_minutes: Mapped[list[int]] = mapped_column(JSON, default=_default_offsets)
    # None: KISBOT_CONSULT_CUTOFF_HOURS applies; a number overrides it for this service.
    cancel_cutoff_hours: Mapped[int | None] = mapped_column(Integer)
    # Psychologist, lawyer: messages sent out about them (reminders, changes, referrals, the
    # specialists' morning agenda) name neither them nor the specialist in what a lock screen
    # previews; the details are behind a button.
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def name(self, lang: str) -> str:
        """The name in `lang` (Polish when missing)."""
        return str(getattr(self, f"name_{lang}", None) or self.name_pl)


class SpecialistService(Base):
    """Which service types a specialist (a staff person with the specialist role) provides."""

    __tablename__ = "specialist_service"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    service_type_id: Mapped[int] = mapped_column(
        ForeignKey("service_type.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WeeklyHours(Base):
    """A specialist's regular hours for one service on one weekday, in local (club) time."""

    __tablename__ = "weekly_hours"
    __table_args__ = (
        UniqueConstraint("specialist_id", "weekday", "start_time", name="uq_weekly_hours_start"),
        CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday"),
        CheckConstraint("end_time > start_time", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    specialist_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    service_type_id: Mapped[int] = mapped_column(
        ForeignKey("service_type.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday ... 6 = Sunday
    start_time: Mapped[time]
    end_time: Mapped[time]
    place: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Closure(Base):
    """Days without consultations (local dates, both ends included): leave or a holiday.

    `specialist_id` None closes the whole club.
    """

    __tablename__ = "closure"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        Index("ix_closure_ends_on", "ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    specialist_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Slot(Base):
    """One bookable appointment time of one specialist for one service."""

    __tablename__ = "slot"
    __table_args__ = (
        UniqueConstraint("specialist_id", "starts_at", name="uq_slot_specialist_start"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(_in("status", tuple(s.value for s in SlotStatus)), name="status"),
        Index("ix_slot_service_status_start", "service_type_id", "status", "starts_at"),
        Index("ix_slot_starts_at", "starts_at"),  # staff agenda and monthly reports (0006)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    specialist_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    service_type_id: Mapped[int] = mapped_column(ForeignKey("service_type.id"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200), default="")
    # Changed only by conditional UPDATEs (`... WHERE status = 'free'`), so one slot is
    # claimed by one booking however many people tap at once.
    status: Mapped[SlotStatus] = mapped_column(str_enum(SlotStatus, 16), default=SlotStatus.FREE)
    # When the weekly hours or a closure stopped covering this slot. A free slot is withdrawn
    # at once; a booked one keeps its booking and becomes 'withdrawn' when that booking ends.
    withdrawn_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Referral(Base):
    """A social worker's referral of a participant to a service, with a quota of sessions.

    A referral issued as a deep link has a `code` and no person until someone claims it.
    """

    __tablename__ = "referral"
    __table_args__ = (
        CheckConstraint("sessions_total > 0", name="sessions_total"),
        CheckConstraint(
            "sessions_used >= 0 AND sessions_used <= sessions_total", name="sessions_used"
        ),
        CheckConstraint("person_id IS NOT NULL OR code IS NOT NULL", name="holder"),
        Index("ix_referral_person_service", "person_id", "service_type_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    service_type_id: Mapped[int] = mapped_column(ForeignKey("service_type.id"))
    sessions_total: Mapped[int] = mapped_column(Integer)
    # Changed only by conditional UPDATEs (`+ 1 WHERE sessions_used < sessions_total`).
    sessions_used: Mapped[int] = mapped_column(Integer, default=0)
    expires_on: Mapped[date]  # last local day on which it can be used to book
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    code: Mapped[str | None] = mapped_column(String(32), unique=True)
    claimed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    @property
    def sessions_left(self) -> int:
        """Sessions still available on this referral."""
        return max(0, self.sessions_total - self.sessions_used)


class ConsultationBooking(Base):
    """A participant's booking of one slot (and its history: cancelled, attended, no-show)."""

    __tablename__ = "consultation_booking"
    __table_args__ = (
        CheckConstraint(_in("status", tuple(s.value for s in ConsultationStatus)), name="status"),
        # One active booking per slot; history rows may repeat.
        Index(
            "uq_consultation_booking_slot_active",
            "slot_id",
            unique=True,
            sqlite_where=text(ACTIVE_BOOKING),
            postgresql_where=text(ACTIVE_BOOKING),
        ),
        # One active (upcoming) booking per person and service type.
        Index(
            "uq_consultation_booking_person_service_active",
            "person_id",
            "service_type_id",
            unique=True,
            sqlite_where=text(ACTIVE_BOOKING),
            postgresql_where=text(ACTIVE_BOOKING),
        ),
        Index("ix_consultation_booking_person_status", "person_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    service_type_id: Mapped[int] = mapped_column(ForeignKey("service_type.id"))
    referral_id: Mapped[int | None] = mapped_column(
        ForeignKey("referral.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[ConsultationStatus] = mapped_column(
        str_enum(ConsultationStatus, 16), default=ConsultationStatus.BOOKED
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]  # "I'll come" from a reminder
    rescheduled_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    outcome_marked_at: Mapped[datetime | None]
    outcome_marked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    # True (for a sensitive service): reminders and change notices open neutrally, the service
    # and specialist behind "Show details"; the participant may opt out.
    reminders_neutral: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:  # no personal data in logs
        return f"<ConsultationBooking {self.id} {self.status}>"
