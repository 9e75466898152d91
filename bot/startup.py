"""`kisbot run`: check the database, then Telegram, then serve; a failed start is one line.

Nothing is created (no data directory, no SQLite file) until both checks have passed. A
configuration mistake exits with code 2, an outage (database or Telegram unreachable) with 1;
an unreachable Telegram is retried with backoff for KISBOT_STARTUP_TELEGRAM_WAIT seconds first.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool
from telegram import Bot
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.failures import failure_kind
from bot.http import AiohttpRequest
from bot.settings import Settings
from models.db import create_engine, normalise_url

log = logging.getLogger("kisbot.startup")

CONFIG = 2  # exit code: something to correct in the configuration or the machine
OUTAGE = 1  # exit code: something down that may come back (database, Telegram, network)
DRIVERS = ("postgresql+asyncpg", "sqlite+aiosqlite")
DEFAULT_API = "https://api.telegram.org/bot"
MAX_RETRY_DELAY = 15.0  # seconds between attempts to reach Telegram, at most


class StartupFailure(Exception):
    """Why the bot cannot start: one line for the person starting it, and the exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def _database_url(settings: Settings) -> URL:
    """DATABASE_URL parsed, with its async driver; StartupFailure for one we cannot use."""
    # (No "scheme://user:password@" here: the log redaction would hide the example's password.)
    example = (
        "postgresql://user@host:5432/name (with a password: user:password@host) or "
        "sqlite:///data/kisbot.sqlite3"
    )
    try:
        url = make_url(normalise_url(settings.database_url))
    except sa_exc.ArgumentError:
        raise StartupFailure(
            f"DATABASE_URL is not a database URL: write it like {example}.", CONFIG
        ) from None
    if url.drivername not in DRIVERS:
        raise StartupFailure(
            f"DATABASE_URL starts with {url.drivername}://, which kis-bot cannot use: "
            f"write it like {example}.",
            CONFIG,
        )
    return url


def _where(url: URL) -> str:
    return f"{url.host or 'localhost'}:{url.port or 5432}"


def check_sqlite_path(url: URL) -> None:
    """The SQLite file (or the directory it will be made in) is writable by this user."""
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database).absolute()
    fix = "make it writable for this user, or point DATABASE_URL at a writable place"
    if path.exists():
        if path.is_dir():
            raise StartupFailure(
                f"DATABASE_URL points at the directory {path}: name a file.", CONFIG
            )
        if not os.access(path, os.R_OK | os.W_OK):
            raise StartupFailure(f"the database file {path} is read-only: {fix}.", CONFIG)
        if not os.access(path.parent, os.W_OK | os.X_OK):  # SQLite writes its journal there
            raise StartupFailure(f"the data directory {path.parent} is read-only: {fix}.", CONFIG)
        return
    existing = path.parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise StartupFailure(
            f"cannot create the database {path}: {existing} is a file, not a directory; "
            "correct DATABASE_URL.",
            CONFIG,
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise StartupFailure(
            f"cannot create the database {path}: the directory {existing} is read-only; {fix}.",
            CONFIG,
        )


def _causes(error: BaseException) -> list[BaseException]:
    """The error and everything it was raised from (SQLAlchemy wraps the driver's errors)."""
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        orig = getattr(current, "orig", None)
        current = (
            orig if isinstance(orig, BaseException) else (current.__cause__ or current.__context__)
        )
    return seen


def explain_database_error(
    error: BaseException, url: URL, connect_timeout: float
) -> StartupFailure:
    """One line for a database that cannot be used."""
    where = _where(url)
    for cause in _causes(error):
        if isinstance(cause, asyncpg.InvalidCatalogNameError):
            createdb = (
                f"createdb -h {url.host or 'localhost'} -p {url.port or 5432} "
                f"-U {url.username or 'postgres'} {url.database}"
            )
            return StartupFailure(
                f'the database "{url.database}" does not exist on {where}: create it '
                f"({createdb}) or correct its name in DATABASE_URL.",
                CONFIG,
            )
        if isinstance(
            cause, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError
        ):
            return StartupFailure(
                f'PostgreSQL at {where} refused the user "{url.username}": check the user name '
                "and password in DATABASE_URL.",
                CONFIG,
            )
        if isinstance(cause, asyncpg.InsufficientPrivilegeError):
            return StartupFailure(
                f'PostgreSQL at {where} does not let the user "{url.username}" do this '
                f"({cause}): run kis-bot as the owner of the database, or grant that user the "
                "rights (GRANT ALL ON SCHEMA public TO …).",
                CONFIG,
            )
        if isinstance(cause, socket.gaierror):
            return StartupFailure(
                f"cannot find the database host {url.host!r}: check the host name in "
                "DATABASE_URL and the network.",
                OUTAGE,
            )
        if isinstance(cause, ConnectionRefusedError):
            return StartupFailure(
                f"cannot connect to PostgreSQL at {where} (connection refused): start the "
                "database server, or correct the host and port in DATABASE_URL.",
                OUTAGE,
            )
        if isinstance(cause, TimeoutError):
            return StartupFailure(
                f"PostgreSQL at {where} did not answer within {connect_timeout:g} s "
                "(KISBOT_DB_CONNECT_TIMEOUT): check that it is running and reachable.",
                OUTAGE,
            )
        if isinstance(cause, OSError):
            return StartupFailure(
                f"cannot connect to PostgreSQL at {where} ({cause.strerror or cause}): check "
                "that it is running and reachable.",
                OUTAGE,
            )
        if isinstance(cause, asyncpg.CannotConnectNowError | asyncpg.TooManyConnectionsError):
            return StartupFailure(
                f"PostgreSQL at {where} does not accept connections now ({cause}): try again "
                "in a moment.",
                OUTAGE,
            )
    if url.get_backend_name() == "sqlite":
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        if "readonly" in reason or "unable to open" in reason:
            return StartupFailure(
                f"cannot write the database {url.database} ({reason}): make it and its "
                "directory writable for this user, or point DATABASE_URL elsewhere.",
                CONFIG,
            )
    innermost = _causes(error)[-1]
    detail = _first_line(innermost) or type(innermost).__name__
    return StartupFailure(
        f"the database cannot be used ({type(innermost).__name__}: {detail}): check "
        "DATABASE_URL and the database (`kisbot db current` shows its migration).",
        OUTAGE,
    )


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else ""


async def check_database(settings: Settings) -> None:
    """DATABASE_URL is usable: a known scheme, and PostgreSQL answers (SQLite: writable)."""
    url = _database_url(settings)
    if url.get_backend_name() == "sqlite":
        check_sqlite_path(url)
        return
    engine = create_engine(settings.database_url, poolclass=NullPool, **settings.db_timeouts)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as error:
        raise explain_database_error(error, url, settings.db_connect_timeout) from None
    finally:
        await engine.dispose()


def _rejected_token(settings: Settings) -> StartupFailure:
    message = (
        "Telegram rejected TELEGRAM_BOT_TOKEN (revoked or mistyped): copy the bot's current "
        "token from @BotFather (/mybots, your bot, API Token) into .env"
    )
    if settings.telegram_api_base_url.rstrip("/") != DEFAULT_API:
        message += f", and check TELEGRAM_API_BASE_URL ({settings.telegram_api_base_url})"
    return StartupFailure(message + ".", CONFIG)


def _telegram_host(settings: Settings) -> str:
    return urlsplit(settings.telegram_api_base_url).netloc or settings.telegram_api_base_url


def _unreachable(settings: Settings, problem: str, waited: float | None) -> StartupFailure:
    tried = f", tried for {waited:.0f} s" if waited is not None else ""
    return StartupFailure(
        f"cannot reach Telegram at {_telegram_host(settings)} ({problem}){tried}: check the "
        "internet connection (and TELEGRAM_API_BASE_URL), then start the bot again.",
        OUTAGE,
    )


async def check_telegram(
    settings: Settings,
    *,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Telegram accepts the token (getMe); an unreachable Telegram is retried with backoff for
    `settings.startup_telegram_wait` seconds."""
    from bot.app import file_url_for

    bot = Bot(
        settings.token or "",
        base_url=settings.telegram_api_base_url,
        base_file_url=file_url_for(settings.telegram_api_base_url),
        request=AiohttpRequest(connection_pool_size=1),
        get_updates_request=AiohttpRequest(connection_pool_size=1),
    )
    started = clock()
    delay = 1.0
    announced = False
    try:
        while True:
            try:
                await bot.initialize()  # getMe
                return
            except InvalidToken:
                raise _rejected_token(settings) from None
            except RetryAfter as error:
                problem = "too many requests"
                wait = float(error.retry_after if isinstance(error.retry_after, int) else 5)
            except NetworkError as error:  # TimedOut, 5xx, refused, reset
                problem = _first_line(error) or type(error).__name__
                wait = delay
                delay = min(delay * 2, MAX_RETRY_DELAY)
            except TelegramError as error:
                raise StartupFailure(
                    f"Telegram at {_telegram_host(settings)} answered getMe with an error "
                    f"({type(error).__name__}: {_first_line(error)}): check "
                    "TELEGRAM_API_BASE_URL.",
                    OUTAGE,
                ) from None
            waited = clock() - started
            remaining = settings.startup_telegram_wait - waited
            if remaining <= 0:
                raise _unreachable(settings, problem, waited)
            if not announced:
                announced = True
                log.warning(
                    "Telegram is not reachable at %s (%s); retrying for up to %.0f s",
                    _telegram_host(settings),
                    problem,
                    settings.startup_telegram_wait,
                )
            await sleep(min(wait, remaining))
    finally:
        await bot.shutdown()  # closes both HTTP sessions, also after a failed getMe


def explain(error: BaseException, settings: Settings) -> StartupFailure | None:
    """One line for a failure while the bot starts (migrations, start-up calls), or None for
    one that is not about the configuration or an outage (a bug: keep its traceback)."""
    for cause in _causes(error):
        if isinstance(cause, StartupFailure):
            return cause
        if isinstance(cause, InvalidToken):
            return _rejected_token(settings)
        if isinstance(cause, NetworkError | RetryAfter):
            return _unreachable(settings, _first_line(cause) or type(cause).__name__, None)
    if failure_kind(error) is not None or isinstance(error, sa_exc.DBAPIError):
        url = make_url(normalise_url(settings.database_url))
        return explain_database_error(error, url, settings.db_connect_timeout)
    return None


def database_failure(error: BaseException, settings: Settings) -> StartupFailure | None:
    """One line for a command that failed on the database (a bad DATABASE_URL, an outage, a
    missing database), or None for any other error."""
    try:
        url = _database_url(settings)
    except StartupFailure as failure:
        return failure
    if failure_kind(error) is not None or isinstance(error, sa_exc.DBAPIError):
        return explain_database_error(error, url, settings.db_connect_timeout)
    return None


def report(failure: StartupFailure) -> None:
    """The one line on stderr (redacted like every other output)."""
    print(f"kisbot: {failure.message}", file=sys.stderr, flush=True)


class _QuietBootstrapFailure(logging.Filter):
    """PTB logs a failed start (getMe at initialisation) with its traceback; `run_bot` reports
    it in one line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.levelno >= logging.ERROR
            and record.getMessage().startswith("Network Retry Loop (Bootstrap")
        )


def _on_loop_exception(app: Any, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Errors of tasks nobody awaited: an outage's are summarised, others logged as usual."""
    error = context.get("exception")
    kind = failure_kind(error)
    if isinstance(error, BaseException) and kind is not None:
        app.bot_data["deps"].failures.failed(kind, "a background task", error)
        return
    loop.default_exception_handler(context)


def run_bot(settings: Settings) -> int:
    """Check the database, then Telegram; then run until stopped. The process's exit code."""
    from functools import partial

    from bot.app import build_application

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    application = None
    try:
        try:
            loop.run_until_complete(check_database(settings))
            loop.run_until_complete(check_telegram(settings))
        except StartupFailure as failure:
            report(failure)
            return failure.exit_code
        except KeyboardInterrupt:
            return 130
        application = build_application(settings)
        loop.set_exception_handler(partial(_on_loop_exception, application))
        logging.getLogger("telegram.ext").addFilter(_QuietBootstrapFailure())
        try:
            application.run_polling(allowed_updates=["message", "callback_query"], close_loop=False)
        except Exception as error:
            explained = explain(error, settings)
            if explained is None:
                log.critical("the bot stopped: %s", type(error).__name__, exc_info=error)
                return OUTAGE
            report(explained)
            return explained.exit_code
        return 0
    finally:
        if application is not None:
            # PTB shuts an Application down only when it finished initialising: after a
            # failed start the bot's HTTP sessions would be left open ("Unclosed client
            # session").
            loop.run_until_complete(application.bot.shutdown())
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
        asyncio.set_event_loop(None)
