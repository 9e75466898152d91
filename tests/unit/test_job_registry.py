"""One job registry: build_application schedules exactly the jobs of scheduler.jobs.JOBS, with
their timing, and no handler module schedules a job of its own."""

from __future__ import annotations

import re
from datetime import time, timedelta
from pathlib import Path

from bot.app import build_application
from bot.settings import Settings
from scheduler.jobs import JOBS, Schedule

ROOT = Path(__file__).resolve().parents[2]
SCHEDULING = re.compile(
    r"\brun_(repeating|daily|once|monthly|custom)\s*\(|\bjob_queue\b|def \w+_job\("
)


def _settings(tmp_path: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        TELEGRAM_BOT_TOKEN="1:x",
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'jobs.sqlite3'}",
        KISBOT_AGENDA_TIME="07:15",
        KISBOT_ROSTER_TIME="06:45",
    )


def test_the_registry_is_what_the_application_schedules(tmp_path: Path) -> None:
    app = build_application(_settings(tmp_path), migrate_on_start=False)
    assert app.job_queue is not None
    installed = {job.name: job for job in app.job_queue.jobs()}
    assert sorted(installed) == sorted(spec.name for spec in JOBS)
    assert len({spec.name for spec in JOBS}) == len(JOBS), "job names must be unique"
    for spec in JOBS:
        job = installed[spec.name]
        assert job.callback is spec.callback, spec.name
        trigger = job.job.trigger
        if spec.schedule is Schedule.REPEATING:
            assert spec.every is not None
            assert trigger.interval == spec.every, spec.name
        elif spec.schedule is Schedule.DAILY:
            assert spec.at is not None
            fields = {f.name: str(f) for f in trigger.fields}
            clock = spec.at(app.bot_data["deps"].settings)
            assert (fields["hour"], fields["minute"]) == (str(clock.hour), str(clock.minute))
    # Names and timing kept from before the registry.
    timing = {s.name: (s.schedule, s.every, s.first) for s in JOBS}
    assert timing["housekeeping"] == (
        Schedule.REPEATING,
        timedelta(hours=6),
        timedelta(seconds=60),
    )
    assert timing["offer-expiry"][1:] == (timedelta(seconds=60), timedelta(seconds=30))
    assert timing["outbox-dispatcher"][1:] == (timedelta(seconds=2), timedelta(seconds=1))
    assert timing["consult-slot-sync"][1:] == (timedelta(hours=1), timedelta(seconds=5))
    assert timing["consult-close-past"][1:] == (timedelta(minutes=15), timedelta(seconds=30))
    assert timing["consult-agenda-catch-up"] == (Schedule.ONCE, None, timedelta(seconds=20))
    assert timing["care-roster-catch-up"] == (Schedule.ONCE, None, timedelta(seconds=25))
    assert timing["broadcast-progress"][1:] == (timedelta(seconds=2), timedelta(seconds=2))
    settings = app.bot_data["deps"].settings
    daily = {s.name: s.at(settings) for s in JOBS if s.at is not None}
    assert daily == {"consult-morning-agenda": time(7, 15), "care-morning-roster": time(6, 45)}
    # The dispatcher's wake-ups use the registry's tick.
    assert app.bot_data["dispatcher"]._interval == 2.0


def test_no_handler_module_schedules_a_job() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "handlers").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SCHEDULING.search(line)
    ]
    assert offenders == [], "jobs belong to scheduler/jobs.py: " + ", ".join(offenders)
