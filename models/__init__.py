"""SQLAlchemy models, engine and session factory, Alembic migrations."""

from models.base import Base
from models.consultations import (
    ACTIVE_BOOKING,
    Closure,
    ConsultationBooking,
    ConsultationStatus,
    Referral,
    ServiceType,
    Slot,
    SlotStatus,
    SpecialistService,
    WeeklyHours,
)
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
    "ACTIVE_BOOKING",
    "ACTIVE_ENROLLMENT",
    "ROLES",
    "SEAT_HOLDING",
    "STAFF_ROLES",
    "AuditEvent",
    "Base",
    "Closure",
    "ConsultationBooking",
    "ConsultationStatus",
    "Enrollment",
    "EnrollmentStatus",
    "Invite",
    "OutboxMessage",
    "OutboxStatus",
    "Person",
    "PersonStatus",
    "Referral",
    "Role",
    "ServiceType",
    "SessionStatus",
    "Slot",
    "SlotStatus",
    "SpecialistService",
    "WeeklyHours",
    "Workshop",
    "WorkshopGroup",
    "WorkshopSeries",
    "WorkshopSession",
]
