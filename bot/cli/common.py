"""What the `kisbot` commands share: settings, one transaction on a migrated database, the
operator-facing refusals, the acting administrator and the parsers of days and times."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import date as dt_date
from datetime import time as dt_time
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncSession

from bot.logs import protect_streams, register_secrets
from bot.settings import Settings, policy_from
from models import Person
from models.base import utcnow
from models.db import create_engine, create_sessionmaker
from services import people
from services.errors import DomainError, InvalidInput, NotFound
from services.policy import Policy

console = Console()
err_console = Console(stderr=True)
T = TypeVar("T")


def load_settings() -> Settings:
    """The settings; from here on the token and the database password never reach the output."""
    protect_streams()
    try:
        settings = Settings()
    except Exception as exc:  # pydantic's message names the bad variable
        err_console.print(f"[red]Configuration error:[/red] {exc}")
        raise typer.Exit(2) from exc
    register_secrets(settings.token, settings.database_url)
    return settings


def run_db(settings: Settings, coroutine: Coroutine[Any, Any, T]) -> T:
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


async def in_transaction(
    settings: Settings, work: Callable[[AsyncSession], Awaitable[T]], *, migrate: bool = True
) -> T:
    """`work(session)` in one transaction on the database (migrated first unless told not to);
    the engine is disposed of afterwards."""
    from models.migrate import upgrade

    engine = create_engine(settings.database_url, **settings.db_timeouts)
    try:
        if migrate:
            await upgrade(engine)
        async with create_sessionmaker(engine).begin() as session:
            return await work(session)
    finally:
        await engine.dispose()


def with_db(settings: Settings, work: Callable[..., Awaitable[T]], *, migrate: bool = True) -> T:
    """Run `work(session)` in one transaction on a migrated database."""
    try:
        return run_db(settings, in_transaction(settings, work, migrate=migrate))
    except InvalidInput as exc:
        console.print(f"[red]Invalid value:[/red] {exc.reason}")
        raise typer.Exit(2) from exc
    except NotFound as exc:
        console.print("[red]Not found.[/red] Nothing was changed.")
        raise typer.Exit(1) from exc
    except DomainError as exc:
        console.print(f"[red]Refused:[/red] {type(exc).__name__}. Nothing was changed.")
        raise typer.Exit(1) from exc


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


class Refused(Exception):
    """A CLI-level refusal with a message for the operator (nothing was changed)."""


def fail(message: str) -> typer.Exit:
    """Print MESSAGE as an error (nothing was changed); raise the returned exit (code 1)."""
    from rich.markup import escape

    console.print(f"[red]Error:[/red] {escape(message)} Nothing was changed.", soft_wrap=True)
    return typer.Exit(1)


def consult_refusal(exc: Exception) -> typer.Exit:
    """The operator's message for a refused `kisbot consult`-style change (exit code 1)."""
    from services.errors import NotAllowed

    if isinstance(exc, Refused):
        return fail(str(exc))
    if isinstance(exc, InvalidInput):
        return fail(CONSULT_REASONS.get(exc.reason, exc.reason).capitalize() + ".")
    if isinstance(exc, NotAllowed):
        return fail("The acting person is not an active admin or coordinator (see --as).")
    if isinstance(exc, NotFound):
        return fail("Not found.")
    return fail(f"Refused: {type(exc).__name__}.")


def consult_db(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Like `with_db`, but every refusal is explained and exits with code 1."""
    try:
        return run_db(settings, in_transaction(settings, work))
    except (Refused, DomainError) as exc:
        raise consult_refusal(exc) from exc


@dataclass(frozen=True)
class Acting:
    """What a command that acts as an administrator works with: its transaction, the settings
    and the Telegram id of the person the change is recorded for."""

    session: AsyncSession
    settings: Settings
    tid: int

    @property
    def policy(self) -> Policy:
        return policy_from(self.settings)

    async def person(self, telegram_id: int) -> Person:
        """The person with this Telegram id (Refused when the bot does not know them)."""
        return await person_by_tid(self.session, telegram_id)


def as_admin(
    actor: int | None,
    work: Callable[[Acting], Awaitable[T]],
    *,
    settings: Settings | None = None,
    refusal: Callable[[Exception], typer.Exit] = consult_refusal,
) -> T:
    """Run `work(acting)` in one transaction on a migrated database, acting as `actor` (`--as`,
    see `acting_tid`); a refusal is `refusal(exc)`'s message and exit code, nothing changed."""
    settings = settings or load_settings()

    async def act(session: AsyncSession) -> T:
        tid = await acting_tid(session, settings, actor)
        return await work(Acting(session, settings, tid))

    try:
        return run_db(settings, in_transaction(settings, act))
    except (Refused, DomainError) as exc:
        raise refusal(exc) from exc


async def acting_tid(session: AsyncSession, settings: Settings, actor: int | None) -> int:
    """Whom a change made from the command line is recorded for.

    The service layer checks a role on every change, as it does in the bot. The CLI is run
    by whoever administers the server, so it acts as an administrator: `--as` names one
    (an active admin or coordinator), otherwise the first of KISBOT_ADMIN_IDS, made an admin
    first exactly as the bot does at every start.
    """
    if actor is not None:
        return actor  # the service checks the role
    if not settings.admin_ids:
        raise Refused(
            "No administrator to act as: set KISBOT_ADMIN_IDS (as for the bot) or pass "
            "--as TELEGRAM_ID of an active admin or coordinator."
        )
    await people.ensure_admins(session, settings.admin_ids, settings.default_language, utcnow())
    return settings.admin_ids[0]


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


def parsed(parse: Callable[[str], T], text: str) -> T:
    """`parse(text)`, a ValueError becoming the operator's error message and exit code 1."""
    try:
        return parse(text)
    except ValueError as exc:
        raise fail(str(exc).capitalize() + ".") from exc


ACTOR_HELP = (
    "Telegram id of the admin or coordinator the change is recorded for in the audit log "
    "(default: the first of KISBOT_ADMIN_IDS)."
)


# The `--as TELEGRAM_ID` option of command groups whose changes are recorded for someone.
ActorOption = Annotated[
    int | None, typer.Option("--as", envvar="KISBOT_CLI_ACTOR", help=ACTOR_HELP)
]


def with_actor_option(group: typer.Typer) -> None:
    """Give the command group GROUP the `--as TELEGRAM_ID` option (before the command name),
    which its commands read with `actor_of(ctx)`."""

    def remember_actor(ctx: typer.Context, actor: ActorOption = None) -> None:
        ctx.obj = {"actor": actor}

    group.callback()(remember_actor)


def actor_of(ctx: typer.Context) -> int | None:
    """The `--as` Telegram id a command group's callback stored in the context, if any."""
    obj = ctx.obj if isinstance(ctx.obj, dict) else {}
    value = obj.get("actor")
    return value if isinstance(value, int) else None


async def person_by_tid(session: AsyncSession, telegram_id: int) -> Person:
    """The person with this Telegram id (Refused when the bot does not know them)."""
    person = await people.get_by_telegram_id(session, telegram_id)
    if person is None:
        raise Refused(f"Nobody with Telegram id {telegram_id} is known to the bot.")
    return person
