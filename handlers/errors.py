"""The one error handler: log without personal data, tell the person in their language."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut

from bot.context import KisContext
from handlers.common import language_for, load_person

log = logging.getLogger("kisbot.errors")


async def on_error(update: object, context: KisContext) -> None:
    """Log the failure with ids only, then apologise to the user if there is one."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, Forbidden):
        log.info("update %s: recipient blocked the bot", update_id)
        return
    if isinstance(error, (NetworkError, TimedOut, RetryAfter)) and not isinstance(update, Update):
        log.warning("network problem outside an update: %s", type(error).__name__)
        return
    log.error(
        "update %s failed: %s",
        update_id,
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
