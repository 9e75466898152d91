"""Staff tools through the sandbox: the agenda, participant search and card with its actions,
exports sent as documents (parsed back), indicators and the chart, and the role rules for
forged sx:* buttons."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from models import AuditEvent, ConsultationBooking, Enrollment
from sandbox import SimUser
from services import people, workshops
from tests.e2e.conftest import Harness
from tests.e2e.flows import expect_text, person_row, register_active, register_self
from tests.e2e.test_consult_staff import (
    MONDAY_0700,
    SPECIALIST_TID,
    _book_first_slot,
    _club,
)
from tests.factories import make_policy, make_session, make_workshop

PARTNER_TID = 60


async def _setup(h: Harness) -> tuple[SimUser, dict[str, int]]:
    """Monday 07:00: Anna (active) has a psychology appointment at 10:00 with Maria; Anna and
    Bartek fill both seats of a workshop at 12:00."""
    h.clock.now = MONDAY_0700
    admin = h.admin
    await admin.say("/start")
    ids = await _club(h)
    await register_active(h, h.user(1, "Anna"), "Anna Nowak")
    await register_active(h, h.user(2, "Bartek"), "Bartek Lis")
    ids["booking"] = await _book_first_slot(h, 1, ids["psychologist"])
    workshop = await make_workshop(h.sessionmaker)
    ws = await make_session(
        h.sessionmaker, workshop, MONDAY_0700 + timedelta(hours=5), capacity=2, cutoff_hours=0
    )
    for tid in (1, 2):
        row = await person_row(h, tid)
        assert row is not None
        async with h.sessionmaker.begin() as s:
            await workshops.enroll(s, row.id, tid, ws.id, h.clock(), make_policy())
    ids["session"] = ws.id
    return admin, ids


async def _actions(h: Harness) -> list[str]:
    async with h.sessionmaker() as s:
        return list(await s.scalars(select(AuditEvent.action)))


async def test_agenda_for_coordinator_and_specialist(harness: Harness) -> None:
    admin, _ = await _setup(harness)
    menu = await admin.say("/staff")
    assert {"📅 Agenda", "🔎 Szukaj uczestnika", "📤 Eksport i raporty"} <= set(menu.buttons)
    await admin.tap("📅 Agenda")
    today = await admin.tap("Dziś")
    assert "poniedziałek, 1 marca" in today.text
    assert "Edukacja finansowa" in today.text and "miejsca 2/2" in today.text
    assert "Maria Psycholog" in today.text
    assert "10:00 Anna Nowak (Konsultacja psychologiczna)" in today.text
    week = await admin.tap("Ten tydzień")
    assert "niedziela, 7 marca" in week.text and "Nic nie zaplanowano" in week.text

    specialist = harness.user(SPECIALIST_TID, "Maria")
    menu = await specialist.say("/staff")
    assert "📅 Agenda" in menu.buttons and "🔎 Szukaj uczestnika" not in menu.buttons
    await specialist.tap("📅 Agenda")
    own = await specialist.tap("Dziś")
    assert "10:00 spotkanie" in own.text
    assert "Anna Nowak" not in own.text and "Edukacja finansowa" not in own.text


async def test_search_card_and_actions(harness: Harness) -> None:
    admin, _ = await _setup(harness)
    jan = harness.user(3, "Jan")
    await register_self(harness, jan, "Jan Kowalski")
    await admin.expect()  # the approvers' notice
    anna = await person_row(harness, 1)
    pending = await person_row(harness, 3)
    assert anna is not None and pending is not None

    await admin.say("/staff")
    await admin.tap("🔎 Szukaj uczestnika")
    found = await admin.say("nowak")
    assert [b for b in found.buttons if "Anna Nowak" in b]
    assert not [b for b in found.buttons if "Bartek" in b]
    card = await admin.tap("Anna Nowak", contains=True)
    assert "Status: aktywny" in card.text
    assert "Konsultacja psychologiczna — umówione" in card.text
    assert "Edukacja finansowa — zapisany" in card.text
    assert "Skierowania" in card.text  # the referral used for the booking

    # Issue a referral: the existing referral flow takes over.
    draft = await admin.tap("📝 Wystaw skierowanie")
    assert "Skierowanie dla" in draft.text and "Anna Nowak" in draft.text
    assert "Konsultacja psychologiczna" in draft.buttons

    # Deactivate, with a confirmation step.
    await admin.press_data(f"sx:p:{anna.id}")
    await admin.expect()
    ask = await admin.tap("⛔ Dezaktywuj")
    assert "Dezaktywować" in ask.text
    done = await admin.tap("Tak, dezaktywuj")
    assert "Konto dezaktywowane" in done.text and "Status: nieaktywny" in done.text
    assert "⛔ Dezaktywuj" not in done.buttons
    assert (await person_row(harness, 1)).status == "deactivated"  # type: ignore[union-attr]

    # The pending list leads to the card with Approve.
    await admin.press_data("sx:f")
    prompt = await admin.expect()
    assert "📥 Oczekujące zgłoszenia" in prompt.buttons
    listing = await admin.tap("📥 Oczekujące zgłoszenia")
    assert "Rejestracje do zatwierdzenia: 1" in listing.text
    pending_card = await admin.tap("Jan Kowalski", contains=True)
    assert "czeka na zatwierdzenie" in pending_card.text
    approved = await admin.tap("✅ Zatwierdź rejestrację")
    assert "Status: aktywny" in approved.text
    assert (await person_row(harness, 3)).status == "active"  # type: ignore[union-attr]
    told = await jan.expect()
    assert told.messages
    actions = await _actions(harness)
    assert "person.deactivate" in actions and "registration.approve" in actions


async def test_deactivation_cancels_bookings_and_offers_the_seat(harness: Harness) -> None:
    admin, ids = await _setup(harness)  # Anna and Bartek fill the workshop; Anna has a consult
    celina = harness.user(4, "Celina")
    await register_active(harness, celina, "Celina Wiśniewska")
    celina_row = await person_row(harness, 4)
    anna = await person_row(harness, 1)
    assert celina_row is not None and anna is not None
    async with harness.sessionmaker.begin() as s:
        joined = await workshops.enroll(
            s, celina_row.id, 4, ids["session"], harness.clock(), make_policy()
        )
    assert joined.outcome == "waiting"

    await admin.say("/staff")
    await admin.press_data(f"sx:p:{anna.id}")
    await admin.expect()
    await admin.tap("⛔ Dezaktywuj")
    done = await admin.tap("Tak, dezaktywuj")
    assert "Konto dezaktywowane" in done.text
    assert "miejsca na warsztatach: 1" in done.text and "konsultacje: 1" in done.text

    offer = await expect_text(celina, "Zwolniło się miejsce")
    assert offer.buttons == ["✅ Biorę", "Rezygnuję"]
    async with harness.sessionmaker() as s:
        statuses = list(
            await s.scalars(
                select(Enrollment.status)
                .where(Enrollment.session_id == ids["session"])
                .order_by(Enrollment.id)
            )
        )
        booking = await s.get(ConsultationBooking, ids["booking"])
    assert statuses == ["cancelled", "confirmed", "offered"]
    assert booking is not None and booking.status == "cancelled"


async def test_exports_indicators_and_chart(harness: Harness) -> None:
    admin, _ = await _setup(harness)
    await admin.say("/staff")
    menu = await admin.tap("📤 Eksport i raporty")
    assert "👥 Uczestnicy" in menu.buttons and "📈 Wykres z 6 miesięcy" in menu.buttons

    await admin.tap("🎨 Zapisy i obecność na warsztatach")
    await admin.tap("Ten miesiąc", contains=True)
    sent = await admin.tap("XLSX (Excel)")
    document = sent.last.document
    assert document is not None and document.file_name == "kis-workshops-2027-03.xlsx"
    sheet = load_workbook(io.BytesIO(document.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][7] == "Imię i nazwisko"
    assert sorted((r[7], r[8]) for r in rows[1:]) == [
        ("Anna Nowak", "confirmed"),
        ("Bartek Lis", "confirmed"),
    ]

    await admin.say("/staff")
    await admin.tap("📤 Eksport i raporty")
    await admin.tap("💬 Konsultacje")
    await admin.tap("Inny miesiąc…")
    await admin.tap("marzec 2027")
    sent = await admin.tap("CSV")
    document = sent.last.document
    assert document is not None and document.file_name == "kis-consultations-2027-03.csv"
    table = list(csv.reader(io.StringIO(document.content.decode("utf-8-sig")), delimiter=";"))
    assert table[0][-1] == "ID skierowania"
    assert [(r[4], r[7], r[8]) for r in table[1:]] == [
        ("Konsultacja psychologiczna", "Anna Nowak", "booked")
    ]

    await admin.say("/staff")
    await admin.tap("📤 Eksport i raporty")
    await admin.tap("📊 Wskaźniki miesiąca")
    indicators = await admin.tap("Ten miesiąc", contains=True)
    assert "Wskaźniki: marzec 2027" in indicators.text and "Unikalni uczestnicy" in indicators.text
    chart = await admin.tap("⬅️ Wstecz")
    assert "Za który miesiąc" in chart.text

    await admin.say("/staff")
    await admin.tap("📤 Eksport i raporty")
    photo = await admin.tap("📈 Wykres z 6 miesięcy")
    assert photo.last.photo is not None and photo.last.photo.content.startswith(b"\x89PNG")

    actions = await _actions(harness)
    for action in ("export.workshops.xlsx", "export.consultations.csv", "report.month"):
        assert action in actions
    assert "report.chart" in actions


async def test_specialist_and_partner_export_only_their_part(harness: Harness) -> None:
    await _setup(harness)
    async with harness.sessionmaker.begin() as s:
        await people.add_staff(
            s, PARTNER_TID, "childcare_partner", "Spółdzielnia", "pl", harness.clock()
        )
    specialist = harness.user(SPECIALIST_TID, "Maria")
    await specialist.say("/staff")
    menu = await specialist.tap("📤 Eksport i raporty")
    assert menu.buttons == ["💬 Konsultacje"]
    await specialist.tap("💬 Konsultacje")
    await specialist.tap("Ten miesiąc", contains=True)
    sent = await specialist.tap("CSV")
    assert sent.last.document is not None
    table = list(
        csv.reader(io.StringIO(sent.last.document.content.decode("utf-8-sig")), delimiter=";")
    )
    assert "ID skierowania" not in table[0] and len(table) == 2

    partner = harness.user(PARTNER_TID, "Ola")
    await partner.say("/staff")
    menu = await partner.tap("📤 Eksport i raporty")
    assert menu.buttons == ["🧸 Opieka nad dziećmi"]
    await partner.tap("🧸 Opieka nad dziećmi")
    await partner.tap("Ten miesiąc", contains=True)
    sent = await partner.tap("XLSX (Excel)")
    assert sent.last.document is not None
    sheet = load_workbook(io.BytesIO(sent.last.document.content)).active
    assert sheet is not None
    header = next(sheet.iter_rows(values_only=True))
    assert "Zajęcia rodzica" not in header  # the partner never sees what the parent attends


async def test_forged_sx_buttons_are_refused_and_send_nothing(harness: Harness) -> None:
    admin, _ = await _setup(harness)
    jan = harness.user(3, "Jan")
    await register_self(harness, jan, "Jan Kowalski")
    await admin.expect()
    anna = await person_row(harness, 1)
    pending = await person_row(harness, 3)
    assert anna is not None and pending is not None
    async with harness.sessionmaker.begin() as s:
        await people.add_staff(
            s, PARTNER_TID, "childcare_partner", "Spółdzielnia", "pl", harness.clock()
        )
    common = [
        "sx:f",
        "sx:pl",
        f"sx:p:{anna.id}",
        f"sx:ok:{pending.id}",
        f"sx:dq:{anna.id}",
        f"sx:dy:{anna.id}",
        "sx:ef:participants:0:csv",
        "sx:ef:workshops:202703:xlsx",
        "sx:ek:participants",
        "sx:em:ind:202703",
        "sx:ch",
    ]
    forged = {
        SPECIALIST_TID: [*common, "sx:ef:childcare:202703:csv"],
        PARTNER_TID: [*common, "sx:ef:consultations:202703:xlsx", "sx:ek:consultations"],
        1: [*common, "sx:a:t", "sx:e", "sx:ef:consultations:202703:csv"],
    }
    for tid, datas in forged.items():
        user = harness.user(tid, "X")
        if tid != 1:
            await user.say("/staff")
        for data in datas:
            await user.press_data(data)
            got = await user.expect()
            assert got.answer is not None, (tid, data)
            assert "tylko dla pracowników" in got.answer.text, (tid, data, got.answer.text)
            assert not got.messages, (tid, data)
        assert not user.documents and not user.photos
    assert (await person_row(harness, 1)).status == "active"  # type: ignore[union-attr]
    assert (await person_row(harness, 3)).status == "pending"  # type: ignore[union-attr]
    actions = await _actions(harness)
    assert not [a for a in actions if a.startswith(("export.", "report.", "person."))]
    assert "registration.approve" not in actions


async def test_long_agenda_is_split_under_the_telegram_limit() -> None:
    from handlers.staff_tools import TEXT_LIMIT, split_text

    lines = [f"• 10:00 Osoba numer {i} (Konsultacja psychologiczna)" for i in range(400)]
    chunks = split_text(lines)
    assert len(chunks) > 1 and all(0 < len(c) <= TEXT_LIMIT < 4096 for c in chunks)
    assert "\n".join(chunks).count("Osoba numer") == 400
    assert split_text(["x" * 9000]) == [
        "x" * TEXT_LIMIT,
        "x" * TEXT_LIMIT,
        "x" * (9000 - 2 * TEXT_LIMIT),
    ]
