"""Broadcast services on SQLite and PostgreSQL: audiences, confirm (once), stop, reports."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from models import AuditEvent, Broadcast, OutboxMessage, Person
from models.db import Sessionmaker, create_engine, create_sessionmaker
from services import broadcasts, people
from services.broadcasts import Audience
from services.errors import AlreadyDecided, InvalidInput, NotAllowed, NotFound
from services.reminder_time import parse_quiet_hours
from tests.conftest import FakeClock
from tests.factories import AudienceWorld, make_audience_world, make_policy

TZ = ZoneInfo("Europe/Warsaw")
QUIET = parse_quiet_hours("21:00-08:00")
POLICY = make_policy(tz=TZ, quiet=QUIET)
COORD = 900
OTHER_COORD = 901
SPECIALIST = 902


def _noon(clock: FakeClock) -> datetime:
    """Move the clock to 12:00 Warsaw tomorrow (out of quiet hours) and return it."""
    day = datetime.now(TZ).date() + timedelta(days=1)
    clock.now = datetime(day.year, day.month, day.day, 12, 0, tzinfo=TZ).astimezone(UTC)
    return clock.now


async def _staff(sm: Sessionmaker, now: datetime) -> None:
    async with sm.begin() as s:
        await people.add_staff(s, COORD, "coordinator", "Ewa Kowalska", "pl", now)
        await people.add_staff(s, OTHER_COORD, "admin", "Adam Admin", "pl", now)
        await people.add_staff(s, SPECIALIST, "specialist", "Marta W", "pl", now)


async def _draft(
    sm: Sessionmaker, now: datetime, audience: Audience, text: str = "Zebranie w piątek"
) -> int:
    async with sm.begin() as s:
        bc = await broadcasts.create_draft(s, COORD)
        await broadcasts.set_text(s, COORD, bc.id, "pl", text)
        await broadcasts.set_audience(s, COORD, bc.id, audience, now)
        return bc.id


async def _chats(sm: Sessionmaker, broadcast_id: int) -> set[int]:
    async with sm() as s:
        rows = await s.scalars(
            select(OutboxMessage.chat_id).where(
                OutboxMessage.kind == "broadcast", OutboxMessage.ref_id == broadcast_id
            )
        )
        return set(rows)


@pytest.fixture
async def world(sessionmaker: Sessionmaker, clock: FakeClock) -> AudienceWorld:
    now = _noon(clock)
    await _staff(sessionmaker, now)
    return await make_audience_world(sessionmaker, now)


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        (Audience("all"), {"anna", "olena", "john", "piotr", "ewa"}),
        (Audience("language", language="uk"), {"olena"}),
        (Audience("workshop", ref=-1), {"anna"}),  # ref filled in from the world
        (Audience("session", ref=-1), {"anna"}),
        (Audience("waitlist", ref=-1), {"olena"}),
        (Audience("dates"), {"anna", "piotr"}),  # tomorrow .. in 3 days
    ],
    ids=["all", "language", "workshop", "session", "waitlist", "dates"],
)
async def test_each_audience_reaches_exactly_its_people(
    sessionmaker: Sessionmaker,
    clock: FakeClock,
    world: AudienceWorld,
    audience: Audience,
    expected: set[str],
) -> None:
    now = clock()
    today = now.astimezone(TZ).date()
    if audience.kind == "workshop":
        audience = Audience("workshop", ref=world.workshop_a)
    elif audience.kind in ("session", "waitlist"):
        audience = Audience(audience.kind, ref=world.soon)
    elif audience.kind == "dates":
        audience = Audience(
            "dates", date_from=today + timedelta(days=1), date_to=today + timedelta(days=3)
        )
    bc_id = await _draft(sessionmaker, now, audience)
    async with sessionmaker() as s:
        count = await broadcasts.count_audience(s, COORD, audience, now, TZ)
    assert count.recipients == len(expected)
    # ira (uk, unreachable) is left out of everyone and counted as such where she belongs.
    assert count.unreachable == (1 if audience.kind in ("all", "language") else 0)
    async with sessionmaker.begin() as s:
        bc = await broadcasts.confirm(s, COORD, bc_id, now, POLICY)
    assert bc.status == "sending" and bc.recipients == len(expected)
    assert await _chats(sessionmaker, bc_id) == {world.ids[name] for name in expected}


async def test_only_coordinators_and_admins_broadcast_and_drafts_are_their_authors(
    sessionmaker: Sessionmaker, clock: FakeClock, world: AudienceWorld
) -> None:
    now = clock()
    async with sessionmaker.begin() as s:
        with pytest.raises(NotAllowed):
            await broadcasts.create_draft(s, SPECIALIST)
        with pytest.raises(NotAllowed):
            await broadcasts.create_draft(s, world.ids["anna"])
    bc_id = await _draft(sessionmaker, now, Audience("all"))
    async with sessionmaker.begin() as s:
        with pytest.raises(NotFound):  # another coordinator's draft is not theirs to change
            await broadcasts.set_text(s, OTHER_COORD, bc_id, "pl", "Hacked")
        with pytest.raises(NotFound):
            await broadcasts.confirm(s, OTHER_COORD, bc_id, now, POLICY)
        with pytest.raises(NotAllowed):
            await broadcasts.report_for(s, SPECIALIST, bc_id)
    async with sessionmaker.begin() as s:
        await broadcasts.confirm(s, COORD, bc_id, now, POLICY)
    async with sessionmaker.begin() as s:
        summary = await broadcasts.report_for(s, OTHER_COORD, bc_id)  # reports: any manager
        assert summary.report.total == 5 and summary.report.waiting == 5


async def test_texts_media_and_limits(
    sessionmaker: Sessionmaker, clock: FakeClock, world: AudienceWorld
) -> None:
    now = clock()
    bc_id = await _draft(sessionmaker, now, Audience("all"))
    async with sessionmaker.begin() as s:
        with pytest.raises(InvalidInput, match="bc-text-empty"):
            await broadcasts.set_text(s, COORD, bc_id, "pl", "   ")
        with pytest.raises(InvalidInput, match="bc-text-too-long"):
            await broadcasts.set_text(s, COORD, bc_id, "pl", "x" * 4097)
        # HTML tags and entities do not count: 4096 visible characters are fine.
        await broadcasts.set_text(s, COORD, bc_id, "uk", "<b>" + "&amp;" * 4096 + "</b>")
        with pytest.raises(InvalidInput, match="bc-caption-too-long"):  # uk text > 1024
            await broadcasts.set_media(s, COORD, bc_id, "photo", "file-1")
        await broadcasts.remove_version(s, COORD, bc_id, "uk")
        bc = await broadcasts.set_media(s, COORD, bc_id, "photo", "file-1", "Nowy <b>podpis</b>")
        assert bc.text_pl == "Nowy <b>podpis</b>" and bc.text_uk is None
        with pytest.raises(InvalidInput, match="bc-caption-too-long"):
            await broadcasts.set_text(s, COORD, bc_id, "en", "y" * 1025)
        assert bc.text_for("en") == bc.text_pl  # no English version: the Polish text
        await broadcasts.set_text(s, COORD, bc_id, "en", "Meeting")
        assert bc.text_for("en") == "Meeting" and bc.text_for("uk") == bc.text_pl


async def test_confirm_twice_at_once_queues_one_set(
    database_url: str, engine: AsyncEngine, clock: FakeClock, world: AudienceWorld
) -> None:
    sm = create_sessionmaker(engine)
    now = clock()
    bc_id = await _draft(sm, now, Audience("all"))
    engines = [create_engine(database_url) for _ in range(2)]
    try:

        async def confirm(eng: AsyncEngine) -> str:
            try:
                async with create_sessionmaker(eng).begin() as s:
                    await broadcasts.confirm(s, COORD, bc_id, now, POLICY)
            except AlreadyDecided:
                return "refused"
            return "queued"

        outcomes = await asyncio.gather(*(confirm(e) for e in engines))
    finally:
        for eng in engines:
            await eng.dispose()
    assert sorted(outcomes) == ["queued", "refused"]
    async with sm() as s:
        rows = await s.scalar(select(func.count()).select_from(OutboxMessage))
        confirms = await s.scalar(
            select(func.count()).where(AuditEvent.action == "broadcast.confirm")
        )
    assert rows == 5 and confirms == 1


async def test_one_row_per_chat_is_enforced_by_the_database(
    sessionmaker: Sessionmaker, clock: FakeClock, world: AudienceWorld
) -> None:
    now = clock()
    bc_id = await _draft(sessionmaker, now, Audience("language", language="en"))
    async with sessionmaker.begin() as s:
        await broadcasts.confirm(s, COORD, bc_id, now, POLICY)
    with pytest.raises(IntegrityError):
        async with sessionmaker.begin() as s:
            s.add(
                OutboxMessage(chat_id=world.ids["john"], kind="broadcast", ref_id=bc_id, due_at=now)
            )


async def test_schedule_quiet_hours_and_urgent(
    sessionmaker: Sessionmaker, clock: FakeClock, world: AudienceWorld
) -> None:
    now = clock()  # 12:00 local
    late = now + timedelta(hours=10, minutes=30)  # 22:30 local: quiet
    morning = (late + timedelta(hours=10)).astimezone(TZ).replace(hour=8, minute=0)
    first = await _draft(sessionmaker, now, Audience("all"))
    second = await _draft(sessionmaker, now, Audience("all"))
    async with sessionmaker.begin() as s:
        with pytest.raises(InvalidInput, match="bc-when-past"):
            await broadcasts.set_send_at(s, COORD, first, now - timedelta(minutes=1), now)
        with pytest.raises(InvalidInput, match="bc-when-too-far"):
            await broadcasts.set_send_at(s, COORD, first, now + timedelta(days=91), now)
        await broadcasts.set_send_at(s, COORD, first, late, now)
        await broadcasts.set_send_at(s, COORD, second, late, now)
        await broadcasts.toggle_urgent(s, COORD, second)
    async with sessionmaker.begin() as s:
        quiet = await broadcasts.confirm(s, COORD, first, now, POLICY)
        urgent = await broadcasts.confirm(s, COORD, second, now, POLICY)
    assert quiet.status == urgent.status == "scheduled"
    assert quiet.send_at == morning.astimezone(UTC)  # moved to the end of quiet hours
    assert urgent.send_at == late  # urgent: at night too
    async with sessionmaker() as s:
        due = dict(
            (
                await s.execute(
                    select(OutboxMessage.ref_id, func.min(OutboxMessage.due_at)).group_by(
                        OutboxMessage.ref_id
                    )
                )
            ).all()
        )
    assert due == {first: morning.astimezone(UTC), second: late}
    async with sessionmaker.begin() as s:
        assert await broadcasts.start_due(s, late) == [second]
    async with sessionmaker.begin() as s:
        assert await broadcasts.start_due(s, morning.astimezone(UTC)) == [first]


async def test_stop_cancels_what_was_not_sent_and_reports_finish_once(
    sessionmaker: Sessionmaker, clock: FakeClock, world: AudienceWorld
) -> None:
    now = clock()
    bc_id = await _draft(sessionmaker, now, Audience("all"))
    async with sessionmaker.begin() as s:
        await broadcasts.confirm(s, COORD, bc_id, now, POLICY)
    anna, olena = world.ids["anna"], world.ids["olena"]
    async with sessionmaker.begin() as s:  # two went out, one is being sent, one blocked
        await s.execute(
            update(OutboxMessage)
            .where(OutboxMessage.chat_id == anna)
            .values(status="sent", sent_at=now)
        )
        await s.execute(
            update(OutboxMessage).where(OutboxMessage.chat_id == olena).values(status="blocked")
        )
        await s.execute(
            update(OutboxMessage)
            .where(OutboxMessage.chat_id == world.ids["john"])
            .values(status="sending", claimed_by="w", claimed_at=now)
        )
    async with sessionmaker.begin() as s:
        assert await broadcasts.finish_if_done(s, bc_id, now) is None
        assert await broadcasts.stop(s, COORD, bc_id, now) == 2  # piotr and ewa
    async with sessionmaker.begin() as s:
        with pytest.raises(AlreadyDecided):
            await broadcasts.stop(s, OTHER_COORD, bc_id, now)
        r = await broadcasts.report(s, bc_id)
        assert (r.delivered, r.unreachable, r.cancelled, r.waiting) == (1, 1, 2, 1)
        assert await broadcasts.finish_if_done(s, bc_id, now) is None  # john still sending
        await s.execute(
            update(OutboxMessage).where(OutboxMessage.status == "sending").values(status="sent")
        )
    async with sessionmaker.begin() as s:
        done = await broadcasts.finish_if_done(s, bc_id, now)
        assert done is not None and done.delivered == 2 and done.finished
        assert await broadcasts.finish_if_done(s, bc_id, now) is None  # only once
        failures = await broadcasts.failures(s, COORD, bc_id)
        assert [(f.name, f.status) for f in failures] == [("Olena", "blocked")]
        summaries = await broadcasts.recent(s, OTHER_COORD)
        assert [x.broadcast.id for x in summaries] == [bc_id]
        assert summaries[0].broadcast.status == "stopped"


async def test_unreachable_until_they_write_again(
    sessionmaker: Sessionmaker, clock: FakeClock, world: AudienceWorld
) -> None:
    now = clock()
    async with sessionmaker.begin() as s:
        await people.mark_unreachable(s, now, person_id=world.person_ids["ewa"])
        count = await broadcasts.count_audience(s, COORD, Audience("all"), now, TZ)
        assert (count.recipients, count.unreachable) == (4, 2)
        assert await people.mark_reachable(s, world.ids["ira"])
        assert not await people.mark_reachable(s, world.ids["ira"])  # already reachable
        count = await broadcasts.count_audience(s, COORD, Audience("all"), now, TZ)
        assert (count.recipients, count.unreachable) == (5, 1)
        ira = await s.get(Person, world.person_ids["ira"])
        assert ira is not None and ira.unreachable_at is None


async def test_no_recipients_and_no_audience_are_refused(
    sessionmaker: Sessionmaker, clock: FakeClock, world: AudienceWorld
) -> None:
    now = clock()
    async with sessionmaker.begin() as s:
        bc = await broadcasts.create_draft(s, COORD)
        with pytest.raises(InvalidInput, match="bc-text-empty"):
            await broadcasts.confirm(s, COORD, bc.id, now, POLICY)
        await broadcasts.set_text(s, COORD, bc.id, "pl", "Tekst")
        with pytest.raises(InvalidInput, match="bc-no-audience"):
            await broadcasts.confirm(s, COORD, bc.id, now, POLICY)
        await broadcasts.set_audience(s, COORD, bc.id, Audience("waitlist", ref=world.later), now)
        with pytest.raises(InvalidInput, match="bc-no-recipients"):
            await broadcasts.confirm(s, COORD, bc.id, now, POLICY)
        with pytest.raises(NotFound):
            await broadcasts.set_audience(s, COORD, bc.id, Audience("session", ref=999), now)
        await broadcasts.discard(s, COORD, bc.id)
    async with sessionmaker() as s:
        stored = await s.get(Broadcast, bc.id)
        assert stored is not None and stored.status == "discarded" and stored.text_pl == ""


def test_parse_date_range_and_when() -> None:
    today = date(2026, 12, 1)
    assert broadcasts.parse_date_range("3.12-10.12", today) == (
        date(2026, 12, 3),
        date(2026, 12, 10),
    )
    assert broadcasts.parse_date_range("28.12 – 5.01", today) == (
        date(2026, 12, 28),
        date(2027, 1, 5),
    )
    assert broadcasts.parse_date_range("3.12", today) == (date(2026, 12, 3), date(2026, 12, 3))
    assert broadcasts.parse_date_range("15.01.2027-16.01.2027", today)[0] == date(2027, 1, 15)
    for bad in ("jutro", "32.12-1.01", "10.12-3.12", "1.12-1.06"):
        with pytest.raises(InvalidInput):
            broadcasts.parse_date_range(bad, today)
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert broadcasts.parse_when("5.12 10:00", TZ, now) == datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    assert broadcasts.parse_when("2027-07-01 10.30", TZ, now) == datetime(
        2027, 7, 1, 8, 30, tzinfo=UTC
    )
    for bad in ("5.12", "jutro 10:00", "31.02 10:00", "5.12 25:00"):
        with pytest.raises(InvalidInput):
            broadcasts.parse_when(bad, TZ, now)


async def test_announcement_rows_expire_their_max_age_after_the_send_time(
    sessionmaker: Sessionmaker, clock: FakeClock, world: AudienceWorld
) -> None:
    """While Telegram fails, an announcement is retried until `expires_at`: its planned send
    time + KISBOT_BROADCAST_MAX_AGE_HOURS (24 h unless set)."""
    now = clock()  # 12:00 local
    later = now + timedelta(hours=3)
    default = await _draft(sessionmaker, now, Audience("all"))
    short = await _draft(sessionmaker, now, Audience("all"))
    async with sessionmaker.begin() as s:
        await broadcasts.set_send_at(s, COORD, short, later, now)
        await broadcasts.confirm(s, COORD, default, now, POLICY)
        await broadcasts.confirm(
            s,
            COORD,
            short,
            now,
            replace(POLICY, broadcast_max_age=timedelta(hours=2)),
        )
    async with sessionmaker() as s:
        rows = list(await s.scalars(select(OutboxMessage)))
    assert {r.ref_id: r.expires_at for r in rows} == {
        default: now + timedelta(hours=24),
        short: later + timedelta(hours=2),
    }


async def test_the_confirmation_question_makes_the_same_checks_as_confirming(
    sessionmaker: Sessionmaker, clock: FakeClock, world: AudienceWorld
) -> None:
    """One home for the checks: the question the coordinator sees before "Send" refuses what
    confirming would refuse (the handler checked less: a scheduled time that has passed
    meanwhile got "confirm?" and then a refusal) and shows the start confirming will use."""
    now = clock()  # 12:00 local
    timed = await _draft(sessionmaker, now, Audience("all"))
    async with sessionmaker.begin() as s:
        await broadcasts.set_send_at(s, COORD, timed, now + timedelta(hours=10, minutes=30), now)
    later = now + timedelta(hours=11)  # the scheduled 22:30 has passed by the time they press
    async with sessionmaker.begin() as s:
        with pytest.raises(InvalidInput, match="bc-when-past"):
            await broadcasts.plan_confirmation(s, COORD, timed, later, POLICY)
    async with sessionmaker.begin() as s:
        with pytest.raises(InvalidInput, match="bc-when-past"):
            await broadcasts.confirm(s, COORD, timed, later, POLICY)
    async with sessionmaker.begin() as s:
        plan = await broadcasts.plan_confirmation(s, COORD, timed, now, POLICY)
        assert not plan.immediate and plan.moved_by_quiet_hours
        assert plan.due.astimezone(TZ).hour == 8 and plan.count == 5
        queued = await broadcasts.confirm(s, COORD, timed, now, POLICY)
        assert (queued.send_at, queued.recipients) == (plan.due, plan.count)
