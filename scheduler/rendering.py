"""What the outbox dispatcher sends: a renderer turns one outbox row into a `Rendered` message
(or `Deferred`, or None: no longer wanted), and `send_rendered` hands it to Telegram.

Renderers live with their features (handlers/); the dispatcher (scheduler.dispatcher) calls
them at send time, in the recipient's language of that moment.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove
from telegram.constants import ParseMode

from bot.i18n import Translator
from models import OutboxMessage


@dataclass(frozen=True)
class Rendered:
    """The message a renderer built for one outbox row.

    With `photo` or `document` (a Telegram file_id) it is sent as that, `text` as its caption.
    """

    text: str
    reply_markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None = None
    photo: str | None = None
    document: str | None = None


@dataclass(frozen=True)
class Deferred:
    """A renderer's answer "not now": the row waits, untried, until `until` (e.g. the end of
    quiet hours for an announcement)."""

    until: datetime


Renderer = Callable[
    [AsyncSession, OutboxMessage, Translator], Awaitable[Rendered | Deferred | None]
]


async def send_rendered(bot: Bot, chat_id: int, rendered: Rendered) -> None:
    """Send a rendered message: a photo or document with the text as its caption, or text."""
    if rendered.photo is not None:
        await bot.send_photo(
            chat_id,
            rendered.photo,
            caption=rendered.text,
            reply_markup=rendered.reply_markup,
            parse_mode=ParseMode.HTML,
        )
    elif rendered.document is not None:
        await bot.send_document(
            chat_id,
            rendered.document,
            caption=rendered.text,
            reply_markup=rendered.reply_markup,
            parse_mode=ParseMode.HTML,
        )
    else:
        await bot.send_message(
            chat_id, rendered.text, reply_markup=rendered.reply_markup, parse_mode=ParseMode.HTML
        )
