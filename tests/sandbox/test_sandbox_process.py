"""`sandbox.process.SandboxProcess`: the sandbox and its users in a child process."""

from __future__ import annotations

import os

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes

from sandbox.process import SandboxProcess, SandboxProcessError
from sandbox.runner import start_polling_app, stop_polling_app

TOKEN = "123456:sandbox-process-token"


async def test_a_bot_in_this_process_answers_presses_made_in_the_child() -> None:
    async with SandboxProcess(flood_limits=False) as sb:
        assert sb.pid != os.getpid()
        await sb.add_users([(1, "Ala"), (2, "Jan"), (3, "Ola")])
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]])
        async with Bot(TOKEN, base_url=sb.base_url) as bot:
            cards = {
                uid: (await bot.send_message(uid, "card", reply_markup=markup)).message_id
                for uid in (1, 2, 3)
            }

        async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            assert update.callback_query is not None
            await update.callback_query.answer()
            await update.callback_query.edit_message_text("done")

        app = ApplicationBuilder().token(TOKEN).base_url(sb.base_url).build()
        app.add_handler(CallbackQueryHandler(on_press))
        await start_polling_app(app)
        try:
            # User 3 presses a message that does not exist: the child reports the error.
            with pytest.raises(SandboxProcessError, match="LookupError"):
                await sb.press_burst([(3, 999)], "go", spread=0.0)
            outcome = await sb.press_burst(
                [(1, cards[1]), (2, cards[2])], "go", spread=0.1, timeout=30
            )
            await sb.idle(quiet=0.1, timeout=30)
        finally:
            await stop_polling_app(app)
        assert outcome.users == 2 and outcome.unanswered_ids == []
        assert len(outcome.latencies_ms) == 2 and all(ms >= 0 for ms in outcome.latencies_ms)
        stats = await sb.stats()
        assert stats.per_method["answerCallbackQuery"] == 2
        assert stats.per_method["editMessageText"] == 2
        assert await sb.violations() == []


async def test_violations_come_back_from_the_child() -> None:
    async with SandboxProcess() as sb:
        await sb.add_users([(1, "Ala")])
        async with Bot(TOKEN, base_url=sb.base_url) as bot:
            with pytest.raises(BadRequest, match="parse entities"):
                await bot.send_message(1, "<blink>x</blink>", parse_mode="HTML")
        violations = await sb.violations()
        assert violations and {v.method for v in violations} == {"sendMessage"}
    with pytest.raises(SandboxProcessError):
        await sb.add_users([(2, "Jan")])  # stopped
