"""The audit log of staff actions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent


async def record_action(
    session: AsyncSession,
    actor_id: int | None,
    action: str,
    target_type: str | None = None,
    target_id: int | None = None,
) -> None:
    """Add one audit entry in the caller's transaction."""
    session.add(
        AuditEvent(actor_id=actor_id, action=action, target_type=target_type, target_id=target_id)
    )
    await session.flush()


async def list_actions(session: AsyncSession, limit: int = 100) -> list[AuditEvent]:
    """The newest audit entries first."""
    rows = await session.scalars(
        select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    )
    return list(rows)
