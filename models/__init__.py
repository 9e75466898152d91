"""SQLAlchemy models, engine and session factory, Alembic migrations."""

from models.base import Base
from models.broadcasts import AudienceKind, Broadcast, BroadcastStatus
from models.childcare import (
    ACTIVE_CARE,
    COUNTED_CARE,
    CareCapacity,
    CareDay,
    CareRequest,
    CareStatus,
    Dependant,
    DependantKind,
)
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
from models.intake import ReceivedUpdate
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
    "ACTIVE_CARE",
    "ACTIVE_ENROLLMENT",
    "COUNTED_CARE",
    "ROLES",
    "SEAT_HOLDING",
    "STAFF_ROLES",
    "AudienceKind",
    "AuditEvent",
    "Base",
    "Broadcast",
    "BroadcastStatus",
    "CareCapacity",
    "CareDay",
    "CareRequest",
    "CareStatus",
    "Closure",
    "ConsultationBooking",
    "ConsultationStatus",
    "Dependant",
    "DependantKind",
    "Enrollment",
    "EnrollmentStatus",
    "Invite",
    "OutboxMessage",
    "OutboxStatus",
    "Person",
    "PersonStatus",
    "ReceivedUpdate",
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
