"""ORM models of childcare: participants' dependants, care requests tied to a booking, the
partner's capacity per time window, and one lock row per care day.

A care request belongs to exactly one booking: a workshop enrolment or a consultation booking
(two nullable foreign keys, a CHECK that exactly one is set). At most one active (held,
pending or approved) request per dependant and booking: partial unique indexes, on SQLite and
PostgreSQL alike. Every change that can alter how many places are taken on a day first locks
that day's `care_day` row (see services.childcare).
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, str_enum, utcnow


class DependantKind(StrEnum):
    """Who is cared for."""

    CHILD = "child"
    ADULT = "adult"  # a dependent adult


class CareStatus(StrEnum):
    """Life of one care request."""

    HELD = "held"  # over capacity: on hold, promoted to pending when room frees
    PENDING = "pending"  # waiting for the partner's (or a coordinator's) decision
    APPROVED = "approved"
    DECLINED = "declined"  # decline_reason says why
    CANCELLED = "cancelled"  # by the participant, or because the booking ended


ACTIVE_CARE = (CareStatus.HELD.value, CareStatus.PENDING.value, CareStatus.APPROVED.value)
# Requests that take a place in the capacity check.
COUNTED_CARE = (CareStatus.PENDING.value, CareStatus.APPROVED.value)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


ACTIVE_CARE_WHERE = _in("status", ACTIVE_CARE)


class Dependant(Base):
    """A child or dependent adult a participant may ask care for. Deleted (not kept) when the
    participant removes it or deletes their data; requests then keep only anonymous counts."""

    __tablename__ = "dependant"
    __table_args__ = (
        CheckConstraint(_in("kind", tuple(k.value for k in DependantKind)), name="kind"),
        CheckConstraint("birth_year >= 1900 AND birth_year <= 2200", name="birth_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))  # a first name or a nickname
    kind: Mapped[DependantKind] = mapped_column(str_enum(DependantKind, 8))
    birth_year: Mapped[int] = mapped_column(Integer)
    needs: Mapped[str] = mapped_column(String(300), default="")  # allergies, mobility, ...
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None]

    def age_on(self, day: date) -> int:
        """Age in years on `day`, as far as a birth year tells (the year's difference)."""
        return day.year - self.birth_year

    def __repr__(self) -> str:  # no personal data in logs
        return f"<Dependant {self.id}>"


class CareCapacity(Base):
    """How many dependants the partner takes at once in a local time window, with optional
    age limits. `weekday` None: every day; a weekday's own rows take precedence over those.
    Where no row covers a moment, KISBOT_CARE_CAPACITY applies (no age limits)."""

    __tablename__ = "care_capacity"
    __table_args__ = (
        CheckConstraint("weekday IS NULL OR (weekday >= 0 AND weekday <= 6)", name="weekday"),
        CheckConstraint("end_time > start_time", name="ends_after_start"),
        CheckConstraint("max_dependants >= 0", name="max_dependants"),
        CheckConstraint(
            "(min_age IS NULL OR min_age >= 0) AND (max_age IS NULL OR max_age >= 0) "
            "AND (min_age IS NULL OR max_age IS NULL OR min_age <= max_age)",
            name="ages",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    weekday: Mapped[int | None] = mapped_column(Integer)  # 0 = Monday ... 6 = Sunday
    start_time: Mapped[time]
    end_time: Mapped[time]
    max_dependants: Mapped[int] = mapped_column(Integer)
    min_age: Mapped[int | None] = mapped_column(Integer)
    max_age: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CareDay(Base):
    """One row per local day with care: locked (FOR UPDATE on PostgreSQL) by every change of
    that day's requests, so two requests racing for the last place are decided one by one."""

    __tablename__ = "care_day"

    day: Mapped[date] = mapped_column(primary_key=True)


class CareRequest(Base):
    """Care for one dependant during one booking (window = the booking ± the margin)."""

    __tablename__ = "care_request"
    __table_args__ = (
        CheckConstraint(_in("status", tuple(s.value for s in CareStatus)), name="status"),
        CheckConstraint("(enrollment_id IS NULL) <> (consultation_id IS NULL)", name="one_booking"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index(
            "uq_care_request_enrollment_active",
            "dependant_id",
            "enrollment_id",
            unique=True,
            sqlite_where=text(ACTIVE_CARE_WHERE),
            postgresql_where=text(ACTIVE_CARE_WHERE),
        ),
        Index(
            "uq_care_request_consultation_active",
            "dependant_id",
            "consultation_id",
            unique=True,
            sqlite_where=text(ACTIVE_CARE_WHERE),
            postgresql_where=text(ACTIVE_CARE_WHERE),
        ),
        Index("ix_care_request_status_start", "status", "starts_at"),
        Index("ix_care_request_person_status", "person_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    # NULL once the dependant was removed: the row then only counts.
    dependant_id: Mapped[int | None] = mapped_column(
        ForeignKey("dependant.id", ondelete="SET NULL"), index=True
    )
    enrollment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), index=True
    )
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_booking.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[CareStatus] = mapped_column(str_enum(CareStatus, 12))
    decline_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)  # arrival order (with id)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    cancelled_at: Mapped[datetime | None]

    def __repr__(self) -> str:  # no personal data in logs
        return f"<CareRequest {self.id} {self.status}>"
