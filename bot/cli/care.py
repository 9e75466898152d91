"""`kisbot care capacity …`: how many dependants the childcare partner can take at once.

Registered on the main CLI in bot/cli/__init__.py. The commands act as an administrator
exactly like `kisbot consult` (`--as TELEGRAM_ID`, default the first of KISBOT_ADMIN_IDS); every
change is role-checked in the service and written to the audit log; a refusal changes nothing.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from bot.cli.common import (
    Acting,
    ActorOption,
    Refused,
    as_admin,
    console,
    load_settings,
    parse_clock,
    parse_weekday,
    parsed,
)

care_app = typer.Typer(help="Childcare: the partner's capacity.", no_args_is_help=True)
capacity_app = typer.Typer(
    help="Capacity windows: how many at once, optional age limits.", no_args_is_help=True
)
care_app.add_typer(capacity_app, name="capacity")

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@capacity_app.command("set")
def capacity_set(
    weekday: Annotated[
        str, typer.Argument(help="A weekday (0-6, mon, pn, …) or `all` for every day.")
    ],
    start: Annotated[str, typer.Argument(metavar="FROM", help="Start, e.g. 08:00.")],
    end: Annotated[str, typer.Argument(metavar="TO", help="End, e.g. 16:00.")],
    places: Annotated[int, typer.Argument(metavar="MAX", help="How many dependants at once.")],
    min_age: Annotated[int | None, typer.Option("--min-age", help="Youngest age taken.")] = None,
    max_age: Annotated[int | None, typer.Option("--max-age", help="Oldest age taken.")] = None,
    window_id: Annotated[
        int | None, typer.Option("--id", help="Change this window instead of adding one.")
    ] = None,
    actor: ActorOption = None,
) -> None:
    """Add (or change with --id) a capacity window; held requests that now fit move up."""
    from models.base import utcnow
    from services import childcare

    day = None if weekday.strip().lower() in ("all", "*", "every") else parsed(
        parse_weekday, weekday
    )  # fmt: skip
    start_time, end_time = parsed(parse_clock, start), parsed(parse_clock, end)

    async def work(a: Acting) -> int:
        row = await childcare.set_capacity_window(
            a.session,
            actor_tid=a.tid,
            weekday=day,
            start=start_time,
            end=end_time,
            max_dependants=places,
            min_age=min_age,
            max_age=max_age,
            window_id=window_id,
            now=utcnow(),
            policy=a.policy,
        )
        return row.id

    saved = as_admin(actor, work)
    console.print(f"Capacity window #{saved} saved. See `kisbot care capacity list`.")


@capacity_app.command("list")
def capacity_list(actor: ActorOption = None) -> None:
    """The capacity windows (the default, KISBOT_CARE_CAPACITY, applies elsewhere)."""
    from services import childcare

    settings = load_settings()

    async def work(a: Acting) -> list[tuple[str, ...]]:
        return [
            (
                str(w.id),
                "every day" if w.weekday is None else WEEKDAYS[w.weekday],
                f"{w.start_time:%H:%M}–{w.end_time:%H:%M}",
                str(w.max_dependants),
                "—" if w.min_age is None else str(w.min_age),
                "—" if w.max_age is None else str(w.max_age),
            )
            for w in await childcare.capacity_windows(a.session, a.tid)
        ]

    rows = as_admin(actor, work, settings=settings)
    console.print(f"Default capacity where no window applies: {settings.care_capacity}.")
    if not rows:
        return
    table = Table()
    for title in ("Id", "Day", "Time", "At once", "Min age", "Max age"):
        table.add_column(title)
    for row in rows:
        table.add_row(*row)
    console.print(table)


@capacity_app.command("remove")
def capacity_remove(
    window_id: Annotated[int, typer.Argument(metavar="ID", help="From `capacity list`.")],
    actor: ActorOption = None,
) -> None:
    """Remove a capacity window (the default applies there again)."""
    from models.base import utcnow
    from services import childcare
    from services.errors import NotFound

    async def work(a: Acting) -> None:
        try:
            await childcare.remove_capacity_window(
                a.session, actor_tid=a.tid, window_id=window_id, now=utcnow(), policy=a.policy
            )
        except NotFound:
            raise Refused(
                f"No capacity window #{window_id} (see `kisbot care capacity list`)."
            ) from None

    as_admin(actor, work)
    console.print(f"Capacity window #{window_id} removed.")
