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


__all__ = ["app"]
