"""`kisbot export …` and `kisbot report` through typer's test runner on a temporary SQLite
database (the typer objects of bot/cli/reports.py, invoked on their own)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import typer
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from bot.cli import reports as cli_reports
from models import AuditEvent
from tests.services.test_reports import ADMIN, COORD, P1, PARTNER, SPEC_A, build_dataset
from tests.unit.cli_db import cli_database, on_db

runner = CliRunner()
app = typer.Typer()
app.add_typer(cli_reports.export_app, name="export")
app.command("report")(cli_reports.report)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = cli_database(
        tmp_path, monkeypatch, KISBOT_TIMEZONE="Europe/Warsaw", KISBOT_ADMIN_IDS=str(ADMIN)
    )

    on_db(url, build_dataset, migrate=True)
    return url


def audit_actions(url: str) -> list[str]:
    async def read(sm: async_sessionmaker[AsyncSession]) -> list[str]:
        async with sm() as s:
            return list(await s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))

    return on_db(url, read)


def test_export_workshops_xlsx_to_a_folder(db: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = runner.invoke(app, ["export", "workshops", "--month", "2026-03", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 7 rows" in result.output
    book = load_workbook(out / "kis-workshops-2026-03.xlsx")
    assert book.active is not None and book.active.max_row == 8
    assert audit_actions(db) == ["export.workshops.xlsx"]


def test_export_participants_csv_default_name(db: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", "participants", "--format", "CSV", "--as", str(COORD)])
    assert result.exit_code == 0, result.output
    content = (tmp_path / "kis-participants.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][1] == "Łucja Żak" and len(rows) == 6


def test_partner_gets_childcare_but_not_consultations(db: str, tmp_path: Path) -> None:
    ok = runner.invoke(
        app, ["export", "childcare", "-m", "2026-03", "-f", "csv", "--as", str(PARTNER)]
    )
    assert ok.exit_code == 0, ok.output
    refused = runner.invoke(app, ["export", "consultations", "-m", "2026-03", "--as", str(PARTNER)])
    assert refused.exit_code == 1
    assert "not an active staff member allowed" in refused.output
    assert not (tmp_path / "kis-consultations-2026-03.xlsx").exists()
    assert audit_actions(db) == ["export.childcare.csv"]


def test_specialist_gets_own_consultations(db: str, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["export", "consultations", "-m", "2026-03", "--as", str(SPEC_A), "-o", "mine.xlsx"]
    )
    assert result.exit_code == 0, result.output
    assert "Wrote 3 rows" in result.output
    assert (tmp_path / "mine.xlsx").exists()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["export", "workshops", "--month", "2026-3x"], 2, "YYYY-MM"),
        (["export", "workshops", "--month", "2026-03", "-f", "pdf"], 2, "csv or xlsx"),
        (["export", "workshops", "-m", "2026-03", "--workshop", "nope"], 1, "Not found"),
        (["report", "--month", "2026-03", "--as", str(P1)], 1, "not an active staff"),
    ],
)
def test_errors_explain_and_change_nothing(
    db: str, args: list[str], code: int, message: str
) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == code, result.output
    assert message in result.output and "Nothing was changed" in result.output
    assert audit_actions(db) == []


def test_report_prints_the_table_and_writes_a_chart(db: str, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["report", "--month", "2026-03", "--chart", "chart.png"], terminal_width=140
    )
    assert result.exit_code == 0, result.output
    assert "Unique participants" in result.output, result.output
    assert "3.50" in result.output and "1.75" in result.output and "4.00" in result.output
    assert "50.0%" in result.output and "66.7%" in result.output
    assert (tmp_path / "chart.png").read_bytes().startswith(b"\x89PNG")
    assert audit_actions(db) == ["report.month", "report.chart"]


def test_help_lists_the_exports() -> None:
    result = runner.invoke(app, ["export", "--help"])
    assert result.exit_code == 0
    for name in ("participants", "workshops", "consultations", "childcare"):
        assert name in result.output
