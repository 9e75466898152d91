"""Shared fixtures: databases on SQLite and PostgreSQL, an injectable clock."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from models import Base
from models.db import Sessionmaker, create_engine, create_sessionmaker
from models.migrate import upgrade

PG_ADMIN_DSN = os.environ.get("KISBOT_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@dataclass
class FakeClock:
    """A clock tests move by hand; the bot reads it instead of the wall clock."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        """Move forward by timedelta(**kwargs)."""
        self.now += timedelta(**kwargs)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    """A clock starting at the real current time."""
    return FakeClock()


async def _pg_reachable() -> bool:
    try:
        conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await conn.close()
    return True


def _pg_url(dsn: str, database: str) -> str:
    base = dsn.rsplit("/", 1)[0]
    return f"{base}/{database}".replace("postgresql://", "postgresql+asyncpg://", 1)


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """Admin URL of the PostgreSQL server; fails in CI and skips elsewhere when unreachable."""
    if not asyncio.run(_pg_reachable()):
        message = f"PostgreSQL is not reachable at {PG_ADMIN_DSN}"
        if IN_CI:
            pytest.fail(message + " (CI=true: PostgreSQL tests must run)")
        pytest.skip(message)
    yield PG_ADMIN_DSN


@pytest.fixture(scope="session")
def pg_database_factory(pg_server_url: str) -> Iterator[list[str]]:
    """Creates databases on demand; drops every one of them at the end of the session."""
    created: list[str] = []
    yield created

    async def drop_all() -> None:
        conn = await asyncpg.connect(pg_server_url)
        try:
            for name in created:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop_all())


async def create_pg_database(admin_dsn: str, registry: list[str], migrate: bool = True) -> str:
    """A fresh, migrated PostgreSQL database for one test (or a group of them)."""
    name = f"kisbot_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    registry.append(name)
    url = _pg_url(admin_dsn, name)
    if migrate:
        await _migrate(url)
    return url


@pytest.fixture(scope="session")
def pg_shared_url(pg_server_url: str, pg_database_factory: list[str]) -> str:
    """One migrated database for the session; tests empty its tables before use."""
    return asyncio.run(create_pg_database(pg_server_url, pg_database_factory))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies (faster than migrating every time)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: SQLite file or the shared PostgreSQL database."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "kisbot.sqlite3"
        shutil.copyfile(template, target)
        return f"sqlite+aiosqlite:///{target}"
    url: str = request.getfixturevalue("pg_shared_url")
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated SQLite database only (for tests that are about one backend's plumbing)."""
    target = tmp_path / "kisbot.sqlite3"
    shutil.copyfile(sqlite_template, target)
    return f"sqlite+aiosqlite:///{target}"


async def empty_tables(engine: AsyncEngine) -> None:
    """Remove all rows and restart the ids (PostgreSQL's shared test database is reused
    between tests).

    One DO block on the engine's own connection: DELETE, children first, then every sequence
    restarted; the same end state as TRUNCATE ... RESTART IDENTITY CASCADE, but a test's few
    rows go in milliseconds where TRUNCATE of 21 tables (new files for each) took 0.15-0.3 s
    per test. If a DELETE is refused (a table outside the models referencing them), TRUNCATE
    does it as before."""
    tables = [t.name for t in Base.metadata.sorted_tables]
    deletes = "".join(f'DELETE FROM "{name}"; ' for name in reversed(tables))
    block = (
        "DO $$ DECLARE s record; BEGIN "
        + deletes
        + "FOR s IN SELECT sequence_schema, sequence_name FROM information_schema.sequences "
        "LOOP EXECUTE format('ALTER SEQUENCE %I.%I RESTART', s.sequence_schema, "
        "s.sequence_name); END LOOP; END $$"
    )
    async with engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        try:
            await raw.execute(block)
        except asyncpg.PostgresError:
            listed = ", ".join(f'"{name}"' for name in tables)
            await raw.execute(f"TRUNCATE {listed} RESTART IDENTITY CASCADE")


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the test's database, emptied first."""
    eng = create_engine(database_url)
    if eng.dialect.name == "postgresql":
        await empty_tables(eng)
    yield eng
    await eng.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> Sessionmaker:
    """Sessions on the test's database."""
    return create_sessionmaker(engine)
