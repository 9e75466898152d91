"""Database timeouts: a hung database fails the query within the setting, not never."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import build_application
from models.db import create_engine
from sandbox import SandboxServer
from sandbox.runner import start_polling_app, stop_polling_app
from tests.conftest import FakeClock
from tests.e2e.conftest import make_settings, watch_bot

APOLOGY = "Sorry, something went wrong on our side"


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@pytest.fixture
async def locked_person_table(pg_shared_url: str) -> AsyncIterator[None]:
    """Another connection holds an exclusive lock on `person` (a stuck transaction)."""
    holder = await asyncpg.connect(_asyncpg_dsn(pg_shared_url))
    transaction = holder.transaction()
    await transaction.start()
    await holder.execute("LOCK TABLE person IN ACCESS EXCLUSIVE MODE")
    try:
        yield
    finally:
        await transaction.rollback()
        await holder.close()


@pytest.mark.postgres
async def test_a_blocked_statement_fails_within_the_statement_timeout(
    pg_shared_url: str, locked_person_table: None
) -> None:
    engine = create_engine(pg_shared_url, statement_timeout=1)
    try:
        started = time.monotonic()
        with pytest.raises(DBAPIError, match="statement timeout"):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT count(*) FROM person"))
        assert time.monotonic() - started < 5
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_a_stuck_query_in_a_handler_ends_with_the_apology(
    pg_shared_url: str, locked_person_table: None, clock: FakeClock
) -> None:
    """/start while `person` is locked: after the statement timeout the person is told."""
    sandbox = SandboxServer()
    await sandbox.start()
    settings = make_settings(sandbox, pg_shared_url, KISBOT_DB_STATEMENT_TIMEOUT=1)
    engine = create_engine(pg_shared_url, **settings.db_timeouts)
    app = build_application(settings, engine=engine, clock=clock, migrate_on_start=False)
    try:
        # post_init reads and writes `person`: start the bot without it (the lock is held).
        app.post_init = None
        await start_polling_app(app)
        watch_bot(sandbox, app)
        user = sandbox.add_user(77, "Ola", language_code="en")
        started = time.monotonic()
        reply = await user.say("/start", timeout=15)
        assert APOLOGY in reply.text
        assert time.monotonic() - started < 10
    finally:
        await stop_polling_app(app)
        await engine.dispose()
        await sandbox.stop()


async def _silent_server() -> tuple[asyncio.Server, int, list[asyncio.StreamWriter]]:
    """A socket that accepts connections and never says a word (a frozen database host)."""
    held: list[asyncio.StreamWriter] = []

    async def accept(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, port, held


@pytest.mark.postgres
async def test_connecting_to_a_silent_server_fails_within_the_connect_timeout() -> None:
    server, port, held = await _silent_server()
    engine: AsyncEngine = create_engine(
        f"postgresql+asyncpg://kisbot@127.0.0.1:{port}/kisbot", connect_timeout=0.5
    )
    try:
        started = time.monotonic()
        with pytest.raises((TimeoutError, DBAPIError)):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        assert time.monotonic() - started < 3
    finally:
        await engine.dispose()
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_sqlite_busy_timeout_follows_the_statement_timeout(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}", statement_timeout=2)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() == 2000
    finally:
        await engine.dispose()


async def test_create_engine_makes_the_sqlite_directory_only_when_connecting(
    tmp_path: Path,
) -> None:
    database = tmp_path / "data" / "kisbot.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        assert not database.parent.exists()
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        assert database.exists()
    finally:
        await engine.dispose()


async def test_a_writer_queued_behind_a_hung_one_gives_up_after_the_statement_timeout(
    sqlite_url: str,
) -> None:
    """SQLite's writers of one process queue at Deps' write gate: that wait is bounded too."""
    from bot.context import Deps
    from bot.failures import DATABASE, failure_kind
    from bot.i18n import Translator
    from bot.settings import Settings
    from models.db import create_sessionmaker

    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, telegram_bot_token="1:x", KISBOT_DB_STATEMENT_TIMEOUT=0.5
    )
    engine = create_engine(sqlite_url, **settings.db_timeouts)
    deps = Deps(settings, engine, create_sessionmaker(engine), Translator("pl"))
    hung = asyncio.Event()
    release = asyncio.Event()

    async def hang() -> None:
        async with deps.transaction():
            hung.set()
            await release.wait()

    holder = asyncio.create_task(hang())
    try:
        await hung.wait()
        started = time.monotonic()
        with pytest.raises(TimeoutError) as raised:
            async with deps.transaction():
                pass
        assert time.monotonic() - started < 3
        assert failure_kind(raised.value) == DATABASE  # so the person gets the apology
    finally:
        release.set()
        await holder
    async with deps.transaction():  # the gate was not leaked
        pass
    await engine.dispose()
