"""Childcare end to end, as participants use it: dependants, care with a workshop seat and
with a consultation, decisions, capacity (held → freed → offered), cancellations, and
nobody reaching another participant's dependants or requests."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from models import CareRequest, Dependant, Enrollment, OutboxMessage, WorkshopSession
from sandbox import Reply, SimUser
from services import childcare, people
from services import consultations as c
from tests.e2e.conftest import Harness
from tests.e2e.flows import expect_text, person_row, register_active
from tests.factories import make_policy, make_session, make_workshop

WAW = ZoneInfo("Europe/Warsaw")
PARTNER_TID = 700
COORDINATOR_TID = 900
# Monday 1 March 2027, 08:00 in Wejherowo.
MONDAY = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)


async def _staff(h: Harness) -> None:
    async with h.sessionmaker.begin() as s:
        await people.add_staff(s, PARTNER_TID, "childcare_partner", "Dobrodziejki", "pl", h.clock())
        await people.add_staff(s, COORDINATOR_TID, "coordinator", "Ewa", "pl", h.clock())


async def _session_card(h: Harness) -> WorkshopSession:
    workshop = await make_workshop(h.sessionmaker)
    return await make_session(h.sessionmaker, workshop, MONDAY + timedelta(days=2, hours=9))


async def _add_child(user: SimUser, year: str, name: str, needs: str | None) -> Reply:
    await user.tap("🧸 Opieka nad dziećmi")
    await user.tap("➕ Dodaj dziecko")
    await user.say(year)
    await user.say(name)
    if needs is None:
        return await user.tap("Brak szczególnych potrzeb")
    return await user.say(needs)


async def _requests(h: Harness) -> list[tuple[int | None, str]]:
    async with h.sessionmaker() as s:
        rows = await s.execute(
            select(CareRequest.dependant_id, CareRequest.status).order_by(CareRequest.id)
        )
        return [(d, st) for d, st in rows.all()]


async def _dependants(h: Harness, telegram_id: int) -> list[Dependant]:
    person = await person_row(h, telegram_id)
    assert person is not None
    async with h.sessionmaker() as s:
        return list(
            await s.scalars(
                select(Dependant).where(Dependant.person_id == person.id).order_by(Dependant.id)
            )
        )


async def _dispatch(h: Harness) -> None:
    await h.app.bot_data["dispatcher"].run_once()  # (the dispatcher job may have sent already)


async def _book_workshop(h: Harness, user: SimUser, ws: WorkshopSession) -> Reply:
    from handlers.formatting import short_when

    await user.tap("📚 Warsztaty")
    await user.tap("🤝 Aktywizacja społeczna")
    await user.tap("Edukacja finansowa")
    await user.tap(short_when(ws.starts_at, WAW, "pl"))
    return await user.tap("✅ Zapisz mnie")


async def test_register_edit_and_remove_dependants(harness: Harness) -> None:
    harness.clock.now = MONDAY
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    saved = await _add_child(anna, "2019", "Zosia", "alergia na orzechy")
    assert "Zosia (dziecko, ur. 2019)" in saved.text and "alergia na orzechy" in saved.text
    await anna.tap("➕ Dodaj osobę zależną")
    wrong = await anna.say("dawno")
    assert "czterema cyframi" in wrong.text  # the same question stays open
    await anna.say("1950")
    await anna.say("Dziadek Jan")
    await anna.tap("Brak szczególnych potrzeb")
    zosia, dziadek = await _dependants(harness, 1)
    assert (zosia.name, zosia.kind, zosia.birth_year, zosia.needs) == (
        "Zosia",
        "child",
        2019,
        "alergia na orzechy",
    )
    assert (dziadek.name, dziadek.kind, dziadek.birth_year, dziadek.needs) == (
        "Dziadek Jan",
        "adult",
        1950,
        "",
    )
    await anna.tap("🧸 Opieka nad dziećmi")
    await anna.tap("✏️ Dziadek Jan")
    await anna.tap("✏️ Zmień imię")
    await anna.say("Dziadek")
    await anna.tap("✏️ Dziadek")
    await anna.tap("🗑 Usuń")
    await anna.tap("Tak, usuń")
    assert [d.name for d in await _dependants(harness, 1)] == ["Zosia"]


async def test_care_with_a_workshop_seat_approved_and_cancelled_with_the_booking(
    harness: Harness,
) -> None:
    harness.clock.now = MONDAY
    await _staff(harness)
    ws = await _session_card(harness)
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    await _add_child(anna, "2019", "Zosia", None)
    booked = await _book_workshop(harness, anna, ws)
    assert "🧸 Opieka nad dzieckiem w tym czasie?" in booked.buttons
    whom = await anna.tap("🧸 Opieka nad dzieckiem w tym czasie?")
    assert "Dla kogo potrzebujesz opieki" in whom.text
    asked = await anna.tap("Zosia")
    assert "Wysłano prośbę o opiekę dla: Zosia" in asked.text
    [zosia] = await _dependants(harness, 1)
    assert await _requests(harness) == [(zosia.id, "pending")]
    async with harness.sessionmaker() as s:
        request = await s.scalar(select(CareRequest))
    assert request is not None
    assert request.starts_at == ws.starts_at - timedelta(minutes=15)
    assert request.ends_at == ws.ends_at + timedelta(minutes=15)

    async with harness.sessionmaker.begin() as s:
        await childcare.decide(
            s,
            actor_tid=PARTNER_TID,
            request_id=request.id,
            approve=True,
            now=harness.clock(),
            policy=make_policy(),
        )
    await _dispatch(harness)
    await expect_text(anna, "Opieka potwierdzona: Zosia")
    assert await _requests(harness) == [(zosia.id, "approved")]

    # Cancelling the seat cancels the care, and the partner is told.
    listed = await anna.tap("🗓 Moje zapisy")
    assert "🧸" in listed.text and "📚" in listed.text  # the care request is listed too
    await anna.tap("📚", contains=True)
    await anna.tap("❌ Odwołaj")
    await anna.tap("Tak, odwołaj")
    assert await _requests(harness) == [(zosia.id, "cancelled")]
    async with harness.sessionmaker() as s:
        kinds = [r.kind for r in await s.scalars(select(OutboxMessage))]
    assert kinds.count("care_cancelled") == 1


async def test_care_with_a_consultation_declined_with_a_reason(harness: Harness) -> None:
    harness.clock.now = MONDAY
    await _staff(harness)
    async with harness.sessionmaker.begin() as s:
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
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    await _add_child(anna, "2020", "Kuba", None)
    await anna.tap("💬 Konsultacje")
    days = await anna.tap("Poradnictwo socjalne")
    times = await anna.tap(days.buttons[0])
    await anna.tap(times.buttons[0])
    booked = await anna.tap("✅ Tak, zapisz mnie")
    assert "🧸 Opieka nad dzieckiem w tym czasie?" in booked.buttons
    await anna.tap("🧸 Opieka nad dzieckiem w tym czasie?")
    asked = await anna.tap("Kuba")
    assert "Wysłano prośbę" in asked.text
    async with harness.sessionmaker() as s:
        request = await s.scalar(select(CareRequest))
    assert request is not None and request.consultation_id is not None
    async with harness.sessionmaker.begin() as s:
        await childcare.decide(
            s,
            actor_tid=PARTNER_TID,
            request_id=request.id,
            approve=False,
            reason="Brak miejsc w tym czasie",
            now=harness.clock(),
            policy=make_policy(),
        )
    await _dispatch(harness)
    told = await expect_text(anna, "nie mogą zająć się Kuba")
    assert "Powód: Brak miejsc w tym czasie" in told.text


async def test_capacity_full_request_held_then_offered_when_room_frees(harness: Harness) -> None:
    harness.clock.now = MONDAY
    await _staff(harness)
    async with harness.sessionmaker.begin() as s:
        await childcare.set_capacity_window(
            s,
            actor_tid=PARTNER_TID,
            weekday=None,
            start=time(7),
            end=time(21),
            max_dependants=1,
            now=MONDAY,
            policy=make_policy(),
        )
    ws = await _session_card(harness)
    anna, bartek = harness.user(1, "Anna"), harness.user(2, "Bartek")
    for user, name, child in ((anna, "Anna Nowak", "Zosia"), (bartek, "Bartek Lis", "Ola")):
        await register_active(harness, user, name)
        await _add_child(user, "2018", child, None)
        await _book_workshop(harness, user, ws)
        await user.tap("🧸 Opieka nad dzieckiem w tym czasie?")
    assert "Wysłano prośbę" in (await anna.tap("Zosia")).text
    held = await bartek.tap("Ola")
    assert "mają już komplet (1 osób)" in held.text
    assert [st for _, st in await _requests(harness)] == ["pending", "held"]

    # Anna no longer needs care: Bartek's request moves up and he is told.
    await anna.tap("🧸 Opieka nad dziećmi")
    done = await anna.tap("❌ Odwołaj opiekę: Zosia")
    assert done.answer is not None and "Twój zapis zostaje" in done.answer.text
    assert [st for _, st in await _requests(harness)] == ["cancelled", "pending"]
    await _dispatch(harness)
    await expect_text(bartek, "Zwolniło się miejsce w opiece dla Ola")
    async with harness.sessionmaker() as s:
        seat = await s.scalar(select(WorkshopSession.seats_taken))
    assert seat == 2  # cancelling care kept both seats


async def test_nobody_reaches_another_participants_dependants_or_requests(
    harness: Harness,
) -> None:
    harness.clock.now = MONDAY
    await _staff(harness)
    ws = await _session_card(harness)
    anna, bartek = harness.user(1, "Anna"), harness.user(2, "Bartek")
    await register_active(harness, anna, "Anna Nowak")
    await register_active(harness, bartek, "Bartek Lis")
    await _add_child(anna, "2019", "Zosia", "alergia")
    await _add_child(bartek, "2017", "Ola", None)
    await _book_workshop(harness, anna, ws)
    await anna.tap("🧸 Opieka nad dzieckiem w tym czasie?")
    await anna.tap("Zosia")
    await _book_workshop(harness, bartek, ws)
    [zosia], [ola] = await _dependants(harness, 1), await _dependants(harness, 2)
    async with harness.sessionmaker() as s:
        request = await s.scalar(select(CareRequest))
        enrollments = {e.person_id: e.id for e in await s.scalars(select(Enrollment))}
    assert request is not None
    anna_row = await person_row(harness, 1)
    assert anna_row is not None
    anna_enrollment = enrollments[anna_row.id]
    bartek_enrollment = next(v for k, v in enrollments.items() if k != anna_row.id)
    forged = [
        f"cc:d:{zosia.id}",
        f"cc:e:{zosia.id}:n",
        f"cc:rmy:{zosia.id}",
        f"cc:ns:{zosia.id}",
        f"cc:x:{request.id}",
        f"cc:b:w:{anna_enrollment}",
        f"cc:q:w:{anna_enrollment}:{ola.id}",
        f"cc:q:w:{bartek_enrollment}:{zosia.id}",
    ]
    for data in forged:
        await bartek.press_data(data)
        reply = await bartek.expect()
        assert reply.answer is not None and "nieaktualny" in reply.answer.text, data
    assert await _requests(harness) == [(zosia.id, "pending")]
    assert [d.name for d in await _dependants(harness, 1)] == ["Zosia"]
    assert (await _dependants(harness, 1))[0].needs == "alergia"


async def test_deleting_ones_data_deletes_the_dependants_and_cancels_care(
    harness: Harness,
) -> None:
    harness.clock.now = MONDAY
    await _staff(harness)
    ws = await _session_card(harness)
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    await _add_child(anna, "2019", "Zosia", "alergia na orzechy")
    await _book_workshop(harness, anna, ws)
    await anna.tap("🧸 Opieka nad dzieckiem w tym czasie?")
    await anna.tap("Zosia")
    await anna.tap("👤 Moje dane")
    await anna.tap("🗑 Usuń moje dane")
    await anna.tap("Tak, usuń wszystko")
    async with harness.sessionmaker() as s:
        assert list(await s.scalars(select(Dependant))) == []
        [request] = list(await s.scalars(select(CareRequest)))
    assert request.status == "cancelled" and request.dependant_id is None


async def _press_once(h: Harness, user: SimUser, label: str) -> Reply:
    """Tap `label`; the press must be answered exactly once (a second answerCallbackQuery is
    refused by Telegram and counted by the sandbox)."""
    before = h.sandbox.stats.per_method["answerCallbackQuery"]
    reply = await user.tap(label)
    assert h.sandbox.stats.double_answers == 0, label
    assert h.sandbox.stats.per_method["answerCallbackQuery"] - before == 1, label
    assert len(reply.answers) == 1, label
    return reply


async def test_no_needs_removal_and_cancelling_care_answer_each_press_once(
    harness: Harness,
) -> None:
    harness.clock.now = MONDAY
    await _staff(harness)
    ws = await _session_card(harness)
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    await anna.tap("🧸 Opieka nad dziećmi")
    await anna.tap("➕ Dodaj dziecko")
    await anna.say("2019")
    await anna.say("Zosia")
    saved = await _press_once(harness, anna, "Brak szczególnych potrzeb")
    assert "Zosia (dziecko, ur. 2019)" in saved.text

    await anna.tap("➕ Dodaj osobę zależną")
    await anna.say("1950")
    await anna.say("Dziadek Jan")
    await _press_once(harness, anna, "Brak szczególnych potrzeb")
    await anna.tap("✏️ Dziadek Jan")
    await anna.tap("🗑 Usuń")
    removed = await _press_once(harness, anna, "Tak, usuń")
    assert removed.answer is not None and removed.answer.text
    assert "Dziadek Jan" not in removed.text and "Zosia" in removed.text

    await _book_workshop(harness, anna, ws)
    await anna.tap("🧸 Opieka nad dzieckiem w tym czasie?")
    await anna.tap("Zosia")
    await anna.tap("🧸 Opieka nad dziećmi")
    cancelled = await _press_once(harness, anna, "❌ Odwołaj opiekę: Zosia")
    assert cancelled.answer is not None and "Twój zapis zostaje" in cancelled.answer.text
    assert [st for _, st in await _requests(harness)] == ["cancelled"]


async def test_forged_cc_presses_and_old_prompts_are_stale_in_the_persons_language(
    harness: Harness,
) -> None:
    """Data no cc button ever carried (an unknown action, kind or field, an argument missing
    or extra, an id beyond 32 bits) is answered as a stale button in the participant's
    language and changes nothing; a typed answer to a question of an older version is
    forgotten the same way."""
    harness.clock.now = MONDAY
    await _staff(harness)
    ws = await _session_card(harness)
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    await _add_child(anna, "2019", "Zosia", "alergia")
    await _book_workshop(harness, anna, ws)
    [zosia] = await _dependants(harness, 1)
    async with harness.sessionmaker.begin() as s:  # Anna reads the bot in English
        row = await people.get_by_telegram_id(s, 1)
        assert row is not None
        await people.set_language(s, row.id, "en")
        enrollment_id = await s.scalar(select(Enrollment.id))
    forged = [
        "cc:zz:1",
        "cc:a:robot",
        "cc:a",
        f"cc:e:{zosia.id}:q",
        f"cc:e:{zosia.id}",
        f"cc:rmy:{zosia.id}:1",
        "cc:rmy:2147483648",
        f"cc:b:x:{enrollment_id}",
        f"cc:q:w:{enrollment_id}:2147483648",
        f"cc:q:z:{enrollment_id}:{zosia.id}",
        "cc:x:-1",
    ]
    stale = "This button is out of date. Send /menu."
    for data in forged:
        await anna.press_data(data)
        reply = await anna.expect()
        assert reply.answer is not None and reply.answer.show_alert, data
        assert reply.answer.text == stale, data
        assert not reply.messages, data
    assert await _requests(harness) == []
    [after] = await _dependants(harness, 1)
    assert (after.name, after.birth_year, after.needs) == ("Zosia", 2019, "alergia")

    async with harness.sessionmaker.begin() as s:  # a question of an older version
        await people.set_awaiting(s, row.id, "cc_name:child")
    reply = await anna.say("Ola")
    assert reply.text == stale
    assert [d.name for d in await _dependants(harness, 1)] == ["Zosia"]
    person = await person_row(harness, 1)
    assert person is not None and person.awaiting is None
