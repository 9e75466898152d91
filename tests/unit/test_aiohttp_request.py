"""bot.http.AiohttpRequest: JSON bodies, multipart uploads, PTB's errors."""

from __future__ import annotations

import socket

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.http import AiohttpRequest
from sandbox import FloodLimits, SandboxServer

TOKEN = "123456:aiohttp-request"


async def test_calls_with_parameters_files_and_none() -> None:
    async with SandboxServer(flood_limits=FloodLimits(enabled=False)) as sb:
        sb.add_user(1, "Ala")
        bot = Bot(TOKEN, base_url=sb.base_url, request=AiohttpRequest(4))
        async with bot:
            me = await bot.get_me()  # no parameters at all
            assert me.username == sb.bot_username
            markup = InlineKeyboardMarkup([[InlineKeyboardButton("Zażółć", callback_data="a:1")]])
            sent = await bot.send_message(
                1, "<b>Gęś</b> & ja", parse_mode="HTML", reply_markup=markup
            )
            assert sent.text == "Gęś & ja" and sent.reply_markup == markup
            document = await bot.send_document(1, b"a;b\n1;2\n", filename="lista.csv", caption="Ł")
            assert document.document is not None and document.caption == "Ł"
            with pytest.raises(BadRequest):
                await bot.send_message(999, "nobody")
        assert sb.file(document.document.file_id).content == b"a;b\n1;2\n"
        assert sb.violations == []


async def test_timeouts_and_transport_errors_are_ptbs() -> None:
    async with SandboxServer() as sb:
        sb.add_user(1, "Ala")
        sb.inject_fault("sendMessage", status=0, delay=2.0)
        request = AiohttpRequest(2, read_timeout=0.2, write_timeout=0.0)
        async with Bot(TOKEN, base_url=sb.base_url, request=request) as bot:
            with pytest.raises(TimedOut):
                await bot.send_message(1, "slow")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    request = AiohttpRequest(2)
    await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    finally:
        await request.shutdown()
