"""ORM models of workshops: the catalogue, sessions (with seat counters) and enrolments."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, str_enum, utcnow


class WorkshopGroup(StrEnum):
    """How the club groups its offer (from the KIS Śródmieście project)."""

    SOCIAL = "social"  # aktywizacja społeczna
    PROFESSIONAL = "professional"  # aktywizacja zawodowa
    COMMUNITY = "community"  # aktywizacja środowiskowa


class SessionStatus(StrEnum):
    """A workshop session is scheduled until staff cancel it."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class EnrollmentStatus(StrEnum):
    """Life of one person's place (or wish for a place) in one session."""

    CONFIRMED = "confirmed"  # holds a seat
    WAITING = "waiting"  # on the waiting list
    OFFERED = "offered"  # a freed seat is held for them until offer_expires_at
    CANCELLED = "cancelled"  # they cancelled (a seat or a waiting-list place)
    PASSED = "passed"  # they passed on an offer
    EXPIRED = "expired"  # an offer ran out, or the session started while waiting
    SESSION_CANCELLED = "session_cancelled"  # staff cancelled the session


ACTIVE_ENROLLMENT = (
    EnrollmentStatus.CONFIRMED.value,
    EnrollmentStatus.WAITING.value,
    EnrollmentStatus.OFFERED.value,
)
SEAT_HOLDING = (EnrollmentStatus.CONFIRMED.value, EnrollmentStatus.OFFERED.value)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Workshop(Base):
    """One kind of workshop in the catalogue, with texts in every language."""

    __tablename__ = "workshop"
    __table_args__ = (
        CheckConstraint(_in("group_key", tuple(g.value for g in WorkshopGroup)), name="group"),
        CheckConstraint("default_capacity >= 0", name="capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    group_key: Mapped[WorkshopGroup] = mapped_column(str_enum(WorkshopGroup, 16))
    title_pl: Mapped[str] = mapped_column(String(120))
    title_uk: Mapped[str] = mapped_column(String(120))
    title_en: Mapped[str] = mapped_column(String(120))
    description_pl: Mapped[str] = mapped_column(Text, default="")
    description_uk: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    default_capacity: Mapped[int] = mapped_column(Integer, default=12)
    cancel_cutoff_hours: Mapped[int] = mapped_column(Integer, default=24)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def title(self, lang: str) -> str:
        """The title in `lang` (Polish when missing)."""
        return str(getattr(self, f"title_{lang}", None) or self.title_pl)

    def description(self, lang: str) -> str:
        """The description in `lang` (Polish when missing)."""
        return str(getattr(self, f"description_{lang}", None) or self.description_pl)


class WorkshopSeries(Base):
    """A cycle of sessions of one workshop that can be joined as a whole."""

    __tablename__ = "workshop_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title_pl: Mapped[str] = mapped_column(String(120))
    title_uk: Mapped[str] = mapped_column(String(120))
    title_en: Mapped[str] = mapped_column(String(120))

    def title(self, lang: str) -> str:
        """The title in `lang` (Polish when missing)."""
        return str(getattr(self, f"title_{lang}", None) or self.title_pl)


class WorkshopSession(Base):
    """One dated meeting of a workshop, with its own capacity and seat counter."""

    __tablename__ = "workshop_session"
    __table_args__ = (
        UniqueConstraint("workshop_id", "starts_at", name="uq_workshop_session_start"),
        CheckConstraint("capacity >= 0", name="capacity"),
        CheckConstraint("seats_taken >= 0", name="seats_taken"),
        CheckConstraint("seats_taken <= capacity", name="seats_within_capacity"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(_in("status", tuple(s.value for s in SessionStatus)), name="status"),
        Index("ix_workshop_session_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshop_series.id", ondelete="SET NULL"), index=True
    )
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    place: Mapped[str | None] = mapped_column(String(200))
    capacity: Mapped[int] = mapped_column(Integer)
    # Seats held by confirmed enrolments and open offers. Changed only by conditional UPDATEs,
    # so capacity holds under concurrency on SQLite and PostgreSQL alike.
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    cancel_cutoff_hours: Mapped[int] = mapped_column(Integer, default=24)
    status: Mapped[SessionStatus] = mapped_column(
        str_enum(SessionStatus, 16), default=SessionStatus.SCHEDULED
    )
    cancelled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Enrollment(Base):
    """A person's seat, waiting-list place or offer in one session (and its history)."""

    __tablename__ = "enrollment"
    __table_args__ = (
        CheckConstraint(_in("status", tuple(s.value for s in EnrollmentStatus)), name="status"),
        # One active enrolment per person and session; history rows may repeat.
        Index(
            "uq_enrollment_active",
            "session_id",
            "person_id",
            unique=True,
            sqlite_where=text(_in("status", ACTIVE_ENROLLMENT)),
            postgresql_where=text(_in("status", ACTIVE_ENROLLMENT)),
        ),
        Index("ix_enrollment_session_status", "session_id", "status", "id"),
        Index("ix_enrollment_person_status", "person_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("workshop_session.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    status: Mapped[EnrollmentStatus] = mapped_column(str_enum(EnrollmentStatus, 20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)  # arrival order (with id)
    confirmed_at: Mapped[datetime | None]
    offered_at: Mapped[datetime | None]
    offer_expires_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]  # cancelled, passed, expired or session cancelled
    # None: not marked yet; True: came; False: did not come (recorded, never a ban).
    attended: Mapped[bool | None] = mapped_column(Boolean)
    attendance_marked_at: Mapped[datetime | None]
