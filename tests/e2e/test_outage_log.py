"""A database outage in the real Application: one traceback, summaries, one line at the end;
jobs named as jobs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from bot.app import build_application
from bot.context import Deps, KisContext
from models.db import create_engine
from sandbox import SandboxServer
from sandbox.runner import start_polling_app, stop_polling_app
from services import people
from tests.conftest import FakeClock, create_pg_database
from tests.e2e.conftest import TOKEN, make_settings, watch_bot
from tests.tcp_proxy import TcpProxy
from tests.waiting import until

APOLOGY = "Sorry, something went wrong on our side"
HELD = "We have a temporary problem. We'll handle your message as soon as it's over"


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
    # Only the patched query fails in this outage; the scheduled jobs' own queries would
    # succeed and end it, so they are held (the real outage below fails everything).
    assert app.job_queue is not None
    app.job_queue.scheduler.pause()
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
        with contextlib.suppress(TimeoutError):  # the assertion below tells what was logged
            await until(lambda: caplog.records, timeout=2.5)
    finally:
        await stop_polling_app(app)
        await engine.dispose()
    messages = [r.getMessage() for r in caplog.records if r.name == "kisbot.errors"]
    assert messages == ["job nightly-report failed: ValueError"]
    assert not any("update None" in m for m in messages)


@pytest.mark.wallclock
@pytest.mark.postgres
async def test_kisbot_run_through_a_database_outage_logs_one_traceback(
    sandbox: SandboxServer, tmp_path: Path, pg_server_url: str, pg_database_factory: list[str]
) -> None:
    """The real process, PostgreSQL cut for 5 /starts, then back: one traceback (it was one per
    update), everyone told at once that their message is held, each handled once the database
    is back (bot.intake), and one line saying it is over."""
    from urllib.parse import urlsplit

    url = await create_pg_database(pg_server_url, pg_database_factory)
    parts = urlsplit(url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    await proxy.start()
    via_proxy = url.replace(f"@{parts.hostname}:{parts.port}/", f"@127.0.0.1:{proxy.port}/")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("KISBOT_", "DATABASE_"))},
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": sandbox.base_url,
        "DATABASE_URL": via_proxy,
        "KISBOT_LOG_LEVEL": "INFO",
        "KISBOT_DB_CONNECT_TIMEOUT": "2",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        first = await sandbox.add_user(1, "A", language_code="en").say("/start", timeout=30)
        assert "Choose your language" in first.text
        await proxy.stop()
        held = []
        for n in range(5):
            user = sandbox.add_user(100 + n, f"U{n}", language_code="en")
            # Not stored, so not confirmed to Telegram: the person is told it will be handled.
            assert HELD in (await user.say("/start", timeout=15)).text
            held.append(user)
        await proxy.start()
        back = await sandbox.add_user(2, "B", language_code="en").say("/start", timeout=40)
        assert "Choose your language" in back.text
        for user in held:  # ... and it is, once the database is back
            texts = [m.text or "" for m in user.messages]
            while not any("Choose your language" in t for t in texts):
                await user.expect(timeout=15)
                texts = [m.text or "" for m in user.messages]
            assert sum(HELD in t for t in texts) == 1, texts
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
        await proxy.stop()
    log = output.decode()
    assert process.returncode == 0, log
    assert log.count("Traceback (most recent call last)") == 1, log
    assert log.count("database unavailable: ") >= 2, log
    assert "database unavailable: over after" in log, log
    assert "update None" not in log and "never retrieved" not in log, log
