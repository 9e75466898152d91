"""Typed buttons at the edge: what is no button of ours is a stale button in the person's
language; a bug inside an action is an error (logged, apologised for), never a stale button."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

import services.workshops
from models import Enrollment
from sandbox import SimUser
from tests.e2e.conftest import Harness
from tests.e2e.flows import register_active
from tests.factories import make_workshop

STALE_EN = "This button is out of date"


async def _english_participant(harness: Harness) -> SimUser:
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    await anna.press_data("lg:set:en")
    await anna.expect()
    return anna


async def test_presses_that_are_not_ours_are_stale_in_the_persons_language(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    anna = await _english_participant(harness)
    forged = [
        "zz:1",  # a prefix no feature has
        "ws:zz:1",  # an action the feature does not have
        "ws:w",  # its argument missing
        "ws:w:1:2",  # one too many
        "ws:g:nosuchgroup",  # not one of the choices
        "ws:w:0",  # not an id
        "bk:l:-1",
        "lg:set:de",  # a language we do not speak
        "md:zz",
        "ob:y:xx:-",
    ]
    for data in forged:
        await anna.press_data(data)
        reply = await anna.expect()
        assert reply.answer is not None and STALE_EN in reply.answer.text, data
        assert not reply.messages, data
    async with harness.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Enrollment)) == 0
    logged = [r.getMessage() for r in caplog.records if r.name == "handlers.entry"]
    assert len(logged) == len(forged)
    assert all("Anna" not in line and "Nowak" not in line for line in logged)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_bug_inside_an_action_reaches_the_error_handler_not_a_stale_answer(
    harness: Harness, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before typed buttons, `except (NotFound, IndexError, ValueError)` around every action
    answered a ValueError from a bug as "this button is out of date", and nothing was logged."""
    anna = await _english_participant(harness)
    workshop = await make_workshop(harness.sessionmaker)

    async def broken(*args: object) -> None:
        raise ValueError("a bug")

    monkeypatch.setattr(services.workshops, "get_workshop", broken)
    await anna.press_data(f"ws:w:{workshop.id}")
    reply = await anna.expect()
    assert reply.answer is not None
    assert "something went wrong" in reply.answer.text
    assert STALE_EN not in reply.answer.text
    failures = [r for r in caplog.records if r.name == "kisbot.errors"]
    assert failures and "ValueError" in failures[0].getMessage()
    assert failures[0].exc_info is not None
