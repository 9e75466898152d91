"""`kisbot care capacity` through typer's test runner, on a temporary SQLite database."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from models import AuditEvent, CareCapacity
from tests.unit.cli_db import cli_database, rows

runner = CliRunner()
ADMIN = 1


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    return cli_database(
        tmp_path, monkeypatch, KISBOT_ADMIN_IDS=str(ADMIN), KISBOT_CARE_CAPACITY="6"
    )


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_capacity_windows_are_set_listed_changed_and_removed(db: str) -> None:
    assert "kisbot care capacity list" in run(
        "care", "capacity", "set", "all", "08:00", "16:00", "4"
    )
    run(
        "care", "capacity", "set", "sob", "09:00", "13:00", "2", "--min-age", "3", "--max-age", "12"
    )
    [every_day, saturday] = sorted(rows(db, CareCapacity), key=lambda w: w.id)
    assert (every_day.weekday, every_day.max_dependants) == (None, 4)
    assert (saturday.weekday, saturday.min_age, saturday.max_age) == (5, 3, 12)
    listing = run("care", "capacity", "list")
    assert "Default capacity where no window applies: 6." in listing
    assert "every day" in listing and "Sat" in listing
    run("care", "capacity", "set", "all", "08:00", "16:00", "5", "--id", str(every_day.id))
    assert {w.id: w.max_dependants for w in rows(db, CareCapacity)}[every_day.id] == 5
    assert "removed" in run("care", "capacity", "remove", str(saturday.id))
    assert [w.id for w in rows(db, CareCapacity)] == [every_day.id]
    actions = [e.action for e in rows(db, AuditEvent)]
    assert sum(a.startswith("care.capacity") for a in actions) == 4, actions


def test_bad_input_changes_nothing(db: str) -> None:
    assert "Nothing was changed" in run(
        "care", "capacity", "set", "all", "16:00", "08:00", "4", code=1
    )
    assert "Nothing was changed" in run(
        "care", "capacity", "set", "xyz", "08:00", "16:00", "4", code=1
    )
    assert "Nothing was changed" in run("care", "capacity", "remove", "99", code=1)
    assert rows(db, CareCapacity) == []
