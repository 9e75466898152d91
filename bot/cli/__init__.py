"""The `kisbot` command line: run the bot, migrate, manage staff and invites, read the audit.

This package holds the typer `app` (the `kisbot` console script and `python -m bot`); each
command group lives in its own module and imports only `bot.cli.common`, never this package,
so the modules form no import circle (checked by the import contract in pyproject.toml).
"""

from __future__ import annotations

import typer

from bot.cli import care, catalog, consult, db, participant, reports, run, sandbox, staff
from bot.cli.common import parse_clock, parse_day, parse_weekday

app = typer.Typer(
    help="kis-bot: the KIS Wejherowo booking-and-reminder bot.",
    no_args_is_help=True,
    # A traceback's local variables include the token and the database URL.
    pretty_exceptions_show_locals=False,
)
app.command()(run.run)
app.command()(sandbox.sandbox)
app.add_typer(db.db_app, name="db")
app.add_typer(staff.staff_app, name="staff")
app.add_typer(staff.invite_app, name="invite")
app.add_typer(staff.audit_app, name="audit")
app.add_typer(catalog.catalog_app, name="catalog")
app.add_typer(consult.consult_app, name="consult")
app.add_typer(care.care_app, name="care")
app.add_typer(participant.participant_app, name="participant")
app.add_typer(reports.export_app, name="export")
app.command("report")(reports.report)

__all__ = ["app", "parse_clock", "parse_day", "parse_weekday"]
