"""The outbox: queue messages in the business transaction, claim and mark them when sending.

Every state change is a conditional UPDATE, so concurrent dispatchers (threads, processes or
hosts) agree on who owns a row without any lock held in Python. A dispatcher first CLAIMS a
batch of due rows (`claim_due`), then moves each row to SENDING just before it is handed to
Telegram (`start_sending`): only SENDING rows can have reached Telegram, so only they are
ambiguous when a process dies. See docs/delivery.md for the states, the retry rules and the
at-most-once guarantee.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple, cast

from sqlalchemy import ColumnElement, Table, case, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from models import OutboxMessage, OutboxStatus
from models.db import rowcount
from models.outbox import DAILY_DIGEST_KINDS

MAX_ERROR_LENGTH = 300
EXPIRED_ERROR = "expired before sending"
# Why a row expired, by kind: its `expires_at` is the moment the message stops being useful
# (the appointment's start, the offer's deadline, the announcement's planned time + max age).
# Literals, not the services' constants: those modules import this one.
EXPIRY_REASONS: dict[str, str] = {
    "ws_reminder": "expired: appointment passed",
    "consult_reminder": "expired: appointment passed",
    "ws_cancelled": "expired: appointment passed",
    "consult_moved": "expired: appointment passed",
    "ws_offer": "expired: offer deadline passed",
    "broadcast": "expired: announcement too old",
}
INTERRUPTED_ERROR = "interrupted: delivery not confirmed"
# The partial unique index's predicate, repeated in ON CONFLICT so both databases infer it.
DIGEST_WHERE = "kind IN ({})".format(", ".join(repr(k) for k in DAILY_DIGEST_KINDS))

PENDING = OutboxStatus.PENDING
CLAIMED = OutboxStatus.CLAIMED
SENDING = OutboxStatus.SENDING


class Recovery(NamedTuple):
    """What `recover_stale` did with the rows a dead (or stuck) dispatcher left behind."""

    released: int  # CLAIMED rows put back to PENDING: never handed to Telegram, sent later
    interrupted: int  # SENDING rows marked FAILED: they may or may not have arrived


def expiry_reason(kind: str) -> str:
    """The `last_error` of a row of `kind` that expired (its message is no longer useful)."""
    return EXPIRY_REASONS.get(kind, EXPIRED_ERROR)


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


async def enqueue_daily_digest(
    session: AsyncSession,
    *,
    chat_id: int,
    person_id: int,
    kind: str,
    day: date,
    due_at: datetime,
    expires_at: datetime,
) -> bool:
    """Queue `kind`'s digest of local `day` for `person_id` unless one was queued already
    (by this process, another one, or before a restart); True when this call queued it.

    Insert-or-nothing on the unique index `uq_outbox_message_daily_digest` (kind, person,
    `ref_id` = YYYYMMDD): of two concurrent transactions the second waits for the first and
    then inserts nothing, so a read-then-write race cannot send a digest twice.
    """
    if kind not in DAILY_DIGEST_KINDS:
        raise ValueError(f"{kind!r} is not a daily digest kind")
    table = cast(Table, OutboxMessage.__table__)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(table)
        .values(
            chat_id=chat_id,
            person_id=person_id,
            kind=kind,
            ref_id=digest_ref(day),
            due_at=due_at,
            expires_at=expires_at,
            payload={"day": day.isoformat()},
            status=PENDING,
            attempts=0,
        )
        .on_conflict_do_nothing(
            index_elements=["kind", "person_id", "ref_id"],
            index_where=text(DIGEST_WHERE),
        )
        .returning(table.c.id)
    )
    inserted = await session.execute(statement)
    return inserted.scalar_one_or_none() is not None


def digest_ref(day: date) -> int:
    """The `ref_id` of a daily digest: the day as YYYYMMDD."""
    return day.year * 10000 + day.month * 100 + day.day


async def cancel(
    session: AsyncSession,
    *,
    kind: str | None = None,
    ref_id: int | None = None,
    person_id: int | None = None,
) -> int:
    """Cancel the messages not yet handed to Telegram (pending, or claimed by a dispatcher that
    has not started sending them: its hand-over to `sending` then finds them gone) matching
    every given filter; returns how many."""
    conditions: list[ColumnElement[bool]] = [
        OutboxMessage.status.in_((PENDING, OutboxStatus.CLAIMED.value))
    ]
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
    return rowcount(result)


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
        .values(
            status=OutboxStatus.EXPIRED.value,
            last_error=case(EXPIRY_REASONS, value=OutboxMessage.kind, else_=EXPIRED_ERROR),
        )
        .execution_options(synchronize_session=False)
    )
    return rowcount(result)


async def claim_due(
    session: AsyncSession, *, now: datetime, limit: int, worker: str
) -> list[OutboxMessage]:
    """Expire overdue rows, then claim up to `limit` due ones (status CLAIMED): by priority
    (reminders and offers before bulk announcements), then oldest first.

    A claim does not count as an attempt: nothing has been sent yet. `start_sending` moves a
    claimed row to SENDING (and counts the attempt) just before it is handed to Telegram.
    """
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
                .order_by(OutboxMessage.priority, OutboxMessage.due_at, OutboxMessage.id)
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
            .order_by(OutboxMessage.priority, OutboxMessage.due_at, OutboxMessage.id)
            .limit(limit)
            .scalar_subquery()
        )
    stmt = (
        update(OutboxMessage)
        .where(chosen, *due)  # the status check again: only rows still pending are taken
        .values(status=CLAIMED, claimed_at=now, claimed_by=worker[:64])
        .returning(OutboxMessage)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    rows = list(await session.scalars(stmt))
    rows.sort(key=lambda row: (row.priority, row.due_at, row.id))  # RETURNING has no order
    return rows


async def start_sending(
    session: AsyncSession, ids: Collection[int], *, worker: str, now: datetime
) -> dict[int, int]:
    """CLAIMED → SENDING for the rows of `ids` still claimed by `worker`; one UPDATE.

    Commit this before handing the rows to Telegram. It counts the attempt and restarts
    `claimed_at` (a SENDING row is stale `older_than` after its hand-over, not after its claim).
    Returns {id: attempts} of the rows moved; a row missing from it is no longer ours (a stale
    claim released by `recover_stale`, perhaps claimed by another dispatcher since) and must not
    be sent.
    """
    if not ids:
        return {}
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(list(ids)),
            OutboxMessage.status == CLAIMED,
            OutboxMessage.claimed_by == worker[:64],
        )
        .values(status=SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id, OutboxMessage.attempts)
        .execution_options(synchronize_session=False)
    )
    return {id: attempts for id, attempts in result.all()}


async def release(
    session: AsyncSession,
    ids: Collection[int],
    *,
    worker: str,
    due_at: datetime | None = None,
    error: str | None = None,
) -> int:
    """CLAIMED → PENDING for the rows of `ids` still claimed by `worker`, never handed over.

    For rows a dispatcher will not try after all (a long 429 pause, shutdown, an error): they
    are due again at once, or at `due_at`; `error`, when given, says why. Attempts are not
    touched (a claim does not count one). Returns how many rows were released.
    """
    if not ids:
        return 0
    values: dict[str, Any] = {"status": PENDING, "claimed_at": None, "claimed_by": None}
    if due_at is not None:
        values["due_at"] = due_at
    if error is not None:
        values["last_error"] = short_error(error)
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(list(ids)),
            OutboxMessage.status == CLAIMED,
            OutboxMessage.claimed_by == worker[:64],
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result)


async def release_all(session: AsyncSession, *, worker: str) -> int:
    """CLAIMED → PENDING for every row `worker` holds: only for a dispatcher that holds no
    batch at the moment (its claim's commit failed, perhaps after reaching the database).
    Returns how many rows were released."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == CLAIMED, OutboxMessage.claimed_by == worker[:64])
        .values(status=PENDING, claimed_at=None, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result)


async def give_back_unsent(session: AsyncSession, ids: Collection[int], *, worker: str) -> int:
    """SENDING → PENDING, attempt given back, for rows of `worker` that were never handed to
    Telegram after all: their hand-over's commit failed with the database (so the dispatcher
    did not send them), yet may have reached it. Only the dispatcher that knows it never sent
    them may call this. Returns how many rows went back."""
    if not ids:
        return 0
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(list(ids)),
            OutboxMessage.status == SENDING,
            OutboxMessage.claimed_by == worker[:64],
        )
        .values(
            status=PENDING,
            claimed_at=None,
            claimed_by=None,
            attempts=OutboxMessage.attempts - 1,
        )
        .execution_options(synchronize_session=False)
    )
    return rowcount(result)


async def defer(
    session: AsyncSession, id: int, due_at: datetime, *, worker: str | None = None
) -> bool:
    """CLAIMED → PENDING until `due_at`: the renderer decided it is not the time (quiet hours
    for an announcement). Not an attempt; nothing was sent."""
    return await _finish(
        session,
        id,
        (CLAIMED,),
        worker,
        status=PENDING,
        due_at=due_at,
        claimed_at=None,
        claimed_by=None,
        last_error=None,
    )


async def workers_holding_rows(session: AsyncSession) -> list[str]:
    """The `claimed_by` names that hold CLAIMED or SENDING rows right now."""
    rows = await session.scalars(
        select(OutboxMessage.claimed_by)
        .where(OutboxMessage.status.in_((CLAIMED, SENDING)), OutboxMessage.claimed_by.is_not(None))
        .distinct()
    )
    return [name for name in rows if name]


async def recover_dead_workers(session: AsyncSession, workers: Collection[str]) -> Recovery:
    """What `recover_stale` does, at once, for dispatchers known to be dead (a process of this
    host that no longer exists): their CLAIMED rows go back to PENDING, their SENDING rows
    become FAILED "interrupted: delivery not confirmed" (never resent)."""
    names = [name[:64] for name in workers]
    if not names:
        return Recovery(0, 0)
    return await _recover(session, OutboxMessage.claimed_by.in_(names))


_AFTER_SENDING = (SENDING,)  # only Telegram's answer can move a row on from here
_CLAIMED_OR_SENDING = (CLAIMED, SENDING)  # also decided before sending (renderer, no renderer)


async def _finish(
    session: AsyncSession, id: int, states: tuple[str, ...], worker: str | None, **values: Any
) -> bool:
    """Move one row on from one of `states` (and still held by `worker`, when given).

    False when it is no longer ours: recovered meanwhile, or released and claimed by another.
    """
    conditions: list[ColumnElement[bool]] = [
        OutboxMessage.id == id,
        OutboxMessage.status.in_(states),
    ]
    if worker is not None:
        conditions.append(OutboxMessage.claimed_by == worker[:64])
    result = await session.execute(
        update(OutboxMessage)
        .where(*conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result) == 1


async def mark_sent(
    session: AsyncSession, id: int, now: datetime, *, worker: str | None = None
) -> bool:
    """Telegram accepted the message (SENDING rows only)."""
    return await _finish(
        session,
        id,
        _AFTER_SENDING,
        worker,
        status=OutboxStatus.SENT.value,
        sent_at=now,
        last_error=None,
    )


async def mark_blocked(
    session: AsyncSession, id: int, error: str, *, worker: str | None = None
) -> bool:
    """The person blocked the bot (403): never retried (SENDING rows only)."""
    return await _finish(
        session,
        id,
        _AFTER_SENDING,
        worker,
        status=OutboxStatus.BLOCKED.value,
        last_error=short_error(error),
    )


async def mark_failed(
    session: AsyncSession, id: int, error: str, *, worker: str | None = None
) -> bool:
    """Given up; `error` says why (no message text, no personal data).

    CLAIMED rows too: no renderer, or the renderer raised, before anything was sent.
    """
    return await _finish(
        session,
        id,
        _CLAIMED_OR_SENDING,
        worker,
        status=OutboxStatus.FAILED.value,
        last_error=short_error(error),
    )


async def mark_cancelled(
    session: AsyncSession, id: int, reason: str | None = None, *, worker: str | None = None
) -> bool:
    """The renderer decided at send time that the message is no longer wanted (CLAIMED rows,
    or SENDING ones)."""
    return await _finish(
        session,
        id,
        _CLAIMED_OR_SENDING,
        worker,
        status=OutboxStatus.CANCELLED.value,
        last_error=short_error(reason) if reason else None,
    )


async def mark_expired(
    session: AsyncSession, id: int, reason: str, *, worker: str | None = None
) -> bool:
    """No longer worth retrying: the next attempt would come after the message stopped being
    useful (its appointment, offer deadline, announcement age). SENDING rows only."""
    return await _finish(
        session,
        id,
        _AFTER_SENDING,
        worker,
        status=OutboxStatus.EXPIRED.value,
        last_error=short_error(reason),
    )


async def reschedule(
    session: AsyncSession,
    id: int,
    due_at: datetime,
    error: str,
    *,
    count_attempt: bool = True,
    worker: str | None = None,
) -> bool:
    """SENDING → PENDING for another attempt at `due_at` (Telegram did not deliver it).

    `count_attempt=False` gives the hand-over's attempt back: Telegram refused with 429 before
    delivering, or the row never reached the Telegram call, so it should not bring the row
    nearer to giving up. Rows that were only CLAIMED go back with `release` instead.
    """
    values: dict[str, Any] = {}
    if not count_attempt:
        values["attempts"] = OutboxMessage.attempts - 1
    return await _finish(
        session,
        id,
        _AFTER_SENDING,
        worker,
        status=PENDING,
        due_at=due_at,
        claimed_at=None,
        claimed_by=None,
        last_error=short_error(error),
        **values,
    )


async def recover_stale(session: AsyncSession, *, now: datetime, older_than: timedelta) -> Recovery:
    """Rows a dead process left behind, held for longer than `older_than`.

    CLAIMED rows go back to PENDING: they were never handed to Telegram, so sending them later
    cannot duplicate anything. SENDING rows become FAILED "interrupted: delivery not confirmed":
    they may have arrived, and they are never resent (at most once).
    """
    return await _recover(session, OutboxMessage.claimed_at < now - older_than)


async def _recover(session: AsyncSession, held: ColumnElement[bool]) -> Recovery:
    """CLAIMED rows matching `held` back to PENDING, SENDING ones to FAILED (interrupted)."""
    claims = (OutboxMessage.status == CLAIMED, held)
    released = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(_lockable_ids(*claims)), *claims)
        .values(status=PENDING, claimed_at=None, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    sends = (OutboxMessage.status == SENDING, held)
    interrupted = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(_lockable_ids(*sends)), *sends)
        .values(status=OutboxStatus.FAILED.value, last_error=INTERRUPTED_ERROR)
        .execution_options(synchronize_session=False)
    )
    return Recovery(rowcount(released), rowcount(interrupted))


async def next_due_at(session: AsyncSession) -> datetime | None:
    """When the earliest pending message is due (None when nothing is pending)."""
    due: datetime | None = await session.scalar(
        select(func.min(OutboxMessage.due_at)).where(OutboxMessage.status == PENDING)
    )
    return due
