"""Deps.transaction() and Deps.read(): the SQLite write gate and read-only sessions."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.context import Deps
from bot.i18n import Translator
from bot.settings import Settings
from models import Person
from models.db import create_sessionmaker


def _deps(engine: AsyncEngine) -> Deps:
    settings = Settings(_env_file=None, telegram_bot_token="1:x")  # type: ignore[call-arg]
    return Deps(settings, engine, create_sessionmaker(engine), Translator("pl"))


async def test_reads_run_inside_and_beside_a_write(engine: AsyncEngine) -> None:
    deps = _deps(engine)
    async with deps.transaction() as session:
        session.add(Person(telegram_id=1, language="pl", status="active", source="invite"))
        await session.flush()
        async with deps.read() as reader:  # would wait forever for the write lock if it took it
            assert await reader.scalar(select(func.count()).select_from(Person)) == 0
    async with deps.read() as reader:
        assert await reader.scalar(select(func.count()).select_from(Person)) == 1


async def test_writes_of_one_process_queue_and_all_commit(engine: AsyncEngine) -> None:
    """Forty concurrent writers: on SQLite they queue at the gate, on PostgreSQL they run."""
    deps = _deps(engine)

    async def write(i: int) -> None:
        async with deps.transaction() as session:
            session.add(
                Person(telegram_id=100 + i, language="pl", status="active", source="invite")
            )
            await asyncio.sleep(0)  # let the others try to get in meanwhile

    await asyncio.gather(*(write(i) for i in range(40)))
    async with deps.read() as reader:
        assert await reader.scalar(select(func.count()).select_from(Person)) == 40
    assert (deps._write_gate is not None) == (engine.dialect.name == "sqlite")
