"""One set of migrations for SQLite and PostgreSQL, in step with the models."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from models import Base
from models.migrate import current_revision, downgrade, upgrade


async def test_models_and_migrations_agree(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync_conn: compare_metadata(
                MigrationContext.configure(sync_conn, opts={"compare_type": True}), Base.metadata
            )
        )
    assert diff == [], f"models and migrations differ: {diff}"


async def test_downgrade_to_base_and_upgrade_again(engine: AsyncEngine) -> None:
    assert await current_revision(engine) is not None
    await downgrade(engine, "base")
    assert await current_revision(engine) is None
    await upgrade(engine)
    assert await current_revision(engine) is not None


async def test_sqlite_connection_settings(sqlite_url: str) -> None:
    from models.db import create_engine

    engine = create_engine(sqlite_url)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() >= 5000
    finally:
        await engine.dispose()


async def test_daily_digest_migration_keeps_one_copy_of_each(engine: AsyncEngine) -> None:
    """0010 makes one agenda/roster per recipient and day unique; copies queued twice before
    it (the read-then-write race) are reduced to the oldest one, other kinds are left alone."""
    await downgrade(engine, "0008")
    now = datetime(2027, 3, 3, 6, 30, tzinfo=UTC)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO person (id, telegram_id, role, status, language, source, created_at)"
                " VALUES (1, 11, 'specialist', 'active', 'pl', 'staff', :now)"
            ),
            {"now": now},
        )
        for kind, ref in [
            ("consult_agenda", 20270303),
            ("consult_agenda", 20270303),
            ("consult_agenda", 20270304),
            ("care_roster", 20270303),
            ("care_roster", 20270303),
            ("consult_reminder", 7),
            ("consult_reminder", 7),
        ]:
            await conn.execute(
                text(
                    "INSERT INTO outbox_message (person_id, chat_id, kind, ref_id, payload,"
                    " due_at, status, attempts, created_at, priority)"
                    " VALUES (1, 11, :kind, :ref, '{}', :now, 'sent', 1, :now, 0)"
                ),
                {"kind": kind, "ref": ref, "now": now},
            )
    await upgrade(engine)
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text("SELECT kind, ref_id, id FROM outbox_message ORDER BY kind, ref_id, id")
            )
        ).all()
    assert [(kind, ref, row_id) for kind, ref, row_id in rows] == [
        ("care_roster", 20270303, 4),
        ("consult_agenda", 20270303, 1),
        ("consult_agenda", 20270304, 3),
        ("consult_reminder", 7, 6),
        ("consult_reminder", 7, 7),
    ]
