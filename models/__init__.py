"""SQLAlchemy models, engine and session factory, Alembic migrations."""

from models.base import Base
from models.entities import ROLES, STAFF_ROLES, AuditEvent, Invite, Person, PersonStatus, Role
from models.outbox import OutboxMessage, OutboxStatus
from models.workshops import (
    ACTIVE_ENROLLMENT,
    SEAT_HOLDING,
    Enrollment,
    EnrollmentStatus,
    SessionStatus,
    Workshop,
    WorkshopGroup,
    WorkshopSeries,
    WorkshopSession,
)

__all__ = [
    "ACTIVE_ENROLLMENT",
    "ROLES",
    "SEAT_HOLDING",
    "STAFF_ROLES",
    "AuditEvent",
    "Base",
    "Enrollment",
    "EnrollmentStatus",
    "Invite",
    "OutboxMessage",
    "OutboxStatus",
    "Person",
    "PersonStatus",
    "Role",
    "SessionStatus",
    "Workshop",
    "WorkshopGroup",
    "WorkshopSeries",
    "WorkshopSession",
]
