"""ORM models of the foundation: people (participants and staff), invites, the audit log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, str_enum, utcnow


class Role(StrEnum):
    """What a person may do; participants are everyone who is not staff."""

    PARTICIPANT = "participant"
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    SPECIALIST = "specialist"
    CHILDCARE_PARTNER = "childcare_partner"


ROLES = tuple(r.value for r in Role)
STAFF_ROLES = tuple(r.value for r in Role if r is not Role.PARTICIPANT)


class PersonStatus(StrEnum):
    """Where a person is in their life cycle with the club."""

    ONBOARDING = "onboarding"  # consented, still answering the sign-up questions
    PENDING = "pending"  # self-registered, waiting for staff approval
    ACTIVE = "active"
    DEACTIVATED = "deactivated"
    ANONYMISED = "anonymised"  # identity removed on the person's request


class PersonSource(StrEnum):
    """How a person came to the club's bot."""

    INVITE = "invite"  # a staff member's one-time invite link: active without approval
    SELF = "self"  # registered on their own, approved by staff
    STAFF = "staff"  # added as a staff member


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Person(Base):
    """Anyone known to the bot: a participant or a staff member."""

    __tablename__ = "person"
    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role"),
        CheckConstraint(_in("status", tuple(s.value for s in PersonStatus)), name="status"),
        CheckConstraint(_in("source", tuple(s.value for s in PersonSource)), name="source"),
        Index("ix_person_status_role", "status", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # NULL once anonymised: the row then carries no identity, only what reporting counts.
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, 24), default=Role.PARTICIPANT)
    status: Mapped[PersonStatus] = mapped_column(
        str_enum(PersonStatus, 16), default=PersonStatus.ONBOARDING
    )
    language: Mapped[str] = mapped_column(String(2))
    display_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    # Which free-text answer the bot is waiting for ("name", "invite_name", ...); this is how a
    # flow resumes after a restart without any in-memory conversation state.
    awaiting: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[PersonSource] = mapped_column(
        str_enum(PersonSource, 8), default=PersonSource.SELF
    )
    consent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    activated_at: Mapped[datetime | None]
    anonymised_at: Mapped[datetime | None]
    # Telegram answered 403 (the person blocked the bot): left out of broadcasts until they
    # write to the bot again, which clears it.
    unreachable_at: Mapped[datetime | None]

    @property
    def is_staff(self) -> bool:
        """True for every role but participant."""
        return self.role != Role.PARTICIPANT


class Invite(Base):
    """A one-time deep link that staff hand to a person with a social contract."""

    __tablename__ = "invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(100))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))


class AuditEvent(Base):
    """One staff action: who did what to which record, and when."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(48))
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[int | None]
    at: Mapped[datetime] = mapped_column(default=utcnow)
