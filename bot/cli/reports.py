"""`kisbot export …` (CSV/XLSX files for Excel) and `kisbot report` (EU project indicators).

Registered in bot/cli/__init__.py with:

    app.add_typer(reports.export_app, name="export")
    app.command("report")(reports.report)

Every command acts as a staff member, whose role the service checks exactly as in the bot:
`--as TELEGRAM_ID` names one; otherwise the first of KISBOT_ADMIN_IDS (made an admin first, as
the bot does at every start). Refusals change nothing and exit with code 1; bad values exit 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.common import Acting, Refused, as_admin, err_console
from models.base import utcnow
from services import report_indicators, reports
from services.errors import InvalidInput, NotAllowed, NotFound
from services.reports import ExportFile, Month

console = Console()

export_app = typer.Typer(
    help=(
        "Export data as CSV (UTF-8 with BOM, ';' separated: opens in Polish Excel) or XLSX. "
        "What you get depends on the role of the acting person (--as)."
    ),
    no_args_is_help=True,
)

AsOption = Annotated[
    int | None,
    typer.Option(
        "--as",
        help="Telegram id of the staff member acting (default: the first of KISBOT_ADMIN_IDS).",
    ),
]
MonthOption = Annotated[str, typer.Option("--month", "-m", help="The month, as YYYY-MM.")]
FormatOption = Annotated[
    str, typer.Option("--format", "-f", help="csv or xlsx.", case_sensitive=False)
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="File or folder to write to (default: the export's own name in this folder).",
    ),
]

REASONS = {
    "month-invalid": "The month must look like 2026-03 (YYYY-MM).",
    "month-missing": "This export needs --month YYYY-MM.",
    "format-invalid": "The format must be csv or xlsx.",
    "export-invalid": "Unknown export.",
}


def _fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[red]{message}[/red] Nothing was changed.")
    return typer.Exit(code)


def _refusal(exc: Exception) -> typer.Exit:
    """A refused export or report: its message on stderr; exit code 2 for a bad value, else 1."""
    if isinstance(exc, InvalidInput):
        return _fail(REASONS.get(exc.reason, exc.reason), 2)
    if isinstance(exc, NotAllowed):
        return _fail("The acting person (--as) is not an active staff member allowed to do this.")
    if isinstance(exc, NotFound):
        return _fail("Not found (check the workshop or service code).")
    if isinstance(exc, Refused):
        return _fail(str(exc))
    return _fail(f"Refused: {type(exc).__name__}.")


def _month(text: str | None) -> Month | None:
    if text is None:
        return None
    try:
        return Month.parse(text)
    except InvalidInput as exc:
        raise _fail(REASONS["month-invalid"], 2) from exc


def _format(text: str) -> str:
    fmt = text.lower()
    if fmt not in reports.EXPORT_FORMATS:
        raise _fail(REASONS["format-invalid"], 2)
    return fmt


def _export(
    kind: str,
    month: str | None,
    fmt: str,
    output: Path | None,
    actor: int | None,
    filter_slug: str | None = None,
) -> None:
    parsed = _month(month)
    fmt = _format(fmt)

    async def work(a: Acting) -> ExportFile:
        return await reports.export(
            a.session,
            actor_tid=a.tid,
            kind=kind,
            fmt=fmt,
            month=parsed,
            tz=a.settings.tz,
            filter_slug=filter_slug,
        )

    result = as_admin(actor, work, refusal=_refusal)
    target = output or Path(result.filename)
    if target.is_dir():
        target = target / result.filename
    target.write_bytes(result.content)
    console.print(f"Wrote {result.rows} rows to {target}")


@export_app.command("participants")
def export_participants(
    fmt: FormatOption = "xlsx", output: OutputOption = None, actor: AsOption = None
) -> None:
    """Every participant: id, name, status, language, registration dates and phone
    (admins and coordinators only)."""
    _export("participants", None, fmt, output, actor)


@export_app.command("workshops")
def export_workshops(
    month: MonthOption,
    workshop: Annotated[
        str | None, typer.Option(help="Only this workshop (its code, e.g. edukacja-finansowa).")
    ] = None,
    fmt: FormatOption = "xlsx",
    output: OutputOption = None,
    actor: AsOption = None,
) -> None:
    """Enrolments and attendance of the month's workshop sessions (admins, coordinators)."""
    _export("workshops", month, fmt, output, actor, workshop)


@export_app.command("consultations")
def export_consultations(
    month: MonthOption,
    service: Annotated[
        str | None, typer.Option(help="Only this service (its code, e.g. psycholog).")
    ] = None,
    fmt: FormatOption = "xlsx",
    output: OutputOption = None,
    actor: AsOption = None,
) -> None:
    """Consultations of the month (admins, coordinators; a specialist gets only their own)."""
    _export("consultations", month, fmt, output, actor, service)


@export_app.command("childcare")
def export_childcare(
    month: MonthOption,
    fmt: FormatOption = "xlsx",
    output: OutputOption = None,
    actor: AsOption = None,
) -> None:
    """Childcare requests of the month (admins, coordinators, the childcare partner — who
    does not see which booking a request is for)."""
    _export("childcare", month, fmt, output, actor)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def indicators_table(data: report_indicators.Indicators) -> Table:
    """The month's indicators as a rich table."""
    table = Table(title=f"KIS Wejherowo — indicators for {data.month}")
    table.add_column("Indicator")
    table.add_column("Workshops", justify="right")
    table.add_column("Consultations", justify="right")
    table.add_column("Childcare", justify="right")
    table.add_column("Total", justify="right")
    table.add_row("Unique participants supported", "", "", "", str(data.unique_participants))
    table.add_row(
        "Hours of support",
        f"{data.workshop_hours:.2f}",
        f"{data.consultation_hours:.2f}",
        f"{data.childcare_hours:.2f}",
        f"{data.total_hours:.2f}",
    )
    table.add_row(
        "Marked (attended / no-show)",
        f"{data.workshops.attended} / {data.workshops.no_show}",
        f"{data.consultations.attended} / {data.consultations.no_show}",
        "",
        "",
    )
    table.add_row(
        "Attendance rate",
        _percent(data.workshops.attendance_rate),
        _percent(data.consultations.attendance_rate),
        "",
        "",
    )
    table.add_row(
        "No-show rate",
        _percent(data.workshops.no_show_rate),
        _percent(data.consultations.no_show_rate),
        "",
        "",
    )
    return table


def report(
    month: Annotated[
        str | None,
        typer.Option("--month", "-m", help="The month, as YYYY-MM (default: the current one)."),
    ] = None,
    chart: Annotated[
        Path | None,
        typer.Option(help="Also write a PNG chart of the last 6 months to this file."),
    ] = None,
    actor: AsOption = None,
) -> None:
    """Indicators for the EU project's reporting: unique participants supported, hours of
    support per type, attendance and no-show rates (admins and coordinators)."""
    parsed = _month(month)

    async def work(a: Acting) -> tuple[report_indicators.Indicators, bytes | None]:
        tz = a.settings.tz
        target = parsed or Month.of(utcnow(), tz)
        data = await report_indicators.month_indicators(
            a.session, actor_tid=a.tid, month=target, tz=tz
        )
        png = None
        if chart is not None:
            png = await report_indicators.chart(a.session, actor_tid=a.tid, last=target, tz=tz)
        return data, png

    data, png = as_admin(actor, work, refusal=_refusal)
    console.print(indicators_table(data))
    if chart is not None and png is not None:
        chart.write_bytes(png)
        console.print(f"Chart written to {chart}")
