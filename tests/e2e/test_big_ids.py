"""Forged buttons carrying numbers beyond the 32-bit id columns (`ws:b:2147483648`,
`st:ap:999999999999999999`) are stale buttons like any other, not database errors: on
PostgreSQL such a parameter does not even reach the query (int32 out of range)."""

from __future__ import annotations

import logging

import pytest

from tests.e2e.conftest import Harness
from tests.e2e.flows import register_active

BIG = ("2147483648", "999999999999999999")

# One or more id-carrying buttons of every feature the router sends somewhere
# (handlers/router.py: ob, st, sw, sx, cp, cx, bc, ws, lg, md, cs, cc, bk).
PARTICIPANT_BUTTONS = [
    "ws:b:{n}",
    "ws:e:{n}",
    "ws:w:{n}",
    "ws:s:{n}",
    "ws:cy:{n}",
    "ws:t:{n}",
    "cs:s:{n}",
    "cs:y:{n}",
    "cs:b:{n}",
    "cs:cy:{n}",
    "cs:ry:1:{n}",
    "cc:d:{n}",
    "cc:ns:{n}",
    "cc:rmy:{n}",
    "cc:x:{n}",
    "cc:r:{n}",
    "cc:q:w:1:{n}",
    "bk:l:{n}",
]
STAFF_BUTTONS = [
    "st:ap:{n}",
    "st:rj:{n}",
    "sw:r:{n}",
    "sw:cy:{n}",
    "sw:k:{n}",
    "sx:p:{n}",
    "sx:dy:{n}",
    "cp:ok:{n}",
    "cp:c:{n}",
    "cx:p:{n}",
    "cx:rvy:{n}",
    "cx:o:{n}:1",
    "cx:a:{n}:20270301",
    "bc:d:{n}",
    "bc:sy:{n}",
]


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
async def test_huge_ids_are_stale_buttons_on_postgresql(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await harness.admin.say("/start")
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    caplog.clear()
    presses = [(anna, pattern) for pattern in PARTICIPANT_BUTTONS]
    presses += [(harness.admin, pattern) for pattern in STAFF_BUTTONS]
    for user, pattern in presses:
        for n in BIG:
            data = pattern.format(n=n)
            await user.press_data(data)
            reply = await user.expect()
            assert reply.answer is not None, data
            assert "nieaktualny" in (reply.answer.text or ""), (data, reply.answer.text)
            assert not reply.messages, data
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]
