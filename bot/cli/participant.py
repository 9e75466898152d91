"""`kisbot participant …`: participants' accounts (docs/staff-guide.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import Acting, Refused, actor_of, as_admin, console, with_actor_option
from models.base import utcnow

participant_app = typer.Typer(
    help="Participants' accounts (docs/staff-guide.md).", no_args_is_help=True
)

with_actor_option(participant_app)


@participant_app.command("deactivate")
def participant_deactivate(
    ctx: typer.Context,
    telegram_id: Annotated[int, typer.Argument(help="The participant's Telegram id.")],
) -> None:
    """Deactivate a participant and cancel their future bookings (freed workshop seats are
    offered to the waiting list), as the participant card in the bot does."""
    from services import deactivation
    from services.errors import AlreadyDecided

    async def work(a: Acting) -> str:
        person = await a.person(telegram_id)
        try:
            summary = await deactivation.deactivate_participant(
                a.session, a.tid, person.id, utcnow(), a.policy
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

    console.print(as_admin(actor_of(ctx), work), soft_wrap=True)
