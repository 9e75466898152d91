"""Helpers shared by the feature handlers: language, safe sending, callback answers."""

from __future__ import annotations

import logging

from telegram import (
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.request import BaseRequest

from bot.context import KisContext
from bot.i18n import guess_language
from models import Person
from services import people

log = logging.getLogger(__name__)
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


def language_for(update: Update, context: KisContext, person: Person | None) -> str:
    """The person's stored language, else a guess from Telegram's language_code."""
    if person is not None:
        return person.language
    user = update.effective_user
    return guess_language(
        user.language_code if user else None, context.deps.settings.default_language
    )


async def reply(update: Update, text: str, markup: Markup = None) -> None:
    """Send `text` to the chat the update came from."""
    chat = update.effective_chat
    if chat is None:
        return
    await chat.send_message(text, reply_markup=markup, parse_mode=ParseMode.HTML)


async def edit_or_reply(
    update: Update,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    notice: str | None = None,
) -> None:
    """Replace the message whose button was pressed, then answer the press (with `notice` as
    an alert if given); outside a button press, or if the edit fails, send a new message."""
    query = update.callback_query
    if query is None or query.message is None:
        await reply(update, text, markup)
        return
    try:
        await _edit_text(query, text, markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            log.info("edit failed (%s); sending a new message", type(exc).__name__)
            await reply(update, text, markup)
    await answer(update, notice, alert=notice is not None)


async def _edit_text(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """`query.edit_message_text(text, reply_markup=markup, parse_mode=HTML)`, except that
    Telegram's answer, the edited message, is not turned into a `telegram.Message`.

    Every button press ends in this edit. PTB parses each message it gets back into a Message
    of some two hundred attributes: a third of the call's CPU (about 0.3 ms), for an object
    nobody here reads. The request itself goes the way PTB's method sends it (`Bot._post`:
    defaults, rate limiter, retries and the same `TelegramError`s). Inline messages,
    inaccessible messages and arbitrary callback data take PTB's own method.
    """
    message, bot = query.message, query.get_bot()
    arbitrary = getattr(bot, "callback_data_cache", None) is not None
    if query.inline_message_id or not isinstance(message, Message) or arbitrary:
        await query.edit_message_text(text, reply_markup=markup, parse_mode=ParseMode.HTML)
        return
    await bot._post(
        "editMessageText",
        {
            "chat_id": message.chat_id,
            "message_id": message.message_id,
            "text": text,
            "parse_mode": ParseMode.HTML,
            "reply_markup": markup,
            "business_connection_id": message.business_connection_id,
        },
        read_timeout=BaseRequest.DEFAULT_NONE,
        write_timeout=BaseRequest.DEFAULT_NONE,
        connect_timeout=BaseRequest.DEFAULT_NONE,
        pool_timeout=BaseRequest.DEFAULT_NONE,
    )


async def send_to(context: KisContext, chat_id: int, text: str, markup: Markup = None) -> bool:
    """Send to another person's chat; False (logged, no personal data) if they blocked us."""
    try:
        await context.bot.send_message(
            chat_id, text, reply_markup=markup, parse_mode=ParseMode.HTML
        )
    except Forbidden:
        log.info("recipient unreachable (blocked the bot)")
        async with context.deps.transaction() as session:
            await people.mark_unreachable(session, context.deps.clock(), telegram_id=chat_id)
        return False
    except BadRequest as exc:
        log.warning("message not delivered: %s", type(exc).__name__)
        return False
    return True


async def refuse_staff_only(update: Update, context: KisContext, person: Person | None) -> None:
    """Tell someone without the role that this is for staff (an alert on a button press)."""
    lang = person.language if person else context.deps.settings.default_language
    text = context.deps.i18n(lang, "staff-only")
    if update.callback_query is not None:
        await answer(update, text, alert=True)
    else:
        await reply(update, text)


async def answer(update: Update, text: str | None = None, alert: bool = False) -> None:
    """Answer the pressed button (stops the client's spinner), optionally with a notice."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest:
        # Telegram refuses to answer a press that is too old: a slow reply, or a press handled
        # again after a restart (bot.intake). A notice then reaches the person as a message.
        log.info("callback query too old to answer")
        if text and update.effective_chat is not None:
            await update.effective_chat.send_message(text)


async def load_person(update: Update, context: KisContext) -> Person | None:
    """The person behind the update (a snapshot, detached from its session), or None."""
    user = update.effective_user
    if user is None:
        return None
    async with context.deps.read() as session:
        person = await people.get_by_telegram_id(session, user.id)
    if person is not None and person.unreachable_at is not None:
        # They write to us again, so they unblocked the bot: broadcasts reach them again. In a
        # task of its own: a caller may hold a transaction (SQLite allows one writer).
        person.unreachable_at = None
        context.application.create_task(_mark_reachable(context, user.id), update=update)
    return person


async def _mark_reachable(context: KisContext, telegram_id: int) -> None:
    async with context.deps.transaction() as session:
        await people.mark_reachable(session, telegram_id)
