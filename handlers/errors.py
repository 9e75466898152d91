"""The one error handler: log without personal data, tell the person in their language."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, Update
from telegram.error import Forbidden

from bot.context import KisContext
from bot.failures import failure_kind
from bot.i18n import Translator, guess_language
from handlers.common import language_for, load_person

log = logging.getLogger("kisbot.errors")


def describe(update: object, context: KisContext) -> str:
    """What failed, ids only: "update 42", "job housekeeping", "task …"."""
    if isinstance(update, Update):
        return f"update {update.update_id}"
    if context.job is not None:
        return f"job {context.job.name}"
    if context.coroutine is not None:
        name = getattr(context.coroutine, "__qualname__", None) or type(context.coroutine).__name__
        return f"task {name}"
    return "a call outside any update"


async def on_error(update: object, context: KisContext) -> None:
    """Log the failure with ids only, then apologise to the user if there is one.

    Failures an outage explains (the database or Telegram unreachable) are summarised by
    `Deps.failures`: the first with its traceback, then a line per interval, then one when it
    is over.
    """
    error = context.error
    what = describe(update, context)
    if isinstance(error, Forbidden):
        log.info("%s: recipient blocked the bot", what)
        return
    kind = failure_kind(error)
    if error is not None and kind is not None:
        context.deps.failures.failed(kind, what, error)
    else:
        log.error(
            "%s failed: %s",
            what,
            type(error).__name__,
            exc_info=(type(error), error, error.__traceback__) if error else None,
        )
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        person = await load_person(update, context)
    except Exception:  # the database itself may be what failed
        person = None
    text = context.deps.i18n(language_for(update, context, person), "error-generic")
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        else:
            await update.effective_chat.send_message(text)
    except Exception as exc:  # nothing more we can do; never raise from the error handler
        log.warning("could not tell the user about the error: %s", type(exc).__name__)


async def tell_held(
    bot: Bot, raw: dict[str, Any], *, i18n: Translator, default_language: str
) -> str | None:
    """Tell the sender of an update the bot cannot store yet (the database is down) that it
    will be handled once it is back; returns the callback query id answered, if any.

    Works on Telegram's raw JSON: nothing is parsed or looked up in the database. The person's
    stored language is out of reach, so Telegram's language_code decides.
    """
    query = raw.get("callback_query")
    message = raw.get("message")
    sender = (query or message or {}).get("from") or {}
    lang = guess_language(sender.get("language_code"), default_language)
    text = i18n(lang, "intake-held")
    if isinstance(query, dict) and isinstance(query.get("id"), str):
        await bot.answer_callback_query(query["id"], text, show_alert=True)
        return str(query["id"])
    chat = message.get("chat") if isinstance(message, dict) else None
    if isinstance(chat, dict) and chat.get("type") == "private" and isinstance(chat.get("id"), int):
        await bot.send_message(chat["id"], text)
    return None
