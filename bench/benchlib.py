"""Helpers shared by the benchmark scripts (imported as `benchlib` from bench/)."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.ext import Application

from bot.app import build_application
from bot.settings import Settings
from sandbox import SandboxServer

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
) -> Callable[[SandboxServer], Awaitable[AnyApp]]:
    """The production Application (build_application) pointed at a sandbox.

    rate_cap=False lifts the client-side 30 messages/s cap to measure the bot's own capacity.
    """

    async def make(sb: SandboxServer) -> AnyApp:
        values: dict[str, Any] = {
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_API_BASE_URL": sb.base_url,
            "DATABASE_URL": database_url,
            "KISBOT_LOG_LEVEL": "WARNING",
        }
        if not rate_cap:
            values["KISBOT_OVERALL_MAX_RATE"] = 0
        settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
        return build_application(settings, migrate_on_start=migrate)

    return make
