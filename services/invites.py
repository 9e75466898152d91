"""Invite links for people who already have a social contract."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from models import Invite
from services import audit
from services.people import clean_name

# Deep-link payloads allow 1-64 characters of A-Z, a-z, 0-9, _ and -; token_urlsafe uses those.
CODE_BYTES = 12


async def create_invite(
    session: AsyncSession,
    name: str,
    now: datetime,
    valid_days: int,
    created_by_id: int | None = None,
) -> Invite:
    """A fresh single-use invite for the person called `name`."""
    invite = Invite(
        code=secrets.token_urlsafe(CODE_BYTES),
        display_name=clean_name(name),
        created_by_id=created_by_id,
        created_at=now,
        expires_at=now + timedelta(days=valid_days),
    )
    session.add(invite)
    await session.flush()
    await audit.record_action(session, created_by_id, "invite.create", "invite", invite.id)
    return invite


def invite_link(bot_username: str, code: str) -> str:
    """The t.me deep link that starts the bot with the invite code."""
    return f"https://t.me/{bot_username}?start={code}"
