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
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.error import NetworkError
from telegram.ext import ExtBot

from services import intake

if TYPE_CHECKING:
    from bot.context import Deps, KisApplication

log = logging.getLogger(__name__)

FLUSH_RETRY_FIRST = 0.5  # seconds before writing done marks again after a database error
FLUSH_RETRY_MAX = 30.0


class JournalUnavailable(NetworkError):
    """The journal could not be written: the updates are not confirmed and come again.

    A NetworkError, so that the polling loop retries with its growing back-off (any other
    exception would be logged and retried at once, in a tight loop).
    """


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
        self._outage_logged = False
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
            async with self._deps.transaction() as session:
                new = await intake.record_updates(session, list(rows.items()), self._deps.clock())
        except (SQLAlchemyError, OSError) as exc:
            raise JournalUnavailable(
                f"the update journal is unavailable ({type(exc).__name__})"
            ) from exc
        self._open.update(new)
        for update_id, count in copies.items():
            # Only the first copy of a new update runs (a batch may repeat an update_id).
            extra = count - 1 if update_id in new else count
            if extra:
                self._skip[update_id] += extra
                self.duplicates += extra
                log.info("update %s delivered again: not handled twice", update_id)

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

    @property
    def pending_done(self) -> int:
        """Done marks not written yet."""
        return len(self._done)

    async def _flush(self) -> None:
        """Write done marks; what arrives during a write goes into the next one."""
        delay = FLUSH_RETRY_FIRST
        while self._done:
            ids, self._done = self._done, []
            try:
                async with self._deps.transaction() as session:
                    await intake.mark_done(session, ids, self._deps.clock())
            except (SQLAlchemyError, OSError) as exc:
                self._done = ids + self._done
                if not self._outage_logged:
                    log.warning(
                        "could not mark %d handled updates done (%s); retrying",
                        len(ids),
                        type(exc).__name__,
                    )
                    self._outage_logged = True
                await asyncio.sleep(delay)
                delay = min(delay * 2, FLUSH_RETRY_MAX)
                continue
            if self._outage_logged:
                log.warning("handled updates are marked done again")
                self._outage_logged = False
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
        async with self._deps.transaction() as session:
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
        result = await super()._post(endpoint, data, **kwargs)
        if endpoint == "getUpdates" and result and self._journal is not None:
            await self._journal.record(result)
        return result
