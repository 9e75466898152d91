"""Broadcast delivery: one announcement to N recipients (default 10,000) through the sandbox with
Telegram's flood limits ON (30 messages/s overall, 1/s per chat, 429 with retry_after beyond).

The production Application (`bot.app.build_application`, default settings: the dispatcher at
KISBOT_SEND_RATE = 25/s, the interactive cap at 30/s) runs against the in-process sandbox. Set-up:
a fresh database (temporary SQLite, or a scratch PostgreSQL database with --database-url), N
active participants, a coordinator, and the broadcast composed and confirmed through
services.broadcasts (urgent, so the quiet hours of the moment the bench runs do not defer it),
with the coordinator's progress message, which the bot edits every few seconds meanwhile. While
it runs, a participant opens the menu every few seconds (`probe_*`: interactive replies during
the broadcast).

Figures: `delivered` recipients who got it, `duplicates` extra copies, `lost` recipients who got
nothing, `throttled_429` the sandbox's 429 answers, `seconds` first to last delivery,
`rate_per_s` deliveries per second over that time, against `configured_rate_per_s`.
Targets: duplicates == lost == 0, throttled_429 == 0, rate >= 90 % of configured.

Run from the repository root:  python bench/broadcast.py [--recipients 10000]
                                                        [--database-url postgresql+asyncpg://...]
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
import time
from collections import Counter
from typing import Any

from benchlib import database_kind, fresh_database, kisbot_factory, percentile
from sqlalchemy import func, insert, select
from telegram import Bot

from bot.settings import Settings, policy_from
from models import OutboxMessage, Person
from models.base import utcnow
from models.db import create_engine, create_sessionmaker
from models.migrate import upgrade
from sandbox import FloodLimits, SandboxServer
from sandbox.runner import start_polling_app, stop_polling_app
from services import broadcasts, people
from services.broadcasts import Audience

TOKEN = "123456:BROADCAST"
TEXT = "📣 Festyn rodzinny w sobotę o 11:00 — zapraszamy!"
AUTHOR = 900
PROBE = 901
FIRST_ID = 100_000
FINAL = ("sent", "blocked", "failed", "cancelled", "expired")
PROBE_EVERY = 5.0


def progress(message: str) -> None:
    """Human-readable progress on stderr."""
    print(f"[broadcast] {message}", file=sys.stderr, flush=True)


async def prepare(url: str, recipients: int) -> None:
    """Migrate; N participants (and the probe participant), the coordinator."""
    engine = create_engine(url)
    try:
        await upgrade(engine)
        now = utcnow()
        async with create_sessionmaker(engine).begin() as session:
            rows = [
                {
                    "telegram_id": FIRST_ID + i,
                    "role": "participant",
                    "status": "active",
                    "language": ("pl", "uk", "en")[i % 3],
                    "display_name": f"Uczestnik {i}",
                    "source": "invite",
                    "created_at": now,
                }
                for i in range(recipients)
            ]
            rows.append({**rows[0], "telegram_id": PROBE, "display_name": "Probe"})
            for start in range(0, len(rows), 1000):
                await session.execute(insert(Person), rows[start : start + 1000])
            await people.add_staff(session, AUTHOR, "coordinator", "Ewa Kowalska", "pl", now)
    finally:
        await engine.dispose()


async def confirm(url: str, chat_id: int, message_id: int) -> int:
    """Compose and confirm the broadcast the way the bot's screens do; returns its id."""
    engine = create_engine(url)
    try:
        now = utcnow()
        async with create_sessionmaker(engine).begin() as session:
            draft = await broadcasts.create_draft(session, AUTHOR)
            await broadcasts.set_text(session, AUTHOR, draft.id, "pl", TEXT)
            await broadcasts.set_text(session, AUTHOR, draft.id, "uk", TEXT + " (UA)")
            await broadcasts.set_audience(session, AUTHOR, draft.id, Audience("all"), now)
            await broadcasts.toggle_urgent(session, AUTHOR, draft.id)
            bc = await broadcasts.confirm(
                session,
                AUTHOR,
                draft.id,
                now,
                policy_from(Settings()),
            )
            await broadcasts.set_progress_message(session, bc.id, chat_id, message_id)
            return bc.id
    finally:
        await engine.dispose()


async def open_rows(url: str, broadcast_id: int) -> int:
    """Recipient rows not final yet."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            return int(
                await session.scalar(
                    select(func.count()).where(
                        OutboxMessage.kind == "broadcast",
                        OutboxMessage.ref_id == broadcast_id,
                        OutboxMessage.status.not_in(FINAL),
                    )
                )
                or 0
            )
    finally:
        await engine.dispose()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """The whole measurement; returns the JSON summary."""
    async with fresh_database(
        args.database_url, args.use_database_as_is, "broadcast", progress
    ) as url:
        database = database_kind(url)
        progress(f"database: {database}, {args.recipients} recipients")
        await prepare(url, args.recipients)
        async with SandboxServer(flood_limits=FloodLimits()) as sb:
            for i in range(args.recipients):
                sb.add_user(FIRST_ID + i, f"U{i}")
            author = sb.add_user(AUTHOR, "Ewa")
            probe = sb.add_user(PROBE, "Probe")
            async with Bot(TOKEN, base_url=sb.base_url) as plain:
                card = await plain.send_message(AUTHOR, "📣 …")
            broadcast_id = await confirm(url, AUTHOR, card.message_id)
            app = await kisbot_factory(TOKEN, url, migrate=False)(sb.base_url)
            configured = app.bot_data["deps"].settings.send_rate
            started = time.monotonic()
            await start_polling_app(app)
            probes: list[float] = []
            next_probe = time.monotonic() + PROBE_EVERY
            limit = args.recipients / configured * 2 + 120
            try:
                while await open_rows(url, broadcast_id):
                    if time.monotonic() - started > limit:
                        progress("timed out")
                        break
                    if time.monotonic() >= next_probe:
                        sent_at = time.monotonic()
                        await probe.send("/menu")
                        reply = await probe.expect(timeout=10, settle=0.01, answer_settle=0.01)
                        probes.append((reply.events[0].at - sent_at) * 1000)
                        next_probe += PROBE_EVERY
                        done = sb.stats.messages_sent
                        progress(f"{done} messages so far, probe {probes[-1]:.0f} ms")
                    await asyncio.sleep(0.5)
                await sb.idle(quiet=0.5, timeout=30)
                await asyncio.sleep(PROBE_EVERY)  # the progress job closes the report
            finally:
                await stop_polling_app(app)
            counts = Counter(
                {
                    FIRST_ID + i: sum(
                        (m.text or "").startswith(TEXT)
                        for m in sb.chats[FIRST_ID + i].messages.values()
                    )
                    for i in range(args.recipients)
                }
            )
            times = sorted(
                c.at
                for c in sb.calls_to("sendMessage")
                if c.status == 200 and str(c.params.get("text", "")).startswith(TEXT)
            )
            edits = len(
                [
                    c
                    for c in sb.calls_to("editMessageText")
                    if c.chat_id == AUTHOR and c.status == 200
                ]
            )
            final_text = author.chat.messages[card.message_id].text or ""
            violations = len(sb.violations)
            throttled = sb.stats.throttled_429
    delivered = sum(1 for n in counts.values() if n >= 1)
    seconds = times[-1] - times[0] if len(times) > 1 else 0.0
    rate = (len(times) - 1) / seconds if seconds > 0 else 0.0
    summary: dict[str, Any] = {
        "recipients": args.recipients,
        "delivered": delivered,
        "duplicates": sum(n - 1 for n in counts.values() if n > 1),
        "lost": args.recipients - delivered,
        "throttled_429": throttled,
        "seconds": round(seconds, 2),
        "rate_per_s": round(rate, 2),
        "configured_rate_per_s": configured,
        "rate_ratio": round(rate / configured, 3) if configured else 0.0,
        "progress_edits": edits,
        "report_finished": "zakończona" in final_text,
        "probe_replies": len(probes),
        "probe_p50_ms": round(percentile(probes, 50), 1),
        "probe_max_ms": round(max(probes, default=0.0), 1),
        "database": database,
        "spec_violations": violations,
    }
    summary["targets_met"] = (
        summary["duplicates"] == 0
        and summary["lost"] == 0
        and throttled == 0
        and rate >= 0.9 * configured
    )
    summary["python"] = sys.version.split()[0]
    return summary


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description="One broadcast to N recipients through the sandbox with flood limits on."
    )
    parser.add_argument("--recipients", type=int, default=10_000, help="default 10000")
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL server (postgresql+asyncpg://postgres@127.0.0.1:5432/postgres): a "
        "scratch database is created there and dropped afterwards; default: temporary SQLite",
    )
    parser.add_argument(
        "--use-database-as-is", action="store_true", help="use --database-url itself"
    )
    args = parser.parse_args()
    if args.recipients < 2:
        parser.error("--recipients must be >= 2")
    return args


def main() -> None:
    """Entry point."""
    args = parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    summary = asyncio.run(run(args))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
