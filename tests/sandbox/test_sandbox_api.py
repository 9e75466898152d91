"""Bot API behaviour of the sandbox, driven by a real PTB Bot."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonCommands,
    Message,
)
from telegram.error import BadRequest, Conflict

from sandbox import SandboxServer

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])


async def test_get_me_uses_token_id(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot and me.username == "kis_sandbox_bot" and me.first_name == "KIS"


async def test_bad_token_is_unauthorized(sb: SandboxServer) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{sb.base_url}nodigits/getMe") as response:
            assert response.status == 401
            assert await response.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }


async def test_method_names_are_case_insensitive_and_json_bodies_work(sb: SandboxServer) -> None:
    sb.add_user(7, "Ola")
    url = f"{sb.base_url}1:x/SENDMESSAGE"
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json={"chat_id": 7, "text": "hi"}) as response:
            body = await response.json()
        async with session.get(f"{sb.base_url}1:x/getme?{urllib.parse.urlencode({})}") as r2:
            me = await r2.json()
    assert body["ok"] and body["result"]["text"] == "hi"
    assert me["result"]["id"] == 1
    assert sb.violations == []


@pytest.mark.wallclock
async def test_long_polling_wakes_immediately(sb: SandboxServer, bot: Bot) -> None:
    user = sb.add_user(42, "Ala")

    async def send_later() -> None:
        await asyncio.sleep(0.2)
        await user.send("hello")

    task = asyncio.create_task(send_later())
    started = time.monotonic()
    updates = await bot.get_updates(timeout=10)
    elapsed = time.monotonic() - started
    await task
    assert [u.message.text for u in updates if u.message] == ["hello"]
    assert elapsed < 1.5


async def test_long_polling_times_out_empty(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 2.5


async def test_offset_confirms_updates(sb: SandboxServer, bot: Bot) -> None:
    user = sb.add_user(42, "Ala")
    for text in ("one", "two", "three"):
        await user.send(text)
    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first if u.message] == ["one", "two"]
    again = await bot.get_updates()
    assert len(again) == 3  # nothing confirmed yet
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest if u.message] == ["three"]
    assert sb.pending_updates == 1
    assert await bot.get_updates(offset=rest[-1].update_id + 1) == ()
    assert sb.pending_updates == 0


async def test_command_entity_and_user_fields(sb: SandboxServer, bot: Bot) -> None:
    user = sb.add_user(42, "Ala", last_name="Nowak", username="ala")
    await user.send("/start@kis_sandbox_bot abc")
    (update,) = await bot.get_updates()
    message = update.message
    assert message is not None and message.from_user is not None
    assert message.entities[0].type == "bot_command"
    assert message.entities[0].length == len("/start@kis_sandbox_bot")
    assert message.from_user.language_code == "pl"
    assert message.chat.id == 42 and message.chat.type == "private"


async def test_send_and_edit_round_trip(sb: SandboxServer, bot: Bot) -> None:
    user = sb.add_user(42, "Ala")
    sent = await bot.send_message(
        42, "<b>Hi</b> &amp; bye", parse_mode="HTML", reply_markup=KEYBOARD
    )
    assert sent.message_id == 1 and sent.text == "Hi & bye"
    assert sent.entities[0].type == "bold" and sent.text_html == "<b>Hi</b> &amp; bye"
    assert sent.reply_markup == KEYBOARD
    assert sent.from_user is not None and sent.from_user.is_bot
    second = await bot.send_message(42, "second")
    assert second.message_id == 2

    edited = await bot.edit_message_text("changed", chat_id=42, message_id=1, reply_markup=KEYBOARD)
    assert isinstance(edited, type(sent)) and edited.edit_date is not None
    assert user.messages[0].text == "changed" and user.messages[0].edited == 1

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("changed", chat_id=42, message_id=1, reply_markup=KEYBOARD)
    # Without reply_markup the inline keyboard is removed: that is a modification.
    plain = await bot.edit_message_reply_markup(chat_id=42, message_id=1)
    assert not isinstance(plain, bool) and plain.reply_markup is None
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=42, message_id=99)
    assert await bot.delete_message(42, 2)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(42, 2)
    assert [m.message_id for m in user.messages] == [1]
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999, "nobody")
    assert sb.violations == []
    assert [e.kind for e in user.events] == ["message", "message", "edit", "edit", "delete"]


async def test_answer_callback_query_reaches_user(sb: SandboxServer, bot: Bot) -> None:
    user = sb.add_user(42, "Ala")
    await bot.send_message(42, "pick", reply_markup=KEYBOARD)
    await user.press("A")
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert query is not None and query.data == "a"
    assert isinstance(query.message, Message) and query.message.reply_markup == KEYBOARD
    assert await query.answer("Done", show_alert=True)
    reply = await user.expect(timeout=2, answer_settle=0.05)
    assert reply.messages == []
    assert reply.answer is not None
    assert (reply.answer.text, reply.answer.show_alert, reply.answer.data) == ("Done", True, "a")
    with pytest.raises(BadRequest, match=r"(?i)query ID is invalid"):
        await query.answer("again")


async def test_documents_photos_and_file_download(sb: SandboxServer, bot: Bot) -> None:
    user = sb.add_user(42, "Ala")
    doc = await bot.send_document(42, b"a;b\n1;2\n", filename="report.csv", caption="Report")
    assert doc.document is not None and doc.caption == "Report"
    assert doc.document.file_name == "report.csv" and doc.document.file_size == 8
    (sent,) = user.documents
    assert sent.document is not None and sent.document.content == b"a;b\n1;2\n"
    assert sent.document.mime_type == "text/csv"
    again = await bot.send_document(42, doc.document.file_id)
    assert again.document is not None and again.document.file_id == doc.document.file_id
    file = await bot.get_file(doc.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"a;b\n1;2\n"

    from sandbox.users import TINY_PNG

    photo = await bot.send_photo(42, TINY_PNG, caption="<i>pic</i>", parse_mode="HTML")
    assert photo.photo and photo.photo[-1].width == 1 and photo.caption == "pic"
    assert user.photos[0].photo is not None and user.photos[0].photo.content == TINY_PNG
    edited = await bot.edit_message_caption(chat_id=42, message_id=photo.message_id, caption="new")
    assert not isinstance(edited, bool) and edited.caption == "new"
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_document(42, "no-such-file-id")
    assert sb.violations == []


async def test_user_uploads_can_be_downloaded(sb: SandboxServer, bot: Bot) -> None:
    user = sb.add_user(42, "Ala")
    await user.send_photo()
    (update,) = await bot.get_updates()
    assert update.message is not None and update.message.photo
    file = await update.message.photo[-1].get_file()
    assert (await file.download_as_bytearray())[:4] == b"\x89PNG"


async def test_commands_are_stored_per_scope_and_language(sb: SandboxServer, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("help", "Pomoc")])
    scope = BotCommandScopeChat(42)
    await bot.set_my_commands([BotCommand("admin", "Admin panel")], scope=scope, language_code="pl")
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert sb.commands() == [
        {"command": "start", "description": "Start"},
        {"command": "help", "description": "Pomoc"},
    ]
    assert sb.commands({"type": "chat", "chat_id": 42}, "pl")[0]["command"] == "admin"
    assert await bot.get_my_commands(scope=scope) == ()
    await bot.delete_my_commands()
    assert sb.commands() == []
    assert sb.violations == []


async def test_misc_methods(sb: SandboxServer, bot: Bot) -> None:
    sb.add_user(42, "Ala", username="ala")
    chat = await bot.get_chat(42)
    assert chat.first_name == "Ala" and chat.username == "ala"
    assert await bot.send_chat_action(42, "typing")
    assert await bot.set_chat_menu_button(chat_id=42, menu_button=MenuButtonCommands())
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.delete_webhook(drop_pending_updates=True)
    sent = await bot.send_message("@ala", "by username")
    assert sent.chat.id == 42
    assert sb.violations == []


async def test_webhook_blocks_get_updates(sb: SandboxServer, bot: Bot) -> None:
    assert await bot.set_webhook("https://example.org/hook")
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    with pytest.raises(Conflict):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_calls_and_stats_are_recorded(sb: SandboxServer, bot: Bot) -> None:
    sb.add_user(42, "Ala")
    await bot.send_message(42, "one")
    await bot.send_message(42, "two")
    calls = sb.calls_to("sendMessage")
    assert [c.params["text"] for c in calls] == ["one", "two"]
    assert all(c.chat_id == 42 and c.status == 200 for c in calls)
    assert sb.stats.per_method["sendMessage"] == 2 and sb.stats.messages_sent == 2


async def test_form_values_are_typed(sb: SandboxServer) -> None:
    sb.add_user(42, "Ala")
    markup = json.dumps({"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]})
    form = {"chat_id": "42", "text": "123", "disable_notification": "true", "reply_markup": markup}
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{sb.base_url}1:x/sendMessage", data=form) as response:
            body = await response.json()
    assert body["ok"], body
    params = sb.calls[-1].params
    assert params["chat_id"] == 42 and params["text"] == "123"
    assert params["disable_notification"] is True and isinstance(params["reply_markup"], dict)
    assert sb.violations == []


async def test_a_second_answer_to_one_press_is_refused_and_counted(
    sb: SandboxServer, bot: Bot
) -> None:
    user = sb.add_user(77, "Ola")
    await bot.send_message(77, "pick", reply_markup=KEYBOARD)
    await user.press("A")
    [update] = await bot.get_updates()
    assert update.callback_query is not None
    query_id = update.callback_query.id
    assert await bot.answer_callback_query(query_id, "first")
    assert sb.violations == []
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id, "second")
    assert [v.kind for v in sb.violations] == ["double_answer"]
    assert sb.stats.double_answers == 1
    assert sb.callback_answers[query_id].text == "first"


async def test_an_unknown_or_expired_press_is_refused_but_not_a_violation(
    sb: SandboxServer, bot: Bot
) -> None:
    """A bot restarted after a press cannot know it was too old: Telegram's 400, no violation."""
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("12345", "late")
    assert sb.violations == [] and sb.stats.double_answers == 0


async def test_a_restarted_bot_answering_a_press_again_is_refused_but_not_a_violation(
    sb: SandboxServer, bot: Bot
) -> None:
    """After a crash the journal hands a press over again; the new process cannot know that
    the dead one had answered it (Telegram's 400, no violation)."""
    user = sb.add_user(78, "Ola")
    await bot.send_message(78, "pick", reply_markup=KEYBOARD)
    await user.press("A")
    [update] = await bot.get_updates()
    assert update.callback_query is not None
    assert await bot.answer_callback_query(update.callback_query.id, "first")
    await bot.get_me()  # a new process starts
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(update.callback_query.id, "again")
    assert sb.violations == [] and sb.stats.double_answers == 0


@pytest.mark.wallclock
async def test_a_press_older_than_the_ttl_cannot_be_answered(sb: SandboxServer, bot: Bot) -> None:
    user = sb.add_user(79, "Ola")
    await bot.send_message(79, "pick", reply_markup=KEYBOARD)
    sb.callback_query_ttl = 0.05
    await user.press("A")
    [update] = await bot.get_updates()
    assert update.callback_query is not None
    await asyncio.sleep(0.1)
    assert sb.unanswered_callbacks == []  # Telegram stopped the spinner
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(update.callback_query.id, "late")
    assert sb.violations == []


async def test_redeliver_sends_confirmed_updates_again(sb: SandboxServer, bot: Bot) -> None:
    user = sb.add_user(80, "Ola")
    await user.send("one")
    await user.send("two")
    first = await bot.get_updates()
    assert [u.message.text for u in first if u.message] == ["one", "two"]
    assert await bot.get_updates(offset=first[-1].update_id + 1, timeout=0) == ()
    assert sb.redeliver(2) == [u.update_id for u in first]
    again = await bot.get_updates(offset=first[-1].update_id + 1, timeout=0)
    assert [u.update_id for u in again] == [u.update_id for u in first]
