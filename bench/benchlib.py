"""Helpers shared by the benchmark scripts (imported as `benchlib` from bench/)."""

from __future__ import annotations

import math
import secrets
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from telegram.ext import Application

from bot.app import build_application
from bot.settings import Settings
from models.db import create_engine, normalise_url

AnyApp = Application[Any, Any, Any, Any, Any, Any]


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (0.0 for an empty list)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def database_kind(url: str) -> str:
    """'sqlite', 'postgresql' or the URL scheme."""
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
    return "postgresql" if scheme in ("postgres", "postgresql") else scheme


def kisbot_factory(
    token: str, database_url: str, *, rate_cap: bool = True, migrate: bool = True
) -> Callable[[str], Awaitable[AnyApp]]:
    """The production Application (build_application) pointed at a sandbox's Bot API base URL.

    rate_cap=False lifts the client-side 30 messages/s cap to measure the bot's own capacity.
    """

    async def make(base_url: str) -> AnyApp:
        values: dict[str, Any] = {
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_API_BASE_URL": base_url,
            "DATABASE_URL": database_url,
            "KISBOT_LOG_LEVEL": "WARNING",
        }
        if not rate_cap:
            values["KISBOT_OVERALL_MAX_RATE"] = 0
        settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
        return build_application(settings, migrate_on_start=migrate)

    return make


@asynccontextmanager
async def fresh_database(
    url: str | None, as_is: bool, name: str, progress: Callable[[str], None]
) -> AsyncIterator[str]:
    """A URL of an empty database: a temporary SQLite file, or a scratch PostgreSQL database
    (`kisbot_<name>_<random>`, created on the server of `url` and dropped afterwards);
    `as_is` uses `url` itself."""
    if url is None:
        with tempfile.TemporaryDirectory(prefix=f"kisbot-{name}-") as tmp:
            yield f"sqlite+aiosqlite:///{tmp}/{name}.sqlite3"
        return
    url = normalise_url(url)
    if as_is or database_kind(url) != "postgresql":
        yield url
        return
    scratch = f"kisbot_{name}_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{scratch}"'))
        progress(f"scratch PostgreSQL database {scratch}")
        try:
            yield make_url(url).set(database=scratch).render_as_string(hide_password=False)
        finally:
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
    finally:
        await admin.dispose()
