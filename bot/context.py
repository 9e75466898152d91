"""The typed callback context and the dependencies every handler reaches through it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from telegram.ext import Application, CallbackContext, ExtBot

from bot.i18n import Translator
from bot.settings import Settings
from models.base import utcnow
from models.db import Sessionmaker


@dataclass
class Deps:
    """Long-lived objects shared by handlers and jobs: settings, database, texts, clock."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: Sessionmaker
    i18n: Translator
    clock: Callable[[], datetime] = field(default=utcnow)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One transaction, committed on leaving the block (rolled back on an exception)."""
        async with self.sessionmaker.begin() as session:
            yield session


class KisContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with typed access to the bot's dependencies."""

    @property
    def deps(self) -> Deps:
        """The dependencies stored at build time."""
        deps: Deps = self.application.bot_data["deps"]
        return deps


KisApplication = Application[Any, KisContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]
