"""`kisbot catalog …`: the workshop catalogue from YAML files (docs/catalog.md)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.common import console, load_settings, with_db
from models.base import utcnow

catalog_app = typer.Typer(
    help="The workshop catalogue: workshops, series and sessions from YAML files "
    "(format: docs/catalog.md).",
    no_args_is_help=True,
)


class _CatalogDryRun(Exception):
    """Raised inside the transaction to roll a `--dry-run` load back, carrying its report."""

    def __init__(self, report: object) -> None:
        super().__init__("dry run")
        self.report = report


def _catalog_load(path: str, dry_run: bool) -> None:
    """Parse PATH, then load it in one transaction; print the report or `FILE:LINE: error`."""
    from pathlib import Path

    from rich.markup import escape

    from services.catalog import CatalogError, LoadReport, load_catalog, parse_catalog_file

    settings = load_settings()

    def refuse(exc: CatalogError) -> typer.Exit:
        console.print(f"[red]{escape(f'{path}:{exc.line}: {exc.message}')}[/red]", soft_wrap=True)
        console.print("Nothing was changed.")
        return typer.Exit(2)

    try:
        document = parse_catalog_file(Path(path), settings.tz)
    except CatalogError as exc:
        raise refuse(exc) from exc

    async def work(session: AsyncSession) -> LoadReport:
        report = await load_catalog(session, document, now=utcnow())
        if dry_run:
            raise _CatalogDryRun(report)
        return report

    try:
        report = with_db(settings, work)
    except CatalogError as exc:
        raise refuse(exc) from exc
    except _CatalogDryRun as rolled_back:
        report = rolled_back.report  # type: ignore[assignment]

    table = Table("", "Created", "Updated", "Unchanged", title=escape(path))
    for label, kind in (("Workshops", "workshops"), ("Series", "series"), ("Sessions", "sessions")):
        table.add_row(
            label,
            *(
                str(getattr(report, f"{kind}_{what}"))
                for what in ("created", "updated", "unchanged")
            ),
        )
    console.print(table)
    if report.sessions_past:
        console.print(f"{report.sessions_past} session(s) already started: left as they are.")
    if dry_run:
        console.print("[yellow]Dry run: rolled back, nothing was changed.[/yellow]")
    elif not report.changed:
        console.print("Nothing to change: the database already matches the file.")


@catalog_app.command("load")
def catalog_load(
    file: Annotated[
        str,
        typer.Argument(
            help="A catalogue YAML file, e.g. catalog/example-term.yaml (docs/catalog.md).",
            show_default=False,
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check against the database, then roll back.")
    ] = False,
) -> None:
    """Load FILE: create or update its workshops, series and sessions in one transaction.

    Times in the file are local (KISBOT_TIMEZONE, Europe/Warsaw). Loading is idempotent and
    never deletes anything. On an error it prints FILE:LINE: message and changes nothing
    (exit code 2).
    """
    from pathlib import Path

    if not Path(file).is_file():
        console.print(f"[red]No such file:[/red] {file}")
        raise typer.Exit(2)
    _catalog_load(file, dry_run)


@catalog_app.command("load-default")
def catalog_load_default(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check against the database, then roll back.")
    ] = False,
) -> None:
    """Load the shipped catalogue (catalog/default.yaml): the club's workshops, no sessions."""
    from services.catalog import default_catalog_path

    path = default_catalog_path()
    _catalog_load(str(path), dry_run)


@catalog_app.command("list")
def catalog_list() -> None:
    """List workshops with their group, upcoming sessions and free seats in them."""
    from services.catalog import WorkshopSummary, list_catalog

    settings = load_settings()

    async def work(session: AsyncSession) -> list[WorkshopSummary]:
        return await list_catalog(session, now=utcnow())

    table = Table()
    table.add_column("Slug", no_wrap=True)  # staff copy it into commands: never cut
    table.add_column("Group", no_wrap=True)
    table.add_column("Title (pl)")
    table.add_column("Upcoming sessions", justify="right")
    table.add_column("Free seats", justify="right")
    for row in with_db(settings, work):
        title = row.title_pl if row.active else f"{row.title_pl} (inactive)"
        table.add_row(row.slug, row.group, title, str(row.upcoming_sessions), str(row.free_seats))
    console.print(table)
