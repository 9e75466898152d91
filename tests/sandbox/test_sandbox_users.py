"""Simulated users talking to a real PTB Application through the sandbox."""

from __future__ import annotations

import time

import pytest
from telegram import Bot
from telegram.ext import Application

from sandbox import SandboxServer

pytestmark = pytest.mark.usefixtures("app")


async def test_echo_round_trip(sb: SandboxServer) -> None:
    user = sb.add_user(42, "Ala")
    started = time.monotonic()
    reply = await user.say("dzień dobry")
    assert reply.text == "echo: dzień dobry"
    assert time.monotonic() - started < 1.0  # long polling wakes up at once
    assert user.last_message is not None and user.last_message.text == "echo: dzień dobry"
    assert sb.violations == []


async def test_start_deep_link_and_inline_buttons(sb: SandboxServer) -> None:
    user = sb.add_user(42, "Ala")
    reply = await user.say("/start invite-123")
    assert reply.text == "Welcome invite-123"
    assert reply.last.entities[0]["type"] == "bold"
    assert reply.buttons == ["Yes", "Alert", "Site"]
    assert user.inline_buttons() == [[("Yes", "yes"), ("Alert", "alert")], [("Site", None)]]

    tapped = await user.tap("Yes")
    assert tapped.answer is not None and tapped.answer.text == "Saved"
    assert tapped.text == "You said yes" and tapped.last.edited == 1
    assert user.messages[-1].reply_markup is None
    assert sb.violations == []


async def test_answer_only_press_returns_the_answer(sb: SandboxServer) -> None:
    user = sb.add_user(42, "Ala")
    await user.say("/start")
    reply = await user.tap("Alert")
    assert reply.messages == []
    assert reply.answer is not None
    assert (reply.answer.text, reply.answer.show_alert) == ("Careful!", True)


async def test_forged_callback_data(sb: SandboxServer) -> None:
    user = sb.add_user(42, "Ala")
    await user.say("/start")
    await user.press_data("admin:delete-all")
    reply = await user.expect()
    assert reply.answer is not None and reply.answer.text == "Unknown button"
    assert reply.answer.data == "admin:delete-all"


async def test_reply_keyboard_and_request_contact(sb: SandboxServer) -> None:
    user = sb.add_user(42, "Ala", phone_number="+48600700800")
    reply = await user.say("/menu")
    assert reply.buttons == ["Hello", "Share phone"]
    assert user.reply_keyboard == [["Hello"], ["Share phone"]]
    assert (await user.tap("Hello")).text == "echo: Hello"
    # one_time_keyboard: the keyboard is hidden after use.
    assert user.reply_keyboard is None
    await user.say("/menu")
    reply = await user.tap("Share", contains=True)
    assert reply.text == "contact +48600700800 own=True"
    await user.share_contact("+48111222333", user_id=999)
    assert (await user.expect()).text == "contact +48111222333 own=False"
    assert sb.violations == []


async def test_press_unknown_button_lists_available_ones(sb: SandboxServer) -> None:
    user = sb.add_user(42, "Ala")
    await user.say("/start")
    with pytest.raises(LookupError) as caught:
        await user.press("Nope", wait=0.2)
    message = str(caught.value)
    assert "'Nope'" in message and "['Yes', 'Alert']" in message and "reply keyboard" in message
    with pytest.raises(ValueError, match="url button"):
        await user.press("Site")


async def test_expect_timeout_is_helpful(sb: SandboxServer) -> None:
    user = sb.add_user(42, "Ala")
    await user.say("hi")
    await user.send_sticker()
    with pytest.raises(TimeoutError, match=r"(?s)send_sticker.*echo: hi"):
        await user.expect(timeout=0.3)


async def test_silence_and_idle(sb: SandboxServer) -> None:
    user = sb.add_user(42, "Ala")
    await user.send_location()
    await sb.idle(quiet=0.1, timeout=5)
    assert await user.silence(0.1) == []
    await user.send("talk")
    events = await user.silence(0.3)
    assert [e.kind for e in events] == ["message"]


@pytest.mark.parametrize("probe", ["bot_idle", "bot_background_idle"])
async def test_silence_waits_for_a_busy_bot_and_no_longer(
    sb: SandboxServer, bot: Bot, probe: str
) -> None:
    """With probes telling when the bot is done (handling updates, or its background work),
    silence() sees a late reply of a busy bot and returns as soon as the bot has finished,
    well before its upper bound."""
    import asyncio

    busy = True
    sb.bot_idle = lambda: True
    setattr(sb, probe, lambda: not busy)
    user = sb.add_user(42, "Ala")

    async def late_reply() -> None:
        nonlocal busy
        await asyncio.sleep(0.3)
        await bot.send_message(42, "late")
        busy = False

    task = asyncio.create_task(late_reply())
    events = await user.silence(5.0)
    await task
    assert [e.kind for e in events] == ["message"]
    started = time.monotonic()
    assert await user.silence(5.0) == []
    assert time.monotonic() - started < 1.0


async def test_many_users_in_parallel(sb: SandboxServer) -> None:
    import asyncio

    users = [sb.add_user(1000 + i, f"U{i}") for i in range(30)]
    replies = await asyncio.gather(*(u.say(f"hi {u.id}") for u in users))
    assert [r.text for r in replies] == [f"echo: hi {u.id}" for u in users]
    assert sb.stats.messages_sent == 30
    assert sb.violations == []


async def test_bot_and_application_share_the_sandbox(sb: SandboxServer, app: Application) -> None:  # type: ignore[type-arg]
    user = sb.add_user(42, "Ala")
    bot: Bot = app.bot
    await bot.send_message(42, "broadcast")
    reply = await user.expect()
    assert reply.text == "broadcast"
