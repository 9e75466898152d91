"""A dispatcher process for the SIGKILL test (tests/reliability/test_dispatcher_kill.py).

    python -m tests.reliability.outbox_worker --database-url URL --api-base URL \
        --worker NAME [--send-rate 400] [--clock-offset SECONDS]

Sends every due outbox row through the production Dispatcher and `delivery_bot()`, with a plain
renderer for the kind "plain", then prints one JSON line with the outcome counts and exits 0.
`--clock-offset` moves the dispatcher's clock forward, so that a restart "later than
STALE_AFTER" can be run right away.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Deps
from bot.i18n import Translator
from bot.settings import Settings
from models import OutboxMessage
from models.base import utcnow
from models.db import create_engine, create_sessionmaker
from scheduler.dispatcher import Dispatcher, delivery_bot
from scheduler.rendering import Rendered

TOKEN = "123456:SANDBOX-TOKEN"
KIND = "plain"


def text_for(n: int) -> str:
    """The text the worker sends for the row with payload {"n": n}."""
    return f"kill-test {n}"


async def render_plain(session: AsyncSession, row: OutboxMessage, t: Translator) -> Rendered:
    """Plain text, nothing read from the database."""
    return Rendered(text_for(int(row.payload["n"])))


def _clock(offset: float) -> Callable[[], datetime]:
    shift = timedelta(seconds=offset)
    return lambda: utcnow() + shift


async def main(args: argparse.Namespace) -> dict[str, int]:
    values: dict[str, Any] = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": args.api_base,
        "DATABASE_URL": args.database_url,
        "KISBOT_SEND_RATE": args.send_rate,
        # No interactive replies in this process: the overall cap (which keeps bulk sends under
        # Telegram's ~30/s beside them) would only hold the worker back to 30/s.
        "KISBOT_OVERALL_MAX_RATE": 0,
    }
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]  # no .env file
    engine = create_engine(settings.database_url)
    deps = Deps(
        settings=settings,
        engine=engine,
        sessionmaker=create_sessionmaker(engine),
        i18n=Translator(settings.default_language),
        clock=_clock(args.clock_offset),
    )
    runs = handled = 0
    try:
        async with delivery_bot(settings) as bot:
            dispatcher = Dispatcher(bot, deps, {KIND: render_plain}, worker=args.worker)
            while True:  # until a run finds nothing due
                runs += 1
                done = await dispatcher.run_pending()
                handled += done
                if done == 0:
                    break
    finally:
        await engine.dispose()
    return {"runs": runs, "handled": handled}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--api-base", required=True, help="e.g. http://127.0.0.1:PORT/bot")
    parser.add_argument("--worker", required=True, help="claimed_by of the rows it takes")
    parser.add_argument("--send-rate", type=float, default=400.0, help="messages per second")
    parser.add_argument("--clock-offset", type=float, default=0.0, help="seconds ahead")
    return parser.parse_args(argv)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    print(json.dumps(asyncio.run(main(parse_args()))), flush=True)
