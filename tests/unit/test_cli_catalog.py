"""`kisbot catalog` through typer's test runner, on a temporary SQLite database."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from bot.cli import app
from models import Workshop, WorkshopSeries, WorkshopSession
from tests.unit.cli_db import cli_database, on_db

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    return cli_database(tmp_path, monkeypatch, KISBOT_TIMEZONE="Europe/Warsaw")


def catalogue_rows(url: str) -> list[tuple[object, ...]]:
    """Every workshop, series and session row (the columns a load can change)."""

    async def read(sm: async_sessionmaker[AsyncSession]) -> list[tuple[object, ...]]:
        async with sm() as s:
            rows: list[tuple[object, ...]] = []
            for w in await s.scalars(select(Workshop).order_by(Workshop.id)):
                rows.append((w.slug, w.title_pl, w.title_en, w.default_capacity))
            for r in await s.scalars(select(WorkshopSeries).order_by(WorkshopSeries.id)):
                rows.append((r.slug, r.title_pl))
            for x in await s.scalars(select(WorkshopSession).order_by(WorkshopSession.id)):
                rows.append((x.workshop_id, x.starts_at, x.capacity, x.seats_taken))
            return rows

    return on_db(url, read)


def take_seats(url: str, seats: int) -> None:
    async def take(sm: async_sessionmaker[AsyncSession]) -> None:
        async with sm.begin() as s:
            await s.execute(update(WorkshopSession).values(seats_taken=seats))

    on_db(url, take)


def term_file(
    path: Path, *, day: date, title_en: str = "Managing money", capacity: int = 12
) -> Path:
    """A two-workshop term file; sessions on `day` (in the future, so they are loaded)."""
    path.write_text(
        f"""\
workshops:
  - slug: edukacja-finansowa
    group: social
    title: {{pl: Edukacja finansowa, uk: Фінансова грамотність, en: {title_en}}}
    description: {{pl: Budżet domowy., uk: Домашній бюджет., en: Household budget.}}
    capacity: 12
  - slug: warsztaty-komputerowe
    group: professional
    title: {{pl: Warsztaty komputerowe, uk: Комп’ютерні заняття, en: Computer workshops}}
    description: {{pl: Podstawy., uk: Основи., en: Basics.}}
    capacity: 10
    sessions:
      - date: {day.isoformat()}
        start: "10:00"
        end: "13:00"
        capacity: {capacity}
""",
        encoding="utf-8",
    )
    return path


def future_day() -> date:
    return date.today() + timedelta(days=60)


def test_help_texts() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "catalog" in result.output
    result = runner.invoke(app, ["catalog", "--help"])
    assert result.exit_code == 0
    for command in ("load", "load-default", "list"):
        assert command in result.output
    result = runner.invoke(app, ["catalog", "load", "--help"])
    assert result.exit_code == 0 and "FILE:LINE" in result.output


def test_load_default_then_list(db: str) -> None:
    result = runner.invoke(app, ["catalog", "load-default"])
    assert result.exit_code == 0, result.output
    assert "Workshops" in result.output and "13" in result.output
    assert len([r for r in catalogue_rows(db) if len(r) == 4 and isinstance(r[0], str)]) == 13

    again = runner.invoke(app, ["catalog", "load-default"])
    assert again.exit_code == 0, again.output
    assert "Nothing to change" in again.output

    listing = runner.invoke(app, ["catalog", "list"], env={"COLUMNS": "200"})
    assert listing.exit_code == 0, listing.output
    for slug in ("szkola-dla-rodzicow", "warsztaty-komputerowe", "akcje-srodowiskowe"):
        assert slug in listing.output
    assert "professional" in listing.output and "community" in listing.output


def test_load_a_term_file_twice(db: str, tmp_path: Path) -> None:
    path = term_file(tmp_path / "term.yaml", day=future_day())
    result = runner.invoke(app, ["catalog", "load", str(path)])
    assert result.exit_code == 0, result.output
    rows = catalogue_rows(db)
    assert len(rows) == 3  # two workshops, one session
    again = runner.invoke(app, ["catalog", "load", str(path)])
    assert again.exit_code == 0 and "Nothing to change" in again.output
    assert catalogue_rows(db) == rows

    listing = runner.invoke(app, ["catalog", "list"], env={"COLUMNS": "200"})
    line = next(ln for ln in listing.output.splitlines() if "warsztaty-komputerowe" in ln)
    cells = [cell.strip() for cell in line.split("│")[1:-1]]
    assert cells == ["warsztaty-komputerowe", "professional", "Warsztaty komputerowe", "1", "12"]


def test_dry_run_changes_nothing(db: str, tmp_path: Path) -> None:
    path = term_file(tmp_path / "term.yaml", day=future_day())
    result = runner.invoke(app, ["catalog", "load", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Dry run" in result.output
    assert catalogue_rows(db) == []


def test_a_parse_error_in_the_middle_changes_nothing(db: str, tmp_path: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    path = term_file(tmp_path / "term.yaml", day=future_day())
    path.write_text(
        path.read_text("utf-8").replace("group: professional", "group: zawodowa"), "utf-8"
    )
    result = runner.invoke(app, ["catalog", "load", str(path)])
    assert result.exit_code == 2
    assert f"{path}:8: unknown group 'zawodowa'" in result.output
    assert "Nothing was changed" in result.output
    assert catalogue_rows(db) == []


def test_a_bad_entry_found_while_loading_rolls_everything_back(db: str, tmp_path: Path) -> None:
    day = future_day()
    path = term_file(tmp_path / "term.yaml", day=day)
    assert runner.invoke(app, ["catalog", "load", str(path)]).exit_code == 0
    take_seats(db, 7)
    before = catalogue_rows(db)

    # The first workshop's title changes (fine), then the session's capacity drops below the
    # seats already taken (refused): nothing of the file may stay in the database.
    term_file(path, day=day, title_en="Money matters", capacity=6)
    result = runner.invoke(app, ["catalog", "load", str(path)])
    assert result.exit_code == 2, result.output
    assert f"{path}:13: capacity 6 is below the 7 seats already taken" in result.output
    assert catalogue_rows(db) == before

    term_file(path, day=day, title_en="Money matters", capacity=7)
    result = runner.invoke(app, ["catalog", "load", str(path)])
    assert result.exit_code == 0, result.output
    assert ("edukacja-finansowa", "Edukacja finansowa", "Money matters", 12) in catalogue_rows(db)


def test_a_missing_file_is_refused(db: str) -> None:
    result = runner.invoke(app, ["catalog", "load", "nope.yaml"])
    assert result.exit_code == 2 and "No such file" in result.output
