"""While a 2,000-recipient broadcast goes out, a participant's sign-up is still answered within
one second: Telegram's limits are on in the sandbox (30 messages/s overall, 1/s per chat), the
dispatcher sends at KISBOT_SEND_RATE (25/s) and yields to the interactive replies
(bot.ratelimit), so neither waits for the other and nothing is throttled."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from models import Enrollment, OutboxMessage
from sandbox import FloodLimits
from services import broadcasts, people
from services.broadcasts import Audience
from tests.e2e.conftest import Harness
from tests.factories import make_people, make_session, make_workshop

TZ = ZoneInfo("Europe/Warsaw")
RECIPIENTS = 2000
FIRST = 40_000
TAPPERS = 39_000
AUTHOR = 778
SIGN_UPS = 5
LIMIT_S = 1.0


pytestmark = pytest.mark.wallclock  # response times measured in real time


async def test_sign_up_answered_within_a_second_during_a_2000_recipient_broadcast(
    harness: Harness,
) -> None:
    h = harness
    day = datetime.now(TZ).date() + timedelta(days=1)
    h.clock.now = datetime(day.year, day.month, day.day, 11, 0, tzinfo=TZ).astimezone(UTC)
    h.sandbox.flood_limits = FloodLimits()
    now = h.clock()
    # Five participants, each with the bot's menu in their chat to press a sign-up on.
    await make_people(h.sessionmaker, SIGN_UPS, first_id=TAPPERS)
    tappers = [h.user(TAPPERS + i, f"T{i}") for i in range(SIGN_UPS)]
    menus = [(await user.say("/menu")).last.message_id for user in tappers]
    workshop = await make_workshop(h.sessionmaker)
    ws = await make_session(h.sessionmaker, workshop, now + timedelta(days=2))
    await make_people(h.sessionmaker, RECIPIENTS, first_id=FIRST)
    for i in range(RECIPIENTS):
        h.sandbox.add_user(FIRST + i, f"U{i}")
    async with h.sessionmaker.begin() as s:
        await people.add_staff(s, AUTHOR, "coordinator", "Ewa Kowalska", "pl", now)
        draft = await broadcasts.create_draft(s, AUTHOR)
        await broadcasts.set_text(s, AUTHOR, draft.id, "pl", "Festyn w sobotę!")
        await broadcasts.set_audience(s, AUTHOR, draft.id, Audience("all"), now)
        bc = await broadcasts.confirm(s, AUTHOR, draft.id, now, h.app.bot_data["deps"].policy)
    assert bc.recipients == RECIPIENTS + SIGN_UPS
    h.app.bot_data["dispatcher"].wake()

    async def delivered() -> int:
        async with h.sessionmaker() as s:
            return int(
                await s.scalar(
                    select(func.count()).where(
                        OutboxMessage.kind == "broadcast", OutboxMessage.status == "sent"
                    )
                )
                or 0
            )

    deadline = time.monotonic() + 30
    while await delivered() < 50:  # well under way
        assert time.monotonic() < deadline
        await asyncio.sleep(0.1)

    latencies = []
    for user, menu in zip(tappers, menus, strict=True):
        started = time.monotonic()
        await user.press_data(f"ws:b:{ws.id}", message_id=menu)
        reply = await user.expect(timeout=10, settle=0.05)
        latencies.append(reply.events[0].at - started)
        await asyncio.sleep(0.5)
    sent_meanwhile = await delivered()
    async with h.sessionmaker.begin() as s:  # no need to wait 80 s for the rest
        await broadcasts.stop(s, AUTHOR, bc.id, h.clock())
    async with h.sessionmaker() as s:
        booked = await s.scalar(select(func.count()).where(Enrollment.status == "confirmed"))
    print(f"sign-up latencies {[round(x, 3) for x in latencies]} s; {sent_meanwhile} delivered")
    assert booked == SIGN_UPS
    assert max(latencies) < LIMIT_S, latencies
    assert sent_meanwhile > 100  # the broadcast kept going meanwhile
    assert h.sandbox.stats.throttled_429 == 0
