"""Consultations as staff use them, through the sandbox: referrals via search (the participant
is told in their language), referral links, revoking, the specialist's agenda with attended /
no-show marks, forged buttons refused, and the morning agenda sent through the outbox."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from models import AuditEvent, ConsultationBooking, OutboxMessage, Referral, Slot
from sandbox import SimUser
from scheduler import daily
from services import consultations as c
from services import people
from tests.e2e.conftest import ADMIN_ID, Harness
from tests.e2e.flows import expect_text, person_row, register_active
from tests.factories import make_policy

WAW = ZoneInfo("Europe/Warsaw")
SPECIALIST_TID = 50
OTHER_SPECIALIST_TID = 51
# Monday 1 March 2027, 07:00 in Wejherowo (winter time, UTC+1): far from any clock change.
MONDAY_0700 = datetime(2027, 3, 1, 6, 0, tzinfo=UTC)
MONDAY = date(2027, 3, 1)


async def _club(h: Harness) -> dict[str, int]:
    """Service types, two specialists; the first sees psychology clients on Mondays 10-12."""
    now = h.clock()
    async with h.sessionmaker.begin() as s:
        await c.ensure_service_types(s)
        specialist = await people.add_staff(
            s, SPECIALIST_TID, "specialist", "Maria Psycholog", "pl", now
        )
        await people.add_staff(s, OTHER_SPECIALIST_TID, "specialist", "Jan Prawnik", "pl", now)
        ids = {t.slug: t.id for t in await c.list_service_types(s)}
        await c.set_weekly_hours(
            s,
            actor_tid=ADMIN_ID,
            specialist_id=specialist.id,
            service_type_id=ids["psychologist"],
            weekday=0,
            start=time(10),
            end=time(12),
            place="MOPS Wejherowo, pokój 11",
            now=now,
            tz=WAW,
            weeks_ahead=2,
        )
        ids["specialist"] = specialist.id
    return ids


async def _book_first_slot(h: Harness, telegram_id: int, service_type_id: int) -> int:
    """Refer the participant (by the service layer) and book Monday 10:00; the booking id."""
    row = await person_row(h, telegram_id)
    assert row is not None
    async with h.sessionmaker.begin() as s:
        await c.issue_referral(
            s,
            actor_tid=ADMIN_ID,
            person_id=row.id,
            service_type_id=service_type_id,
            sessions=2,
            expires_on=MONDAY + timedelta(days=60),
            now=h.clock(),
            tz=WAW,
        )
        slot_id = await s.scalar(
            select(Slot.id).where(Slot.service_type_id == service_type_id).order_by(Slot.starts_at)
        )
        assert slot_id is not None
        view = await c.book(
            s, person_id=row.id, slot_id=slot_id, now=h.clock(), tz=WAW, policy=make_policy()
        )
    return view.booking.id


async def _start(h: Harness) -> SimUser:
    h.clock.now = MONDAY_0700
    admin = h.admin
    await admin.say("/start")
    return admin


async def _status(h: Harness, booking_id: int) -> str:
    async with h.sessionmaker() as s:
        booking = await s.get(ConsultationBooking, booking_id)
    assert booking is not None
    return booking.status


async def test_coordinator_refers_a_participant_found_by_name(harness: Harness) -> None:
    admin = await _start(harness)
    ids = await _club(harness)
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    await register_active(harness, harness.user(2, "Bartek"), "Bartek Lis")
    async with harness.sessionmaker.begin() as s:  # Anna reads the bot in Ukrainian
        person = await people.get_by_telegram_id(s, 1)
        assert person is not None
        await people.set_language(s, person.id, "uk")

    menu = await admin.say("/staff")
    assert "📝 Skierowania" in menu.buttons and "🗓 Grafik specjalistów" in menu.buttons
    await admin.tap("📝 Skierowania")
    await admin.tap("🔎 Znajdź uczestnika")
    assert "Nikogo nie znaleziono" in (await admin.say("Kowalczyk")).text
    found = await admin.say("nowak")
    assert "Wybierz osobę" in found.text
    assert [b for b in found.buttons if "Anna Nowak" in b] and not [
        b for b in found.buttons if "Bartek" in b
    ]
    card = await admin.tap("Anna Nowak", contains=True)
    assert "nie ma jeszcze skierowań" in card.text
    await admin.tap("➕ Nowe skierowanie")
    services = admin.last_message
    assert services is not None and services.text is not None
    assert "Poradnictwo socjalne" not in services.button_texts  # needs no referral
    await admin.tap("Konsultacja psychologiczna")
    await admin.tap("3")
    confirm = await admin.tap("90 dni")
    until = (MONDAY + timedelta(days=90)).strftime("%d.%m.%Y")
    assert "Liczba spotkań: 3" in confirm.text and until in confirm.text
    done = await admin.tap("✅ Wystaw skierowanie")
    assert "Skierowanie wystawione" in done.text and "dostała wiadomość" in done.text

    told = await expect_text(anna, "направлення")
    assert told.text.startswith("📝 У вас нове направлення в KIS.")  # neutral first line
    assert "Консультація психолога" not in told.text  # discreet: details one tap away
    shown = await anna.tap("🔎 Показати деталі", message_id=told.last.message_id)
    assert "Консультація психолога" in shown.text and until in shown.text
    assert shown.buttons == ["📅 Вибрати час"]
    days = await anna.tap("📅 Вибрати час", message_id=told.last.message_id)
    assert "Виберіть день" in days.text
    async with harness.sessionmaker() as s:
        [referral] = list(await s.scalars(select(Referral)))
        actions = list(await s.scalars(select(AuditEvent.action)))
        admin_row = await people.get_by_telegram_id(s, ADMIN_ID)
    anna_row = await person_row(harness, 1)
    assert anna_row is not None and admin_row is not None
    assert (referral.person_id, referral.service_type_id) == (anna_row.id, ids["psychologist"])
    assert (referral.sessions_total, referral.sessions_used) == (3, 0)
    assert referral.expires_on == MONDAY + timedelta(days=90)
    assert referral.issued_by_id == admin_row.id and referral.code is None
    assert "referral.issue" in actions
    # Somebody else's forged "Show details" of Anna's referral reveals nothing.
    await admin.press_data(f"cs:rf:{referral.id}")
    forged = await admin.expect()
    assert forged.messages == [] and forged.answer is not None and forged.answer.show_alert

    # A second tap on "Issue" (the button of a message still on screen) issues nothing new.
    await admin.press_data(f"cx:y:{anna_row.id}:{ids['psychologist']}:3:90")
    again = await admin.expect()
    assert again.answer is not None and "już wystawione" in again.answer.text
    await harness.settle()  # a notice queued for Anna would be delivered now
    assert await anna.silence(0.2) == []
    async with harness.sessionmaker() as s:
        assert len(list(await s.scalars(select(Referral)))) == 1

    # The card lists it, with Revoke.
    await admin.tap("Otwórz")
    await admin.tap("🚫 Cofnij: Konsultacja psychologiczna")
    revoked = await admin.tap("Tak, cofnij")
    assert "cofnięte" in revoked.text
    async with harness.sessionmaker() as s:
        stored = await s.get(Referral, referral.id)
    assert stored is not None and stored.revoked_at is not None


async def test_referral_link(harness: Harness) -> None:
    admin = await _start(harness)
    await _club(harness)
    await admin.say("/staff")
    await admin.tap("📝 Skierowania")
    await admin.tap("🔗 Link ze skierowaniem")
    await admin.tap("Porada prawna")
    await admin.tap("2")
    await admin.tap("30 dni")
    created = await admin.tap("🔗 Utwórz link")
    async with harness.sessionmaker() as s:
        [referral] = list(await s.scalars(select(Referral)))
    assert referral.code is not None and referral.code.startswith("rf-")
    assert f"?start={referral.code}" in created.text
    assert referral.person_id is None and referral.sessions_total == 2
    assert referral.expires_on == MONDAY + timedelta(days=30)


async def test_specialist_marks_attended_and_no_show(harness: Harness) -> None:
    await _start(harness)
    ids = await _club(harness)
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    booking_id = await _book_first_slot(harness, 1, ids["psychologist"])

    specialist = harness.user(SPECIALIST_TID, "Maria")
    menu = await specialist.say("/staff")
    assert "🗓 Mój grafik" in menu.buttons and "📝 Skierowania" not in menu.buttons
    agenda = await specialist.tap("🗓 Mój grafik")
    assert "Mój grafik" in agenda.text and "poniedziałek, 1 marca" in agenda.text
    assert "10:00–10:50" in agenda.text and "Anna Nowak" in agenda.text
    assert "Konsultacja psychologiczna" in agenda.text and "pokój 11" in agenda.text
    early = await specialist.tap("❔ 10:00 Anna Nowak")  # not started yet: refused politely
    assert early.answer is not None and "gdy spotkanie się zacznie" in early.answer.text
    assert await _status(harness, booking_id) == "booked"

    harness.clock.now = MONDAY_0700 + timedelta(hours=3, minutes=5)  # 10:05
    marked = await specialist.tap("❔ 10:00 Anna Nowak")
    assert "✅ 10:00 Anna Nowak" in marked.buttons
    assert await _status(harness, booking_id) == "attended"
    marked = await specialist.tap("✅ 10:00 Anna Nowak")
    assert "❌ 10:00 Anna Nowak" in marked.buttons and "nieobecność" in marked.text
    assert await _status(harness, booking_id) == "no_show"
    async with harness.sessionmaker() as s:
        actions = list(await s.scalars(select(AuditEvent.action)))
    assert "consultation.attended" in actions and "consultation.no_show" in actions

    tomorrow = await specialist.tap("wt. 2.03 ➡️")
    assert "wtorek, 2 marca" in tomorrow.text and "nie ma umówionych spotkań" in tomorrow.text


async def test_coordinator_sees_any_specialists_day(harness: Harness) -> None:
    admin = await _start(harness)
    ids = await _club(harness)
    await register_active(harness, harness.user(1, "Anna"), "Anna Nowak")
    await _book_first_slot(harness, 1, ids["psychologist"])
    await admin.say("/staff")
    listing = await admin.tap("🗓 Grafik specjalistów")
    assert {"Maria Psycholog", "Jan Prawnik"} <= set(listing.buttons)
    day = await admin.tap("Maria Psycholog")
    assert "<b>" not in day.text and "Maria Psycholog" in day.text and "Anna Nowak" in day.text
    other = await admin.tap("👥 Specjaliści")
    assert "Czyj grafik" in other.text
    empty = await admin.tap("Jan Prawnik")
    assert "nie ma umówionych spotkań" in empty.text


async def test_forged_cx_buttons_are_refused_and_change_nothing(harness: Harness) -> None:
    await _start(harness)
    ids = await _club(harness)
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    booking_id = await _book_first_slot(harness, 1, ids["psychologist"])
    harness.clock.now = MONDAY_0700 + timedelta(hours=3, minutes=5)  # the appointment started
    anna_row = await person_row(harness, 1)
    assert anna_row is not None
    day = "20270301"
    forged = [
        "cx:rf",
        "cx:sp",
        f"cx:p:{anna_row.id}",
        f"cx:d:{anna_row.id}:{ids['psychologist']}:3:90",
        f"cx:y:{anna_row.id}:{ids['psychologist']}:3:90",
        f"cx:y:0:{ids['legal']}:3:90",
        f"cx:a:{ids['specialist']}:{day}",
        f"cx:o:{booking_id}:1",
        f"cx:o:{booking_id}:0",
    ]
    other = harness.user(OTHER_SPECIALIST_TID, "Jan")
    await other.say("/staff")
    for user in (anna, other):
        for data in forged:
            await user.press_data(data)
            reply = await user.expect()
            assert reply.answer is not None, data
            assert "tylko dla pracowników" in reply.answer.text, (data, reply.answer.text)
            assert not reply.messages, data
    async with harness.sessionmaker() as s:
        referrals = await s.scalar(select(func.count()).select_from(Referral))
    assert referrals == 1  # only the one from the set-up
    assert await _status(harness, booking_id) == "booked"

    # A staff member pressing nonsense is told the button is stale.
    await other.press_data("cx:o:abc:1")
    reply = await other.expect()
    assert reply.answer is not None and "nieaktualny" in reply.answer.text


async def test_morning_agenda_reaches_the_specialist(harness: Harness) -> None:
    await _start(harness)
    ids = await _club(harness)
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    await _book_first_slot(harness, 1, ids["psychologist"])
    specialist = harness.user(SPECIALIST_TID, "Maria")
    other = harness.user(OTHER_SPECIALIST_TID, "Jan")
    await specialist.say("/staff")
    await other.say("/staff")

    harness.clock.now = datetime(2027, 3, 1, 6, 29, tzinfo=UTC)  # 07:29 in Wejherowo
    dispatcher = harness.app.bot_data["dispatcher"]
    assert c.KIND_AGENDA in dispatcher.renderers
    assert await daily.run_morning_agenda(harness.app) == 1
    assert await daily.run_morning_agenda(harness.app) == 0  # at most once a day
    await dispatcher.run_once()
    morning = await expect_text(specialist, "Twoje spotkania dzisiaj")
    assert "poniedziałek, 1 marca" in morning.text
    # A psychologist's day: how many and when it starts; who and what after one tap.
    assert "Liczba spotkań: 1, pierwsze o 10:00" in morning.text
    assert "Anna Nowak" not in morning.text and "psycholog" not in morning.text.lower()
    assert "🗓 Otwórz grafik" in morning.buttons
    # A specialist with no appointments that day gets nothing.
    assert await other.silence(0.3) == []
    async with harness.sessionmaker() as s:
        statuses = list(
            await s.scalars(select(OutboxMessage.status).where(OutboxMessage.kind == c.KIND_AGENDA))
        )
    assert statuses == ["sent"]
    opened = await specialist.tap("🗓 Otwórz grafik")
    assert "Mój grafik" in opened.text and "Anna Nowak" in opened.text
    assert "10:00–10:50" in opened.text and "Konsultacja psychologiczna" in opened.text


async def test_agenda_is_not_sent_to_someone_no_longer_a_specialist(harness: Harness) -> None:
    await _start(harness)
    ids = await _club(harness)
    await register_active(harness, harness.user(1, "Anna"), "Anna Nowak")
    await _book_first_slot(harness, 1, ids["psychologist"])
    specialist = harness.user(SPECIALIST_TID, "Maria")
    await specialist.say("/staff")
    assert await daily.run_morning_agenda(harness.app) == 1
    async with harness.sessionmaker.begin() as s:
        await people.remove_staff(s, SPECIALIST_TID)
    await harness.app.bot_data["dispatcher"].run_once()
    assert await specialist.silence(0.3) == []
    async with harness.sessionmaker() as s:
        status = await s.scalar(
            select(OutboxMessage.status).where(OutboxMessage.kind == c.KIND_AGENDA)
        )
    assert status == "cancelled"


async def test_forged_cx_presses_are_stale_buttons_in_the_staff_members_language(
    harness: Harness,
) -> None:
    """Data no cx button ever carried (an unknown action, an argument missing or malformed,
    referral terms never offered, a day that is no date, an id beyond 32 bits) is answered
    as a stale button in the staff member's language, and nothing changes."""
    admin = await _start(harness)
    ids = await _club(harness)
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    booking_id = await _book_first_slot(harness, 1, ids["psychologist"])
    harness.clock.now = MONDAY_0700 + timedelta(hours=3, minutes=5)  # the appointment started
    anna_row = await person_row(harness, 1)
    assert anna_row is not None
    async with harness.sessionmaker.begin() as s:  # the admin reads the bot in English
        row = await people.get_by_telegram_id(s, ADMIN_ID)
        assert row is not None
        await people.set_language(s, row.id, "en")
    psychologist = ids["psychologist"]
    forged = [
        "cx:zz",
        "cx:rf:1",
        "cx:d",
        "cx:d:0:0",
        f"cx:d:{anna_row.id}:{psychologist}:7",  # 7 sessions are never offered
        f"cx:d:{anna_row.id}:{psychologist}:3:45",  # nor 45 days
        f"cx:y:{anna_row.id}:{psychologist}:3:45",
        f"cx:y:{anna_row.id}:{psychologist}:3",
        f"cx:y:0:{psychologist}:11:90",
        f"cx:a:{ids['specialist']}:20271340",  # no such day
        f"cx:o:{booking_id}:2",
        "cx:p:2147483648",
        "cx:rvy:abc",
    ]
    for data in forged:
        await admin.press_data(data)
        reply = await admin.expect()
        assert reply.answer is not None and reply.answer.show_alert, data
        assert reply.answer.text == "This button is out of date. Send /menu.", data
        assert not reply.messages, data
    async with harness.sessionmaker() as s:
        referrals = await s.scalar(select(func.count()).select_from(Referral))
    assert referrals == 1  # only the one from the set-up
    assert await _status(harness, booking_id) == "booked"
