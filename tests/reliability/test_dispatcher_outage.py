"""A database outage in the middle of a dispatcher batch: nothing is held for 5 minutes.

Before, the batch's write-back failed, its release failed too, and the live process skipped its
own claims until the staleness rule (5 minutes); rows already sent stayed SENDING and were then
reported "interrupted". Now the outcomes are kept in memory and written as soon as the database
is back, and the claims are given back then. The fake clock is never moved here: whatever goes
out does so without the 5-minute recovery.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from models import OutboxMessage
from models.db import create_engine, is_database_outage
from sandbox import SandboxServer
from services import outbox
from tests.conftest import FakeClock, empty_tables
from tests.reliability.test_dispatcher import Env, env, make_deps, render_plain, sandbox_bot
from tests.tcp_proxy import TcpProxy

__all__ = ["env"]


def _down() -> OperationalError:
    return OperationalError("UPDATE outbox_message", None, ConnectionRefusedError("db is down"))


class Outage:
    """Wraps `deps.transaction`: while `down`, every transaction fails as with a stopped
    database; `lost_answers` makes the next commits succeed but raise afterwards (a
    connection lost during COMMIT: the client cannot know it was committed)."""

    def __init__(self, env: Env) -> None:
        self.real = env.deps.transaction
        self.down = False
        self.refused = 0
        self.lost_answers = 0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        if self.down:
            self.refused += 1
            raise _down()
        async with self.real() as session:
            yield session
        if self.lost_answers > 0:
            self.lost_answers -= 1
            raise _down()

    def restore_after(self, seconds: float) -> asyncio.Task[None]:
        async def restore() -> None:
            await asyncio.sleep(seconds)
            self.down = False

        return asyncio.create_task(restore())


@pytest.fixture
def outage(env: Env, monkeypatch: pytest.MonkeyPatch) -> Outage:
    o = Outage(env)
    monkeypatch.setattr(env.deps, "transaction", o.transaction)
    return o


async def _run_until_sent(env: Env, ids: list[int], limit: float) -> float:
    """Run the dispatcher until every row of `ids` is final; returns the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        rows = await env.rows()
        if all(rows[i].status not in ("pending", "claimed", "sending") for i in ids):
            break
        await env.dispatcher.run_once()
    return time.monotonic() - started


def _assert_each_sent_once(env: Env, rows: dict[int, OutboxMessage], ids: list[int]) -> None:
    assert {rows[i].status for i in ids} == {"sent"}
    assert [rows[i].attempts for i in ids] == [1] * len(ids)
    texts = Counter(text for _, text in env.sent_texts())
    assert texts == Counter(f"plain {n}" for n in range(len(ids)))  # each once, none twice


async def test_write_back_failing_a_few_times_is_retried_within_the_batch(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [await env.add(1 + n % 3, n) for n in range(6)]
    real_mark_sent = outbox.mark_sent
    failures = 0

    async def flaky_mark_sent(*args: Any, **kwargs: Any) -> bool:
        nonlocal failures
        if failures < 3:
            failures += 1
            raise _down()
        return await real_mark_sent(*args, **kwargs)

    monkeypatch.setattr(outbox, "mark_sent", flaky_mark_sent)
    assert await _run_until_sent(env, ids, 20) < 10
    assert failures == 3
    _assert_each_sent_once(env, await env.rows(), ids)


@pytest.mark.wallclock
async def test_database_down_during_write_back_then_back(env: Env, outage: Outage) -> None:
    """The database stops as the first answer is recorded and is back 1.5 s later: the
    answers are written then, the rest of the batch goes out, nothing twice."""
    ids = [await env.add(1 + n % 3, n) for n in range(9)]

    real_mark_sent = outbox.mark_sent
    restored: list[asyncio.Task[None]] = []

    async def mark_sent_then_stop(*args: Any, **kwargs: Any) -> bool:
        if not restored:
            outage.down = True
            restored.append(outage.restore_after(1.5))
            raise _down()
        return await real_mark_sent(*args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(outbox, "mark_sent", mark_sent_then_stop)
        # Seconds, not the 5-minute staleness rule (the fake clock does not move).
        assert await _run_until_sent(env, ids, 30) < 15
    assert outage.refused > 0  # the journal met the outage and waited for the database
    rows = await env.rows()
    _assert_each_sent_once(env, rows, ids)
    assert {rows[i].claimed_by for i in ids} == {"test"}


async def test_claims_are_given_back_as_soon_as_the_database_is_back(
    env: Env, outage: Outage
) -> None:
    """The database stops while a batch is being rendered: its claims cannot be released.
    The live process gives them back at its next run once the database is back (it knows
    its own claims) instead of skipping them for 5 minutes."""
    ids = [await env.add(1 + n % 3, n) for n in range(30)]  # two render chunks of 25

    async def render_then_stop(session: AsyncSession, row: OutboxMessage, t: Translator) -> Any:
        rendered = await render_plain(session, row, t)
        outage.down = True  # after this chunk commits, nothing is written any more
        return rendered

    env.dispatcher.renderers["plain"] = render_then_stop
    with pytest.raises(OperationalError):
        await env.dispatcher.run_once()
    rows = await env.rows()
    assert {rows[i].status for i in ids} == {"claimed"}  # the release failed too
    with pytest.raises(OperationalError):
        await env.dispatcher.run_once()  # still down: its claims are kept, nothing claimed
    env.dispatcher.renderers["plain"] = render_plain
    outage.down = False
    assert await _run_until_sent(env, ids, 30) < 15
    _assert_each_sent_once(env, await env.rows(), ids)


async def test_a_hand_over_committed_without_an_answer_is_not_lost(
    env: Env, outage: Outage
) -> None:
    """The hand-over (CLAIMED → SENDING) is committed but the connection breaks before the
    answer: the dispatcher does not send the row (it cannot know), and gives it back from
    SENDING when the database answers again; it is sent once, with one attempt."""
    ids = [await env.add(1, n) for n in range(2)]
    real_start = outbox.start_sending

    async def start_then_lose_answer(*args: Any, **kwargs: Any) -> dict[int, int]:
        moved = await real_start(*args, **kwargs)
        outage.lost_answers = 1
        return moved

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(outbox, "start_sending", start_then_lose_answer)
        await env.dispatcher.run_once()
    assert env.sent_texts() == []  # not sent: its hand-over was not confirmed
    rows = await env.rows()
    assert [rows[i].status for i in ids] == ["pending", "pending"]
    assert [rows[i].attempts for i in ids] == [0, 0]
    assert await _run_until_sent(env, ids, 20) < 10
    _assert_each_sent_once(env, await env.rows(), ids)


async def test_a_claim_committed_without_an_answer_is_given_back_at_once(
    env: Env, outage: Outage
) -> None:
    """The claim's commit reaches the database but the connection breaks before the answer:
    the rows are CLAIMED by this live dispatcher, which does not know them. Its next run
    gives back its own claims (it knows its worker name) instead of skipping them for 5
    minutes."""
    ids = [await env.add(1 + n % 3, n) for n in range(6)]
    env.dispatcher._claims.dead_checked_at = time.monotonic()  # the claim is the first transaction
    outage.lost_answers = 1
    with pytest.raises(OperationalError):
        await env.dispatcher.run_once()
    rows = await env.rows()
    assert {(rows[i].status, rows[i].claimed_by) for i in ids} == {("claimed", "test")}
    assert await _run_until_sent(env, ids, 20) < 10
    _assert_each_sent_once(env, await env.rows(), ids)


def test_outage_errors_are_told_from_bugs() -> None:
    assert is_database_outage(_down())
    assert is_database_outage(ConnectionRefusedError())
    assert not is_database_outage(KeyError("bug"))
    assert not is_database_outage(IntegrityError("INSERT", None, Exception("duplicate")))


@pytest.mark.wallclock
@pytest.mark.postgres
async def test_postgresql_stopped_while_a_batch_is_on_its_way(
    pg_shared_url: str, sandbox: SandboxServer, clock: FakeClock
) -> None:
    """A real outage: every connection to PostgreSQL is cut (through a proxy) while 20 sends
    are waiting for Telegram's answer, and new ones are refused for 1.5 s. The answers are
    recorded once the server is back; nothing is left SENDING, nothing interrupted or resent."""
    url = make_url(pg_shared_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    direct = create_engine(pg_shared_url)
    await empty_tables(direct)
    await direct.dispose()
    engine = create_engine(url.set(host="127.0.0.1", port=proxy.port).render_as_string(False))
    for user_id in range(1, 21):
        sandbox.add_user(user_id, f"User{user_id}")
    deps = make_deps(
        sandbox, engine, pg_shared_url, clock, KISBOT_SEND_RATE=500, KISBOT_OVERALL_MAX_RATE=0
    )
    try:
        async with sandbox_bot(sandbox) as bot:
            env = Env(sandbox, bot, deps, clock, pg_shared_url)
            ids = [await env.add(n + 1, n) for n in range(20)]
            sandbox.inject_fault("sendMessage", status=0, delay=0.6, times=20)  # slow answers

            async def outage() -> None:
                await asyncio.sleep(0.3)  # handed over and sent, answers not yet back
                await proxy.stop()
                await asyncio.sleep(1.5)
                await proxy.start()

            cut = asyncio.create_task(outage())
            started = time.monotonic()
            await env.dispatcher.run_once()
            await cut
            assert await _run_until_sent(env, ids, 30) < 15  # not the 5-minute rule
            _assert_each_sent_once(env, await env.rows(), ids)
    finally:
        await engine.dispose()
        await proxy.stop()
    assert time.monotonic() - started > 1.5  # it did wait for the database
