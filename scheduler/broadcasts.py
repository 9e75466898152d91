"""The broadcast progress job: starts scheduled broadcasts, keeps each author's progress
message current and closes the report once every recipient's row is final."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from bot.context import Deps
from handlers.broadcasts import PROGRESS_EVERY, ProgressView, progress_view, show_progress
from scheduler.dispatcher import wake_dispatcher
from services import broadcasts

PROGRESS_TICK = 2.0  # s between looks at the running broadcasts


async def run_broadcast_progress(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Start scheduled broadcasts that are due, edit each running one's progress message (at
    most every PROGRESS_EVERY) and, when every recipient is final, show the report and tell
    the author. Conditional updates decide, so two bot processes never both edit or both
    announce the end."""
    deps: Deps = app.bot_data["deps"]
    now = deps.clock()
    views: list[ProgressView] = []
    async with deps.transaction() as session:
        started = await broadcasts.start_due(session, now)
        live = await broadcasts.live(session)
        for bc in live:
            finished = await broadcasts.finish_if_done(session, bc.id, now)
            if finished is None and not await broadcasts.claim_progress(
                session, bc.id, now, PROGRESS_EVERY
            ):
                continue
            if bc.progress_chat_id is None and finished is None:
                continue
            await session.refresh(bc)
            report = finished or await broadcasts.report(session, bc.id)
            views.append(await progress_view(session, deps, bc, report, finished is not None))
    if started:
        wake_dispatcher(app)
    for view in views:
        await show_progress(app.bot, deps, view)
