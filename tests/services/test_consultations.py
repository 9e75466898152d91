"""Consultation booking against a real database (SQLite and PostgreSQL): referrals and their
quota, one upcoming booking per service, cancel and reschedule with the cut-off, reminders in
the outbox, outcomes, agendas, and ownership of bookings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from models import (
    AuditEvent,
    ConsultationBooking,
    OutboxMessage,
    Person,
    Referral,
    ServiceType,
    Slot,
)
from models.db import Sessionmaker
from services import consultations as c
from services import people
from services.errors import AlreadyDecided, InvalidInput, NotAllowed, NotFound
from tests.conftest import FakeClock
from tests.factories import make_people, make_policy

WAW = ZoneInfo("Europe/Warsaw")
POLICY = make_policy(consult_cutoff_hours=24)
WEEKS = 4
COORDINATOR_TID = 900
SPECIALIST_TID = 800
OTHER_SPECIALIST_TID = 801
# Monday 1 March 2027, 10:00 in Wejherowo (winter time): far from any clock change.
START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Club:
    """Staff and service types of a test club."""

    coordinator_id: int
    specialist_id: int
    other_specialist_id: int
    psychologist: int  # service type ids
    legal: int
    social: int
    career: int


async def make_club(sm: Sessionmaker, now: datetime) -> Club:
    """A coordinator, two specialists and the default service types."""
    async with sm.begin() as s:
        await c.ensure_service_types(s)
        coordinator = await people.add_staff(s, COORDINATOR_TID, "coordinator", "Ewa", "pl", now)
        specialist = await people.add_staff(s, SPECIALIST_TID, "specialist", "Anna", "pl", now)
        other = await people.add_staff(s, OTHER_SPECIALIST_TID, "specialist", "Jan", "pl", now)
        ids = {t.slug: t.id for t in await c.list_service_types(s)}
    return Club(
        coordinator.id,
        specialist.id,
        other.id,
        ids["psychologist"],
        ids["legal"],
        ids["social"],
        ids["career"],
    )


async def add_hours(
    sm: Sessionmaker,
    specialist_id: int,
    service_type_id: int,
    weekday: int,
    start: time,
    end: time,
    now: datetime,
    *,
    weeks: int = WEEKS,
    place: str = "MOPS Wejherowo, pokój 11",
    hours_id: int | None = None,
) -> c.HoursChange:
    """Weekly hours set by the coordinator (slots generated at once)."""
    async with sm.begin() as s:
        return await c.set_weekly_hours(
            s,
            actor_tid=COORDINATOR_TID,
            specialist_id=specialist_id,
            service_type_id=service_type_id,
            weekday=weekday,
            start=start,
            end=end,
            place=place,
            now=now,
            tz=WAW,
            weeks_ahead=weeks,
            hours_id=hours_id,
        )


async def refer(
    sm: Sessionmaker, person_id: int, service_type_id: int, now: datetime, sessions: int = 2
) -> Referral:
    """A referral issued by the coordinator, valid for 90 days."""
    async with sm.begin() as s:
        return await c.issue_referral(
            s,
            actor_tid=COORDINATOR_TID,
            person_id=person_id,
            service_type_id=service_type_id,
            sessions=sessions,
            expires_on=now.date() + timedelta(days=90),
            now=now,
            tz=WAW,
        )


async def slots_of(sm: Sessionmaker, service_type_id: int) -> list[Slot]:
    """Every slot of a service, by start."""
    async with sm() as s:
        return list(
            await s.scalars(
                select(Slot)
                .where(Slot.service_type_id == service_type_id)
                .order_by(Slot.starts_at, Slot.id)
            )
        )


async def book(sm: Sessionmaker, person_id: int, slot_id: int, now: datetime) -> c.ConsultationView:
    async with sm.begin() as s:
        return await c.book(s, person_id=person_id, slot_id=slot_id, now=now, tz=WAW, policy=POLICY)


async def used(sm: Sessionmaker, referral_id: int) -> int:
    async with sm() as s:
        referral = await s.get(Referral, referral_id)
        assert referral is not None
        return referral.sessions_used


async def outbox_rows(sm: Sessionmaker, kind: str) -> list[OutboxMessage]:
    async with sm() as s:
        return list(
            await s.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.kind == kind)
                .order_by(OutboxMessage.due_at, OutboxMessage.id)
            )
        )


async def psychologist_week(sm: Sessionmaker, clock: FakeClock) -> tuple[Club, list[Slot]]:
    """Anna sees psychology clients on Wednesdays 10:00-12:00 (two 50-minute slots)."""
    club = await make_club(sm, clock())
    await add_hours(sm, club.specialist_id, club.psychologist, 2, time(10), time(12), clock())
    return club, await slots_of(sm, club.psychologist)


# --- referrals -----------------------------------------------------------------------------


async def test_without_a_referral_the_participant_is_told_to_get_one(
    sessionmaker: Sessionmaker,
) -> None:
    clock = FakeClock(START)
    club, slots = await psychologist_week(sessionmaker, clock)
    [p] = await make_people(sessionmaker, 1)
    async with sessionmaker() as s:
        assert await c.referral_state(s, p.id, club.psychologist, clock().date()) == "none"
        assert await c.referral_state(s, p.id, club.social, clock().date()) == "not_needed"
    with pytest.raises(c.ReferralRequired):
        await book(sessionmaker, p.id, slots[0].id, clock())
    # An expired or revoked referral is no referral either.
    async with sessionmaker.begin() as s:
        expired = await c.issue_referral(
            s,
            actor_tid=COORDINATOR_TID,
            person_id=p.id,
            service_type_id=club.psychologist,
            sessions=3,
            expires_on=clock().date() + timedelta(days=1),
            now=clock(),
            tz=WAW,
        )
    clock.advance(days=3)
    with pytest.raises(c.ReferralRequired):
        await book(sessionmaker, p.id, slots[0].id, clock())
    revoked = await refer(sessionmaker, p.id, club.psychologist, clock())
    async with sessionmaker.begin() as s:
        await c.revoke_referral(s, actor_tid=COORDINATOR_TID, referral_id=revoked.id, now=clock())
    with pytest.raises(AlreadyDecided):
        async with sessionmaker.begin() as s:
            await c.revoke_referral(
                s, actor_tid=COORDINATOR_TID, referral_id=revoked.id, now=clock()
            )
    with pytest.raises(c.ReferralRequired):
        await book(sessionmaker, p.id, slots[0].id, clock())
    assert await used(sessionmaker, expired.id) == 0
    async with sessionmaker() as s:
        assert (await s.get(Slot, slots[0].id)).status == "free"  # type: ignore[union-attr]


async def test_only_coordinators_and_admins_issue_referrals(sessionmaker: Sessionmaker) -> None:
    clock = FakeClock(START)
    club = await make_club(sessionmaker, clock())
    [p, q] = await make_people(sessionmaker, 2)
    for actor in (SPECIALIST_TID, p.telegram_id or 0):
        with pytest.raises(NotAllowed):
            async with sessionmaker.begin() as s:
                await c.issue_referral(
                    s,
                    actor_tid=actor,
                    person_id=q.id,
                    service_type_id=club.psychologist,
                    sessions=2,
                    expires_on=clock().date() + timedelta(days=30),
                    now=clock(),
                    tz=WAW,
                )
    bad_terms = [(0, 30), (2, -1)]
    for sessions, days in bad_terms:
        with pytest.raises(InvalidInput):
            async with sessionmaker.begin() as s:
                await c.issue_referral(
                    s,
                    actor_tid=COORDINATOR_TID,
                    person_id=q.id,
                    service_type_id=club.psychologist,
                    sessions=sessions,
                    expires_on=clock().date() + timedelta(days=days),
                    now=clock(),
                    tz=WAW,
                )
    referral = await refer(sessionmaker, q.id, club.psychologist, clock())
    async with sessionmaker() as s:
        event = await s.scalar(select(AuditEvent).where(AuditEvent.action == "referral.issue"))
        assert event is not None and event.actor_id == club.coordinator_id
        assert event.target_id == referral.id
        assert [r.id for r in await c.referrals_of(s, q.id)] == [referral.id]
        assert await c.sessions_left(s, q.id, club.psychologist, clock().date()) == 2


async def test_a_referral_link_is_claimed_once(sessionmaker: Sessionmaker) -> None:
    clock = FakeClock(START)
    club, _ = await psychologist_week(sessionmaker, clock)
    a, b = await make_people(sessionmaker, 2)
    async with sessionmaker.begin() as s:
        referral = await c.issue_referral_code(
            s,
            actor_tid=COORDINATOR_TID,
            service_type_id=club.legal,
            sessions=1,
            expires_on=clock().date() + timedelta(days=14),
            now=clock(),
            tz=WAW,
        )
    code = referral.code
    assert code is not None and c.is_referral_code(code)
    assert not c.is_referral_code("abcdefghijklmnop")  # an invite code
    assert c.referral_link("kis_bot", code).endswith(f"?start={code}")
    async with sessionmaker.begin() as s:
        mine = await c.claim_referral_code(s, code=code, person_id=a.id, now=clock(), tz=WAW)
    assert mine.person_id == a.id
    async with sessionmaker.begin() as s:  # a second tap of the same person
        again = await c.claim_referral_code(s, code=code, person_id=a.id, now=clock(), tz=WAW)
    assert again.id == mine.id
    with pytest.raises(c.ReferralCodeInvalid):
        async with sessionmaker.begin() as s:
            await c.claim_referral_code(s, code=code, person_id=b.id, now=clock(), tz=WAW)
    with pytest.raises(c.ReferralCodeInvalid):
        async with sessionmaker.begin() as s:
            await c.claim_referral_code(s, code="rf-nonsense", person_id=b.id, now=clock(), tz=WAW)
    async with sessionmaker() as s:
        assert await c.referral_state(s, a.id, club.legal, clock().date()) == "active"
        assert await c.referral_state(s, b.id, club.legal, clock().date()) == "none"


async def test_quota_of_two_refuses_the_third_booking(sessionmaker: Sessionmaker) -> None:
    clock = FakeClock(START)
    club, slots = await psychologist_week(sessionmaker, clock)
    [p] = await make_people(sessionmaker, 1)
    referral = await refer(sessionmaker, p.id, club.psychologist, clock(), sessions=2)
    # First appointment: booked and attended.
    first = await book(sessionmaker, p.id, slots[0].id, clock())
    assert await used(sessionmaker, referral.id) == 1
    clock.now = first.slot.starts_at + timedelta(minutes=5)
    async with sessionmaker.begin() as s:
        await c.mark_outcome(
            s, actor_tid=SPECIALIST_TID, booking_id=first.booking.id, attended=True, now=clock()
        )
    # Second: booked, then a cancellation after the cut-off is refused, then a no-show.
    second = await book(sessionmaker, p.id, slots[2].id, clock())
    assert await used(sessionmaker, referral.id) == 2
    clock.now = second.slot.starts_at - timedelta(hours=3)
    with pytest.raises(c.CutoffPassed):
        async with sessionmaker.begin() as s:
            await c.cancel_booking(
                s, person_id=p.id, booking_id=second.booking.id, now=clock(), policy=POLICY
            )
    clock.now = second.slot.starts_at + timedelta(hours=1)
    async with sessionmaker.begin() as s:
        await c.mark_outcome(
            s, actor_tid=COORDINATOR_TID, booking_id=second.booking.id, attended=False, now=clock()
        )
    with pytest.raises(c.QuotaUsed):
        await book(sessionmaker, p.id, slots[4].id, clock())
    async with sessionmaker() as s:
        assert await c.referral_state(s, p.id, club.psychologist, clock().date()) == "used_up"
        statuses = list(
            await s.scalars(select(ConsultationBooking.status).order_by(ConsultationBooking.id))
        )
        assert (await s.get(Slot, slots[4].id)).status == "free"  # type: ignore[union-attr]
    assert statuses == ["attended", "no_show"]
    assert await used(sessionmaker, referral.id) == 2
    # A new referral opens the door again.
    await refer(sessionmaker, p.id, club.psychologist, clock(), sessions=1)
    await book(sessionmaker, p.id, slots[4].id, clock())


# --- booking, reminders, cancel -----------------------------------------------------------


async def test_booking_writes_the_reminders_in_the_same_transaction(
    sessionmaker: Sessionmaker,
) -> None:
    clock = FakeClock(START)
    club, slots = await psychologist_week(sessionmaker, clock)
    [p] = await make_people(sessionmaker, 1)
    referral = await refer(sessionmaker, p.id, club.psychologist, clock())
    view = await book(sessionmaker, p.id, slots[0].id, clock())
    assert view.booking.status == "booked" and view.booking.referral_id == referral.id
    assert view.booking.reminders_neutral is True
    assert view.slot.status == "booked" and view.service.sensitive
    assert view.specialist_name == "Anna"
    reminders = await outbox_rows(sessionmaker, c.KIND_REMINDER)
    # Wednesday 3 March 2027, 10:00 local = 09:00 UTC: the day before at 10:00, and 08:00.
    assert [(r.due_at, r.payload, r.ref_id) for r in reminders] == [
        (datetime(2027, 3, 2, 9, 0, tzinfo=UTC), {"offset": 1440}, view.booking.id),
        (datetime(2027, 3, 3, 7, 0, tzinfo=UTC), {"offset": 120}, view.booking.id),
    ]
    assert all(r.expires_at == view.slot.starts_at for r in reminders)
    assert all(r.chat_id == p.telegram_id and r.status == "pending" for r in reminders)
    async with sessionmaker() as s:
        mine = await c.my_consultations(s, p.id, clock())
        days = await c.service_days(s, club.psychologist, now=clock(), tz=WAW, days=28)
        first_day = await c.free_slots(s, club.psychologist, days[0], now=clock(), tz=WAW)
    assert [m.booking.id for m in mine] == [view.booking.id]
    assert days == [date(2027, 3, 3), date(2027, 3, 10), date(2027, 3, 17), date(2027, 3, 24)]
    assert [v.slot.id for v in first_day] == [slots[1].id]  # the booked one is not offered
    assert first_day[0].specialist_name == "Anna"


async def test_a_service_without_referral_books_straight_away(
    sessionmaker: Sessionmaker,
) -> None:
    clock = FakeClock(START)
    club = await make_club(sessionmaker, clock())
    await add_hours(
        sessionmaker, club.other_specialist_id, club.career, 3, time(9), time(12), clock()
    )
    slots = await slots_of(sessionmaker, club.career)
    [p] = await make_people(sessionmaker, 1)
    async with sessionmaker.begin() as s:
        view = await c.book(
            s,
            person_id=p.id,
            slot_id=slots[0].id,
            now=clock(),
            tz=WAW,
            policy=POLICY,
            neutral=False,
        )
    assert view.booking.referral_id is None and view.booking.reminders_neutral is False


async def test_cancel_in_time_returns_the_session_and_cancels_reminders(
    sessionmaker: Sessionmaker,
) -> None:
    clock = FakeClock(START)
    club, slots = await psychologist_week(sessionmaker, clock)
    [p] = await make_people(sessionmaker, 1)
    referral = await refer(sessionmaker, p.id, club.psychologist, clock(), sessions=1)
    view = await book(sessionmaker, p.id, slots[0].id, clock())
    assert await used(sessionmaker, referral.id) == 1
    clock.now = view.slot.starts_at - timedelta(hours=24)  # exactly at the cut-off: still fine
    async with sessionmaker.begin() as s:
        cancelled = await c.cancel_booking(
            s, person_id=p.id, booking_id=view.booking.id, now=clock(), policy=POLICY
        )
    assert cancelled.booking.status == "cancelled" and cancelled.slot.status == "free"
    assert await used(sessionmaker, referral.id) == 0
    assert {r.status for r in await outbox_rows(sessionmaker, c.KIND_REMINDER)} == {"cancelled"}
    with pytest.raises(c.BookingClosed):
        async with sessionmaker.begin() as s:
            await c.cancel_booking(
                s, person_id=p.id, booking_id=view.booking.id, now=clock(), policy=POLICY
            )
    again = await book(sessionmaker, p.id, slots[0].id, clock())  # the session is back
    assert again.booking.id != view.booking.id
    assert await used(sessionmaker, referral.id) == 1


async def test_late_cancel_is_refused_and_the_service_cut_off_wins(
    sessionmaker: Sessionmaker,
) -> None:
    clock = FakeClock(START)
    club, slots = await psychologist_week(sessionmaker, clock)
    [p] = await make_people(sessionmaker, 1)
    referral = await refer(sessionmaker, p.id, club.psychologist, clock())
    view = await book(sessionmaker, p.id, slots[0].id, clock())
    clock.now = view.slot.starts_at - timedelta(hours=20)
    with pytest.raises(c.CutoffPassed):
        async with sessionmaker.begin() as s:
            await c.cancel_booking(
                s, person_id=p.id, booking_id=view.booking.id, now=clock(), policy=POLICY
            )
    assert await used(sessionmaker, referral.id) == 1
    async with sessionmaker.begin() as s:
        service = await s.get(ServiceType, club.psychologist)
        assert service is not None
        service.cancel_cutoff_hours = 2
    async with sessionmaker.begin() as s:
        await c.cancel_booking(
            s, person_id=p.id, booking_id=view.booking.id, now=clock(), policy=POLICY
        )
    assert await used(sessionmaker, referral.id) == 0


async def test_reschedule_moves_the_booking_and_keeps_one_referral_session(
    sessionmaker: Sessionmaker,
) -> None:
    clock = FakeClock(START)
    club, slots = await psychologist_week(sessionmaker, clock)
    await add_hours(sessionmaker, club.specialist_id, club.social, 4, time(9), time(10), clock())
    social = await slots_of(sessionmaker, club.social)
    p, q = await make_people(sessionmaker, 2)
    referral = await refer(sessionmaker, p.id, club.psychologist, clock(), sessions=1)
    await refer(sessionmaker, q.id, club.psychologist, clock())
    view = await book(sessionmaker, p.id, slots[0].id, clock())
    taken = await book(sessionmaker, q.id, slots[3].id, clock())
    async with sessionmaker.begin() as s:
        moved = await c.reschedule(
            s,
            person_id=p.id,
            booking_id=view.booking.id,
            new_slot_id=slots[2].id,
            now=clock(),
            tz=WAW,
            policy=POLICY,
        )
    assert moved.booking.id == view.booking.id and moved.slot.id == slots[2].id
    assert moved.booking.referral_id == referral.id and moved.booking.rescheduled_at == clock()
    assert await used(sessionmaker, referral.id) == 1
    async with sessionmaker() as s:
        assert (await s.get(Slot, slots[0].id)).status == "free"  # type: ignore[union-attr]
        assert (await s.get(Slot, slots[2].id)).status == "booked"  # type: ignore[union-attr]
    reminders = await outbox_rows(sessionmaker, c.KIND_REMINDER)
    pending = [r for r in reminders if r.ref_id == view.booking.id and r.status == "pending"]
    assert [r.expires_at for r in pending] == [slots[2].starts_at] * 2
    assert len([r for r in reminders if r.status == "cancelled"]) == 2
    for target, error in (
        (slots[3].id, c.SlotTaken),  # q's
        (social[0].id, InvalidInput),  # another service
        (999_999, NotFound),
    ):
        with pytest.raises(error):
            async with sessionmaker.begin() as s:
                await c.reschedule(
                    s,
                    person_id=p.id,
                    booking_id=view.booking.id,
                    new_slot_id=target,
                    now=clock(),
                    tz=WAW,
                    policy=POLICY,
                )
    clock.now = slots[2].starts_at - timedelta(hours=1)
    with pytest.raises(c.CutoffPassed):
        async with sessionmaker.begin() as s:
            await c.reschedule(
                s,
                person_id=p.id,
                booking_id=view.booking.id,
                new_slot_id=slots[4].id,
                now=clock(),
                tz=WAW,
                policy=POLICY,
            )
    async with sessionmaker() as s:
        assert (await s.get(Slot, slots[4].id)).status == "free"  # type: ignore[union-attr]
        assert (await s.get(Slot, taken.slot.id)).status == "booked"  # type: ignore[union-attr]
    assert await used(sessionmaker, referral.id) == 1


async def test_one_upcoming_booking_per_service(sessionmaker: Sessionmaker) -> None:
    clock = FakeClock(START)
    club, slots = await psychologist_week(sessionmaker, clock)
    await add_hours(
        sessionmaker, club.other_specialist_id, club.social, 2, time(9), time(12), clock()
    )
    social = await slots_of(sessionmaker, club.social)
    [p] = await make_people(sessionmaker, 1)
    referral = await refer(sessionmaker, p.id, club.psychologist, clock(), sessions=5)
    first = await book(sessionmaker, p.id, slots[0].id, clock())
    with pytest.raises(c.AlreadyBooked) as other_slot:
        await book(sessionmaker, p.id, slots[2].id, clock())
    assert other_slot.value.booking_id == first.booking.id
    with pytest.raises(c.AlreadyBooked) as double_tap:
        await book(sessionmaker, p.id, slots[0].id, clock())
    assert double_tap.value.booking_id == first.booking.id
    assert await used(sessionmaker, referral.id) == 1  # refusals took nothing
    other = await book(sessionmaker, p.id, social[4].id, clock())  # another service is fine
    # Once the appointment is over (nobody marked it), the next one can be booked.
    clock.now = first.slot.ends_at + timedelta(minutes=1)
    second = await book(sessionmaker, p.id, slots[2].id, clock())
    async with sessionmaker() as s:
        past = await s.get(ConsultationBooking, first.booking.id)
        assert past is not None and past.status == "unmarked"
        mine = await c.my_consultations(s, p.id, clock())
    assert [m.booking.id for m in mine] == [other.booking.id, second.booking.id]  # 9:00, 10:00
    # Unmarked appointments can still be marked later.
    async with sessionmaker.begin() as s:
        marked = await c.mark_outcome(
            s, actor_tid=SPECIALIST_TID, booking_id=first.booking.id, attended=True, now=clock()
        )
    assert marked.booking.status == "attended"


async def test_a_forged_booking_id_is_not_found(sessionmaker: Sessionmaker) -> None:
    clock = FakeClock(START)
    club, slots = await psychologist_week(sessionmaker, clock)
    a, b = await make_people(sessionmaker, 2)
    await refer(sessionmaker, a.id, club.psychologist, clock())
    view = await book(sessionmaker, a.id, slots[0].id, clock())
    bid = view.booking.id
    attempts = (
        lambda s: c.cancel_booking(s, person_id=b.id, booking_id=bid, now=clock(), policy=POLICY),
        lambda s: c.reschedule(
            s,
            person_id=b.id,
            booking_id=bid,
            new_slot_id=slots[1].id,
            now=clock(),
            tz=WAW,
            policy=POLICY,
        ),
        lambda s: c.confirm_booking(s, person_id=b.id, booking_id=bid, now=clock()),
        lambda s: c.set_reminders_neutral(s, person_id=b.id, booking_id=bid, neutral=False),
        lambda s: c.booking_view(s, b.id, bid),
        lambda s: c.cancel_booking(
            s, person_id=b.id, booking_id=987_654, now=clock(), policy=POLICY
        ),
    )
    for attempt in attempts:
        with pytest.raises(NotFound):
            async with sessionmaker.begin() as s:
                await attempt(s)
    async with sessionmaker() as s:
        stored = await s.get(ConsultationBooking, bid)
        assert stored is not None and stored.status == "booked" and stored.reminders_neutral
        assert stored.slot_id == slots[0].id and stored.confirmed_at is None


async def test_confirm_and_neutral_wording_choice(sessionmaker: Sessionmaker) -> None:
    clock = FakeClock(START)
    club, slots = await psychologist_week(sessionmaker, clock)
    [p] = await make_people(sessionmaker, 1)
    await refer(sessionmaker, p.id, club.psychologist, clock())
    view = await book(sessionmaker, p.id, slots[0].id, clock())
    async with sessionmaker.begin() as s:
        confirmed = await c.confirm_booking(
            s, person_id=p.id, booking_id=view.booking.id, now=clock()
        )
        first_confirmation = confirmed.booking.confirmed_at
        await c.confirm_booking(
            s, person_id=p.id, booking_id=view.booking.id, now=clock() + timedelta(hours=1)
        )
        named = await c.set_reminders_neutral(
            s, person_id=p.id, booking_id=view.booking.id, neutral=False
        )
    assert first_confirmation == clock() and named.booking.confirmed_at == clock()
    assert named.booking.reminders_neutral is False
    async with sessionmaker() as s:
        loaded = await c.load_booking(s, view.booking.id)
        assert loaded is not None and loaded.service.sensitive
        assert await c.load_booking(s, 424242) is None


# --- staff: outcomes, agenda, deleting data ------------------------------------------------


async def test_mark_outcome_roles(sessionmaker: Sessionmaker) -> None:
    clock = FakeClock(START)
    club, slots = await psychologist_week(sessionmaker, clock)
    [p] = await make_people(sessionmaker, 1)
    await refer(sessionmaker, p.id, club.psychologist, clock())
    view = await book(sessionmaker, p.id, slots[0].id, clock())
    bid = view.booking.id
    with pytest.raises(InvalidInput):  # not started yet
        async with sessionmaker.begin() as s:
            await c.mark_outcome(
                s, actor_tid=SPECIALIST_TID, booking_id=bid, attended=True, now=clock()
            )
    clock.now = view.slot.starts_at + timedelta(minutes=10)
    for actor in (p.telegram_id or 0, OTHER_SPECIALIST_TID, 123_456):
        with pytest.raises(NotAllowed):
            async with sessionmaker.begin() as s:
                await c.mark_outcome(s, actor_tid=actor, booking_id=bid, attended=True, now=clock())
    async with sessionmaker.begin() as s:
        marked = await c.mark_outcome(
            s, actor_tid=SPECIALIST_TID, booking_id=bid, attended=False, now=clock()
        )
    assert marked.booking.status == "no_show"
    assert marked.booking.outcome_marked_by_id == club.specialist_id
    async with sessionmaker.begin() as s:  # a coordinator corrects it
        marked = await c.mark_outcome(
            s, actor_tid=COORDINATOR_TID, booking_id=bid, attended=True, now=clock()
        )
    assert marked.booking.status == "attended"
    async with sessionmaker() as s:
        actions = list(
            await s.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.target_type == "consultation_booking")
                .order_by(AuditEvent.id)
            )
        )
    assert actions == ["consultation.no_show", "consultation.attended"]
    with pytest.raises(NotFound):
        async with sessionmaker.begin() as s:
            await c.mark_outcome(
                s, actor_tid=COORDINATOR_TID, booking_id=bid + 100, attended=True, now=clock()
            )


async def test_agenda_of_a_day_and_the_morning_message(sessionmaker: Sessionmaker) -> None:
    clock = FakeClock(START)
    club, slots = await psychologist_week(sessionmaker, clock)
    a, b = await make_people(sessionmaker, 2)
    for person in (a, b):
        await refer(sessionmaker, person.id, club.psychologist, clock())
    await book(sessionmaker, a.id, slots[1].id, clock())
    day = date(2027, 3, 3)
    async with sessionmaker() as s:
        entries = await c.agenda(s, club.specialist_id, day, WAW)
        full = await c.agenda_for(
            s,
            actor_tid=SPECIALIST_TID,
            specialist_id=club.specialist_id,
            day=day,
            tz=WAW,
            include_free=True,
        )
        with pytest.raises(NotAllowed):
            await c.agenda_for(
                s, actor_tid=OTHER_SPECIALIST_TID, specialist_id=club.specialist_id, day=day, tz=WAW
            )
        with pytest.raises(NotAllowed):
            await c.agenda_for(
                s, actor_tid=a.telegram_id or 0, specialist_id=club.specialist_id, day=day, tz=WAW
            )
    assert [(e.local_time, e.participant_name, e.status, e.place) for e in entries] == [
        (time(10, 50), "Uczestnik 0", "booked", "MOPS Wejherowo, pokój 11")
    ]
    assert entries[0].service.slug == "psychologist"
    assert [(e.local_time, e.status, e.participant_name) for e in full] == [
        (time(10, 0), "free", None),
        (time(10, 50), "booked", "Uczestnik 0"),
    ]
    morning = datetime(2027, 3, 3, 6, 30, tzinfo=UTC)
    async with sessionmaker.begin() as s:
        assert await c.enqueue_daily_agendas(s, now=morning, tz=WAW) == 1
    async with sessionmaker.begin() as s:  # a second run the same day sends nothing new
        assert await c.enqueue_daily_agendas(s, now=morning, tz=WAW) == 0
    [row] = await outbox_rows(sessionmaker, c.KIND_AGENDA)
    assert row.chat_id == SPECIALIST_TID and row.payload == {"day": "2027-03-03"}
    assert row.ref_id == 20270303


async def test_deleting_data_ends_bookings_and_frees_slots(sessionmaker: Sessionmaker) -> None:
    clock = FakeClock(START)
    club, slots = await psychologist_week(sessionmaker, clock)
    [p] = await make_people(sessionmaker, 1)
    referral = await refer(sessionmaker, p.id, club.psychologist, clock())
    view = await book(sessionmaker, p.id, slots[0].id, clock())
    clock.now = view.slot.starts_at - timedelta(hours=1)  # inside the cut-off
    async with sessionmaker.begin() as s:
        assert await c.withdraw_person(s, p.id, clock(), POLICY) == 1
    async with sessionmaker() as s:
        assert (await s.get(Slot, slots[0].id)).status == "free"  # type: ignore[union-attr]
        assert (await s.get(Person, p.id)) is not None
    assert await used(sessionmaker, referral.id) == 0


async def test_inactive_people_cannot_book(sessionmaker: Sessionmaker) -> None:
    clock = FakeClock(START)
    club = await make_club(sessionmaker, clock())
    await add_hours(sessionmaker, club.specialist_id, club.social, 2, time(9), time(12), clock())
    slots = await slots_of(sessionmaker, club.social)
    p, q = await make_people(sessionmaker, 2)
    async with sessionmaker.begin() as s:
        person = await s.get(Person, p.id)
        assert person is not None
        person.status = "pending"
    with pytest.raises(NotAllowed):
        await book(sessionmaker, p.id, slots[0].id, clock())
    with pytest.raises(NotFound):
        await book(sessionmaker, q.id, 123_456, clock())
    with pytest.raises(NotFound):
        await book(sessionmaker, 123_456, slots[0].id, clock())


async def test_service_types_are_seeded_once(sessionmaker: Sessionmaker) -> None:
    async with sessionmaker.begin() as s:
        assert await c.ensure_service_types(s) == 4
    async with sessionmaker.begin() as s:
        assert await c.ensure_service_types(s) == 0
        legal = await c.service_type_by_slug(s, "legal")
        types = await c.list_service_types(s)
    assert [t.slug for t in types] == ["psychologist", "legal", "social", "career"]
    assert legal.requires_referral and legal.sensitive and legal.slot_minutes == 60
    assert legal.reminder_offsets_minutes == [1440, 120]
    assert legal.name("uk") == "Юридична консультація" and legal.name("xx") == "Porada prawna"
    by_slug = {t.slug: t for t in types}
    assert not by_slug["social"].requires_referral and not by_slug["career"].sensitive
    assert by_slug["psychologist"].slot_minutes == 50
