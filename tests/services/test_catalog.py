"""Loading catalogue files into SQLite and PostgreSQL: idempotent, in place, never deleting."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import Workshop, WorkshopSeries, WorkshopSession
from models.db import Sessionmaker
from services.catalog import (
    CatalogDocument,
    CatalogError,
    LoadReport,
    default_catalog_path,
    list_catalog,
    load_catalog,
    parse_catalog,
)

WARSAW = ZoneInfo("Europe/Warsaw")
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)  # before the example term (spring 2027)
TERM = (Path(__file__).resolve().parents[2] / "catalog" / "example-term.yaml").read_text("utf-8")
DEFAULT = default_catalog_path().read_text(encoding="utf-8")

SMALL = """\
workshops:
  - slug: edukacja-finansowa
    group: social
    title: {pl: Edukacja finansowa, uk: Фінансова грамотність, en: Managing money}
    description: {pl: Budżet domowy., uk: Домашній бюджет., en: Household budget.}
    capacity: 12
    series:
      - slug: ef-wiosna
        title: {pl: Wiosna, uk: Весна, en: Spring}
    sessions:
      - date: 2027-03-04
        start: "10:00"
        end: "12:00"
        series: ef-wiosna
      - date: 2027-03-11
        start: "10:00"
        end: "12:00"
        series: ef-wiosna
"""


def doc(text: str) -> CatalogDocument:
    return parse_catalog(text, WARSAW)


async def load(sm: Sessionmaker, text: str, now: datetime = NOW) -> LoadReport:
    async with sm.begin() as s:
        return await load_catalog(s, doc(text), now=now)


async def counts(s: AsyncSession) -> tuple[int, int, int]:
    return (
        await s.scalar(select(func.count()).select_from(Workshop)) or 0,
        await s.scalar(select(func.count()).select_from(WorkshopSeries)) or 0,
        await s.scalar(select(func.count()).select_from(WorkshopSession)) or 0,
    )


async def snapshot(sm: Sessionmaker) -> list[tuple[object, ...]]:
    """Every catalogue row's loaded columns, to compare before and after."""
    async with sm() as s:
        rows: list[tuple[object, ...]] = []
        for w in await s.scalars(select(Workshop).order_by(Workshop.id)):
            rows.append((w.id, w.slug, w.title_pl, w.title_uk, w.default_capacity, w.place))
        for r in await s.scalars(select(WorkshopSeries).order_by(WorkshopSeries.id)):
            rows.append((r.id, r.slug, r.workshop_id, r.title_en))
        for x in await s.scalars(select(WorkshopSession).order_by(WorkshopSession.id)):
            rows.append((x.id, x.workshop_id, x.series_id, x.starts_at, x.ends_at, x.capacity))
        return rows


async def test_loading_twice_changes_nothing_the_second_time(sessionmaker: Sessionmaker) -> None:
    first = await load(sessionmaker, DEFAULT)
    assert (first.workshops_created, first.series_created, first.sessions_created) == (13, 2, 0)
    term = await load(sessionmaker, TERM)
    assert term.workshops_created == term.workshops_updated == 0
    assert term.workshops_unchanged == 6 and term.series_unchanged == 2
    assert term.sessions_created == doc(TERM).session_count == 15
    async with sessionmaker() as s:
        before_counts = await counts(s)
    before = await snapshot(sessionmaker)

    again = await load(sessionmaker, TERM)
    assert again == LoadReport(workshops_unchanged=6, series_unchanged=2, sessions_unchanged=15), (
        again
    )
    assert not again.changed
    assert (await load(sessionmaker, DEFAULT)).changed is False
    async with sessionmaker() as s:
        assert await counts(s) == before_counts == (13, 2, 15)
    assert await snapshot(sessionmaker) == before


async def test_sessions_are_stored_in_utc_with_their_series(sessionmaker: Sessionmaker) -> None:
    await load(sessionmaker, TERM)
    async with sessionmaker() as s:
        school = await s.scalar(select(Workshop).where(Workshop.slug == "szkola-dla-rodzicow"))
        assert school is not None
        spring = await s.scalar(
            select(WorkshopSeries).where(WorkshopSeries.slug == "szkola-dla-rodzicow-wiosna")
        )
        assert spring is not None and spring.workshop_id == school.id
        sessions = list(
            await s.scalars(
                select(WorkshopSession)
                .where(WorkshopSession.workshop_id == school.id)
                .order_by(WorkshopSession.starts_at)
            )
        )
        assert len(sessions) == 6
        assert {x.series_id for x in sessions} == {spring.id}
        assert sessions[0].starts_at == datetime(2027, 3, 2, 16, 0, tzinfo=UTC)
        assert sessions[-1].starts_at == datetime(2027, 4, 6, 15, 0, tzinfo=UTC)  # summer time
        assert all(x.capacity == 12 and x.seats_taken == 0 for x in sessions)
        assert all(x.status == "scheduled" and x.place is None for x in sessions)
        trip = await s.scalar(
            select(WorkshopSession).join(Workshop).where(Workshop.slug == "wyjazd-studyjny")
        )
        assert trip is not None
        assert (trip.place, trip.cancel_cutoff_hours, trip.capacity) == (
            "Zbiórka przed MOPS Wejherowo",
            96,
            15,
        )


async def test_changing_a_title_and_a_capacity_updates_in_place(
    sessionmaker: Sessionmaker,
) -> None:
    await load(sessionmaker, SMALL)
    before = await snapshot(sessionmaker)
    changed = (
        SMALL.replace("en: Managing money", "en: Money matters")
        .replace("capacity: 12", "capacity: 14")
        .replace("en: Spring}", "en: Spring cycle}")
    )
    report = await load(sessionmaker, changed)
    assert report == LoadReport(workshops_updated=1, series_updated=1, sessions_updated=2)
    async with sessionmaker() as s:
        [workshop] = await s.scalars(select(Workshop))
        assert (workshop.title_en, workshop.title_pl, workshop.default_capacity) == (
            "Money matters",
            "Edukacja finansowa",
            14,
        )
        [series] = await s.scalars(select(WorkshopSeries))
        assert series.title_en == "Spring cycle"
        sessions = list(await s.scalars(select(WorkshopSession)))
        assert [x.capacity for x in sessions] == [14, 14]
    # Same rows (ids), updated in place.
    assert [row[0] for row in await snapshot(sessionmaker)] == [row[0] for row in before]


async def test_a_session_capacity_override_only_touches_that_session(
    sessionmaker: Sessionmaker,
) -> None:
    await load(sessionmaker, SMALL)
    text = SMALL.replace(
        'date: 2027-03-11\n        start: "10:00"',
        'date: 2027-03-11\n        capacity: 6\n        start: "10:00"',
    )
    report = await load(sessionmaker, text)
    assert report == LoadReport(
        workshops_unchanged=1, series_unchanged=1, sessions_unchanged=1, sessions_updated=1
    )
    async with sessionmaker() as s:
        caps = list(
            await s.scalars(select(WorkshopSession.capacity).order_by(WorkshopSession.starts_at))
        )
        assert caps == [12, 6]


async def _take_seats(sm: Sessionmaker, starts_at: datetime, seats: int) -> None:
    async with sm.begin() as s:
        await s.execute(
            update(WorkshopSession)
            .where(WorkshopSession.starts_at == starts_at)
            .values(seats_taken=seats)
        )


async def test_capacity_below_seats_taken_is_refused(sessionmaker: Sessionmaker) -> None:
    await load(sessionmaker, SMALL)
    second_start = datetime(2027, 3, 11, 9, 0, tzinfo=UTC)
    await _take_seats(sessionmaker, second_start, 5)
    before = await snapshot(sessionmaker)

    lowered = SMALL.replace("en: Managing money", "en: Money").replace(
        "capacity: 12", "capacity: 4"
    )
    with pytest.raises(CatalogError) as info:
        await load(sessionmaker, lowered)
    assert info.value.line == 15  # the session of 11 March, which has 5 seats taken
    assert "below the 5 seats already taken" in info.value.message
    # The transaction rolled back: the title change before the bad session is gone too.
    assert await snapshot(sessionmaker) == before

    report = await load(sessionmaker, SMALL.replace("capacity: 12", "capacity: 5"))
    assert report.sessions_updated == 2
    async with sessionmaker() as s:
        booked = await s.scalar(
            select(WorkshopSession).where(WorkshopSession.starts_at == second_start)
        )
        assert booked is not None and (booked.capacity, booked.seats_taken) == (5, 5)


async def test_booked_sessions_are_updated_and_missing_entries_left_alone(
    sessionmaker: Sessionmaker,
) -> None:
    await load(sessionmaker, DEFAULT)
    await load(
        sessionmaker,
        SMALL.replace("slug: ef-wiosna", "slug: ef-wiosna-2027").replace(
            "series: ef-wiosna", "series: ef-wiosna-2027"
        ),
    )
    first_start = datetime(2027, 3, 4, 9, 0, tzinfo=UTC)
    await _take_seats(sessionmaker, first_start, 3)
    async with sessionmaker() as s:
        await s.execute(
            update(WorkshopSession)
            .where(WorkshopSession.starts_at == first_start)
            .values(status="cancelled")
        )
        await s.commit()

    # A file with only the first session, ending later: the second session stays, the first is
    # updated, its bookings and its status untouched; the other 12 workshops stay as they are.
    only_first = SMALL.split("      - date: 2027-03-11")[0].replace('end: "12:00"', 'end: "12:30"')
    report = await load(sessionmaker, only_first)
    assert report.sessions_updated == 1 and report.sessions_created == 0
    async with sessionmaker() as s:
        assert await counts(s) == (13, 4, 2)
        first = await s.scalar(
            select(WorkshopSession).where(WorkshopSession.starts_at == first_start)
        )
        assert first is not None
        assert first.ends_at == datetime(2027, 3, 4, 11, 30, tzinfo=UTC)
        assert (first.seats_taken, first.status) == (3, "cancelled")
        series = {r.slug for r in await s.scalars(select(WorkshopSeries))}
        assert {"ef-wiosna", "ef-wiosna-2027"} <= series


async def test_sessions_in_the_past_are_neither_created_nor_changed(
    sessionmaker: Sessionmaker,
) -> None:
    between = datetime(2027, 3, 8, 12, 0, tzinfo=UTC)  # after the first session, before the second
    report = await load(sessionmaker, SMALL, now=between)
    assert (report.sessions_created, report.sessions_past) == (1, 1)
    report = await load(sessionmaker, SMALL.replace("capacity: 12", "capacity: 20"), now=NOW)
    assert (report.sessions_created, report.sessions_updated) == (1, 1)
    report = await load(sessionmaker, SMALL.replace("capacity: 12", "capacity: 9"), now=between)
    assert (report.sessions_updated, report.sessions_past) == (1, 1)
    async with sessionmaker() as s:
        caps = list(
            await s.scalars(select(WorkshopSession.capacity).order_by(WorkshopSession.starts_at))
        )
        assert caps == [20, 9]  # the session that already happened kept its capacity


async def test_a_series_slug_of_another_workshop_is_refused(sessionmaker: Sessionmaker) -> None:
    await load(sessionmaker, SMALL)
    before = await snapshot(sessionmaker)
    other = SMALL.replace("slug: edukacja-finansowa", "slug: edukacja-zywieniowa")
    with pytest.raises(CatalogError) as info:
        await load(sessionmaker, other)
    assert info.value.line == 8 and "belongs to another workshop" in info.value.message
    assert await snapshot(sessionmaker) == before


async def test_list_catalog_counts_upcoming_sessions_and_free_seats(
    sessionmaker: Sessionmaker,
) -> None:
    await load(sessionmaker, DEFAULT)
    await load(sessionmaker, SMALL)
    await _take_seats(sessionmaker, datetime(2027, 3, 11, 9, 0, tzinfo=UTC), 5)
    async with sessionmaker() as s:
        rows = await list_catalog(s, now=NOW)
        later = await list_catalog(s, now=datetime(2027, 3, 8, tzinfo=UTC))
    assert [r.group for r in rows] == sorted(
        (r.group for r in rows), key=["social", "professional", "community"].index
    )
    by_slug = {r.slug: r for r in rows}
    assert len(by_slug) == 13
    money = by_slug["edukacja-finansowa"]
    assert (money.upcoming_sessions, money.free_seats, money.title_pl) == (
        2,
        12 + 7,
        "Edukacja finansowa",
    )
    assert (by_slug["savoir-vivre"].upcoming_sessions, by_slug["savoir-vivre"].free_seats) == (
        0,
        0,
    )
    assert {r.slug: (r.upcoming_sessions, r.free_seats) for r in later}["edukacja-finansowa"] == (
        1,
        7,
    )
