"""Thundering herd: N participants tap "sign up" for one session of a few seats within 1 second.

The production Application (`bot.app.build_application`) runs against the sandbox Bot API
with flood limits off, so this measures the bot, not Telegram. PTB's client-side overall cap
is lifted too (KISBOT_OVERALL_MAX_RATE=0, reported as `client_rate_cap: 0`): with the default
30 messages/s the herd would only measure AIORateLimiter.

The sandbox server and the simulated users run in a child process of their own
(`sandbox.process.SandboxProcess`), as Telegram and its users are never inside the bot's
process; the bot talks to it over loopback HTTP. `--in-process` puts them back on the bot's
event loop (the set-up before), for comparison.

Set-up: a fresh database (a temporary SQLite file by default; with --database-url pointing at
PostgreSQL a scratch database is created on that server and dropped afterwards, unless
--use-database-as-is), migrated with models.migrate.upgrade; N active participants whose
telegram ids are the sandbox users' ids; one workshop with one session 7 days ahead
(`--capacity` seats) plus a roomy warm-up session.

The button: before the bot starts, a plain `telegram.Bot` posts each user the session card
(a sendMessage through the sandbox's public Bot API, with the inline button
`ws:b:<session_id>`), i.e. the message the bot itself shows after "Show date". Each user then
presses that button on that message (`sandbox.load.press_burst`, in the sandbox's process).
Presses are spread evenly over one second. A user is answered by the first bot event (edit,
message or callback answer) in their chat after the press; latencies use the sandbox's
monotonic clock (the moment the update was queued, the moment the bot's call was applied).
CPU time is reported per answered press for the bot's event-loop thread, the whole bot
process and the sandbox's process.

The same load (same N, same one-second spread) then runs on a bare PTB bot on a fresh sandbox
set up the same way: a CallbackQueryHandler that answers the query and edits the message text
(default ApplicationBuilder settings, sequential update processing), for `echo_updates_per_s`.

Run from the repository root:  python bench/herd.py [--participants 1000] [--capacity 20]
                                   [--database-url postgresql+asyncpg://...] [--in-process]
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
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from benchlib import AnyApp, database_kind, fresh_database, kisbot_factory, percentile
from sqlalchemy import func, select
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes

from models import Enrollment, EnrollmentStatus, Person, Workshop, WorkshopSession
from models.base import utcnow
from models.db import Sessionmaker, create_engine, create_sessionmaker
from models.migrate import upgrade
from sandbox import FloodLimits, SandboxServer, Violation
from sandbox.load import PressOutcome, press_burst
from sandbox.process import SandboxProcess
from sandbox.runner import start_polling_app, stop_polling_app

TOKEN = "123456:HERD"
WAIT_TIMEOUT = 120.0
SETUP_CONCURRENCY = 50
# Distinct telegram-id ranges, so warm-up and measured users never share a chat.
WARMUP_BASE_ID = 100_000
MEASURE_BASE_ID = 200_000


def progress(message: str) -> None:
    """Human-readable progress on stderr."""
    print(f"[herd] {message}", file=sys.stderr, flush=True)


@dataclass
class Setup:
    """What the database holds for one run."""

    session_id: int
    warmup_session_id: int


@dataclass
class HerdResult:
    """Outcome of one herd."""

    users: int
    latencies_ms: list[float]
    seconds: float
    # CPU time during the herd: the bot process's event-loop thread, the whole bot process
    # (with aiosqlite's threads), and the sandbox's process (the same one with --in-process).
    loop_cpu_s: float
    process_cpu_s: float
    sandbox_cpu_s: float | None  # None with --in-process: the sandbox is in the bot's figures

    @property
    def answered(self) -> int:
        """Users who saw a bot reaction before the timeout."""
        return len(self.latencies_ms)

    @property
    def unanswered(self) -> int:
        """Users who saw nothing."""
        return self.users - self.answered

    @property
    def updates_per_s(self) -> float:
        """Answered users per second of wall time (first press to last first reaction)."""
        return self.answered / self.seconds if self.seconds > 0 else 0.0


# ---------------------------------------------------------------- database


async def populate(sm: Sessionmaker, participants: int, warmup: int, capacity: int) -> Setup:
    """Active participants, one workshop, the measured session and a warm-up session.

    Mirrors tests/factories.py (make_people, make_workshop, make_session) without importing
    from tests/.
    """
    now = utcnow()
    async with sm.begin() as session:
        session.add_all(
            Person(
                telegram_id=base + i,
                language="pl",
                status="active",
                display_name=f"Uczestnik {base + i}",
                source="invite",
            )
            for base, count in ((WARMUP_BASE_ID, warmup), (MEASURE_BASE_ID, participants))
            for i in range(count)
        )
        workshop = Workshop(
            slug="edukacja-finansowa",
            group_key="social",
            title_pl="Edukacja finansowa",
            title_uk="Фінансова освіта",
            title_en="Financial education",
            description_pl="Jak planować domowy budżet.",
            description_uk="Як планувати домашній бюджет.",
            description_en="How to plan a household budget.",
            place="KIS Śródmieście, Wejherowo",
            default_capacity=capacity,
            cancel_cutoff_hours=24,
        )
        session.add(workshop)
        await session.flush()
        starts_at = (now + timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
        measured = WorkshopSession(
            workshop_id=workshop.id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            capacity=capacity,
            cancel_cutoff_hours=24,
        )
        warm = WorkshopSession(
            workshop_id=workshop.id,
            starts_at=starts_at + timedelta(days=1),
            ends_at=starts_at + timedelta(days=1, hours=2),
            capacity=max(1, warmup),
            cancel_cutoff_hours=24,
        )
        session.add_all([measured, warm])
        await session.flush()
        return Setup(measured.id, warm.id)


async def prepare_database(url: str, participants: int, warmup: int, capacity: int) -> Setup:
    """Migrate and fill the database through an engine of our own (disposed afterwards)."""
    engine = create_engine(url)
    try:
        await upgrade(engine)
        return await populate(create_sessionmaker(engine), participants, warmup, capacity)
    finally:
        await engine.dispose()


async def count_outcomes(url: str, session_id: int) -> dict[str, int]:
    """Enrolment statuses of the measured session."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            rows = await session.execute(
                select(Enrollment.status, func.count())
                .where(Enrollment.session_id == session_id)
                .group_by(Enrollment.status)
            )
            counts = {str(status): int(n) for status, n in rows.all()}
            seats = await session.scalar(
                select(WorkshopSession.seats_taken).where(WorkshopSession.id == session_id)
            )
    finally:
        await engine.dispose()
    return {
        "confirmed": counts.get(EnrollmentStatus.CONFIRMED.value, 0),
        "waiting": counts.get(EnrollmentStatus.WAITING.value, 0),
        "other_enrollments": sum(counts.values())
        - counts.get(EnrollmentStatus.CONFIRMED.value, 0)
        - counts.get(EnrollmentStatus.WAITING.value, 0),
        "seats_taken": int(seats or 0),
    }


# ---------------------------------------------------------------- sandbox side


class InProcessSandbox:
    """The sandbox on the bot's own event loop (`--in-process`): the old set-up, for comparison.

    Same interface as `sandbox.process.SandboxProcess`.
    """

    def __init__(self) -> None:
        self.sb = SandboxServer(flood_limits=FloodLimits(enabled=False))
        self.pid = os.getpid()

    @property
    def base_url(self) -> str:
        return self.sb.base_url

    async def __aenter__(self) -> InProcessSandbox:
        await self.sb.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.sb.stop()

    async def add_users(self, users: list[tuple[int, str]]) -> None:
        for user_id, name in users:
            self.sb.add_user(user_id, name)

    async def press_burst(
        self, presses: list[tuple[int, int]], data: str, spread: float, timeout: float = 120.0
    ) -> PressOutcome:
        return await press_burst(self.sb, presses, data, spread, timeout)

    async def idle(self, quiet: float = 0.1, timeout: float = 10) -> None:
        await self.sb.idle(quiet=quiet, timeout=timeout)

    async def violations(self) -> list[Violation]:
        return list(self.sb.violations)


Sandbox = SandboxProcess | InProcessSandbox


async def post_session_cards(base_url: str, user_ids: list[int], data: str) -> dict[int, int]:
    """Have the bot's token post each user the session card with the sign-up button.

    A plain telegram.Bot (not the Application under test) calls sendMessage on the sandbox's
    public API, so the chat holds a real bot message to press a button on. Returns the
    message id per user.
    """
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Zapisz się", callback_data=data)]])
    text_ = "<b>Edukacja finansowa</b>\nKIS Śródmieście, Wejherowo"
    message_ids: dict[int, int] = {}
    semaphore = asyncio.Semaphore(SETUP_CONCURRENCY)
    async with Bot(TOKEN, base_url=base_url) as bot:

        async def post(user_id: int) -> None:
            async with semaphore:
                message = await bot.send_message(
                    user_id, text_, reply_markup=markup, parse_mode=ParseMode.HTML
                )
            message_ids[user_id] = message.message_id

        await asyncio.gather(*(post(user_id) for user_id in user_ids))
    return message_ids


async def herd(
    sb: Sandbox, user_ids: list[int], message_ids: dict[int, int], data: str, spread: float
) -> HerdResult:
    """Press `data` once per user, evenly over `spread` seconds, in the sandbox's process;
    wait there for every first reaction. This process's CPU is measured meanwhile."""
    thread_start, process_start = time.thread_time(), time.process_time()
    outcome = await sb.press_burst(
        [(user_id, message_ids[user_id]) for user_id in user_ids], data, spread, WAIT_TIMEOUT
    )
    return HerdResult(
        users=outcome.users,
        latencies_ms=outcome.latencies_ms,
        seconds=outcome.seconds,
        loop_cpu_s=time.thread_time() - thread_start,
        process_cpu_s=time.process_time() - process_start,
        sandbox_cpu_s=None if isinstance(sb, InProcessSandbox) else outcome.cpu_s,
    )


async def measure(
    name: str,
    make_app: Callable[[str], Awaitable[AnyApp]],
    participants: int,
    warmup: int,
    data: str,
    warmup_data: str,
    spread: float,
    in_process: bool,
) -> tuple[HerdResult, int]:
    """One bot on its own sandbox: warm-up presses, then the herd; also count violations."""
    sandbox: Sandbox = InProcessSandbox() if in_process else SandboxProcess(flood_limits=False)
    async with sandbox as sb:
        warm_ids = [WARMUP_BASE_ID + i for i in range(warmup)]
        user_ids = [MEASURE_BASE_ID + i for i in range(participants)]
        await sb.add_users([(uid, f"Warm{i}") for i, uid in enumerate(warm_ids)])
        await sb.add_users([(uid, f"User{i}") for i, uid in enumerate(user_ids)])
        warm_messages = await post_session_cards(sb.base_url, warm_ids, warmup_data)
        message_ids = await post_session_cards(sb.base_url, user_ids, data)
        app = await make_app(sb.base_url)
        where = "in this process" if in_process else f"in process {sb.pid}"
        progress(f"{name}: starting (sandbox {where})")
        await start_polling_app(app)
        try:
            if warm_ids:
                warm = await herd(sb, warm_ids, warm_messages, warmup_data, 0.0)
                progress(f"{name}: warm-up {warm.answered}/{warmup} answered")
                await sb.idle(quiet=0.2, timeout=30)
            progress(f"{name}: {participants} presses of {data!r} over {spread:g}s")
            result = await herd(sb, user_ids, message_ids, data, spread)
            progress(
                f"{name}: {result.answered}/{participants} answered in {result.seconds:.2f}s "
                f"= {result.updates_per_s:.1f} updates/s, "
                f"p50 {percentile(result.latencies_ms, 50):.0f} ms, "
                f"p99 {percentile(result.latencies_ms, 99):.0f} ms; CPU: bot loop "
                f"{result.loop_cpu_s:.1f}s, bot process {result.process_cpu_s:.1f}s, "
                f"sandbox {result.sandbox_cpu_s or 0:.1f}s in {result.seconds:.1f}s"
            )
            await sb.idle(quiet=0.2, timeout=60)
        finally:
            await stop_polling_app(app)
        return result, len(await sb.violations())


async def make_echo(base_url: str) -> AnyApp:
    """A bare python-telegram-bot bot: answer the press, edit the message (sequential)."""

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        await query.edit_message_text(f"OK: {query.data}")

    app = ApplicationBuilder().token(TOKEN).base_url(base_url).build()
    app.add_handler(CallbackQueryHandler(on_press))
    return app


def cpu_per_update(prefix: str, result: HerdResult) -> dict[str, float | None]:
    """CPU milliseconds per answered press: bot loop, bot process, sandbox process (None when
    the sandbox ran in the bot's process and is counted in the other two)."""
    answered = max(result.answered, 1)
    sandbox = result.sandbox_cpu_s
    return {
        f"{prefix}loop_cpu_ms_per_update": round(result.loop_cpu_s * 1000 / answered, 2),
        f"{prefix}process_cpu_ms_per_update": round(result.process_cpu_s * 1000 / answered, 2),
        f"{prefix}sandbox_cpu_ms_per_update": (
            None if sandbox is None else round(sandbox * 1000 / answered, 2)
        ),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """All measurements; returns the JSON summary."""
    async with fresh_database(
        args.database_url, args.use_database_as_is, "herd", progress
    ) as database_url:
        database = database_kind(database_url)
        progress(f"database: {database}")
        setup = await prepare_database(database_url, args.participants, args.warmup, args.capacity)
        data = f"ws:b:{setup.session_id}"
        warmup_data = f"ws:b:{setup.warmup_session_id}"

        def measure_bot(
            name: str, make_app: Callable[[str], Awaitable[AnyApp]]
        ) -> Awaitable[tuple[HerdResult, int]]:
            """`measure` with this run's presses (the same for kis-bot and the echo bot)."""
            return measure(
                name,
                make_app,
                args.participants,
                args.warmup,
                data,
                warmup_data,
                args.spread,
                args.in_process,
            )

        kis, kis_violations = await measure_bot(
            "kis-bot", kisbot_factory(TOKEN, database_url, rate_cap=False, migrate=False)
        )
        outcome = await count_outcomes(database_url, setup.session_id)
    echo, echo_violations = HerdResult(0, [], 0.0, 0.0, 0.0, 0.0), 0
    if not args.skip_echo:
        echo, echo_violations = await measure_bot("echo", make_echo)
    ratio = kis.updates_per_s / echo.updates_per_s if echo.updates_per_s else 0.0
    summary: dict[str, Any] = {
        "participants": args.participants,
        "capacity": args.capacity,
        "confirmed": outcome["confirmed"],
        "waiting": outcome["waiting"],
        "other_enrollments": outcome["other_enrollments"],
        "seats_taken": outcome["seats_taken"],
        "unanswered": kis.unanswered,
        "p50_ms": round(percentile(kis.latencies_ms, 50), 1),
        "p99_ms": round(percentile(kis.latencies_ms, 99), 1),
        "max_ms": round(max(kis.latencies_ms, default=0.0), 1),
        "updates_per_s": round(kis.updates_per_s, 1),
        "seconds": round(kis.seconds, 3),
        **cpu_per_update("", kis),
        "echo_updates_per_s": round(echo.updates_per_s, 1),
        **cpu_per_update("echo_", echo),
        "echo_p50_ms": round(percentile(echo.latencies_ms, 50), 1),
        "echo_p99_ms": round(percentile(echo.latencies_ms, 99), 1),
        "echo_unanswered": echo.unanswered,
        "ratio": round(ratio, 3),
        "database": database,
        "client_rate_cap": 0,
        "spread_s": args.spread,
        "warmup": args.warmup,
        "spec_violations": kis_violations + echo_violations,
        "sandbox": "in-process" if args.in_process else "own process",
    }
    summary["targets_met"] = not args.skip_echo and (
        summary["confirmed"] == args.capacity
        and summary["unanswered"] == 0
        and summary["p99_ms"] <= 2000
        and summary["ratio"] >= 0.5
    )
    summary["python"] = sys.version.split()[0]
    return summary


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description="N participants tap 'sign up' for one session within a second: kis-bot vs "
        "a bare PTB bot, both against the local sandbox Bot API with flood limits off."
    )
    parser.add_argument("--participants", type=int, default=1000, help="default 1000")
    parser.add_argument("--capacity", type=int, default=20, help="seats (default 20)")
    parser.add_argument(
        "--spread", type=float, default=1.0, help="seconds the presses are spread over"
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=20,
        help="users who first sign up for a separate warm-up session (default 20)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL server (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/postgres): "
        "a scratch database is created there and dropped afterwards; "
        "default: a fresh temporary SQLite file",
    )
    parser.add_argument(
        "--skip-echo",
        action="store_true",
        help="measure kis-bot only (for profiling; ratio and targets_met are then not computed)",
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="run the sandbox and the pressing users on the bot's own event loop (the old "
        "set-up) instead of in a child process",
    )
    parser.add_argument(
        "--use-database-as-is",
        action="store_true",
        help="use --database-url itself (it must be empty or hold no conflicting rows)",
    )
    args = parser.parse_args()
    if args.participants < 1 or args.capacity < 1 or args.warmup < 0 or args.spread < 0:
        parser.error("--participants/--capacity must be >= 1, --warmup/--spread >= 0")
    return args


def main() -> None:
    """Entry point."""
    args = parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    summary = asyncio.run(run(args))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
