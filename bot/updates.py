"""Concurrent update processing that keeps each chat's updates in order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

if TYPE_CHECKING:
    from bot.intake import UpdateJournal


def chat_key(update: object) -> int | None:
    """The chat (or user) an update belongs to; None for updates with neither."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Up to `max_concurrent_updates` at once across chats, strictly one at a time per chat.

    Application starts one task per update in arrival order. Each task passes the base class's
    semaphore (first-in first-out in asyncio) and then takes its chat's lock without yielding in
    between; asyncio locks also wake waiters first-in first-out. So a chat's updates are handled
    in the order Telegram delivered them, while different chats proceed concurrently.
    """

    def __init__(self, max_concurrent_updates: int, journal: UpdateJournal | None = None) -> None:
        super().__init__(max_concurrent_updates)
        # Durable intake (bot.intake): drops copies of an update already handled and marks
        # each handled update done. None: every update runs (unit tests).
        self.journal = journal
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}
        # Updates in their handlers (or waiting for their chat's turn); the end-to-end tests
        # read it to know when the bot has done reacting.
        self.in_progress = 0

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the handlers while holding the update's chat lock, then mark the update done."""
        journal = self.journal
        if journal is not None and not journal.take(update):
            if asyncio.iscoroutine(coroutine):
                coroutine.close()  # a copy of an update that is (being) handled: never run it
            return
        self.in_progress += 1
        try:
            await self._in_order(update, coroutine)
        finally:
            self.in_progress -= 1
        # Not reached when the task is cancelled (a stop): the update stays unfinished and is
        # handled again at the next start. Handler errors were already answered by on_error.
        if journal is not None:
            journal.done(update)

    async def _in_order(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if self._users[key] == 0:  # forget idle chats so memory stays flat
                del self._users[key]
                del self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
