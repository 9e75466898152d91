"""Housekeeping: forget what nobody needs any more (data minimisation)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import ContextTypes

from models import Broadcast, BroadcastStatus, Invite, Person, PersonStatus
from models.db import rowcount
from services import intake

log = logging.getLogger(__name__)

# A sign-up left half-way (consented, never finished) is deleted after this long.
ABANDONED_ONBOARDING_AFTER = timedelta(days=30)
# Unused invites are kept this long past their expiry (so staff can see they expired).
EXPIRED_INVITE_KEPT_FOR = timedelta(days=30)
# A broadcast draft never sent (or thrown away) is deleted after this long.
ABANDONED_DRAFT_AFTER = timedelta(days=30)
INTERVAL = timedelta(hours=6)


@dataclass(frozen=True)
class Purged:
    """How many rows one housekeeping run removed."""

    abandoned_signups: int
    expired_invites: int
    abandoned_drafts: int = 0
    handled_updates: int = 0


async def purge_stale_data(session: AsyncSession, now: datetime) -> Purged:
    """Delete abandoned sign-ups, long-expired unused invites, old unsent broadcast drafts
    (sent broadcasts stay: they are the delivery log) and the ids of long-handled updates."""
    signups = await session.execute(
        delete(Person).where(
            Person.status == PersonStatus.ONBOARDING.value,
            Person.created_at < now - ABANDONED_ONBOARDING_AFTER,
        )
    )
    invites = await session.execute(
        delete(Invite).where(
            Invite.used_at.is_(None), Invite.expires_at < now - EXPIRED_INVITE_KEPT_FOR
        )
    )
    drafts = await session.execute(
        delete(Broadcast).where(
            Broadcast.status.in_((BroadcastStatus.DRAFT.value, BroadcastStatus.DISCARDED.value)),
            Broadcast.created_at < now - ABANDONED_DRAFT_AFTER,
        )
    )
    await intake.mark_stale_done(session, now)
    updates = await intake.purge_done(session, now)
    return Purged(
        rowcount(signups),
        rowcount(invites),
        rowcount(drafts),
        updates,
    )


async def housekeeping_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The JobQueue callback: one transaction, counts in the log (no personal data)."""
    deps = context.application.bot_data["deps"]
    async with deps.transaction() as session:
        purged = await purge_stale_data(session, deps.clock())
    if purged.abandoned_signups or purged.expired_invites or purged.abandoned_drafts:
        log.info(
            "housekeeping removed %d abandoned sign-ups, %d expired invites, %d old drafts",
            purged.abandoned_signups,
            purged.expired_invites,
            purged.abandoned_drafts,
        )
