"""The received-updates journal: record updates once, mark them handled, find unfinished ones."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from models import ReceivedUpdate
from models.db import rowcount

# Ids of handled updates are kept this long to recognise a copy delivered again (Telegram
# redelivers only what was never confirmed, i.e. within seconds; a day is ample).
DONE_KEPT_FOR = timedelta(days=2)
# An update left unfinished for longer than this is not handled any more at start-up: what it
# asked for (a press, a command) is a day old, and Telegram has forgotten its callback query.
REPLAY_WITHIN = timedelta(hours=24)


async def record_updates(
    session: AsyncSession, updates: Sequence[tuple[int, str]], now: datetime
) -> set[int]:
    """Insert (update_id, payload) rows not seen before; returns the ids that were new.

    Insert-or-nothing on the primary key: of two copies of one update (a redelivery, or two
    processes fetching at once), exactly one is recorded as new.
    """
    if not updates:
        return set()
    table = cast(Table, ReceivedUpdate.__table__)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    # A Core executemany ("insertmanyvalues": one INSERT ... VALUES (...), (...) RETURNING
    # from a statement compiled once and cached, whatever the batch size).
    statement = (
        dialect.insert(table)
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(table.c.update_id)
    )
    connection = await session.connection()
    result = await connection.execute(
        statement,
        [
            {"update_id": update_id, "payload": payload, "received_at": now, "done_at": None}
            for update_id, payload in updates
        ],
    )
    return set(result.scalars().all())


async def mark_done(session: AsyncSession, update_ids: Iterable[int], now: datetime) -> None:
    """Mark updates handled and forget their content (only the id is kept, for dedup)."""
    ids = list(update_ids)
    if ids:
        table = cast(Table, ReceivedUpdate.__table__)
        connection = await session.connection()  # Core: no ORM session synchronisation
        await connection.execute(
            update(table)
            .where(table.c.update_id.in_(ids), table.c.done_at.is_(None))
            .values(done_at=now, payload="")
        )


async def unfinished_updates(session: AsyncSession, now: datetime) -> list[tuple[int, str]]:
    """(update_id, payload) of updates received but never handled, oldest first.

    Those older than REPLAY_WITHIN are closed instead (marked done without being handled).
    """
    await mark_stale_done(session, now)
    rows = await session.execute(
        select(ReceivedUpdate.update_id, ReceivedUpdate.payload)
        .where(ReceivedUpdate.done_at.is_(None))
        .order_by(ReceivedUpdate.update_id)
    )
    return [(row.update_id, row.payload) for row in rows]


async def mark_stale_done(session: AsyncSession, now: datetime) -> int:
    """Close unfinished updates received more than REPLAY_WITHIN ago; returns how many."""
    result = await session.execute(
        update(ReceivedUpdate)
        .where(
            ReceivedUpdate.done_at.is_(None),
            ReceivedUpdate.received_at < now - REPLAY_WITHIN,
        )
        .values(done_at=now, payload="")
    )
    return rowcount(result)


async def purge_done(session: AsyncSession, now: datetime) -> int:
    """Delete the ids of updates handled more than DONE_KEPT_FOR ago; returns how many."""
    result = await session.execute(
        delete(ReceivedUpdate).where(ReceivedUpdate.done_at < now - DONE_KEPT_FOR)
    )
    return rowcount(result)
