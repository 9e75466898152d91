"""Childcare as the partner and coordinators use it, through the sandbox: a new request arrives
with Approve / Decline, declines with a preset or a typed reason, the first decision wins,
forged cp:* buttons are refused, the morning roster at the configured time, and the partner
told when a booking's care is cancelled."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from models import CareRequest, OutboxMessage
from sandbox import SimUser
from scheduler import daily
from services import childcare, people, workshops
from tests.e2e.conftest import Harness
from tests.e2e.flows import expect_text, person_row, register_active
from tests.factories import make_policy, make_session, make_workshop

WAW = ZoneInfo("Europe/Warsaw")
PARTNER_TID = 700
SPECIALIST_TID = 50
# Monday 1 March 2027, 07:00 in Wejherowo (winter time, UTC+1); the workshop is on Tuesday
# 2 March 10:00-12:00, so care (15 minutes' margin) is 09:45-12:15.
MONDAY_0700 = datetime(2027, 3, 1, 6, 0, tzinfo=UTC)
TUESDAY_1000 = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
TUESDAY_0730 = datetime(2027, 3, 2, 6, 30, tzinfo=UTC)


async def _club(h: Harness) -> SimUser:
    """The admin, the childcare partner (who opened the bot) and Anna, a participant."""
    h.clock.now = MONDAY_0700
    await h.admin.say("/start")
    async with h.sessionmaker.begin() as s:
        await people.add_staff(s, PARTNER_TID, "childcare_partner", "Dobrodziejki", "pl", h.clock())
    await register_active(h, h.user(1, "Anna"), "Anna Nowak")
    return h.user(PARTNER_TID, "Dobrodziejki")


async def _request_care(h: Harness, *children: tuple[str, str, int, str]) -> list[int]:
    """Anna's dependants (name, kind, birth year, needs), her seat on Tuesday's workshop and
    care for each of them during it; the request ids."""
    anna = await person_row(h, 1)
    assert anna is not None and anna.telegram_id is not None
    workshop = await make_workshop(h.sessionmaker)
    ws = await make_session(h.sessionmaker, workshop, TUESDAY_1000)
    async with h.sessionmaker.begin() as s:
        ids = [
            (
                await childcare.add_dependant(
                    s,
                    person_id=anna.id,
                    name=name,
                    kind=kind,
                    birth_year=year,
                    needs=needs,
                    now=h.clock(),
                )
            ).id
            for name, kind, year, needs in children
        ]
        seat = await workshops.enroll(s, anna.id, anna.telegram_id, ws.id, h.clock(), make_policy())
        results = await childcare.request_care(
            s,
            person_id=anna.id,
            dependant_ids=ids,
            enrollment_id=seat.enrollment.id,
            now=h.clock(),
            policy=make_policy(),
        )
    assert [r.outcome for r in results] == ["pending"] * len(children)
    return [r.request.id for r in results if r.request is not None]


async def _request(h: Harness, rid: int) -> CareRequest:
    async with h.sessionmaker() as s:
        request = await s.get(CareRequest, rid)
    assert request is not None
    return request


async def _run_outbox(h: Harness) -> None:
    await h.app.bot_data["dispatcher"].run_once()


async def _receive_new_requests(h: Harness, partner: SimUser, count: int) -> None:
    """Deliver the outbox and wait until the partner got `count` new-request cards (so that
    they do not arrive in the middle of a later step)."""
    await _run_outbox(h)
    got = 0
    while got < count:
        reply = await expect_text(partner, "Nowa prośba o opiekę")
        got += reply.text.count("Nowa prośba o opiekę")


OLA = ("Ola", "child", 2022, "alergia na orzechy")
PIOTR = ("Piotr", "adult", 1960, "")


async def test_partner_gets_the_request_and_approves_it(harness: Harness) -> None:
    partner = await _club(harness)
    menu = await partner.say("/staff")
    assert "🧸 Prośby o opiekę" in menu.buttons and "📋 Grafik opieki" in menu.buttons
    assert "📝 Skierowania" not in menu.buttons  # the partner's own screens only
    [rid] = await _request_care(harness, OLA)

    await _run_outbox(harness)
    card = await expect_text(partner, "Nowa prośba o opiekę")
    for fragment in (
        "Ola",
        "dziecko, 5 lat",
        "alergia na orzechy",
        "wtorek 2 marca, 09:45–12:15",
        "KIS Śródmieście",
        "Rodzic: Anna Nowak",
        "Edukacja finansowa",
    ):
        assert fragment in card.text, fragment
    assert card.buttons == ["✅ Zatwierdź", "❌ Odmów"]

    # The menu counts it, for the partner and for coordinators.
    menu = await partner.say("/staff")
    assert "🧸 Prośby o opiekę (1)" in menu.buttons
    admin_menu = await harness.admin.say("/staff")
    assert "🧸 Prośby o opiekę (1)" in admin_menu.buttons
    assert "📋 Grafik opieki" not in admin_menu.buttons

    done = await partner.tap("✅ Zatwierdź")
    assert "Zatwierdzona" in done.text and "Ola" in done.text and not done.buttons
    request = await _request(harness, rid)
    partner_row = await person_row(harness, PARTNER_TID)
    assert partner_row is not None
    assert request.status == "approved" and request.decided_by_id == partner_row.id
    async with harness.sessionmaker() as s:
        told = await s.scalar(
            select(OutboxMessage.payload).where(
                OutboxMessage.kind == childcare.KIND_DECIDED, OutboxMessage.ref_id == rid
            )
        )
    assert told == {"approved": True}

    # A coordinator pressing the same decision later is told someone was quicker.
    for data in (f"cp:ok:{rid}", f"cp:rs:{rid}:0", f"cp:no:{rid}"):
        await harness.admin.press_data(data)
        late = await harness.admin.expect()
        assert late.answer is not None and "już zdecydował" in late.answer.text, data
    assert (await _request(harness, rid)).status == "approved"


async def test_decline_with_a_preset_and_a_typed_reason(harness: Harness) -> None:
    partner = await _club(harness)
    async with harness.sessionmaker.begin() as s:  # Anna reads the bot in Ukrainian
        anna = await people.get_by_telegram_id(s, 1)
        assert anna is not None
        await people.set_language(s, anna.id, "uk")
    ola_id, piotr_id = await _request_care(harness, OLA, PIOTR)
    await _receive_new_requests(harness, partner, 2)
    await partner.say("/staff")

    listing = await partner.tap("🧸 Prośby o opiekę (2)")
    assert "2 prośby czekają na decyzję" in listing.text
    assert len(listing.messages) == 3  # the header and one card per request
    assert "osoba dorosła, 67 lat" in listing.text and "brak uwag" in listing.text
    ola_card, piotr_card = listing.messages[1], listing.messages[2]
    assert ola_card.text is not None and "Ola" in ola_card.text
    assert piotr_card.text is not None and "Piotr" in piotr_card.text

    reasons = await partner.tap("❌ Odmów", message_id=ola_card.message_id)
    assert "Dlaczego odmawiasz" in reasons.text
    assert "Brak miejsc w tym czasie" in reasons.buttons
    assert "✍️ Inny powód — napiszę" in reasons.buttons
    done = await partner.tap("Brak miejsc w tym czasie")
    assert "Odmówiono: Немає вільних місць у цей час" in done.text
    ola = await _request(harness, ola_id)
    assert ola.status == "declined"
    assert ola.decline_reason == "Немає вільних місць у цей час"  # in Anna's language

    await partner.tap("❌ Odmów", message_id=piotr_card.message_id)
    prompt = await partner.tap("✍️ Inny powód — napiszę")
    assert "Napisz krótko powód odmowy" in prompt.text and "Anuluj" in prompt.buttons
    too_long = await partner.say("x" * 201)
    assert "1–200 znakach" in too_long.text
    assert (await _request(harness, piotr_id)).status == "pending"
    done = await partner.say("Opiekunka jest chora, przepraszamy")
    assert "Odmówiono: Opiekunka jest chora, przepraszamy" in done.text
    piotr = await _request(harness, piotr_id)
    assert piotr.status == "declined"
    assert piotr.decline_reason == "Opiekunka jest chora, przepraszamy"
    partner_row = await person_row(harness, PARTNER_TID)
    assert partner_row is not None and partner_row.awaiting is None

    await partner.say("/staff")
    empty = await partner.tap("🧸 Prośby o opiekę")
    assert "Nie ma próśb czekających" in empty.text


async def test_typed_reason_can_be_cancelled(harness: Harness) -> None:
    partner = await _club(harness)
    [rid] = await _request_care(harness, OLA)
    await _receive_new_requests(harness, partner, 1)
    await partner.say("/staff")
    await partner.tap("🧸 Prośby o opiekę (1)")
    await partner.tap("❌ Odmów")
    await partner.tap("✍️ Inny powód — napiszę")
    back = await partner.tap("Anuluj")
    assert "Ola" in back.text and "✅ Zatwierdź" in back.buttons
    partner_row = await person_row(harness, PARTNER_TID)
    assert partner_row is not None and partner_row.awaiting is None
    assert (await _request(harness, rid)).status == "pending"


async def test_forged_cp_buttons_are_refused_and_change_nothing(harness: Harness) -> None:
    await _club(harness)
    [rid] = await _request_care(harness, OLA)
    async with harness.sessionmaker.begin() as s:
        await people.add_staff(s, SPECIALIST_TID, "specialist", "Maria", "pl", harness.clock())
    specialist = harness.user(SPECIALIST_TID, "Maria")
    await specialist.say("/staff")
    anna = harness.user(1)
    forged = [
        "cp:l",
        f"cp:ok:{rid}",
        f"cp:no:{rid}",
        f"cp:rs:{rid}:0",
        f"cp:w:{rid}",
        f"cp:c:{rid}",
        "cp:g:20270302",
        "cp:g",
    ]
    for user in (anna, specialist):
        for data in forged:
            await user.press_data(data)
            reply = await user.expect()
            assert reply.answer is not None, data
            assert "tylko dla pracowników" in reply.answer.text, (data, reply.answer.text)
            assert not reply.messages, data
    request = await _request(harness, rid)
    assert request.status == "pending" and request.decided_by_id is None
    for tid in (1, SPECIALIST_TID):
        row = await person_row(harness, tid)
        assert row is not None and row.awaiting is None

    # Care staff pressing nonsense are told the button is stale.
    admin = harness.admin
    for data in ("cp:ok:abc", "cp:rs:1:9", "cp:ok:999999", "cp:zz"):
        await admin.press_data(data)
        reply = await admin.expect()
        assert reply.answer is not None and "nieaktualny" in reply.answer.text, data
    assert (await _request(harness, rid)).status == "pending"


async def test_morning_roster_at_the_configured_time(harness: Harness) -> None:
    partner = await _club(harness)
    await partner.say("/staff")
    [rid] = await _request_care(harness, OLA)
    async with harness.sessionmaker.begin() as s:
        await childcare.decide(
            s,
            actor_tid=PARTNER_TID,
            request_id=rid,
            approve=True,
            now=harness.clock(),
            policy=make_policy(),
        )
    await _run_outbox(harness)
    assert await partner.silence(0.2) == []  # decided before it was sent: no stale card

    jobs = {job.name for job in harness.app.job_queue.jobs()}  # type: ignore[union-attr]
    assert {"care-morning-roster", "care-roster-catch-up"} <= jobs
    assert harness.app.bot_data["deps"].settings.roster_clock.strftime("%H:%M") == "07:30"

    harness.clock.now = TUESDAY_0730
    dispatcher = harness.app.bot_data["dispatcher"]
    assert childcare.KIND_ROSTER in dispatcher.renderers
    assert await daily.run_morning_roster(harness.app) == 1
    assert await daily.run_morning_roster(harness.app) == 0  # at most once a day
    assert await daily.run_roster_catch_up(harness.app) == 0
    await dispatcher.run_once()
    roster = await expect_text(partner, "Opieka dzisiaj")
    for fragment in (
        "wtorek, 2 marca",
        "09:45–12:15",
        "Ola",
        "dziecko, 5 lat",
        "alergia na orzechy",
        "KIS Śródmieście",
        "Anna Nowak",
    ):
        assert fragment in roster.text, fragment
    assert "📋 Otwórz grafik" in roster.buttons
    opened = await partner.tap("📋 Otwórz grafik")
    assert "Grafik opieki" in opened.text and "Ola" in opened.text
    tomorrow = await partner.tap("śr. 3.03 ➡️")
    assert "środa, 3 marca" in tomorrow.text and "nie ma zatwierdzonej opieki" in tomorrow.text


async def test_nothing_to_send_on_a_day_without_care(harness: Harness) -> None:
    partner = await _club(harness)
    await partner.say("/staff")
    harness.clock.now = TUESDAY_0730
    assert await daily.run_morning_roster(harness.app) == 0
    assert await partner.silence(0.2) == []


async def test_partner_told_when_the_booking_is_cancelled(harness: Harness) -> None:
    partner = await _club(harness)
    await partner.say("/staff")
    [rid] = await _request_care(harness, OLA)
    await _run_outbox(harness)
    card = await expect_text(partner, "Nowa prośba")

    anna = await person_row(harness, 1)
    assert anna is not None
    request = await _request(harness, rid)
    assert request.enrollment_id is not None
    async with harness.sessionmaker.begin() as s:
        await workshops.cancel_enrollment(
            s, anna.id, request.enrollment_id, harness.clock(), make_policy()
        )
    assert (await _request(harness, rid)).status == "cancelled"
    await _run_outbox(harness)
    told = await expect_text(partner, "Opieka odwołana")
    assert "Ola" in told.text and "wtorek 2 marca, 09:45–12:15" in told.text
    assert "Edukacja finansowa" not in told.text  # neutral: no activity or service named

    # The card of the new request still on screen: approving it now changes nothing.
    late = await partner.tap("✅ Zatwierdź", message_id=card.last.message_id)
    assert late.answer is not None and "już zdecydował" in late.answer.text
    assert "Odwołana" in late.text
    assert (await _request(harness, rid)).status == "cancelled"


async def test_request_not_sent_to_someone_no_longer_a_partner(harness: Harness) -> None:
    partner = await _club(harness)
    await partner.say("/staff")
    dispatcher = harness.app.bot_data["dispatcher"]
    async with dispatcher._lock:  # no delivery run until the partner is gone
        await _request_care(harness, OLA)
        async with harness.sessionmaker.begin() as s:
            await people.remove_staff(s, PARTNER_TID)
    await _run_outbox(harness)
    assert await partner.silence(0.3) == []
    async with harness.sessionmaker() as s:
        status = await s.scalar(
            select(OutboxMessage.status).where(OutboxMessage.kind == childcare.KIND_REQUESTED)
        )
    assert status == "cancelled"


async def test_malformed_cp_presses_are_stale_in_the_partner_language(harness: Harness) -> None:
    """Forged or broken cp:* data (unknown action, ids beyond 32 bits, a preset or a day that
    is none) and a prompt of an older version are answered as a stale button, in the
    partner's language, and change nothing."""
    partner = await _club(harness)
    [rid] = await _request_care(harness, OLA)
    await _receive_new_requests(harness, partner, 1)
    async with harness.sessionmaker.begin() as s:
        row = await people.get_by_telegram_id(s, PARTNER_TID)
        assert row is not None
        await people.set_language(s, row.id, "uk")
    stale = "Ця кнопка вже неактуальна. Напишіть /menu."
    forged = [
        "cp:zz:1",
        "cp:ok:2147483648",
        f"cp:ok:{rid}:1",
        "cp:no:0",
        f"cp:rs:{rid}:2",
        f"cp:rs:{rid}",
        "cp:g:20270230",  # 30 February
        "cp:g:2147483647",
        "cp:g:x",
        "cp:l:1",
    ]
    for data in forged:
        await partner.press_data(data)
        reply = await partner.expect()
        assert reply.answer is not None and reply.answer.show_alert, data
        assert reply.answer.text == stale, (data, reply.answer.text)
        assert not reply.messages, data

    async with harness.sessionmaker.begin() as s:
        row = await people.get_by_telegram_id(s, PARTNER_TID)
        assert row is not None
        await people.set_awaiting(s, row.id, "cp_reason:x")  # never a prompt of ours
    typed = await partner.say("Brak miejsc")
    assert stale in typed.text

    request = await _request(harness, rid)
    assert request.status == "pending" and request.decided_by_id is None
    partner_row = await person_row(harness, PARTNER_TID)
    assert partner_row is not None and partner_row.awaiting is None
