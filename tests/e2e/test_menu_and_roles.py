"""My data and deletion, roles and forged buttons, unexpected input, errors, blocked users."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from models import AuditEvent, Person
from services import people
from tests.e2e.conftest import ADMIN_ID, Harness
from tests.e2e.flows import person_row, register_active, register_self


async def test_mydata_shows_everything_and_deletion_anonymises(harness: Harness) -> None:
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    data = await anna.tap("👤 Moje dane")
    for expected in ("Anna Nowak", "+48500100200", "Polski", "1", "aktywny", "zaproszenie"):
        assert expected in data.text
    keep = await anna.tap("🗑 Usuń moje dane")
    assert "Na pewno" in keep.text
    kept = await anna.tap("Nie, zostaw")
    assert "nic nie zmieniliśmy" in kept.text
    assert (await person_row(harness, 1)) is not None

    await anna.say("/mydata")
    await anna.tap("🗑 Usuń moje dane")
    done = await anna.tap("Tak, usuń wszystko")
    assert "zostały usunięte" in done.text and "Do widzenia" in done.text
    assert anna.reply_keyboard is None
    assert await person_row(harness, 1) is None
    async with harness.sessionmaker() as s:
        rows = list(await s.scalars(select(Person).where(Person.status == "anonymised")))
    assert len(rows) == 1
    assert (rows[0].telegram_id, rows[0].display_name, rows[0].phone) == (None, None, None)

    fresh = await anna.say("/start")  # a deleted person starts from scratch
    assert "Wybierz język" in fresh.text


async def test_participant_cannot_use_staff_commands_or_forged_buttons(harness: Harness) -> None:
    admin = harness.admin
    jan = harness.user(2, "Jan")
    await register_self(harness, jan)
    await admin.expect()
    pending = await person_row(harness, 2)
    assert pending is not None

    anna = harness.user(1, "Anna")
    await register_active(harness, anna)
    for command in ("/staff", "/pending", "/invite"):
        reply = await anna.say(command)
        assert "tylko dla pracowników" in reply.text
    for forged in (f"st:ap:{pending.id}", f"st:rj:{pending.id}", "st:inv", "st:pd"):
        await anna.press_data(forged)
        reply = await anna.expect()
        assert reply.answer is not None and "tylko dla pracowników" in reply.answer.text
    assert (await person_row(harness, 2)).status == "pending"  # type: ignore[union-attr]
    async with harness.sessionmaker() as s:
        actions = list(await s.scalars(select(AuditEvent.action)))
    assert not [a for a in actions if a.startswith("registration.")]

    # A pending (not yet approved) person cannot act either.
    await jan.press_data(f"st:ap:{pending.id}")
    reply = await jan.expect()
    assert reply.answer is not None and "tylko dla pracowników" in reply.answer.text


@pytest.mark.parametrize("role", ["specialist", "childcare_partner"])
async def test_staff_without_approval_rights_are_refused(harness: Harness, role: str) -> None:
    admin = harness.admin
    await register_self(harness, harness.user(2, "Jan"))
    await admin.expect()
    pending = await person_row(harness, 2)
    async with harness.sessionmaker.begin() as s:
        await people.add_staff(s, 50, role, "Pani Psycholog", "pl", harness.clock())
    specialist = harness.user(50, "Spec")
    menu = await specialist.say("/staff")
    assert "Menu pracownika" in menu.text
    await specialist.press_data(f"st:ap:{pending.id}")  # type: ignore[union-attr]
    reply = await specialist.expect()
    assert reply.answer is not None and "tylko dla pracowników" in reply.answer.text
    assert (await person_row(harness, 2)).status == "pending"  # type: ignore[union-attr]


async def test_staff_creates_an_invite_in_the_bot(harness: Harness) -> None:
    admin = harness.admin
    await admin.say("/start")
    await admin.tap("🧰 Menu pracownika")
    ask = await admin.tap("✉️ Utwórz link z zaproszeniem")
    assert "Napisz imię i nazwisko" in ask.text
    created = await admin.say("Maria Wiśniewska")
    assert "Maria Wiśniewska" in created.text
    link = next(word for word in created.text.split() if "t.me/" in word)
    assert link.startswith("https://t.me/kis_sandbox_bot?start=")
    code = link.split("start=")[1]

    maria = harness.user(3, "Maria")
    await maria.say(f"/start {code}")
    await maria.tap("Polski", contains=True)
    welcome = await maria.tap("Zgadzam się", contains=True)
    assert "Witaj, Maria Wiśniewska" in welcome.text
    async with harness.sessionmaker() as s:
        assert "invite.create" in list(await s.scalars(select(AuditEvent.action)))

    await admin.tap("🧰 Menu pracownika")
    await admin.tap("✉️ Utwórz link z zaproszeniem")
    cancelled = await admin.tap("Anuluj")
    assert "Anulowano" in cancelled.text
    after = await admin.say("Ktoś Inny")  # no longer taken as a name
    assert "Nie zrozumiałem" in after.text


async def test_unexpected_input_gets_a_helpful_answer(harness: Harness) -> None:
    stranger = harness.user(9, "Obcy")
    assert "/start" in (await stranger.say("dzień dobry")).text
    await stranger.send_sticker()
    assert "/start" in (await stranger.expect()).text

    anna = harness.user(1, "Anna")
    await register_active(harness, anna)
    assert "Nie zrozumiałem" in (await anna.say("asdf qwerty")).text
    await anna.send_sticker()
    assert "Rozumiem tylko przyciski" in (await anna.expect()).text
    await anna.send_location()
    assert "Rozumiem tylko przyciski" in (await anna.expect()).text
    await anna.send_photo()
    assert "Rozumiem tylko przyciski" in (await anna.expect()).text
    assert "Nie znam tego polecenia" in (await anna.say("/foobar")).text
    await anna.press_data("zz:9:9")
    stale = await anna.expect()
    assert stale.answer is not None and "nieaktualny" in stale.answer.text
    await anna.share_contact()
    assert "nie potrzebujemy numeru" in (await anna.expect()).text


async def test_blocked_participant_does_not_break_the_staff_flow(harness: Harness) -> None:
    admin = harness.admin
    jan = harness.user(2, "Jan")
    await register_self(harness, jan)
    await admin.expect()
    jan.block()
    decided = await admin.tap("✅ Zatwierdź")
    assert "Zatwierdzono" in decided.text
    assert (await person_row(harness, 2)).status == "active"  # type: ignore[union-attr]


async def test_error_is_explained_in_the_users_language_and_logged_without_personal_data(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    olena = harness.user(7, "Olena", language_code="uk")
    await register_active(harness, olena, "Олена Коваль")
    async with harness.sessionmaker.begin() as s:
        person = await people.get_by_telegram_id(s, 7)
        assert person is not None
        await people.set_language(s, person.id, "uk")

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database exploded")

    monkeypatch.setattr(people, "set_language", broken)
    caplog.set_level(logging.DEBUG)
    await olena.say("/language")
    reply = await olena.tap("English", contains=True)
    assert reply.answer is not None and "щось пішло не так" in reply.answer.text
    assert (await person_row(harness, 7)).language == "uk"  # type: ignore[union-attr]
    logged = "\n".join(r.getMessage() + str(r.exc_text or "") for r in caplog.records)
    assert "RuntimeError" in logged
    for secret in ("Олена", "Коваль", "+48500100200", str(ADMIN_ID) + ":"):
        assert secret not in logged
