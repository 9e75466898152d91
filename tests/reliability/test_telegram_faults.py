"""Telegram answering 429, 5xx or timing out during interactive flows."""

from __future__ import annotations

from sandbox import FloodLimits
from tests.e2e.conftest import Harness
from tests.e2e.flows import expect_text, person_row, register_active


async def test_flood_limits_are_honoured_and_nothing_is_lost(harness: Harness) -> None:
    harness.sandbox.flood_limits = FloodLimits(per_chat_per_s=1, per_chat_burst=2)
    jan = harness.user(2, "Jan")
    await jan.say("/start")
    await jan.tap("Polski", contains=True)
    await jan.press("✅ Zgadzam się")  # edit + question: more than the burst allows
    await expect_text(jan, "Jak masz na imię")
    await jan.send("Jan Kowalski")
    await expect_text(jan, "numer telefonu")
    assert harness.sandbox.stats.throttled_429 > 0
    row = await person_row(harness, 2)
    assert row is not None and row.awaiting == "phone"


async def test_server_error_on_a_reply_is_explained_and_data_is_kept(harness: Harness) -> None:
    anna = harness.user(1, "Anna")
    await register_active(harness, anna)
    harness.sandbox.inject_fault("sendMessage", status=502, chat_id=1)
    reply = await anna.say("/mydata")
    assert "coś poszło nie tak" in reply.text  # the apology got through on the next call
    assert (await anna.say("/mydata")).text.count("Anna Nowak") == 1
    assert (await person_row(harness, 1)).status == "active"  # type: ignore[union-attr]


async def test_polling_survives_server_errors(harness: Harness) -> None:
    harness.sandbox.inject_fault("getUpdates", status=500, times=2)
    anna = harness.user(1, "Anna")
    reply = await anna.say("/start", timeout=15)
    assert "Wybierz język" in reply.text
