"""Onboarding, invites, approval, anonymisation and roles against a real database."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from models import AuditEvent, Invite, Person
from models.db import Sessionmaker, create_sessionmaker
from services import invites, people
from services.errors import AlreadyDecided, InvalidInput, NotAllowed
from tests.conftest import FakeClock
from tests.factories import make_policy


async def _coordinator(sm: Sessionmaker, clock: FakeClock, telegram_id: int = 900) -> Person:
    async with sm.begin() as s:
        return await people.add_staff(s, telegram_id, "coordinator", "Koordynatorka", "pl", clock())


async def _self_registered(sm: Sessionmaker, clock: FakeClock, telegram_id: int) -> Person:
    async with sm.begin() as s:
        result = await people.give_consent(s, telegram_id, "pl", None, clock())
        await people.set_name(s, result.person.id, "Jan Kowalski")
        return await people.finish_onboarding(s, result.person.id, "+48 500-100-200", clock())


async def test_self_registration_waits_for_approval(
    sessionmaker: Sessionmaker, clock: FakeClock
) -> None:
    person = await _self_registered(sessionmaker, clock, 1)
    assert person.status == "pending"
    assert person.phone == "+48500100200"
    assert person.awaiting is None


async def test_invite_activates_at_once_and_only_once(
    sessionmaker: Sessionmaker, clock: FakeClock
) -> None:
    async with sessionmaker.begin() as s:
        invite = await invites.create_invite(s, "Anna Nowak", clock(), 30)
    async with sessionmaker.begin() as s:
        first = await people.give_consent(s, 1, "uk", invite.code, clock())
    assert first.invite == "accepted"
    assert first.person.display_name == "Anna Nowak"
    assert first.person.awaiting == "phone"
    async with sessionmaker.begin() as s:
        done = await people.finish_onboarding(s, first.person.id, None, clock())
    assert done.status == "active"
    async with sessionmaker.begin() as s:
        second = await people.give_consent(s, 2, "pl", invite.code, clock())
    assert second.invite == "invalid"
    assert second.person.source == "self"


async def test_expired_invite_is_refused(sessionmaker: Sessionmaker, clock: FakeClock) -> None:
    async with sessionmaker.begin() as s:
        invite = await invites.create_invite(s, "Anna Nowak", clock(), 1)
    clock.advance(days=2)
    async with sessionmaker.begin() as s:
        result = await people.give_consent(s, 1, "pl", invite.code, clock())
    assert result.invite == "invalid"


async def test_double_consent_creates_one_person(
    sessionmaker: Sessionmaker, clock: FakeClock
) -> None:
    for _ in range(2):
        async with sessionmaker.begin() as s:
            await people.give_consent(s, 5, "pl", None, clock())
    async with sessionmaker.begin() as s:
        assert await s.scalar(select(func.count()).select_from(Person)) == 1


async def test_concurrent_consent_creates_one_person(engine: AsyncEngine, clock: FakeClock) -> None:
    sm = create_sessionmaker(engine)

    async def agree() -> int:
        async with sm.begin() as s:
            return (await people.give_consent(s, 77, "pl", None, clock())).person.id

    ids = await asyncio.gather(*(agree() for _ in range(8)))
    assert len(set(ids)) == 1
    async with sm.begin() as s:
        assert await s.scalar(select(func.count()).select_from(Person)) == 1


async def test_one_invite_admits_one_of_many_concurrent_users(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    sm = create_sessionmaker(engine)
    async with sm.begin() as s:
        code = (await invites.create_invite(s, "Anna Nowak", clock(), 30)).code

    async def agree(telegram_id: int) -> str:
        async with sm.begin() as s:
            return (await people.give_consent(s, telegram_id, "pl", code, clock())).invite

    outcomes = await asyncio.gather(*(agree(100 + i) for i in range(10)))
    assert sorted(outcomes) == ["accepted"] + ["invalid"] * 9


async def test_approval_first_decision_wins(engine: AsyncEngine, clock: FakeClock) -> None:
    sm = create_sessionmaker(engine)
    await _coordinator(sm, clock, 900)
    await _coordinator(sm, clock, 901)
    person = await _self_registered(sm, clock, 1)

    async def decide(actor: int, approve: bool) -> str:
        try:
            async with sm.begin() as s:
                await people.decide_registration(s, actor, person.id, approve, clock())
            return "ok"
        except AlreadyDecided:
            return "late"

    results = await asyncio.gather(decide(900, True), decide(901, False))
    assert sorted(results) == ["late", "ok"]
    async with sm.begin() as s:
        assert (
            await s.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action.like("registration.%"))
            )
            == 1
        )


async def test_rejection_deletes_the_registration(
    sessionmaker: Sessionmaker, clock: FakeClock
) -> None:
    await _coordinator(sessionmaker, clock)
    person = await _self_registered(sessionmaker, clock, 1)
    async with sessionmaker.begin() as s:
        decision = await people.decide_registration(s, 900, person.id, False, clock())
    assert decision.telegram_id == 1 and not decision.approved
    async with sessionmaker.begin() as s:
        assert await people.get_by_telegram_id(s, 1) is None


@pytest.mark.parametrize("role", ["participant", "specialist", "childcare_partner"])
async def test_only_approvers_decide(
    sessionmaker: Sessionmaker, clock: FakeClock, role: str
) -> None:
    person = await _self_registered(sessionmaker, clock, 1)
    async with sessionmaker.begin() as s:
        if role == "participant":
            await _self_registered(sessionmaker, clock, 2)
        else:
            await people.add_staff(s, 2, role, "Ktoś", "pl", clock())
    with pytest.raises(NotAllowed):
        async with sessionmaker.begin() as s:
            await people.decide_registration(s, 2, person.id, True, clock())
    async with sessionmaker.begin() as s:
        assert (await people.load(s, person.id)).status == "pending"


async def test_anonymise_leaves_no_identity(sessionmaker: Sessionmaker, clock: FakeClock) -> None:
    async with sessionmaker.begin() as s:
        invite = await invites.create_invite(s, "Anna Nowak", clock(), 30)
        result = await people.give_consent(s, 1, "pl", invite.code, clock())
        await people.finish_onboarding(s, result.person.id, "+48500100200", clock())
    async with sessionmaker.begin() as s:
        await people.anonymise(s, result.person.id, clock())
    async with sessionmaker.begin() as s:
        person = await people.load(s, result.person.id)
        assert (person.telegram_id, person.display_name, person.phone) == (None, None, None)
        assert person.status == "anonymised"
        stored_invite = await s.scalar(select(Invite))
        assert stored_invite is not None and stored_invite.display_name is None
        assert await people.get_by_telegram_id(s, 1) is None


@pytest.mark.parametrize("name", ["", "   ", "/start", "12345", "x" * 101])
async def test_bad_names_are_refused(
    sessionmaker: Sessionmaker, clock: FakeClock, name: str
) -> None:
    async with sessionmaker.begin() as s:
        result = await people.give_consent(s, 1, "pl", None, clock())
    with pytest.raises(InvalidInput):
        async with sessionmaker.begin() as s:
            await people.set_name(s, result.person.id, name)


async def test_ensure_admins_is_idempotent(sessionmaker: Sessionmaker, clock: FakeClock) -> None:
    for _ in range(2):
        async with sessionmaker.begin() as s:
            await people.ensure_admins(s, [10, 11], "pl", clock())
    async with sessionmaker.begin() as s:
        staff = await people.list_staff(s)
    assert sorted((p.telegram_id, p.role) for p in staff) == [(10, "admin"), (11, "admin")]


async def test_invite_expiry_uses_valid_days(sessionmaker: Sessionmaker, clock: FakeClock) -> None:
    async with sessionmaker.begin() as s:
        invite = await invites.create_invite(s, "Anna Nowak", clock(), 14)
    assert invite.expires_at - invite.created_at == timedelta(days=14)
    assert len(invite.code) >= 16


async def test_staff_cannot_erase_themselves_through_delete_my_data(
    sessionmaker: Sessionmaker, clock: FakeClock
) -> None:
    from services import erasure

    async with sessionmaker.begin() as s:
        staff = await people.add_staff(s, 9, "coordinator", "Ewa K", "pl", clock())
    with pytest.raises(NotAllowed):
        async with sessionmaker.begin() as s:
            await erasure.erase_my_data(s, staff.id, clock(), make_policy())
    async with sessionmaker.begin() as s:
        assert (await people.load(s, staff.id)).display_name == "Ewa K"
