"""Logging set-up: plain lines, no secrets, no personal data from libraries.

Secrets (the bot token, the database password) are removed from everything the process
writes: each log line is redacted after formatting, so the message, its arguments, the
traceback and the stack all are; and `protect_streams()` redacts whatever else reaches
stdout or stderr (typer's error output, warnings, an uncaught exception).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from typing import Any, TextIO

# A Bot API token anywhere (123456789:AAH…, 35 characters after the colon), and the token in
# a Bot API URL (…/bot123:abc/getMe) even when it is short, as in tests.
GENERIC_TOKEN_RE = re.compile(r"\d{6,}:[A-Za-z0-9_-]{30,}")
URL_TOKEN_RE = re.compile(r"bot\d+:[A-Za-z0-9_-]+")
# The password of a URL: scheme://user:password@host.
URL_PASSWORD_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)[^@\s/]+@")
HIDDEN = "***"
# Shorter known secrets are left to the patterns: replacing a two-letter password everywhere
# would make every line unreadable.
MIN_SECRET_LENGTH = 4


class Redactor:
    """Removes known secret values and anything shaped like a token or a URL password."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._secrets: list[str] = []
        self.add(*secrets)

    def add(self, *secrets: str | None) -> None:
        """Also hide these values from now on (empty and very short ones are skipped)."""
        for secret in secrets:
            if secret and len(secret) >= MIN_SECRET_LENGTH and secret not in self._secrets:
                self._secrets.append(secret)
        self._secrets.sort(key=len, reverse=True)  # a token before its own secret part

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, HIDDEN)
        if ":" in text:
            text = URL_TOKEN_RE.sub("bot" + HIDDEN, text)
            text = GENERIC_TOKEN_RE.sub(HIDDEN, text)
            text = URL_PASSWORD_RE.sub(r"\1" + HIDDEN + "@", text)
        return text


# The process's secrets: one set, filled by `register_secrets()` once settings are read.
redact = Redactor()


def register_secrets(token: str | None, database_url: str | None) -> None:
    """Hide the bot token (and its part after the colon) and the database password."""
    redact.add(token, token.partition(":")[2] if token else None, database_password(database_url))


def database_password(url: str | None) -> str | None:
    """The password in a database URL, or None (also for a URL that does not parse)."""
    if not url:
        return None
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).password
    except Exception:  # not a URL SQLAlchemy understands: fall back to its shape
        match = re.search(r"://[^:/@\s]*:([^@\s/]+)@", url)
        return match.group(1) if match else None


class RedactingFormatter(logging.Formatter):
    """A Formatter whose whole output (message, traceback, stack) goes through `redact`."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class RedactingStream:
    """A text stream that redacts everything written to it (stdout or stderr)."""

    def __init__(self, stream: TextIO) -> None:
        self.wrapped = stream

    def write(self, text: str) -> int:
        self.wrapped.write(redact(text))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)


def protect_streams() -> None:
    """Redact secrets from anything printed to stdout and stderr from now on."""
    if not isinstance(sys.stdout, RedactingStream):
        sys.stdout = RedactingStream(sys.stdout)
    if not isinstance(sys.stderr, RedactingStream):
        sys.stderr = RedactingStream(sys.stderr)


def setup_logging(level: str = "INFO") -> None:
    """Configure the root logger once; quiet the HTTP client (it logs URLs with the token)."""
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in (
        "httpx",
        "httpcore",
        "telegram.ext.Updater",
        "apscheduler",
        "aiosqlite",
        "alembic.runtime.plugins",  # a line per plugin at every start
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)
