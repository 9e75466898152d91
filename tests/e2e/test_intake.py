"""Durable intake end to end: a copy of an update delivered again is never acted on twice,
and an update received but not handled before a crash is handled at the next start, its
outcome reaching the person even when Telegram no longer takes an answer to the press."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from telegram import Bot

from bot.app import build_application
from bot.intake import UpdateJournal
from models import Enrollment, ReceivedUpdate
from sandbox.runner import start_polling_app, stop_polling_app
from services import intake
from tests.e2e.conftest import TOKEN, Harness, make_settings, watch_bot
from tests.e2e.flows import person_row, register_active
from tests.factories import make_session, make_workshop


def fail_journal_writes(monkeypatch: pytest.MonkeyPatch, times: int) -> dict[str, int]:
    """The next `times` journal writes fail as if the database were down; the returned dict's
    "left" counts down to 0 as they do."""
    real = intake.record_updates
    failures = {"left": times}

    async def flaky(*args: Any, **kwargs: Any) -> set[int]:
        if failures["left"]:
            failures["left"] -= 1
            raise OperationalError("INSERT", {}, ConnectionRefusedError("database is down"))
        return await real(*args, **kwargs)

    monkeypatch.setattr(intake, "record_updates", flaky)
    return failures


async def _journal(h: Harness) -> dict[int, ReceivedUpdate]:
    journal: UpdateJournal = h.app.bot_data["journal"]
    await journal.close()  # the done marks of what was handled are written
    async with h.sessionmaker() as s:
        return {row.update_id: row for row in await s.scalars(select(ReceivedUpdate))}


async def test_redelivered_updates_are_not_handled_twice(harness: Harness) -> None:
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    welcome = await anna.say("/start")
    assert "Witaj, Anna Nowak" in welcome.text
    # Telegram did not take the confirmation in and sends the last update again.
    assert len(harness.sandbox.redeliver(1)) == 1
    assert await anna.silence(0.5) == []  # no second welcome

    menu = await anna.tap("📚 Warsztaty")
    assert menu.text
    harness.sandbox.redeliver(3)  # the press and the two updates before it
    assert await anna.silence(0.5) == []

    rows = await _journal(harness)
    assert rows and all(row.done_at is not None for row in rows.values())
    assert all(row.payload == "" for row in rows.values())  # content forgotten once handled
    assert harness.app.bot_data["journal"].duplicates == 4


async def test_update_received_before_a_crash_is_handled_at_start(harness: Harness) -> None:
    workshop = await make_workshop(harness.sessionmaker)
    ws = await make_session(harness.sessionmaker, workshop, harness.clock() + timedelta(days=5))
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    card = (await anna.say("/start")).last

    # The bot stops; Anna presses "sign me up"; a process fetches the press, stores it in the
    # journal, confirms it to Telegram and dies before handling it.
    await stop_polling_app(harness.app)
    await anna.press_data(f"ws:b:{ws.id}", message_id=card.message_id)
    async with Bot(TOKEN, base_url=harness.sandbox.base_url) as bot:
        fetched = await bot.get_updates(timeout=0)
        assert len(fetched) == 1
        async with harness.sessionmaker.begin() as s:
            new = await intake.record_updates(
                s, [(fetched[0].update_id, json.dumps(fetched[0].to_dict()))], harness.clock()
            )
        assert new == {fetched[0].update_id}
        await bot.get_updates(offset=fetched[0].update_id + 1, timeout=0)  # confirmed
    assert harness.sandbox.unfetched_updates == 0
    harness.sandbox.callback_query_ttl = 0.0  # by now too old for Telegram to answer

    settings = make_settings(harness.sandbox, harness.database_url)
    app = build_application(
        settings, engine=harness.engine, clock=harness.clock, migrate_on_start=False
    )
    await start_polling_app(app)
    watch_bot(harness.sandbox, app)
    harness.app = app
    try:
        told = await anna.expect(timeout=10)
        assert "Zapisano" in told.text  # the card is edited with the outcome
        row = await person_row(harness, 1)
        async with harness.sessionmaker() as s:
            enrolled = list(await s.scalars(select(Enrollment)))
        assert row is not None and [(e.person_id, e.status) for e in enrolled] == [
            (row.id, "confirmed")
        ]
        assert app.bot_data["journal"].replayed == 1
        rows = await _journal(harness)
        assert rows[fetched[0].update_id].done_at is not None
    finally:
        await stop_polling_app(app)


async def test_stale_notice_reaches_the_person_as_a_message_when_the_press_is_too_old(
    harness: Harness,
) -> None:
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    card = (await anna.say("/start")).last
    harness.sandbox.callback_query_ttl = 0.0
    await anna.press_data("ws:b:999999", message_id=card.message_id)  # a date that is gone
    reply = await anna.expect(timeout=10)
    assert reply.answers == [] and reply.text  # no answer could be given: a message instead


@pytest.mark.wallclock  # the intake waits 1 s, then 2 s, before fetching again
async def test_updates_wait_at_telegram_while_the_journal_cannot_be_written(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    failures = fail_journal_writes(monkeypatch, 2)
    fetches = harness.sandbox.stats.per_method["getUpdates"]
    held = await anna.say("/start")  # not confirmed while it cannot be stored: fetched again
    assert "Mamy chwilową awarię" in held.text  # told at once (Telegram's language: pl)
    welcome = await anna.expect(timeout=10)
    assert "Witaj, Anna Nowak" in welcome.text and "awarię" not in welcome.text  # told once
    assert failures["left"] == 0
    assert harness.sandbox.stats.per_method["getUpdates"] >= fetches + 3
    assert await anna.silence(0.5) == []  # handled once


@pytest.mark.wallclock  # the intake waits 1 s, then 2 s, before fetching again
async def test_a_press_held_during_an_outage_is_answered_once_then_handled(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    workshop = await make_workshop(harness.sessionmaker)
    ws = await make_session(harness.sessionmaker, workshop, harness.clock() + timedelta(days=5))
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    card = (await anna.say("/start")).last
    failures = fail_journal_writes(monkeypatch, 2)
    await anna.press_data(f"ws:b:{ws.id}", message_id=card.message_id)
    held = await anna.expect(timeout=10)
    assert [a.text for a in held.answers] == [
        "Mamy chwilową awarię. Zajmiemy się Twoją wiadomością, gdy tylko minie — nie musisz "
        "jej powtarzać."
    ]
    booked = await anna.expect(timeout=10)
    assert "Zapisano" in booked.text and booked.answers == []  # the press is answered once
    assert failures["left"] == 0
    async with harness.sessionmaker() as s:
        assert len(list(await s.scalars(select(Enrollment)))) == 1


async def test_done_marks_that_fail_are_written_once_the_database_is_back(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = intake.mark_done
    failures = {"left": 2}

    async def flaky(*args: Any, **kwargs: Any) -> None:
        if failures["left"]:
            failures["left"] -= 1
            raise OperationalError("UPDATE", {}, ConnectionRefusedError("database is down"))
        await real(*args, **kwargs)

    monkeypatch.setattr(intake, "mark_done", flaky)
    anna = harness.user(1, "Anna")
    assert "Polski" in " ".join((await anna.say("/start")).buttons)
    rows = await _journal(harness)  # waits for the flusher, retries included
    assert failures["left"] == 0
    assert rows and all(row.done_at is not None for row in rows.values())
