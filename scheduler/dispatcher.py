"""The outbox dispatcher: the one sender for everything that goes out later or in bulk.

A run recovers rows stranded by a dead process, claims a batch of due rows and COMMITS the claim
before talking to Telegram, renders each row in the recipient's language of that moment, sends
at a steady global pace with at least PER_CHAT_INTERVAL between two messages to one chat, and
marks every row with the outcome. States, retries and the at-most-once guarantee are described
in docs/delivery.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import os
import socket
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, JobQueue
from telegram.request import HTTPXRequest

from bot.context import Deps
from bot.i18n import Translator
from bot.settings import Settings
from models import OutboxMessage
from services import outbox

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=5)  # far above the longest run (a batch takes seconds)
MAX_ATTEMPTS = 8  # transient failures (timeouts, 5xx) before giving up
BACKOFF_BASE = timedelta(seconds=5)
BACKOFF_MAX = timedelta(minutes=10)
PER_CHAT_INTERVAL = 1.05  # s; Telegram allows about one message per second per chat
MAX_IN_FLIGHT = 50
# A 429 asking for a longer pause than this ends the run: the untried rows go back to PENDING
# instead of sitting in SENDING, where a long wait could make them look stale.
MAX_INLINE_PAUSE = 10.0
MIN_WAKE_DELAY = 0.2  # s; never spin when a due row is held by another dispatcher
RENDER_CHUNK = 25  # rows rendered per transaction: short write locks on SQLite
WRITE_CHUNK = 100  # outcomes written per transaction


@dataclass(frozen=True)
class Rendered:
    """The message a renderer built for one outbox row."""

    text: str
    reply_markup: InlineKeyboardMarkup | None = None


Renderer = Callable[[AsyncSession, OutboxMessage, Translator], Awaitable[Rendered | None]]

Action = Literal["sent", "blocked", "failed", "retry", "retry_free", "cancelled"]


@dataclass(frozen=True)
class _Outcome:
    """What happened to one claimed row; applied to the database by the writer."""

    id: int
    action: Action
    at: datetime
    error: str | None = None
    due_at: datetime | None = None


class _Pacer:
    """Evenly spaced send slots at `rate` per second on the monotonic clock, with pauses."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self.next_at = 0.0
        self.paused_until = 0.0

    async def wait(self) -> None:
        """Sleep until the next slot; an idle gap never builds up a burst."""
        now = time.monotonic()
        at = max(self.next_at, self.paused_until, now)
        if at > now:
            await asyncio.sleep(at - now)
        self.next_at = at + self.interval

    def pause(self, seconds: float) -> None:
        """No slot is handed out for `seconds` (Telegram asked us to slow down)."""
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)


def default_worker_name() -> str:
    """host:pid, the start of `claimed_by` (each Dispatcher adds its own suffix)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


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
        self.per_chat_interval = per_chat_interval
        self._pacer = _Pacer(deps.settings.send_rate)
        self._chat_free_at: dict[int, float] = {}  # monotonic time each chat may get the next
        self._lock = asyncio.Lock()
        self._again = False
        self._halt_for: float | None = None
        self._bot_ready = False
        self._own_bot = False
        self._closed = False
        self._job_queue: JobQueue[Any] | None = None
        self._interval = 2.0
        self._tasks: set[asyncio.Task[Any]] = set()

    # ------------------------------------------------------------------ running

    async def run_once(self) -> int:
        """One batch: recover, claim + commit, render, send, mark; returns rows handled."""
        async with self._lock:
            return await self._run_batch()

    async def run_pending(self) -> int:
        """Batches until nothing due is left; a call during a run only asks for one more."""
        if self._lock.locked():
            self._again = True
            return 0
        total = 0
        async with self._lock:
            while not self._closed:
                self._again = False
                handled = await self._run_batch()
                total += handled
                if not (self._again or handled >= self.batch):
                    break
        return total

    async def _run_batch(self) -> int:
        if self._own_bot and not self._bot_ready:
            await self.bot.initialize()
            self._bot_ready = True
        now = self.deps.clock()
        async with self.deps.transaction() as session:
            recovered = await outbox.recover_stale(session, now=now, older_than=self.stale_after)
            rows = await outbox.claim_due(session, now=now, limit=self.batch, worker=self.worker)
        # The claim is committed here: no other dispatcher can take these rows any more.
        if recovered:
            log.warning("outbox: %d interrupted deliveries marked failed", recovered)
        if not rows:
            return 0
        ready, early = await self._render(rows)
        outcomes: Counter[str] = Counter(o.action for o in early)
        outcomes.update(await self._deliver(ready))
        log.info(
            "outbox: %d handled (%s)",
            len(rows),
            ", ".join(f"{count} {action}" for action, count in sorted(outcomes.items())),
        )
        return len(rows)

    async def _render(
        self, rows: list[OutboxMessage]
    ) -> tuple[list[tuple[OutboxMessage, Rendered]], list[_Outcome]]:
        """Texts built now, in the recipient's current language; non-sendable rows marked."""
        ready: list[tuple[OutboxMessage, Rendered]] = []
        early: list[_Outcome] = []
        for start in range(0, len(rows), RENDER_CHUNK):
            chunk = rows[start : start + RENDER_CHUNK]
            async with self.deps.transaction() as session:
                for row in chunk:
                    outcome, rendered = await self._render_one(session, row)
                    if rendered is not None:
                        ready.append((row, rendered))
                    if outcome is not None:
                        early.append(outcome)
                        await self._apply(session, outcome)
        return ready, early

    async def _render_one(
        self, session: AsyncSession, row: OutboxMessage
    ) -> tuple[_Outcome | None, Rendered | None]:
        renderer = self.renderers.get(row.kind)
        now = self.deps.clock()
        if renderer is None:
            log.error("outbox: no renderer for kind %r (row %d)", row.kind, row.id)
            return _Outcome(row.id, "failed", now, f"no renderer for {row.kind!r}"), None
        try:
            # A savepoint keeps one broken renderer from aborting the others' transaction.
            async with session.begin_nested():
                rendered = await renderer(session, row, self.deps.i18n)
        except Exception as exc:
            log.exception("outbox: renderer for %r failed on row %d", row.kind, row.id)
            return _Outcome(row.id, "failed", now, f"render error: {type(exc).__name__}"), None
        if rendered is None:
            return _Outcome(row.id, "cancelled", now, "no longer wanted at send time"), None
        return None, rendered

    async def _deliver(self, ready: list[tuple[OutboxMessage, Rendered]]) -> Counter[str]:
        """Send paced and concurrently; a writer task records outcomes as they arrive."""
        self._halt_for = None
        now_mono = time.monotonic()
        self._chat_free_at = {c: t for c, t in self._chat_free_at.items() if t > now_mono}
        queues: dict[int, deque[tuple[int, OutboxMessage, Rendered]]] = {}
        for order, (row, rendered) in enumerate(ready):
            queues.setdefault(row.chat_id, deque()).append((order, row, rendered))
        # Chats waiting for their per-chat gap, by when they are free; chats free now, by the
        # position of their next row (due order).
        waiting = [(self._chat_free_at.get(chat, 0.0), q[0][0], chat) for chat, q in queues.items()]
        heapq.heapify(waiting)
        free: list[tuple[int, int]] = []
        results: asyncio.Queue[_Outcome | None] = asyncio.Queue()
        writer = asyncio.create_task(self._write_outcomes(results))
        counts: Counter[str] = Counter()
        in_flight = asyncio.Semaphore(self.max_in_flight)
        sends: list[asyncio.Task[None]] = []

        def promote() -> None:
            now = time.monotonic()
            while waiting and waiting[0][0] <= now:
                _, order, chat = heapq.heappop(waiting)
                heapq.heappush(free, (order, chat))

        try:
            while (waiting or free) and self._halt_for is None:
                promote()
                if not free:
                    await asyncio.sleep(max(waiting[0][0] - time.monotonic(), 0.0))
                    continue
                await self._pacer.wait()
                await in_flight.acquire()
                if self._halt_for is not None:
                    in_flight.release()
                    break
                promote()  # time passed: an earlier row of another chat may be free now
                _, chat = heapq.heappop(free)
                queue = queues[chat]
                _, row, rendered = queue.popleft()
                self._chat_free_at[chat] = time.monotonic() + self.per_chat_interval
                if queue:
                    heapq.heappush(waiting, (self._chat_free_at[chat], queue[0][0], chat))
                sends.append(asyncio.create_task(self._send(row, rendered, in_flight, results)))
            await asyncio.gather(*sends)
            if self._halt_for is not None:
                # Rows never tried: back to PENDING without counting an attempt.
                due = self.deps.clock() + timedelta(seconds=self._halt_for)
                note = f"not tried: 429 retry after {round(self._halt_for)}"
                for queue in queues.values():
                    for _, row, _ in queue:
                        await results.put(
                            _Outcome(row.id, "retry_free", self.deps.clock(), note, due)
                        )
        finally:
            await results.put(None)
            counts.update(await writer)
        return counts

    async def _send(
        self,
        row: OutboxMessage,
        rendered: Rendered,
        in_flight: asyncio.Semaphore,
        results: asyncio.Queue[_Outcome | None],
    ) -> None:
        try:
            outcome = await self._attempt(row, rendered)
        finally:
            in_flight.release()
        await results.put(outcome)

    async def _attempt(self, row: OutboxMessage, rendered: Rendered) -> _Outcome:
        """Send one message; classify Telegram's answer."""
        try:
            await self.bot.send_message(
                row.chat_id,
                rendered.text,
                reply_markup=rendered.reply_markup,
                parse_mode=ParseMode.HTML,
            )
        except Forbidden as exc:
            return _Outcome(row.id, "blocked", self.deps.clock(), _describe(exc, self.bot))
        except BadRequest as exc:
            return _Outcome(row.id, "failed", self.deps.clock(), _describe(exc, self.bot))
        except RetryAfter as exc:
            seconds = _retry_after_seconds(exc)
            self._pacer.pause(seconds)
            if seconds > MAX_INLINE_PAUSE:
                self._halt_for = seconds
            now = self.deps.clock()
            error = f"429 retry after {round(seconds)}"
            return _Outcome(row.id, "retry_free", now, error, now + timedelta(seconds=seconds))
        except (TimedOut, NetworkError) as exc:  # TimedOut is a NetworkError; 5xx arrive here
            return self._transient(row, _describe(exc, self.bot))
        except TelegramError as exc:
            return _Outcome(row.id, "failed", self.deps.clock(), _describe(exc, self.bot))
        except Exception as exc:  # a bug, not Telegram: never retried blindly
            log.exception("outbox: unexpected error sending row %d", row.id)
            return _Outcome(row.id, "failed", self.deps.clock(), f"error: {type(exc).__name__}")
        return _Outcome(row.id, "sent", self.deps.clock())

    def _transient(self, row: OutboxMessage, error: str) -> _Outcome:
        now = self.deps.clock()
        if row.attempts >= MAX_ATTEMPTS:
            return _Outcome(
                row.id, "failed", now, f"gave up after {row.attempts} attempts: {error}"
            )
        delay = min(BACKOFF_BASE * 2 ** (row.attempts - 1), BACKOFF_MAX)
        return _Outcome(row.id, "retry", now, error, now + delay)

    async def _write_outcomes(self, results: asyncio.Queue[_Outcome | None]) -> Counter[str]:
        """Record outcomes promptly (few transactions): the fewer rows left SENDING, the fewer
        can end up 'interrupted' if the process dies."""
        counts: Counter[str] = Counter()
        done = False
        while not done:
            item = await results.get()
            chunk: list[_Outcome] = []
            while True:
                if item is None:
                    done = True
                    break
                chunk.append(item)
                if len(chunk) >= WRITE_CHUNK or results.empty():
                    break
                item = results.get_nowait()
            if not chunk:
                continue
            async with self.deps.transaction() as session:
                for outcome in chunk:
                    if not await self._apply(session, outcome):
                        log.warning("outbox: row %d changed state while sending", outcome.id)
            counts.update(outcome.action for outcome in chunk)
        return counts

    @staticmethod
    async def _apply(session: AsyncSession, o: _Outcome) -> bool:
        if o.action == "sent":
            return await outbox.mark_sent(session, o.id, o.at)
        if o.action == "blocked":
            return await outbox.mark_blocked(session, o.id, o.error or "403 Forbidden")
        if o.action == "cancelled":
            return await outbox.mark_cancelled(session, o.id, o.error)
        if o.action in ("retry", "retry_free"):
            assert o.due_at is not None
            return await outbox.reschedule(
                session,
                o.id,
                o.due_at,
                o.error or "retry",
                count_attempt=o.action == "retry",
            )
        return await outbox.mark_failed(session, o.id, o.error or "failed")

    # ------------------------------------------------------------------ scheduling

    def attach(self, job_queue: JobQueue[Any], *, interval: float = 2.0) -> None:
        """Run every `interval` seconds on PTB's JobQueue (and sooner when something is due)."""
        self._job_queue = job_queue
        self._interval = interval
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

    async def _job(self, context: Any) -> None:
        if self._closed:
            return
        await self.run_pending()
        await self._schedule_next()

    async def _schedule_next(self) -> None:
        """A one-off wake-up at the next due time when that comes before the next tick."""
        if self._job_queue is None or self._closed:
            return
        async with self.deps.transaction() as session:
            due = await outbox.next_due_at(session)
        if due is None:
            return
        delay = (due - self.deps.clock()).total_seconds()
        if delay < self._interval:
            self._job_queue.run_once(self._job, when=max(delay, MIN_WAKE_DELAY), name="outbox-wake")

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
        request=HTTPXRequest(connection_pool_size=pool_size),
    )


def install_dispatcher(
    app: Application[Any, Any, Any, Any, Any, Any],
    renderers: Mapping[str, Renderer],
    *,
    interval: float = 2.0,
    bot: Bot | None = None,
) -> Dispatcher:
    """Create the Dispatcher for `app`, schedule it on the JobQueue, store it in bot_data."""
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
    dispatcher.attach(app.job_queue, interval=interval)
    app.bot_data["dispatcher"] = dispatcher

    previous = app.post_shutdown

    async def post_shutdown(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await dispatcher.aclose()
        if previous is not None:
            await previous(application)

    app.post_shutdown = post_shutdown
    return dispatcher
