"""Demo data for the offline sandbox: the catalogue, a few dates, consultation hours, personas.

`seed()` is idempotent: run it on a fresh or on a reused database and it only adds what is
missing. It goes through the same service functions staff use (`kisbot catalog load-default`,
`kisbot consult hours set`, `kisbot consult referral`), so the demo state is a state the bot can
really be in.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    Person,
    PersonStatus,
    Role,
    SessionStatus,
    Workshop,
    WorkshopSession,
)
from services import catalog, people
from services import consultations as consult


@dataclass(frozen=True)
class Persona:
    """A simulated Telegram user of the sandbox and what the bot knows about them."""

    key: str
    telegram_id: int
    first_name: str
    last_name: str
    language: str  # the bot's language for them (and Telegram's language_code)
    role: str  # models.Role value
    label: str  # what the persona switcher shows under the name
    phone: str
    seeded: bool = True  # False: unknown to the bot, goes through sign-up

    @property
    def full_name(self) -> str:
        """First and last name, as staff see it."""
        return f"{self.first_name} {self.last_name}".strip()


PERSONAS: tuple[Persona, ...] = (
    Persona(
        "anna",
        700001,
        "Anna",
        "Nowak",
        "pl",
        Role.PARTICIPANT.value,
        "Uczestniczka · skierowanie do psychologa",
        "+48500100201",
    ),
    Persona(
        "olena",
        700002,
        "Olena",
        "Koval",
        "uk",
        Role.PARTICIPANT.value,
        "Учасниця · українська",
        "+48500100202",
    ),
    Persona(
        "ewa",
        700010,
        "Ewa",
        "Kowalska",
        "pl",
        Role.COORDINATOR.value,
        "Koordynatorka KIS",
        "+48586777987",
    ),
    Persona(
        "marta",
        700020,
        "Marta",
        "Wiśniewska",
        "pl",
        Role.SPECIALIST.value,
        "Psycholożka",
        "+48500100220",
    ),
    Persona(
        "dobrodziejki",
        700030,
        "Joanna",
        "Dobrodziejki",
        "pl",
        Role.CHILDCARE_PARTNER.value,
        "Opieka nad dziećmi · SS Dobrodziejki",
        "+48500100230",
    ),
    Persona(
        "gosc",
        700099,
        "Tomasz",
        "Zieliński",
        "pl",
        Role.PARTICIPANT.value,
        "Nowa osoba · jeszcze nie zapisana",
        "+48500100299",
        seeded=False,
    ),
)

COORDINATOR = next(p for p in PERSONAS if p.role == Role.COORDINATOR.value)
PSYCHOLOGIST = next(p for p in PERSONAS if p.role == Role.SPECIALIST.value)
REFERRED = PERSONAS[0]

# (workshop slug, days from today, local start, local end) — all within the next two weeks,
# which is what the staff menu's "Workshop dates" lists.
DEMO_SESSIONS: tuple[tuple[str, int, time, time], ...] = (
    ("edukacja-finansowa", 2, time(10, 0), time(12, 0)),
    ("edukacja-finansowa", 9, time(10, 0), time(12, 0)),
    ("szkola-dla-rodzicow", 3, time(17, 0), time(19, 0)),
    ("szkola-dla-rodzicow", 10, time(17, 0), time(19, 0)),
    ("warsztaty-komputerowe", 4, time(9, 0), time(11, 0)),
    ("warsztaty-komputerowe", 11, time(9, 0), time(11, 0)),
    ("grupa-samopomocowa-rodzicow", 6, time(16, 0), time(17, 30)),
)
# The psychologist's weekly hours: (weekday 0 = Monday, from, to).
PSYCHOLOGIST_HOURS: tuple[tuple[int, time, time], ...] = (
    (1, time(10, 0), time(13, 0)),
    (3, time(14, 0), time(17, 0)),
)
CONSULT_PLACE = "MOPS Wejherowo, parter, pokój 11"


@dataclass
class SeedReport:
    """What `seed()` added (all zero on a second run)."""

    workshops: int = 0
    sessions: int = 0
    service_types: int = 0
    people: int = 0
    hours: int = 0
    referrals: int = 0


def _at(day: date, clock: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=tz).astimezone(ZoneInfo("UTC"))


async def _ensure_person(session: AsyncSession, persona: Persona, now: datetime) -> bool:
    """Create the persona's person row if missing; True when created."""
    if await people.get_by_telegram_id(session, persona.telegram_id) is not None:
        return False
    if persona.role == Role.PARTICIPANT.value:
        session.add(
            Person(
                telegram_id=persona.telegram_id,
                role=persona.role,
                status=PersonStatus.ACTIVE.value,
                language=persona.language,
                display_name=persona.full_name,
                phone=persona.phone,
                source="invite",
                consent_at=now,
                created_at=now,
                activated_at=now,
            )
        )
        await session.flush()
    else:
        person = await people.add_staff(
            session, persona.telegram_id, persona.role, persona.full_name, persona.language, now
        )
        person.consent_at = person.consent_at or now
        await session.flush()
    return True


async def _seed_catalogue(
    session: AsyncSession, now: datetime, tz: ZoneInfo, report: SeedReport
) -> None:
    """The default catalogue, plus the demo dates of workshops that have no upcoming date."""
    document = catalog.parse_catalog_file(catalog.default_catalog_path(), tz)
    upcoming = dict(
        (
            await session.execute(
                select(Workshop.slug, func.count(WorkshopSession.id))
                .join(WorkshopSession, WorkshopSession.workshop_id == Workshop.id)
                .where(
                    WorkshopSession.starts_at > now,
                    WorkshopSession.status == SessionStatus.SCHEDULED.value,
                )
                .group_by(Workshop.slug)
            )
        ).all()
    )
    today = now.astimezone(tz).date()
    workshops = []
    for spec in document.workshops:
        planned = [d for d in DEMO_SESSIONS if d[0] == spec.slug]
        if planned and not upcoming.get(spec.slug):
            sessions = tuple(
                catalog.SessionSpec(
                    starts_at=_at(today + timedelta(days=offset), start, tz),
                    ends_at=_at(today + timedelta(days=offset), end, tz),
                    series=None,
                    capacity=spec.capacity,
                    place=None,
                    cancel_cutoff_hours=spec.cancel_cutoff_hours,
                    line=spec.line,
                )
                for _, offset, start, end in planned
            )
            spec = dataclasses.replace(spec, sessions=spec.sessions + sessions)
        workshops.append(spec)
    loaded = await catalog.load_catalog(session, catalog.CatalogDocument(tuple(workshops)), now=now)
    report.workshops += loaded.workshops_created
    report.sessions += loaded.sessions_created


async def _seed_consultations(
    session: AsyncSession, now: datetime, tz: ZoneInfo, weeks_ahead: int, report: SeedReport
) -> None:
    """Service types, the psychologist's weekly hours (slots synced), one referral."""
    report.service_types += await consult.ensure_service_types(session)
    psychology = await consult.service_type_by_slug(session, "psychologist")
    specialist = await people.get_by_telegram_id(session, PSYCHOLOGIST.telegram_id)
    assert specialist is not None
    if not await consult.list_weekly_hours(session, specialist.id):
        for weekday, start, end in PSYCHOLOGIST_HOURS:
            await consult.set_weekly_hours(
                session,
                actor_tid=COORDINATOR.telegram_id,
                specialist_id=specialist.id,
                service_type_id=psychology.id,
                weekday=weekday,
                start=start,
                end=end,
                place=CONSULT_PLACE,
                now=now,
                tz=tz,
                weeks_ahead=weeks_ahead,
            )
            report.hours += 1
    else:  # reused database: make sure slots reach KISBOT_SLOT_WEEKS_AHEAD from today
        await consult.sync_slots(
            session, now=now, tz=tz, weeks_ahead=weeks_ahead, specialist_ids=[specialist.id]
        )
    referred = await people.get_by_telegram_id(session, REFERRED.telegram_id)
    assert referred is not None
    if not await consult.referrals_of(session, referred.id):
        await consult.issue_referral(
            session,
            actor_tid=COORDINATOR.telegram_id,
            person_id=referred.id,
            service_type_id=psychology.id,
            sessions=4,
            expires_on=now.astimezone(tz).date() + timedelta(days=90),
            now=now,
            tz=tz,
        )
        report.referrals += 1


async def seed(
    session: AsyncSession, *, now: datetime, tz: ZoneInfo, weeks_ahead: int = 4
) -> SeedReport:
    """Fill a migrated database with the demo state (idempotent; flushes, caller commits)."""
    report = SeedReport()
    for persona in PERSONAS:
        if persona.seeded and await _ensure_person(session, persona, now):
            report.people += 1
    await _seed_catalogue(session, now, tz, report)
    await _seed_consultations(session, now, tz, weeks_ahead, report)
    await session.flush()
    return report


__all__ = ["PERSONAS", "Persona", "SeedReport", "seed"]
