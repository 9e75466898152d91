"""Small factories for tests: people and workshop sessions straight in the database."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from models import (
    ConsultationBooking,
    Enrollment,
    Person,
    ServiceType,
    Slot,
    Workshop,
    WorkshopSeries,
    WorkshopSession,
)
from models.db import Sessionmaker
from services.policy import Policy

# The settings' defaults (bot.settings.Settings), spelled out once for tests.
_POLICY = Policy(
    tz=ZoneInfo("Europe/Warsaw"),
    quiet=(time(21, 0), time(8, 0)),
    offer_hours=12,
    offer_min_minutes=30,
    reminder_hours=(24,),
    consult_cutoff_hours=12,
    care_margin_minutes=15,
    care_capacity=8,
    broadcast_max_age=timedelta(hours=24),
)


def make_policy(**overrides: Any) -> Policy:
    """The policy the default settings give, with `overrides` (any `Policy` field)."""
    return replace(_POLICY, **overrides)


async def make_people(sm: Sessionmaker, count: int, first_id: int = 10_000) -> list[Person]:
    """`count` active participants with Telegram ids first_id, first_id + 1, ..."""
    async with sm.begin() as session:
        people = [
            Person(
                telegram_id=first_id + i,
                language="pl",
                status="active",
                display_name=f"Uczestnik {i}",
                source="invite",
            )
            for i in range(count)
        ]
        session.add_all(people)
    return people


async def make_workshop(
    sm: Sessionmaker, slug: str = "edukacja-finansowa", group: str = "social"
) -> Workshop:
    """A workshop with short texts in all languages."""
    async with sm.begin() as session:
        workshop = Workshop(
            slug=slug,
            group_key=group,
            title_pl="Edukacja finansowa",
            title_uk="Фінансова освіта",
            title_en="Financial education",
            description_pl="Jak planować domowy budżet.",
            description_uk="Як планувати домашній бюджет.",
            description_en="How to plan a household budget.",
            place="KIS Śródmieście, Wejherowo",
            default_capacity=10,
            cancel_cutoff_hours=24,
        )
        session.add(workshop)
    return workshop


async def make_session(
    sm: Sessionmaker,
    workshop: Workshop,
    starts_at: datetime,
    capacity: int = 10,
    series: WorkshopSeries | None = None,
    cutoff_hours: int = 24,
) -> WorkshopSession:
    """A scheduled two-hour session."""
    async with sm.begin() as session:
        ws = WorkshopSession(
            workshop_id=workshop.id,
            series_id=series.id if series else None,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            capacity=capacity,
            cancel_cutoff_hours=cutoff_hours,
        )
        session.add(ws)
    return ws


async def make_series(sm: Sessionmaker, workshop: Workshop, slug: str) -> WorkshopSeries:
    """A series (cycle) of a workshop."""
    async with sm.begin() as session:
        series = WorkshopSeries(
            workshop_id=workshop.id,
            slug=slug,
            title_pl="Cykl wiosenny",
            title_uk="Весняний цикл",
            title_en="Spring cycle",
        )
        session.add(series)
    return series


@dataclass
class AudienceWorld:
    """Participants placed so that every broadcast audience picks a different set.

    anna (pl): seat in `soon` (workshop A, tomorrow); olena (uk): waiting for `soon`;
    john (en): seat in `later` (workshop B, in 10 days); piotr (pl): a consultation in 3 days;
    ewa (pl): nothing booked; ira (uk): blocked the bot (unreachable); zofia (pl): deactivated.
    """

    ids: dict[str, int]  # name → telegram id
    person_ids: dict[str, int]
    workshop_a: int
    workshop_b: int
    soon: int
    later: int


WORLD_FIRST_ID = 50_000


async def make_audience_world(sm: Sessionmaker, now: datetime) -> AudienceWorld:
    """The participants, workshops and bookings of AudienceWorld, straight in the database."""
    names = {
        "anna": "pl",
        "olena": "uk",
        "john": "en",
        "piotr": "pl",
        "ewa": "pl",
        "ira": "uk",
        "zofia": "pl",
    }
    async with sm.begin() as session:
        people: dict[str, Person] = {}
        for i, (name, lang) in enumerate(names.items()):
            people[name] = Person(
                telegram_id=WORLD_FIRST_ID + i,
                language=lang,
                status="deactivated" if name == "zofia" else "active",
                display_name=name.capitalize(),
                source="invite",
                unreachable_at=now if name == "ira" else None,
            )
        session.add_all(people.values())
        a = Workshop(
            slug="warsztat-a", group_key="social", title_pl="Warsztat A", title_uk="Майстер A",
            title_en="Workshop A", place="KIS",
        )  # fmt: skip
        b = Workshop(
            slug="warsztat-b", group_key="social", title_pl="Warsztat B", title_uk="Майстер B",
            title_en="Workshop B", place="KIS",
        )  # fmt: skip
        session.add_all([a, b])
        await session.flush()
        start_soon = now + timedelta(days=1)
        start_later = now + timedelta(days=10)
        soon = WorkshopSession(
            workshop_id=a.id, starts_at=start_soon, ends_at=start_soon + timedelta(hours=2),
            capacity=1, seats_taken=1,
        )  # fmt: skip
        later = WorkshopSession(
            workshop_id=b.id, starts_at=start_later, ends_at=start_later + timedelta(hours=2),
            capacity=5, seats_taken=1,
        )  # fmt: skip
        session.add_all([soon, later])
        await session.flush()
        session.add_all(
            [
                Enrollment(session_id=soon.id, person_id=people["anna"].id, status="confirmed"),
                Enrollment(session_id=soon.id, person_id=people["olena"].id, status="waiting"),
                Enrollment(session_id=later.id, person_id=people["john"].id, status="confirmed"),
            ]
        )
        specialist = Person(
            telegram_id=WORLD_FIRST_ID + 99, language="pl", status="active", role="specialist",
            display_name="Psycholog", source="staff",
        )  # fmt: skip
        service = ServiceType(slug="world-psy", name_pl="Psycholog", name_uk="Психолог",
                              name_en="Psychologist")  # fmt: skip
        session.add_all([specialist, service])
        await session.flush()
        at = now + timedelta(days=3)
        slot = Slot(
            specialist_id=specialist.id, service_type_id=service.id, starts_at=at,
            ends_at=at + timedelta(minutes=45), status="booked",
        )  # fmt: skip
        session.add(slot)
        await session.flush()
        session.add(
            ConsultationBooking(
                slot_id=slot.id, person_id=people["piotr"].id, service_type_id=service.id
            )
        )
        await session.flush()
        return AudienceWorld(
            ids={name: p.telegram_id or 0 for name, p in people.items()},
            person_ids={name: p.id for name, p in people.items()},
            workshop_a=a.id,
            workshop_b=b.id,
            soon=soon.id,
            later=later.id,
        )
