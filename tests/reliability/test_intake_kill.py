"""Durable intake under SIGKILL: the real `kisbot run` is killed during a rush of sign-up
presses and /start messages, and started again. Every press is answered once (a callback
answer, or the card edited with the outcome when the press is too old for Telegram to take an
answer), every /start gets one welcome, and everyone the database signed up is told so.

Before the journal (bot.intake), python-telegram-bot confirmed updates as soon as it fetched
them: a kill lost the ones being handled, silently.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from models import Enrollment, Person
from models.base import utcnow
from models.db import create_sessionmaker
from sandbox import SandboxServer
from tests.e2e.conftest import TOKEN
from tests.factories import make_people, make_session, make_workshop
from tests.reliability.test_broadcast_kill import start_bot

PRESSERS = 150
STARTERS = 12
CAPACITY = 20
FIRST = 40_001
KILL_AFTER = 40  # people with a first reaction when the bot is killed
TOLD = ("Zapisano", "Już jesteś zapisany", "liście rezerwowej")


pytestmark = pytest.mark.wallclock  # a process killed during a rush, in real time


async def wait_polling(
    sandbox: SandboxServer, process: asyncio.subprocess.Process, log: Path
) -> None:
    """Until the process asks for updates (it has started)."""
    calls = sandbox.stats.per_method["getUpdates"]
    deadline = time.monotonic() + 60
    while sandbox.stats.per_method["getUpdates"] <= calls:
        if process.returncode is not None or time.monotonic() > deadline:
            raise AssertionError(log.read_bytes().decode(errors="replace"))  # noqa: ASYNC240
        await asyncio.sleep(0.02)


async def test_kill_during_a_rush_loses_no_press(
    sandbox: SandboxServer, engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    sm = create_sessionmaker(engine)
    workshop = await make_workshop(sm)
    ws = await make_session(sm, workshop, utcnow() + timedelta(days=5), capacity=CAPACITY)
    await make_people(sm, PRESSERS + STARTERS, first_id=FIRST)
    pressers = list(range(FIRST, FIRST + PRESSERS))
    starters = list(range(FIRST + PRESSERS, FIRST + PRESSERS + STARTERS))
    for chat in pressers + starters:
        sandbox.add_user(chat, f"U{chat}")
    data = f"ws:b:{ws.id}"
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Zapisz się", callback_data=data)]])
    cards: dict[int, int] = {}
    async with Bot(TOKEN, base_url=sandbox.base_url) as plain:
        for chat in pressers:
            cards[chat] = (
                await plain.send_message(chat, "Edukacja finansowa", reply_markup=markup)
            ).message_id
    sandbox.callback_query_ttl = 3.0  # Telegram takes no answer to an older press

    log_a, log_b = tmp_path / "a" / "bot.log", tmp_path / "b" / "bot.log"
    log_a.parent.mkdir()
    log_b.parent.mkdir()
    first = await start_bot(database_url, sandbox, log_a)
    await wait_polling(sandbox, first, log_a)
    marks = {chat: len(sandbox.chats[chat].events) for chat in pressers + starters}

    # The rush: everyone at once; the bot dies once KILL_AFTER people have a first reaction.
    for chat in pressers:
        await sandbox.user(chat).press_data(data, message_id=cards[chat])
    for chat in starters:
        await sandbox.user(chat).send("/start")

    def reacted() -> set[int]:
        return {chat for chat, mark in marks.items() if len(sandbox.chats[chat].events) > mark}

    deadline = time.monotonic() + 60
    while len(reacted()) < KILL_AFTER:
        assert first.returncode is None, log_a.read_text(errors="replace")
        assert time.monotonic() < deadline, log_a.read_text(errors="replace")
        await asyncio.sleep(0.002)
    os.kill(first.pid, signal.SIGKILL)
    assert await asyncio.wait_for(first.wait(), timeout=10) == -signal.SIGKILL
    at_kill = len(reacted())

    def card_text(chat: int) -> str:
        return sandbox.chats[chat].messages[cards[chat]].text or ""

    def welcomes(chat: int) -> int:
        return sum("Witaj" in (m.text or "") for m in sandbox.chats[chat].messages.values())

    def settled() -> bool:
        return all(any(t in card_text(c) for t in TOLD) for c in pressers) and all(
            welcomes(c) >= 1 for c in starters
        )

    second = await start_bot(database_url, sandbox, log_b)
    try:
        deadline = time.monotonic() + 60
        while not settled() and time.monotonic() < deadline:
            assert second.returncode is None, log_b.read_text(errors="replace")
            await asyncio.sleep(0.1)
        await sandbox.idle(quiet=1.0, timeout=30)
    finally:
        second.send_signal(signal.SIGINT)
        await asyncio.wait_for(second.wait(), timeout=30)

    # Per press: callback answers and new messages (edits of the card are not extra answers).
    extra: Counter[str] = Counter()
    for chat in pressers:
        events = sandbox.chats[chat].events[marks[chat] :]
        extra[chat] = sum(e.kind in ("answer", "message") for e in events)
    untold = [c for c in pressers if not any(t in card_text(c) for t in TOLD)]
    no_welcome = [c for c in starters if welcomes(c) == 0]
    report = (
        f"reacted at the kill: {at_kill}/{PRESSERS + STARTERS}; after the restart "
        f"presses never answered: {len(untold)}, /starts never answered: {len(no_welcome)}, "
        f"presses answered twice: {sum(n > 1 for n in extra.values())}, "
        f"welcomes twice: {sum(welcomes(c) > 1 for c in starters)}"
    )
    print(report)
    assert not untold and not no_welcome, report
    assert max(extra.values()) <= 1, report
    assert all(welcomes(c) == 1 for c in starters), report

    async with sm() as session:
        rows = (
            await session.execute(
                select(Person.telegram_id, Enrollment.status)
                .join(Enrollment, Enrollment.person_id == Person.id)
                .where(Enrollment.session_id == ws.id)
            )
        ).all()
        unfinished = await session.scalar(
            text("SELECT count(*) FROM received_update WHERE done_at IS NULL")
        )
    statuses = Counter(status for _, status in rows)
    assert len(rows) == PRESSERS and len({chat for chat, _ in rows}) == PRESSERS, report
    assert statuses == {"confirmed": CAPACITY, "waiting": PRESSERS - CAPACITY}, statuses
    for chat, status in rows:  # every sign-up told, and told the right thing
        expected = ("Zapisano", "Już jesteś zapisany") if status == "confirmed" else TOLD[2:]
        assert any(t in card_text(chat) for t in expected), (chat, status, card_text(chat))
    assert unfinished == 0
    logs = log_a.read_text(errors="replace") + log_b.read_text(errors="replace")
    assert "Traceback" not in logs, logs[-3000:]
