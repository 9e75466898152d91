"""A database outage in the real Application: one traceback, summaries, one line at the end;
jobs named as jobs."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy.exc import OperationalError

from bot.app import build_application
from bot.context import Deps, KisContext
from models.db import create_engine
from sandbox import SandboxServer
from sandbox.runner import start_polling_app, stop_polling_app
from services import people
from tests.conftest import FakeClock
from tests.e2e.conftest import make_settings, watch_bot

APOLOGY = "Sorry, something went wrong on our side"


class Mono:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_database_outage_logs_one_traceback_then_summaries_then_its_end(
    sandbox: SandboxServer,
    sqlite_url: str,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    engine = create_engine(sqlite_url)
    app = build_application(
        make_settings(sandbox, sqlite_url), engine=engine, clock=clock, migrate_on_start=False
    )
    deps: Deps = app.bot_data["deps"]
    mono = Mono()
    deps.failures.clock = mono
    await start_polling_app(app)
    watch_bot(sandbox, app)
    try:

        async def database_down(*_args: object, **_kwargs: object) -> None:
            raise OperationalError("SELECT", {}, ConnectionRefusedError(111, "Connection refused"))

        monkeypatch.setattr(people, "get_by_telegram_id", database_down)
        caplog.set_level(logging.INFO, logger="kisbot.errors")
        for n in range(40):  # one /start every 2 s of the (fake) clock: 80 s of outage
            reply = await sandbox.add_user(100 + n, f"U{n}", language_code="en").say("/start")
            assert APOLOGY in reply.text  # everyone is still told
            mono.now += 2
        monkeypatch.undo()
        reply = await sandbox.add_user(999, "Ola", language_code="en").say("/start")
        assert "Choose your language" in reply.text
    finally:
        await stop_polling_app(app)
        await engine.dispose()

    records = [r for r in caplog.records if r.name == "kisbot.errors"]
    messages = [r.getMessage() for r in records]
    assert sum(1 for r in records if r.exc_info) == 1, messages
    assert messages[0].startswith("database unavailable: update ")
    assert "failed: OperationalError" in messages[0]
    assert (
        messages[1:-1]
        == ["database unavailable: 15 more updates or jobs failed in the last 30 s"] * 2
    )
    assert messages[-1] == (
        "database unavailable: over after 80 s (40 updates or jobs failed in all)"
    )


async def test_a_failing_job_is_logged_as_that_job(
    sandbox: SandboxServer, sqlite_url: str, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine(sqlite_url)
    app = build_application(
        make_settings(sandbox, sqlite_url), engine=engine, clock=clock, migrate_on_start=False
    )
    ran = asyncio.Event()

    async def nightly_report(_context: KisContext) -> None:
        ran.set()
        raise ValueError("a bug in a job")

    caplog.set_level(logging.INFO, logger="kisbot.errors")
    await start_polling_app(app)
    try:
        assert app.job_queue is not None
        app.job_queue.run_once(nightly_report, when=0, name="nightly-report")
        await asyncio.wait_for(ran.wait(), timeout=10)
        for _ in range(50):
            if caplog.records:
                break
            await asyncio.sleep(0.05)
    finally:
        await stop_polling_app(app)
        await engine.dispose()
    messages = [r.getMessage() for r in caplog.records if r.name == "kisbot.errors"]
    assert messages == ["job nightly-report failed: ValueError"]
    assert not any("update None" in m for m in messages)
