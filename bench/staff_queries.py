"""Staff queries on a club-sized-plus database: agenda of a day, participant search, a
participant card and the monthly EU report.

Set-up: a fresh database (a temporary SQLite file by default; with --database-url pointing at
PostgreSQL a scratch database is created on that server and dropped afterwards, unless
--use-database-as-is), migrated with models.migrate.upgrade, then filled with Core
executemany inserts: --participants participants (5,000) and --bookings bookings (100,000:
half workshop enrolments over ~360 days of sessions, half consultation bookings on as many
slots of 20 specialists), plus dependants and care requests for the first 1,000 participants.
ANALYZE runs once after loading (what autovacuum / a DBA would do).

Each query runs through the real service functions (role checks included) in its own
session: one warm-up, then --runs timed runs; the median is reported.

- agenda: services.report_staff.staff_agenda for today (sessions with seats and waiting
  counts, consultations per specialist, childcare);
- search: services.participant_search.search_participants("kowal");
- card: services.report_staff.participant_card of a participant with many bookings;
- report: services.report_indicators.month_indicators of the last full month.

Run from the repository root:  python bench/staff_queries.py [--database-url postgresql://...]
Progress goes to stderr; the last line on stdout is one JSON object.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Scripts run as `python bench/<name>.py`: make the repository root importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import asyncio
import json
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from benchlib import database_kind, fresh_database
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models import (
    CareRequest,
    ConsultationBooking,
    Dependant,
    Enrollment,
    Person,
    ServiceType,
    Slot,
    Workshop,
    WorkshopSession,
)
from models.base import utcnow
from models.db import create_engine, create_sessionmaker
from models.migrate import upgrade
from services import participant_search, report_indicators, report_staff
from services.reports import Month

TZ = ZoneInfo("Europe/Warsaw")
ADMIN_TID = 1
TARGET_MS = 200
CHUNK = 5_000
SPECIALISTS = 20
WORKSHOPS = 8
DAYS_BACK = 300
DAYS_AHEAD = 60
FIRST = ["Anna", "Jan", "Łucja", "Piotr", "Olha", "Maria", "Tomasz", "Żaneta", "Marek", "Ewa"]
LAST = ["Nowak", "Kowalski", "Wiśniewska", "Wójcik", "Kowalczyk", "Kamińska", "Lewandowski"]
LAST += ["Zieliński", "Szymańska", "Woźniak", "Dąbrowski", "Kozłowska", "Shevchenko", "Bondar"]


def progress(message: str) -> None:
    """Human-readable progress on stderr."""
    print(f"[staff_queries] {message}", file=sys.stderr, flush=True)


async def _insert(engine: AsyncEngine, table: Any, rows: list[dict[str, Any]]) -> None:
    async with engine.begin() as conn:
        for i in range(0, len(rows), CHUNK):
            await conn.execute(insert(table), rows[i : i + CHUNK])


async def load(engine: AsyncEngine, participants: int, bookings: int, seed: int) -> dict[str, Any]:
    """Fill the database; returns row counts and the ids the queries need."""
    rng = random.Random(seed)
    now = utcnow().replace(microsecond=0)
    today = now.astimezone(TZ).date()
    people: list[dict[str, Any]] = [
        dict(id=1, telegram_id=ADMIN_TID, role="admin", status="active", language="pl",
             display_name="Admin", source="staff", created_at=now, activated_at=now)
    ]  # fmt: skip
    for i in range(SPECIALISTS):
        people.append(
            dict(id=2 + i, telegram_id=10 + i, role="specialist", status="active",
                 language="pl", display_name=f"Specjalista {i:02d}", source="staff",
                 created_at=now, activated_at=now)
        )  # fmt: skip
    first_participant = len(people) + 1
    for i in range(participants):
        created = now - timedelta(days=rng.randint(0, 400))
        people.append(
            dict(id=first_participant + i, telegram_id=100_000 + i, role="participant",
                 status="active", language=rng.choice(["pl", "pl", "uk", "en"]),
                 display_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                 phone=f"+48{rng.randint(500_000_000, 799_999_999)}", source="invite",
                 created_at=created, activated_at=created + timedelta(days=1))
        )  # fmt: skip
    participant_ids = [p["id"] for p in people[first_participant - 1 :]]
    await _insert(engine, Person.__table__, people)
    progress(f"{len(people)} people")

    await _insert(
        engine,
        Workshop.__table__,
        [
            dict(id=w + 1, slug=f"warsztat-{w}", group_key="social", title_pl=f"Warsztat {w}",
                 title_uk=f"Майстерня {w}", title_en=f"Workshop {w}", created_at=now)
            for w in range(WORKSHOPS)
        ],
    )  # fmt: skip
    services = [
        dict(id=s + 1, slug=f"usluga-{s}", name_pl=f"Usługa {s}", name_uk=f"Послуга {s}",
             name_en=f"Service {s}", slot_minutes=45, reminder_offsets_minutes=[1440],
             requires_referral=False, sensitive=s == 0, active=True, created_at=now)
        for s in range(4)
    ]  # fmt: skip
    await _insert(engine, ServiceType.__table__, services)

    days = [today + timedelta(days=d) for d in range(-DAYS_BACK, DAYS_AHEAD + 1)]

    def at(day: date, hour: int, minute: int = 0) -> datetime:
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)

    sessions: list[dict[str, Any]] = []
    enrolments: list[dict[str, Any]] = []
    want_enrolments = bookings // 2
    per_session = max(1, -(-want_enrolments // (len(days) * 10)))
    for day in days:
        for hour in range(8, 18):
            sid = len(sessions) + 1
            starts = at(day, hour)
            past = starts < now
            taken = 0
            for person_id in rng.sample(participant_ids, per_session):
                if len(enrolments) >= want_enrolments:
                    break
                if past:
                    status = "confirmed" if rng.random() < 0.9 else "cancelled"
                    roll = rng.random()
                    attended = (
                        (True if roll < 0.8 else False if roll < 0.95 else None)
                        if (status == "confirmed")
                        else None
                    )
                else:
                    status = "confirmed" if taken < 12 else "waiting"
                    attended = None
                taken += status == "confirmed"
                enrolments.append(
                    dict(id=len(enrolments) + 1, session_id=sid, person_id=person_id,
                         status=status, attended=attended, created_at=starts - timedelta(days=3))
                )  # fmt: skip
            sessions.append(
                dict(id=sid, workshop_id=hour % WORKSHOPS + 1, starts_at=starts,
                     ends_at=starts + timedelta(minutes=90), place="Sala", capacity=12,
                     seats_taken=taken, cancel_cutoff_hours=24, status="scheduled",
                     created_at=now)
            )  # fmt: skip
    await _insert(engine, WorkshopSession.__table__, sessions)
    await _insert(engine, Enrollment.__table__, enrolments)
    progress(f"{len(sessions)} sessions, {len(enrolments)} enrolments")

    slots: list[dict[str, Any]] = []
    consultations: list[dict[str, Any]] = []
    want_consultations = bookings - len(enrolments)
    grid = [(day, spec, hour) for day in days for spec in range(SPECIALISTS) for hour in range(8)]
    rng.shuffle(grid)
    active: set[tuple[int, int]] = set()
    for day, spec, hour in grid[:want_consultations]:
        slot_id = len(slots) + 1
        service_id = spec % 4 + 1
        starts = at(day, 9 + hour)
        person_id = rng.choice(participant_ids)
        if starts < now:
            status = rng.choices(["attended", "no_show", "cancelled", "unmarked"], [75, 10, 10, 5])[
                0
            ]
        elif (person_id, service_id) not in active:
            status = "booked"
            active.add((person_id, service_id))
        else:
            status = "cancelled"
        slots.append(
            dict(id=slot_id, specialist_id=2 + spec, service_type_id=service_id,
                 starts_at=starts, ends_at=starts + timedelta(minutes=45), place="Pokój",
                 status="free" if status == "cancelled" else "booked", created_at=now)
        )  # fmt: skip
        consultations.append(
            dict(id=slot_id, slot_id=slot_id, person_id=person_id, service_type_id=service_id,
                 status=status, created_at=starts - timedelta(days=5), reminders_neutral=True)
        )  # fmt: skip
    await _insert(engine, Slot.__table__, slots)
    await _insert(engine, ConsultationBooking.__table__, consultations)
    progress(f"{len(consultations)} consultation bookings")

    parents = participant_ids[:1000]
    await _insert(
        engine,
        Dependant.__table__,
        [
            dict(id=i + 1, person_id=pid, name=f"Dziecko {i}", kind="child",
                 birth_year=2015 + i % 8, needs="", created_at=now)
            for i, pid in enumerate(parents)
        ],
    )  # fmt: skip
    dependant_of = {pid: i + 1 for i, pid in enumerate(parents)}
    session_times = {s["id"]: (s["starts_at"], s["ends_at"]) for s in sessions}
    care: list[dict[str, Any]] = []
    for e in enrolments:
        if e["person_id"] in dependant_of and e["status"] == "confirmed" and len(care) < 5_000:
            starts, ends = session_times[e["session_id"]]
            care.append(
                dict(id=len(care) + 1, person_id=e["person_id"],
                     dependant_id=dependant_of[e["person_id"]], enrollment_id=e["id"],
                     starts_at=starts - timedelta(minutes=15), ends_at=ends + timedelta(minutes=15),
                     place="Sala zabaw", status=rng.choice(["approved", "approved", "pending"]),
                     created_at=starts - timedelta(days=2))
            )  # fmt: skip
    await _insert(engine, CareRequest.__table__, care)
    progress(f"{len(care)} care requests")

    async with engine.begin() as conn:
        await conn.execute(text("ANALYZE"))
    counts: dict[str, int] = {}
    for e in enrolments:
        counts[e["person_id"]] = counts.get(e["person_id"], 0) + 1
    for c in consultations:
        counts[c["person_id"]] = counts.get(c["person_id"], 0) + 1
    busiest = max(counts, key=lambda k: counts[k])
    return {
        "participants": participants,
        "bookings": len(enrolments) + len(consultations),
        "enrollments": len(enrolments),
        "consultation_bookings": len(consultations),
        "workshop_sessions": len(sessions),
        "care_requests": len(care),
        "card_person_id": busiest,
        "card_bookings": counts[busiest],
        "today": today,
        "now": now,
    }


async def timed(
    engine: AsyncEngine, runs: int, work: Callable[[AsyncSession], Awaitable[object]]
) -> float:
    """Median milliseconds of `work(session)` over `runs` runs (after one warm-up)."""
    sm = create_sessionmaker(engine)
    samples: list[float] = []
    for i in range(runs + 1):
        async with sm() as session:
            started = time.perf_counter()
            await work(session)
            elapsed = (time.perf_counter() - started) * 1000
            await session.rollback()
        if i:
            samples.append(elapsed)
    return round(statistics.median(samples), 2)


async def main(args: argparse.Namespace) -> dict[str, Any]:
    async with fresh_database(args.database_url, args.use_database_as_is, "staff", progress) as url:
        engine = create_engine(url)
        try:
            await upgrade(engine)
            started = time.perf_counter()
            info = await load(engine, args.participants, args.bookings, args.seed)
            progress(f"loaded in {time.perf_counter() - started:.1f} s")
            today: date = info.pop("today")
            now: datetime = info.pop("now")
            last_month = Month.of(now, TZ).shift(-1)
            card_id = info.pop("card_person_id")
            results = {
                "agenda_ms": await timed(
                    engine,
                    args.runs,
                    lambda s: report_staff.staff_agenda(s, actor_tid=ADMIN_TID, day=today, tz=TZ),
                ),
                "search_ms": await timed(
                    engine,
                    args.runs,
                    lambda s: participant_search.search_participants(
                        s, actor_tid=ADMIN_TID, query="kowal"
                    ),
                ),
                "card_ms": await timed(
                    engine,
                    args.runs,
                    lambda s: report_staff.participant_card(
                        s, actor_tid=ADMIN_TID, person_id=card_id, now=now
                    ),
                ),
                "report_ms": await timed(
                    engine,
                    args.runs,
                    lambda s: report_indicators.month_indicators(
                        s, actor_tid=ADMIN_TID, month=last_month, tz=TZ
                    ),
                ),
            }
            progress(str(results))
        finally:
            await engine.dispose()
    slowest = max(results.values())
    return {
        "bench": "staff_queries",
        "database": database_kind(url),
        **results,
        "runs": args.runs,
        "report_month": str(last_month),
        **info,
        "target_ms": TARGET_MS,
        "within_target": slowest <= TARGET_MS,
    }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=5_000)
    parser.add_argument("--bookings", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7, help="timed runs per query (median)")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--database-url", help="PostgreSQL server (a scratch database is made)")
    parser.add_argument("--use-database-as-is", action="store_true")
    return parser.parse_args()


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(parse_args())), default=str))
