"""Durable intake: an update is in the journal before Telegram is told it arrived.

python-telegram-bot confirms the updates of one `getUpdates` answer (by asking for the next
offset) as soon as it has queued them, long before they are handled; a process killed then
lost them. Here `JournalBot` writes every fetched update to the `received_update` table in the
same call that fetched it, so the confirmation (the next `getUpdates`) only goes out once they
are stored. The update processor marks each one done after its handlers have run, in a
transaction of its own (`UpdateJournal.done`, group-committed). At start-up the unfinished ones
are handled again before polling resumes. A copy of a known `update_id` (Telegram delivering
a batch again, or a replayed update arriving once more) is dropped: it is never acted on twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import ExtBot

from bot.failures import DATABASE
from services import intake

if TYPE_CHECKING:
    from bot.context import Deps, KisApplication

log = logging.getLogger(__name__)

FLUSH_RETRY_FIRST = 0.5  # seconds before writing done marks again after a database error
FLUSH_RETRY_MAX = 30.0
HELD_RETRY_FIRST = 1.0  # seconds before fetching again after the journal could not be written
HELD_RETRY_MAX = 5.0
TOLD_LIMIT = 10_000  # updates told "we'll get to it" remembered at most (memory stays flat)
QUERY_ALREADY_ANSWERED = "Query is too old and response timeout expired or query ID is invalid"

# Tells the sender of one raw update that it is held (the journal cannot store it yet).
HeldNotice = Callable[["JournalBot", dict[str, Any]], Awaitable[str | None]]


class JournalUnavailable(NetworkError):
    """The journal could not be written: the updates are not confirmed and come again."""


class UpdateJournal:
    """Records fetched updates, tells the processor which copies to run, writes done marks."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps
        # Copies to drop: an update_id the database already knew when this copy was fetched.
        self._skip: Counter[int] = Counter()
        # Recorded here and not done yet: marked done after their handlers ran.
        self._open: set[int] = set()
        self._done: list[int] = []
        self._flusher: asyncio.Task[None] | None = None
        # While the journal cannot be written, updates stay at Telegram (unconfirmed) and come
        # again with every retry; their senders are told once that it will be handled.
        self.held_notice: HeldNotice | None = None
        self._told: set[int] = set()
        self._held_delay = HELD_RETRY_FIRST
        self.answered_queries: set[str] = set()  # presses already answered with that notice
        self.replayed = 0
        self.duplicates = 0

    async def record(self, raw_updates: list[dict[str, Any]]) -> None:
        """Store fetched updates (raises JournalUnavailable if the database cannot)."""
        rows: dict[int, str] = {}
        copies: Counter[int] = Counter()
        for raw in raw_updates:
            update_id = raw.get("update_id")
            if isinstance(update_id, int):
                copies[update_id] += 1
                rows.setdefault(update_id, json.dumps(raw, ensure_ascii=False))
        try:
            async with self._deps.transaction(bookkeeping=True) as session:
                new = await intake.record_updates(session, list(rows.items()), self._deps.clock())
        except (SQLAlchemyError, OSError) as exc:
            raise JournalUnavailable(
                f"the update journal is unavailable ({type(exc).__name__})"
            ) from exc
        if self._told:
            self._told.difference_update(rows)
        self._open.update(new)
        for update_id, count in copies.items():
            # Only the first copy of a new update runs (a batch may repeat an update_id).
            extra = count - 1 if update_id in new else count
            if extra:
                self._skip[update_id] += extra
                self.duplicates += extra
                log.info("update %s delivered again: not handled twice", update_id)

    async def tell_held(self, bot: JournalBot, raw_updates: list[dict[str, Any]]) -> None:
        """Tell each sender, once, that their update is held until the database is back."""
        notice = self.held_notice
        if notice is None:
            return
        fresh = [
            raw
            for raw in raw_updates
            if isinstance(raw.get("update_id"), int) and raw["update_id"] not in self._told
        ]
        if len(self._told) + len(fresh) > TOLD_LIMIT:
            self._told.clear()
        self._told.update(raw["update_id"] for raw in fresh)

        async def tell(raw: dict[str, Any]) -> None:
            try:
                query_id = await notice(bot, raw)
            except TelegramError as exc:  # nothing more to do: it is handled once stored
                log.info("could not tell a sender their update is held: %s", type(exc).__name__)
                return
            if query_id is not None:
                if len(self.answered_queries) > TOLD_LIMIT:
                    self.answered_queries.clear()
                self.answered_queries.add(query_id)

        await asyncio.gather(*(tell(raw) for raw in fresh))

    async def wait_after_failure(self, error: JournalUnavailable) -> None:
        """Report the failure (one traceback per outage, then summaries: bot.failures) and
        wait before fetching again: 1 s, doubling, at most HELD_RETRY_MAX."""
        self._deps.failures.failed(DATABASE, "update intake", error.__cause__ or error)
        await asyncio.sleep(self._held_delay)
        self._held_delay = min(self._held_delay * 2, HELD_RETRY_MAX)

    def recovered(self) -> None:
        """The journal took a batch: the next failure waits from the start again."""
        self._held_delay = HELD_RETRY_FIRST

    def take(self, update: object) -> bool:
        """Whether this copy of `update` is to be handled (False: a duplicate, drop it)."""
        if not isinstance(update, Update):
            return True
        update_id = update.update_id
        if self._skip.get(update_id):
            self._skip[update_id] -= 1
            if not self._skip[update_id]:
                del self._skip[update_id]
            return False
        return True

    def done(self, update: object) -> None:
        """The update's handlers have run: mark it done (soon, in its own transaction)."""
        if not isinstance(update, Update) or update.update_id not in self._open:
            return
        self._open.discard(update.update_id)
        self._done.append(update.update_id)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="journal-done")

    async def _flush(self) -> None:
        """Write done marks; what arrives during a write goes into the next one."""
        delay = FLUSH_RETRY_FIRST
        while self._done:
            ids, self._done = self._done, []
            try:
                async with self._deps.transaction(bookkeeping=True) as session:
                    await intake.mark_done(session, ids, self._deps.clock())
            except (SQLAlchemyError, OSError) as exc:
                # Kept and written again; logged with the outage's other failures.
                self._done = ids + self._done
                self._deps.failures.failed(DATABASE, "update done marks", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, FLUSH_RETRY_MAX)
                continue
            delay = FLUSH_RETRY_FIRST

    async def close(self, timeout: float = 5.0) -> None:
        """Write the remaining done marks (at shutdown, before the engine goes)."""
        if self._flusher is not None and not self._flusher.done():
            try:
                await asyncio.wait_for(asyncio.shield(self._flusher), timeout)
            except TimeoutError:
                self._flusher.cancel()
                log.warning("%d handled updates not marked done at shutdown", len(self._done))

    async def replay(self, app: KisApplication) -> int:
        """Queue the updates received but never handled (a crash), oldest first."""
        async with self._deps.transaction(bookkeeping=True) as session:
            rows = await intake.unfinished_updates(session, self._deps.clock())
        for update_id, payload in rows:
            update = Update.de_json(json.loads(payload), app.bot)
            self._open.add(update_id)
            await app.update_queue.put(update)
        if rows:
            log.warning("handling %d updates received before a stop but never handled", len(rows))
        self.replayed += len(rows)
        return len(rows)


class JournalBot(ExtBot[Any]):
    """ExtBot whose getUpdates stores what it fetched before returning it."""

    __slots__ = ("_journal",)

    def __init__(self, *args: Any, journal: UpdateJournal | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._journal = journal

    async def _post(self, endpoint: str, data: Any = None, **kwargs: Any) -> Any:
        journal = self._journal
        if (
            endpoint == "answerCallbackQuery"
            and journal is not None
            and journal.answered_queries
            and isinstance(data, dict)
            and str(data.get("callback_query_id")) in journal.answered_queries
        ):
            # Answered with the "held" notice during the outage: Telegram takes one answer per
            # press, so the real one is refused here, as Telegram would (handlers.common.answer
            # then sends its text as a message).
            journal.answered_queries.discard(str(data.get("callback_query_id")))
            raise BadRequest(QUERY_ALREADY_ANSWERED)
        result = await super()._post(endpoint, data, **kwargs)
        if endpoint == "getUpdates" and result and journal is not None:
            try:
                await journal.record(result)
            except JournalUnavailable as exc:
                # Nothing is confirmed: Telegram keeps the updates and sends them again. Tell
                # their senders, wait a little (capped: they are answered soon after the
                # database is back) and hand nothing over.
                await journal.tell_held(self, result)
                await journal.wait_after_failure(exc)
                return []
            journal.recovered()
        return result
