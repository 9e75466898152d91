"""handlers.common.edit_or_reply: the edit it sends is the one PTB's own method sends."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes

from handlers.common import edit_or_reply
from sandbox import FloodLimits, SandboxServer
from sandbox.runner import start_polling_app, stop_polling_app

TOKEN = "123456:edit-or-reply"
MARKUP = InlineKeyboardMarkup([[InlineKeyboardButton("Dalej »", callback_data="next")]])


async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    text = "<b>Zapisano</b> & <i>już</i>"
    if query.data == "ptb":
        await query.edit_message_text(text, reply_markup=MARKUP, parse_mode=ParseMode.HTML)
        await query.answer()
    else:
        await edit_or_reply(update, text, MARKUP)


async def test_same_request_as_ptb_and_not_modified_is_quiet() -> None:
    async with SandboxServer(flood_limits=FloodLimits(enabled=False)) as sb:
        app = ApplicationBuilder().token(TOKEN).base_url(sb.base_url).build()
        app.add_handler(CallbackQueryHandler(on_press))
        await start_polling_app(app)
        try:
            ala = sb.add_user(1, "Ala")
            for data in ("ptb", "ours"):
                await app.bot.send_message(1, f"card {data}")
                await ala.press_data(data)
                reply = await ala.expect()
                assert reply.messages[0].text == "Zapisano & już"
                assert reply.messages[0].button_texts == ["Dalej »"]
            await ala.press_data("ours")  # the same text again: "not modified", no new message
            reply = await ala.expect()
            assert reply.messages == [] and len(reply.answers) == 1
        finally:
            await stop_polling_app(app)
        ptb, ours, again = sb.calls_to("editMessageText")
        assert ptb.params.keys() == ours.params.keys()
        for key in ptb.params:
            if key != "message_id":
                assert ours.params[key] == ptb.params[key], key
        assert again.status == 400
        assert sb.violations == []
