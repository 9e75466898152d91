"""Outages summarised in the log: the first failure with its traceback, then one line per interval
while it lasts, then one line when it is over.

During a database outage every update and every job fails the same way; logging each with its
traceback buried the log (35,000 lines in 20 s). `FailureDigest` keeps one record per kind of
outage instead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import exc as sa_exc
from telegram.error import BadRequest, NetworkError, RetryAfter

from models.db import is_database_outage

DATABASE = "database unavailable"
TELEGRAM = "Telegram unreachable"
SUMMARY_INTERVAL = 30.0  # seconds between summary lines while an outage lasts


def failure_kind(error: BaseException | None) -> str | None:
    """DATABASE or TELEGRAM for an error that an outage explains; None for anything else."""
    if isinstance(error, BadRequest):  # a NetworkError in PTB's hierarchy, but our mistake
        return None
    if isinstance(error, NetworkError) and isinstance(error.__cause__, sa_exc.SQLAlchemyError):
        return DATABASE  # bot.intake.JournalUnavailable: polling waits for the database
    if isinstance(error, NetworkError | RetryAfter):
        return TELEGRAM
    return DATABASE if is_database_outage(error) else None


@dataclass
class _Outage:
    started: float
    last_line: float
    pending: int = 0  # failures since the last line
    total: int = 1


class FailureDigest:
    """Logs outages by kind; `failed()` for each failure, `succeeded()` when things work again."""

    def __init__(
        self,
        logger: logging.Logger | None = None,
        *,
        interval: float = SUMMARY_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.log = logger or logging.getLogger("kisbot.errors")
        self.interval = interval
        self.clock = clock
        self._open: dict[str, _Outage] = {}
        self._last_traceback: dict[str, float] = {}

    @property
    def outages(self) -> tuple[str, ...]:
        """The kinds of outage in progress."""
        return tuple(self._open)

    def failed(self, kind: str, what: str, error: BaseException) -> None:
        """Record one failure of `what` (e.g. "update 42", "job housekeeping") of `kind`.

        The first of an outage is logged with its traceback (a database one; a network error's
        traceback says nothing) unless one was logged less than an interval ago (a flapping
        connection); later ones are counted into a summary line at most once per interval.
        """
        now = self.clock()
        outage = self._open.get(kind)
        if outage is None:
            self._open[kind] = _Outage(started=now, last_line=now)
            last = self._last_traceback.get(kind)
            with_traceback = kind != TELEGRAM and (last is None or now - last >= self.interval)
            if with_traceback:
                self._last_traceback[kind] = now
            self.log.error(
                "%s: %s failed: %s (more failures like it are summarised every %d s until it "
                "is over)",
                kind,
                what,
                type(error).__name__,
                round(self.interval),
                exc_info=(type(error), error, error.__traceback__) if with_traceback else None,
            )
            return
        outage.pending += 1
        outage.total += 1
        if now - outage.last_line >= self.interval:
            self.log.warning(
                "%s: %d more updates or jobs failed in the last %d s",
                kind,
                outage.pending,
                round(now - outage.last_line),
            )
            outage.pending = 0
            outage.last_line = now

    def succeeded(self, kind: str) -> None:
        """Something that needs `kind` worked: log the end of that outage, if there is one."""
        if kind not in self._open:  # the usual case: one dict lookup
            return
        outage = self._open.pop(kind)
        self.log.warning(
            "%s: over after %d s (%d updates or jobs failed in all)",
            kind,
            round(self.clock() - outage.started),
            outage.total,
        )
