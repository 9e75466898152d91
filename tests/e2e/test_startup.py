"""Start-up of the production Application (build_application's post_init)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

import bot.app as app_module
from sandbox import SandboxServer
from sandbox.runner import start_polling_app, stop_polling_app
from tests.conftest import FakeClock
from tests.e2e.conftest import make_settings


async def test_post_init_freezes_the_startup_heap_last(
    sandbox: SandboxServer,
    engine: AsyncEngine,
    database_url: str,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(
        app_module,
        "freeze_startup_heap",
        lambda: calls.append(sandbox.stats.per_method["setMyCommands"]),
    )
    app = app_module.build_application(
        make_settings(sandbox, database_url), engine=engine, clock=clock, migrate_on_start=False
    )
    await start_polling_app(app)
    try:
        # Once, after the start-up calls to Telegram (setMyCommands), before polling.
        assert len(calls) == 1 and calls[0] > 0
    finally:
        await stop_polling_app(app)
