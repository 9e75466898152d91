"""`kisbot participant …`: participants' accounts (docs/staff-guide.md)."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.common import (
    ActorOption,
    Refused,
    acting_tid,
    actor_of,
    console,
    consult_db,
    load_settings,
    person_by_tid,
)
from bot.settings import policy_from
from models.base import utcnow

participant_app = typer.Typer(
    help="Participants' accounts (docs/staff-guide.md).", no_args_is_help=True
)


@participant_app.callback()
def participant_main(
    ctx: typer.Context,
    actor: ActorOption = None,
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
    from services import deactivation
    from services.errors import AlreadyDecided

    settings = load_settings()
    policy = policy_from(settings)

    async def work(session: AsyncSession) -> str:
        actor_tid = await acting_tid(session, settings, actor_of(ctx))
        person = await person_by_tid(session, telegram_id)
        try:
            summary = await deactivation.deactivate_participant(
                session, actor_tid, person.id, utcnow(), policy
            )
        except AlreadyDecided:
            raise Refused(
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

    console.print(consult_db(settings, work), soft_wrap=True)
