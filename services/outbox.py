"""The outbox: queue messages in the business transaction, claim and mark them when sending.

Every state change is a conditional UPDATE, so concurrent dispatchers (threads, processes or
hosts) agree on who owns a row without any lock held in Python. See docs/delivery.md for the
states, the retry rules and the at-most-once guarantee.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import OutboxMessage, OutboxStatus

MAX_ERROR_LENGTH = 300
EXPIRED_ERROR = "expired before sending"
INTERRUPTED_ERROR = "interrupted: delivery not confirmed"

PENDING = OutboxStatus.PENDING.value
SENDING = OutboxStatus.SENDING.value


def short_error(error: str) -> str:
    """One line of at most MAX_ERROR_LENGTH characters (the column's size)."""
    line = " ".join(error.split())
    if len(line) > MAX_ERROR_LENGTH:
        line = line[: MAX_ERROR_LENGTH - 1] + "…"
    return line


async def enqueue(
    session: AsyncSession,
    *,
    chat_id: int,
    person_id: int | None,
    kind: str,
    ref_id: int | None = None,
    due_at: datetime,
    expires_at: datetime | None = None,
    payload: dict[str, Any] | None = None,
) -> OutboxMessage:
    """Queue one message for `due_at` (never sent after `expires_at`); flushed, not committed."""
    row = OutboxMessage(
        chat_id=chat_id,
        person_id=person_id,
        kind=kind,
        ref_id=ref_id,
        due_at=due_at,
        expires_at=expires_at,
        payload=payload or {},
        status=PENDING,
        attempts=0,
    )
    session.add(row)
    await session.flush()
    return row


async def cancel(
    session: AsyncSession,
    *,
    kind: str | None = None,
    ref_id: int | None = None,
    person_id: int | None = None,
) -> int:
    """Cancel the still-pending messages matching every given filter; returns how many."""
    conditions: list[ColumnElement[bool]] = [OutboxMessage.status == PENDING]
    if kind is not None:
        conditions.append(OutboxMessage.kind == kind)
    if ref_id is not None:
        conditions.append(OutboxMessage.ref_id == ref_id)
    if person_id is not None:
        conditions.append(OutboxMessage.person_id == person_id)
    if len(conditions) == 1:
        # A call without any filter would cancel the whole queue: always a bug.
        raise ValueError("cancel() needs at least one of kind, ref_id, person_id")
    result = await session.execute(
        update(OutboxMessage)
        .where(*conditions)
        .values(status=OutboxStatus.CANCELLED.value)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result)


def _lockable_ids(*conditions: ColumnElement[bool]) -> Any:
    """Ids matching `conditions`, rows locked with SKIP LOCKED on PostgreSQL.

    SKIP LOCKED means two dispatchers never wait for each other (no deadlocks between their
    multi-row updates) and never take the same row. SQLite ignores FOR UPDATE; there every
    transaction begins with BEGIN IMMEDIATE, so writers are serialised anyway.
    """
    return (
        select(OutboxMessage.id)
        .where(*conditions)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )


async def expire_overdue(session: AsyncSession, *, now: datetime) -> int:
    """Mark pending messages whose `expires_at` has passed as EXPIRED; returns how many."""
    overdue = (
        OutboxMessage.status == PENDING,
        OutboxMessage.expires_at.is_not(None),
        OutboxMessage.expires_at <= now,
    )
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(_lockable_ids(*overdue)), *overdue)
        .values(status=OutboxStatus.EXPIRED.value, last_error=EXPIRED_ERROR)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result)


async def claim_due(
    session: AsyncSession, *, now: datetime, limit: int, worker: str
) -> list[OutboxMessage]:
    """Expire overdue rows, then claim up to `limit` due ones (status SENDING), oldest first."""
    await expire_overdue(session, now=now)
    due = (OutboxMessage.status == PENDING, OutboxMessage.due_at <= now)
    if session.get_bind().dialect.name == "postgresql":
        # Lock first, then update by id. Inside `UPDATE ... WHERE id IN (SELECT ... LIMIT n
        # FOR UPDATE SKIP LOCKED)` PostgreSQL may run the subquery more than once and claim
        # more than n rows.
        ids = list(
            await session.scalars(
                select(OutboxMessage.id)
                .where(*due)
                .order_by(OutboxMessage.due_at, OutboxMessage.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        if not ids:
            return []
        chosen: Any = OutboxMessage.id.in_(ids)
    else:
        # SQLite: the transaction began with BEGIN IMMEDIATE, so nobody else writes meanwhile.
        chosen = OutboxMessage.id.in_(
            select(OutboxMessage.id)
            .where(*due)
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
            .limit(limit)
            .scalar_subquery()
        )
    stmt = (
        update(OutboxMessage)
        .where(chosen, *due)  # the status check again: only rows still pending are taken
        .values(
            status=SENDING,
            claimed_at=now,
            claimed_by=worker[:64],
            attempts=OutboxMessage.attempts + 1,
        )
        .returning(OutboxMessage)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    rows = list(await session.scalars(stmt))
    rows.sort(key=lambda row: (row.due_at, row.id))  # RETURNING has no defined order
    return rows


async def _finish(session: AsyncSession, id: int, **values: Any) -> bool:
    """Move one SENDING row on; False when it is no longer ours (recovered meanwhile)."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == id, OutboxMessage.status == SENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


async def mark_sent(session: AsyncSession, id: int, now: datetime) -> bool:
    """Telegram accepted the message."""
    return await _finish(session, id, status=OutboxStatus.SENT.value, sent_at=now, last_error=None)


async def mark_blocked(session: AsyncSession, id: int, error: str) -> bool:
    """The person blocked the bot (403): never retried."""
    return await _finish(
        session, id, status=OutboxStatus.BLOCKED.value, last_error=short_error(error)
    )


async def mark_failed(session: AsyncSession, id: int, error: str) -> bool:
    """Given up; `error` says why (no message text, no personal data)."""
    return await _finish(
        session, id, status=OutboxStatus.FAILED.value, last_error=short_error(error)
    )


async def mark_cancelled(session: AsyncSession, id: int, reason: str | None = None) -> bool:
    """The renderer decided at send time that the message is no longer wanted."""
    return await _finish(
        session,
        id,
        status=OutboxStatus.CANCELLED.value,
        last_error=short_error(reason) if reason else None,
    )


async def reschedule(
    session: AsyncSession, id: int, due_at: datetime, error: str, *, count_attempt: bool = True
) -> bool:
    """Back to PENDING for another attempt at `due_at` (the row was not delivered).

    `count_attempt=False` gives the claim's attempt back: Telegram refused with 429 before
    delivering, or the row was never tried, so it should not bring the row nearer to giving up.
    """
    values: dict[str, Any] = {}
    if not count_attempt:
        values["attempts"] = OutboxMessage.attempts - 1
    return await _finish(
        session,
        id,
        status=PENDING,
        due_at=due_at,
        claimed_at=None,
        claimed_by=None,
        last_error=short_error(error),
        **values,
    )


async def recover_stale(session: AsyncSession, *, now: datetime, older_than: timedelta) -> int:
    """Rows left SENDING by a dead process become FAILED (never resent: at most once)."""
    stale = (OutboxMessage.status == SENDING, OutboxMessage.claimed_at < now - older_than)
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(_lockable_ids(*stale)), *stale)
        .values(status=OutboxStatus.FAILED.value, last_error=INTERRUPTED_ERROR)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result)


async def next_due_at(session: AsyncSession) -> datetime | None:
    """When the earliest pending message is due (None when nothing is pending)."""
    due: datetime | None = await session.scalar(
        select(func.min(OutboxMessage.due_at)).where(OutboxMessage.status == PENDING)
    )
    return due


def _rowcount(result: Any) -> int:
    count: int = result.rowcount
    return count
