"""Small factories for tests: people and workshop sessions straight in the database."""

from __future__ import annotations

from datetime import datetime, timedelta

from models import Person, Workshop, WorkshopSeries, WorkshopSession
from models.db import Sessionmaker


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
