"""One set of migrations for SQLite and PostgreSQL, in step with the models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Enum, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from models import Base, Person, PersonStatus
from models.db import create_engine, create_sessionmaker
from models.migrate import current_revision, downgrade, upgrade
from tests.conftest import create_pg_database
from tests.factories import make_session, make_workshop


async def test_models_and_migrations_agree(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync_conn: compare_metadata(
                MigrationContext.configure(sync_conn, opts={"compare_type": True}), Base.metadata
            )
        )
    assert diff == [], f"models and migrations differ: {diff}"


async def test_enum_columns_store_their_values_as_plain_strings(engine: AsyncEngine) -> None:
    """Status columns are typed as their enums in the ORM only: the schema is the migrations'
    VARCHAR (no native enum type), the database holds the lowercase values, reads give
    members back."""
    for table in Base.metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, Enum):
                assert not column.type.native_enum, column
                assert column.type.enum_class is not None
                assert column.type.enums == [m.value for m in column.type.enum_class], column
    sm = create_sessionmaker(engine)
    async with sm.begin() as session:
        session.add(Person(telegram_id=1, language="pl", status=PersonStatus.ACTIVE))
    async with engine.connect() as conn:
        stored = (await conn.execute(text("SELECT status FROM person"))).scalar_one()
    assert type(stored) is str and stored == "active"
    async with sm() as session:
        person = await session.scalar(select(Person))
    assert person is not None and person.status is PersonStatus.ACTIVE


async def test_downgrade_to_base_and_upgrade_again(engine: AsyncEngine) -> None:
    assert await current_revision(engine) is not None
    await downgrade(engine, "base")
    assert await current_revision(engine) is None
    await upgrade(engine)
    assert await current_revision(engine) is not None


async def test_sqlite_connection_settings(sqlite_url: str) -> None:
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


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with no tables at all (each test migrates it itself)."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'kisbot.sqlite3'}"
    admin: str = request.getfixturevalue("pg_server_url")
    registry: list[str] = request.getfixturevalue("pg_database_factory")
    return await create_pg_database(admin, registry, migrate=False)


# Rows written at revision 0008 in plain SQL (the models may move on; this is that schema).
_ROWS_0008 = [
    "INSERT INTO person (id, telegram_id, role, status, language, source, created_at) VALUES "
    "(1, 501, 'participant', 'active', 'pl', 'self', :now), "
    "(2, 502, 'participant', 'active', 'pl', 'self', :now), "
    "(3, 503, 'participant', 'active', 'uk', 'self', :now)",
    "INSERT INTO workshop (id, slug, group_key, title_pl, title_uk, title_en, description_pl,"
    " description_uk, description_en, place, default_capacity, cancel_cutoff_hours, active,"
    " created_at) VALUES (1, 'art', 'social', 'Sztuka', 'Мистецтво', 'Art', '', '', '', '',"
    " 2, 24, true, :now)",
    # Session 2 holds more seats than its capacity: the migration must raise the capacity.
    "INSERT INTO workshop_session (id, workshop_id, starts_at, ends_at, capacity, seats_taken,"
    " cancel_cutoff_hours, status, created_at) VALUES"
    " (1, 1, :start, :end, 2, 1, 24, 'scheduled', :now),"
    " (2, 1, :start2, :end2, 1, 2, 24, 'scheduled', :now)",
    "INSERT INTO enrollment (id, session_id, person_id, status, created_at) VALUES"
    " (1, 1, 1, 'confirmed', :now), (2, 2, 1, 'confirmed', :now),"
    " (3, 2, 2, 'confirmed', :now), (4, 2, 3, 'waiting', :now)",
    "INSERT INTO broadcast (id, author_id, status, text_pl, urgent, recipients, created_at)"
    " VALUES (1, NULL, 'draft', 'Hej', false, 3, :now)",
    "INSERT INTO outbox_message (id, person_id, chat_id, kind, ref_id, payload, due_at,"
    " priority, status, attempts, created_at) VALUES"
    " (1, 1, 501, 'ws_reminder', 1, '{}', :now, 0, 'pending', 0, :now)",
]


async def _counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as conn:
        return {
            name: (await conn.execute(text(f"SELECT count(*) FROM {name}"))).scalar_one()
            for name in (
                "person",
                "workshop_session",
                "enrollment",
                "broadcast",
                "outbox_message",
                "v_bookings",
                "v_attendance",
                "v_participants",
                "v_consultations",
                "v_childcare",
            )
        }


async def test_counter_checks_migrate_with_data_up_and_down(empty_url: str) -> None:
    engine = create_engine(empty_url)
    try:
        await upgrade(engine, "0008")
        now = datetime(2026, 12, 4, 12, tzinfo=UTC)
        params = {
            "now": now,
            "start": now + timedelta(days=2),
            "end": now + timedelta(days=2, hours=2),
            "start2": now + timedelta(days=3),
            "end2": now + timedelta(days=3, hours=2),
        }
        if engine.dialect.name == "sqlite":  # naive UTC text, as UTCDateTime stores it
            params = {k: v.replace(tzinfo=None) for k, v in params.items()}
        async with engine.begin() as conn:
            for statement in _ROWS_0008:
                await conn.execute(text(statement), params)
        before = await _counts(engine)
        assert before["enrollment"] == 4 and before["v_bookings"] == 4

        await upgrade(engine, "0009")
        assert await current_revision(engine) == "0009"
        assert await _counts(engine) == before  # no row lost, views intact
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    text("SELECT id, capacity, seats_taken FROM workshop_session ORDER BY id")
                )
            ).all()
        assert [tuple(r) for r in rows] == [(1, 2, 1), (2, 2, 2)]  # capacity raised to seats
        with pytest.raises(IntegrityError):
            async with engine.begin() as conn:
                await conn.execute(text("UPDATE workshop_session SET seats_taken = 3 WHERE id = 1"))

        await downgrade(engine, "0008")
        assert await current_revision(engine) == "0008"
        assert await _counts(engine) == before
        async with engine.begin() as conn:  # the constraint is gone again
            await conn.execute(text("UPDATE workshop_session SET seats_taken = 3 WHERE id = 1"))
            await conn.execute(text("UPDATE workshop_session SET seats_taken = 1 WHERE id = 1"))
        await upgrade(engine)
        assert await _counts(engine) == before
    finally:
        await engine.dispose()


async def test_seats_taken_above_capacity_is_refused(engine: AsyncEngine) -> None:
    sm = create_sessionmaker(engine)
    workshop = await make_workshop(sm)
    ws = await make_session(sm, workshop, datetime.now(UTC) + timedelta(days=1), capacity=2)
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(
                text("UPDATE workshop_session SET seats_taken = capacity + 1 WHERE id = :id"),
                {"id": ws.id},
            )
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(
                text("UPDATE workshop_session SET seats_taken = -1 WHERE id = :id"), {"id": ws.id}
            )
