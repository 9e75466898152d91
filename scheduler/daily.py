"""Daily digests (the specialists' agenda, the childcare roster): queue them through the
outbox at a clock time, and catch up after a late start."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram.ext import Application

from bot.context import Deps
from scheduler.dispatcher import wake_dispatcher

AnyApp = Application[Any, Any, Any, Any, Any, Any]
# enqueue(session, now=..., tz=..., day=...) -> how many messages were queued
Enqueue = Callable[..., Awaitable[int]]


async def queue_digest(app: AnyApp, enqueue: Enqueue, day: date | None = None) -> int:
    """Run `enqueue` in one transaction, then wake the dispatcher if anything was queued."""
    deps: Deps = app.bot_data["deps"]
    async with deps.transaction() as session:
        queued = await enqueue(session, now=deps.clock(), tz=deps.settings.tz, day=day)
    if queued:
        wake_dispatcher(app)
    return int(queued)


def missed_today(deps: Deps, at: time, window: timedelta) -> bool:
    """True when today's `at` (club time) passed less than `window` ago: a bot started then
    still sends the digest (the at-most-once rule of the enqueue keeps it from going twice)."""
    tz: ZoneInfo = deps.settings.tz
    local = deps.clock().astimezone(tz)
    due = datetime.combine(local.date(), at, tzinfo=tz)
    return due <= local < due + window


__all__ = ["Enqueue", "missed_today", "queue_digest"]
