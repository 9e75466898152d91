"""Consultation slots kept in step with the weekly hours, and past appointments closed."""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import Application

from bot.context import Deps
from scheduler.dispatcher import wake_dispatcher
from services import consultations

log = logging.getLogger(__name__)

AnyApp = Application[Any, Any, Any, Any, Any, Any]


async def run_slot_sync(app: AnyApp) -> int:
    """Keep free slots generated `KISBOT_SLOT_WEEKS_AHEAD` weeks ahead; slots created.

    Participants whose booked slot the hours no longer cover get a `consult_moved` message.
    """
    deps: Deps = app.bot_data["deps"]
    async with deps.transaction() as session:
        result = await consultations.sync_slots(
            session,
            now=deps.clock(),
            tz=deps.policy.tz,
            weeks_ahead=deps.settings.slot_weeks_ahead,
        )
    if result.affected:
        wake_dispatcher(app)
    log.info("slot sync: %d created, %d withdrawn", result.created, result.withdrawn)
    return result.created


async def run_close_past(app: AnyApp) -> int:
    """Appointments over without an outcome become 'unmarked'; how many."""
    deps: Deps = app.bot_data["deps"]
    async with deps.transaction() as session:
        return await consultations.close_past_bookings(session, now=deps.clock())
