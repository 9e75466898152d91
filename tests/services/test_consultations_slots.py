"""Slots from weekly hours on SQLite and PostgreSQL: local time across DST, closures, the
past, idempotency, and changes of hours that never take a booked appointment away."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from models import ConsultationBooking, OutboxMessage, Person, Slot
from models.db import Sessionmaker
from services import consultations as c
from services.errors import InvalidInput, NotAllowed
from tests.conftest import FakeClock
from tests.factories import make_people
from tests.services.test_consultations import (
    COORDINATOR_TID,
    OTHER_SPECIALIST_TID,
    POLICY,
    SPECIALIST_TID,
    START,
    WAW,
    add_hours,
    book,
    make_club,
    outbox_rows,
    psychologist_week,
    refer,
    slots_of,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


async def statuses(sm: Sessionmaker, service_type_id: int) -> list[tuple[datetime, str]]:
    return [(s.starts_at, s.status) for s in await slots_of(sm, service_type_id)]


async def sync(sm: Sessionmaker, now: datetime, weeks: int = 4) -> c.SyncResult:
    async with sm.begin() as s:
        return await c.sync_slots(s, now=now, tz=WAW, weeks_ahead=weeks)


async def test_slots_cover_the_weeks_ahead_once(sessionmaker: Sessionmaker) -> None:
    clock = FakeClock(START)
    club, slots = await psychologist_week(sessionmaker, clock)
    # Wednesdays 10:00 and 10:50 local (winter: UTC+1) for four weeks.
    assert [s.starts_at for s in slots[:2]] == [utc(2027, 3, 3, 9, 0), utc(2027, 3, 3, 9, 50)]
    assert [s.ends_at - s.starts_at for s in slots] == [timedelta(minutes=50)] * 8
    assert {s.status for s in slots} == {"free"}
    assert {s.place for s in slots} == {"MOPS Wejherowo, pokój 11"}
    async with sessionmaker.begin() as s:
        assert await c.generate_slots(s, now=clock(), tz=WAW, weeks_ahead=4) == 0
    assert len(await slots_of(sessionmaker, club.psychologist)) == 8
    # A week later the horizon moves on by one Wednesday; nothing is duplicated.
    clock.advance(days=7)
    async with sessionmaker.begin() as s:
        assert await c.generate_slots(s, now=clock(), tz=WAW, weeks_ahead=4) == 2
    assert len(await slots_of(sessionmaker, club.psychologist)) == 10


async def test_the_past_is_skipped(sessionmaker: Sessionmaker) -> None:
    now = datetime(2027, 3, 3, 10, 30, tzinfo=WAW)  # Wednesday, after the 10:00 slot began
    club = await make_club(sessionmaker, now)
    await add_hours(sessionmaker, club.specialist_id, club.psychologist, 2, time(10), time(12), now)
    slots = await slots_of(sessionmaker, club.psychologist)
    assert slots[0].starts_at == datetime(2027, 3, 3, 10, 50, tzinfo=WAW)
    assert len(slots) == 7


async def test_slot_times_follow_local_time_across_spring_forward(
    sessionmaker: Sessionmaker,
) -> None:
    now = datetime(2026, 3, 20, 12, tzinfo=UTC)
    club = await make_club(sessionmaker, now)
    for weekday in (5, 6, 0):  # Saturday, Sunday (the change), Monday
        await add_hours(
            sessionmaker, club.specialist_id, club.career, weekday, time(10), time(11), now, weeks=2
        )
    starts = [s.starts_at for s in await slots_of(sessionmaker, club.career)]
    assert starts == [
        utc(2026, 3, 21, 9, 0),  # Saturday, CET
        utc(2026, 3, 22, 9, 0),
        utc(2026, 3, 23, 9, 0),
        utc(2026, 3, 28, 9, 0),  # Saturday 28th: still CET
        utc(2026, 3, 29, 8, 0),  # Sunday 29th: clocks went forward at 02:00, now CEST
        utc(2026, 3, 30, 8, 0),  # Monday: CEST
    ]
    assert all(s.astimezone(WAW).time() == time(10) for s in starts)


async def test_slot_times_follow_local_time_across_fall_back(sessionmaker: Sessionmaker) -> None:
    now = datetime(2026, 10, 21, 12, tzinfo=UTC)  # Wednesday
    club = await make_club(sessionmaker, now)
    for weekday in (5, 6, 0):
        await add_hours(
            sessionmaker, club.specialist_id, club.career, weekday, time(10), time(11), now, weeks=1
        )
    starts = [s.starts_at for s in await slots_of(sessionmaker, club.career)]
    assert starts == [
        utc(2026, 10, 24, 8, 0),  # Saturday: CEST
        utc(2026, 10, 25, 9, 0),  # Sunday: back to CET at 03:00
        utc(2026, 10, 26, 9, 0),  # Monday: CET
    ]


async def test_reminders_of_a_booking_on_the_day_the_clocks_change(
    sessionmaker: Sessionmaker,
) -> None:
    now = datetime(2026, 3, 20, 12, tzinfo=UTC)
    club = await make_club(sessionmaker, now)
    await add_hours(
        sessionmaker, club.specialist_id, club.career, 0, time(8, 30), time(9, 15), now, weeks=2
    )
    [slot] = [s for s in await slots_of(sessionmaker, club.career) if s.starts_at.day == 30]
    [p] = await make_people(sessionmaker, 1)
    await book(sessionmaker, p.id, slot.id, now)
    due = [r.due_at for r in await outbox_rows(sessionmaker, c.KIND_REMINDER)]
    # Monday 30 March 08:30 CEST: Sunday 08:30 CEST (the day of the change) and, instead of
    # 06:30 (quiet), Sunday 20:59 CEST.
    assert due == [utc(2026, 3, 29, 6, 30), utc(2026, 3, 29, 18, 59)]


async def test_closures_are_skipped_and_given_back(sessionmaker: Sessionmaker) -> None:
    clock = FakeClock(START)
    club, slots = await psychologist_week(sessionmaker, clock)
    await add_hours(
        sessionmaker, club.other_specialist_id, club.social, 2, time(9), time(10), clock()
    )
    async with sessionmaker.begin() as s:  # the whole club on 10 March
        club_day = await c.add_closure(
            s,
            actor_tid=COORDINATOR_TID,
            specialist_id=None,
            starts_on=date(2027, 3, 10),
            ends_on=date(2027, 3, 10),
            reason="Dzień otwarty MOPS",
            now=clock(),
            tz=WAW,
            weeks_ahead=4,
        )
    assert club_day.sync.withdrawn == 3 and club_day.sync.affected == []
    async with sessionmaker.begin() as s:  # Anna's leave, by Anna herself
        await c.add_closure(
            s,
            actor_tid=SPECIALIST_TID,
            specialist_id=club.specialist_id,
            starts_on=date(2027, 3, 15),
            ends_on=date(2027, 3, 21),
            reason="urlop",
            now=clock(),
            tz=WAW,
            weeks_ahead=4,
        )
    psych = await statuses(sessionmaker, club.psychologist)
    withdrawn = sorted({t.astimezone(WAW).date() for t, st in psych if st == "withdrawn"})
    assert withdrawn == [date(2027, 3, 10), date(2027, 3, 17)]
    social = await statuses(sessionmaker, club.social)
    assert [t.astimezone(WAW).date() for t, st in social if st == "withdrawn"] == [
        date(2027, 3, 10)
    ]
    async with sessionmaker() as s:
        days = await c.service_days(s, club.psychologist, now=clock(), tz=WAW, days=28)
    assert days == [date(2027, 3, 3), date(2027, 3, 24)]
    # Generating again changes nothing; removing the club closure gives the day back.
    assert (await sync(sessionmaker, clock())).created == 0
    async with sessionmaker.begin() as s:
        await c.remove_closure(
            s,
            actor_tid=COORDINATOR_TID,
            closure_id=club_day.closure.id,
            now=clock(),
            tz=WAW,
            weeks_ahead=4,
        )
    async with sessionmaker() as s:
        days = await c.service_days(s, club.psychologist, now=clock(), tz=WAW, days=28)
        closures = await c.list_closures(s, today=clock().date(), specialist_id=club.specialist_id)
    assert days == [date(2027, 3, 3), date(2027, 3, 10), date(2027, 3, 24)]
    assert [cl.reason for cl in closures] == ["urlop"]
    assert len(await slots_of(sessionmaker, club.psychologist)) == len(slots)  # reused rows


async def test_closure_permissions(sessionmaker: Sessionmaker) -> None:
    clock = FakeClock(START)
    club = await make_club(sessionmaker, clock())
    [p] = await make_people(sessionmaker, 1)
    cases = [
        (SPECIALIST_TID, None),  # a specialist cannot close the club
        (SPECIALIST_TID, club.other_specialist_id),  # nor take leave for a colleague
        (p.telegram_id or 0, club.specialist_id),
    ]
    for actor, specialist_id in cases:
        with pytest.raises(NotAllowed):
            async with sessionmaker.begin() as s:
                await c.add_closure(
                    s,
                    actor_tid=actor,
                    specialist_id=specialist_id,
                    starts_on=date(2027, 3, 10),
                    ends_on=date(2027, 3, 11),
                    reason="",
                    now=clock(),
                    tz=WAW,
                    weeks_ahead=4,
                )
    with pytest.raises(InvalidInput):
        async with sessionmaker.begin() as s:
            await c.add_closure(
                s,
                actor_tid=COORDINATOR_TID,
                specialist_id=None,
                starts_on=date(2027, 3, 12),
                ends_on=date(2027, 3, 11),
                reason="",
                now=clock(),
                tz=WAW,
                weeks_ahead=4,
            )


async def test_changing_hours_keeps_booked_slots_and_tells_the_participant(
    sessionmaker: Sessionmaker,
) -> None:
    clock = FakeClock(START)
    club, slots = await psychologist_week(sessionmaker, clock)
    async with sessionmaker() as s:
        [hours] = await c.list_weekly_hours(s, club.specialist_id)
    [p] = await make_people(sessionmaker, 1)
    referral = await refer(sessionmaker, p.id, club.psychologist, clock(), sessions=2)
    view = await book(sessionmaker, p.id, slots[2].id, clock())  # 10 March, 10:00
    # Anna moves her Wednesday hours to the afternoon.
    change = await add_hours(
        sessionmaker,
        club.specialist_id,
        club.psychologist,
        2,
        time(14),
        time(16),
        clock(),
        hours_id=hours.id,
    )
    assert change.sync.created == 8 and change.sync.withdrawn == 7
    assert [a.booking_id for a in change.sync.affected] == [view.booking.id]
    assert change.sync.affected[0].starts_at == view.slot.starts_at
    async with sessionmaker() as s:
        kept = await s.get(Slot, view.slot.id)
        booking = await s.get(ConsultationBooking, view.booking.id)
        moved = list(
            await s.scalars(select(OutboxMessage).where(OutboxMessage.kind == c.KIND_MOVED))
        )
    assert kept is not None and kept.status == "booked" and kept.withdrawn_at == clock()
    assert booking is not None and booking.status == "booked"
    assert [(m.ref_id, m.payload, m.due_at, m.expires_at) for m in moved] == [
        (view.booking.id, {"reason": "hours"}, clock(), view.slot.starts_at)
    ]
    # Running the job again tells nobody twice.
    assert (await sync(sessionmaker, clock())).affected == []
    assert len(await outbox_rows(sessionmaker, c.KIND_MOVED)) == 1
    async with sessionmaker() as s:
        afternoon = await c.free_slots(s, club.psychologist, date(2027, 3, 10), now=clock(), tz=WAW)
    assert [v.slot.starts_at.astimezone(WAW).time() for v in afternoon] == [
        time(14),
        time(14, 50),
    ]
    # The participant moves to the afternoon even inside the usual cut-off: the club changed
    # the hours. The old slot is withdrawn, not offered again; one referral session is used.
    clock.now = view.slot.starts_at - timedelta(hours=2)
    async with sessionmaker.begin() as s:
        moved_view = await c.reschedule(
            s,
            person_id=p.id,
            booking_id=view.booking.id,
            new_slot_id=afternoon[0].slot.id,
            now=clock(),
            tz=WAW,
            policy=POLICY,
        )
    assert moved_view.slot.id == afternoon[0].slot.id
    async with sessionmaker() as s:
        old = await s.get(Slot, view.slot.id)
        assert old is not None and old.status == "withdrawn"
        referral_row = await s.get(type(referral), referral.id)
        assert referral_row is not None and referral_row.sessions_used == 1
    assert {m.status for m in await outbox_rows(sessionmaker, c.KIND_MOVED)} <= {
        "pending",
        "cancelled",
    }


async def test_hours_restored_before_anyone_moved_clear_the_mark(
    sessionmaker: Sessionmaker,
) -> None:
    clock = FakeClock(START)
    club, slots = await psychologist_week(sessionmaker, clock)
    async with sessionmaker() as s:
        [hours] = await c.list_weekly_hours(s, club.specialist_id)
    [p] = await make_people(sessionmaker, 1)
    await refer(sessionmaker, p.id, club.psychologist, clock())
    view = await book(sessionmaker, p.id, slots[0].id, clock())
    async with sessionmaker.begin() as s:
        removed = await c.remove_weekly_hours(
            s, actor_tid=COORDINATOR_TID, hours_id=hours.id, now=clock(), tz=WAW, weeks_ahead=4
        )
    assert [a.booking_id for a in removed.sync.affected] == [view.booking.id]
    assert removed.sync.withdrawn == 7
    await add_hours(
        sessionmaker, club.specialist_id, club.psychologist, 2, time(10), time(12), clock()
    )
    after = await statuses(sessionmaker, club.psychologist)
    assert [st for _, st in after] == ["booked"] + ["free"] * 7
    async with sessionmaker() as s:
        slot = await s.get(Slot, view.slot.id)
    assert slot is not None and slot.withdrawn_at is None
    # Covered again: a normal cancellation frees it for others.
    async with sessionmaker.begin() as s:
        await c.cancel_booking(
            s, person_id=p.id, booking_id=view.booking.id, now=clock(), policy=POLICY
        )
    assert [st for _, st in await statuses(sessionmaker, club.psychologist)] == ["free"] * 8


async def test_a_closure_over_a_booked_day_keeps_the_booking(sessionmaker: Sessionmaker) -> None:
    clock = FakeClock(START)
    club, slots = await psychologist_week(sessionmaker, clock)
    [p] = await make_people(sessionmaker, 1)
    await refer(sessionmaker, p.id, club.psychologist, clock())
    view = await book(sessionmaker, p.id, slots[0].id, clock())
    async with sessionmaker.begin() as s:
        change = await c.add_closure(
            s,
            actor_tid=COORDINATOR_TID,
            specialist_id=club.specialist_id,
            starts_on=date(2027, 3, 3),
            ends_on=date(2027, 3, 3),
            reason="choroba",
            now=clock(),
            tz=WAW,
            weeks_ahead=4,
        )
    assert [a.booking_id for a in change.sync.affected] == [view.booking.id]
    [notice] = await outbox_rows(sessionmaker, c.KIND_MOVED)
    assert notice.payload == {"reason": "closure"} and notice.chat_id == p.telegram_id
    # The participant cancels late (less than 24 h before): allowed, the club moved it.
    clock.now = view.slot.starts_at - timedelta(hours=1)
    async with sessionmaker.begin() as s:
        await c.cancel_booking(
            s, person_id=p.id, booking_id=view.booking.id, now=clock(), policy=POLICY
        )
    async with sessionmaker() as s:
        slot = await s.get(Slot, view.slot.id)
        notice_row = await s.get(OutboxMessage, notice.id)
    assert slot is not None and slot.status == "withdrawn"
    assert notice_row is not None and notice_row.status == "cancelled"


async def test_hours_rules(sessionmaker: Sessionmaker) -> None:
    clock = FakeClock(START)
    club, _ = await psychologist_week(sessionmaker, clock)
    [p] = await make_people(sessionmaker, 1)
    with pytest.raises(InvalidInput):  # overlaps 10:00-12:00 on Wednesday
        await add_hours(
            sessionmaker, club.specialist_id, club.social, 2, time(11), time(13), clock()
        )
    with pytest.raises(InvalidInput):  # shorter than one 50-minute slot
        await add_hours(
            sessionmaker, club.specialist_id, club.psychologist, 3, time(10), time(10, 30), clock()
        )
    with pytest.raises(InvalidInput):  # a participant is no specialist
        await add_hours(sessionmaker, p.id, club.social, 3, time(10), time(12), clock())
    with pytest.raises(NotAllowed):  # Jan cannot change Anna's hours
        async with sessionmaker.begin() as s:
            await c.set_weekly_hours(
                s,
                actor_tid=OTHER_SPECIALIST_TID,
                specialist_id=club.specialist_id,
                service_type_id=club.social,
                weekday=4,
                start=time(9),
                end=time(12),
                place="",
                now=clock(),
                tz=WAW,
                weeks_ahead=4,
            )
    async with sessionmaker.begin() as s:  # ...but his own, yes
        own = await c.set_weekly_hours(
            s,
            actor_tid=OTHER_SPECIALIST_TID,
            specialist_id=club.other_specialist_id,
            service_type_id=club.legal,
            weekday=4,
            start=time(9),
            end=time(12),
            place="KIS Śródmieście",
            now=clock(),
            tz=WAW,
            weeks_ahead=1,
        )
    assert own.sync.created == 3
    async with sessionmaker() as s:
        assert [t.slug for t in await c.services_of(s, club.other_specialist_id)] == ["legal"]
        assert [x.id for x in await c.specialists_for(s, club.legal)] == [club.other_specialist_id]


async def test_a_specialist_who_leaves_offers_no_slots(sessionmaker: Sessionmaker) -> None:
    clock = FakeClock(START)
    club, slots = await psychologist_week(sessionmaker, clock)
    async with sessionmaker.begin() as s:
        anna = await s.get(Person, club.specialist_id)
        assert anna is not None
        anna.status = "deactivated"
    async with sessionmaker() as s:  # hidden at once, before the job has run
        assert await c.service_days(s, club.psychologist, now=clock(), tz=WAW, days=28) == []
    [p] = await make_people(sessionmaker, 1)
    await refer(sessionmaker, p.id, club.psychologist, clock())
    with pytest.raises(c.SlotTaken):  # an old button still showing the slot
        await book(sessionmaker, p.id, slots[0].id, clock())
    result = await sync(sessionmaker, clock())
    assert result.withdrawn == len(slots) and result.created == 0
    async with sessionmaker.begin() as s:
        await c.unlink_specialist(
            s,
            actor_tid=COORDINATOR_TID,
            specialist_id=club.specialist_id,
            service_type_id=club.psychologist,
            now=clock(),
            tz=WAW,
            weeks_ahead=4,
        )
        assert await c.list_weekly_hours(s, club.specialist_id) == []
