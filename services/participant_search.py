"""Staff look-ups for the consultation screens: find an active participant by part of the name
or phone, load one for a referral, list the active specialists, find a referral just issued.

Only coordinators and admins may search (`CONSULT_MANAGERS`), checked on every call.

Matching is done in Python over the active participants' names and phones (a club has a few
hundred), because SQLite's `lower()`/`LIKE` only fold ASCII: "żaneta" must find "Żaneta".
Names are compared without case and without Polish diacritics ("zaneta", "lukasz" work too);
every typed word must occur in the name, in any order. Three or more digits also match the
phone number.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Person, PersonStatus, Referral, Role
from services import people
from services.consult_schedule import CONSULT_MANAGERS
from services.errors import InvalidInput, NotFound

SEARCH_LIMIT = 8
QUERY_MIN = 2
QUERY_MAX = 100


@dataclass(frozen=True)
class SearchResult:
    """Up to `limit` participants, by name; `more` when others matched too."""

    people: list[Person]
    more: bool


def fold(text: str) -> str:
    """Lower case without diacritics: "Łukasz Żak" → "lukasz zak"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ł", "l"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def matches(query: str, name: str | None, phone: str | None) -> bool:
    """Whether a typed query finds a person with this name and phone."""
    digits = _digits(query)
    if len(digits) >= 3 and digits in _digits(phone or ""):
        return True
    words = fold(query).split()
    folded = fold(name or "")
    return bool(words) and all(word in folded for word in words)


async def search_participants(
    session: AsyncSession, *, actor_tid: int, query: str, limit: int = SEARCH_LIMIT
) -> SearchResult:
    """Active participants whose name (or phone) matches `query`; InvalidInput
    ("cx-search-short") when the query is too short to mean anything."""
    await people.require_role(session, actor_tid, CONSULT_MANAGERS)
    query = " ".join(query.split())[:QUERY_MAX]
    if len(query) < QUERY_MIN:
        raise InvalidInput("cx-search-short")
    rows = await session.scalars(
        select(Person)
        .where(
            Person.role == Role.PARTICIPANT.value,
            Person.status == PersonStatus.ACTIVE.value,
            Person.telegram_id.is_not(None),
        )
        .order_by(Person.display_name, Person.id)
    )
    found = [p for p in rows if matches(query, p.display_name, p.phone)]
    return SearchResult(found[:limit], len(found) > limit)


async def participant(session: AsyncSession, *, actor_tid: int, person_id: int) -> Person:
    """An active participant by id, for a coordinator or admin; NotFound otherwise."""
    await people.require_role(session, actor_tid, CONSULT_MANAGERS)
    person = await session.get(Person, person_id, populate_existing=True)
    if person is None or person.role != Role.PARTICIPANT or person.status != PersonStatus.ACTIVE:
        raise NotFound()
    return person


async def specialists(session: AsyncSession, *, actor_tid: int) -> list[Person]:
    """Active specialists by name, for a coordinator or admin choosing whose agenda to see."""
    await people.require_role(session, actor_tid, CONSULT_MANAGERS)
    rows = await session.scalars(
        select(Person)
        .where(
            Person.role == Role.SPECIALIST.value,
            Person.status == PersonStatus.ACTIVE.value,
        )
        .order_by(Person.display_name, Person.id)
    )
    return list(rows)


async def recent_referral(
    session: AsyncSession,
    *,
    actor_tid: int,
    person_id: int,
    service_type_id: int,
    since: datetime,
) -> Referral | None:
    """A referral of this person and service that the same staff member issued since `since`
    and did not revoke: a second tap on "Issue" finds it instead of issuing another."""
    actor = await people.require_role(session, actor_tid, CONSULT_MANAGERS)
    return await session.scalar(
        select(Referral)
        .where(
            Referral.person_id == person_id,
            Referral.service_type_id == service_type_id,
            Referral.issued_by_id == actor.id,
            Referral.created_at >= since,
            Referral.revoked_at.is_(None),
        )
        .order_by(Referral.id.desc())
        .limit(1)
    )
