"""Contract with python-telegram-bot's private API that bot.intake relies on: every Bot API
call of `Bot.get_updates` and `Bot.answer_callback_query` goes through `Bot._post(endpoint,
data, ...)` with the raw JSON result (a list of update dicts for getUpdates) and the
`callback_query_id` in `data`. If an upgrade of python-telegram-bot changes that, this fails
before the journal silently stops recording updates."""

from __future__ import annotations

from typing import Any

from telegram.ext import ExtBot

from bot.intake import JournalBot
from sandbox import FloodLimits, SandboxServer

TOKEN = "123456:intake-contract"


class Recording(ExtBot[Any]):
    __slots__ = ("_seen",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._seen: list[tuple[str, Any, Any]] = []

    async def _post(self, endpoint: str, data: Any = None, **kwargs: Any) -> Any:
        result = await super()._post(endpoint, data, **kwargs)
        self._seen.append((endpoint, dict(data or {}), result))
        return result


async def test_get_updates_and_answers_go_through_post_with_raw_json() -> None:
    assert "_post" in vars(JournalBot)  # the override this contract is about
    async with SandboxServer(flood_limits=FloodLimits(enabled=False)) as sb:
        ala = sb.add_user(1, "Ala")
        async with Recording(TOKEN, base_url=sb.base_url) as bot:
            await bot.send_message(1, "card")
            await ala.press_data("x")
            [update] = await bot.get_updates(timeout=0)
            assert update.callback_query is not None
            await bot.answer_callback_query(update.callback_query.id, "ok")
            seen = {endpoint: (data, result) for endpoint, data, result in bot._seen}
    data, result = seen["getUpdates"]
    assert isinstance(result, list) and isinstance(result[0], dict)
    assert result[0]["update_id"] == update.update_id and "callback_query" in result[0]
    data, _ = seen["answerCallbackQuery"]
    assert str(data["callback_query_id"]) == update.callback_query.id
