"""`kisbot consult …`: service types, specialists, weekly hours, closures and referrals."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Any, Literal

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.common import (
    CONSULT_REASONS,
    Acting,
    Refused,
    actor_of,
    as_admin,
    console,
    consult_db,
    fail,
    load_settings,
    parse_clock,
    parse_day,
    parse_weekday,
    parsed,
    person_by_tid,
    with_actor_option,
)
from models import Person, ServiceType
from models.base import utcnow
from services.consult_schedule import SyncResult
from services.errors import NotFound

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
with_actor_option(consult_app)
consult_app.add_typer(hours_app, name="hours")
consult_app.add_typer(closure_app, name="closure")

SpecialistArg = Annotated[
    int, typer.Argument(metavar="TELEGRAM_ID", help="The specialist's Telegram id.")
]
ServiceArg = Annotated[
    str, typer.Argument(metavar="SERVICE_SLUG", help="e.g. psychologist, legal, social, career.")
]
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


async def _service(session: AsyncSession, slug: str) -> ServiceType:
    from services import consultations

    try:
        return await consultations.service_type_by_slug(session, slug)
    except NotFound:
        known = ", ".join(s.slug for s in await consultations.list_service_types(session))
        raise Refused(
            f"Unknown service {slug!r}. Known: {known or 'none (run `kisbot consult defaults`)'}."
        ) from None


def _slots_args(a: Acting) -> dict[str, Any]:
    """The arguments every change that brings the slots in line takes: who, now, zone, weeks."""
    return {
        "actor_tid": a.tid,
        "now": utcnow(),
        "tz": a.settings.tz,
        "weeks_ahead": a.settings.slot_weeks_ahead,
    }


def _sync_summary(sync: SyncResult) -> str:
    text = f"{sync.created} new free slot(s), {sync.withdrawn} free slot(s) withdrawn."
    if sync.affected:
        text += (
            f" {len(sync.affected)} booked appointment(s) no longer fit: they stay valid and "
            "their participants are asked in the bot to pick another time."
        )
    return text


def _act(ctx: typer.Context, work: Callable[[Acting], Awaitable[str]]) -> None:
    """Run `work` as the acting administrator (`--as`) and print what it says."""
    console.print(as_admin(actor_of(ctx), work), soft_wrap=True)


def _act_on_specialist(
    ctx: typer.Context,
    telegram_id: int,
    service_slug: str,
    work: Callable[[Acting, Person, ServiceType], Awaitable[str]],
) -> None:
    """`_act` with the specialist TELEGRAM_ID and the service SERVICE_SLUG looked up."""

    async def act(a: Acting) -> str:
        specialist = await a.person(telegram_id)
        return await work(a, specialist, await _service(a.session, service_slug))

    _act(ctx, act)


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

    async def work(a: Acting) -> str:
        try:
            change = await remove(a.session, **_slots_args(a), **{id_name: item_id})
        except NotFound:
            raise Refused(f"No {missing} #{item_id} (see `kisbot consult {listing}`).") from None
        return f"{label} #{item_id} removed. " + _sync_summary(change.sync)

    _act(ctx, work)


@consult_app.command("services")
def consult_services() -> None:
    """List the service types with their specialists."""
    from services import consultations

    settings = load_settings()

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

    rows = consult_db(settings, work)
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

    settings = load_settings()

    async def work(session: AsyncSession) -> int:
        return await consultations.ensure_service_types(session)

    created = consult_db(settings, work)
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

    offsets: list[int] | None = None
    if reminders is not None:
        try:
            offsets = [int(part) for part in reminders.split(",") if part.strip()]
        except ValueError:
            raise fail(CONSULT_REASONS["consult-service-reminders"].capitalize() + ".") from None
    hours: int | Literal["default"] | None = None
    if cutoff is not None:
        if cutoff.strip().lower() == "default":
            hours = "default"
        elif cutoff.strip().isdigit():
            hours = int(cutoff)
        else:
            raise fail(CONSULT_REASONS["consult-service-cutoff"].capitalize() + ".")
    names = {
        lang: value
        for lang, value in (("pl", name_pl), ("uk", name_uk), ("en", name_en))
        if value is not None
    }

    async def work(a: Acting) -> str:
        row, created = await consultations.save_service_type(
            a.session,
            actor_tid=a.tid,
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
        return f"{'Created' if created else 'Updated'} service type {row.slug}."

    _act(ctx, work)


@consult_app.command("link")
def consult_link(
    ctx: typer.Context,
    telegram_id: SpecialistArg,
    service_slug: ServiceArg,
) -> None:
    """Record that a specialist provides a service (setting hours does this too)."""
    from services import consultations

    async def work(a: Acting, specialist: Person, service: ServiceType) -> str:
        await consultations.link_specialist(
            a.session, actor_tid=a.tid, specialist_id=specialist.id, service_type_id=service.id
        )
        return f"{specialist.display_name} ({telegram_id}) provides {service.slug}."

    _act_on_specialist(ctx, telegram_id, service_slug, work)


@consult_app.command("unlink")
def consult_unlink(
    ctx: typer.Context,
    telegram_id: SpecialistArg,
    service_slug: ServiceArg,
) -> None:
    """A specialist no longer provides a service.

    Their hours for it are removed and free slots withdrawn; booked appointments stay and
    their participants are asked in the bot to pick another time.
    """
    from services import consultations

    async def work(a: Acting, specialist: Person, service: ServiceType) -> str:
        sync = await consultations.unlink_specialist(
            a.session, specialist_id=specialist.id, service_type_id=service.id, **_slots_args(a)
        )
        return (
            f"{specialist.display_name} ({telegram_id}) no longer provides {service.slug}. "
            + _sync_summary(sync)
        )

    _act_on_specialist(ctx, telegram_id, service_slug, work)


@hours_app.command("set")
def hours_set(
    ctx: typer.Context,
    telegram_id: SpecialistArg,
    service_slug: ServiceArg,
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

    day = parsed(parse_weekday, weekday)
    start_at, end_at = parsed(parse_clock, start), parsed(parse_clock, end)

    async def work(a: Acting, specialist: Person, service: ServiceType) -> str:
        change = await consultations.set_weekly_hours(
            a.session,
            specialist_id=specialist.id,
            service_type_id=service.id,
            weekday=day,
            start=start_at,
            end=end_at,
            place=place,
            **_slots_args(a),
        )
        assert change.hours is not None
        return (
            f"Hours #{change.hours.id}: {specialist.display_name}, {service.slug}, "
            f"{WEEKDAY_NAMES[day]} {start_at:%H:%M}–{end_at:%H:%M}"
            + (f", {change.hours.place}" if change.hours.place else "")
            + ". "
            + _sync_summary(change.sync)
        )

    _act_on_specialist(ctx, telegram_id, service_slug, work)


@hours_app.command("list")
def hours_list(
    telegram_id: Annotated[
        int | None,
        typer.Argument(metavar="[TELEGRAM_ID]", help="Only this specialist (Telegram id)."),
    ] = None,
) -> None:
    """List weekly hours (of everyone, or of one specialist)."""
    from services import consultations

    settings = load_settings()

    async def work(session: AsyncSession) -> list[tuple[str, ...]]:
        specialist_id = None
        if telegram_id is not None:
            specialist_id = (await person_by_tid(session, telegram_id)).id
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
    for row in consult_db(settings, work):
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

    starts_on, ends_on = parsed(parse_day, from_date), parsed(parse_day, to_date)

    async def work(a: Acting) -> str:
        specialist_id = None if specialist is None else (await a.person(specialist)).id
        change = await consultations.add_closure(
            a.session,
            specialist_id=specialist_id,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason,
            **_slots_args(a),
        )
        who = "the whole club" if specialist is None else f"Telegram id {specialist}"
        return (
            f"Closure #{change.closure.id}: {who}, {starts_on:%d.%m.%Y}–{ends_on:%d.%m.%Y}. "
            + _sync_summary(change.sync)
        )

    _act(ctx, work)


@closure_app.command("list")
def closure_list() -> None:
    """List closures not over yet."""
    from services import consultations

    settings = load_settings()

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
    for row in consult_db(settings, work):
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
        raise fail("--days must be between 1 and 366.")

    async def work(a: Acting) -> str:
        person = await a.person(telegram_id)
        if person.is_staff:
            raise Refused(f"Telegram id {telegram_id} is a staff member, not a participant.")
        service = await _service(a.session, service_slug)
        now = utcnow()
        expires_on = now.astimezone(a.settings.tz).date() + timedelta(days=days)
        referral = await consultations.issue_referral(
            a.session,
            actor_tid=a.tid,
            person_id=person.id,
            service_type_id=service.id,
            sessions=sessions,
            expires_on=expires_on,
            now=now,
            tz=a.settings.tz,
        )
        return (
            f"Referral #{referral.id} for {person.display_name} ({telegram_id}): "
            f"{service.slug}, {sessions} session(s), valid until {expires_on:%d.%m.%Y}."
        )

    _act(ctx, work)
