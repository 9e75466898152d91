"""The `kisbot` command line through typer's test runner, on a temporary SQLite database."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from models import Invite, Person
from tests.unit.cli_db import cli_database, rows

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    return cli_database(tmp_path, monkeypatch)


def test_help_lists_the_command_groups() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for group in ("run", "db", "staff", "invite", "audit"):
        assert group in result.output


def test_db_upgrade_and_current(db: str) -> None:
    assert runner.invoke(app, ["db", "current"]).output.strip().startswith("empty")
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    from alembic.script import ScriptDirectory

    from models.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert runner.invoke(app, ["db", "current"]).output.strip() == head


def test_staff_add_list_remove(db: str) -> None:
    result = runner.invoke(app, ["staff", "add", "555", "--role", "coordinator", "--name", "Ewa"])
    assert result.exit_code == 0, result.output
    listing = runner.invoke(app, ["staff", "list"])
    assert "555" in listing.output and "coordinator" in listing.output
    [person] = rows(db, Person)
    assert (person.telegram_id, person.role, person.status) == (555, "coordinator", "active")
    assert runner.invoke(app, ["staff", "remove", "555"]).exit_code == 0
    [person] = rows(db, Person)
    assert person.role == "participant" and person.status == "deactivated"
    audit = runner.invoke(app, ["audit", "list"])
    assert "staff.add.coordinator" in audit.output and "staff.remove" in audit.output


def test_bad_role_changes_nothing(db: str) -> None:
    result = runner.invoke(app, ["staff", "add", "555", "--role", "boss", "--name", "Ewa"])
    assert result.exit_code == 2
    assert "Unknown role" in result.output
    assert runner.invoke(app, ["staff", "remove", "12345"]).exit_code == 1


def test_invite_create_prints_a_deep_link(db: str) -> None:
    result = runner.invoke(
        app, ["invite", "create", "--name", "Anna Nowak", "--bot-username", "kis_bot"]
    )
    assert result.exit_code == 0, result.output
    [invite] = rows(db, Invite)
    assert f"https://t.me/kis_bot?start={invite.code}" in result.output
    assert invite.display_name == "Anna Nowak" and invite.used_at is None


def test_invite_with_an_empty_name_is_refused(db: str) -> None:
    result = runner.invoke(app, ["invite", "create", "--name", "  ", "--bot-username", "b"])
    assert result.exit_code == 2
    assert rows(db, Invite) == []


@pytest.mark.parametrize(
    ("url", "code", "says"),
    [
        ("postgress://kisbot:pa55word-x@127.0.0.1:5432/kisbot", 2, "postgress://"),
        ("postgresql://kisbot:pa55word-x@127.0.0.1:{closed}/kisbot", 1, "connection refused"),
    ],
)
def test_an_unusable_database_is_one_line_without_the_password(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    code: int,
    says: str,
) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url.format(closed=closed))
    for args in (["db", "current"], ["staff", "list"], ["db", "upgrade"]):
        result = runner.invoke(app, args)
        assert result.exit_code == code, (args, result.output)
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("kisbot: ") and says in lines[0]
        assert "pa55word" not in result.output
