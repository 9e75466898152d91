"""The job registry: every scheduled job of the bot, declared in one table (`JOBS`) and
installed by one function (`install_jobs`, called by `bot.app.build_application`).

A job here is a thin callback around a `run_*` function of its scheduler module (tests call
those directly, with the Application). Handler modules define no jobs and schedule nothing;
a job may use a handler's renderer or sender (the outbox renderers, the broadcast progress
message). Besides these rows the dispatcher schedules only its own one-off wake-ups
(`outbox-wake`: "something is due before the next tick"), which are not jobs of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import time, timedelta
from enum import StrEnum
from typing import Any

from telegram.ext import Application, JobQueue

from bot.context import Deps
from bot.settings import Settings
from handlers import broadcasts, consultations, staff, staff_childcare, staff_consult, workshops
from handlers import childcare as childcare_handlers
from scheduler import daily, offers, slots
from scheduler.broadcasts import PROGRESS_TICK, run_broadcast_progress
from scheduler.dispatcher import Dispatcher, install_dispatcher
from scheduler.housekeeping import INTERVAL as HOUSEKEEPING_INTERVAL
from scheduler.housekeeping import housekeeping_job
from scheduler.rendering import Renderer

AnyApp = Application[Any, Any, Any, Any, Any, Any]
JobCallback = Callable[[Any], Coroutine[Any, Any, None]]

DISPATCHER = "outbox-dispatcher"


class Schedule(StrEnum):
    """How a job is timed."""

    REPEATING = "repeating"  # every `every`, the first run `first` after start-up
    DAILY = "daily"  # every day at the club-time clock `at(settings)`
    ONCE = "once"  # once, `first` after start-up


@dataclass(frozen=True)
class JobSpec:
    """One row of the registry."""

    name: str
    callback: JobCallback
    schedule: Schedule
    about: str
    every: timedelta | None = None  # REPEATING
    at: Callable[[Settings], time] | None = None  # DAILY: the setting with the clock time
    first: timedelta = timedelta(0)  # REPEATING and ONCE: the delay after start-up
    # APScheduler's max_instances (a run may overlap the next tick).
    job_kwargs: dict[str, Any] = field(default_factory=dict)


# --- the callbacks: each one a call of its module's run_* function --------------------------


async def dispatcher_tick(context: Any) -> None:
    """Send the due outbox rows (`scheduler.dispatcher`, installed with the registry)."""
    dispatcher: Dispatcher | None = context.application.bot_data.get("dispatcher")
    if dispatcher is not None:
        await dispatcher.tick(context)


def on_app(
    run: Callable[[AnyApp], Coroutine[Any, Any, Any]], name: str | None = None
) -> JobCallback:
    """The JobQueue callback of a scheduler module's `run_*(app)` function (`name`: what its
    `__name__` says, by default the function's)."""

    async def job(context: Any) -> None:
        await run(context.application)

    job.__name__ = job.__qualname__ = f"{name or run.__name__}_job"
    return job


def digest_jobs(digest: daily.Digest) -> tuple[JobSpec, JobSpec]:
    """A daily digest's two rows: at its clock time, and once after start-up to catch up."""
    window = f"{daily.CATCH_UP / timedelta(hours=1):g} h"
    return (
        JobSpec(
            digest.job,
            on_app(digest.run, digest.job.replace("-", "_")),
            Schedule.DAILY,
            f"{digest.about} ({digest.setting})",
            at=digest.clock,
        ),
        JobSpec(
            digest.catch_up_job,
            on_app(digest.catch_up, digest.catch_up_job.replace("-", "_")),
            Schedule.ONCE,
            f"the {digest.what} after a start up to {window} after {digest.setting}",
            first=digest.catch_up_after,
        ),
    )


# --- the registry ---------------------------------------------------------------------------

JOBS: tuple[JobSpec, ...] = (
    JobSpec(
        "housekeeping",
        housekeeping_job,
        Schedule.REPEATING,
        "delete abandoned sign-ups, expired invites, old drafts, handled update ids",
        every=HOUSEKEEPING_INTERVAL,
        first=timedelta(seconds=60),
    ),
    JobSpec(
        "offer-expiry",
        on_app(offers.run_offer_expiry),
        Schedule.REPEATING,
        "unanswered freed-seat offers pass to the next person",
        every=timedelta(seconds=60),
        first=timedelta(seconds=30),
    ),
    JobSpec(
        DISPATCHER,
        dispatcher_tick,
        Schedule.REPEATING,
        "send due outbox rows (plus one-off wake-ups when something is due sooner)",
        every=timedelta(seconds=2),
        first=timedelta(seconds=1),
        # A tick during a long run enters, finds the run's lock taken and only asks for one
        # more round, instead of APScheduler skipping it with a warning.
        job_kwargs={"max_instances": 2},
    ),
    JobSpec(
        "consult-slot-sync",
        on_app(slots.run_slot_sync),
        Schedule.REPEATING,
        "generate slots KISBOT_SLOT_WEEKS_AHEAD weeks ahead, withdraw uncovered ones",
        every=timedelta(hours=1),
        first=timedelta(seconds=5),
    ),
    JobSpec(
        "consult-close-past",
        on_app(slots.run_close_past),
        Schedule.REPEATING,
        "appointments over without an outcome become 'unmarked'",
        every=timedelta(minutes=15),
        first=timedelta(seconds=30),
    ),
    *digest_jobs(daily.AGENDA),
    *digest_jobs(daily.ROSTER),
    JobSpec(
        "broadcast-progress",
        on_app(run_broadcast_progress),
        Schedule.REPEATING,
        "start scheduled broadcasts, edit progress messages, close finished reports",
        every=timedelta(seconds=PROGRESS_TICK),
        first=timedelta(seconds=PROGRESS_TICK),
    ),
)


def job_spec(name: str) -> JobSpec:
    """The registry's row called `name` (KeyError for anything else)."""
    for spec in JOBS:
        if spec.name == name:
            return spec
    raise KeyError(name)


def renderers(deps: Deps) -> dict[str, Renderer]:
    """Every outbox kind with its renderer (the dispatcher's table), bound to the club's zone."""
    policy = deps.policy
    return {
        **workshops.renderers(policy.tz),
        **consultations.renderers(policy.tz, deps.clock),
        **staff_consult.renderers(policy.tz),
        **childcare_handlers.renderers(policy.tz, deps.clock),
        **staff_childcare.renderers(policy.tz),
        **broadcasts.renderers(policy.tz, policy.quiet, deps.clock),
        **staff.renderers(),
    }


def schedule_job(job_queue: JobQueue[Any], spec: JobSpec, settings: Settings) -> None:
    """Put one registry row on the JobQueue."""
    if spec.schedule is Schedule.REPEATING:
        assert spec.every is not None, spec.name
        job_queue.run_repeating(
            spec.callback,
            interval=spec.every,
            first=spec.first,
            name=spec.name,
            job_kwargs=spec.job_kwargs or None,
        )
    elif spec.schedule is Schedule.DAILY:
        assert spec.at is not None, spec.name
        clock = spec.at(settings)
        at = time(clock.hour, clock.minute, tzinfo=settings.tz)
        job_queue.run_daily(
            spec.callback, time=at, name=spec.name, job_kwargs=spec.job_kwargs or None
        )
    else:
        job_queue.run_once(
            spec.callback, when=spec.first, name=spec.name, job_kwargs=spec.job_kwargs or None
        )


def install_jobs(app: AnyApp, deps: Deps) -> Dispatcher:
    """Create the outbox dispatcher (its wake-ups and shutdown) and schedule every job of
    the registry; the dispatcher, also in `app.bot_data["dispatcher"]`."""
    if app.job_queue is None:
        raise RuntimeError("the scheduled jobs need python-telegram-bot[job-queue]")
    tick = job_spec(DISPATCHER).every
    assert tick is not None
    dispatcher = install_dispatcher(app, renderers(deps), interval=tick.total_seconds(), tick=False)
    for spec in JOBS:
        schedule_job(app.job_queue, spec, deps.settings)
    return dispatcher


__all__ = ["JOBS", "JobSpec", "Schedule", "install_jobs", "job_spec", "renderers"]
