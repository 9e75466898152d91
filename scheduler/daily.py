"""Daily digests (the specialists' agenda, the childcare roster): queue them through the
outbox at a clock time, and catch up after a late start.

Both are one `Digest` each: the service that queues one row per recipient (its outbox kind's
renderer writes the message when it is sent), the setting with its clock time and the names
of its two jobs; `scheduler.jobs` makes the jobs from it.

At most one digest per recipient, kind and day is the database's rule (a unique index on the
outbox, insert-or-nothing in `services.outbox.enqueue_daily_digest`): two bot processes at
the digest's time, or a catch-up after a restart, cannot queue a second one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram.ext import Application

from bot.context import Deps
from bot.settings import Settings
from scheduler.dispatcher import wake_dispatcher
from services import childcare, consultations

AnyApp = Application[Any, Any, Any, Any, Any, Any]
# enqueue(session, now=..., tz=..., day=...) -> how many messages were queued
Enqueue = Callable[..., Awaitable[int]]

CATCH_UP = timedelta(hours=2)  # a bot started this long after a digest's time still sends it


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


@dataclass(frozen=True)
class Digest:
    """One kind of daily digest and its two jobs: the daily one and the start-up catch-up."""

    what: str  # "agenda", in the jobs' descriptions
    job: str  # the daily job's name
    catch_up_job: str  # the catch-up job's name
    catch_up_after: timedelta  # how long after start-up the catch-up job runs
    enqueue: Enqueue  # who receives it: queues one outbox row per recipient, at most once a day
    clock: Callable[[Settings], time]  # its club-time clock
    setting: str  # the environment variable of that clock
    about: str  # who gets what

    async def run(self, app: AnyApp, day: date | None = None) -> int:
        """Queue the day's digest (today's by default) and wake the dispatcher; how many."""
        return await queue_digest(app, self.enqueue, day)

    async def catch_up(self, app: AnyApp) -> int:
        """At start-up: send today's digest if the bot was down at its time (up to CATCH_UP
        later); the at-most-once rule keeps it from being sent twice."""
        deps: Deps = app.bot_data["deps"]
        if not missed_today(deps, self.clock(deps.settings), CATCH_UP):
            return 0
        return await self.run(app)


# Every specialist with a booking that day; specialists with none get nothing.
AGENDA = Digest(
    what="agenda",
    job="consult-morning-agenda",
    catch_up_job="consult-agenda-catch-up",
    catch_up_after=timedelta(seconds=20),
    enqueue=consultations.enqueue_daily_agendas,
    clock=lambda settings: settings.agenda_clock,
    setting="KISBOT_AGENDA_TIME",
    about="each specialist's agenda of the day",
)
# Every active partner, only when the day has care.
ROSTER = Digest(
    what="roster",
    job="care-morning-roster",
    catch_up_job="care-roster-catch-up",
    catch_up_after=timedelta(seconds=25),
    enqueue=childcare.enqueue_daily_roster,
    clock=lambda settings: settings.roster_clock,
    setting="KISBOT_ROSTER_TIME",
    about="each childcare partner's roster of the day",
)

# The job bodies by their names (tests call them with the Application).
run_morning_agenda = AGENDA.run
run_agenda_catch_up = AGENDA.catch_up
run_morning_roster = ROSTER.run
run_roster_catch_up = ROSTER.catch_up


__all__ = [
    "AGENDA",
    "CATCH_UP",
    "ROSTER",
    "Digest",
    "Enqueue",
    "missed_today",
    "queue_digest",
    "run_agenda_catch_up",
    "run_morning_agenda",
    "run_morning_roster",
    "run_roster_catch_up",
]
