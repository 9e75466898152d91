"""Workshops end to end: browse, sign up, waiting list and offers, cancel, .ics, reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from handlers.formatting import short_when
from models import Enrollment, OutboxMessage, WorkshopSession
from sandbox import SimUser
from scheduler.offers import run_offer_expiry
from tests.e2e.conftest import Harness
from tests.e2e.flows import expect_text, person_row, register_active, register_self
from tests.factories import make_series, make_session, make_workshop

TZ_NAME = "Europe/Warsaw"
WAW = ZoneInfo(TZ_NAME)
# A Monday morning far from a clock change: reminders and offer deadlines follow quiet hours
# (21:00-08:00), so tests that check their times start at a fixed daytime moment.
MONDAY_0830 = datetime(2027, 3, 1, 8, 30, tzinfo=WAW).astimezone(UTC)


async def _participant(h: Harness, user_id: int, name: str) -> SimUser:
    user = h.user(user_id, name.split()[0])
    await register_active(h, user, name)
    return user


def _label(h: Harness, ws: WorkshopSession) -> str:
    return short_when(ws.starts_at, h.app.bot_data["deps"].settings.tz, "pl")


async def _open_session(h: Harness, user: SimUser, ws: WorkshopSession) -> None:
    await user.tap("📚 Warsztaty")
    await user.tap("🤝 Aktywizacja społeczna")
    await user.tap("Edukacja finansowa")
    await user.tap(_label(h, ws))


async def _enrollments(h: Harness, session_id: int) -> list[tuple[int, str]]:
    async with h.sessionmaker() as s:
        rows = await s.execute(
            select(Enrollment.person_id, Enrollment.status)
            .where(Enrollment.session_id == session_id)
            .order_by(Enrollment.id)
        )
        return [(pid, status) for pid, status in rows.all()]


async def _dispatch(h: Harness) -> int:
    """What the scheduler does every few seconds: send due outbox rows."""
    return int(await h.app.bot_data["dispatcher"].run_once())


async def test_browse_and_sign_up(harness: Harness) -> None:
    harness.clock.now = MONDAY_0830  # the 24 h reminder (08:30) is not in quiet hours
    workshop = await make_workshop(harness.sessionmaker)
    ws = await make_session(harness.sessionmaker, workshop, harness.clock() + timedelta(days=5))
    anna = await _participant(harness, 1, "Anna Nowak")
    groups = await anna.tap("📚 Warsztaty")
    assert "Jakie zajęcia" in groups.text
    await anna.tap("🤝 Aktywizacja społeczna")
    card = await anna.tap("Edukacja finansowa")
    assert "domowy budżet" in card.text and "10 wolnych miejsc" in card.text
    details = await anna.tap(_label(harness, ws))
    assert "KIS Śródmieście" in details.text
    booked = await anna.tap("✅ Zapisz mnie")
    assert "Zapisano" in booked.text
    row = await person_row(harness, 1)
    assert await _enrollments(harness, ws.id) == [(row.id, "confirmed")]  # type: ignore[union-attr]
    async with harness.sessionmaker() as s:
        stored = await s.get(WorkshopSession, ws.id)
        reminders = list(await s.scalars(select(OutboxMessage)))
    assert stored is not None and stored.seats_taken == 1
    assert [(r.kind, r.due_at) for r in reminders] == [
        ("ws_reminder", ws.starts_at - timedelta(hours=24))
    ]

    await anna.press_data(f"ws:b:{ws.id}")  # a double tap arriving after the first was handled
    again = await anna.expect()
    assert "Już jesteś zapisany" in again.text
    assert len(await _enrollments(harness, ws.id)) == 1

    ics = await anna.tap("📲 Dodaj do kalendarza")
    document = ics.last.document
    assert document is not None and document.file_name.endswith(".ics")
    assert b"BEGIN:VEVENT" in document.content and b"SUMMARY:Edukacja finansowa" in document.content


async def test_waiting_list_offer_chain_take_pass_and_timeout(harness: Harness) -> None:
    harness.clock.now = MONDAY_0830  # offers made now end at 20:30, before quiet hours
    workshop = await make_workshop(harness.sessionmaker)
    ws = await make_session(
        harness.sessionmaker, workshop, harness.clock() + timedelta(days=5), capacity=1
    )
    anna = await _participant(harness, 1, "Anna Nowak")
    bartek = await _participant(harness, 2, "Bartek Lis")
    celina = await _participant(harness, 3, "Celina Wróbel")
    dorota = await _participant(harness, 4, "Dorota Kot")
    await _open_session(harness, anna, ws)
    await anna.tap("✅ Zapisz mnie")
    for number, user in enumerate((bartek, celina, dorota), start=1):
        await _open_session(harness, user, ws)
        waiting = await user.tap("⏳ Zapisz mnie na listę rezerwową")
        assert f"Twoje miejsce w kolejce: {number}" in waiting.text

    # Anna cancels: the seat is offered to Bartek (first in the queue), not given silently.
    await anna.tap("🗓 Moje zapisy")
    await anna.tap("1. 📚", contains=True)
    await anna.tap("❌ Odwołaj")
    assert "Odwołano" in (await anna.tap("Tak, odwołaj")).text
    await _dispatch(harness)
    offer = await expect_text(bartek, "Zwolniło się miejsce")
    assert offer.buttons == ["✅ Biorę", "Rezygnuję"]
    statuses = [s for _, s in await _enrollments(harness, ws.id)]
    assert statuses == ["cancelled", "offered", "waiting", "waiting"]

    # Bartek passes: Celina gets the offer.
    assert "następnej osobie" in (await bartek.tap("Rezygnuję")).text
    await _dispatch(harness)
    await expect_text(celina, "Zwolniło się miejsce")

    # Celina does not answer: after the deadline the offer moves on to Dorota.
    harness.clock.advance(hours=13)
    assert await run_offer_expiry(harness.app) == 1
    await _dispatch(harness)
    await expect_text(dorota, "Zwolniło się miejsce")
    late = await celina.tap("✅ Biorę")
    assert "nieaktualna" in late.text
    taken = await dorota.tap("✅ Biorę")
    assert "Zapisano" in taken.text
    statuses = [s for _, s in await _enrollments(harness, ws.id)]
    assert statuses == ["cancelled", "passed", "expired", "confirmed"]
    async with harness.sessionmaker() as s:
        stored = await s.get(WorkshopSession, ws.id)
    assert stored is not None and stored.seats_taken == 1


async def test_an_afternoon_offer_answers_by_eight_not_in_the_night(harness: Harness) -> None:
    """Offered at 14:15 with a 12 h window: the deadline would be 02:15, when nobody can answer;
    it is 08:00 the next morning, and the offer stays open until then."""
    harness.clock.now = datetime(2027, 3, 1, 14, 15, tzinfo=WAW).astimezone(UTC)
    workshop = await make_workshop(harness.sessionmaker)
    ws = await make_session(
        harness.sessionmaker, workshop, harness.clock() + timedelta(days=5), capacity=1
    )
    anna = await _participant(harness, 1, "Anna Nowak")
    bartek = await _participant(harness, 2, "Bartek Lis")
    await _open_session(harness, anna, ws)
    await anna.tap("✅ Zapisz mnie")
    await _open_session(harness, bartek, ws)
    await bartek.tap("⏳ Zapisz mnie na listę rezerwową")
    await anna.tap("🗓 Moje zapisy")
    await anna.tap("1. 📚", contains=True)
    await anna.tap("❌ Odwołaj")
    await anna.tap("Tak, odwołaj")
    await _dispatch(harness)
    offer = await expect_text(bartek, "Zwolniło się miejsce")
    assert "Odpowiedz do: wtorek 2 marca, 08:00" in offer.text, offer.text
    assert "02:15" not in offer.text
    harness.clock.now = datetime(2027, 3, 2, 7, 59, tzinfo=WAW).astimezone(UTC)
    assert await run_offer_expiry(harness.app) == 0  # still his at 07:59
    taken = await bartek.tap("✅ Biorę")
    assert "Zapisano" in taken.text


async def test_cancel_after_cutoff_is_refused_with_whom_to_call(harness: Harness) -> None:
    workshop = await make_workshop(harness.sessionmaker)
    ws = await make_session(
        harness.sessionmaker, workshop, harness.clock() + timedelta(hours=30), cutoff_hours=24
    )
    anna = await _participant(harness, 1, "Anna Nowak")
    await _open_session(harness, anna, ws)
    await anna.tap("✅ Zapisz mnie")
    harness.clock.advance(hours=10)  # now 20 h before the start: past the 24 h cut-off
    await anna.tap("🗓 Moje zapisy")
    await anna.tap("1. 📚", contains=True)
    await anna.tap("❌ Odwołaj")
    refused = await anna.tap("Tak, odwołaj")
    assert "za późno" in refused.text and "58 677 79 87" in refused.text
    row = await person_row(harness, 1)
    assert await _enrollments(harness, ws.id) == [(row.id, "confirmed")]  # type: ignore[union-attr]


async def test_reminder_is_sent_when_due_and_never_after_cancellation(harness: Harness) -> None:
    workshop = await make_workshop(harness.sessionmaker)
    ws1 = await make_session(harness.sessionmaker, workshop, harness.clock() + timedelta(days=3))
    ws2 = await make_session(
        harness.sessionmaker, workshop, harness.clock() + timedelta(days=3, minutes=30)
    )
    anna = await _participant(harness, 1, "Anna Nowak")
    for ws in (ws1, ws2):
        await _open_session(harness, anna, ws)
        await anna.tap("✅ Zapisz mnie")
    await anna.tap("🗓 Moje zapisy")
    await anna.tap("2. 📚", contains=True)  # the second booking
    await anna.tap("❌ Odwołaj")
    await anna.tap("Tak, odwołaj")
    assert await _dispatch(harness) == 0  # nothing due yet
    harness.clock.advance(days=2, hours=1)  # both reminders (24 h before) would now be due
    await _dispatch(harness)
    reminder = await expect_text(anna, "Przypomnienie")
    assert reminder.text.startswith("Przypomnienie: zajęcia w KIS")
    assert await anna.silence(0.3) == []  # the cancelled booking's reminder never comes
    thanks = await anna.tap("👍 Będę")
    assert thanks.answer is not None and "do zobaczenia" in thanks.answer.text
    async with harness.sessionmaker() as s:
        statuses = sorted(r.status for r in await s.scalars(select(OutboxMessage)))
    assert statuses == ["cancelled", "sent"]


async def test_series_sign_up_and_foreign_buttons(harness: Harness) -> None:
    workshop = await make_workshop(harness.sessionmaker)
    series = await make_series(harness.sessionmaker, workshop, "szkola-wiosna")
    sessions = [
        await make_session(
            harness.sessionmaker, workshop, harness.clock() + timedelta(days=7 * i), series=series
        )
        for i in (1, 2, 3)
    ]
    anna = await _participant(harness, 1, "Anna Nowak")
    await anna.tap("📚 Warsztaty")
    await anna.tap("🤝 Aktywizacja społeczna")
    await anna.tap("Edukacja finansowa")
    booked = await anna.tap("🔁 Cały cykl: Cykl wiosenny")
    assert booked.text.count("masz miejsce") == 3
    for ws in sessions:
        assert [s for _, s in await _enrollments(harness, ws.id)] == ["confirmed"]

    # Bartek forges buttons with Anna's enrolment id: nothing changes.
    bartek = await _participant(harness, 2, "Bartek Lis")
    async with harness.sessionmaker() as s:
        anna_enrollment = await s.scalar(select(Enrollment.id).limit(1))
    for action in ("cy", "c", "ics", "t", "p"):
        await bartek.press_data(f"ws:{action}:{anna_enrollment}")
        reply = await bartek.expect()
        assert reply.answer is not None and "nieaktualny" in reply.answer.text
    for ws in sessions:
        assert [s for _, s in await _enrollments(harness, ws.id)] == ["confirmed"]


async def test_my_data_lists_bookings_and_deletion_frees_the_seat(harness: Harness) -> None:
    workshop = await make_workshop(harness.sessionmaker)
    ws = await make_session(
        harness.sessionmaker, workshop, harness.clock() + timedelta(days=2), capacity=1
    )
    anna = await _participant(harness, 1, "Anna Nowak")
    bartek = await _participant(harness, 2, "Bartek Lis")
    for user in (anna, bartek):
        await _open_session(harness, user, ws)
        await user.press_data(f"ws:b:{ws.id}")
        await user.expect()
    data = await anna.tap("👤 Moje dane")
    assert "Edukacja finansowa — zapisany(-a)" in data.text
    await anna.tap("🗑 Usuń moje dane")
    await anna.tap("Tak, usuń wszystko")
    await _dispatch(harness)
    await expect_text(bartek, "Zwolniło się miejsce")
    statuses = [s for _, s in await _enrollments(harness, ws.id)]
    assert statuses == ["cancelled", "offered"]


async def test_sign_up_button_from_people_who_may_not_sign_up_and_forged_ids(
    harness: Harness,
) -> None:
    """ws:b takes a short path (person and sign-up in one transaction); whoever may not use it
    still gets the usual answer and nothing is written."""
    workshop = await make_workshop(harness.sessionmaker)
    ws = await make_session(harness.sessionmaker, workshop, harness.clock() + timedelta(days=5))
    past = await make_session(harness.sessionmaker, workshop, harness.clock() + timedelta(hours=1))

    stranger = harness.user(7, "Obcy")
    await stranger.say("hej")  # a bot message to attach the forged button to
    await stranger.press_data(f"ws:b:{ws.id}")
    told = await stranger.expect()
    assert told.answer is not None and "/start" in told.answer.text

    waiting = harness.user(8, "Jan")
    await register_self(harness, waiting)  # self-registered, not yet approved
    await waiting.press_data(f"ws:b:{ws.id}")
    await waiting.expect()
    assert await _enrollments(harness, ws.id) == []

    anna = await _participant(harness, 1, "Anna Nowak")
    for forged in ("ws:b:999999", "ws:b:x", "ws:b", f"ws:b:{ws.id}:1"):
        await anna.press_data(forged)
        reply = await anna.expect()
        assert reply.answer is not None and "nieaktualny" in reply.answer.text
    harness.clock.advance(hours=2)  # the other date has started meanwhile
    await anna.press_data(f"ws:b:{past.id}")
    await expect_text(anna, "zamknięte")
    assert await _enrollments(harness, ws.id) == [] and await _enrollments(harness, past.id) == []


async def test_reminder_outlives_a_long_telegram_outage(harness: Harness) -> None:
    """Telegram answers 502 and then drops connections for 40 minutes (the reminder used to
    be given up after 8 attempts, 10.6 minutes): retried at most 5 minutes apart, it goes out
    once Telegram is back, before the workshop."""
    workshop = await make_workshop(harness.sessionmaker)
    ws = await make_session(harness.sessionmaker, workshop, harness.clock() + timedelta(days=3))
    anna = await _participant(harness, 1, "Anna Nowak")
    await _open_session(harness, anna, ws)
    await anna.tap("✅ Zapisz mnie")
    harness.app.bot_data["dispatcher"].per_chat_interval = 0.0  # many tries, no real waits

    async def reminder() -> OutboxMessage:
        async with harness.sessionmaker() as s:
            row = await s.scalar(select(OutboxMessage).where(OutboxMessage.kind == "ws_reminder"))
        assert row is not None
        return row

    harness.clock.advance(days=2, hours=1)  # the reminder (24 h before) is due
    harness.sandbox.inject_fault("sendMessage", status=502, chat_id=1, times=6)
    harness.sandbox.inject_fault("sendMessage", drop=True, chat_id=1, times=1000)
    outage_ends = harness.clock() + timedelta(minutes=40)
    while harness.clock() < outage_ends:
        await _dispatch(harness)
        row = await reminder()
        assert row.status == "pending", row.last_error
        assert row.due_at - harness.clock() <= timedelta(minutes=5)
        harness.clock.now = max(row.due_at, harness.clock())
    assert row.attempts > 8
    assert row.expires_at == ws.starts_at

    harness.sandbox.clear_faults()  # Telegram is back
    await _dispatch(harness)
    text = await expect_text(anna, "Przypomnienie")
    assert text.text.startswith("Przypomnienie: zajęcia w KIS")
    row = await reminder()
    assert (row.status, row.sent_at) == ("sent", harness.clock())
