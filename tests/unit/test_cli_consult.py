"""`kisbot consult` through typer's test runner, on a temporary SQLite database: service types,
linking specialists, weekly hours, closures, referrals, who the CLI acts as, and refusals that
change nothing (exit code 1 with a message)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from bot.cli import app, parse_clock, parse_day, parse_weekday
from models import (
    AuditEvent,
    Closure,
    Person,
    Referral,
    ServiceType,
    Slot,
    SpecialistService,
    WeeklyHours,
)
from tests.unit.cli_db import cli_database, on_db, rows

runner = CliRunner()
ADMIN = 1
SPECIALIST = 50
COORDINATOR = 60
PARTICIPANT = 70


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    return cli_database(
        tmp_path, monkeypatch, KISBOT_TIMEZONE="Europe/Warsaw", KISBOT_ADMIN_IDS=str(ADMIN)
    )


def add_participant(url: str, telegram_id: int = PARTICIPANT, status: str = "active") -> None:
    async def add(sm: async_sessionmaker[AsyncSession]) -> None:
        async with sm.begin() as s:
            s.add(
                Person(
                    telegram_id=telegram_id,
                    language="pl",
                    status=status,
                    display_name="Anna Nowak",
                    source="invite",
                )
            )

    on_db(url, add)


def ok(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def refused(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 1, result.output
    assert "Nothing was changed" in result.output
    return result.output


def club(url: str) -> None:
    ok("consult", "defaults")
    ok("staff", "add", str(SPECIALIST), "--role", "specialist", "--name", "Maria Psycholog")
    ok("staff", "add", str(COORDINATOR), "--role", "coordinator", "--name", "Ewa")


def test_help_explains_the_commands() -> None:
    output = ok("consult", "--help")
    for command in ("services", "defaults", "link", "unlink", "hours", "closure", "referral"):
        assert command in output
    assert "WEEKDAY" in ok("consult", "hours", "set", "--help")


def test_service_types_are_created_once_and_listed(db: str) -> None:
    assert "No service types yet" in ok("consult", "services")
    assert "Created 4 service type(s)" in ok("consult", "defaults")
    assert "already exist" in ok("consult", "defaults")
    listing = ok("consult", "services")
    for slug in ("psychologist", "legal", "social", "career"):
        assert slug in listing


def test_link_hours_list_and_remove(db: str) -> None:
    club(db)
    assert "provides psychologist" in ok("consult", "link", str(SPECIALIST), "psychologist")
    [link] = rows(db, SpecialistService)
    assert link.service_type_id is not None
    done = ok(
        "consult", "hours", "set", str(SPECIALIST), "legal", "pn", "10:00", "12:00",
        "--place", "MOPS Wejherowo, pokój 11",
    )  # fmt: skip
    assert "Hours #1" in done and "Monday 10:00–12:00" in done
    [hours] = rows(db, WeeklyHours)
    assert (hours.weekday, f"{hours.start_time:%H:%M}", hours.place) == (
        0,
        "10:00",
        "MOPS Wejherowo, pokój 11",
    )
    slots = rows(db, Slot)
    assert slots and all(s.status == "free" for s in slots)  # two a Monday, weeks ahead
    listing = ok("consult", "hours", "list")
    assert "Maria" in listing and "Monday" in listing and "legal" in listing
    assert "Maria" in ok("consult", "hours", "list", str(SPECIALIST))

    # Overlapping hours are refused and change nothing.
    out = refused("consult", "hours", "set", str(SPECIALIST), "legal", "mon", "11:00", "13:00")
    assert "overlap" in out
    assert len(rows(db, WeeklyHours)) == 1

    assert "removed" in ok("consult", "hours", "remove", str(hours.id))
    assert rows(db, WeeklyHours) == []
    assert all(s.status == "withdrawn" for s in rows(db, Slot))
    assert "No weekly hours #99" in refused("consult", "hours", "remove", "99")

    admin = next(p for p in rows(db, Person) if p.telegram_id == ADMIN)
    events = [(e.actor_id, e.action) for e in rows(db, AuditEvent)]
    assert (admin.id, "consult.hours.set") in events
    assert (admin.id, "consult.hours.remove") in events
    unlinked = ok("consult", "unlink", str(SPECIALIST), "psychologist")
    assert "no longer provides psychologist" in unlinked
    assert [link.service_type_id for link in rows(db, SpecialistService)] == [hours.service_type_id]


def test_bad_input_is_explained_and_changes_nothing(db: str) -> None:
    club(db)
    base = ("consult", "hours", "set")
    assert "Unknown weekday" in refused(*base, str(SPECIALIST), "legal", "xyz", "10:00", "12:00")
    assert "Not a clock time" in refused(*base, str(SPECIALIST), "legal", "1", "25:00", "26:00")
    unknown = refused(*base, str(SPECIALIST), "lawyer", "1", "10:00", "12:00")
    assert "Unknown service 'lawyer'" in unknown and "psychologist" in unknown
    assert "Nobody with Telegram id 4242" in refused(*base, "4242", "legal", "1", "10:00", "12:00")
    not_specialist = refused(*base, str(COORDINATOR), "legal", "1", "10:00", "12:00")
    assert "not an active specialist" in not_specialist
    too_short = refused(*base, str(SPECIALIST), "legal", "1", "10:00", "10:30")  # 60-min slots
    assert "at least one appointment" in too_short
    assert rows(db, WeeklyHours) == [] and rows(db, Slot) == []


def test_closures(db: str) -> None:
    club(db)
    start = date.today() + timedelta(days=7)
    end = start + timedelta(days=2)
    done = ok("consult", "closure", "add", f"{start}", f"{end}", "--reason", "Wielkanoc")
    assert "the whole club" in done
    leave = ok(
        "consult", "closure", "add", f"{start:%d.%m.%Y}", f"{start:%d.%m.%Y}",
        "--specialist", str(SPECIALIST), "--reason", "urlop",
    )  # fmt: skip
    assert f"Telegram id {SPECIALIST}" in leave
    closures = rows(db, Closure)
    assert len(closures) == 2 and {c.reason for c in closures} == {"Wielkanoc", "urlop"}
    listing = ok("consult", "closure", "list")
    assert "whole club" in listing and "Maria" in listing and "Wielkanoc" in listing

    backwards = refused("consult", "closure", "add", f"{end}", f"{start}", "--reason", "x")
    assert "must end on or after" in backwards
    assert "Not a date" in refused("consult", "closure", "add", "jutro", f"{end}", "--reason", "x")
    assert len(rows(db, Closure)) == 2

    club_wide = next(c for c in closures if c.specialist_id is None)
    assert "removed" in ok("consult", "closure", "remove", str(club_wide.id))
    assert [c.reason for c in rows(db, Closure)] == ["urlop"]
    assert "No closure #99" in refused("consult", "closure", "remove", "99")


def test_referral(db: str) -> None:
    club(db)
    add_participant(db)
    done = ok("consult", "referral", str(PARTICIPANT), "psychologist", "--sessions", "3")
    [referral] = rows(db, Referral)
    assert (referral.sessions_total, referral.sessions_used, referral.code) == (3, 0, None)
    assert f"Referral #{referral.id} for Anna Nowak" in done
    assert referral.expires_on > date.today() + timedelta(days=88)  # --days defaults to 90

    args = ("consult", "referral", str(PARTICIPANT))
    assert "does not need a referral" in refused(*args, "social", "--sessions", "2")
    assert "between 1 and 100" in refused(*args, "legal", "--sessions", "0")
    assert "--days" in refused(*args, "legal", "--sessions", "2", "--days", "0")
    assert "staff member" in refused(
        "consult", "referral", str(SPECIALIST), "legal", "--sessions", "2"
    )
    add_participant(db, 71, status="deactivated")
    assert "not an active participant" in refused(
        "consult", "referral", "71", "legal", "--sessions", "2"
    )
    assert len(rows(db, Referral)) == 1


def test_who_the_cli_acts_as(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    club(db)
    monkeypatch.delenv("KISBOT_ADMIN_IDS")
    no_admin = refused("consult", "link", str(SPECIALIST), "psychologist")
    assert "No administrator to act as" in no_admin and "--as" in no_admin
    not_manager = refused("consult", "--as", str(SPECIALIST), "link", str(SPECIALIST), "legal")
    assert "not an active admin or coordinator" in not_manager
    assert rows(db, SpecialistService) == []

    ok("consult", "--as", str(COORDINATOR), "link", str(SPECIALIST), "legal")
    coordinator = next(p for p in rows(db, Person) if p.telegram_id == COORDINATOR)
    assert (coordinator.id, "consult.link") in [
        (e.actor_id, e.action) for e in rows(db, AuditEvent)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), ("6", 6), ("mon", 0), ("Monday", 0), ("pn", 0), ("śr", 2), ("sr", 2),
     ("czw", 3), ("Pt.", 4), ("sob", 5), ("niedziela", 6), ("sun", 6)],
)  # fmt: skip
def test_weekday_names(text: str, expected: int) -> None:
    assert parse_weekday(text) == expected


@pytest.mark.parametrize("text", ["7", "-1", "xyz", ""])
def test_bad_weekdays(text: str) -> None:
    with pytest.raises(ValueError, match="weekday"):
        parse_weekday(text)


def test_clock_and_date_parsing() -> None:
    assert f"{parse_clock('9:30'):%H:%M}" == "09:30" and f"{parse_clock('10'):%H:%M}" == "10:00"
    assert parse_day("2027-03-01") == parse_day("1.03.2027") == date(2027, 3, 1)
    for bad in ("24:00", "10:5", "ten"):
        with pytest.raises(ValueError):
            parse_clock(bad)
    with pytest.raises(ValueError):
        parse_day("31.02.2027")


def test_service_types_are_configured_from_the_command_line(db: str) -> None:
    club(db)
    ok("consult", "service", "legal", "--reminders", "2880,60", "--cutoff-hours", "48")
    ok("consult", "service", "social", "--referral", "--minutes", "30", "--inactive")
    created = ok(
        "consult", "service", "debt-advice", "--name-pl", "Porada w sprawie długów",
        "--name-uk", "Консультація щодо боргів", "--name-en", "Debt advice", "--minutes", "40",
    )  # fmt: skip
    assert "Created service type debt-advice" in created
    by_slug = {s.slug: s for s in rows(db, ServiceType)}
    legal, social, debt = by_slug["legal"], by_slug["social"], by_slug["debt-advice"]
    assert legal.reminder_offsets_minutes == [2880, 60] and legal.cancel_cutoff_hours == 48
    assert legal.name_pl == "Porada prawna" and legal.requires_referral  # untouched
    assert social.requires_referral and social.slot_minutes == 30 and not social.active
    assert debt.name_en == "Debt advice" and debt.slot_minutes == 40 and not debt.sensitive
    ok("consult", "service", "legal", "--cutoff-hours", "default")
    assert {s.slug: s for s in rows(db, ServiceType)}["legal"].cancel_cutoff_hours is None

    assert "--name-pl" in refused("consult", "service", "new-one", "--minutes", "30")
    assert "5 to 480" in refused("consult", "service", "legal", "--minutes", "1000")
    assert "1440,120" in refused("consult", "service", "legal", "--reminders", "soon")
    assert "slug" in refused("consult", "service", "Bad Slug!")
    add_participant(db)
    assert "not an active admin" in refused(
        "consult", "--as", str(PARTICIPANT), "service", "legal", "--inactive"
    )
    assert {s.slug: s for s in rows(db, ServiceType)}["legal"].active
