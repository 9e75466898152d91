"""Housekeeping removes abandoned sign-ups and long-expired invites, nothing else."""

from __future__ import annotations

from sqlalchemy import select

from models import Broadcast, Invite, Person
from models.db import Sessionmaker
from scheduler.housekeeping import Purged, purge_stale_data
from services import invites, people
from tests.conftest import FakeClock


async def test_purge_stale_data(sessionmaker: Sessionmaker, clock: FakeClock) -> None:
    async with sessionmaker.begin() as s:
        await people.give_consent(s, 1, "pl", None, clock())  # will be abandoned
        done = await people.give_consent(s, 2, "pl", None, clock())
        await people.set_name(s, done.person.id, "Jan Kowalski")
        await people.finish_onboarding(s, done.person.id, None, clock())  # pending: kept
        await invites.create_invite(s, "Stare Zaproszenie", clock(), 1)  # will expire
        used = await invites.create_invite(s, "Użyte Zaproszenie", clock(), 1)
        await people.give_consent(s, 3, "pl", used.code, clock())
        staff = await people.add_staff(s, 9, "coordinator", "Ewa K", "pl", clock())
        for status in ("draft", "discarded", "sending"):  # the sent one is the delivery log
            s.add(Broadcast(author_id=staff.id, status=status, created_at=clock()))
    clock.advance(days=29)
    async with sessionmaker.begin() as s:
        assert await purge_stale_data(s, clock()) == Purged(0, 0)
        await people.give_consent(s, 4, "pl", None, clock())  # recent: kept
    clock.advance(days=3)
    async with sessionmaker.begin() as s:
        purged = await purge_stale_data(s, clock())
    assert (purged.abandoned_signups, purged.expired_invites) == (2, 1)  # ids 1 and 3
    assert purged.abandoned_drafts == 2
    async with sessionmaker() as s:
        remaining = sorted(await s.scalars(select(Person.telegram_id)))
        names = list(await s.scalars(select(Invite.display_name)))
        kept = list(await s.scalars(select(Broadcast.status)))
    assert kept == ["sending"]
    assert remaining == [2, 4, 9]
    assert names == ["Użyte Zaproszenie"]
