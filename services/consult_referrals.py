"""Referrals: a social worker's permission for a participant to book a service, with a quota.

A referral is valid on a local day when it is not revoked, `expires_on` is that day or later,
and it has sessions left. A booking takes one session with a conditional UPDATE
(`sessions_used = sessions_used + 1 WHERE sessions_used < sessions_total AND ...`), a
cancellation in time gives it back (`- 1 WHERE sessions_used > 0`); so the quota holds with
any number of concurrent bookings. Bookings already made stay valid when a referral is
revoked or expires.

A referral can also be handed out as a deep link: `issue_referral_code` makes one without a
holder and with a single-use code (`rf-` + 20 URL-safe characters, 23 in all, so it can never
be mistaken for a 16-character invite code); `claim_referral_code` gives it to the first
person who opens the link (a conditional UPDATE on `person_id IS NULL`).
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import Person, PersonStatus, Referral, ServiceType
from models.db import rowcount
from services import audit, people
from services.consult_schedule import CONSULT_MANAGERS, get_service_type
from services.errors import AlreadyDecided, DomainError, InvalidInput, NotFound

REFERRAL_CODE_PREFIX = "rf-"
CODE_BYTES = 15  # token_urlsafe(15): 20 characters of A-Z a-z 0-9 _ -
REFERRAL_CODE_LENGTH = len(REFERRAL_CODE_PREFIX) + 20
MAX_SESSIONS = 100

ReferralState = Literal["not_needed", "active", "used_up", "none"]


class ReferralCodeInvalid(DomainError):
    """The referral link is unknown, already used by someone else, expired or revoked."""


def _valid_on(today: date) -> tuple[ColumnElement[bool], ...]:
    return (Referral.revoked_at.is_(None), Referral.expires_on >= today)


def _check_terms(service: ServiceType, sessions: int, expires_on: date, today: date) -> None:
    if not service.requires_referral or not service.active:
        raise InvalidInput("consult-referral-not-needed")
    if not 1 <= sessions <= MAX_SESSIONS:
        raise InvalidInput("consult-referral-sessions")
    if expires_on < today:
        raise InvalidInput("consult-referral-expiry")


async def issue_referral(
    session: AsyncSession,
    *,
    actor_tid: int,
    person_id: int,
    service_type_id: int,
    sessions: int,
    expires_on: date,
    now: datetime,
    tz: ZoneInfo,
) -> Referral:
    """A coordinator (or admin) refers an active participant to a service."""
    return await _issue(
        session, actor_tid, service_type_id, sessions, expires_on, now, tz, person_id=person_id
    )


async def issue_referral_code(
    session: AsyncSession,
    *,
    actor_tid: int,
    service_type_id: int,
    sessions: int,
    expires_on: date,
    now: datetime,
    tz: ZoneInfo,
) -> Referral:
    """A referral to hand out as a deep link (`referral_link`); nobody holds it yet.

    The link works until the referral's `expires_on` (or until revoked), for one person.
    """
    code = REFERRAL_CODE_PREFIX + secrets.token_urlsafe(CODE_BYTES)
    return await _issue(
        session, actor_tid, service_type_id, sessions, expires_on, now, tz, code=code
    )


async def _issue(
    session: AsyncSession,
    actor_tid: int,
    service_type_id: int,
    sessions: int,
    expires_on: date,
    now: datetime,
    tz: ZoneInfo,
    *,
    person_id: int | None = None,
    code: str | None = None,
) -> Referral:
    """A new referral held by the active participant `person_id`, or by nobody yet (a link
    with `code`); the actor must manage consultations and the terms must suit the service."""
    actor = await people.require_role(session, actor_tid, CONSULT_MANAGERS)
    service = await get_service_type(session, service_type_id)
    _check_terms(service, sessions, expires_on, now.astimezone(tz).date())
    if person_id is not None:
        person = await session.get(Person, person_id)
        if person is None or person.status != PersonStatus.ACTIVE:
            raise InvalidInput("consult-referral-person")
    referral = Referral(
        person_id=person_id,
        service_type_id=service_type_id,
        sessions_total=sessions,
        sessions_used=0,
        expires_on=expires_on,
        issued_by_id=actor.id,
        code=code,
        created_at=now,
    )
    session.add(referral)
    await session.flush()
    action = "referral.issue" if code is None else "referral.issue_link"
    await audit.record_action(session, actor.id, action, "referral", referral.id)
    return referral


def is_referral_code(payload: str) -> bool:
    """Whether a /start payload is a referral code (rather than an invite code)."""
    return payload.startswith(REFERRAL_CODE_PREFIX) and len(payload) == REFERRAL_CODE_LENGTH


def referral_link(bot_username: str, code: str) -> str:
    """The t.me deep link that opens the bot with the referral code."""
    return f"https://t.me/{bot_username}?start={code}"


async def claim_referral_code(
    session: AsyncSession, *, code: str, person_id: int, now: datetime, tz: ZoneInfo
) -> Referral:
    """Give the referral behind `code` to `person_id`; the first person wins, and a second
    tap of the same person returns their referral. ReferralCodeInvalid otherwise."""
    today = now.astimezone(tz).date()
    claimed = await session.execute(
        update(Referral)
        .where(Referral.code == code, Referral.person_id.is_(None), *_valid_on(today))
        .values(person_id=person_id, claimed_at=now)
        .returning(Referral.id)
        .execution_options(synchronize_session=False)
    )
    row = claimed.first()
    if row is None:
        mine = await session.scalar(
            select(Referral).where(Referral.code == code, Referral.person_id == person_id)
        )
        if mine is None:
            raise ReferralCodeInvalid()
        return mine
    referral = await session.get(Referral, row.id, populate_existing=True)
    assert referral is not None
    await audit.record_action(session, person_id, "referral.claim", "referral", referral.id)
    return referral


async def revoke_referral(
    session: AsyncSession, *, actor_tid: int, referral_id: int, now: datetime
) -> Referral:
    """Withdraw a referral (bookings already made with it stay valid); AlreadyDecided when
    it was revoked before."""
    actor = await people.require_role(session, actor_tid, CONSULT_MANAGERS)
    if await session.get(Referral, referral_id) is None:
        raise NotFound()
    result = await session.execute(
        update(Referral)
        .where(Referral.id == referral_id, Referral.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    if not rowcount(result):
        raise AlreadyDecided()
    referral = await session.get(Referral, referral_id, populate_existing=True)
    assert referral is not None
    await audit.record_action(session, actor.id, "referral.revoke", "referral", referral_id)
    return referral


async def active_referral(
    session: AsyncSession, person_id: int, service_type_id: int, today: date
) -> Referral | None:
    """The referral a booking would use: valid today with sessions left, the one expiring
    first (then the oldest)."""
    return await session.scalar(
        select(Referral)
        .where(
            Referral.person_id == person_id,
            Referral.service_type_id == service_type_id,
            Referral.sessions_used < Referral.sessions_total,
            *_valid_on(today),
        )
        .order_by(Referral.expires_on, Referral.id)
        .limit(1)
        .execution_options(populate_existing=True)
    )


async def referral_state(
    session: AsyncSession, person_id: int, service_type_id: int, today: date
) -> ReferralState:
    """What the participant sees before the slots: "not_needed" (service without referrals),
    "active" (can book), "used_up" (a valid referral, every session used) or "none" (no valid
    referral: tell them how to get one)."""
    service = await get_service_type(session, service_type_id)
    if not service.requires_referral:
        return "not_needed"
    if await active_referral(session, person_id, service_type_id, today) is not None:
        return "active"
    valid = await session.scalar(
        select(Referral.id)
        .where(
            Referral.person_id == person_id,
            Referral.service_type_id == service_type_id,
            *_valid_on(today),
        )
        .limit(1)
    )
    return "used_up" if valid is not None else "none"


async def sessions_left(
    session: AsyncSession, person_id: int, service_type_id: int, today: date
) -> int:
    """Sessions left on all of a person's valid referrals for a service."""
    rows = await session.scalars(
        select(Referral).where(
            Referral.person_id == person_id,
            Referral.service_type_id == service_type_id,
            *_valid_on(today),
        )
    )
    return sum(r.sessions_left for r in rows)


async def referrals_of(session: AsyncSession, person_id: int) -> list[Referral]:
    """A person's own referrals, newest first (for "My data" and the participant's view)."""
    rows = await session.scalars(
        select(Referral)
        .where(Referral.person_id == person_id)
        .order_by(Referral.created_at.desc(), Referral.id.desc())
    )
    return list(rows)


async def own_referral(session: AsyncSession, person_id: int, referral_id: int) -> Referral:
    """One of the person's own referrals; NotFound for a missing one and for anybody else's
    (a forged button reveals nothing)."""
    referral = await session.get(Referral, referral_id)
    if referral is None or referral.person_id != person_id:
        raise NotFound()
    return referral


async def referral_for_staff(
    session: AsyncSession, *, actor_tid: int, referral_id: int
) -> Referral:
    """A participant's referral for staff who manage them (coordinators, admins); NotFound
    for a missing one and for a referral link nobody has claimed yet."""
    await people.require_role(session, actor_tid, CONSULT_MANAGERS)
    referral = await session.get(Referral, referral_id)
    if referral is None or referral.person_id is None:
        raise NotFound()
    return referral


async def list_referrals(
    session: AsyncSession, *, actor_tid: int, person_id: int | None = None, limit: int = 50
) -> list[Referral]:
    """Referrals for staff (coordinators and admins), newest first."""
    await people.require_role(session, actor_tid, CONSULT_MANAGERS)
    query = select(Referral).order_by(Referral.id.desc()).limit(limit)
    if person_id is not None:
        query = query.where(Referral.person_id == person_id)
    return list(await session.scalars(query))


async def take_session(
    session: AsyncSession, person_id: int, service_type_id: int, today: date
) -> int | None:
    """Use one session of the person's valid referrals (the one expiring first); its id, or
    None when no referral has a session left. A conditional UPDATE per candidate, so two
    concurrent bookings can never use the same last session."""
    candidates = list(
        await session.scalars(
            select(Referral.id)
            .where(
                Referral.person_id == person_id,
                Referral.service_type_id == service_type_id,
                Referral.sessions_used < Referral.sessions_total,
                *_valid_on(today),
            )
            .order_by(Referral.expires_on, Referral.id)
        )
    )
    for referral_id in candidates:
        result = await session.execute(
            update(Referral)
            .where(
                Referral.id == referral_id,
                Referral.sessions_used < Referral.sessions_total,
                *_valid_on(today),
            )
            .values(sessions_used=Referral.sessions_used + 1)
            .execution_options(synchronize_session=False)
        )
        if rowcount(result):
            return referral_id
    return None


async def give_back_session(session: AsyncSession, referral_id: int) -> bool:
    """Return one session to a referral (a cancellation in time)."""
    result = await session.execute(
        update(Referral)
        .where(Referral.id == referral_id, Referral.sessions_used > 0)
        .values(sessions_used=Referral.sessions_used - 1)
        .execution_options(synchronize_session=False)
    )
    return bool(rowcount(result))
