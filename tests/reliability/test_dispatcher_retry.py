"""Transient Telegram failures: retried while the message is useful, then expired with a reason.

Reminders, offers and announcements used to be given up for good after 8 attempts (10.6
minutes of 502s or dropped connections) and never sent when Telegram came back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from sandbox import SandboxServer
from scheduler.dispatcher import BACKOFF_MAX, Dispatcher
from services import outbox
from tests.conftest import FakeClock
from tests.reliability.test_dispatcher import RENDERERS, Env, make_deps, render_plain, sandbox_bot

KINDS = {"ws_reminder": render_plain, "ws_offer": render_plain, "broadcast": render_plain}


@pytest.fixture
async def env(
    sandbox: SandboxServer, engine: AsyncEngine, database_url: str, clock: FakeClock
) -> AsyncIterator[Env]:
    """test_dispatcher's Env, with the real kinds' names and announcements useful for 2 h."""
    for user_id in (1, 2, 3):
        sandbox.add_user(user_id, f"User{user_id}")
    deps = make_deps(
        sandbox,
        engine,
        database_url,
        clock,
        KISBOT_SEND_RATE=200,
        KISBOT_OVERALL_MAX_RATE=0,
        KISBOT_BROADCAST_MAX_AGE_HOURS=2,
    )
    async with sandbox_bot(sandbox) as bot:
        env = Env(sandbox, bot, deps, clock, database_url)
        env.dispatcher = Dispatcher(bot, deps, {**RENDERERS, **KINDS}, worker="test")
        env.dispatcher.per_chat_interval = 0.0  # many runs for one chat: no real-time waits
        yield env


async def _fail_until_final(env: Env, row_id: int, limit: timedelta) -> list[float]:
    """Run the dispatcher at each retry's due time until the row is final or `limit` of
    (fake) time has passed; returns the delays between the tries."""
    start = env.clock()
    delays: list[float] = []
    while env.clock() - start < limit:
        before = env.clock()
        assert await env.dispatcher.run_once() == 1
        row = (await env.rows())[row_id]
        if row.status != "pending":
            break
        delays.append((row.due_at - before).total_seconds())
        env.clock.now = row.due_at
    return delays


async def test_a_reminder_outlives_a_long_outage_and_goes_out_when_telegram_is_back(
    env: Env,
) -> None:
    # The appointment is in 3 hours; the reminder is due now. Telegram answers 502 for a
    # while, then the connections are dropped, for 40 minutes in all.
    reminder = await env.add(1, 1, kind="ws_reminder", expires_in=3 * 3600)
    env.sb.inject_fault("sendMessage", status=502, chat_id=1, times=8)
    env.sb.inject_fault("sendMessage", drop=True, chat_id=1, times=1000)
    delays = await _fail_until_final(env, reminder, timedelta(minutes=40))
    row = (await env.rows())[reminder]
    assert row.status == "pending"  # still wanted: not given up
    assert row.attempts >= 12 and sum(delays) > 40 * 60
    assert max(delays) == BACKOFF_MAX.total_seconds()  # capped: never more than 5 min apart
    assert (row.last_error or "").startswith("network error")
    assert env.sent_texts() == []

    env.sb.clear_faults()  # Telegram is back: the next retry, at most 5 minutes later, gets it
    env.clock.now = row.due_at
    assert await env.dispatcher.run_once() == 1
    row = (await env.rows())[reminder]
    assert (row.status, row.sent_at) == ("sent", env.clock())
    assert env.sent_texts() == [(1, "ws_reminder 1")]
    env.clock.advance(hours=1)
    assert await env.dispatcher.run_once() == 0  # sent once


async def test_a_reminder_expires_with_its_reason_once_the_appointment_passed(env: Env) -> None:
    # The appointment starts in 30 minutes; Telegram stays down past it.
    reminder = await env.add(1, 1, kind="ws_reminder", expires_in=30 * 60)
    env.sb.inject_fault("sendMessage", status=502, chat_id=1, times=1000)
    delays = await _fail_until_final(env, reminder, timedelta(hours=2))
    row = (await env.rows())[reminder]
    # 5+10+20+40+80+160+300+300+300+300+300 s = 31.5 min: the 11th retry would be too late.
    assert delays == [5, 10, 20, 40, 80, 160, 300, 300, 300, 300]
    assert row.status == "expired"
    assert row.last_error == "expired: appointment passed (last error: network error: Bad Gateway)"
    assert env.sent_texts() == []

    # A reminder waiting for its retry while the appointment starts (the bot was down) is
    # expired with the same reason, not sent late.
    env.sb.clear_faults()
    late = await env.add(2, 2, kind="ws_reminder", expires_in=60)
    env.sb.inject_fault("sendMessage", status=502, chat_id=2)
    assert await env.dispatcher.run_once() == 1
    assert (await env.rows())[late].status == "pending"
    env.clock.advance(minutes=2)
    assert await env.dispatcher.run_once() == 0
    row = (await env.rows())[late]
    assert (row.status, row.last_error) == ("expired", "expired: appointment passed")
    assert env.sent_texts() == []


async def test_an_offer_is_retried_until_its_deadline(env: Env) -> None:
    offer = await env.add(1, 1, kind="ws_offer", expires_in=20 * 60)
    env.sb.inject_fault("sendMessage", status=504, chat_id=1, times=1000)
    delays = await _fail_until_final(env, offer, timedelta(hours=1))
    assert sum(delays) < 20 * 60 <= sum(delays) + BACKOFF_MAX.total_seconds()
    row = (await env.rows())[offer]
    assert row.status == "expired"
    assert (row.last_error or "").startswith("expired: offer deadline passed (last error:")


async def test_an_announcement_expires_after_the_configured_time(env: Env) -> None:
    # KISBOT_BROADCAST_MAX_AGE_HOURS=2 (see the fixture). A row queued before expires_at was
    # set for announcements counts from its creation.
    queued_before = await env.add(1, 1, kind="broadcast")
    env.sb.inject_fault("sendMessage", drop=True, chat_id=1, times=1000)
    delays = await _fail_until_final(env, queued_before, timedelta(hours=5))
    assert 90 * 60 < sum(delays) < 2 * 3600 <= sum(delays) + BACKOFF_MAX.total_seconds()
    row = (await env.rows())[queued_before]
    assert row.status == "expired"
    assert (row.last_error or "").startswith("expired: announcement too old (last error:")

    # A pending announcement whose max age passed before it could be tried again.
    env.sb.clear_faults()
    old = await env.add(2, 2, kind="broadcast", expires_in=3600)
    env.clock.advance(hours=1)
    assert await env.dispatcher.run_once() == 0
    row = (await env.rows())[old]
    assert (row.status, row.last_error) == ("expired", "expired: announcement too old")
    assert env.sent_texts() == []


async def test_permanent_errors_are_not_retried(env: Env) -> None:
    env.sb.user(2).block()
    blocked = await env.add(2, 1, kind="ws_reminder", expires_in=3600)
    bad = await env.add(424242, 2, kind="ws_reminder", expires_in=3600)
    assert await env.dispatcher.run_once() == 2
    rows = await env.rows()
    assert (rows[blocked].status, rows[blocked].attempts) == ("blocked", 1)
    assert (rows[bad].status, rows[bad].attempts) == ("failed", 1)
    env.clock.advance(minutes=10)
    assert await env.dispatcher.run_once() == 0


def test_expiry_reasons_name_what_passed() -> None:
    assert outbox.expiry_reason("consult_reminder") == "expired: appointment passed"
    assert outbox.expiry_reason("ws_offer") == "expired: offer deadline passed"
    assert outbox.expiry_reason("broadcast") == "expired: announcement too old"
    assert outbox.expiry_reason("care_roster") == outbox.EXPIRED_ERROR
