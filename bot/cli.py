"""The `kisbot` command line: run the bot, migrate, manage staff and invites, read the audit."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from bot.settings import Settings
from models import STAFF_ROLES
from models.base import utcnow
from models.db import create_engine, create_sessionmaker
from services import audit, invites, people
from services.errors import DomainError, InvalidInput, NotFound

app = typer.Typer(help="kis-bot: the KIS Wejherowo booking-and-reminder bot.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
staff_app = typer.Typer(help="Staff members and their roles.", no_args_is_help=True)
invite_app = typer.Typer(
    help="Invite links for people with a social contract.", no_args_is_help=True
)
audit_app = typer.Typer(help="The audit log of staff actions.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(staff_app, name="staff")
app.add_typer(invite_app, name="invite")
app.add_typer(audit_app, name="audit")

console = Console()
T = TypeVar("T")

NO_TOKEN_HELP = (
    "TELEGRAM_BOT_TOKEN is not set: open Telegram, talk to @BotFather, send /newbot and copy the "
    "token it gives you.\n"
    "Then put TELEGRAM_BOT_TOKEN=<token> in the .env file next to the Makefile (see README.md) "
    "and run `make run` again."
)


def _settings() -> Settings:
    try:
        return Settings()
    except Exception as exc:  # pydantic's message names the bad variable
        console.print(f"[red]Configuration error:[/red] {exc}")
        raise typer.Exit(2) from exc


def _with_db(settings: Settings, work: Callable[..., Awaitable[T]], *, migrate: bool = True) -> T:
    """Run `work(session)` in one transaction on a migrated database."""

    async def main() -> T:
        from models.migrate import upgrade

        engine = create_engine(settings.database_url)
        try:
            if migrate:
                await upgrade(engine)
            async with create_sessionmaker(engine).begin() as session:
                return await work(session)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(main())
    except InvalidInput as exc:
        console.print(f"[red]Invalid value:[/red] {exc.reason}")
        raise typer.Exit(2) from exc
    except NotFound as exc:
        console.print("[red]Not found.[/red] Nothing was changed.")
        raise typer.Exit(1) from exc
    except DomainError as exc:
        console.print(f"[red]Refused:[/red] {type(exc).__name__}. Nothing was changed.")
        raise typer.Exit(1) from exc


@app.command()
def run() -> None:
    """Migrate the database and run the bot (long polling) until Ctrl+C."""
    from bot.app import build_application
    from bot.logs import setup_logging

    settings = _settings()
    if not settings.token:
        print(NO_TOKEN_HELP, file=sys.stderr)
        raise typer.Exit(2)
    setup_logging(settings.log_level)
    application = build_application(settings)
    application.run_polling(allowed_updates=["message", "callback_query"])


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from models.migrate import upgrade

    settings = _settings()

    async def main() -> None:
        engine = create_engine(settings.database_url)
        try:
            await upgrade(engine, revision)
        finally:
            await engine.dispose()

    asyncio.run(main())
    console.print(f"Database is at revision [bold]{revision}[/bold].")


@db_app.command("current")
def db_current() -> None:
    """Print the revision the database is at."""
    from models.migrate import current_revision

    settings = _settings()

    async def main() -> str | None:
        engine = create_engine(settings.database_url)
        try:
            return await current_revision(engine)
        finally:
            await engine.dispose()

    console.print(asyncio.run(main()) or "empty (no migrations applied)")


@staff_app.command("add")
def staff_add(
    telegram_id: Annotated[int, typer.Argument(help="The person's numeric Telegram id.")],
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(STAFF_ROLES)}.")],
    name: Annotated[str, typer.Option(help="Name shown to colleagues.")],
    language: Annotated[str, typer.Option(help="pl, uk or en.")] = "pl",
) -> None:
    """Make TELEGRAM_ID a staff member with ROLE (creates or updates)."""
    if role not in STAFF_ROLES:
        console.print(f"[red]Unknown role {role!r}.[/red] Choose one of: {', '.join(STAFF_ROLES)}.")
        raise typer.Exit(2)
    if language not in ("pl", "uk", "en"):
        console.print("[red]Unknown language.[/red] Choose pl, uk or en.")
        raise typer.Exit(2)
    settings = _settings()

    async def work(session: AsyncSession) -> str:
        person = await people.add_staff(session, telegram_id, role, name, language, utcnow())
        return f"{person.display_name} ({telegram_id}) is now {role}."

    console.print(_with_db(settings, work))


@staff_app.command("remove")
def staff_remove(telegram_id: Annotated[int, typer.Argument(help="Telegram id.")]) -> None:
    """Take the staff role away from TELEGRAM_ID."""
    settings = _settings()

    async def work(session: AsyncSession) -> None:
        await people.remove_staff(session, telegram_id)

    _with_db(settings, work)
    console.print(f"{telegram_id} is no longer staff.")


@staff_app.command("list")
def staff_list() -> None:
    """List staff members and their roles."""
    settings = _settings()

    async def work(session: AsyncSession) -> list[tuple[str, str, str, str]]:
        rows = await people.list_staff(session)
        return [(str(p.telegram_id), p.role, p.status, p.display_name or "") for p in rows]

    table = Table("Telegram id", "Role", "Status", "Name")
    for row in _with_db(settings, work):
        table.add_row(*row)
    console.print(table)


@invite_app.command("create")
def invite_create(
    name: Annotated[str, typer.Option(help="The person's name, as in the social contract.")],
    bot_username: Annotated[
        str | None,
        typer.Option(help="The bot's @username for the link (asked from the API if omitted)."),
    ] = None,
) -> None:
    """Create a single-use invite link for NAME; the person is active as soon as they use it."""
    settings = _settings()

    async def work(session: AsyncSession) -> tuple[str, str]:
        invite = await invites.create_invite(session, name, utcnow(), settings.invite_valid_days)
        return invite.code, invite.expires_at.astimezone(settings.tz).strftime("%d.%m.%Y")

    code, expires = _with_db(settings, work)
    username = bot_username or _bot_username(settings)
    link = invites.invite_link(username or "<bot_username>", code)
    console.print(f"Invite for the person (single use, valid until {expires}):")
    print(link)


def _bot_username(settings: Settings) -> str | None:
    """Ask the Bot API for the bot's username; None when there is no token or no answer."""
    if not settings.token:
        return None
    from telegram import Bot

    from bot.app import file_url_for

    async def main() -> str | None:
        bot = Bot(
            settings.token or "",
            base_url=settings.telegram_api_base_url,
            base_file_url=file_url_for(settings.telegram_api_base_url),
        )
        try:
            async with bot:
                return bot.username
        except Exception:
            return None

    return asyncio.run(main())


@audit_app.command("list")
def audit_list(limit: Annotated[int, typer.Option(help="How many entries.")] = 50) -> None:
    """The newest staff actions."""
    settings = _settings()

    async def work(session: AsyncSession) -> list[tuple[str, str, str, str]]:
        rows = await audit.list_actions(session, limit)
        return [
            (
                e.at.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M"),
                str(e.actor_id or "cli"),
                e.action,
                f"{e.target_type or ''} {e.target_id or ''}".strip(),
            )
            for e in rows
        ]

    table = Table("When", "Actor", "Action", "Target")
    for row in _with_db(settings, work):
        table.add_row(*row)
    console.print(table)


catalog_app = typer.Typer(
    help="The workshop catalogue: workshops, series and sessions from YAML files "
    "(format: docs/catalog.md).",
    no_args_is_help=True,
)
app.add_typer(catalog_app, name="catalog")


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

    settings = _settings()

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
        report = _with_db(settings, work)
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

    settings = _settings()

    async def work(session: AsyncSession) -> list[WorkshopSummary]:
        return await list_catalog(session, now=utcnow())

    table = Table()
    table.add_column("Slug", no_wrap=True)  # staff copy it into commands: never cut
    table.add_column("Group", no_wrap=True)
    table.add_column("Title (pl)")
    table.add_column("Upcoming sessions", justify="right")
    table.add_column("Free seats", justify="right")
    for row in _with_db(settings, work):
        title = row.title_pl if row.active else f"{row.title_pl} (inactive)"
        table.add_row(row.slug, row.group, title, str(row.upcoming_sessions), str(row.free_seats))
    console.print(table)


__all__ = ["app"]
