"""What the `kisbot` command-line tests share: a temporary SQLite database the commands run
on (`cli_database`), and a way for the test itself to prepare or read it (`on_db`, `rows`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.db import create_engine, create_sessionmaker
from models.migrate import upgrade

T = TypeVar("T")


def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    """Point the CLI at a new SQLite file in `tmp_path` (also the working directory), with the
    environment variables `env`, no bot token and no `--as` default; returns its URL."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("KISBOT_CLI_ACTOR", raising=False)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    return url


def on_db(
    url: str,
    work: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]],
    *,
    migrate: bool = False,
) -> T:
    """`work(sessionmaker)` on the database at `url` (migrated first if asked), from synchronous
    test code."""

    async def main() -> T:
        engine = create_engine(url)
        try:
            if migrate:
                await upgrade(engine)
            return await work(create_sessionmaker(engine))
        finally:
            await engine.dispose()

    return asyncio.run(main())


def rows(url: str, model: type[T]) -> list[T]:
    """Every row of `model`."""

    async def read(sm: async_sessionmaker[AsyncSession]) -> list[Any]:
        async with sm() as s:
            return list(await s.scalars(select(model)))

    return on_db(url, read)
