"""Engine and session factory for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# Defaults of KISBOT_DB_CONNECT_TIMEOUT and KISBOT_DB_STATEMENT_TIMEOUT (seconds): a database
# that hangs makes a query fail after this long (and the person gets the usual apology) instead
# of leaving them in silence for as long as it hangs.
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_STATEMENT_TIMEOUT = 30.0
# On PostgreSQL the server cancels a statement after the statement timeout; asyncpg's own
# (client-side) timeout, for a server that does not answer at all, is a little longer so that
# the server's cancel, which keeps the connection usable, normally comes first.
CLIENT_TIMEOUT_MARGIN = 5.0
# Execution option marking a read-only engine: on SQLite its transactions start as a plain
# (deferred) BEGIN instead of BEGIN IMMEDIATE, so reads never queue for the write lock.
READ_ONLY_OPTION = "kisbot_read_only"

Sessionmaker = async_sessionmaker[AsyncSession]


def normalise_url(url: str) -> str:
    """Give plain `sqlite://` and `postgresql://` URLs their async drivers."""
    parsed = make_url(url)
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def create_engine(
    url: str,
    *,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT,
    **kwargs: Any,
) -> AsyncEngine:
    """An async engine with the project's SQLite or PostgreSQL settings applied.

    Creates nothing on disk: an SQLite file's directory is made at the first connection.
    """
    url = normalise_url(url)
    parsed = make_url(url)
    kwargs.setdefault("hide_parameters", True)  # no personal data in error messages or logs
    connect_args = kwargs.setdefault("connect_args", {})
    if parsed.get_backend_name() == "sqlite":
        # SQLite has no server to hang; what waits is a writer queueing for the lock (the busy
        # timeout), bounded by the statement timeout.
        connect_args.setdefault("timeout", statement_timeout)
        engine = create_async_engine(url, **kwargs)
        _configure_sqlite(engine, busy_timeout_ms=round(statement_timeout * 1000))
        return engine
    if parsed.get_backend_name() == "postgresql":
        connect_args.setdefault("timeout", connect_timeout)
        connect_args.setdefault("command_timeout", statement_timeout + CLIENT_TIMEOUT_MARGIN)
        server_settings = connect_args.setdefault("server_settings", {})
        server_settings.setdefault("statement_timeout", str(round(statement_timeout * 1000)))
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def _configure_sqlite(engine: AsyncEngine, *, busy_timeout_ms: int) -> None:
    """WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE for every transaction.

    pysqlite's own transaction handling starts transactions lazily as DEFERRED; two deferred
    transactions that both read and then write can fail with "database is locked" without
    waiting. Taking the write lock at BEGIN makes writers queue on the busy timeout instead.
    """

    database = engine.url.database or ""

    @event.listens_for(engine.sync_engine, "do_connect")
    def _make_directory(*_args: Any) -> None:
        # Here rather than in create_engine: `kisbot run` checks the database and Telegram
        # before anything is created (no empty data/ directory after a failed start).
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(READ_ONLY_OPTION):
            conn.exec_driver_sql("BEGIN")  # a snapshot read: WAL lets it run beside a writer
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_sessionmaker(engine: AsyncEngine) -> Sessionmaker:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


def create_read_sessionmaker(engine: AsyncEngine) -> Sessionmaker:
    """Sessions for reading only (same pool; on SQLite a deferred BEGIN, see `READ_ONLY_OPTION`)."""
    return async_sessionmaker(
        engine.execution_options(**{READ_ONLY_OPTION: True}), expire_on_commit=False
    )


def is_sqlite(engine: AsyncEngine) -> bool:
    """True for an SQLite engine."""
    return engine.dialect.name == "sqlite"


# PostgreSQL error classes that mean "the database cannot serve now", not "this query is wrong":
# 08 connection exception, 53 insufficient resources (too many connections), 57 operator
# intervention (query cancelled by the statement timeout, shutdown, starting up).
_UNAVAILABLE_SQLSTATE_CLASSES = ("08", "53", "57")


def is_database_outage(error: BaseException | None) -> bool:
    """Whether `error` says the database is unreachable, overloaded or timed out (worth trying
    again shortly), rather than that the statement was wrong. The one home of this rule: the
    log's outage summaries (bot.failures) and the dispatcher's write-back use it."""
    if isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.TimeoutError):
        return True
    if isinstance(error, sa_exc.DBAPIError):
        if error.connection_invalidated:
            return True
        sqlstate = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_UNAVAILABLE_SQLSTATE_CLASSES):
            return True
        return isinstance(error.orig, OSError | TimeoutError)
    # bot.http turns every transport error of the Bot API into a NetworkError, so a bare
    # OSError or TimeoutError comes from the database driver (refused, reset, timed out).
    return isinstance(error, OSError | TimeoutError)


def rowcount(result: Any) -> int:
    """Rows an UPDATE or DELETE matched (SQLAlchemy types `execute()`'s result as a plain
    `Result`, which has no `rowcount`; the CursorResult it returns for DML has it)."""
    count = getattr(result, "rowcount", None)
    return int(count) if isinstance(count, int) and count > 0 else 0
