"""Freed-seat offers that were not answered in time pass to the next person."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from bot.context import Deps
from scheduler.dispatcher import wake_dispatcher
from services import workshops


async def run_offer_expiry(app: Application[Any, Any, Any, Any, Any, Any]) -> int:
    """End overdue offers and pass their seats on (a scheduler job; tests call it directly)."""
    deps: Deps = app.bot_data["deps"]
    async with deps.transaction() as session:
        ended = await workshops.expire_offers(session, deps.clock(), deps.policy)
    if ended:
        wake_dispatcher(app)
    return ended
