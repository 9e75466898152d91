"""Apply Alembic migrations from code (used by `kisbot run`, `kisbot db upgrade` and tests)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the project's migrations, optionally bound to a connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def _run(engine: AsyncEngine, migrate: Callable[[Connection], None]) -> None:
    """Run `migrate` in one transaction; on SQLite with foreign keys off (see below)."""
    async with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            await conn.run_sync(_run_sqlite, migrate)
        else:
            async with conn.begin():
                await conn.run_sync(migrate)


def _run_sqlite(sync_conn: Connection, migrate: Callable[[Connection], None]) -> None:
    """SQLite re-creates a table to change its constraints (batch mode: copy, drop, rename).
    With foreign keys on, dropping the old table would cascade-delete the rows referring to it
    (every enrolment of a rebuilt `workshop_session`), so migrations run with them off. The
    pragma is a no-op inside a transaction: it is set on the raw connection before BEGIN, the
    keys are checked before the commit, and they are switched on again in any case."""
    dbapi_connection = sync_conn.connection.dbapi_connection
    assert dbapi_connection is not None

    def pragma(value: str) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA foreign_keys={value}")
        finally:
            cursor.close()

    pragma("OFF")
    try:
        with sync_conn.begin():
            migrate(sync_conn)
            broken = sync_conn.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
    finally:
        pragma("ON")


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Migrate the database behind `engine` up to `revision`."""
    await _run(engine, lambda sync_conn: command.upgrade(alembic_config(sync_conn), revision))


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Migrate the database behind `engine` down to `revision`."""
    await _run(engine, lambda sync_conn: command.downgrade(alembic_config(sync_conn), revision))


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    async with engine.connect() as conn:
        return await conn.run_sync(
            lambda sync_conn: MigrationContext.configure(sync_conn).get_current_revision()
        )
