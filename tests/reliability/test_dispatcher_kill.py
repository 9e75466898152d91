"""The guarantee of docs/delivery.md under a real SIGKILL of the dispatcher process.

A worker process (tests/reliability/outbox_worker.py: the production Dispatcher and
delivery_bot()) sends N due rows to N chats through the sandbox, each sendMessage delayed a
little. Half-way, in the middle of its second batch, it is killed with SIGKILL. A second worker,
its clock past STALE_AFTER, then recovers what the first one left behind and sends the rest.
The sandbox's chats are the ground truth of what arrived.

The guarantee checked: nobody gets a message twice; every row the first worker never handed to
Telegram (never claimed, or only `claimed`) is delivered exactly once by the second; only the
rows it had handed over (`sending`) are ambiguous, at most MAX_IN_FLIGHT of them, and they end
"interrupted: delivery not confirmed" without being resent.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from models import OutboxMessage
from models.base import utcnow
from models.db import create_sessionmaker
from sandbox import SandboxServer
from scheduler.claims import STALE_AFTER
from scheduler.dispatcher import MAX_IN_FLIGHT
from services import outbox
from tests.reliability.outbox_worker import KIND, text_for

ROOT = Path(__file__).resolve().parents[2]
N = 500  # rows, one per chat
KILL_AT = 250  # messages arrived when the first worker is killed (mid second batch of 200)
SEND_DELAY = 0.03  # s per sendMessage in the sandbox: requests are in flight at the kill
SEND_RATE = 400  # messages per second (KISBOT_SEND_RATE of the workers)
FIRST_CHAT = 10_001
FINAL = {"sent", "blocked", "failed", "cancelled", "expired"}


pytestmark = pytest.mark.wallclock  # processes killed and restarted in real time


def read_log(log: Path) -> str:
    """A worker's log (its stderr), for failure messages."""
    return log.read_text(errors="replace")


def open_log(log: Path) -> BinaryIO:
    """The file a worker's stderr goes to."""
    return log.open("wb")


async def start_worker(
    database_url: str, sandbox: SandboxServer, name: str, log: Path, clock_offset: float = 0.0
) -> asyncio.subprocess.Process:
    """`python -m tests.reliability.outbox_worker` from the project root, stderr to `log`."""
    with open_log(log) as stderr:  # the child has its own copy of the descriptor
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.reliability.outbox_worker",
            "--database-url", database_url, "--api-base", sandbox.base_url, "--worker", name,
            "--send-rate", str(SEND_RATE), "--clock-offset", str(clock_offset),
            cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=stderr,
        )  # fmt: skip


def received(sandbox: SandboxServer) -> dict[int, list[str]]:
    """Texts each chat has received (the sandbox's chats: what really arrived)."""
    return {
        chat: [m.text or "" for m in sandbox.chats[chat].messages.values()]
        for chat in range(FIRST_CHAT, FIRST_CHAT + N)
    }


async def rows_by_id(engine: AsyncEngine) -> dict[int, OutboxMessage]:
    async with create_sessionmaker(engine)() as session:
        return {row.id: row for row in await session.scalars(select(OutboxMessage))}


async def kill_half_way(
    process: asyncio.subprocess.Process, sandbox: SandboxServer, log: Path
) -> int:
    """SIGKILL as soon as KILL_AT messages have arrived; returns how many had."""
    deadline = time.monotonic() + 30
    while sandbox.stats.messages_sent < KILL_AT:
        if process.returncode is not None:
            raise AssertionError(f"worker exited early ({process.returncode}):\n{read_log(log)}")
        if time.monotonic() > deadline:
            raise AssertionError(
                f"only {sandbox.stats.messages_sent} sent in 30 s:\n{read_log(log)}"
            )
        await asyncio.sleep(0.002)
    os.kill(process.pid, signal.SIGKILL)
    at_kill = sandbox.stats.messages_sent
    assert await asyncio.wait_for(process.wait(), timeout=10) == -signal.SIGKILL
    return at_kill


async def test_sigkill_mid_run_loses_no_untried_row_and_sends_nothing_twice(
    sandbox: SandboxServer, engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    chats = range(FIRST_CHAT, FIRST_CHAT + N)
    for chat in chats:
        sandbox.add_user(chat, f"U{chat}")
    async with create_sessionmaker(engine).begin() as session:
        due = utcnow() - timedelta(seconds=1)
        for n, chat in enumerate(chats):
            await outbox.enqueue(
                session, chat_id=chat, person_id=None, kind=KIND, due_at=due, payload={"n": n}
            )
    sandbox.inject_fault("sendMessage", status=0, delay=SEND_DELAY, times=10 * N)

    # 1. The first worker, killed half-way.
    log_a, log_b = tmp_path / "worker-a.log", tmp_path / "worker-b.log"
    worker_a = await start_worker(database_url, sandbox, "A", log_a)
    at_kill = await kill_half_way(worker_a, sandbox, log_a)
    await sandbox.idle(quiet=0.3)  # requests already sent still arrive
    before = await rows_by_id(engine)
    got_before = received(sandbox)
    texts = {row.id: text_for(int(row.payload["n"])) for row in before.values()}
    chat_of = {row.id: row.chat_id for row in before.values()}

    status_before = Counter(row.status for row in before.values())
    sent_a = {i for i, row in before.items() if row.status == "sent"}
    unclaimed = {i for i, row in before.items() if row.status == "pending"}
    stranded = {i for i, row in before.items() if row.status == "claimed"}  # A's, never tried
    ambiguous = {i for i, row in before.items() if row.status == "sending"}  # handed over
    assert len(sent_a) + len(unclaimed) + len(stranded) + len(ambiguous) == N, status_before
    arrived_a = {i for i in before if got_before[chat_of[i]]}
    # The kill landed mid-batch: some rows confirmed, some claimed and waiting (the rest of the
    # batch, and the next one, prepared while this one went out), maybe some unclaimed.
    assert sent_a and stranded, status_before
    # Every confirmed row arrived exactly once; nothing unclaimed or only claimed was sent:
    # a row reaches Telegram only after its hand-over (SENDING) was committed.
    assert all(got_before[chat_of[i]] == [texts[i]] for i in sent_a)
    assert arrived_a <= sent_a | ambiguous
    assert all(before[i].claimed_by == "A" for i in stranded | ambiguous)
    assert all(before[i].attempts == 0 for i in stranded | unclaimed)
    assert all(before[i].attempts == 1 for i in ambiguous)
    # The ambiguous rows are at most the requests A had in flight.
    assert len(ambiguous) <= MAX_IN_FLIGHT, status_before
    delivered_unconfirmed = ambiguous & arrived_a
    never_arrived = ambiguous - arrived_a

    # 2. The second worker, "later than STALE_AFTER": releases A's claims, reports its
    # ambiguous rows, sends everything never handed to Telegram.
    worker_b = await start_worker(
        database_url,
        sandbox,
        "B",
        log_b,
        clock_offset=(STALE_AFTER + timedelta(minutes=1)).total_seconds(),
    )
    out, _ = await asyncio.wait_for(worker_b.communicate(), timeout=60)
    assert worker_b.returncode == 0, read_log(log_b)
    summary_b = json.loads(out.decode().strip().splitlines()[-1])
    await sandbox.idle(quiet=0.1)
    after = await rows_by_id(engine)
    got = received(sandbox)

    resent = {i for i in stranded if after[i].status == "sent"}
    report = (
        f"{database_url.split(':')[0]}: {at_kill} arrived at the kill, {len(sent_a)} marked sent "
        f"by A, {len(stranded)} claimed by A and never tried, {len(ambiguous)} sending "
        f"({len(delivered_unconfirmed)} of them arrived, {len(never_arrived)} never did), "
        f"{len(unclaimed)} unclaimed; B sent {len(resent)} of the claimed and "
        f"{sum(after[i].status == 'sent' for i in unclaimed)} of the unclaimed ({summary_b})"
    )
    print(report)

    # Every row is final; nobody got a message twice, and what arrived is the row's text.
    assert {row.status for row in after.values()} <= FINAL, Counter(
        r.status for r in after.values()
    )
    assert all(len(texts_) <= 1 for texts_ in got.values()), report
    assert all(got[chat_of[i]] in ([], [texts[i]]) for i in after), report
    # `sent` means it arrived, exactly once.
    sent = {i for i, row in after.items() if row.status == "sent"}
    assert all(got[chat_of[i]] == [texts[i]] for i in sent), report
    # A's confirmed rows are untouched.
    assert all(after[i].status == "sent" and after[i].claimed_by == "A" for i in sent_a)
    # No loss of untried rows: every row A never handed to Telegram (unclaimed, or claimed and
    # stranded by the kill) was delivered by B, exactly once, at its first attempt.
    untried = unclaimed | stranded
    for i in untried:
        assert (after[i].status, after[i].claimed_by, after[i].attempts) == ("sent", "B", 1)
        assert got[chat_of[i]] == [texts[i]], report
    assert summary_b["handled"] == len(untried), report
    # Only the rows A had handed over are "interrupted"; none of them was sent again by B.
    interrupted = {i for i, row in after.items() if row.last_error == outbox.INTERRUPTED_ERROR}
    assert interrupted == ambiguous, report
    for i in ambiguous:
        assert (after[i].status, after[i].claimed_by) == ("failed", "A")
        assert got[chat_of[i]] == got_before[chat_of[i]], report
    # Whatever did not arrive is one of those, and says why; never more than MAX_IN_FLIGHT.
    lost = {i for i in after if not got[chat_of[i]]}
    assert lost == never_arrived, report
    assert len(lost) <= len(interrupted) <= MAX_IN_FLIGHT, report


@pytest.mark.postgres
async def test_two_dispatcher_processes_send_1000_due_rows_exactly_once(
    sandbox: SandboxServer, pg_server_url: str, pg_database_factory: list[str], tmp_path: Path
) -> None:
    """Two worker processes on one PostgreSQL database (FOR UPDATE SKIP LOCKED claims)."""
    from models.db import create_engine
    from tests.conftest import create_pg_database

    url = await create_pg_database(pg_server_url, pg_database_factory)
    engine = create_engine(url)
    total, chats = 1000, range(FIRST_CHAT, FIRST_CHAT + 100)
    try:
        for chat in chats:
            sandbox.add_user(chat, f"U{chat}")
        async with create_sessionmaker(engine).begin() as session:
            due = utcnow() - timedelta(seconds=1)
            for n in range(total):
                await outbox.enqueue(
                    session,
                    chat_id=chats[n % len(chats)],
                    person_id=None,
                    kind=KIND,
                    due_at=due,
                    payload={"n": n},
                )
        sandbox.inject_fault("sendMessage", status=0, delay=0.002, times=10 * total)
        logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
        workers = [
            await start_worker(url, sandbox, name, log)
            for name, log in zip("AB", logs, strict=True)
        ]
        outputs = [await asyncio.wait_for(w.communicate(), timeout=120) for w in workers]
        for worker, log in zip(workers, logs, strict=True):
            assert worker.returncode == 0, read_log(log)
        summaries = [json.loads(out.decode().strip().splitlines()[-1]) for out, _ in outputs]
        arrived = Counter(
            text
            for chat in chats
            for text in (m.text for m in sandbox.chats[chat].messages.values())
        )
        assert set(arrived) == {text_for(n) for n in range(total)}  # none missing
        assert max(arrived.values()) == 1  # none twice
        rows = await rows_by_id(engine)
        assert Counter(row.status for row in rows.values()) == {"sent": total}
        by_worker = Counter(row.claimed_by for row in rows.values())
        assert set(by_worker) == {"A", "B"}, (by_worker, summaries)  # both took part
    finally:
        await engine.dispose()
