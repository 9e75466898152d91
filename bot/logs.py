"""Logging set-up: plain lines, no tokens, no personal data from libraries."""

from __future__ import annotations

import logging
import re

_TOKEN_RE = re.compile(r"bot\d+:[A-Za-z0-9_-]+")


class RedactTokenFilter(logging.Filter):
    """Replace anything that looks like a bot token in a log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _TOKEN_RE.search(message):
            record.msg = _TOKEN_RE.sub("bot<token>", message)
            record.args = ()
        return True


def setup_logging(level: str = "INFO") -> None:
    """Configure the root logger once; quiet the HTTP client (it logs URLs with the token)."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokenFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "telegram.ext.Updater", "apscheduler", "aiosqlite"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
