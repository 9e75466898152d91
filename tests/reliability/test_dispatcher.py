"""The outbox dispatcher against the sandbox Bot API: outcomes, faults, pacing, concurrency."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.request import HTTPXRequest

from bot.app import build_application
from bot.context import Deps
from bot.i18n import Translator
from models import OutboxMessage
from models.db import Sessionmaker, create_engine, create_sessionmaker
from sandbox import FloodLimits, SandboxServer
from sandbox.runner import start_polling_app, stop_polling_app
from scheduler.dispatcher import MAX_IN_FLIGHT, Dispatcher, install_dispatcher
from scheduler.pacing import Pacer
from scheduler.rendering import Rendered, Renderer
from services import outbox
from tests.conftest import FakeClock
from tests.e2e.conftest import TOKEN, make_settings


async def render_plain(session: AsyncSession, row: OutboxMessage, t: Translator) -> Rendered | None:
    """`kind n` as text; payload {"drop": true} means no longer wanted."""
    if row.payload.get("drop"):
        return None
    return Rendered(f"{row.kind} {row.payload.get('n', row.id)}")


async def render_button(session: AsyncSession, row: OutboxMessage, t: Translator) -> Rendered:
    """HTML text and an inline keyboard, language from the translator."""
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("OK", callback_data="t:ok")]])
    return Rendered(f"<b>{t('en', 'btn-back')}</b> done", markup)


async def render_broken(session: AsyncSession, row: OutboxMessage, t: Translator) -> Rendered:
    """A renderer with a bug."""
    raise KeyError("bug")


async def render_stolen(session: AsyncSession, row: OutboxMessage, t: Translator) -> Rendered:
    """Renders fine, but meanwhile the claim went to another dispatcher (as after its stale
    claim was released by `recover_stale` and taken again)."""
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.id == row.id).values(claimed_by="other")
    )
    return Rendered(f"stolen {row.id}")


RENDERERS: dict[str, Renderer] = {
    "plain": render_plain,
    "button": render_button,
    "broken": render_broken,
    "stolen": render_stolen,
}


class Env:
    """The sandbox, a Bot pointed at it, the database and a Dispatcher."""

    def __init__(
        self, sb: SandboxServer, bot: Bot, deps: Deps, clock: FakeClock, database_url: str
    ) -> None:
        self.sb = sb
        self.bot = bot
        self.deps = deps
        self.clock = clock
        self.database_url = database_url
        self.dispatcher = Dispatcher(bot, deps, RENDERERS, worker="test")

    async def add(
        self,
        chat_id: int,
        n: int = 0,
        *,
        kind: str = "plain",
        ref_id: int | None = None,
        due_in: float = 0.0,
        expires_in: float | None = None,
        **payload: Any,
    ) -> int:
        """Queue one message; returns its id."""
        now = self.clock()
        async with self.deps.transaction() as s:
            row = await outbox.enqueue(
                s,
                chat_id=chat_id,
                person_id=None,
                kind=kind,
                ref_id=ref_id,
                due_at=now + timedelta(seconds=due_in),
                expires_at=now + timedelta(seconds=expires_in) if expires_in is not None else None,
                payload={"n": n, **payload},
            )
        return row.id

    async def rows(self) -> dict[int, OutboxMessage]:
        """Every outbox row by id."""
        async with self.deps.sessionmaker() as s:
            return {r.id: r for r in await s.scalars(select(OutboxMessage))}

    def sent_texts(self) -> list[tuple[int, str]]:
        """(chat, text) of every sendMessage the sandbox accepted."""
        return [
            (int(c.params["chat_id"]), str(c.params["text"]))
            for c in self.sb.calls_to("sendMessage")
            if c.status == 200
        ]


def make_deps(
    sb: SandboxServer, engine: AsyncEngine, database_url: str, clock: FakeClock, **extra: object
) -> Deps:
    """Deps as bot/app.py builds them, on the test's database and clock."""
    settings = make_settings(sb, database_url, **extra)
    return Deps(
        settings=settings,
        engine=engine,
        sessionmaker=create_sessionmaker(engine),
        i18n=Translator(settings.default_language),
        clock=clock,
    )


def sandbox_bot(sb: SandboxServer) -> Bot:
    """A plain Bot (no rate limiter) talking to the sandbox, with room for concurrent sends."""
    return Bot(
        token=TOKEN,
        base_url=sb.base_url,
        base_file_url=sb.base_file_url,
        request=HTTPXRequest(connection_pool_size=MAX_IN_FLIGHT + 4),
    )


@pytest.fixture
async def env(
    sandbox: SandboxServer, engine: AsyncEngine, database_url: str, clock: FakeClock
) -> AsyncIterator[Env]:
    """Flood limits off, send_rate high and the overall cap lifted (test_dispatcher_bulk tests
    it), so that tests are not slowed by pacing."""
    for user_id in (1, 2, 3):
        sandbox.add_user(user_id, f"User{user_id}")
    deps = make_deps(
        sandbox, engine, database_url, clock, KISBOT_SEND_RATE=200, KISBOT_OVERALL_MAX_RATE=0
    )
    async with sandbox_bot(sandbox) as bot:
        yield Env(sandbox, bot, deps, clock, database_url)


async def test_due_rows_are_sent_once_and_later_ones_wait(env: Env) -> None:
    a = await env.add(1, 1)
    b = await env.add(2, 2)
    c = await env.add(1, 3, kind="button")
    later = await env.add(3, 4, due_in=3600)
    assert await env.dispatcher.run_once() == 3
    button = "<b>" + Translator()("en", "btn-back") + "</b> done"
    assert sorted(env.sent_texts()) == [(1, button), (1, "plain 1"), (2, "plain 2")]
    button_msg = env.sb.user(1).messages[-1]
    assert button_msg.text == Translator()("en", "btn-back") + " done"  # parsed as HTML
    assert button_msg.reply_markup is not None and button_msg.entities
    rows = await env.rows()
    assert {rows[i].status for i in (a, b, c)} == {"sent"}
    assert rows[a].sent_at == env.clock() and rows[a].attempts == 1
    assert rows[later].status == "pending"

    assert await env.dispatcher.run_once() == 0  # nothing is sent twice
    env.clock.advance(minutes=59)
    assert await env.dispatcher.run_once() == 0
    assert len(env.sent_texts()) == 3
    env.clock.advance(minutes=1)
    assert await env.dispatcher.run_once() == 1
    assert env.sent_texts()[-1] == (3, "plain 4")
    assert (await env.rows())[later].status == "sent"


async def test_cancelled_expired_and_unwanted_rows_are_not_sent(env: Env) -> None:
    cancelled = await env.add(1, 1, due_in=60, ref_id=77)
    expired = await env.add(2, 2, due_in=60, expires_in=90)
    unwanted = await env.add(3, 3, due_in=60, drop=True)
    unknown = await env.add(3, 4, due_in=60, kind="nobody-renders-this")
    broken = await env.add(3, 5, due_in=60, kind="broken")
    fine = await env.add(3, 6, due_in=60)
    async with env.deps.transaction() as s:  # e.g. the booking 77 was cancelled
        assert await outbox.cancel(s, kind="plain", ref_id=77) == 1
    env.clock.advance(seconds=120)
    assert await env.dispatcher.run_once() == 4  # neither the cancelled nor the expired one
    assert env.sent_texts() == [(3, "plain 6")]
    rows = await env.rows()
    assert rows[cancelled].status == "cancelled"
    assert (rows[expired].status, rows[expired].last_error) == ("expired", "expired before sending")
    assert rows[unwanted].status == "cancelled"
    assert rows[unknown].status == "failed" and "no renderer" in (rows[unknown].last_error or "")
    assert rows[broken].status == "failed"
    assert rows[broken].last_error == "render error: KeyError"
    assert rows[fine].status == "sent"
    # Decided while only claimed: never handed over, so no attempt was counted.
    assert [rows[i].attempts for i in (unwanted, unknown, broken, fine)] == [0, 0, 0, 1]


async def test_blocked_and_bad_request(env: Env) -> None:
    env.sb.user(2).block()
    blocked = await env.add(2, 1)
    no_chat = await env.add(424242, 2)  # nobody in the sandbox has this chat
    ok = await env.add(1, 3)
    assert await env.dispatcher.run_once() == 3
    rows = await env.rows()
    assert rows[blocked].status == "blocked"
    assert (rows[blocked].last_error or "").startswith("403 Forbidden")
    assert rows[no_chat].status == "failed"
    assert (rows[no_chat].last_error or "").lower() == "400 bad request: chat not found"
    assert rows[ok].status == "sent"
    assert await env.dispatcher.run_once() == 0  # neither is retried


async def test_retry_after_is_honoured_and_nothing_is_lost(env: Env) -> None:
    env.sb.inject_fault("sendMessage", status=429, retry_after=1, chat_id=1)
    row_id = await env.add(1, 1)
    other = await env.add(2, 2)
    started = env.clock()
    assert await env.dispatcher.run_once() == 2
    row = (await env.rows())[row_id]
    assert row.status == "pending"
    assert row.due_at == started + timedelta(seconds=1)
    assert row.last_error == "429 retry after 1"
    assert row.attempts == 0  # a 429 does not bring the row nearer to giving up
    assert (await env.rows())[other].status == "sent"
    assert await env.dispatcher.run_once() == 0  # not before the time Telegram asked for
    env.clock.advance(seconds=1)
    assert await env.dispatcher.run_once() == 1
    assert sorted(env.sent_texts()) == [(1, "plain 1"), (2, "plain 2")]
    assert (await env.rows())[row_id].status == "sent"


async def test_long_retry_after_releases_the_rest_of_the_batch(env: Env) -> None:
    env.sb.inject_fault("sendMessage", status=429, retry_after=30)
    ids = [await env.add(1, n) for n in range(3)]  # one chat: sent one after another
    started = time.monotonic()
    assert await env.dispatcher.run_once() == 3
    assert time.monotonic() - started < 5  # did not sit out 30 s with rows in SENDING
    rows = await env.rows()
    assert [rows[i].status for i in ids] == ["pending"] * 3
    assert {rows[i].due_at for i in ids} == {env.clock() + timedelta(seconds=30)}
    assert [rows[i].attempts for i in ids] == [0, 0, 0]
    assert [rows[i].last_error for i in ids] == ["429 retry after 30"] + [
        "not tried: 429 retry after 30"
    ] * 2
    assert {rows[i].claimed_by for i in ids} == {None}
    assert len(env.sb.calls_to("sendMessage")) == 1


async def test_server_errors_back_off_capped_while_the_message_is_useful(env: Env) -> None:
    env.dispatcher.per_chat_interval = 0.0  # one chat, many runs: no need to wait in real time
    env.sb.inject_fault("sendMessage", status=502, chat_id=1)
    recovering = await env.add(1, 1)
    assert await env.dispatcher.run_once() == 1
    row = (await env.rows())[recovering]
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.due_at == env.clock() + timedelta(seconds=5)
    assert (row.last_error or "").startswith("network error")
    env.clock.advance(seconds=5)
    assert await env.dispatcher.run_once() == 1
    assert (await env.rows())[recovering].status == "sent"

    # Useful for an hour (an appointment): retried at 5 s, 10 s, ... at most 5 minutes apart,
    # far beyond the 8 attempts (10.6 minutes) after which it used to be given up.
    env.sb.inject_fault("sendMessage", status=500, chat_id=2, times=1000)
    doomed = await env.add(2, 2, expires_in=3600)
    delays = []
    while True:
        before = env.clock()
        assert await env.dispatcher.run_once() == 1
        row = (await env.rows())[doomed]
        if row.status != "pending":
            break
        delays.append((row.due_at - before).total_seconds())
        env.clock.now = row.due_at
    assert delays[:9] == [5, 10, 20, 40, 80, 160, 300, 300, 300]
    assert set(delays[6:]) == {300}
    assert sum(delays) < 3600 <= sum(delays) + 300
    assert row.status == "expired" and row.attempts == len(delays) + 1
    last = "network error: Internal Server Error"
    assert row.last_error == f"expired before sending (last error: {last})"
    assert env.sent_texts() == [(1, "plain 1")]


async def test_stale_sending_rows_are_reported_not_resent(env: Env) -> None:
    row_id = await env.add(1, 1)
    async with env.deps.transaction() as s:  # a process handed the row to Telegram, then died
        assert len(await outbox.claim_due(s, now=env.clock(), limit=10, worker="dead")) == 1
        assert await outbox.start_sending(s, [row_id], worker="dead", now=env.clock()) == {
            row_id: 1
        }
    assert await env.dispatcher.run_once() == 0
    assert (await env.rows())[row_id].status == "sending"  # young: may still be sending
    env.clock.advance(minutes=6)
    assert await env.dispatcher.run_once() == 0
    row = (await env.rows())[row_id]
    assert (row.status, row.last_error) == ("failed", "interrupted: delivery not confirmed")
    assert env.sent_texts() == []


async def test_stale_claimed_rows_are_sent_by_the_next_dispatcher(env: Env) -> None:
    row_id = await env.add(1, 1)
    async with env.deps.transaction() as s:  # a process claimed the row, died before sending
        assert len(await outbox.claim_due(s, now=env.clock(), limit=10, worker="dead")) == 1
    assert await env.dispatcher.run_once() == 0
    assert (await env.rows())[row_id].status == "claimed"  # young claim: its owner may be alive
    env.clock.advance(minutes=6)
    assert await env.dispatcher.run_once() == 1  # released, claimed again, sent
    row = (await env.rows())[row_id]
    assert (row.status, row.claimed_by, row.attempts) == ("sent", "test", 1)
    assert env.sent_texts() == [(1, "plain 1")]
    assert await env.dispatcher.run_once() == 0


async def test_a_row_whose_claim_was_lost_is_not_sent(env: Env) -> None:
    stolen = await env.add(1, 1, kind="stolen")
    fine = await env.add(2, 2)
    assert await env.dispatcher.run_once() == 2
    rows = await env.rows()
    # The hand-over is conditional on our claim: the other dispatcher's row is left to it.
    assert (rows[stolen].status, rows[stolen].claimed_by) == ("claimed", "other")
    assert rows[stolen].attempts == 0
    assert rows[fine].status == "sent"
    assert env.sent_texts() == [(2, "plain 2")]


async def _watch_statuses(deps: Deps, seen: list[Counter[str]], stop: asyncio.Event) -> None:
    """Sample the row statuses until `stop` is set."""
    while not stop.is_set():
        async with deps.read() as s:
            counts = await s.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            )
            seen.append(Counter({status: n for status, n in counts.all()}))
        await asyncio.sleep(0.005)


async def test_at_most_max_in_flight_rows_are_ever_sending(env: Env) -> None:
    chats = range(100, 140)
    for chat in chats:
        env.sb.add_user(chat, f"U{chat}")
    ids = [await env.add(chat, chat) for chat in chats]
    env.dispatcher.max_in_flight = 3
    env.sb.inject_fault("sendMessage", status=0, delay=0.03, times=len(ids))
    seen: list[Counter[str]] = []
    stop = asyncio.Event()
    watcher = asyncio.create_task(_watch_statuses(env.deps, seen, stop))
    try:
        assert await env.dispatcher.run_once() == len(ids)
    finally:
        stop.set()
        await watcher
    assert max(c["sending"] for c in seen) <= 3
    assert any(c["sending"] for c in seen)
    assert any(c["claimed"] > 20 for c in seen)  # the batch waits CLAIMED, not SENDING
    rows = await env.rows()
    assert {(rows[i].status, rows[i].attempts) for i in ids} == {("sent", 1)}
    assert len(env.sent_texts()) == len(ids)


async def _slow_run(
    env: Env, sandbox_users: range, run: Any
) -> tuple[asyncio.Task[int], list[int]]:
    """Rows for `sandbox_users` sent slowly (10/s, each call 50 ms); returns once 3 arrived."""
    for chat in sandbox_users:
        env.sb.add_user(chat, f"U{chat}")
    ids = [await env.add(chat, chat) for chat in sandbox_users]
    env.dispatcher._pacer = Pacer(10)
    env.sb.inject_fault("sendMessage", status=0, delay=0.05, times=len(ids))
    task = asyncio.create_task(run())
    await _until(lambda: len(env.sent_texts()) >= 3)
    return task, ids


async def test_shutdown_mid_batch_gives_the_untried_rows_back(env: Env) -> None:
    task, ids = await _slow_run(env, range(100, 120), env.dispatcher.run_pending)
    await env.dispatcher.aclose()  # waits for the run, which stops handing rows over
    assert await task == len(ids)
    rows = await env.rows()
    sent = {i for i in ids if rows[i].status == "sent"}
    assert 3 <= len(sent) < len(ids)
    assert len(env.sb.calls_to("sendMessage")) == len(sent)  # every call made was recorded
    for i in set(ids) - sent:
        row = rows[i]
        assert (row.status, row.attempts, row.claimed_by) == ("pending", 0, None)


async def test_a_cancelled_run_records_what_it_sent_and_gives_the_rest_back(env: Env) -> None:
    task, ids = await _slow_run(env, range(100, 120), env.dispatcher.run_once)
    task.cancel()  # what PTB's JobQueue does to a running job when the application stops
    with pytest.raises(asyncio.CancelledError):
        await task
    rows = await env.rows()
    sent = {i for i in ids if rows[i].status == "sent"}
    assert 3 <= len(sent) < len(ids)
    assert len(env.sb.calls_to("sendMessage")) == len(sent)  # in-flight calls were awaited
    assert Counter(rows[i].status for i in set(ids) - sent) == {"pending": len(ids) - len(sent)}
    assert {rows[i].attempts for i in set(ids) - sent} <= {0}
    # Nothing is left held: the next run sends the rest at once.
    env.dispatcher._pacer = Pacer(500)
    assert await env.dispatcher.run_once() == len(ids) - len(sent)
    assert sorted(text for _, text in env.sent_texts()) == sorted(
        f"plain {c}" for c in range(100, 120)
    )


@pytest.mark.wallclock
async def test_pacing_with_flood_limits_on(
    sandbox: SandboxServer, engine: AsyncEngine, database_url: str, clock: FakeClock
) -> None:
    sandbox.flood_limits = FloodLimits()  # Telegram-like: 30/s overall, 1/s per chat
    users = range(1, 31)
    for user_id in users:
        sandbox.add_user(user_id, f"U{user_id}")
    deps = make_deps(sandbox, engine, database_url, clock, KISBOT_SEND_RATE=25)
    async with sandbox_bot(sandbox) as bot:
        env = Env(sandbox, bot, deps, clock, database_url)
        for n in range(2):  # user 1 gets two in a row, then everybody two more
            await env.add(1, n)
        for n in range(60):
            await env.add(users[n % 30], 100 + n)
        assert await env.dispatcher.run_once() == 62
    calls = sandbox.calls_to("sendMessage")
    assert [c.status for c in calls] == [200] * 62 and sandbox.stats.throttled_429 == 0
    per_chat: dict[int, list[float]] = defaultdict(list)
    for call in calls:
        per_chat[int(call.params["chat_id"])].append(call.at)
    gaps = [b - a for times in per_chat.values() for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.95
    # The other chats went on meanwhile: user 1's four messages took 3 s, most others in between.
    first_four = per_chat[1][:4]
    assert sum(first_four[0] < c.at < first_four[-1] for c in calls) > 20
    # While enough chats have something to send, the global pace is the limit (user 1's last
    # messages trail at one a second, so the whole run is not the measure).
    steady = calls[:50]
    rate = (len(steady) - 1) / (steady[-1].at - steady[0].at)
    assert 0.9 * 25 <= rate <= 1.05 * 25
    assert {r.status for r in (await env.rows()).values()} == {"sent"}


@pytest.mark.wallclock
async def test_wake_during_a_run_asks_for_one_more(env: Env) -> None:
    await env.add(1, 1)
    env.sb.inject_fault("sendMessage", status=0, delay=0.3)  # keep the first run busy
    first = asyncio.create_task(env.dispatcher.run_pending())
    await asyncio.sleep(0.1)
    await env.add(2, 2)
    assert await env.dispatcher.run_pending() == 0  # no overlapping run...
    assert await first == 2  # ...but the running one went round again and took the new row
    assert sorted(env.sent_texts()) == [(1, "plain 1"), (2, "plain 2")]


@pytest.mark.wallclock
async def test_install_dispatcher_sends_through_the_application(
    sandbox: SandboxServer, engine: AsyncEngine, database_url: str, clock: FakeClock
) -> None:
    settings = make_settings(sandbox, database_url)
    app = build_application(settings, engine=engine, clock=clock, migrate_on_start=False)
    dispatcher = install_dispatcher(app, RENDERERS, interval=30)
    assert app.bot_data["dispatcher"] is dispatcher
    # PTB's AIORateLimiter would retry a 429 itself; the dispatcher must see it.
    assert dispatcher.bot is not app.bot and getattr(dispatcher.bot, "rate_limiter", None) is None
    anna = sandbox.add_user(7, "Anna")
    deps: Deps = app.bot_data["deps"]
    await start_polling_app(app)
    try:
        sandbox.inject_fault("sendMessage", status=429, retry_after=1, chat_id=7)
        async with deps.transaction() as s:
            await outbox.enqueue(
                s, chat_id=7, person_id=None, kind="plain", due_at=clock(), payload={"n": 1}
            )
        dispatcher.wake()
        await _until(lambda: len(sandbox.calls_to("sendMessage")) == 1)
        await asyncio.sleep(0.3)
        assert anna.messages == []  # the 429 was not retried behind our back
        clock.advance(seconds=1)
        dispatcher.wake()
        reply = await anna.expect(timeout=5)
        assert reply.text == "plain 1"
    finally:
        await stop_polling_app(app)
    async with deps.sessionmaker() as s:
        assert [r.status for r in await s.scalars(select(OutboxMessage))] == ["sent"]


async def _until(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


@pytest.mark.postgres
async def test_two_dispatchers_share_one_postgresql_database(
    sandbox: SandboxServer, pg_server_url: str, pg_database_factory: list[str], clock: FakeClock
) -> None:
    from tests.conftest import create_pg_database

    url = await create_pg_database(pg_server_url, pg_database_factory)
    users = range(1, 51)
    for user_id in users:
        sandbox.add_user(user_id, f"U{user_id}")
    engines = [create_engine(url), create_engine(url)]  # two processes, two pools
    try:
        sm: Sessionmaker = create_sessionmaker(engines[0])
        async with sm.begin() as s:
            for n in range(1000):
                await outbox.enqueue(
                    s,
                    chat_id=users[n % 50],
                    person_id=None,
                    kind="plain",
                    due_at=clock() - timedelta(seconds=1),
                    payload={"n": n},
                )
        async with sandbox_bot(sandbox) as bot_a, sandbox_bot(sandbox) as bot_b:
            dispatchers = [
                Dispatcher(
                    bot,
                    make_deps(
                        sandbox, eng, url, clock, KISBOT_SEND_RATE=2000, KISBOT_OVERALL_MAX_RATE=0
                    ),
                    RENDERERS,
                    worker=name,
                    batch=100,
                    per_chat_interval=0.0,  # flood limits are off; this test is about claims
                )
                for bot, eng, name in ((bot_a, engines[0], "a"), (bot_b, engines[1], "b"))
            ]
            handled = await asyncio.gather(*(d.run_pending() for d in dispatchers))
        assert sum(handled) == 1000 and min(handled) > 0  # both took part
        sent = Counter(
            (int(c.params["chat_id"]), str(c.params["text"]))
            for c in sandbox.calls_to("sendMessage")
        )
        expected = {(users[n % 50], f"plain {n}") for n in range(1000)}
        assert set(sent) == expected  # none missing
        assert max(sent.values()) == 1  # none twice
        async with sm() as s:
            rows = list(await s.scalars(select(OutboxMessage)))
        assert Counter(r.status for r in rows) == {"sent": 1000}
        assert {r.claimed_by for r in rows} == {"a", "b"}
    finally:
        for eng in engines:
            await eng.dispose()
