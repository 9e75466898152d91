"""FailureDigest: one traceback per outage, a summary line per interval, one line at the end."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.failures import DATABASE, TELEGRAM, FailureDigest, failure_kind


class Mono:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def db_down() -> OperationalError:
    return OperationalError("SELECT 1", {}, ConnectionRefusedError(111, "Connection refused"))


class _Cancelled(Exception):
    sqlstate = "57014"  # query_canceled: the statement timeout


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (db_down(), DATABASE),
        (DBAPIError("SELECT 1", {}, _Cancelled("canceling statement due to statement timeout")),
         DATABASE),
        (ConnectionResetError(), DATABASE),
        (TimeoutError(), DATABASE),
        (NetworkError("Bad Gateway"), TELEGRAM),
        (TimedOut(), TELEGRAM),
        (IntegrityError("INSERT", {}, ValueError("duplicate")), None),
        (BadRequest("Message is not modified"), None),
        (ValueError("a bug"), None),
    ],
)  # fmt: skip
def test_failure_kind(error: BaseException, kind: str | None) -> None:
    assert failure_kind(error) == kind


def test_an_outage_is_one_traceback_summaries_and_one_line_at_the_end(
    caplog: pytest.LogCaptureFixture,
) -> None:
    mono = Mono()
    digest = FailureDigest(logging.getLogger("kisbot.errors"), interval=30, clock=mono)
    caplog.set_level(logging.INFO, logger="kisbot.errors")
    for n in range(100):  # 100 failures, one a second
        try:
            raise db_down()
        except OperationalError as exc:
            digest.failed(DATABASE, f"update {n}", exc)
        mono.now += 1
    digest.succeeded(DATABASE)
    digest.succeeded(DATABASE)  # a second success logs nothing more

    records = caplog.records
    assert sum(1 for r in records if r.exc_info) == 1
    assert "update 0 failed: OperationalError" in records[0].getMessage()
    summaries = [r.getMessage() for r in records if "more updates or jobs failed" in r.getMessage()]
    summary = "database unavailable: 30 more updates or jobs failed in the last 30 s"
    assert summaries == [summary] * 3
    assert len(records) == 5
    assert "database unavailable: over after 100 s (100 updates or jobs failed in all)" in (
        records[-1].getMessage()
    )
    assert digest.outages == ()


def test_a_flapping_connection_logs_no_second_traceback_within_the_interval(
    caplog: pytest.LogCaptureFixture,
) -> None:
    mono = Mono()
    digest = FailureDigest(logging.getLogger("kisbot.errors"), interval=30, clock=mono)
    caplog.set_level(logging.INFO, logger="kisbot.errors")
    for _ in range(5):
        digest.failed(DATABASE, "job outbox-dispatcher", db_down())
        mono.now += 1
        digest.succeeded(DATABASE)
    assert sum(1 for r in caplog.records if r.exc_info) == 1
    mono.now += 60
    digest.failed(DATABASE, "update 9", db_down())
    assert sum(1 for r in caplog.records if r.exc_info) == 2


def test_a_telegram_outage_is_logged_without_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    digest = FailureDigest(logging.getLogger("kisbot.errors"), clock=Mono())
    caplog.set_level(logging.INFO, logger="kisbot.errors")
    digest.failed(TELEGRAM, "job outbox-dispatcher", NetworkError("Bad Gateway"))
    digest.succeeded(DATABASE)  # another kind: still open
    assert digest.outages == (TELEGRAM,)
    digest.succeeded(TELEGRAM)
    assert [bool(r.exc_info) for r in caplog.records] == [False, False]


def test_an_unretrieved_task_exception_of_an_outage_joins_its_summary(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """`kisbot run`'s loop exception handler: "Task exception was never retrieved" of a
    database error is one more failure of the outage, not one more traceback."""
    import asyncio
    from types import SimpleNamespace

    from bot.startup import _on_loop_exception

    digest = FailureDigest(logging.getLogger("kisbot.errors"), clock=Mono())
    app = SimpleNamespace(bot_data={"deps": SimpleNamespace(failures=digest)})
    loop = asyncio.new_event_loop()
    caplog.set_level(logging.INFO)
    try:
        for _ in range(3):
            context = {"message": "Task exception was never retrieved", "exception": db_down()}
            _on_loop_exception(app, loop, context)
        _on_loop_exception(app, loop, {"message": "Task exception was never retrieved",
                                       "exception": ValueError("a bug")})  # fmt: skip
    finally:
        loop.close()
    assert digest.outages == (DATABASE,)
    outage = [r for r in caplog.records if r.name == "kisbot.errors"]
    assert len(outage) == 1 and "a background task failed" in outage[0].getMessage()
    assert [r.name for r in caplog.records if r.name != "kisbot.errors"] == ["asyncio"]


def test_the_journal_unavailable_while_polling_is_a_database_outage() -> None:
    from bot.intake import JournalUnavailable

    try:
        try:
            raise db_down()
        except OperationalError as exc:
            raise JournalUnavailable("the update journal is unavailable") from exc
    except JournalUnavailable as error:
        assert failure_kind(error) == DATABASE
