"""What the dispatcher does for bulk sending: deferred rows, photos and documents, priority,
403 marks the person unreachable, rows of dead processes recovered at once, and yielding to
interactive replies."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.app import build_application
from bot.context import Deps
from bot.i18n import Translator
from bot.ratelimit import SendLedger, is_message_endpoint
from models import OutboxMessage, Person
from models.outbox import PRIORITY_BULK
from sandbox import SandboxServer
from sandbox.runner import start_polling_app, stop_polling_app
from scheduler.claims import is_dead_local
from scheduler.dispatcher import Dispatcher
from scheduler.pacing import Pacer
from scheduler.rendering import Deferred, Rendered, Renderer
from services import outbox
from tests.conftest import FakeClock
from tests.e2e.conftest import make_settings
from tests.factories import make_people
from tests.reliability.test_dispatcher import RENDERERS, Env, env

__all__ = ["env"]


def _renderers(env: Env, photo: str, document: str) -> dict[str, Renderer]:
    async def later(session: AsyncSession, row: OutboxMessage, t: Translator) -> Deferred:
        return Deferred(env.clock() + timedelta(hours=1))

    async def with_photo(session: AsyncSession, row: OutboxMessage, t: Translator) -> Rendered:
        return Rendered("Plakat <b>festynu</b>", photo=photo)

    async def with_document(session: AsyncSession, row: OutboxMessage, t: Translator) -> Rendered:
        return Rendered("Regulamin", document=document)

    return {**RENDERERS, "later": later, "photo": with_photo, "document": with_document}


async def test_deferred_rows_wait_untried_and_media_is_sent_as_such(env: Env) -> None:
    photo = env.sb.store_user_file("p.png", "image/png", b"\x89PNG\r\n\x1a\n", "photo").file_id
    doc = env.sb.store_user_file("r.pdf", "application/pdf", b"%PDF-1.4", "document").file_id
    dispatcher = Dispatcher(env.bot, env.deps, _renderers(env, photo, doc), worker="test")
    deferred = await env.add(1, kind="later")
    await env.add(2, kind="photo")
    await env.add(3, kind="document")
    assert await dispatcher.run_once() == 3
    rows = await env.rows()
    row = rows[deferred]
    assert (row.status, row.attempts, row.claimed_by, row.last_error) == ("pending", 0, None, None)
    assert row.due_at == env.clock() + timedelta(hours=1)
    assert [c.params["caption"] for c in env.sb.calls_to("sendPhoto")] == ["Plakat <b>festynu</b>"]
    assert env.sb.chats[2].messages[max(env.sb.chats[2].messages)].photo is not None
    sent_doc = env.sb.chats[3].messages[max(env.sb.chats[3].messages)]
    assert sent_doc.document is not None and sent_doc.text == "Regulamin"
    assert env.sb.calls_to("sendMessage") == []
    assert await dispatcher.run_once() == 0  # not due again yet


async def test_reminders_are_claimed_before_bulk_rows(env: Env) -> None:
    bulk = await env.add(1, 1, due_in=-60)  # older
    normal = await env.add(2, 2)
    async with env.deps.transaction() as s:
        await s.execute(
            update(OutboxMessage).where(OutboxMessage.id == bulk).values(priority=PRIORITY_BULK)
        )
    env.dispatcher.batch = 1
    await env.dispatcher.run_once()
    rows = await env.rows()
    assert rows[normal].status == "sent" and rows[bulk].status == "pending"
    await env.dispatcher.run_once()
    assert (await env.rows())[bulk].status == "sent"


async def test_403_marks_the_person_unreachable(env: Env) -> None:
    (person,) = await make_people(env.deps.sessionmaker, 1, first_id=1)
    async with env.deps.transaction() as s:
        row = await outbox.enqueue(
            s, chat_id=1, person_id=person.id, kind="plain", due_at=env.clock()
        )
    env.sb.user(1).block(notify=False)
    await env.dispatcher.run_once()
    async with env.deps.sessionmaker() as s:
        stored = await s.get(Person, person.id)
        status = await s.scalar(select(OutboxMessage.status).where(OutboxMessage.id == row.id))
    assert status == "blocked"
    assert stored is not None and stored.unreachable_at == env.clock()


async def _dead_pid() -> int:
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await process.wait()
    return process.pid


async def test_rows_of_a_dead_process_of_this_host_are_recovered_at_once(env: Env) -> None:
    host = socket.gethostname()[:40]
    dead = f"{host}:{await _dead_pid()}:abc"
    alive = f"{host}:{os.getppid()}:abc"
    elsewhere = "another-host:4242:abc"
    assert is_dead_local(dead) and not is_dead_local(alive) and not is_dead_local(elsewhere)
    assert not is_dead_local("test") and not is_dead_local(f"{host}:1:x")
    ids = {name: await env.add(1, n) for n, name in enumerate(("claimed", "sending", "alive"))}
    ids["elsewhere"] = await env.add(2, 9)
    now = env.clock()
    holders = {"claimed": dead, "sending": dead, "alive": alive, "elsewhere": elsewhere}
    async with env.deps.transaction() as s:
        for name, worker in holders.items():
            await s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == ids[name])
                .values(
                    status="sending" if name == "sending" else "claimed",
                    claimed_by=worker,
                    claimed_at=now,
                )
            )
    await env.dispatcher.run_once()  # well before STALE_AFTER
    rows = await env.rows()
    assert (rows[ids["claimed"]].status, rows[ids["claimed"]].claimed_by) == ("sent", "test")
    assert rows[ids["sending"]].status == "failed"
    assert rows[ids["sending"]].last_error == outbox.INTERRUPTED_ERROR
    assert rows[ids["alive"]].status == "claimed"  # its process lives: left to staleness
    assert rows[ids["elsewhere"]].status == "claimed"  # another host: we cannot tell
    assert [c.params["text"] for c in env.sb.calls_to("sendMessage")] == ["plain 0"]


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_send_ledger_counts_the_last_second() -> None:
    clock = _Clock()
    ledger = SendLedger(clock)
    for _ in range(3):
        ledger.record()
    clock.now += 0.5
    ledger.record()
    assert ledger.recent() == 4
    assert abs(ledger.next_expiry() - 0.5) < 1e-9
    clock.now += 0.6
    assert ledger.recent() == 1
    clock.now += 1.0
    assert ledger.recent() == 0 and ledger.next_expiry() == 0.0
    assert is_message_endpoint("sendMessage") and is_message_endpoint("editMessageText")
    assert not is_message_endpoint("sendChatAction")
    assert not is_message_endpoint("answerCallbackQuery")
    assert not is_message_endpoint("getUpdates")


@pytest.mark.wallclock
async def test_bulk_sending_yields_while_interactive_replies_fill_the_cap(env: Env) -> None:
    clock = _Clock()
    env.deps.ledger = SendLedger(clock)
    env.deps.settings.overall_max_rate = 30  # the default (the env fixture lifts it)
    for _ in range(30):  # 30 replies in the last second
        env.deps.ledger.record()
    waiting = asyncio.create_task(env.dispatcher._make_room(lambda: False))
    await asyncio.sleep(0.3)
    assert not waiting.done()  # held back: the replies use the whole budget
    clock.now += 1.0  # a second later they have left the window
    await asyncio.wait_for(waiting, timeout=3)
    env.deps.settings.overall_max_rate = 0  # the cap lifted: never held back
    for _ in range(100):
        env.deps.ledger.record()
    await asyncio.wait_for(env.dispatcher._make_room(lambda: False), timeout=1)


async def test_pacer_keeps_its_rate_when_woken_late_and_never_bursts_after_a_gap() -> None:
    clock = _Clock()
    stamps: list[float] = []

    async def late_sleep(seconds: float) -> None:
        clock.now += seconds + 0.01  # every wake-up 10 ms late (a busy loop)

    pacer = Pacer(25, clock, late_sleep)
    start = clock.now
    for _ in range(100):
        await pacer.wait()
        stamps.append(clock.now)
    rate = (len(stamps) - 1) / (stamps[-1] - stamps[0])
    assert 24.0 <= rate <= 25.5, rate  # not 1 / (0.04 + 0.01) = 20 per second
    assert stamps[-1] - start < 4.1
    clock.now += 5.0  # idle: the next slots are spaced again, not sent at once
    await pacer.wait()
    first = clock.now
    await pacer.wait()
    assert clock.now - first >= 0.04
    pacer.pause(2.0)
    before = clock.now
    await pacer.wait()
    assert clock.now - before >= 2.0


@pytest.mark.wallclock
async def test_a_long_run_does_not_pile_up_wake_ups(
    sandbox: SandboxServer, engine: AsyncEngine, database_url: str, clock: FakeClock
) -> None:
    """While one run sends a long batch, the ticks of the repeating job and the wake-ups must
    not start chains of one-off jobs (each querying the database) that grow with every tick."""
    settings = make_settings(sandbox, database_url, KISBOT_SEND_RATE=10)
    app = build_application(settings, engine=engine, clock=clock, migrate_on_start=False)
    dispatcher: Dispatcher = app.bot_data["dispatcher"]  # ticks every 2 s
    dispatcher.renderers.update(RENDERERS)
    dispatcher.batch = 10  # the rest stays pending and due while a batch goes out
    deps: Deps = app.bot_data["deps"]
    for chat in range(100, 160):
        sandbox.add_user(chat, f"U{chat}")
    async with deps.transaction() as s:
        for chat in range(100, 160):
            await outbox.enqueue(
                s, chat_id=chat, person_id=None, kind="plain", due_at=clock(), payload={"n": chat}
            )
    await start_polling_app(app)
    try:
        assert app.job_queue is not None
        most = 0
        deadline = time.monotonic() + 5.5  # 6 s of sending at 10/s: several ticks meanwhile
        while time.monotonic() < deadline:
            wakes = [j for j in app.job_queue.jobs() if j.name == "outbox-wake"]
            most = max(most, len(wakes))
            await asyncio.sleep(0.05)
        assert most <= 1, most
    finally:
        await stop_polling_app(app)


def _counting_renderer(env: Env, seen: list[int]) -> Renderer:
    async def render(session: AsyncSession, row: OutboxMessage, t: Translator) -> Rendered:
        seen.append(len(env.sb.calls_to("sendMessage")))  # messages sent when rendered
        return Rendered(f"bulk {row.payload['n']}")

    return render


async def test_the_next_batch_is_prepared_while_the_current_one_goes_out(env: Env) -> None:
    seen: list[int] = []
    env.dispatcher.renderers["plain"] = _counting_renderer(env, seen)
    env.dispatcher.batch = 10
    for chat in range(200, 230):
        env.sb.add_user(chat, f"U{chat}")
        await env.add(chat, chat)
    assert await env.dispatcher.run_pending() == 30
    assert len(seen) == 30 and len(env.sent_texts()) == 30
    # Batches 2 and 3 were rendered before the batch ahead of them had gone out entirely.
    assert seen[10] < 10 and seen[20] < 20, seen
    rows = await env.rows()
    assert {(r.status, r.attempts) for r in rows.values()} == {("sent", 1)}


async def test_a_long_429_gives_the_prefetched_batch_back(env: Env) -> None:
    env.dispatcher.batch = 10
    ids = []
    for chat in range(300, 330):
        env.sb.add_user(chat, f"U{chat}")
        ids.append(await env.add(chat, chat))
    env.sb.inject_fault("sendMessage", status=429, retry_after=60, times=1)
    await env.dispatcher.run_pending()  # ends at the 429: does not sit out the minute
    rows = await env.rows()
    statuses = Counter(r.status for r in rows.values())
    assert statuses["claimed"] == 0 and statuses["sending"] == 0, statuses
    minute = env.clock() + timedelta(seconds=59)
    second, third = ids[10:20], ids[20:]
    # The batch prepared meanwhile went back untried, due when Telegram allows again.
    assert all(rows[i].status == "pending" and rows[i].due_at >= minute for i in second)
    assert all(rows[i].attempts == 0 and rows[i].claimed_by is None for i in second)
    # The one after it was never claimed.
    assert all(rows[i].status == "pending" and rows[i].attempts == 0 for i in third)
    assert all(rows[i].due_at < minute for i in third)
