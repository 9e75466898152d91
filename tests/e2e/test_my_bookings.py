""" "My bookings" as one message: a participant with eleven bookings (workshop seats, a
consultation, a childcare request) gets one message, pages through it (edited in place),
opens a booking and cancels it, and Telegram's per-chat flood limit is never hit."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from models import Enrollment
from sandbox import FloodLimits, Reply, SimUser
from services import childcare, people, workshops
from services import consultations as c
from tests.e2e.conftest import Harness
from tests.e2e.flows import person_row, register_active
from tests.factories import make_policy, make_session, make_workshop

WAW = ZoneInfo("Europe/Warsaw")
PARTNER_TID = 700
COORDINATOR_TID = 900
MONDAY = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)  # Monday 1 March 2027, 08:00 in Wejherowo
POLICY = make_policy()
PAUSE = 0.7  # a person reads the screen before the next tap (Telegram allows ~1 message/s)


pytestmark = pytest.mark.wallclock  # flood limits and a person's pauses, in real time


async def _club(h: Harness) -> SimUser:
    """Anna with nine workshop seats (Tuesday to the next Wednesday, 17:00), a consultation on
    Wednesday 10:00 and care for Zosia during Tuesday's workshop: eleven bookings."""
    h.clock.now = MONDAY
    async with h.sessionmaker.begin() as s:
        await people.add_staff(s, PARTNER_TID, "childcare_partner", "Dobrodziejki", "pl", MONDAY)
        await people.add_staff(s, COORDINATOR_TID, "coordinator", "Ewa", "pl", MONDAY)
        await c.ensure_service_types(s)
        specialist = await people.add_staff(s, 800, "specialist", "Marek Doradca", "pl", MONDAY)
        social = await c.service_type_by_slug(s, "social")
        await c.set_weekly_hours(
            s,
            actor_tid=COORDINATOR_TID,
            specialist_id=specialist.id,
            service_type_id=social.id,
            weekday=2,
            start=time(10),
            end=time(11),
            place="MOPS, pokój 5",
            now=MONDAY,
            tz=WAW,
            weeks_ahead=1,
        )
    anna = h.user(1, "Anna")
    await register_active(h, anna, "Anna Nowak")
    await anna.tap("💬 Konsultacje")
    days = await anna.tap("Poradnictwo socjalne")
    times = await anna.tap(days.buttons[0])
    await anna.tap(times.buttons[0])
    await anna.tap("✅ Tak, zapisz mnie")
    row = await person_row(h, 1)
    assert row is not None
    workshop = await make_workshop(h.sessionmaker)
    enrollment_ids = []
    for day in range(1, 10):
        ws = await make_session(h.sessionmaker, workshop, MONDAY + timedelta(days=day, hours=9))
        async with h.sessionmaker.begin() as s:
            result = await workshops.enroll(s, row.id, 1, ws.id, MONDAY, POLICY)
            enrollment_ids.append(result.enrollment.id)
    async with h.sessionmaker.begin() as s:
        zosia = await childcare.add_dependant(
            s, person_id=row.id, name="Zosia", kind="child", birth_year=2019, needs="", now=MONDAY
        )
        await childcare.request_care(
            s,
            person_id=row.id,
            dependant_ids=[zosia.id],
            enrollment_id=enrollment_ids[0],
            consultation_id=None,
            now=MONDAY,
            policy=make_policy(),
        )
    return anna


def _sent_to(h: Harness, chat_id: int) -> int:
    return sum(1 for call in h.sandbox.calls_to("sendMessage") if call.chat_id == chat_id)


async def _tap(user: SimUser, label: str, **kwargs: object) -> Reply:
    await asyncio.sleep(PAUSE)
    return await user.tap(label, **kwargs)  # type: ignore[arg-type]


async def test_my_bookings_is_one_paged_message(harness: Harness) -> None:
    anna = await _club(harness)
    harness.sandbox.flood_limits = FloodLimits()  # Telegram's: 1 message/s per chat, burst 5
    before = _sent_to(harness, 1)

    listed = await anna.tap("🗓 Moje zapisy")
    assert _sent_to(harness, 1) - before == 1, "one message, not one per booking"
    [message] = listed.messages
    assert "Masz 11 zapisów" in message.text and "Strona 1 z 2" in message.text
    assert "1. 🧸" in message.text and "Zosia" in message.text  # care from 16:45
    assert "2. 📚" in message.text and "3. 💬" in message.text  # then the workshop, Wednesday
    labels = message.button_texts
    assert [label.split(".")[0] for label in labels[:8]] == [str(n) for n in range(1, 9)]
    assert labels[8:] == ["▶", "📜 Historia zajęć"]

    page2 = await _tap(anna, "▶")
    assert [m.message_id for m in page2.messages] == [message.message_id]  # edited in place
    assert "Strona 2 z 2" in page2.text and "9. 📚" in page2.text and "11. 📚" in page2.text
    assert "8. " not in page2.text
    assert page2.buttons[-2:] == ["◀", "📜 Historia zajęć"]
    back = await _tap(anna, "◀")
    assert "Strona 1 z 2" in back.text and back.messages[0].message_id == message.message_id
    await _tap(anna, "▶")

    opened = await _tap(anna, "10. 📚", contains=True)
    assert "Edukacja finansowa" in opened.text and "❌ Odwołaj" in opened.buttons
    await _tap(anna, "❌ Odwołaj")
    done = await _tap(anna, "Tak, odwołaj")
    assert "Odwołano" in done.text
    assert _sent_to(harness, 1) - before == 1  # everything after the list was an edit
    async with harness.sessionmaker() as s:
        statuses = list(await s.scalars(select(Enrollment.status).order_by(Enrollment.id)))
    # The 10th booking is the 8th workshop (care and the consultation come before it).
    assert statuses == ["confirmed"] * 7 + ["cancelled", "confirmed"]
    assert harness.sandbox.stats.throttled_429 == 0

    relisted = await _tap(anna, "🗓 Moje zapisy")
    assert "Masz 10 zapisów" in relisted.text
    consultation = await _tap(anna, "3. 💬", contains=True)
    assert "Poradnictwo socjalne" in consultation.text and "❌ Odwołaj" in consultation.buttons
    returned = await _tap(anna, "⬅️ Wstecz")
    assert "Masz 10 zapisów" in returned.text
    assert [m.message_id for m in returned.messages] == [relisted.messages[0].message_id]
    assert harness.sandbox.stats.throttled_429 == 0


async def test_a_few_bookings_fit_on_one_page_and_none_says_so(harness: Harness) -> None:
    harness.clock.now = MONDAY
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    empty = await anna.tap("🗓 Moje zapisy")
    assert "Nie masz żadnych zapisów" in empty.text and empty.buttons == ["📜 Historia zajęć"]
    row = await person_row(harness, 1)
    assert row is not None
    workshop = await make_workshop(harness.sessionmaker)
    ws = await make_session(harness.sessionmaker, workshop, MONDAY + timedelta(days=2))
    async with harness.sessionmaker.begin() as s:
        await workshops.enroll(s, row.id, 1, ws.id, MONDAY, POLICY)
    listed = await anna.tap("🗓 Moje zapisy")
    assert "Masz 1 zapis" in listed.text and "Strona" not in listed.text
    assert listed.buttons[1:] == ["📜 Historia zajęć"]
    # A forged page number is clamped to the last page (here: nothing changes, the press is
    # answered); a forged action is a stale button.
    await anna.press_data("bk:l:7")
    again = await anna.expect()
    assert again.answer is not None and not again.messages
    await anna.press_data("bk:zz:1")
    stale = await anna.expect()
    assert stale.answer is not None and "nieaktualny" in (stale.answer.text or "")
