"""Fixtures for the sandbox's own tests: a server, a PTB Bot and a tiny PTB Application."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sandbox import FloodLimits, SandboxServer  # noqa: E402

TOKEN = "123456:sandbox-test-token"


@pytest.fixture
async def sb() -> AsyncIterator[SandboxServer]:
    """A running sandbox without flood limits."""
    async with SandboxServer(flood_limits=FloodLimits(enabled=False)) as server:
        yield server


@pytest.fixture
async def bot(sb: SandboxServer) -> AsyncIterator[Bot]:
    """A PTB Bot talking to the sandbox."""
    async with Bot(TOKEN, base_url=sb.base_url, base_file_url=sb.base_file_url) as tg_bot:
        yield tg_bot


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    payload = " ".join(context.args or [])
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Yes", callback_data="yes"),
                InlineKeyboardButton("Alert", callback_data="alert"),
            ],
            [InlineKeyboardButton("Site", url="https://example.org")],
        ]
    )
    await update.effective_message.reply_text(
        f"<b>Welcome</b> {payload}".strip(), parse_mode="HTML", reply_markup=keyboard
    )


async def _menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    keyboard = ReplyKeyboardMarkup(
        [["Hello"], [KeyboardButton("Share phone", request_contact=True)]],
        one_time_keyboard=True,
        resize_keyboard=True,
    )
    await update.effective_message.reply_text("Menu", reply_markup=keyboard)


async def _contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.contact is not None
    own = message.contact.user_id == update.effective_user.id  # type: ignore[union-attr]
    await message.reply_text(
        f"contact {message.contact.phone_number} own={own}", reply_markup=ReplyKeyboardRemove()
    )


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.text
    await update.effective_message.reply_text(f"echo: {update.effective_message.text}")


async def _button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    if query.data == "yes":
        await query.answer("Saved")
        await query.edit_message_text("You said yes")
    elif query.data == "alert":
        await query.answer("Careful!", show_alert=True)
    else:
        await query.answer("Unknown button", show_alert=True)


def build_app(sb: SandboxServer) -> Application:  # type: ignore[type-arg]
    """A tiny PTB application: /start, /menu, echo, contacts and callback buttons."""
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(sb.base_url)
        .base_file_url(sb.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", _start))
    app.add_handler(CommandHandler("menu", _menu))
    app.add_handler(MessageHandler(filters.CONTACT, _contact))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    app.add_handler(CallbackQueryHandler(_button))
    return app


@pytest.fixture
async def app(sb: SandboxServer) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """The tiny application, polling the sandbox."""
    application = build_app(sb)
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
