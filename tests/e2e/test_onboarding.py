"""Onboarding end to end: invite link, self-registration, consent, language, restarts."""

from __future__ import annotations

from sqlalchemy import func, select

from models import AuditEvent, Invite, OutboxMessage, Person
from sandbox import SimUser
from tests.e2e.conftest import ADMIN_ID, Harness
from tests.e2e.flows import (
    consent,
    create_invite,
    person_row,
    register_active,
    register_self,
)


async def test_invite_link_activates_at_once(harness: Harness) -> None:
    code = await create_invite(harness, "Anna Nowak")
    anna = harness.user(1, "Anna")
    first = await anna.say(f"/start {code}")
    assert "Wybierz język" in first.text
    assert "✓ Polski" in first.buttons  # guessed from Telegram's language_code
    consent_text = await anna.tap("Polski", contains=True)
    assert "Twoje dane" in consent_text.text and "Usuń moje dane" in consent_text.text
    reply = await anna.tap("Zgadzam się", contains=True)
    assert "Witaj, Anna Nowak" in reply.text
    assert anna.reply_keyboard is not None
    assert ["📱 Udostępnij mój numer"] in anna.reply_keyboard
    done = await anna.tap("Udostępnij mój numer", contains=True)
    assert "Jesteś zapisany" in done.text
    assert anna.reply_keyboard is not None and ["👤 Moje dane"] in anna.reply_keyboard

    row = await person_row(harness, 1)
    assert row is not None
    assert (row.status, row.source, row.display_name) == ("active", "invite", "Anna Nowak")
    assert row.phone == "+48500100200" and row.consent_at is not None
    async with harness.sessionmaker() as s:
        invite = await s.scalar(select(Invite))
        assert invite is not None and invite.used_by_id == row.id


async def test_used_invite_falls_back_to_self_registration(harness: Harness) -> None:
    code = await create_invite(harness, "Anna Nowak")
    anna = harness.user(1, "Anna")
    await consent(anna, f"/start {code}")
    await anna.tap("Pomiń")
    again = await anna.say(f"/start {code}")  # already registered: just the menu
    assert "Witaj, Anna Nowak" in again.text

    other = harness.user(2, "Ola")
    reply = await consent(other, f"/start {code}")
    assert "nieważny" in reply.text
    assert "Jak masz na imię" in reply.text
    row = await person_row(harness, 2)
    assert row is not None and (row.source, row.status) == ("self", "onboarding")


async def test_self_registration_approved(harness: Harness) -> None:
    admin = harness.admin
    jan = harness.user(2, "Jan")
    reply = await register_self(harness, jan)
    assert "Pracownik klubu sprawdzi" in reply.text
    assert (await person_row(harness, 2)).status == "pending"  # type: ignore[union-attr]

    notice = await admin.expect()
    assert "Nowa rejestracja" in notice.text and "Jan Kowalski" in notice.text
    approve_data = admin.inline_buttons(notice.last)[0][0][1]
    decided = await admin.tap("✅ Zatwierdź")
    assert "Zatwierdzono" in decided.text
    told = await jan.expect()
    assert "potwierdzona" in told.text
    assert jan.reply_keyboard is not None and ["👤 Moje dane"] in jan.reply_keyboard
    assert (await person_row(harness, 2)).status == "active"  # type: ignore[union-attr]
    async with harness.sessionmaker() as s:
        actions = list(await s.scalars(select(AuditEvent.action)))
    assert "registration.approve" in actions

    await admin.press_data(approve_data)  # a stale second tap changes nothing
    again = await admin.expect()
    assert again.answer is not None and "już rozpatrzone" in again.answer.text


async def test_self_registration_rejected(harness: Harness) -> None:
    admin = harness.admin
    jan = harness.user(2, "Jan")
    await register_self(harness, jan)
    await admin.expect()
    decided = await admin.tap("❌ Odrzuć")
    assert "Odrzucono" in decided.text
    told = await jan.expect()
    assert "nie możemy potwierdzić" in told.text
    assert await person_row(harness, 2) is None


async def test_pending_list_from_staff_menu(harness: Harness) -> None:
    admin = harness.admin
    await register_self(harness, harness.user(2), "Jan Kowalski")
    await register_self(harness, harness.user(3), "Ewa Lis")
    await admin.expect()
    await admin.say("/start")
    menu = await admin.tap("🧰 Menu pracownika")
    assert "2 zgłoszenia do zatwierdzenia" in menu.buttons
    cards = await admin.tap("2 zgłoszenia do zatwierdzenia")
    assert "Jan Kowalski" in cards.text and "Ewa Lis" in cards.text


async def test_consent_declined_stores_nothing(harness: Harness) -> None:
    user = harness.user(5, "Olek")
    await user.say("/start")
    await user.tap("Polski", contains=True)
    reply = await user.tap("Nie zgadzam się", contains=True)
    assert "Nic nie zapisaliśmy" in reply.text
    async with harness.sessionmaker() as s:
        count = await s.scalar(select(func.count()).select_from(Person))
        ids = list(await s.scalars(select(Person.telegram_id)))
    assert ids == [ADMIN_ID] and count == 1


async def test_language_guess_and_switch(harness: Harness) -> None:
    admin = harness.admin
    olena = harness.user(7, "Olena", language_code="uk")
    first = await olena.say("/start")
    assert "Оберіть мову" in first.text and "✓ Українська" in first.buttons
    await olena.tap("Українська", contains=True)
    await olena.tap("Погоджуюся", contains=True)
    await olena.say("Олена Коваль")
    await olena.tap("Пропустити")
    await admin.expect()
    await admin.tap("✅ Zatwierdź")
    welcome = await olena.expect()
    assert "підтверджено" in welcome.text

    await olena.tap("🌐 Мова")
    changed = await olena.tap("English", contains=True)
    assert "Language: English" in changed.text
    assert olena.reply_keyboard is not None and ["👤 My data"] in olena.reply_keyboard
    data = await olena.say("/mydata")
    assert "Your data stored in the bot" in data.text
    confused = await olena.say("hello?")
    assert "did not understand" in confused.text
    about = await olena.tap("ℹ️ About & contact")
    assert "room 11" in about.text and "58 677 79 87" in about.text
    assert (await person_row(harness, 7)).language == "en"  # type: ignore[union-attr]


async def test_restart_in_the_middle_of_onboarding(harness: Harness) -> None:
    jan = harness.user(2, "Jan")
    await consent(jan)
    await jan.say("Jan Kowalski")  # now the bot waits for the phone
    await harness.restart()
    reply = await jan.tap("Pomiń")  # the keyboard from before the restart still works
    assert "Pracownik klubu sprawdzi" in reply.text
    row = await person_row(harness, 2)
    assert row is not None and (row.status, row.display_name) == ("pending", "Jan Kowalski")

    ewa = harness.user(3, "Ewa")
    await consent(ewa)
    await harness.restart()
    resumed = await ewa.say("/start")
    assert "Jak masz na imię" in resumed.text


async def test_updates_of_one_chat_are_handled_in_order(harness: Harness) -> None:
    jan = harness.user(2, "Jan")
    await consent(jan)
    # Two messages without waiting in between: the second must be handled after the first.
    await jan.send("Jan Kowalski")
    await jan.send("Pomiń")
    await harness.settle()  # both fetched and handled
    row = await person_row(harness, 2)
    assert row is not None
    assert (row.display_name, row.status) == ("Jan Kowalski", "pending")


async def test_contact_of_someone_else_is_refused(harness: Harness) -> None:
    jan = harness.user(2, "Jan")
    await consent(jan)
    await jan.say("Jan Kowalski")
    await jan.share_contact("+48600700800", user_id=99)
    reply = await jan.expect()
    assert "tylko swój własny numer" in reply.text
    assert (await person_row(harness, 2)).phone is None  # type: ignore[union-attr]
    await jan.share_contact()
    assert "sprawdzi" in (await jan.expect()).text
    assert (await person_row(harness, 2)).phone == "+48500100200"  # type: ignore[union-attr]


async def test_bad_name_gets_a_clear_answer(harness: Harness) -> None:
    jan = harness.user(2, "Jan")
    await consent(jan)
    reply = await jan.say("12345")
    assert "Nie rozumiem tego imienia" in reply.text
    assert (await person_row(harness, 2)).awaiting == "name"  # type: ignore[union-attr]


async def test_commands_are_set_per_language_and_for_staff(harness: Harness) -> None:
    sandbox = harness.sandbox
    for lang, word in (("pl", "Moje dane"), ("uk", "Мої дані"), ("en", "My data")):
        commands = sandbox.commands({"type": "default"}, lang)
        assert [c["command"] for c in commands] == ["start", "menu", "mydata", "language", "help"]
        assert any(c["description"] == word for c in commands)
    staff = sandbox.commands({"type": "chat", "chat_id": ADMIN_ID})
    assert {"staff", "pending", "invite"} <= {c["command"] for c in staff}


async def _early_prompt(user: SimUser) -> int:
    """A /start left unanswered before registering (which sends /start again): that first
    language prompt stays in the chat; returns its message id."""
    first = await user.say("/start")
    return first.last.message_id


async def test_declining_on_an_old_prompt_tells_a_registered_person_their_data_stays(
    harness: Harness,
) -> None:
    # Telegram says English, but Marta registers in Polish on the second prompt.
    marta = harness.user(8, "Marta", language_code="en")
    old_prompt = await _early_prompt(marta)
    await register_active(harness, marta, "Marta Wiśniewska")
    # Later she goes through the first prompt, in English, and declines.
    await marta.tap("English", contains=True, message_id=old_prompt)
    reply = await marta.tap("I do not agree", contains=True, message_id=old_prompt)
    assert "Nic nie zapisaliśmy" not in reply.text and "nothing" not in reply.text.lower()
    assert "Jesteś już zarejestrowany" in reply.text, reply.text  # her stored language
    assert "/mydata" in reply.text and "Usuń moje dane" in reply.text
    assert len(reply.answers) == 1
    row = await person_row(harness, 8)
    assert row is not None and row.status == "active" and row.display_name == "Marta Wiśniewska"


async def test_declining_on_an_old_prompt_while_pending_says_the_data_is_kept(
    harness: Harness,
) -> None:
    piotr = harness.user(9, "Piotr", language_code="uk")
    old_prompt = await _early_prompt(piotr)
    await register_self(harness, piotr, "Piotr Zieliński")
    await piotr.tap("Polski", contains=True, message_id=old_prompt)
    reply = await piotr.tap("Nie zgadzam się", contains=True, message_id=old_prompt)
    assert "Nic nie zapisaliśmy" not in reply.text
    assert "zgoda i Twoje dane są zapisane" in reply.text, reply.text
    assert "sprawdzi Twoje zgłoszenie" in reply.text  # where the registration stands
    row = await person_row(harness, 9)
    assert row is not None and row.status == "pending"


async def test_registration_decision_reaches_the_person_after_telegram_failed(
    harness: Harness,
) -> None:
    """The decision is an outbox row written with it: Telegram answering 502 when the person
    is told delays the message, it does not lose it (it was sent once, after the commit,
    and a failure left the person waiting for ever)."""
    admin, jan = harness.admin, harness.user(2, "Jan")
    await register_self(harness, jan)
    await admin.expect()
    harness.sandbox.inject_fault("sendMessage", status=502, chat_id=2)
    decided = await admin.tap("✅ Zatwierdź")
    assert "Zatwierdzono" in decided.text
    assert await jan.silence(0.5) == []  # the first try failed
    async with harness.sessionmaker() as s:
        [row] = list(
            await s.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == "registration_decided")
            )
        )
    assert row.status == "pending" and row.attempts == 1
    harness.clock.advance(minutes=1)  # past the retry's backoff
    await harness.app.bot_data["dispatcher"].run_once()
    told = await jan.expect()
    assert "potwierdzona" in told.text
    assert jan.reply_keyboard is not None and ["👤 Moje dane"] in jan.reply_keyboard


async def test_new_registration_notice_is_dropped_once_another_approver_decided(
    harness: Harness,
) -> None:
    """The approvers' notices are outbox rows rendered at send time: one that could not go
    out before a colleague decided is not sent at all (no stale Approve / Reject)."""
    from services import people

    async with harness.sessionmaker.begin() as s:
        await people.add_staff(s, 1001, "coordinator", "Ewa Kowalska", "pl", harness.clock())
    admin, ewa, jan = harness.admin, harness.user(1001, "Ewa"), harness.user(2, "Jan")
    harness.sandbox.inject_fault("sendMessage", status=502, chat_id=1001)
    await register_self(harness, jan)
    notice = await admin.expect()
    assert "Nowa rejestracja" in notice.text
    await admin.tap("✅ Zatwierdź")
    assert "potwierdzona" in (await jan.expect()).text
    harness.clock.advance(minutes=1)  # past the retry's backoff
    await harness.settle()
    assert await ewa.silence(0.3) == []
    async with harness.sessionmaker() as s:
        rows = list(
            await s.scalars(
                select(OutboxMessage.status).where(OutboxMessage.kind == "registration_pending")
            )
        )
    assert sorted(rows) == ["cancelled", "sent"]
