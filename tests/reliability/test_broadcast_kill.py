"""A broadcast survives a SIGKILL of the bot: the real `kisbot run` process is killed half-way
through a broadcast and started again; every recipient gets it exactly once, or is marked
"interrupted: delivery not confirmed" (a message that was on its way at the kill) — never twice,
and nothing that was never tried is lost. The sandbox's flood limits are on.

The restarted process recognises the rows held by the dead process of this host (its pid is
gone) and recovers them at once instead of waiting for STALE_AFTER.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from models import Broadcast, OutboxMessage
from models.base import utcnow
from models.db import create_sessionmaker
from sandbox import FloodLimits, SandboxServer
from scheduler.dispatcher import MAX_IN_FLIGHT
from services import broadcasts, outbox, people
from services.broadcasts import Audience
from services.reminder_time import parse_quiet_hours
from tests.e2e.conftest import TOKEN
from tests.factories import make_people, make_policy

ROOT = Path(__file__).resolve().parents[2]
N = 200  # recipients
KILL_AT = 90  # broadcast messages arrived when the bot is killed
FIRST_CHAT = 30_001
AUTHOR = 777
TEXT = "Zmiana godzin otwarcia KIS"
TZ = ZoneInfo("Europe/Warsaw")
QUIET = parse_quiet_hours("21:00-08:00")
FINAL = {"sent", "blocked", "failed", "cancelled", "expired"}


pytestmark = pytest.mark.wallclock  # a process killed half-way, in real time


async def start_bot(
    database_url: str, sandbox: SandboxServer, log: Path
) -> asyncio.subprocess.Process:
    """`kisbot run` (as `python -m bot run`) against the sandbox, its log in `log`."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": sandbox.base_url,
        "DATABASE_URL": database_url,
        "KISBOT_LOG_LEVEL": "INFO",
    }
    with log.open("wb") as stderr:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run",
            cwd=log.parent, env=env, stdout=stderr, stderr=stderr,
        )  # fmt: skip


def arrivals(sandbox: SandboxServer) -> Counter[int]:
    """How many times each recipient's chat received the broadcast."""
    return Counter(
        {
            chat: sum(m.text == TEXT for m in sandbox.chats[chat].messages.values())
            for chat in range(FIRST_CHAT, FIRST_CHAT + N)
        }
    )


async def rows(engine: AsyncEngine, broadcast_id: int) -> dict[int, OutboxMessage]:
    async with create_sessionmaker(engine)() as session:
        found = await session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.kind == "broadcast", OutboxMessage.ref_id == broadcast_id
            )
        )
        return {row.chat_id: row for row in found}


async def finished(engine: AsyncEngine, broadcast_id: int) -> bool:
    async with create_sessionmaker(engine)() as session:  # a new snapshot each time
        row = await session.get(Broadcast, broadcast_id)
        return row is not None and row.finished_at is not None


async def test_broadcast_killed_half_way_and_restarted_reaches_everyone_once(
    sandbox: SandboxServer, engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    sandbox.flood_limits = FloodLimits()  # Telegram's limits on: 30/s overall, 1/s per chat
    sandbox.inject_fault("sendMessage", status=0, delay=0.03, times=10 * N)  # in flight at kill
    sm = create_sessionmaker(engine)
    now = utcnow()
    await make_people(sm, N, first_id=FIRST_CHAT)
    for chat in range(FIRST_CHAT, FIRST_CHAT + N):
        sandbox.add_user(chat, f"U{chat}")
    async with sm.begin() as session:
        await people.add_staff(session, AUTHOR, "coordinator", "Ewa Kowalska", "pl", now)
        draft = await broadcasts.create_draft(session, AUTHOR)
        await broadcasts.set_text(session, AUTHOR, draft.id, "pl", TEXT)
        await broadcasts.set_audience(session, AUTHOR, draft.id, Audience("all"), now)
        await broadcasts.toggle_urgent(session, AUTHOR, draft.id)  # whatever the hour here
        bc = await broadcasts.confirm(
            session,
            AUTHOR,
            draft.id,
            now,
            make_policy(tz=TZ, quiet=QUIET),
        )
    assert bc.recipients == N

    # 1. The bot sends until KILL_AT have arrived, then dies without any chance to clean up.
    log_a, log_b = tmp_path / "a" / "bot.log", tmp_path / "b" / "bot.log"
    log_a.parent.mkdir()
    log_b.parent.mkdir()
    first = await start_bot(database_url, sandbox, log_a)
    deadline = time.monotonic() + 60
    while sum(arrivals(sandbox).values()) < KILL_AT:
        assert first.returncode is None, log_a.read_text(errors="replace")
        assert time.monotonic() < deadline, log_a.read_text(errors="replace")
        await asyncio.sleep(0.005)
    os.kill(first.pid, signal.SIGKILL)
    assert await asyncio.wait_for(first.wait(), timeout=10) == -signal.SIGKILL
    await sandbox.idle(quiet=0.3)
    before = await rows(engine, bc.id)
    at_kill = Counter(row.status for row in before.values())
    assert 0 < at_kill["sent"] < N and at_kill["pending"] + at_kill["claimed"] > 0, at_kill
    got_before = arrivals(sandbox)

    # 2. Started again: finishes the broadcast by itself, well before STALE_AFTER (5 min).
    second = await start_bot(database_url, sandbox, log_b)
    try:
        deadline = time.monotonic() + 90
        while True:
            after = await rows(engine, bc.id)
            if all(row.status in FINAL for row in after.values()):
                break
            assert second.returncode is None, log_b.read_text(errors="replace")
            assert time.monotonic() < deadline, Counter(r.status for r in after.values())
            await asyncio.sleep(0.2)
        await sandbox.idle(quiet=0.3)
        deadline = time.monotonic() + 10
        while not await finished(engine, bc.id):  # the progress job closed the report
            assert time.monotonic() < deadline, "the report was never finished"
            await asyncio.sleep(0.2)
    finally:
        second.send_signal(signal.SIGINT)
        await asyncio.wait_for(second.wait(), timeout=30)
    got = arrivals(sandbox)
    after = await rows(engine, bc.id)
    statuses = Counter(row.status for row in after.values())
    report = f"at the kill {dict(at_kill)}, at the end {dict(statuses)}"
    print(report)

    assert max(got.values()) == 1, report  # nobody got it twice
    for chat, row in after.items():
        if row.status == "sent":
            assert got[chat] == 1, report  # sent means it arrived, once
        else:
            # The only other outcome: on its way at the kill; marked, never resent.
            assert (row.status, row.last_error) == ("failed", outbox.INTERRUPTED_ERROR), report
            assert got[chat] == got_before[chat], report
    interrupted = statuses["failed"]
    assert interrupted <= MAX_IN_FLIGHT, report
    # Nothing never tried was lost: everything not in flight at the kill arrived.
    assert statuses["sent"] + interrupted == N, report
    assert sum(got.values()) >= N - interrupted, report
    assert "dead dispatcher" in log_b.read_text(errors="replace")
    assert sandbox.stats.throttled_429 == 0  # paced under the limits, even across the restart
    assert TOKEN not in log_a.read_text(errors="replace") + log_b.read_text(errors="replace")
