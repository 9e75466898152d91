"""`kisbot staff …`, `kisbot invite …` and `kisbot audit …`: staff, invites and the audit log."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.common import console, load_settings, with_db
from bot.settings import Settings
from models import STAFF_ROLES
from models.base import utcnow
from services import audit, invites, people

staff_app = typer.Typer(help="Staff members and their roles.", no_args_is_help=True)
invite_app = typer.Typer(
    help="Invite links for people with a social contract.", no_args_is_help=True
)
audit_app = typer.Typer(help="The audit log of staff actions.", no_args_is_help=True)


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
    settings = load_settings()

    async def work(session: AsyncSession) -> str:
        person = await people.add_staff(session, telegram_id, role, name, language, utcnow())
        return f"{person.display_name} ({telegram_id}) is now {role}."

    console.print(with_db(settings, work))


@staff_app.command("remove")
def staff_remove(telegram_id: Annotated[int, typer.Argument(help="Telegram id.")]) -> None:
    """Take the staff role away from TELEGRAM_ID."""
    settings = load_settings()

    async def work(session: AsyncSession) -> None:
        await people.remove_staff(session, telegram_id)

    with_db(settings, work)
    console.print(f"{telegram_id} is no longer staff.")


@staff_app.command("list")
def staff_list() -> None:
    """List staff members and their roles."""
    settings = load_settings()

    async def work(session: AsyncSession) -> list[tuple[str, str, str, str]]:
        rows = await people.list_staff(session)
        return [(str(p.telegram_id), p.role, p.status, p.display_name or "") for p in rows]

    table = Table("Telegram id", "Role", "Status", "Name")
    for row in with_db(settings, work):
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
    settings = load_settings()

    async def work(session: AsyncSession) -> tuple[str, str]:
        invite = await invites.create_invite(session, name, utcnow(), settings.invite_valid_days)
        return invite.code, invite.expires_at.astimezone(settings.tz).strftime("%d.%m.%Y")

    code, expires = with_db(settings, work)
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
    settings = load_settings()

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
    for row in with_db(settings, work):
        table.add_row(*row)
    console.print(table)
