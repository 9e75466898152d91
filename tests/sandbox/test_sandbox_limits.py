"""Flood limits, blocked users, fault injection and the loopback-only rule."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from sandbox import FloodLimits, SandboxServer


def seconds(error: RetryAfter) -> float:
    """retry_after of a PTB RetryAfter (int or timedelta depending on settings)."""
    value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


@pytest.mark.wallclock
async def test_per_chat_flood_limit_answers_429(sb: SandboxServer, bot: Bot) -> None:
    sb.add_user(42, "Ala")
    sb.add_user(43, "Ola")
    sb.flood_limits = FloodLimits(per_chat_per_s=1, per_chat_burst=3, global_per_s=1000)
    for index in range(3):
        await bot.send_message(42, f"m{index}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(42, "too fast")
    assert seconds(caught.value) == 1
    await bot.send_message(43, "other chat is fine")
    assert sb.stats.throttled_429 == 1
    assert [c.status for c in sb.calls_to("sendMessage")][-2:] == [429, 200]
    assert sb.violations == []


@pytest.mark.wallclock
async def test_global_flood_limit_and_retry_after_value(sb: SandboxServer, bot: Bot) -> None:
    for user_id in range(1, 6):
        sb.add_user(user_id, f"U{user_id}")
    sb.flood_limits = FloodLimits(global_per_s=0.25, per_chat_per_s=100, per_chat_burst=100)
    await bot.send_message(1, "first")  # bucket capacity is at least one token
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(2, "second")
    assert seconds(caught.value) == 4
    assert sb.stats.throttled_429 == 1


async def test_flood_limits_can_be_disabled_at_runtime(sb: SandboxServer, bot: Bot) -> None:
    sb.add_user(42, "Ala")
    sb.flood_limits = FloodLimits(per_chat_burst=1, per_chat_per_s=0.1)
    await bot.send_message(42, "one")
    with pytest.raises(RetryAfter):
        await bot.send_message(42, "two")
    sb.flood_limits = FloodLimits(enabled=False)
    for index in range(50):
        await bot.send_message(42, f"burst {index}")
    assert sb.stats.throttled_429 == 1


async def test_edits_consume_tokens_but_chat_actions_do_not(sb: SandboxServer, bot: Bot) -> None:
    sb.add_user(42, "Ala")
    sb.flood_limits = FloodLimits(per_chat_burst=2, per_chat_per_s=0.5)
    await bot.send_message(42, "one")
    for _ in range(5):
        await bot.send_chat_action(42, "typing")
    await bot.edit_message_text("two", chat_id=42, message_id=1)
    with pytest.raises(RetryAfter):
        await bot.edit_message_text("three", chat_id=42, message_id=1)


async def test_blocked_user_gets_403(sb: SandboxServer, bot: Bot) -> None:
    user = sb.add_user(42, "Ala")
    await bot.send_message(42, "hello")
    user.block()
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(42, "are you there?")
    with pytest.raises(Forbidden):
        await bot.edit_message_text("edited", chat_id=42, message_id=1)
    assert sb.stats.forbidden_403 == 2
    (update,) = await bot.get_updates()
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"
    user.unblock()
    await bot.send_message(42, "welcome back")
    assert len(user.messages) == 2
    assert sb.violations == []


async def test_fault_injection_status_times_and_chat(sb: SandboxServer, bot: Bot) -> None:
    sb.add_user(42, "Ala")
    sb.add_user(43, "Ola")
    sb.inject_fault("sendMessage", status=400, description="Bad Request: boom", times=2, chat_id=43)
    await bot.send_message(42, "not matched")
    for _ in range(2):
        with pytest.raises(BadRequest, match=r"(?i)boom"):
            await bot.send_message(43, "x")
    await bot.send_message(43, "recovered")
    sb.inject_fault(status=502, description="Bad Gateway")
    with pytest.raises(NetworkError):
        await bot.get_me()
    sb.inject_fault("sendmessage", status=429, retry_after=3)
    with pytest.raises(RetryAfter):
        await bot.send_message(42, "limited")
    assert sb.stats.faults_injected == 4
    assert sb.violations == []


async def test_fault_drop_closes_the_connection_without_an_answer(
    sb: SandboxServer, bot: Bot
) -> None:
    user = sb.add_user(42, "Ala")
    sb.inject_fault("sendMessage", drop=True, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.send_message(42, "lost")
    await bot.send_message(42, "delivered")
    assert [m.text for m in user.messages] == ["delivered"]  # a dropped call is not carried out
    assert [c.status for c in sb.calls_to("sendMessage")] == [0, 0, 200]
    assert sb.violations == []


@pytest.mark.wallclock
async def test_fault_delay_causes_client_timeout(sb: SandboxServer) -> None:
    request = HTTPXRequest(read_timeout=0.2)
    async with Bot("1:x", base_url=sb.base_url, request=request) as slow_bot:
        sb.inject_fault("getMe", status=0, delay=0.6)
        with pytest.raises(TimedOut):
            await slow_bot.get_me()
    # The fault is consumed: the next call is immediate.
    async with Bot("1:x", base_url=sb.base_url) as fast_bot:
        started = time.monotonic()
        await fast_bot.get_me()
        assert time.monotonic() - started < 0.5
    await asyncio.sleep(0.5)  # let the delayed handler finish before the server stops


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.org", "::"])
async def test_start_refuses_non_loopback_hosts(host: str) -> None:
    server = SandboxServer()
    with pytest.raises(ValueError, match="loopback"):
        await server.start(host=host)


async def test_start_accepts_localhost() -> None:
    server = SandboxServer()
    await server.start(host="localhost")
    try:
        assert server.port > 0
        assert server.base_url == f"http://127.0.0.1:{server.port}/bot"
        assert server.base_file_url == f"http://127.0.0.1:{server.port}/file/bot"
    finally:
        await server.stop()
