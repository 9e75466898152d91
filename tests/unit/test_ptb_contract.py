"""Contract with the private corners of python-telegram-bot that the bot relies on besides
the intake's (tests/unit/test_intake_contract.py):

- `handlers.common._edit_text` edits the pressed message through `Bot._post("editMessageText",
  data, read_timeout=…, …)` and ignores the raw result (a dict, not a parsed Message);
- `bot.http.AiohttpRequest` receives `telegram._utils.defaultvalue.DefaultValue` instances for
  the timeouts a call leaves unset (`ODVInput`), and replaces them with its own.

If an upgrade changes either, these fail before presses stop being answered or timeouts stop
applying."""

from __future__ import annotations

import inspect
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram._utils.defaultvalue import DefaultValue
from telegram.constants import ParseMode
from telegram.request import BaseRequest, RequestData

from bot.http import AiohttpRequest, _value
from sandbox import FloodLimits, SandboxServer

TOKEN = "123456:ptb-contract"


def test_post_takes_the_endpoint_data_and_the_four_timeouts() -> None:
    parameters = inspect.signature(Bot._post).parameters
    assert list(parameters)[:3] == ["self", "endpoint", "data"]
    for name in ("read_timeout", "write_timeout", "connect_timeout", "pool_timeout"):
        assert parameters[name].kind is inspect.Parameter.KEYWORD_ONLY
    assert isinstance(BaseRequest.DEFAULT_NONE, DefaultValue)


class Recording(AiohttpRequest):
    __slots__ = ("seen",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seen: list[dict[str, object]] = []

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        self.seen.append(
            {"url": url, "read": read_timeout, "write": write_timeout, "pool": pool_timeout}
        )
        return await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )


async def test_unset_timeouts_arrive_as_default_values_and_edits_return_raw_json() -> None:
    async with SandboxServer(flood_limits=FloodLimits(enabled=False)) as sb:
        sb.add_user(1, "Ala")
        request = Recording(read_timeout=7.0)
        async with Bot(TOKEN, base_url=sb.base_url, request=request) as bot:
            sent = await bot.send_message(1, "card")
            result = await bot._post(
                "editMessageText",
                {
                    "chat_id": 1,
                    "message_id": sent.message_id,
                    "text": "edited",
                    "parse_mode": ParseMode.HTML,
                    "reply_markup": InlineKeyboardMarkup(
                        [[InlineKeyboardButton("ok", callback_data="x")]]
                    ),
                },
                read_timeout=BaseRequest.DEFAULT_NONE,
                write_timeout=BaseRequest.DEFAULT_NONE,
                connect_timeout=BaseRequest.DEFAULT_NONE,
                pool_timeout=BaseRequest.DEFAULT_NONE,
            )
    assert isinstance(result, dict) and result["text"] == "edited"
    edit = next(call for call in request.seen if str(call["url"]).endswith("/editMessageText"))
    assert isinstance(edit["read"], DefaultValue)
    assert _value(edit["read"], 7.0) == 7.0  # type: ignore[arg-type]
    assert _value(2.5, 7.0) == 2.5
