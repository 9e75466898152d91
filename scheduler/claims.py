"""The outbox dispatcher's hold on rows, and its journal: everything it writes to the database.

`Claims` claims a batch of due rows (CLAIMED, committed before anything is sent), gives back
what it will not send (kept in memory through a database outage and written as soon as the
database is back) and recovers rows held by dead or stalled dispatchers. `Journal` commits a
delivery's hand-overs (CLAIMED → SENDING, just before a row is sent) and outcomes, in few
transactions. `apply_outcome` writes one outcome. States, retries and the at-most-once
guarantee are described in docs/delivery.md.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Deps
from models import OutboxMessage
from models.db import is_database_outage
from services import outbox, people

# The dispatcher's log: its lines keep the logger name they had before the module was split.
log = logging.getLogger("scheduler.dispatcher")

STALE_AFTER = timedelta(minutes=5)  # far above the longest run (a batch takes seconds)
WRITE_CHUNK = 100  # outcomes written per transaction
NOT_TRIED_CANCELLED = "not tried: dispatcher stopped"
DEAD_WORKER_CHECK = 30.0  # s between looks for rows held by dead processes of this host
# While the database is unavailable, the outcomes of a batch are kept in memory and written
# again after 0.2 s, 0.4 s, ... at most this long apart: as soon as it is back.
OUTAGE_RETRY_FIRST = 0.2
OUTAGE_RETRY_MAX = 2.0


Action = Literal[
    "sent", "blocked", "failed", "retry", "retry_free", "cancelled", "deferred", "expired"
]


@dataclass(frozen=True)
class Outcome:
    """What happened to one claimed row; applied to the database by the journal."""

    id: int
    action: Action
    at: datetime
    error: str | None = None
    due_at: datetime | None = None
    person_id: int | None = None  # set for "blocked": the person is marked unreachable


def default_worker_name() -> str:
    """host:pid, the start of `claimed_by` (each Dispatcher adds its own suffix)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


def is_dead_local(worker: str) -> bool:
    """Whether a `claimed_by` name is a dispatcher of another process of this host that is no
    longer running ("host:pid:..."). Anything else (another host, this process, a name of
    another form, a pid we may not signal) counts as alive: it is recovered by staleness."""
    parts = worker.split(":")
    if os.name != "posix" or len(parts) < 3 or not parts[1].isdigit():
        return False
    if parts[0] != socket.gethostname()[:40]:
        return False
    pid = int(parts[1])
    if pid == os.getpid() or pid <= 1:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # PermissionError: it exists, under another user
        return False
    return False


async def apply_outcome(session: AsyncSession, o: Outcome, *, worker: str) -> bool:
    """Write one outcome; only rows still held by `worker` are touched."""
    me = worker
    if o.action == "sent":
        return await outbox.mark_sent(session, o.id, o.at, worker=me)
    if o.action == "blocked":
        marked = await outbox.mark_blocked(session, o.id, o.error or "403 Forbidden", worker=me)
        if marked and o.person_id is not None:
            await people.mark_unreachable(session, o.at, person_id=o.person_id)
        return marked
    if o.action == "deferred":
        assert o.due_at is not None
        return await outbox.defer(session, o.id, o.due_at, worker=me)
    if o.action == "cancelled":
        return await outbox.mark_cancelled(session, o.id, o.error, worker=me)
    if o.action == "expired":
        return await outbox.mark_expired(session, o.id, o.error or "expired", worker=me)
    if o.action in ("retry", "retry_free"):
        assert o.due_at is not None
        return await outbox.reschedule(
            session,
            o.id,
            o.due_at,
            o.error or "retry",
            count_attempt=o.action == "retry",
            worker=me,
        )
    return await outbox.mark_failed(session, o.id, o.error or "failed", worker=me)


class Claims:
    """The rows one dispatcher (`worker`) holds: claiming them, giving them back, and taking
    over those of dead dispatchers."""

    def __init__(self, deps: Deps, worker: str) -> None:
        self.deps = deps
        self.worker = worker
        self.dead_checked_at: float | None = None
        # Write-backs that failed because the database was unavailable, written at the start
        # of the next run (before anything is claimed): claims to give back (ids, due_at,
        # note), and rows whose hand-over may have been committed though they were never sent.
        self.give_backs: list[tuple[tuple[int, ...], datetime | None, str | None]] = []
        self.unsent: set[int] = set()
        # One writer of give-backs at a time (a prefetch may overlap the end of a batch): an
        # order written twice could release a row claimed again meanwhile.
        self._give_back_lock = asyncio.Lock()
        # A claim whose commit failed with the database may have been committed all the same:
        # then rows are CLAIMED by us that no batch of ours holds. The next run that holds no
        # batch gives back every claim of ours.
        self.unsure = False

    async def release_unsure(self) -> None:
        """After a claim whose commit is unknown: give back every claim of ours (called when
        no batch of ours is held, so every CLAIMED row of ours is a leftover)."""
        if not self.unsure:
            return
        async with self.deps.transaction() as session:
            released = await outbox.release_all(session, worker=self.worker)
        self.unsure = False
        if released:
            log.warning("outbox: %d claims of an unconfirmed claim given back", released)

    async def claim(self, *, limit: int, stale_after: timedelta) -> list[OutboxMessage]:
        """Recover rows of dead and stalled dispatchers, then claim up to `limit` due rows,
        committed: no other dispatcher can take them any more."""
        now = self.deps.clock()
        await self.recover_dead_workers()
        try:
            async with self.deps.transaction() as session:
                recovered = await outbox.recover_stale(session, now=now, older_than=stale_after)
                rows = await outbox.claim_due(session, now=now, limit=limit, worker=self.worker)
        except Exception as exc:
            if is_database_outage(exc):
                self.unsure = True
            raise
        # The rows are CLAIMED, not SENDING: nothing has been handed to Telegram yet.
        if recovered.released:
            log.warning("outbox: %d stale claims released (never sent)", recovered.released)
        if recovered.interrupted:
            log.warning("outbox: %d interrupted deliveries marked failed", recovered.interrupted)
        return rows

    async def recover_dead_workers(self) -> None:
        """Rows held by a dispatcher process of this host that no longer exists (killed, then
        restarted) are recovered at once rather than after `stale_after`: CLAIMED rows are
        sent by us, SENDING ones are marked interrupted (never resent). At most every
        DEAD_WORKER_CHECK seconds."""
        mono = time.monotonic()
        if self.dead_checked_at is not None and mono - self.dead_checked_at < DEAD_WORKER_CHECK:
            return
        self.dead_checked_at = mono
        async with self.deps.transaction() as session:
            dead = [n for n in await outbox.workers_holding_rows(session) if is_dead_local(n)]
            if not dead:
                return
            recovered = await outbox.recover_dead_workers(session, dead)
        log.warning(
            "outbox: %d dead dispatcher(s) of this host: %d claims released, %d interrupted",
            len(dead),
            recovered.released,
            recovered.interrupted,
        )

    async def release(self, ids: list[int], due_at: datetime | None, note: str | None) -> int:
        """CLAIMED → PENDING for rows of ours (and back from SENDING those whose hand-over
        failed with the database: never sent). When the database is unavailable they are kept
        and given back by the next run, as soon as it is back."""
        if ids:
            self.give_backs.append((tuple(ids), due_at, note))
        return await self.write_give_backs()

    async def write_give_backs(self, *, strict: bool = False) -> int:
        """Write the pending give-backs in one transaction; returns how many rows went back.

        On a database outage they are kept for the next try (`strict`: the error is raised, so
        that a run does not claim anything before its own claims are given back). Any other
        error drops them: `recover_stale` releases such claims after `stale_after`."""
        async with self._give_back_lock:
            return await self._write_give_backs_locked(strict)

    async def _write_give_backs_locked(self, strict: bool) -> int:
        orders, unsent = list(self.give_backs), set(self.unsent)
        if not orders and not unsent:
            return 0
        released = 0
        try:
            async with self.deps.transaction() as session:
                for ids, due_at, note in orders:
                    released += await outbox.release(
                        session, ids, worker=self.worker, due_at=due_at, error=note
                    )
                if unsent:
                    released += await outbox.give_back_unsent(session, unsent, worker=self.worker)
        except Exception as exc:
            if is_database_outage(exc):
                log.warning(
                    "outbox: database unavailable (%s); %d claims kept, given back when it is back",
                    type(exc).__name__,
                    sum(len(ids) for ids, _, _ in self.give_backs) + len(self.unsent),
                )
                if strict:
                    raise
                return 0
            log.exception("outbox: could not release untried rows; recovered when stale")
            released = 0
        self.give_backs = [order for order in self.give_backs if order not in orders]
        self.unsent -= unsent
        return released


class Journal:
    """The one database writer of a delivery: hand-overs and outcomes, in few transactions.

    `hand_over` commits CLAIMED → SENDING just before a row is sent; `record` commits an
    outcome. Whatever has queued up while a transaction runs goes into the next one (outcomes
    first, then hand-overs: at most `max_in_flight` of those, one UPDATE), so hand-overs add one
    short commit of latency and never a transaction per message.
    """

    def __init__(self, claims: Claims, handed_over: set[int], closed: Callable[[], bool]) -> None:
        self._claims = claims
        self._closed = closed  # the dispatcher is shutting down
        self._handed_over = handed_over  # ids committed SENDING
        self._handovers: list[tuple[int, asyncio.Future[int | None]]] = []
        self._outcomes: list[tuple[Outcome, asyncio.Future[None] | None]] = []
        self._work = asyncio.Event()
        self._accepting = True  # hand-overs allowed
        self._closing = False
        self._finished = False
        self._error: BaseException | None = None
        self.counts: Counter[str] = Counter()
        # The database failed a write: no more hand-overs in this delivery (for good); the
        # outcomes are kept and written again until it is back.
        self.halted = False
        self._outage = False
        self._retry_in = OUTAGE_RETRY_FIRST

    async def hand_over(self, row_id: int) -> int | None:
        """Attempts counted once the row is committed SENDING; None when it must not be sent
        (no longer ours, or the delivery is stopping: then it is still CLAIMED)."""
        if not self._accepting:
            return None
        future: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self._enqueue(self._handovers, (row_id, future))
        return await future

    async def record(self, outcome: Outcome) -> None:
        """Queue one outcome and wait until it is committed."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._enqueue(self._outcomes, (outcome, future))
        await future

    def _enqueue(self, queue: list[Any], item: Any) -> None:
        if self._error is not None:
            raise RuntimeError("outbox: the delivery journal failed") from self._error
        if self._finished:
            raise RuntimeError("outbox: the delivery journal is closed")
        queue.append(item)
        self._work.set()

    def stop_handovers(self) -> None:
        """No further row is handed over; the ones queued and not yet written stay CLAIMED."""
        self._accepting = False
        for _, waiter in self._handovers:
            if not waiter.done():
                waiter.set_result(None)
        self._handovers.clear()

    def close(self) -> None:
        """Finish what is queued, then end `run`."""
        self._accepting = False
        self._closing = True
        self._work.set()

    async def run(self) -> Counter[str]:
        try:
            while True:
                await self._work.wait()
                self._work.clear()
                while self._outcomes or self._handovers:
                    await self._flush()
                if self._closing:
                    self._finished = True
                    return self.counts
        except BaseException as exc:
            self._error = exc
            for _, waiter in self._handovers:
                _fail(waiter, exc)
            for _, done in self._outcomes:
                _fail(done, exc)
            self._handovers.clear()
            self._outcomes.clear()
            raise

    async def _flush(self) -> None:
        outcomes, self._outcomes = self._outcomes[:WRITE_CHUNK], self._outcomes[WRITE_CHUNK:]
        handovers, self._handovers = self._handovers, []
        c = self._claims
        try:
            async with c.deps.transaction() as session:
                for outcome, _ in outcomes:
                    if not await apply_outcome(session, outcome, worker=c.worker):
                        log.warning("outbox: row %d changed state while sending", outcome.id)
                moved: dict[int, int] = {}
                if handovers:
                    moved = await outbox.start_sending(
                        session,
                        [row_id for row_id, _ in handovers],
                        worker=c.worker,
                        now=c.deps.clock(),
                    )
        except Exception as exc:
            if not is_database_outage(exc) or self._closed():
                self._fail_all(outcomes, handovers, exc)
                raise
            await self._wait_for_database(outcomes, handovers, exc)
            return
        except BaseException as exc:
            self._fail_all(outcomes, handovers, exc)
            raise
        if self._outage:
            log.warning("outbox: the database is back; the delivery's outcomes are written")
            self._outage = False
        self._handed_over.update(moved)
        self._retry_in = OUTAGE_RETRY_FIRST
        self.counts.update(outcome.action for outcome, _ in outcomes)
        for _, done in outcomes:
            if done is not None and not done.done():
                done.set_result(None)
        for row_id, waiter in handovers:
            attempts = moved.get(row_id)
            if not waiter.done():
                waiter.set_result(attempts)
            elif attempts is not None:
                # Its sender was cancelled before it got the row: the row is SENDING but was
                # never handed to Telegram. Give it back (and the attempt) in the next round.
                now = c.deps.clock()
                self._outcomes.append(
                    (Outcome(row_id, "retry_free", now, NOT_TRIED_CANCELLED, now), None)
                )

    def _fail_all(
        self,
        outcomes: list[tuple[Outcome, asyncio.Future[None] | None]],
        handovers: list[tuple[int, asyncio.Future[int | None]]],
        exc: BaseException,
    ) -> None:
        """Nothing of the transaction is committed: no waiter may go on as if it were."""
        for _, waiter in handovers:
            _fail(waiter, exc)
        for _, done in outcomes:
            _fail(done, exc)

    async def _wait_for_database(
        self,
        outcomes: list[tuple[Outcome, asyncio.Future[None] | None]],
        handovers: list[tuple[int, asyncio.Future[int | None]]],
        exc: Exception,
    ) -> None:
        """The database is unavailable: keep the outcomes (Telegram's answers) to write them
        again shortly, hand nothing more over (the rest of the batch stays CLAIMED and is
        given back when the database is back), and wait a little before the next try.

        The failed hand-overs are not sent. Their commit may have happened all the same (a
        connection lost during COMMIT), so they are also given back from SENDING."""
        if not self._outage:
            log.warning(
                "outbox: database unavailable while recording a delivery (%s); %d outcomes "
                "kept in memory and written when it is back",
                type(exc).__name__,
                len(outcomes) + len(self._outcomes),
            )
        self.halted = self._outage = True
        self._outcomes[:0] = outcomes
        for row_id, waiter in handovers:
            self._claims.unsent.add(row_id)
            if not waiter.done():
                waiter.set_result(None)
        self.stop_handovers()
        await asyncio.sleep(self._retry_in)
        self._retry_in = min(self._retry_in * 2, OUTAGE_RETRY_MAX)


def _fail(future: asyncio.Future[Any] | None, exc: BaseException) -> None:
    if future is None or future.done():
        return
    if isinstance(exc, asyncio.CancelledError):
        future.cancel()
    else:
        future.set_exception(exc)
