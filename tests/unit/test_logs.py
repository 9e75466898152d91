"""No secret reaches the output: log messages, arguments, tracebacks, stacks, printed errors."""

from __future__ import annotations

import logging
import sys

import pytest

from bot import logs

TOKEN = "7400123456:AAHx9k2Lq-Vb7_Zt3mNpQrStUvWxYz01234"
PASSWORD = "s3cret-Pa55word"
DATABASE_URL = f"postgresql+asyncpg://kisbot:{PASSWORD}@db.example:5432/kisbot"
UNKNOWN_TOKEN = "5551234567:AAFq1w2e3r4t5y6u7i8o9p0asdfghjklZXC"  # not ours: its shape betrays it


@pytest.fixture
def redactor(monkeypatch: pytest.MonkeyPatch) -> logs.Redactor:
    fresh = logs.Redactor()
    monkeypatch.setattr(logs, "redact", fresh)
    logs.register_secrets(TOKEN, DATABASE_URL)
    return fresh


def secrets_in(text: str) -> list[str]:
    candidates = (TOKEN, TOKEN.split(":")[1], PASSWORD, UNKNOWN_TOKEN, UNKNOWN_TOKEN.split(":")[1])
    return [secret for secret in candidates if secret in text]


def test_every_part_of_a_log_record_is_redacted(
    redactor: logs.Redactor, capsys: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    logs.setup_logging("DEBUG")
    try:
        log = logging.getLogger("kisbot.test")
        log.info("The token `%s` was rejected by the server.", TOKEN)  # an argument
        log.info(f"calling https://api.telegram.org/bot{TOKEN}/getMe")  # the message itself
        log.warning("someone else's token %s", UNKNOWN_TOKEN)
        log.error("connecting to %s", DATABASE_URL)
        try:
            raise RuntimeError(f"The token `{TOKEN}` was rejected; url={DATABASE_URL}")
        except RuntimeError:
            log.exception("start-up failed")  # the exception's text in the traceback
        log.info("where %s", TOKEN, stack_info=True)  # the stack
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    output = capsys.readouterr().err
    assert "rejected by the server" in output and "Traceback" in output and "Stack" in output
    assert output.count("***") >= 6
    assert secrets_in(output) == []


def test_printed_errors_are_redacted(
    redactor: logs.Redactor, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdout", sys.stdout)  # restored after the test
    monkeypatch.setattr(sys, "stderr", sys.stderr)
    logs.protect_streams()
    print(f"InvalidToken: The token `{TOKEN}` was rejected by the server.", file=sys.stderr)
    print(f"sqlalchemy.exc.OperationalError: cannot connect to {DATABASE_URL}")
    sys.stderr.writelines([f"{UNKNOWN_TOKEN}\n"])
    captured = capsys.readouterr()
    assert "was rejected by the server" in captured.err
    assert secrets_in(captured.out + captured.err) == []


def test_the_password_of_a_url_that_does_not_parse_is_still_found() -> None:
    assert logs.database_password("postgress://kisbot:pa55word@host/db") == "pa55word"
    assert logs.database_password("sqlite+aiosqlite:///./data/kisbot.sqlite3") is None
    assert (
        logs.Redactor()("postgress://kisbot:pa55word@host/db") == "postgress://kisbot:***@host/db"
    )


def test_short_secrets_are_left_to_the_patterns() -> None:
    redactor = logs.Redactor(["ab"])
    assert redactor("tab table") == "tab table"
