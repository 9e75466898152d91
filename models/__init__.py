"""SQLAlchemy models, engine and session factory, Alembic migrations."""

from models.base import Base
from models.entities import ROLES, STAFF_ROLES, AuditEvent, Invite, Person, PersonStatus, Role

__all__ = [
    "ROLES",
    "STAFF_ROLES",
    "AuditEvent",
    "Base",
    "Invite",
    "Person",
    "PersonStatus",
    "Role",
]
