"""Consultations end to end, as participants use them: referral guidance, booking, quota,
cancel, reschedule, reminders (buttons, neutral first line, quiet hours, a DST day) and the
referral link."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from models import ConsultationBooking, OutboxMessage, Referral, Slot
from sandbox import Reply, SimUser
from services import consultations as c
from services import people
from tests.e2e.conftest import Harness
from tests.e2e.flows import consent, expect_text, person_row, register_active

WAW = ZoneInfo("Europe/Warsaw")
COORDINATOR_TID = 900
SPECIALIST_TID = 800
# Monday 1 March 2027, 08:00 in Wejherowo (winter time, UTC+1).
MONDAY = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)


async def _club(h: Harness, weekday: int, start: time, end: time, weeks: int = 2) -> dict[str, int]:
    """Service types, a coordinator, a psychologist with weekly hours (slots generated)."""
    now = h.clock()
    async with h.sessionmaker.begin() as s:
        await c.ensure_service_types(s)
        await people.add_staff(s, COORDINATOR_TID, "coordinator", "Ewa Koordynator", "pl", now)
        specialist = await people.add_staff(
            s, SPECIALIST_TID, "specialist", "Anna Psycholog", "pl", now
        )
        ids = {t.slug: t.id for t in await c.list_service_types(s)}
        await c.set_weekly_hours(
            s,
            actor_tid=COORDINATOR_TID,
            specialist_id=specialist.id,
            service_type_id=ids["psychologist"],
            weekday=weekday,
            start=start,
            end=end,
            place="MOPS Wejherowo, pokój 11",
            now=now,
            tz=WAW,
            weeks_ahead=weeks,
        )
    return ids


async def _refer(h: Harness, telegram_id: int, service_type_id: int, sessions: int) -> None:
    row = await person_row(h, telegram_id)
    assert row is not None
    async with h.sessionmaker.begin() as s:
        await c.issue_referral(
            s,
            actor_tid=COORDINATOR_TID,
            person_id=row.id,
            service_type_id=service_type_id,
            sessions=sessions,
            expires_on=h.clock().date() + timedelta(days=90),
            now=h.clock(),
            tz=WAW,
        )


async def _bookings(h: Harness) -> list[tuple[int, str]]:
    async with h.sessionmaker() as s:
        rows = await s.execute(
            select(ConsultationBooking.slot_id, ConsultationBooking.status).order_by(
                ConsultationBooking.id
            )
        )
        return [(slot, status) for slot, status in rows.all()]


async def _slot_start(h: Harness, slot_id: int) -> datetime:
    async with h.sessionmaker() as s:
        slot = await s.get(Slot, slot_id)
        assert slot is not None
        return slot.starts_at


def _buttons(reply: Reply, prefix: str) -> list[str]:
    """Texts of the last message's inline buttons whose callback data starts with `prefix`."""
    return [
        b["text"]
        for row in reply.last.button_rows
        for b in row
        if str(b.get("callback_data", "")).startswith(prefix)
    ]


async def _book_psychologist(user: SimUser, day_index: int = 0, time_index: int = 0) -> str:
    """Through the menu: Consultations → psychologist → a day → a time → confirm."""
    await user.tap("💬 Konsultacje")
    days = await user.tap("Konsultacja psychologiczna")
    times = await user.tap(_buttons(days, "cs:d:")[day_index])
    confirm = await user.tap(_buttons(times, "cs:k:")[time_index])
    assert "Potwierdzasz termin?" in confirm.text
    booked = await user.tap("✅ Tak, zapisz mnie")
    return booked.text


async def _dispatch(h: Harness) -> int:
    return int(await h.app.bot_data["dispatcher"].run_once())


async def test_without_referral_the_participant_is_told_how_to_get_one(harness: Harness) -> None:
    harness.clock.now = MONDAY
    ids = await _club(harness, weekday=2, start=time(10), end=time(12))
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    services = await anna.tap("💬 Konsultacje")
    assert "Porada prawna" in services.buttons
    guidance = await anna.tap("Konsultacja psychologiczna")
    assert "skierowaniem od pracownika socjalnego" in guidance.text
    assert "58 677 79 87" in guidance.text
    assert _buttons(guidance, "cs:d:") == []
    # A forged "book this slot" is refused by the service: no booking, no referral used.
    async with harness.sessionmaker() as s:
        slot_id = await s.scalar(select(Slot.id).where(Slot.service_type_id == ids["psychologist"]))
    await anna.tap("⬅️ Wstecz")  # away from the guidance, so the refusal shows as an edit
    await anna.press_data(f"cs:y:{slot_id}")
    refused = await expect_text(anna, "skierowaniem")
    assert "Na tę konsultację (Konsultacja psychologiczna)" in refused.text
    assert await _bookings(harness) == []


async def test_book_cancel_reschedule_and_quota_of_two(harness: Harness) -> None:
    harness.clock.now = MONDAY
    ids = await _club(harness, weekday=2, start=time(10), end=time(12), weeks=4)  # Wednesdays
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    await _refer(harness, 1, ids["psychologist"], sessions=2)

    booked = await _book_psychologist(anna)
    assert "Zapisano" in booked and "Anna Psycholog" in booked and "pokój 11" in booked
    [(first_slot, status)] = await _bookings(harness)
    assert status == "booked"
    start = await _slot_start(harness, first_slot)
    assert start.astimezone(WAW).time() == time(10) and start.astimezone(WAW).weekday() == 2
    async with harness.sessionmaker() as s:
        reminders = list(await s.scalars(select(OutboxMessage).order_by(OutboxMessage.due_at)))
        referral = await s.scalar(select(Referral))
    assert [r.kind for r in reminders] == ["consult_reminder", "consult_reminder"]
    assert [r.due_at for r in reminders] == [
        start - timedelta(hours=24),
        start - timedelta(hours=2),
    ]
    assert referral is not None and referral.sessions_used == 1

    # A second booking of the same service while one is upcoming: shown the existing one.
    await anna.tap("💬 Konsultacje")
    again = await anna.tap("✅ Konsultacja psychologiczna")
    assert "Masz już zaplanowane spotkanie" in again.text

    # Reschedule to another day: same booking, same referral session, new reminders.
    days = await anna.tap("🔁 Zmień termin")
    times = await anna.tap(_buttons(days, "cs:rd:")[1])
    await anna.tap(_buttons(times, "cs:rk:")[0])
    moved = await anna.tap("✅ Tak, przenieś")
    assert "Termin zmieniony" in moved.text
    [(second_slot, status)] = await _bookings(harness)
    assert second_slot != first_slot and status == "booked"
    async with harness.sessionmaker() as s:
        old = await s.get(Slot, first_slot)
        referral = await s.scalar(select(Referral).execution_options(populate_existing=True))
        pending = list(
            await s.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending"))
        )
    assert old is not None and old.status == "free"
    assert referral is not None and referral.sessions_used == 1
    new_start = await _slot_start(harness, second_slot)
    assert sorted(r.due_at for r in pending) == [
        new_start - timedelta(hours=24),
        new_start - timedelta(hours=2),
    ]

    # Cancel in time: the session comes back, reminders are cancelled.
    await anna.tap("❌ Odwołaj")
    done = await anna.tap("Tak, odwołaj")
    assert "Odwołano spotkanie" in done.text
    async with harness.sessionmaker() as s:
        referral = await s.scalar(select(Referral).execution_options(populate_existing=True))
        left = list(await s.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending")))
    assert referral is not None and referral.sessions_used == 0 and left == []

    # Quota 2: two meetings take place, the third booking is refused in plain words.
    for week in range(2):
        await _book_psychologist(anna, day_index=week)
        [(slot_id, _)] = [b for b in await _bookings(harness) if b[1] == "booked"]
        harness.clock.now = await _slot_start(harness, slot_id) + timedelta(hours=1)
    await anna.tap("💬 Konsultacje")
    refused = await anna.tap("Konsultacja psychologiczna")
    assert "Wykorzystano już wszystkie spotkania" in refused.text
    async with harness.sessionmaker() as s:
        referral = await s.scalar(select(Referral).execution_options(populate_existing=True))
    assert referral is not None and referral.sessions_used == 2


async def test_cancel_after_the_cutoff_says_whom_to_call(harness: Harness) -> None:
    harness.clock.now = MONDAY
    ids = await _club(harness, weekday=2, start=time(10), end=time(12))
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    await _refer(harness, 1, ids["psychologist"], sessions=1)
    await _book_psychologist(anna)
    [(slot_id, _)] = await _bookings(harness)
    harness.clock.now = await _slot_start(harness, slot_id) - timedelta(hours=3)
    await anna.tap("❌ Odwołaj")
    late = await anna.tap("Tak, odwołaj")
    assert "za późno" in late.text and "58 677 79 87" in late.text
    assert [s for _, s in await _bookings(harness)] == ["booked"]


async def test_reminders_neutral_first_line_buttons_and_quiet_hours(harness: Harness) -> None:
    """A Wednesday 08:00 appointment: the 24 h reminder on Tuesday 08:00, the 2 h one (06:00,
    inside quiet hours) moved to Tuesday 20:59. The lock-screen line never names the service."""
    harness.clock.now = MONDAY
    ids = await _club(harness, weekday=2, start=time(8), end=time(9))
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    await _refer(harness, 1, ids["psychologist"], sessions=2)
    await _book_psychologist(anna)
    [(slot_id, _)] = await _bookings(harness)
    start = await _slot_start(harness, slot_id)
    assert start.astimezone(WAW).hour == 8
    async with harness.sessionmaker() as s:
        dues = sorted(r.due_at for r in await s.scalars(select(OutboxMessage)))
    tuesday = start.astimezone(WAW).date() - timedelta(days=1)
    assert [d.astimezone(WAW).replace(tzinfo=None) for d in dues] == [
        datetime.combine(tuesday, time(8)),
        datetime.combine(tuesday, time(20, 59)),
    ]

    harness.clock.now = dues[0] + timedelta(seconds=5)
    await _dispatch(harness)  # (the dispatcher job may have sent it already)
    first = await anna.expect()
    lock_screen = first.text.splitlines()[0]
    assert lock_screen == "⏰ Przypomnienie: Twoja konsultacja w KIS jutro o 08:00"
    assert "psycholog" not in lock_screen.lower()
    assert "Konsultacja psychologiczna" not in first.text  # one tap away
    opened = await anna.tap("🔎 Pokaż szczegóły", message_id=first.last.message_id)
    assert "Konsultacja psychologiczna" in opened.text  # inside, once the phone is open
    await anna.tap("👍 Będę")
    async with harness.sessionmaker() as s:
        booking = await s.scalar(select(ConsultationBooking))
    assert booking is not None and booking.confirmed_at is not None

    # Discreet reminders switched off: the next reminder names the service.
    await anna.tap("💬 Konsultacje")
    await anna.tap("✅ Konsultacja psychologiczna")
    await anna.tap("🔓 Pokazuj rodzaj konsultacji")
    harness.clock.now = dues[1] + timedelta(seconds=5)
    await _dispatch(harness)  # (the dispatcher job may have sent it already)
    second = await anna.expect()
    assert second.text.splitlines()[0] == (
        "⏰ Przypomnienie: Konsultacja psychologiczna jutro o 08:00"
    )
    # Its Cancel button is past the cut-off now: whom to call.
    await anna.tap("❌ Odwołaj", message_id=second.last.message_id)
    late = await anna.tap("Tak, odwołaj")
    assert "za późno" in late.text


async def test_a_discreet_reminder_shows_its_details_only_to_its_owner(harness: Harness) -> None:
    """Lock screens: the delivered reminder names neither the service nor the specialist (the
    preview shows its first lines); "Show details" edits it to show them. Bartek's forged
    details press for Anna's booking reveals nothing and changes nothing."""
    harness.clock.now = MONDAY
    ids = await _club(harness, weekday=2, start=time(10), end=time(11))
    anna = harness.user(1, "Anna")
    bartek = harness.user(2, "Bartek")
    await register_active(harness, anna, "Anna Nowak")
    await register_active(harness, bartek, "Bartek Wiśniewski")
    await _refer(harness, 1, ids["psychologist"], sessions=1)
    await _book_psychologist(anna)
    [(slot_id, _)] = await _bookings(harness)
    async with harness.sessionmaker() as s:
        booking_id = await s.scalar(select(ConsultationBooking.id))
    harness.clock.now = await _slot_start(harness, slot_id) - timedelta(hours=24)
    await _dispatch(harness)  # (the dispatcher job may have sent it already)
    reminder = await anna.expect()
    preview = reminder.text[:150].lower()
    assert reminder.text.startswith("⏰ Przypomnienie: Twoja konsultacja w KIS jutro o 10:00")
    # Neither the service ("Konsultacja psychologiczna") nor the specialist ("Anna Psycholog").
    assert "psycholog" not in preview and "anna" not in preview, reminder.text
    assert _buttons(reminder, "cs:dt:") == ["🔎 Pokaż szczegóły"]

    # Somebody else's forged press: a stale-button alert, no message, no edit anywhere.
    await bartek.press_data(f"cs:dt:{booking_id}:r")
    forged = await bartek.expect()
    assert forged.messages == [] and forged.answer is not None
    assert forged.answer.show_alert and "psycholog" not in (forged.answer.text or "").lower()
    await bartek.press_data(f"cs:dt:{booking_id}:x")  # an unknown kind: stale as well
    assert (await bartek.expect()).messages == []
    assert await anna.silence(0.2) == []  # Anna's reminder untouched

    # The owner's press edits the reminder in place: service, specialist and place.
    opened = await anna.tap("🔎 Pokaż szczegóły", message_id=reminder.last.message_id)
    assert opened.last.message_id == reminder.last.message_id
    assert [e.kind for e in opened.events if e.kind != "answer"] == ["edit"]
    assert "Konsultacja psychologiczna" in opened.text
    assert "Z: Anna Psycholog" in opened.text
    assert "MOPS Wejherowo, pokój 11" in opened.text
    assert opened.buttons == ["👍 Będę", "❌ Odwołaj"]


async def test_cancel_from_the_24h_reminder_and_the_2h_one_is_never_sent(
    harness: Harness,
) -> None:
    """The 24 h reminder's Cancel works (the default cut-off is 12 h): the slot is free, the
    referral session comes back, and the 2 h reminder is never sent."""
    harness.clock.now = MONDAY
    ids = await _club(harness, weekday=2, start=time(10), end=time(11))
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    await _refer(harness, 1, ids["psychologist"], sessions=1)
    await _book_psychologist(anna)
    [(slot_id, _)] = await _bookings(harness)
    start = await _slot_start(harness, slot_id)
    harness.clock.now = start - timedelta(hours=24)
    await _dispatch(harness)  # (the dispatcher job may have sent it already)
    reminder = await anna.expect()
    await anna.tap("❌ Odwołaj", message_id=reminder.last.message_id)
    done = await anna.tap("Tak, odwołaj")
    assert "Odwołano spotkanie" in done.text
    async with harness.sessionmaker() as s:
        slot = await s.get(Slot, slot_id)
        referral = await s.scalar(select(Referral))
    assert slot is not None and slot.status == "free"
    assert referral is not None and referral.sessions_used == 0
    harness.clock.now = start - timedelta(minutes=30)
    assert await _dispatch(harness) == 0
    await anna.silence(0.3)


async def test_a_booking_on_the_day_clocks_go_forward(harness: Harness) -> None:
    """Sunday 28 March 2027 (02:00 → 03:00). A 10:00 appointment is 08:00 UTC; its 24 h
    reminder is Saturday 10:00 local (09:00 UTC, winter time), not 08:00 UTC."""
    harness.clock.now = datetime(2027, 3, 26, 9, 0, tzinfo=UTC)  # Friday
    ids = await _club(harness, weekday=6, start=time(10), end=time(11), weeks=1)
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    await _refer(harness, 1, ids["psychologist"], sessions=1)
    await anna.tap("💬 Konsultacje")
    days = await anna.tap("Konsultacja psychologiczna")
    assert "niedziela 28 marca" in days.buttons
    times = await anna.tap("niedziela 28 marca")
    assert "10:00" in times.buttons
    await anna.tap("10:00")
    await anna.tap("✅ Tak, zapisz mnie")
    [(slot_id, _)] = await _bookings(harness)
    start = await _slot_start(harness, slot_id)
    assert start == datetime(2027, 3, 28, 8, 0, tzinfo=UTC)
    async with harness.sessionmaker() as s:
        dues = sorted(r.due_at for r in await s.scalars(select(OutboxMessage)))
    # 24 h before = Saturday 10:00 CET = 09:00 UTC; 2 h before = 08:00 CEST = 06:00 UTC.
    assert dues == [
        datetime(2027, 3, 27, 9, 0, tzinfo=UTC),
        datetime(2027, 3, 28, 6, 0, tzinfo=UTC),
    ]
    harness.clock.now = dues[0]
    await _dispatch(harness)  # (the dispatcher job may have sent it already)
    reminder = await anna.expect()
    assert (
        reminder.text.splitlines()[0] == "⏰ Przypomnienie: Twoja konsultacja w KIS jutro o 10:00"
    )


async def test_referral_link_opened_by_a_newcomer_and_by_a_participant(harness: Harness) -> None:
    harness.clock.now = MONDAY
    ids = await _club(harness, weekday=2, start=time(10), end=time(12))
    async with harness.sessionmaker.begin() as s:
        first = await c.issue_referral_code(
            s,
            actor_tid=COORDINATOR_TID,
            service_type_id=ids["legal"],
            sessions=3,
            expires_on=MONDAY.date() + timedelta(days=60),
            now=MONDAY,
            tz=WAW,
        )
        second = await c.issue_referral_code(
            s,
            actor_tid=COORDINATOR_TID,
            service_type_id=ids["psychologist"],
            sessions=1,
            expires_on=MONDAY.date() + timedelta(days=60),
            now=MONDAY,
            tz=WAW,
        )
    assert first.code is not None and second.code is not None
    # A participant opens a link: the referral is theirs.
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    opened = await anna.say(f"/start {first.code}")
    assert "Masz skierowanie: Porada prawna, 3 spotkania" in opened.text
    # Somebody else opens the same link: refused.
    bartek = harness.user(2, "Bartek")
    await register_active(harness, bartek, "Bartek Lis")
    refused = await bartek.say(f"/start {first.code}")
    assert "nieważny albo został już użyty" in refused.text
    # A newcomer opens a link: consent first, then the referral is theirs.
    celina = harness.user(3, "Celina")
    await consent(celina, f"/start {second.code}")
    async with harness.sessionmaker() as s:
        rows = {r.code: r.person_id for r in await s.scalars(select(Referral))}
    anna_row, celina_row = await person_row(harness, 1), await person_row(harness, 3)
    assert anna_row is not None and celina_row is not None
    assert rows == {first.code: anna_row.id, second.code: celina_row.id}


async def test_changed_hours_keep_the_booking_and_offer_another_time(harness: Harness) -> None:
    """The coordinator moves Wednesday's hours to the afternoon: Anna's morning booking stays,
    she is told discreetly and moves it with the message's button."""
    harness.clock.now = MONDAY
    ids = await _club(harness, weekday=2, start=time(10), end=time(12))
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    await _refer(harness, 1, ids["psychologist"], sessions=2)
    await _book_psychologist(anna)
    [(slot_id, _)] = await _bookings(harness)
    async with harness.sessionmaker.begin() as s:
        [hours] = await c.list_weekly_hours(s)
        change = await c.set_weekly_hours(
            s,
            actor_tid=COORDINATOR_TID,
            specialist_id=hours.specialist_id,
            service_type_id=ids["psychologist"],
            weekday=2,
            start=time(14),
            end=time(16),
            place="MOPS Wejherowo, pokój 11",
            now=harness.clock(),
            tz=WAW,
            weeks_ahead=2,
            hours_id=hours.id,
        )
    assert [a.slot_id for a in change.sync.affected] == [slot_id]
    await _dispatch(harness)  # (the dispatcher job may have sent it already)
    notice = await anna.expect()
    assert notice.text.splitlines()[0].startswith("📅 Zmiana w grafiku KIS: Twoje spotkanie")
    assert "psycholog" not in notice.text.lower()  # the whole message: a lock screen shows it
    assert [s for _, s in await _bookings(harness)] == ["booked"]  # still valid
    shown = await anna.tap("🔎 Pokaż szczegóły", message_id=notice.last.message_id)
    assert "Konsultacja psychologiczna" in shown.text and "Anna Psycholog" in shown.text
    days = await anna.tap("🔁 Zmień termin")
    times = await anna.tap(_buttons(days, "cs:rd:")[0])
    assert _buttons(times, "cs:rk:")[0] == "14:00"
    await anna.tap("14:00")
    await anna.tap("✅ Tak, przenieś")
    [(new_slot, status)] = await _bookings(harness)
    assert status == "booked" and new_slot != slot_id
    assert (await _slot_start(harness, new_slot)).astimezone(WAW).hour == 14


async def test_after_downtime_useful_reminders_go_out_and_stale_ones_expire(
    harness: Harness,
) -> None:
    """The bot was down for eight days: Anna's appointment has passed (her reminders expire
    unsent); Bartek's is in an hour (both his reminders are still useful and go out)."""
    harness.clock.now = MONDAY
    ids = await _club(harness, weekday=2, start=time(10), end=time(11))
    anna, bartek = harness.user(1, "Anna"), harness.user(2, "Bartek")
    await register_active(harness, anna, "Anna Nowak")
    await register_active(harness, bartek, "Bartek Lis")
    await _refer(harness, 1, ids["psychologist"], sessions=1)
    await _refer(harness, 2, ids["psychologist"], sessions=1)
    await _book_psychologist(anna, day_index=0)
    await _book_psychologist(bartek, day_index=0)  # the first day is Anna's now: next week
    [(anna_slot, _), (bartek_slot, _)] = await _bookings(harness)
    anna_start = await _slot_start(harness, anna_slot)
    bartek_start = await _slot_start(harness, bartek_slot)
    assert bartek_start - anna_start == timedelta(days=7)

    harness.clock.now = bartek_start - timedelta(hours=1)
    await harness.restart()
    await _dispatch(harness)  # (the dispatcher job may have sent it already)
    reminders = [(await bartek.expect()).text]
    if len(reminders[0].split("\n---\n")) < 2:
        reminders.append((await bartek.expect()).text)
    assert all("dziś o 10:00" in r.splitlines()[0] for r in reminders)
    await anna.silence(0.3)
    async with harness.sessionmaker() as s:
        rows = list(await s.scalars(select(OutboxMessage)))
    person = {r.ref_id: r.status for r in rows}
    assert sorted(r.status for r in rows) == ["expired", "expired", "sent", "sent"], person


async def test_forged_cs_presses_are_stale_buttons_in_the_persons_language(
    harness: Harness,
) -> None:
    """Data no cs button ever carried (an unknown action, an argument missing, extra or
    malformed, an id beyond 32 bits, a day that is no date) is answered as a stale button in
    the participant's language, and nothing changes."""
    harness.clock.now = MONDAY
    ids = await _club(harness, weekday=2, start=time(10), end=time(12))
    anna = harness.user(1, "Anna")
    await register_active(harness, anna, "Anna Nowak")
    await _refer(harness, 1, ids["psychologist"], sessions=2)
    await _book_psychologist(anna)
    [(slot_id, _)] = await _bookings(harness)
    async with harness.sessionmaker.begin() as s:  # Anna reads the bot in Ukrainian
        row = await people.get_by_telegram_id(s, 1)
        assert row is not None
        await people.set_language(s, row.id, "uk")
        booking = await s.scalar(select(ConsultationBooking))
        assert booking is not None
        booking_id, neutral = booking.id, booking.reminders_neutral
        outbox_before = len(list(await s.scalars(select(OutboxMessage.id))))
    forged = [
        "cs:zz:1",
        "cs:cy",
        f"cs:cy:{booking_id}:1",
        "cs:cy:x",
        "cs:cy:0",
        "cs:cy:2147483648",
        f"cs:n:{booking_id}:2",
        f"cs:dt:{booking_id}:x",
        f"cs:d:{ids['psychologist']}:20271399",  # no such day
        f"cs:rd:{booking_id}:0",
        f"cs:ry:{booking_id}:{slot_id}:{slot_id}",
    ]
    for data in forged:
        await anna.press_data(data)
        reply = await anna.expect()
        assert reply.answer is not None and reply.answer.show_alert, data
        assert reply.answer.text == "Ця кнопка вже неактуальна. Напишіть /menu.", data
        assert not reply.messages, data
    assert await _bookings(harness) == [(slot_id, "booked")]
    async with harness.sessionmaker() as s:
        referral = await s.scalar(select(Referral))
        assert referral is not None and referral.sessions_used == 1
        booking = await s.get(ConsultationBooking, booking_id)
        assert booking is not None and booking.reminders_neutral == neutral
        assert len(list(await s.scalars(select(OutboxMessage.id)))) == outbox_before
