"""Daily digests (the specialists' agenda, the childcare roster): queue them through the
outbox at a clock time, and catch up after a late start.

At most one digest per recipient, kind and day is the database's rule (a unique index on the
outbox, insert-or-nothing in `services.outbox.enqueue_daily_digest`): two bot processes at
the digest's time, or a catch-up after a restart, cannot queue a second one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram.ext import Application

from bot.context import Deps
from scheduler.dispatcher import wake_dispatcher
from services import childcare, consultations

AnyApp = Application[Any, Any, Any, Any, Any, Any]
# enqueue(session, now=..., tz=..., day=...) -> how many messages were queued
Enqueue = Callable[..., Awaitable[int]]

AGENDA_CATCH_UP = timedelta(hours=2)  # a bot started this long after the agenda time still sends it
ROSTER_CATCH_UP = timedelta(hours=2)  # a bot started this long after the roster time still sends it


async def queue_digest(app: AnyApp, enqueue: Enqueue, day: date | None = None) -> int:
    """Run `enqueue` in one transaction, then wake the dispatcher if anything was queued."""
    deps: Deps = app.bot_data["deps"]
    async with deps.transaction() as session:
        queued = await enqueue(session, now=deps.clock(), tz=deps.policy.tz, day=day)
    if queued:
        wake_dispatcher(app)
    return int(queued)


def missed_today(deps: Deps, at: time, window: timedelta) -> bool:
    """True when today's `at` (club time) passed less than `window` ago: a bot started then
    still sends the digest (the at-most-once rule of the enqueue keeps it from going twice)."""
    tz: ZoneInfo = deps.policy.tz
    local = deps.clock().astimezone(tz)
    due = datetime.combine(local.date(), at, tzinfo=tz)
    return due <= local < due + window


async def run_morning_agenda(app: AnyApp, day: date | None = None) -> int:
    """Queue today's agenda for every specialist with a booking (at most once a day each),
    then wake the dispatcher; how many were queued. Specialists with no booking get nothing."""
    return await queue_digest(app, consultations.enqueue_daily_agendas, day)


async def run_agenda_catch_up(app: AnyApp) -> int:
    """At start-up: send today's agenda if the bot was down at the agenda time (up to
    AGENDA_CATCH_UP later); the at-most-once rule keeps it from being sent twice."""
    deps: Deps = app.bot_data["deps"]
    if not missed_today(deps, deps.settings.agenda_clock, AGENDA_CATCH_UP):
        return 0
    return await run_morning_agenda(app)


async def run_morning_roster(app: AnyApp, day: date | None = None) -> int:
    """Queue the day's roster for every active partner (at most once a day each, only when
    the day has care), then wake the dispatcher; how many were queued."""
    return await queue_digest(app, childcare.enqueue_daily_roster, day)


async def run_roster_catch_up(app: AnyApp) -> int:
    """At start-up: send today's roster if the bot was down at the roster time (up to
    ROSTER_CATCH_UP later); the at-most-once rule keeps it from being sent twice."""
    deps: Deps = app.bot_data["deps"]
    if not missed_today(deps, deps.settings.roster_clock, ROSTER_CATCH_UP):
        return 0
    return await run_morning_roster(app)


__all__ = [
    "AGENDA_CATCH_UP",
    "ROSTER_CATCH_UP",
    "Enqueue",
    "missed_today",
    "queue_digest",
    "run_agenda_catch_up",
    "run_morning_agenda",
    "run_morning_roster",
    "run_roster_catch_up",
]
