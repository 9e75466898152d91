"""End-to-end fixtures: the sandbox Bot API and the production Application pointed at it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import build_application
from bot.context import KisApplication
from bot.settings import Settings
from bot.updates import PerChatUpdateProcessor
from models.db import Sessionmaker, create_engine, create_sessionmaker
from sandbox import FloodLimits, SandboxServer, SimUser
from sandbox.runner import start_polling_app, stop_polling_app
from sandbox.users import PROBE_SETTLE
from tests.conftest import FakeClock
from tests.waiting import until

TOKEN = "123456:SANDBOX-TOKEN"
ADMIN_ID = 1000


def make_settings(sandbox: SandboxServer, database_url: str, **extra: object) -> Settings:
    """Settings as production reads them, pointed at the sandbox."""
    values: dict[str, object] = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": sandbox.base_url,
        "DATABASE_URL": database_url,
        "KISBOT_ADMIN_IDS": str(ADMIN_ID),
    }
    values.update(extra)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    """A sandbox with flood limits off; fails the test on any Bot API spec violation."""
    server = SandboxServer(flood_limits=FloodLimits(enabled=False))
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
    assert not server.violations, f"Bot API spec violations: {server.violations}"
    assert not server.unanswered_callbacks, f"unanswered presses: {server.unanswered_callbacks}"


def watch_bot(sandbox: SandboxServer, app: KisApplication) -> None:
    """Let SimUser.expect() know when this in-process bot has finished reacting: nothing in its
    update queue and no update in its handlers (bot.updates.PerChatUpdateProcessor); and let
    SimUser.silence() know when its background work is over too: no outbox delivery run under
    way and no job due now (a dispatcher wake-up included)."""
    processor = app.update_processor
    if not isinstance(processor, PerChatUpdateProcessor):
        return
    dispatcher = app.bot_data.get("dispatcher")
    job_queue = app.job_queue

    def idle() -> bool:
        return app.update_queue.qsize() == 0 and processor.in_progress == 0

    def background_idle() -> bool:
        if dispatcher is not None and dispatcher._lock.locked():
            return False
        if job_queue is None:
            return True
        now = datetime.now(UTC)
        return not any(job.next_t is not None and job.next_t <= now for job in job_queue.jobs())

    sandbox.bot_idle = idle
    sandbox.bot_background_idle = background_idle


@dataclass
class Harness:
    """The running bot, its database and the sandbox, with helpers for common steps."""

    sandbox: SandboxServer
    app: KisApplication
    engine: AsyncEngine
    database_url: str
    clock: FakeClock
    sessionmaker: Sessionmaker
    restart: Callable[[], Awaitable[None]]

    def user(self, user_id: int, name: str = "Jan", language_code: str | None = "pl") -> SimUser:
        """A simulated Telegram user (created on first use)."""
        if user_id in self.sandbox.users:
            return self.sandbox.user(user_id)
        return self.sandbox.add_user(user_id, name, language_code=language_code)

    async def settle(self, timeout: float = 10.0) -> None:
        """Deliver what the outbox holds due now (one dispatcher pass, as its job would) and
        wait until the bot has finished reacting: after this, a message not sent is a message
        the bot decided not to send, not one it had no time for."""
        await self.app.bot_data["dispatcher"].run_pending()
        # Settled twice, PROBE_SETTLE apart (as SimUser.expect() does): nothing was about to
        # start between two looks.
        await until(lambda: bool(self.sandbox.bot_finished()), timeout)
        await asyncio.sleep(PROBE_SETTLE)
        await until(lambda: bool(self.sandbox.bot_finished()), timeout)

    @property
    def admin(self) -> SimUser:
        """The admin configured through KISBOT_ADMIN_IDS."""
        return self.user(ADMIN_ID, "Admin")


@pytest.fixture
async def harness(
    sandbox: SandboxServer, engine: AsyncEngine, database_url: str, clock: FakeClock
) -> AsyncIterator[Harness]:
    """The production Application against the sandbox, on SQLite and PostgreSQL."""
    settings = make_settings(sandbox, database_url)
    state: dict[str, KisApplication] = {}

    async def launch() -> KisApplication:
        app = build_application(settings, engine=engine, clock=clock, migrate_on_start=False)
        await start_polling_app(app)
        watch_bot(sandbox, app)
        return app

    async def restart() -> None:
        await stop_polling_app(state["app"])
        await engine.dispose()  # a new process would start with no connections either
        state["app"] = await launch()
        h.app = state["app"]

    state["app"] = await launch()
    h = Harness(
        sandbox, state["app"], engine, database_url, clock, create_sessionmaker(engine), restart
    )
    try:
        yield h
    finally:
        await stop_polling_app(state["app"])


__all__ = [
    "ADMIN_ID",
    "TOKEN",
    "Harness",
    "create_engine",
    "make_settings",
]
