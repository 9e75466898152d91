"""What the dispatcher does for bulk sending: deferred rows, photos and documents, priority,
403 marks the person unreachable, rows of dead processes recovered at once, and yielding to
interactive replies."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.ratelimit import SendLedger, is_message_endpoint
from models import OutboxMessage, Person
from models.outbox import PRIORITY_BULK
from scheduler.dispatcher import Deferred, Dispatcher, Rendered, Renderer, is_dead_local
from services import outbox
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


async def test_bulk_sending_yields_while_interactive_replies_fill_the_cap(env: Env) -> None:
    clock = _Clock()
    env.deps.ledger = SendLedger(clock)
    for _ in range(int(env.deps.settings.overall_max_rate)):  # 30 replies in the last second
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
