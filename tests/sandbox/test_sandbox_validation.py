"""Every call is checked against the Bot API spec; problems become violations."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from telegram.error import BadRequest

from sandbox import SandboxServer


@pytest.fixture(autouse=True)
def _user(sb: SandboxServer) -> None:
    sb.add_user(42, "Ala")


def kinds(sb: SandboxServer) -> list[str]:
    return [v.kind for v in sb.violations]


async def raw_call(sb: SandboxServer, method: str, payload: dict[str, Any]) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{sb.base_url}1:x/{method}", json=payload) as response:
            return response.status, await response.json()


async def test_well_behaved_calls_have_no_violations(sb: SandboxServer, bot: Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("ż" * 10, callback_data="ą" * 32)]])
    await bot.send_message(42, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML", reply_markup=markup)
    await bot.send_message(42, "x", reply_markup=ReplyKeyboardMarkup([[KeyboardButton("Hi")]]))
    await bot.set_my_commands([BotCommand("my_cmd_2", "d" * 256)])
    assert sb.violations == []


async def test_unknown_method_is_404_and_recorded(sb: SandboxServer) -> None:
    status, body = await raw_call(sb, "sendMesage", {"chat_id": 42, "text": "x"})
    assert status == 404 and body["description"] == "Not Found"
    assert kinds(sb) == ["unknown_method"]
    assert "sendMesage" in sb.violations[0].problem


async def test_unknown_parameter(sb: SandboxServer, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)unknown parameter 'colour'"):
        await bot.send_message(42, "x", api_kwargs={"colour": "red"})
    (violation,) = sb.violations
    assert violation.method == "sendMessage" and violation.kind == "unknown_parameter"
    assert "colour" in violation.params_summary


async def test_missing_required_parameter(sb: SandboxServer, bot: Bot) -> None:
    status, body = await raw_call(sb, "sendMessage", {"chat_id": 42})
    assert status == 400
    assert body["description"] == "Bad Request: missing required parameter 'text'"
    assert kinds(sb) == ["missing_parameter"]


async def test_type_mismatch(sb: SandboxServer) -> None:
    status, body = await raw_call(
        sb, "sendMessage", {"chat_id": 42, "text": "x", "disable_notification": "maybe"}
    )
    assert status == 400 and "expected Boolean" in body["description"]
    status, _ = await raw_call(
        sb, "sendMessage", {"chat_id": 42, "text": "x", "reply_markup": {"inline_keyboard": "no"}}
    )
    assert status == 400
    assert kinds(sb) == ["type", "type"]


async def test_text_of_4097_characters(sb: SandboxServer, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="1-4096"):
        await bot.send_message(42, "a" * 4097)
    await bot.send_message(42, "start")
    with pytest.raises(BadRequest):
        await bot.edit_message_text("a" * 4097, chat_id=42, message_id=1)
    with pytest.raises(BadRequest):
        await bot.send_message(42, "   ")
    assert kinds(sb) == ["limit", "limit", "limit"]


async def test_html_length_is_counted_after_tags_and_entities(sb: SandboxServer, bot: Bot) -> None:
    await bot.send_message(42, "<i>" + "a" * 4095 + "</i>&lt;", parse_mode="HTML")
    assert sb.violations == []
    with pytest.raises(BadRequest):
        await bot.send_message(42, "a" * 4096 + "&amp;", parse_mode="HTML")
    assert kinds(sb) == ["limit"]


async def test_html_markup_errors(sb: SandboxServer, bot: Bot) -> None:
    for text in ("<b>unclosed", "line<br>break", "<b><i>x</b></i>", '<span class="x">y</span>'):
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(42, text, parse_mode="HTML")
    assert set(kinds(sb)) == {"html"}
    supported = (
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>"
        '<strike>k</strike><del>d</del><a href="https://x.org">a</a><code>c</code>'
        '<pre><code class="language-python">p</code></pre><tg-spoiler>t</tg-spoiler>'
        '<span class="tg-spoiler">s</span><blockquote expandable>q</blockquote>'
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    before = len(sb.violations)
    sent = await bot.send_message(42, supported, parse_mode="HTML")
    assert len(sb.violations) == before
    assert len(sent.entities) == 16


async def test_caption_over_1024(sb: SandboxServer, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="0-1024"):
        await bot.send_document(42, b"x", filename="x.txt", caption="c" * 1025)
    assert kinds(sb) == ["limit"]


async def test_callback_data_of_65_bytes(sb: SandboxServer, bot: Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="x" * 65)]])
    with pytest.raises(BadRequest, match="callback_data"):
        await bot.send_message(42, "x", reply_markup=markup)
    utf8 = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="ą" * 33)]])
    with pytest.raises(BadRequest, match="66"):
        await bot.send_message(42, "x", reply_markup=utf8)
    assert kinds(sb) == ["limit", "limit"]


async def test_inline_button_with_two_actions(sb: SandboxServer, bot: Bot) -> None:
    button = InlineKeyboardButton("A", callback_data="a", url="https://example.org")
    with pytest.raises(BadRequest, match="exactly one action"):
        await bot.send_message(42, "x", reply_markup=InlineKeyboardMarkup([[button]]))
    status, _ = await raw_call(
        sb,
        "sendMessage",
        {"chat_id": 42, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "A"}]]}},
    )
    assert status == 400
    assert kinds(sb) == ["button", "button"]


async def test_bad_bot_commands(sb: SandboxServer, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="must match"):
        await bot.set_my_commands([BotCommand("Start", "Start")])
    with pytest.raises(BadRequest):
        await bot.set_my_commands([BotCommand("start", "")])
    with pytest.raises(BadRequest):
        await bot.set_my_commands([BotCommand("x" * 33, "too long")])
    assert kinds(sb) == ["command", "command", "command"]
    assert sb.commands() == []


async def test_command_scope_subtype_is_checked(sb: SandboxServer) -> None:
    command = [{"command": "a", "description": "b"}]
    status, _ = await raw_call(
        sb, "setMyCommands", {"commands": command, "scope": {"type": "chat"}}
    )
    assert status == 400
    status, _ = await raw_call(sb, "setMyCommands", {"commands": command, "scope": {"type": "x"}})
    assert status == 400
    assert kinds(sb) == ["missing_parameter", "type"]


async def test_nested_unknown_field(sb: SandboxServer) -> None:
    markup = {"keyboard": [[{"text": "a", "colour": "red"}]]}
    status, body = await raw_call(
        sb, "sendMessage", {"chat_id": 42, "text": "x", "reply_markup": markup}
    )
    assert status == 400 and "colour" in body["description"]
    assert kinds(sb) == ["unknown_parameter"]


async def test_unimplemented_method(sb: SandboxServer, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)not implemented by sandbox"):
        await bot.send_poll(42, "Q?", ["a", "b"])
    assert kinds(sb) == ["unimplemented"]
    assert sb.violations[0].method == "sendPoll"


async def test_markdown_v2_reserved_characters(sb: SandboxServer, bot: Bot) -> None:
    sent = await bot.send_message(42, r"*Termin:* 12\.05 \- sala _A_", parse_mode="MarkdownV2")
    assert sent.text == "Termin: 12.05 - sala A"
    assert sb.violations == []
    with pytest.raises(BadRequest, match="reserved"):
        await bot.send_message(42, "Termin 12.05", parse_mode="MarkdownV2")
    assert kinds(sb) == ["markdown"]
