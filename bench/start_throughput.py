"""Throughput of /start traffic: the real kis-bot Application against a bare PTB echo bot.

Both bots talk to an in-process sandbox Bot API (flood limits off, so this measures the bot,
not Telegram). For each bot: start it, warm up with a few users, then let N new users send
"/start" at once and wait until every chat has received at least one bot message.

Run from the repository root:  python bench/start_throughput.py [--users 500]
Progress goes to stderr; the last line on stdout is one JSON object.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Scripts run as `python bench/<name>.py`: make the repository root importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import asyncio
import json
import logging
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from benchlib import AnyApp, database_kind, kisbot_factory, percentile
from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from sandbox import FloodLimits, SandboxServer, SimUser
from sandbox.runner import start_polling_app, stop_polling_app

TOKEN = "123456:BENCH"
WAIT_TIMEOUT = 60.0
POLL_STEP = 0.005
# Distinct user-id ranges, so warm-up and measured users never share a chat.
WARMUP_BASE_ID = 100_000
MEASURE_BASE_ID = 200_000


def progress(message: str) -> None:
    """Human-readable progress on stderr."""
    print(f"[start_throughput] {message}", file=sys.stderr, flush=True)


@dataclass
class RoundResult:
    """Outcome of one burst of users."""

    users: int
    answered: int
    seconds: float
    latencies_ms: list[float]

    @property
    def unanswered(self) -> int:
        """Users whose chat got no bot message before the timeout."""
        return self.users - self.answered

    @property
    def updates_per_s(self) -> float:
        """Answered users per second of wall time (first send to last first reply)."""
        return self.answered / self.seconds if self.seconds > 0 else 0.0


async def burst(sb: SandboxServer, base_id: int, count: int, text: str) -> RoundResult:
    """Create `count` users, let all of them send `text` at once, wait for every first reply."""
    users: list[SimUser] = [
        sb.add_user(base_id + i, f"User{i}", language_code="pl") for i in range(count)
    ]
    sent_at: dict[int, float] = {}
    start = time.monotonic()
    for user in users:
        sent_at[user.id] = time.monotonic()
        await user.send(text)
    # Each chat logs bot events with a monotonic timestamp, so polling granularity does not
    # affect the measured times; it only decides how soon we notice the last reply.
    first_reply: dict[int, float] = {}
    pending = {user.id: user for user in users}
    deadline = start + WAIT_TIMEOUT
    while pending and time.monotonic() < deadline:
        for user_id, user in list(pending.items()):
            events = user.chat.events
            if events:
                first_reply[user_id] = events[0].at
                del pending[user_id]
        if pending:
            await asyncio.sleep(POLL_STEP)
    end = max(first_reply.values()) if first_reply else time.monotonic()
    latencies = [(first_reply[uid] - sent_at[uid]) * 1000 for uid in first_reply]
    return RoundResult(count, len(first_reply), end - start, latencies)


async def measure(
    name: str,
    make_app: Callable[[str], Awaitable[AnyApp]],
    text: str,
    users: int,
    warmup: int,
) -> tuple[RoundResult, int]:
    """Run warm-up and measured bursts of one bot on its own sandbox; also count violations."""
    async with SandboxServer(flood_limits=FloodLimits(enabled=False)) as sb:
        app = await make_app(sb.base_url)
        progress(f"{name}: starting")
        await start_polling_app(app)
        try:
            if warmup:
                result = await burst(sb, WARMUP_BASE_ID, warmup, text)
                progress(
                    f"{name}: warm-up {result.answered}/{warmup} answered in {result.seconds:.2f}s"
                )
                await sb.idle(quiet=0.2, timeout=30)
                await asyncio.sleep(1.0)  # let client-side rate-limit buckets refill
            progress(f"{name}: {users} users send {text!r} at once")
            result = await burst(sb, MEASURE_BASE_ID, users, text)
            progress(
                f"{name}: {result.answered}/{users} answered in {result.seconds:.2f}s "
                f"= {result.updates_per_s:.1f} updates/s, "
                f"p50 {percentile(result.latencies_ms, 50):.0f} ms, "
                f"p99 {percentile(result.latencies_ms, 99):.0f} ms"
            )
            await sb.idle(quiet=0.2, timeout=30)
        finally:
            await stop_polling_app(app)
        return result, len(sb.violations)


async def make_echo(base_url: str) -> AnyApp:
    """A bare python-telegram-bot echo bot (default, sequential update processing)."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None and message.text:
            await message.reply_text(message.text)

    app = ApplicationBuilder().token(TOKEN).base_url(base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """All measurements; returns the JSON summary."""
    with tempfile.TemporaryDirectory(prefix="kisbot-bench-") as tmp:
        database_url = args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
        database = database_kind(database_url)
        progress(f"database: {database}")
        kis, kis_violations = await measure(
            "kis-bot", kisbot_factory(TOKEN, database_url), "/start", args.users, args.warmup
        )
        unthrottled: RoundResult | None = None
        if args.unthrottled:
            unthrottled, _ = await measure(
                "kis-bot (no AIORateLimiter)",
                kisbot_factory(TOKEN, database_url, rate_cap=False),
                "/start",
                args.users,
                args.warmup,
            )
    echo, echo_violations = await measure("echo", make_echo, "/start", args.users, args.warmup)
    ratio = kis.updates_per_s / echo.updates_per_s if echo.updates_per_s else 0.0
    summary: dict[str, Any] = {
        "users": args.users,
        "database": database,
        "kisbot_updates_per_s": round(kis.updates_per_s, 1),
        "echo_updates_per_s": round(echo.updates_per_s, 1),
        "ratio": round(ratio, 3),
        "kisbot_p50_ms": round(percentile(kis.latencies_ms, 50), 1),
        "kisbot_p99_ms": round(percentile(kis.latencies_ms, 99), 1),
        "echo_p50_ms": round(percentile(echo.latencies_ms, 50), 1),
        "echo_p99_ms": round(percentile(echo.latencies_ms, 99), 1),
        "kisbot_seconds": round(kis.seconds, 3),
        "echo_seconds": round(echo.seconds, 3),
        "unanswered": kis.unanswered + echo.unanswered,
        "spec_violations": kis_violations + echo_violations,
    }
    if unthrottled is not None:
        summary["kisbot_unthrottled_updates_per_s"] = round(unthrottled.updates_per_s, 1)
        summary["kisbot_unthrottled_p50_ms"] = round(percentile(unthrottled.latencies_ms, 50), 1)
        summary["kisbot_unthrottled_p99_ms"] = round(percentile(unthrottled.latencies_ms, 99), 1)
        summary["unanswered"] += unthrottled.unanswered
    summary["python"] = sys.version.split()[0]
    return summary


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description="Updates per second of /start traffic: kis-bot vs a bare PTB echo bot, "
        "both against the local sandbox Bot API with flood limits off."
    )
    parser.add_argument(
        "--users", type=int, default=500, help="users in the measured burst (default 500)"
    )
    parser.add_argument(
        "--warmup", type=int, default=20, help="users in the warm-up burst (default 20)"
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="database for kis-bot (e.g. postgresql+asyncpg://...); "
        "default: a fresh temporary SQLite file",
    )
    parser.add_argument(
        "--unthrottled",
        action="store_true",
        help="also measure kis-bot with its client-side AIORateLimiter removed (diagnostic)",
    )
    args = parser.parse_args()
    if args.users < 1 or args.warmup < 0:
        parser.error("--users must be >= 1 and --warmup >= 0")
    return args


def main() -> None:
    """Entry point."""
    args = parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    summary = asyncio.run(run(args))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
