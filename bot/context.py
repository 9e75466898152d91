"""The typed callback context and the dependencies every handler reaches through it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from telegram.ext import Application, CallbackContext, ExtBot

from bot.failures import DATABASE, FailureDigest
from bot.i18n import Translator
from bot.ratelimit import SendLedger
from bot.settings import Settings, policy_from
from models.base import utcnow
from models.db import Sessionmaker, create_read_sessionmaker, is_sqlite
from services.policy import Policy


@dataclass
class Deps:
    """Long-lived objects shared by handlers and jobs: settings, the policy built from them,
    database, texts, clock."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: Sessionmaker
    i18n: Translator
    clock: Callable[[], datetime] = field(default=utcnow)
    read_sessionmaker: Sessionmaker | None = None
    # Interactive messages of the last second (bot.ratelimit): bulk sending yields to them.
    ledger: SendLedger = field(default_factory=SendLedger)
    # Outages summarised in the log (handlers.errors); a committed transaction ends a database one.
    failures: FailureDigest = field(default_factory=FailureDigest)
    # SQLite allows one writer at a time. Writers of this process queue here, in order and
    # woken at once, instead of inside SQLite's busy handler, which polls with sleeps of up to
    # 100 ms. Other processes (the CLI) still wait on the busy timeout.
    _write_gate: asyncio.Lock | None = field(default=None, init=False, repr=False)
    # The club's rules (time zone, quiet hours, offer windows, cut-offs, care), built once from
    # the settings and passed explicitly to the services that apply them.
    policy: Policy = field(init=False)

    def __post_init__(self) -> None:
        self.policy = policy_from(self.settings)
        if self.read_sessionmaker is None:
            self.read_sessionmaker = create_read_sessionmaker(self.engine)
        if is_sqlite(self.engine):
            self._write_gate = asyncio.Lock()

    @asynccontextmanager
    async def transaction(self, *, bookkeeping: bool = False) -> AsyncIterator[AsyncSession]:
        """One transaction, committed on leaving the block (rolled back on an exception).

        Never open a transaction inside another: on SQLite the inner one would wait for the
        outer one's write lock forever. `bookkeeping` (the update journal's own writes) does
        not count as the end of a database outage: only handlers and jobs working again do.
        """
        async with contextlib.AsyncExitStack() as stack:
            if self._write_gate is not None:
                # Bounded like a statement: behind a writer that hangs, the queue would
                # otherwise wait for as long as it hangs (the person gets the apology instead).
                timeout = self.settings.db_statement_timeout
                try:
                    async with asyncio.timeout(timeout):
                        await self._write_gate.acquire()
                except TimeoutError:
                    raise TimeoutError(
                        f"no turn to write to the database in {timeout:g} s"
                    ) from None
                stack.callback(self._write_gate.release)
            session = await stack.enter_async_context(self.sessionmaker.begin())
            yield session
        if not bookkeeping:
            self.failures.succeeded(DATABASE)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read-only transaction (rolled back at the end); may be opened inside `transaction`."""
        assert self.read_sessionmaker is not None
        async with self.read_sessionmaker() as session:  # closing it rolls back
            yield session
        self.failures.succeeded(DATABASE)


class KisContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with typed access to the bot's dependencies."""

    @property
    def deps(self) -> Deps:
        """The dependencies stored at build time."""
        deps: Deps = self.application.bot_data["deps"]
        return deps


KisApplication = Application[Any, KisContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]
