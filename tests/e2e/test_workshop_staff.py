"""Staff in the bot: session rosters, attendance, capacity, cancellation notices; roles."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from models import AuditEvent, Enrollment, WorkshopSession
from sandbox import SimUser
from services import people, workshops
from tests.e2e.conftest import Harness
from tests.e2e.flows import expect_text, person_row, register_active
from tests.factories import make_policy, make_session, make_workshop


async def _participants(h: Harness, names: list[str], first_id: int = 1) -> list[SimUser]:
    users = []
    for i, name in enumerate(names):
        user = h.user(first_id + i, name.split()[0])
        await register_active(h, user, name)
        users.append(user)
    return users


async def _enroll(h: Harness, user_id: int, session_id: int) -> str:
    person = await person_row(h, user_id)
    assert person is not None
    async with h.sessionmaker.begin() as s:
        result = await workshops.enroll(s, person.id, user_id, session_id, h.clock(), make_policy())
    return result.outcome


async def _open_roster(admin: SimUser, label_fragment: str) -> None:
    await admin.say("/staff")
    await admin.tap("📚 Terminy warsztatów")
    await admin.tap(label_fragment, contains=True)


async def test_roster_attendance_and_history(harness: Harness) -> None:
    admin = harness.admin
    await admin.say("/start")
    workshop = await make_workshop(harness.sessionmaker)
    ws = await make_session(
        harness.sessionmaker, workshop, harness.clock() + timedelta(days=1), capacity=2
    )
    _, bartek, _ = await _participants(harness, ["Anna Nowak", "Bartek Lis", "Celina Wróbel"])
    for user_id in (1, 2, 3):
        await _enroll(harness, user_id, ws.id)

    await _open_roster(admin, "Edukacja finansowa")
    roster = admin.last_message
    assert roster is not None and roster.text is not None
    assert "Zapisani (2)" in roster.text and "Anna Nowak" in roster.text
    assert "Lista rezerwowa (1)" in roster.text and "1. Celina Wróbel" in roster.text

    harness.clock.advance(days=1, hours=1)  # the session has taken place
    await admin.tap("❔ Anna Nowak")
    marked = await admin.tap("Pozostali: nieobecni")
    assert "✅ Anna Nowak" in marked.text and "❌ Bartek Lis" in marked.text
    async with harness.sessionmaker() as s:
        attended = dict((await s.execute(select(Enrollment.person_id, Enrollment.attended))).all())
        actions = list(await s.scalars(select(AuditEvent.action)))
    anna_row, bartek_row = await person_row(harness, 1), await person_row(harness, 2)
    assert attended[anna_row.id] is True and attended[bartek_row.id] is False  # type: ignore[union-attr]
    assert "attendance.present" in actions and "attendance.rest_absent" in actions

    await bartek.tap("🗓 Moje zapisy")
    history = await bartek.tap("📜 Historia zajęć")
    assert "Edukacja finansowa" in history.text and "nieobecność" in history.text
    assert "Zapisz" not in history.text  # supportive record, no ban: nothing is blocked


async def test_cancel_session_tells_everyone_in_their_language(harness: Harness) -> None:
    admin = harness.admin
    await admin.say("/start")
    workshop = await make_workshop(harness.sessionmaker)
    ws = await make_session(
        harness.sessionmaker, workshop, harness.clock() + timedelta(days=2), capacity=1
    )
    anna, olena = await _participants(harness, ["Anna Nowak", "Olena Koval"])
    async with harness.sessionmaker.begin() as s:
        person = await people.get_by_telegram_id(s, 2)
        assert person is not None
        await people.set_language(s, person.id, "uk")
    assert await _enroll(harness, 1, ws.id) == "confirmed"
    assert await _enroll(harness, 2, ws.id) == "waiting"

    await _open_roster(admin, "Edukacja finansowa")
    await admin.tap("🚫 Odwołaj termin")
    done = await admin.tap("Tak, odwołaj i powiadom wszystkich")
    assert "Powiadamiamy 2 osoby" in done.text
    await harness.app.bot_data["dispatcher"].run_once()
    assert "zostały odwołane" in (await expect_text(anna, "odwołane")).text
    assert "скасовано" in (await expect_text(olena, "скасовано")).text
    async with harness.sessionmaker() as s:
        stored = await s.get(WorkshopSession, ws.id)
        statuses = set(await s.scalars(select(Enrollment.status)))
    assert stored is not None and (stored.status, stored.seats_taken) == ("cancelled", 0)
    assert statuses == {"session_cancelled"}


async def test_raising_capacity_offers_seats_in_order(harness: Harness) -> None:
    admin = harness.admin
    await admin.say("/start")
    workshop = await make_workshop(harness.sessionmaker)
    ws = await make_session(
        harness.sessionmaker, workshop, harness.clock() + timedelta(days=3), capacity=1
    )
    users = await _participants(harness, ["Anna Nowak", "Bartek Lis", "Celina Wróbel"])
    for user_id in (1, 2, 3):
        await _enroll(harness, user_id, ws.id)
    await _open_roster(admin, "Edukacja finansowa")
    await admin.tap("🔢 Zmień liczbę miejsc")
    refused = await admin.say("0")  # below the seats already taken
    assert "nie mniejszą" in refused.text
    done = await admin.say("2")
    assert "Liczba miejsc: 2" in done.text
    await harness.app.bot_data["dispatcher"].run_once()
    await expect_text(users[1], "Zwolniło się miejsce")  # Bartek, first in the queue
    assert await users[2].silence(0.2) == []
    async with harness.sessionmaker() as s:
        stored = await s.get(WorkshopSession, ws.id)
    assert stored is not None and (stored.capacity, stored.seats_taken) == (2, 2)


async def test_participant_cannot_use_staff_session_buttons(harness: Harness) -> None:
    workshop = await make_workshop(harness.sessionmaker)
    ws = await make_session(harness.sessionmaker, workshop, harness.clock() + timedelta(days=3))
    [anna] = await _participants(harness, ["Anna Nowak"])
    await _enroll(harness, 1, ws.id)
    async with harness.sessionmaker() as s:
        enrollment_id = await s.scalar(select(Enrollment.id))
    for data in (
        f"sw:r:{ws.id}",
        f"sw:cy:{ws.id}",
        f"sw:a:{enrollment_id}",
        f"sw:k:{ws.id}",
        "sw:l",
    ):
        await anna.press_data(data)
        reply = await anna.expect()
        assert reply.answer is not None and "tylko dla pracowników" in reply.answer.text
    async with harness.sessionmaker() as s:
        stored = await s.get(WorkshopSession, ws.id)
        enrollment = await s.get(Enrollment, enrollment_id)
    assert stored is not None and stored.status == "scheduled"
    assert enrollment is not None and enrollment.attended is None


async def test_staff_create_workshop_add_date_then_participant_signs_up(harness: Harness) -> None:
    admin = harness.admin
    await admin.say("/staff")
    await admin.tap("📚 Terminy warsztatów")
    await admin.tap("🗂 Katalog warsztatów")
    await admin.tap("➕ Nowy warsztat")
    await admin.tap("💼 Aktywizacja zawodowa")
    created = await admin.say("Pisanie CV")
    assert "Utworzono warsztat" in created.text
    await admin.tap("Otwórz")
    await admin.tap("✏️ Opis")
    assert "Zapisano" in (await admin.say("Jak napisać dobre CV i list motywacyjny.")).text
    await admin.tap("Otwórz")
    await admin.tap("📍 Miejsce")
    await admin.say("MOPS Wejherowo")
    await admin.tap("Otwórz")
    await admin.tap("➕ Dodaj termin")
    assert "Nie rozumiem" in (await admin.say("jutro o piątej")).text
    day = (harness.clock() + timedelta(days=10)).astimezone(
        harness.app.bot_data["deps"].settings.tz
    )
    added = await admin.say(f"{day:%Y-%m-%d} 10:00-12:00 8")
    assert "Dodano termin" in added.text and "miejsc: 8" in added.text
    again = await admin.say("Anuluj")  # no longer waiting for a date: ordinary text
    assert "Nie zrozumiałem" in again.text
    async with harness.sessionmaker() as s:
        actions = set(await s.scalars(select(AuditEvent.action)))
    assert {"workshop.create", "workshop.edit.description_pl", "session.add"} <= actions

    [anna] = await _participants(harness, ["Anna Nowak"])
    await anna.tap("📚 Warsztaty")
    await anna.tap("💼 Aktywizacja zawodowa")
    card = await anna.tap("Pisanie CV")
    assert "list motywacyjny" in card.text and "8 wolnych miejsc" in card.text
    await anna.tap(f"{day.day}.{day:%m} 10:00", contains=True)
    assert "Zapisano" in (await anna.tap("✅ Zapisz mnie")).text
