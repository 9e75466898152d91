"""The outbox dispatcher: the one sender for everything that goes out later or in bulk.

A run recovers rows stranded by a dead process, claims a batch of due rows (CLAIMED, committed:
no other dispatcher can take them), renders each row in the recipient's language of that moment,
and sends at a steady global pace with at least PER_CHAT_INTERVAL between two messages to one
chat. Just before a row is handed to Telegram it is moved to SENDING (committed), and its send
slot is given back only once its outcome is committed: at most `max_in_flight` rows are ever in
the ambiguous SENDING state, and a killed process leaves every other row of its batch CLAIMED,
to be sent by the next dispatcher. States, retries and the at-most-once guarantee are described
in docs/delivery.md.

Its parts: the database side (claims, give-backs, recovery, the journal) is scheduler.claims,
the pace (global rate, per-chat gap, interactive replies first) scheduler.pacing, and what is
sent (Rendered, Deferred, Renderer, send_rendered) scheduler.rendering.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, JobQueue

from bot.context import Deps
from bot.http import AiohttpRequest
from bot.ratelimit import SendLedger
from bot.settings import Settings
from models import OutboxMessage
from scheduler.claims import (
    STALE_AFTER,
    Claims,
    Journal,
    Outcome,
    apply_outcome,
    default_worker_name,
)
from scheduler.pacing import PER_CHAT_INTERVAL, ChatGaps, Pacer, make_room
from scheduler.rendering import Deferred, Rendered, Renderer, send_rendered
from services import outbox

log = logging.getLogger(__name__)

# Transient failures (timeouts, network errors, 5xx) are retried for as long as the message is
# useful (`expires_at`: the appointment, the offer's deadline, the announcement's max age),
# after 5 s, 10 s, 20 s, ... at most BACKOFF_MAX apart, so a message goes out at most that long
# after Telegram is back.
BACKOFF_BASE = timedelta(seconds=5)
BACKOFF_MAX = timedelta(minutes=5)
MAX_IN_FLIGHT = 50  # rows handed to Telegram and not yet recorded: the most left ambiguous
# A 429 asking for a longer pause than this ends the run: the untried rows go back to PENDING
# (free for any dispatcher) instead of waiting CLAIMED by this one.
MAX_INLINE_PAUSE = 10.0
MIN_WAKE_DELAY = 0.2  # s; never spin when a due row is held by another dispatcher
RENDER_CHUNK = 25  # rows rendered per transaction: short write locks on SQLite
PREFETCH_SECONDS = 2.0  # the next batch is prepared this long before the current one ends


@dataclass(frozen=True)
class _Batch:
    """Claimed rows, rendered: those ready to send and those already marked (early)."""

    rows: list[OutboxMessage]
    ready: list[tuple[OutboxMessage, Rendered]]
    early: list[Outcome]


def _retry_after_seconds(exc: RetryAfter) -> float:
    value: Any = exc.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


class Dispatcher:
    """Claims due outbox rows, sends them through `bot` at a steady pace and marks them."""

    def __init__(
        self,
        bot: Bot,
        deps: Deps,
        renderers: Mapping[str, Renderer],
        *,
        worker: str | None = None,
        batch: int = 200,
        max_in_flight: int = MAX_IN_FLIGHT,
        stale_after: timedelta = STALE_AFTER,
        per_chat_interval: float = PER_CHAT_INTERVAL,
    ) -> None:
        self.bot = bot
        self.deps = deps
        self.renderers = dict(renderers)
        self.worker = (worker or f"{default_worker_name()}:{id(self):x}")[:64]
        self.batch = batch
        self.max_in_flight = max_in_flight
        self.stale_after = stale_after
        self._pacer = Pacer(deps.settings.send_rate)
        self._gaps = ChatGaps(per_chat_interval)
        self._lock = asyncio.Lock()
        self._again = False
        self._halt_for: float | None = None
        self._bot_ready = False
        self._own_bot = False
        self._closed = False
        self._job_queue: JobQueue[Any] | None = None
        self._interval = 2.0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._sent = SendLedger()  # this dispatcher's own messages of the last second
        self._wake_scheduled = False  # a one-off "outbox-wake" job is pending
        self._claims = Claims(deps, self.worker)  # claiming, giving back, recovering

    @property
    def per_chat_interval(self) -> float:
        """The least time between two messages to one chat (`scheduler.pacing.ChatGaps`)."""
        return self._gaps.interval

    @per_chat_interval.setter
    def per_chat_interval(self, seconds: float) -> None:
        self._gaps.interval = seconds

    # ------------------------------------------------------------------ running

    async def run_once(self) -> int:
        """One batch: recover, claim + commit, render, send, mark; returns rows handled."""
        async with self._lock:
            handled, _ = await self._run_batch(None, prefetch=False)
            return handled

    async def run_pending(self) -> int:
        """Batches until nothing due is left; a call during a run only asks for one more.

        While a full batch is going out, the next one is claimed and rendered shortly before
        the last rows are handed over (PREFETCH_SECONDS ahead), so a long queue is sent at the
        configured rate without a pause between batches. Nothing of it is sent before the
        current batch is done: at most `max_in_flight` rows are ever SENDING.
        """
        if self._lock.locked():
            self._again = True
            return 0
        total = 0
        async with self._lock:
            batch: _Batch | None = None
            while not self._closed:
                self._again = False
                handled, batch = await self._run_batch(batch, prefetch=True)
                total += handled
                if self._halt_for is not None:
                    break  # a long 429: what is left waits, unclaimed, for its due time
                if batch is None and not (self._again or handled >= self.batch):
                    break
            if batch is not None:  # closed between two batches
                await self._give_back(batch)
        return total

    async def _prepare(self, *, alone: bool = False) -> _Batch | None:
        """Recover, claim (committed: no other dispatcher can take the rows any more) and
        render one batch; None when nothing is due. `alone`: no other batch of ours is held
        (not a prefetch), so every CLAIMED row of ours is a leftover."""
        if self._own_bot and not self._bot_ready:
            await self.bot.initialize()
            self._bot_ready = True
        claims = self._claims
        if claims.give_backs or claims.unsent:
            await claims.write_give_backs(strict=True)  # ours, held since an outage
        if alone:
            await claims.release_unsure()
        rows = await claims.claim(limit=self.batch, stale_after=self.stale_after)
        if not rows:
            return None
        try:
            ready, early = await self._render(rows)
        except BaseException:
            # Rows marked by a committed render chunk are no longer CLAIMED: release skips them.
            await self._release_untried([row.id for row in rows])
            raise
        return _Batch(rows, ready, early)

    async def _give_back(self, batch: _Batch) -> None:
        """Release a prepared batch that will not be sent by us (every row still CLAIMED)."""
        marked = {o.id for o in batch.early}
        await self._release_untried([row.id for row in batch.rows if row.id not in marked])

    async def _run_batch(
        self, batch: _Batch | None, *, prefetch: bool
    ) -> tuple[int, _Batch | None]:
        """Send one batch (prepared now, or earlier by the previous batch); returns how many
        rows it had and, with `prefetch`, the next batch when it was prepared meanwhile."""
        self._halt_for = None
        if batch is None:
            batch = await self._prepare(alone=True)
        if batch is None:
            return 0, None
        rows = batch.rows
        outcomes: Counter[str] = Counter(o.action for o in batch.early)
        settled: set[int] = {o.id for o in batch.early}  # marked before sending, or SENDING
        upcoming: asyncio.Task[_Batch | None] | None = None

        def near_end() -> None:
            nonlocal upcoming
            full = len(rows) >= self.batch  # more is probably due
            if prefetch and full and upcoming is None and not self._stopping_batch():
                upcoming = asyncio.create_task(self._prepare())

        following: _Batch | None = None
        delivered = False
        try:
            outcomes.update(await self._deliver(batch.ready, settled, near_end))
            delivered = True
        finally:
            # Every row not handed over (a long 429, shutdown, cancellation, an error) is still
            # CLAIMED by us: give it back now rather than after STALE_AFTER.
            untried = [row.id for row in rows if row.id not in settled]
            released = await self._release_untried(untried) if untried else 0
            if released:
                outcomes["not tried"] += released
            if upcoming is not None:
                following = await self._take(upcoming, delivered and not self._stopping_batch())
        log.info(
            "outbox: %d handled (%s)",
            len(rows),
            ", ".join(f"{count} {action}" for action, count in sorted(outcomes.items())),
        )
        return len(rows), following

    def _stopping_batch(self) -> bool:
        return self._halt_for is not None or self._closed

    async def _take(self, upcoming: asyncio.Task[_Batch | None], keep: bool) -> _Batch | None:
        """The prefetched batch, or None (given back when it must not be sent now)."""
        try:
            prepared = await upcoming
        except Exception:
            log.exception("outbox: preparing the next batch failed; it is released")
            return None
        if prepared is not None and not keep:
            await self._give_back(prepared)
            return None
        return prepared

    async def _release_untried(self, ids: list[int]) -> int:
        """CLAIMED → PENDING for this batch's rows we still hold (and back from SENDING those
        whose hand-over failed with the database: never sent). When the database is
        unavailable they are kept and given back by the next run, as soon as it is back
        (`Claims.release`)."""
        due_at: datetime | None = None
        note: str | None = None
        if self._halt_for is not None:
            due_at = self.deps.clock() + timedelta(seconds=self._halt_for)
            note = f"not tried: 429 retry after {round(self._halt_for)}"
        return await self._claims.release(ids, due_at, note)

    async def _render(
        self, rows: list[OutboxMessage]
    ) -> tuple[list[tuple[OutboxMessage, Rendered]], list[Outcome]]:
        """Texts built now, in the recipient's current language; non-sendable rows marked."""
        ready: list[tuple[OutboxMessage, Rendered]] = []
        early: list[Outcome] = []
        for start in range(0, len(rows), RENDER_CHUNK):
            chunk = rows[start : start + RENDER_CHUNK]
            async with self.deps.transaction() as session:
                for row in chunk:
                    outcome, rendered = await self._render_one(session, row)
                    if rendered is not None:
                        ready.append((row, rendered))
                    if outcome is not None:
                        early.append(outcome)
                        await apply_outcome(session, outcome, worker=self.worker)
        return ready, early

    async def _render_one(
        self, session: AsyncSession, row: OutboxMessage
    ) -> tuple[Outcome | None, Rendered | None]:
        renderer = self.renderers.get(row.kind)
        now = self.deps.clock()
        if renderer is None:
            log.error("outbox: no renderer for kind %r (row %d)", row.kind, row.id)
            return Outcome(row.id, "failed", now, f"no renderer for {row.kind!r}"), None
        try:
            # A savepoint keeps one broken renderer from aborting the others' transaction.
            async with session.begin_nested():
                rendered = await renderer(session, row, self.deps.i18n)
        except Exception as exc:
            log.exception("outbox: renderer for %r failed on row %d", row.kind, row.id)
            return Outcome(row.id, "failed", now, f"render error: {type(exc).__name__}"), None
        if rendered is None:
            return Outcome(row.id, "cancelled", now, "no longer wanted at send time"), None
        if isinstance(rendered, Deferred):
            return Outcome(row.id, "deferred", now, due_at=rendered.until), None
        return None, rendered

    async def _deliver(
        self,
        ready: list[tuple[OutboxMessage, Rendered]],
        settled: set[int],
        near_end: Callable[[], None] | None = None,
    ) -> Counter[str]:
        """Send paced and concurrently; a journal task hands rows over and records outcomes.

        A send slot (`max_in_flight` of them) is taken before a row is handed over and given
        back only after its outcome is committed, so at most `max_in_flight` rows are SENDING at
        any time. The ids committed SENDING are added to `settled`; the rows never handed over
        stay CLAIMED, and `_run_batch` releases them.
        """
        self._gaps.forget_past()
        queues: dict[int, deque[tuple[int, OutboxMessage, Rendered]]] = {}
        for order, (row, rendered) in enumerate(ready):
            queues.setdefault(row.chat_id, deque()).append((order, row, rendered))
        # Chats waiting for their per-chat gap, by when they are free; chats free now, by the
        # position of their next row (due order).
        waiting = [(self._gaps.free_at(chat), q[0][0], chat) for chat, q in queues.items()]
        heapq.heapify(waiting)
        free: list[tuple[int, int]] = []
        journal = Journal(self._claims, settled, lambda: self._closed)
        journal_task = asyncio.create_task(journal.run())
        slots = asyncio.Semaphore(self.max_in_flight)
        sends: list[asyncio.Task[None]] = []
        remaining = len(ready)
        ahead = max(1, int(self.deps.settings.send_rate * PREFETCH_SECONDS))
        if near_end is not None and remaining <= ahead:
            near_end()
            near_end = None

        def promote() -> None:
            now = time.monotonic()
            while waiting and waiting[0][0] <= now:
                _, order, chat = heapq.heappop(waiting)
                heapq.heappush(free, (order, chat))

        def stopping() -> bool:
            return (
                self._halt_for is not None or self._closed or journal.halted or journal_task.done()
            )

        try:
            while (waiting or free) and not stopping():
                promote()
                if not free:
                    await asyncio.sleep(max(waiting[0][0] - time.monotonic(), 0.0))
                    continue
                await self._pacer.wait()
                await slots.acquire()
                await self._make_room(stopping)
                if stopping():
                    slots.release()
                    break
                promote()  # time passed: an earlier row of another chat may be free now
                _, chat = heapq.heappop(free)
                queue = queues[chat]
                _, row, rendered = queue.popleft()
                remaining -= 1
                if near_end is not None and remaining <= ahead:
                    near_end()  # the next batch is claimed and rendered meanwhile
                    near_end = None
                free_again = self._gaps.take(chat)
                if queue:
                    heapq.heappush(waiting, (free_again, queue[0][0], chat))
                sends.append(asyncio.create_task(self._send(row, rendered, slots, journal)))
            if sends:
                await asyncio.wait(sends)
        except BaseException:
            # Cancelled (shutdown) or failed: nothing more is handed over; those rows stay
            # CLAIMED and are released by `_run_batch`.
            journal.stop_handovers()
            raise
        finally:
            try:
                if sends:
                    # Not gather(), which would cancel them: a row already handed to Telegram
                    # gets its answer recorded instead of being left ambiguous.
                    await asyncio.wait(sends)
            finally:
                journal.close()
                counts = await journal_task
        for task in sends:
            if not task.cancelled() and (error := task.exception()) is not None:
                raise error
        return counts

    async def _make_room(self, stopping: Callable[[], bool]) -> None:
        """Hold a bulk message back while interactive replies would reach the overall cap
        (`scheduler.pacing.make_room`)."""
        settings = self.deps.settings
        await make_room(settings.overall_max_rate, self.deps.ledger, self._sent, stopping)

    async def _send(
        self,
        row: OutboxMessage,
        rendered: Rendered,
        slots: asyncio.Semaphore,
        journal: Journal,
    ) -> None:
        """Hand one row over, send it, record the outcome; the slot is held until recorded."""
        try:
            if self._halt_for is not None or self._closed:
                return  # stays CLAIMED: released with the rest of the batch
            attempts = await journal.hand_over(row.id)
            if attempts is None:
                if not journal.halted:
                    log.warning("outbox: row %d is no longer claimed by us; not sent", row.id)
                return
            # The hand-over's commit takes a varying time: keep the per-chat gap at the call
            # itself, not only where the row's turn was decided.
            await self._gaps.before_call(row.chat_id)
            outcome = await self._attempt(row, attempts, rendered)
            await journal.record(outcome)  # returns once committed
        finally:
            slots.release()

    async def _attempt(self, row: OutboxMessage, attempts: int, rendered: Rendered) -> Outcome:
        """Send one message; classify Telegram's answer. `attempts` includes this one."""
        try:
            await send_rendered(self.bot, row.chat_id, rendered)
        except Forbidden as exc:
            error = _describe(exc, self.bot)
            return Outcome(row.id, "blocked", self.deps.clock(), error, person_id=row.person_id)
        except BadRequest as exc:
            return Outcome(row.id, "failed", self.deps.clock(), _describe(exc, self.bot))
        except RetryAfter as exc:
            seconds = _retry_after_seconds(exc)
            self._pacer.pause(seconds)
            if seconds > MAX_INLINE_PAUSE:
                self._halt_for = seconds
            now = self.deps.clock()
            error = f"429 retry after {round(seconds)}"
            return Outcome(row.id, "retry_free", now, error, now + timedelta(seconds=seconds))
        except (TimedOut, NetworkError) as exc:  # TimedOut is a NetworkError; 5xx arrive here
            return self._transient(row, attempts, _describe(exc, self.bot))
        except TelegramError as exc:
            return Outcome(row.id, "failed", self.deps.clock(), _describe(exc, self.bot))
        except Exception as exc:  # a bug, not Telegram: never retried blindly
            log.exception("outbox: unexpected error sending row %d", row.id)
            return Outcome(row.id, "failed", self.deps.clock(), f"error: {type(exc).__name__}")
        return Outcome(row.id, "sent", self.deps.clock())

    def _transient(self, row: OutboxMessage, attempts: int, error: str) -> Outcome:
        """Retry with capped backoff while the message is useful; expire it when the next
        attempt would come too late (the appointment, the offer's deadline, ... has passed)."""
        now = self.deps.clock()
        retry_at = now + backoff_delay(attempts)
        if retry_at >= self._useful_until(row):
            reason = f"{outbox.expiry_reason(row.kind)} (last error: {error})"
            return Outcome(row.id, "expired", now, reason)
        return Outcome(row.id, "retry", now, error, retry_at)

    def _useful_until(self, row: OutboxMessage) -> datetime:
        """When the row's message stops being worth sending: its `expires_at`, set when it was
        queued; for a row queued without one, the announcement max age from its creation."""
        if row.expires_at is not None:
            return row.expires_at
        return row.created_at + self.deps.policy.broadcast_max_age

    # ------------------------------------------------------------------ scheduling

    def attach(self, job_queue: JobQueue[Any], *, interval: float = 2.0, tick: bool = True) -> None:
        """Run every `interval` seconds on PTB's JobQueue (and sooner when something is due).

        With `tick=False` only the wake-ups are scheduled here: the repeating tick is the job
        registry's (`scheduler.jobs`, calling `tick` every `interval` seconds)."""
        self._job_queue = job_queue
        self._interval = interval
        if not tick:
            return
        job_queue.run_repeating(
            self._job,
            interval=interval,
            first=1,
            name="outbox-dispatcher",
            # A tick during a long run enters, finds the lock taken and only asks for one more
            # run, instead of APScheduler skipping it with a warning.
            job_kwargs={"max_instances": 2},
        )

    def wake(self) -> None:
        """Run as soon as possible (new rows are due now); a no-op during a run but one more."""
        if self._job_queue is not None:
            self._job_queue.run_once(self._job, when=0, name="outbox-wake")
            return
        task = asyncio.get_running_loop().create_task(self.run_pending())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def tick(self, context: Any) -> None:
        """One tick of the repeating job: run what is due, then plan the next wake-up."""
        await self._job(context)

    async def _job(self, context: Any) -> None:
        if self._closed:
            return
        if self._lock.locked():
            # A run is under way (a long batch): it takes one more round when it ends, and
            # schedules the next wake-up itself. Scheduling one here too would start a chain
            # of wake-ups at every tick, each querying the database, for as long as it runs.
            self._again = True
            return
        await self.run_pending()
        await self._schedule_next()

    async def _wake_job(self, context: Any) -> None:
        self._wake_scheduled = False
        await self._job(context)

    async def _schedule_next(self) -> None:
        """A one-off wake-up at the next due time when that comes before the next tick (at
        most one is ever pending)."""
        if self._job_queue is None or self._closed or self._wake_scheduled:
            return
        async with self.deps.transaction() as session:
            due = await outbox.next_due_at(session)
        if due is None:
            return
        delay = (due - self.deps.clock()).total_seconds()
        if delay < self._interval and not self._wake_scheduled:
            self._wake_scheduled = True
            self._job_queue.run_once(
                self._wake_job, when=max(delay, MIN_WAKE_DELAY), name="outbox-wake"
            )

    async def aclose(self) -> None:
        """Stop scheduling runs; shut the dispatcher's own HTTP client down."""
        self._closed = True
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        async with self._lock:
            if self._own_bot and self._bot_ready:
                await self.bot.shutdown()
                self._bot_ready = False


def backoff_delay(attempts: int) -> timedelta:
    """The wait before the next try after `attempts` transient failures: 5 s, 10 s, 20 s, ...,
    at most BACKOFF_MAX."""
    doublings = min(max(attempts - 1, 0), 16)  # 5 s * 2**16 is far above the cap already
    delay: timedelta = BACKOFF_BASE * 2**doublings
    return min(delay, BACKOFF_MAX)


def _describe(exc: TelegramError, bot: Bot) -> str:
    """A short reason without message text or personal data (Telegram's own wording)."""
    message = exc.message.replace(bot.token, "<token>") if bot.token else exc.message
    if isinstance(exc, Forbidden):
        return "403 " + (message if message.startswith("Forbidden") else f"Forbidden: {message}")
    if isinstance(exc, BadRequest):
        return f"400 Bad Request: {message}"
    if isinstance(exc, TimedOut):
        return "timed out"
    if isinstance(exc, NetworkError):
        return f"network error: {message}"
    return f"{type(exc).__name__}: {message}"


def _file_url(base_url: str) -> str:
    """The file-download base matching an API base (the rule bot.app uses)."""
    if base_url.endswith("/bot"):
        return base_url[: -len("/bot")] + "/file/bot"
    return base_url.rstrip("/") + "/file/bot"


def delivery_bot(settings: Settings, *, pool_size: int = MAX_IN_FLIGHT + 4) -> Bot:
    """A Bot without PTB's AIORateLimiter: the dispatcher paces itself and must see 429s."""
    if not settings.token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    base_url = settings.telegram_api_base_url
    return Bot(
        settings.token,
        base_url=base_url,
        base_file_url=_file_url(base_url),
        request=AiohttpRequest(connection_pool_size=pool_size),
    )


def wake_dispatcher(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """New outbox rows should go out now, not at the next tick: wake the application's
    dispatcher (nothing happens when none is installed)."""
    dispatcher = app.bot_data.get("dispatcher")
    if dispatcher is not None:
        dispatcher.wake()


def install_dispatcher(
    app: Application[Any, Any, Any, Any, Any, Any],
    renderers: Mapping[str, Renderer],
    *,
    interval: float = 2.0,
    bot: Bot | None = None,
    tick: bool = True,
) -> Dispatcher:
    """Create the Dispatcher for `app`, schedule it on the JobQueue, store it in bot_data.

    The application's dispatcher is installed by `scheduler.jobs.install_jobs` with
    `tick=False`: its repeating tick is a row of the job registry."""
    if app.job_queue is None:
        raise RuntimeError("the dispatcher needs python-telegram-bot[job-queue]")
    deps: Deps = app.bot_data["deps"]
    own_bot = False
    if bot is None:
        if getattr(app.bot, "rate_limiter", None) is None:
            bot = app.bot
        else:
            # AIORateLimiter retries 429s itself (rate_limit_args=0 is read as "use the
            # default", so it cannot be switched off per call): use a bot of our own.
            bot = delivery_bot(deps.settings)
            own_bot = True
    dispatcher = Dispatcher(bot, deps, renderers)
    dispatcher._own_bot = own_bot
    dispatcher.attach(app.job_queue, interval=interval, tick=tick)
    app.bot_data["dispatcher"] = dispatcher

    previous = app.post_shutdown

    async def post_shutdown(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await dispatcher.aclose()
        if previous is not None:
            await previous(application)

    app.post_shutdown = post_shutdown
    return dispatcher
