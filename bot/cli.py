"""The `kisbot` command line: run the bot, migrate, manage staff and invites, read the audit."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Coroutine
from datetime import date as dt_date
from datetime import time as dt_time
from datetime import timedelta
from typing import Annotated, Any, Literal, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from bot.logs import protect_streams, register_secrets
from bot.settings import Settings
from models import STAFF_ROLES, Person, ServiceType
from models.base import utcnow
from models.db import create_engine, create_sessionmaker
from services import audit, invites, people
from services.errors import DomainError, InvalidInput, NotFound

app = typer.Typer(
    help="kis-bot: the KIS Wejherowo booking-and-reminder bot.",
    no_args_is_help=True,
    # A traceback's local variables include the token and the database URL.
    pretty_exceptions_show_locals=False,
)
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
    """The settings; from here on the token and the database password never reach the output."""
    protect_streams()
    try:
        settings = Settings()
    except Exception as exc:  # pydantic's message names the bad variable
        console.print(f"[red]Configuration error:[/red] {exc}")
        raise typer.Exit(2) from exc
    register_secrets(settings.token, settings.database_url)
    return settings


def _run_db(settings: Settings, coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` for a command on the database: an unusable database is one line on stderr
    (exit code 2 for a configuration mistake, 1 for an outage), not a traceback."""
    from bot.startup import database_failure, report

    try:
        return asyncio.run(coroutine)
    except Exception as exc:
        failure = database_failure(exc, settings)
        if failure is None:
            raise
        report(failure)
        raise typer.Exit(failure.exit_code) from exc


def _with_db(settings: Settings, work: Callable[..., Awaitable[T]], *, migrate: bool = True) -> T:
    """Run `work(session)` in one transaction on a migrated database."""

    async def main() -> T:
        from models.migrate import upgrade

        engine = create_engine(settings.database_url, **settings.db_timeouts)
        try:
            if migrate:
                await upgrade(engine)
            async with create_sessionmaker(engine).begin() as session:
                return await work(session)
        finally:
            await engine.dispose()

    try:
        return _run_db(settings, main())
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
    """Migrate the database and run the bot (long polling) until Ctrl+C.

    Checks the database, then Telegram, first; a failed start is one line on stderr, exit code
    2 for a configuration mistake and 1 for an outage.
    """
    from bot.logs import setup_logging
    from bot.startup import run_bot

    settings = _settings()
    if not settings.token:
        print(NO_TOKEN_HELP, file=sys.stderr)
        raise typer.Exit(2)
    setup_logging(settings.log_level)
    code = run_bot(settings)
    if code:
        raise typer.Exit(code)


@app.command()
def sandbox(
    port: Annotated[
        int | None,
        typer.Option(
            help="Port of the web chat (default: KISBOT_SANDBOX_PORT, else 8080; 0 picks one).",
            show_default=False,
        ),
    ] = None,
    host: Annotated[
        str, typer.Option(help="Loopback address to listen on; other addresses are refused.")
    ] = "127.0.0.1",
    database: Annotated[
        str, typer.Option(help="The sandbox's own SQLite file (never the real database).")
    ] = "data/sandbox.sqlite3",
    keep_data: Annotated[
        bool,
        typer.Option(
            "--keep-data", help="Reuse the sandbox database instead of starting from the demo."
        ),
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log at INFO level.")] = False,
) -> None:
    """Try the bot offline: a local Telegram stand-in, the real bot and a web chat.

    No token needed. Opens http://127.0.0.1:8080 with demo people (participants, a
    coordinator, a psychologist, the childcare partner); each has their own chat with the bot.
    The sandbox database starts from the demo state every time unless --keep-data.
    """
    from pathlib import Path

    from bot.logs import setup_logging
    from sandbox.webchat import OfflineSandbox, SandboxOptions, is_loopback, serve_forever

    if not is_loopback(host):
        console.print(
            f"[red]Refused:[/red] the sandbox listens on this computer only (127.0.0.1, ::1 or "
            f"localhost), not {host!r}."
        )
        raise typer.Exit(2)
    settings = _settings()
    if port is None:
        try:
            port = SandboxOptions().port
        except Exception as exc:  # pydantic names the bad variable
            console.print(f"[red]Configuration error:[/red] {exc}")
            raise typer.Exit(2) from exc
    setup_logging("INFO" if verbose else "WARNING")

    def announce(running: OfflineSandbox) -> None:
        print(
            "Offline sandbox: the bot runs against a local Telegram stand-in (no token needed).",
            flush=True,
        )
        print(f"Open {running.url.rstrip('/')} in a browser. Ctrl+C stops it.", flush=True)

    try:
        asyncio.run(
            serve_forever(
                settings,
                host=host,
                port=port,
                database_path=Path(database),
                fresh=not keep_data,
                announce=announce,
            )
        )
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        console.print(
            f"[red]Could not start the sandbox:[/red] {exc.strerror or exc}. Is port {port} "
            "in use? Choose another with --port or KISBOT_SANDBOX_PORT."
        )
        raise typer.Exit(2) from exc


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from models.migrate import upgrade

    settings = _settings()

    async def main() -> None:
        engine = create_engine(settings.database_url, **settings.db_timeouts)
        try:
            await upgrade(engine, revision)
        finally:
            await engine.dispose()

    _run_db(settings, main())
    console.print(f"Database is at revision [bold]{revision}[/bold].")


@db_app.command("current")
def db_current() -> None:
    """Print the revision the database is at."""
    from models.migrate import current_revision

    settings = _settings()

    async def main() -> str | None:
        engine = create_engine(settings.database_url, **settings.db_timeouts)
        try:
            return await current_revision(engine)
        finally:
            await engine.dispose()

    console.print(_run_db(settings, main()) or "empty (no migrations applied)")


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


# --- consultations -------------------------------------------------------------------------

consult_app = typer.Typer(
    help="Consultations: service types, specialists and their weekly hours, closures, "
    "referrals (docs/staff-consultations.md).",
    no_args_is_help=True,
)
hours_app = typer.Typer(
    help="Specialists' weekly hours; free slots are generated from them at once.",
    no_args_is_help=True,
)
closure_app = typer.Typer(
    help="Days without consultations (leave, holidays), for one specialist or the whole club.",
    no_args_is_help=True,
)
consult_app.add_typer(hours_app, name="hours")
consult_app.add_typer(closure_app, name="closure")
app.add_typer(consult_app, name="consult")

WEEKDAYS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("mon", "monday", "pn", "pon", "poniedzialek", "poniedziałek"),
        ("tue", "tuesday", "wt", "wto", "wtorek"),
        ("wed", "wednesday", "sr", "śr", "sro", "śro", "sroda", "środa"),
        ("thu", "thursday", "cz", "czw", "czwartek"),
        ("fri", "friday", "pt", "pia", "pią", "piatek", "piątek"),
        ("sat", "saturday", "sb", "so", "sob", "sobota"),
        ("sun", "sunday", "nd", "nie", "niedz", "niedziela"),
    )
):
    for _name in _names:
        WEEKDAYS[_name] = _number
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

CONSULT_REASONS = {
    "consult-not-specialist": "that person is not an active specialist "
    "(make them one with `kisbot staff add TELEGRAM_ID --role specialist --name NAME`)",
    "consult-hours-invalid": "the hours must end after they start and be at least one "
    "appointment of the service long",
    "consult-hours-overlap": "these hours overlap other hours of this specialist on that day",
    "consult-place-invalid": "the place is too long (200 characters at most) or starts with /",
    "consult-closure-invalid": "a closure must end on or after its first day, not in the past, "
    "and its reason must be at most 200 characters",
    "consult-referral-not-needed": "this service does not need a referral "
    "(see the Referral column of `kisbot consult services`)",
    "consult-referral-sessions": "the number of sessions must be between 1 and 100",
    "consult-referral-expiry": "the referral would already have expired",
    "consult-referral-person": "that person is not an active participant",
    "consult-service-slug": "a slug is 2-64 characters: lowercase letters, digits and -",
    "consult-service-names": "a new service type needs --name-pl, --name-uk and --name-en "
    "(each 1-120 characters)",
    "consult-service-minutes": "an appointment lasts 5 to 480 minutes",
    "consult-service-reminders": "reminders are minutes before the start, 1 to 20160 "
    "(14 days), e.g. 1440,120",
    "consult-service-cutoff": "the cut-off is 0 to 336 hours (or `default`)",
}
ACTOR_HELP = (
    "Telegram id of the admin or coordinator the change is recorded for in the audit log "
    "(default: the first of KISBOT_ADMIN_IDS)."
)


class _Refused(Exception):
    """A CLI-level refusal with a message for the operator (nothing was changed)."""


def _fail(message: str) -> typer.Exit:
    from rich.markup import escape

    console.print(f"[red]Error:[/red] {escape(message)} Nothing was changed.", soft_wrap=True)
    return typer.Exit(1)


def _consult_db(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Like `_with_db`, but every refusal is explained and exits with code 1."""
    from services.errors import NotAllowed

    async def main() -> T:
        from models.migrate import upgrade

        engine = create_engine(settings.database_url, **settings.db_timeouts)
        try:
            await upgrade(engine)
            async with create_sessionmaker(engine).begin() as session:
                return await work(session)
        finally:
            await engine.dispose()

    try:
        return _run_db(settings, main())
    except _Refused as exc:
        raise _fail(str(exc)) from exc
    except InvalidInput as exc:
        raise _fail(CONSULT_REASONS.get(exc.reason, exc.reason).capitalize() + ".") from exc
    except NotAllowed as exc:
        raise _fail("The acting person is not an active admin or coordinator (see --as).") from exc
    except NotFound as exc:
        raise _fail("Not found.") from exc
    except DomainError as exc:
        raise _fail(f"Refused: {type(exc).__name__}.") from exc


def _actor(ctx: typer.Context) -> int | None:
    obj = ctx.obj if isinstance(ctx.obj, dict) else {}
    value = obj.get("actor")
    return value if isinstance(value, int) else None


async def _acting_tid(session: AsyncSession, settings: Settings, actor: int | None) -> int:
    """Whom a change made from the command line is recorded for.

    The service layer checks a role on every change, as it does in the bot. The CLI is run
    by whoever administers the server, so it acts as an administrator: `--as` names one
    (an active admin or coordinator), otherwise the first of KISBOT_ADMIN_IDS, made an admin
    first exactly as the bot does at every start.
    """
    if actor is not None:
        return actor  # the service checks the role
    if not settings.admin_ids:
        raise _Refused(
            "No administrator to act as: set KISBOT_ADMIN_IDS (as for the bot) or pass "
            "--as TELEGRAM_ID of an active admin or coordinator."
        )
    await people.ensure_admins(session, settings.admin_ids, settings.default_language, utcnow())
    return settings.admin_ids[0]


async def _person_by_tid(session: AsyncSession, telegram_id: int) -> Person:
    person = await people.get_by_telegram_id(session, telegram_id)
    if person is None:
        raise _Refused(f"Nobody with Telegram id {telegram_id} is known to the bot.")
    return person


async def _service(session: AsyncSession, slug: str) -> ServiceType:
    from services import consultations

    try:
        return await consultations.service_type_by_slug(session, slug)
    except NotFound:
        known = ", ".join(s.slug for s in await consultations.list_service_types(session))
        raise _Refused(
            f"Unknown service {slug!r}. Known: {known or 'none (run `kisbot consult defaults`)'}."
        ) from None


def parse_weekday(text: str) -> int:
    """0-6 (0 = Monday) or a name: mon, monday, pn, poniedziałek, ...; ValueError otherwise."""
    value = text.strip().lower().rstrip(".")
    if value.isdigit() and 0 <= int(value) <= 6:
        return int(value)
    if value in WEEKDAYS:
        return WEEKDAYS[value]
    raise ValueError(f"unknown weekday {text!r}: use 0-6 (0 = Monday) or mon, tue, … / pn, wt, …")


def parse_clock(text: str) -> dt_time:
    """ "10:00", "9:30" or "10" → a time; ValueError otherwise."""
    value = text.strip()
    if value.isdigit():
        value += ":00"
    hours, _, minutes = value.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"not a clock time: {text!r} (use HH:MM, e.g. 10:00)")
    try:
        return dt_time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(f"not a clock time: {text!r} (use HH:MM, e.g. 10:00)") from None


def parse_day(text: str) -> dt_date:
    """ "2027-03-01" or "1.03.2027" → a date; ValueError otherwise."""
    value = text.strip()
    try:
        if "." in value:
            day, month, year = (int(part) for part in value.split("."))
            return dt_date(year, month, day)
        return dt_date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not a date: {text!r} (use YYYY-MM-DD, e.g. 2027-03-01)") from None


def _parsed(parse: Callable[[str], T], text: str) -> T:
    try:
        return parse(text)
    except ValueError as exc:
        raise _fail(str(exc).capitalize() + ".") from exc


def _sync_summary(created: int, withdrawn: int, affected: int) -> str:
    text = f"{created} new free slot(s), {withdrawn} free slot(s) withdrawn."
    if affected:
        text += (
            f" {affected} booked appointment(s) no longer fit: they stay valid and their "
            "participants are asked in the bot to pick another time."
        )
    return text


def _remove_and_sync(
    ctx: typer.Context,
    remove: Callable[..., Awaitable[Any]],
    id_name: str,
    item_id: int,
    label: str,
    listing: str,
    missing: str,
) -> None:
    """Remove weekly hours or a closure by id and report what it did to the slots."""
    settings = _settings()

    async def work(session: AsyncSession) -> str:
        actor = await _acting_tid(session, settings, _actor(ctx))
        try:
            change = await remove(
                session,
                actor_tid=actor,
                now=utcnow(),
                tz=settings.tz,
                weeks_ahead=settings.slot_weeks_ahead,
                **{id_name: item_id},
            )
        except NotFound:
            raise _Refused(f"No {missing} #{item_id} (see `kisbot consult {listing}`).") from None
        sync = change.sync
        return f"{label} #{item_id} removed. " + _sync_summary(
            sync.created, sync.withdrawn, len(sync.affected)
        )

    console.print(_consult_db(settings, work), soft_wrap=True)


@consult_app.callback()
def consult_main(
    ctx: typer.Context,
    actor: Annotated[
        int | None, typer.Option("--as", envvar="KISBOT_CLI_ACTOR", help=ACTOR_HELP)
    ] = None,
) -> None:
    """Consultations: service types, hours, closures, referrals."""
    ctx.obj = {"actor": actor}


@consult_app.command("services")
def consult_services() -> None:
    """List the service types with their specialists."""
    from services import consultations

    settings = _settings()

    async def work(session: AsyncSession) -> list[tuple[str, ...]]:
        rows: list[tuple[str, ...]] = []
        for s in await consultations.list_service_types(session, active_only=False):
            names = [
                f"{p.display_name} ({p.telegram_id})"
                for p in await consultations.specialists_for(session, s.id)
            ]
            rows.append(
                (
                    s.slug,
                    s.name_pl,
                    "yes" if s.requires_referral else "no",
                    str(s.slot_minutes),
                    ", ".join(str(m) for m in s.reminder_offsets_minutes or []),
                    "yes" if s.sensitive else "no",
                    "yes" if s.active else "no",
                    ", ".join(names) or "—",
                )
            )
        return rows

    rows = _consult_db(settings, work)
    if not rows:
        console.print("No service types yet: run `kisbot consult defaults`.")
        return
    table = Table()
    table.add_column("Slug", no_wrap=True)
    for title in ("Name (pl)", "Referral", "Minutes", "Reminders (min before)", "Sensitive"):
        table.add_column(title)
    table.add_column("Active")
    table.add_column("Specialists")
    for row in rows:
        table.add_row(*row)
    console.print(table)


@consult_app.command("defaults")
def consult_defaults() -> None:
    """Create the missing default service types.

    psychologist, legal, social, career; existing ones are left as staff edited them. The bot
    also does this at every start.
    """
    from services import consultations

    settings = _settings()

    async def work(session: AsyncSession) -> int:
        return await consultations.ensure_service_types(session)

    created = _consult_db(settings, work)
    if created:
        console.print(f"Created {created} service type(s). See `kisbot consult services`.")
    else:
        console.print("All default service types already exist.")


@consult_app.command("service")
def consult_service(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="Stable id, e.g. psychologist or debt-advice.")],
    name_pl: Annotated[str | None, typer.Option("--name-pl", help="Name in Polish.")] = None,
    name_uk: Annotated[str | None, typer.Option("--name-uk", help="Name in Ukrainian.")] = None,
    name_en: Annotated[str | None, typer.Option("--name-en", help="Name in English.")] = None,
    referral: Annotated[
        bool | None,
        typer.Option("--referral/--no-referral", help="Booking needs a social worker's referral."),
    ] = None,
    minutes: Annotated[
        int | None, typer.Option("--minutes", help="Length of one appointment (slot).")
    ] = None,
    reminders: Annotated[
        str | None,
        typer.Option("--reminders", help="Minutes before the start, comma-separated: 1440,120."),
    ] = None,
    cutoff: Annotated[
        str | None,
        typer.Option("--cutoff-hours", help="Cancel/move cut-off in hours, or `default`."),
    ] = None,
    sensitive: Annotated[
        bool | None,
        typer.Option(
            "--sensitive/--not-sensitive",
            help="Keep the name off the first line of reminders (psychologist, lawyer).",
        ),
    ] = None,
    active: Annotated[
        bool | None, typer.Option("--active/--inactive", help="Offered to participants.")
    ] = None,
) -> None:
    """Create a service type or change some of its settings.

    Only the options given are changed. Example:
    kisbot consult service legal --reminders 1440,120 --cutoff-hours 48
    """
    from services import consultations

    settings = _settings()
    offsets: list[int] | None = None
    if reminders is not None:
        try:
            offsets = [int(part) for part in reminders.split(",") if part.strip()]
        except ValueError:
            raise _fail(CONSULT_REASONS["consult-service-reminders"].capitalize() + ".") from None
    hours: int | Literal["default"] | None = None
    if cutoff is not None:
        if cutoff.strip().lower() == "default":
            hours = "default"
        elif cutoff.strip().isdigit():
            hours = int(cutoff)
        else:
            raise _fail(CONSULT_REASONS["consult-service-cutoff"].capitalize() + ".")
    names = {
        lang: value
        for lang, value in (("pl", name_pl), ("uk", name_uk), ("en", name_en))
        if value is not None
    }

    async def work(session: AsyncSession) -> tuple[str, bool]:
        actor = await _acting_tid(session, settings, _actor(ctx))
        row, created = await consultations.save_service_type(
            session,
            actor_tid=actor,
            slug=slug.strip(),
            now=utcnow(),
            names=names,
            requires_referral=referral,
            slot_minutes=minutes,
            reminder_offsets_minutes=offsets,
            cancel_cutoff_hours=hours,
            sensitive=sensitive,
            active=active,
        )
        return row.slug, created

    saved, created = _consult_db(settings, work)
    console.print(f"{'Created' if created else 'Updated'} service type {saved}.")


@consult_app.command("link")
def consult_link(
    ctx: typer.Context,
    telegram_id: Annotated[
        int, typer.Argument(metavar="TELEGRAM_ID", help="The specialist's Telegram id.")
    ],
    service_slug: Annotated[
        str,
        typer.Argument(metavar="SERVICE_SLUG", help="e.g. psychologist, legal, social, career."),
    ],
) -> None:
    """Record that a specialist provides a service (setting hours does this too)."""
    from services import consultations

    settings = _settings()

    async def work(session: AsyncSession) -> str:
        actor = await _acting_tid(session, settings, _actor(ctx))
        specialist = await _person_by_tid(session, telegram_id)
        service = await _service(session, service_slug)
        await consultations.link_specialist(
            session, actor_tid=actor, specialist_id=specialist.id, service_type_id=service.id
        )
        return f"{specialist.display_name} ({telegram_id}) provides {service.slug}."

    console.print(_consult_db(settings, work))


@consult_app.command("unlink")
def consult_unlink(
    ctx: typer.Context,
    telegram_id: Annotated[
        int, typer.Argument(metavar="TELEGRAM_ID", help="The specialist's Telegram id.")
    ],
    service_slug: Annotated[str, typer.Argument(metavar="SERVICE_SLUG", help="e.g. psychologist.")],
) -> None:
    """A specialist no longer provides a service.

    Their hours for it are removed and free slots withdrawn; booked appointments stay and
    their participants are asked in the bot to pick another time.
    """
    from services import consultations

    settings = _settings()

    async def work(session: AsyncSession) -> str:
        actor = await _acting_tid(session, settings, _actor(ctx))
        specialist = await _person_by_tid(session, telegram_id)
        service = await _service(session, service_slug)
        result = await consultations.unlink_specialist(
            session,
            actor_tid=actor,
            specialist_id=specialist.id,
            service_type_id=service.id,
            now=utcnow(),
            tz=settings.tz,
            weeks_ahead=settings.slot_weeks_ahead,
        )
        summary = _sync_summary(result.created, result.withdrawn, len(result.affected))
        return f"{specialist.display_name} ({telegram_id}) no longer provides {service.slug}. " + (
            summary
        )

    console.print(_consult_db(settings, work))


@hours_app.command("set")
def hours_set(
    ctx: typer.Context,
    telegram_id: Annotated[
        int, typer.Argument(metavar="TELEGRAM_ID", help="The specialist's Telegram id.")
    ],
    service_slug: Annotated[str, typer.Argument(metavar="SERVICE_SLUG", help="e.g. psychologist.")],
    weekday: Annotated[
        str,
        typer.Argument(
            metavar="WEEKDAY", help="0-6 (0 = Monday) or a name: mon, tue, … / pn, wt, śr, …"
        ),
    ],
    start: Annotated[str, typer.Argument(metavar="FROM", help="Local time, e.g. 10:00.")],
    end: Annotated[str, typer.Argument(metavar="TO", help="Local time, e.g. 12:00.")],
    place: Annotated[str, typer.Option(help="Where, e.g. 'MOPS Wejherowo, pokój 11'.")] = "",
) -> None:
    """Add weekly hours of a specialist for a service.

    Every WEEKDAY from FROM to TO (club time, KISBOT_TIMEZONE) the specialist offers
    SERVICE_SLUG; free slots for KISBOT_SLOT_WEEKS_AHEAD weeks are created at once. Hours of
    one specialist must not overlap on a day.
    """
    from services import consultations

    day = _parsed(parse_weekday, weekday)
    start_at, end_at = _parsed(parse_clock, start), _parsed(parse_clock, end)
    settings = _settings()

    async def work(session: AsyncSession) -> str:
        actor = await _acting_tid(session, settings, _actor(ctx))
        specialist = await _person_by_tid(session, telegram_id)
        service = await _service(session, service_slug)
        change = await consultations.set_weekly_hours(
            session,
            actor_tid=actor,
            specialist_id=specialist.id,
            service_type_id=service.id,
            weekday=day,
            start=start_at,
            end=end_at,
            place=place,
            now=utcnow(),
            tz=settings.tz,
            weeks_ahead=settings.slot_weeks_ahead,
        )
        assert change.hours is not None
        sync = change.sync
        return (
            f"Hours #{change.hours.id}: {specialist.display_name}, {service.slug}, "
            f"{WEEKDAY_NAMES[day]} {start_at:%H:%M}–{end_at:%H:%M}"
            + (f", {change.hours.place}" if change.hours.place else "")
            + ". "
            + _sync_summary(sync.created, sync.withdrawn, len(sync.affected))
        )

    console.print(_consult_db(settings, work), soft_wrap=True)


@hours_app.command("list")
def hours_list(
    telegram_id: Annotated[
        int | None,
        typer.Argument(metavar="[TELEGRAM_ID]", help="Only this specialist (Telegram id)."),
    ] = None,
) -> None:
    """List weekly hours (of everyone, or of one specialist)."""
    from services import consultations

    settings = _settings()

    async def work(session: AsyncSession) -> list[tuple[str, ...]]:
        specialist_id = None
        if telegram_id is not None:
            specialist_id = (await _person_by_tid(session, telegram_id)).id
        services = {
            s.id: s.slug for s in await consultations.list_service_types(session, active_only=False)
        }
        rows: list[tuple[str, ...]] = []
        for h in await consultations.list_weekly_hours(session, specialist_id):
            person = await session.get(Person, h.specialist_id)
            rows.append(
                (
                    str(h.id),
                    (person.display_name or "—") if person else "—",
                    str(person.telegram_id or "—") if person else "—",
                    services.get(h.service_type_id, "?"),
                    WEEKDAY_NAMES[h.weekday],
                    f"{h.start_time:%H:%M}–{h.end_time:%H:%M}",
                    h.place or "—",
                )
            )
        return rows

    table = Table("ID", "Specialist", "Telegram id", "Service", "Weekday", "Hours", "Place")
    for row in _consult_db(settings, work):
        table.add_row(*row)
    console.print(table)


@hours_app.command("remove")
def hours_remove(
    ctx: typer.Context,
    hours_id: Annotated[int, typer.Argument(metavar="ID", help="From `hours list`.")],
) -> None:
    """Remove weekly hours.

    Free slots are withdrawn; booked appointments stay and their participants are asked in the
    bot to pick another time.
    """
    from services import consultations

    _remove_and_sync(
        ctx,
        consultations.remove_weekly_hours,
        "hours_id",
        hours_id,
        "Hours",
        "hours list",
        "weekly hours",
    )


@closure_app.command("add")
def closure_add(
    ctx: typer.Context,
    from_date: Annotated[str, typer.Argument(metavar="FROM_DATE", help="First day, 2027-03-01.")],
    to_date: Annotated[str, typer.Argument(metavar="TO_DATE", help="Last day (included).")],
    reason: Annotated[str, typer.Option(help="Shown to staff, e.g. 'urlop'.")],
    specialist: Annotated[
        int | None,
        typer.Option(help="Telegram id of the specialist on leave; without it the whole club."),
    ] = None,
) -> None:
    """Add days without consultations (leave, a holiday).

    From FROM_DATE to TO_DATE (both included), for one specialist (--specialist) or the whole
    club: free slots are withdrawn; booked appointments stay and their participants are asked
    in the bot to pick another time.
    """
    from services import consultations

    starts_on, ends_on = _parsed(parse_day, from_date), _parsed(parse_day, to_date)
    settings = _settings()

    async def work(session: AsyncSession) -> str:
        actor = await _acting_tid(session, settings, _actor(ctx))
        specialist_id = None
        if specialist is not None:
            specialist_id = (await _person_by_tid(session, specialist)).id
        change = await consultations.add_closure(
            session,
            actor_tid=actor,
            specialist_id=specialist_id,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason,
            now=utcnow(),
            tz=settings.tz,
            weeks_ahead=settings.slot_weeks_ahead,
        )
        sync = change.sync
        who = "the whole club" if specialist is None else f"Telegram id {specialist}"
        return (
            f"Closure #{change.closure.id}: {who}, {starts_on:%d.%m.%Y}–{ends_on:%d.%m.%Y}. "
            + _sync_summary(sync.created, sync.withdrawn, len(sync.affected))
        )

    console.print(_consult_db(settings, work), soft_wrap=True)


@closure_app.command("list")
def closure_list() -> None:
    """List closures not over yet."""
    from services import consultations

    settings = _settings()

    async def work(session: AsyncSession) -> list[tuple[str, ...]]:
        today = utcnow().astimezone(settings.tz).date()
        rows: list[tuple[str, ...]] = []
        for cl in await consultations.list_closures(session, today=today):
            who = "whole club"
            if cl.specialist_id is not None:
                person = await session.get(Person, cl.specialist_id)
                who = f"{person.display_name} ({person.telegram_id})" if person else "—"
            rows.append(
                (
                    str(cl.id),
                    f"{cl.starts_on:%Y-%m-%d}",
                    f"{cl.ends_on:%Y-%m-%d}",
                    who,
                    cl.reason or "—",
                )
            )
        return rows

    table = Table("ID", "From", "To", "Who", "Reason")
    for row in _consult_db(settings, work):
        table.add_row(*row)
    console.print(table)


@closure_app.command("remove")
def closure_remove(
    ctx: typer.Context,
    closure_id: Annotated[int, typer.Argument(metavar="ID", help="From `closure list`.")],
) -> None:
    """Remove a closure: its days get their free slots back."""
    from services import consultations

    _remove_and_sync(
        ctx,
        consultations.remove_closure,
        "closure_id",
        closure_id,
        "Closure",
        "closure list",
        "closure",
    )


@consult_app.command("referral")
def consult_referral(
    ctx: typer.Context,
    telegram_id: Annotated[
        int, typer.Argument(metavar="TELEGRAM_ID", help="The participant's Telegram id.")
    ],
    service_slug: Annotated[
        str, typer.Argument(metavar="SERVICE_SLUG", help="A service that needs a referral.")
    ],
    sessions: Annotated[int, typer.Option(help="How many appointments it allows.")],
    days: Annotated[int, typer.Option(help="Valid for this many days from today.")] = 90,
) -> None:
    """Refer a participant to a service (like "📝 Skierowania" in the bot).

    The participant is not messaged from the command line: tell them they can now book in the
    bot ("💬 Konsultacje"). For a link to hand out, use the bot's "🔗 Link ze skierowaniem".
    """
    from services import consultations

    if not 1 <= days <= 366:
        raise _fail("--days must be between 1 and 366.")
    settings = _settings()

    async def work(session: AsyncSession) -> str:
        actor = await _acting_tid(session, settings, _actor(ctx))
        person = await _person_by_tid(session, telegram_id)
        if person.is_staff:
            raise _Refused(f"Telegram id {telegram_id} is a staff member, not a participant.")
        service = await _service(session, service_slug)
        now = utcnow()
        expires_on = now.astimezone(settings.tz).date() + timedelta(days=days)
        referral = await consultations.issue_referral(
            session,
            actor_tid=actor,
            person_id=person.id,
            service_type_id=service.id,
            sessions=sessions,
            expires_on=expires_on,
            now=now,
            tz=settings.tz,
        )
        return (
            f"Referral #{referral.id} for {person.display_name} ({telegram_id}): "
            f"{service.slug}, {sessions} session(s), valid until {expires_on:%d.%m.%Y}."
        )

    console.print(_consult_db(settings, work), soft_wrap=True)


# --- participants --------------------------------------------------------------------------

participant_app = typer.Typer(
    help="Participants' accounts (docs/staff-guide.md).", no_args_is_help=True
)
app.add_typer(participant_app, name="participant")


@participant_app.callback()
def participant_main(
    ctx: typer.Context,
    actor: Annotated[
        int | None, typer.Option("--as", envvar="KISBOT_CLI_ACTOR", help=ACTOR_HELP)
    ] = None,
) -> None:
    """Participants' accounts."""
    ctx.obj = {"actor": actor}


@participant_app.command("deactivate")
def participant_deactivate(
    ctx: typer.Context,
    telegram_id: Annotated[int, typer.Argument(help="The participant's Telegram id.")],
) -> None:
    """Deactivate a participant and cancel their future bookings (freed workshop seats are
    offered to the waiting list), as the participant card in the bot does."""
    from handlers.common import policy_from
    from services import childcare, deactivation
    from services.errors import AlreadyDecided

    settings = _settings()
    # The care hooks of the booking services read the configured policy, as in the bot.
    childcare.configure(
        childcare.CarePolicy(settings.care_margin_minutes, settings.care_capacity, settings.tz)
    )

    async def work(session: AsyncSession) -> str:
        actor_tid = await _acting_tid(session, settings, _actor(ctx))
        person = await _person_by_tid(session, telegram_id)
        try:
            summary = await deactivation.deactivate_participant(
                session, actor_tid, person.id, utcnow(), policy_from(settings)
            )
        except AlreadyDecided:
            raise _Refused(
                f"{person.display_name} ({telegram_id}) is not active or waiting for approval "
                f"(status: {person.status})."
            ) from None
        return (
            f"Deactivated {person.display_name} ({telegram_id}). Cancelled: "
            f"{summary.workshop_seats} workshop seat(s) (offered to the waiting list), "
            f"{summary.waiting_places} waiting-list place(s), "
            f"{summary.consultations} consultation(s), {summary.care_requests} childcare "
            f"request(s); {summary.messages} queued message(s) will not be sent."
        )

    console.print(_consult_db(settings, work), soft_wrap=True)


def _register_more_commands() -> None:
    """Command groups that live in their own modules (they import nothing from this one at
    import time)."""
    from bot import cli_care, cli_reports

    app.add_typer(cli_care.care_app, name="care")
    app.add_typer(cli_reports.export_app, name="export")
    app.command("report")(cli_reports.report)


_register_more_commands()

__all__ = ["app"]
