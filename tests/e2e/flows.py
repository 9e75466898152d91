"""Reusable end-to-end steps (what a real person taps), shared by the e2e tests."""

from __future__ import annotations

from sqlalchemy import select

from models import Person
from sandbox import Reply, SimUser
from services import invites
from tests.e2e.conftest import Harness


async def person_row(h: Harness, telegram_id: int) -> Person | None:
    """The stored person for a Telegram id."""
    async with h.sessionmaker() as session:
        return await session.scalar(select(Person).where(Person.telegram_id == telegram_id))


async def create_invite(h: Harness, name: str) -> str:
    """An invite code made the way `kisbot invite create` makes it."""
    async with h.sessionmaker.begin() as session:
        invite = await invites.create_invite(session, name, h.clock(), 30)
    return invite.code


async def consent(user: SimUser, start_text: str = "/start", language: str = "Polski") -> Reply:
    """/start → language → "I agree"; returns the reply to the agreement."""
    reply = await user.say(start_text)
    assert "Polski" in " ".join(reply.buttons)
    await user.tap(language, contains=True)
    agree = {"Polski": "Zgadzam się", "Українська": "Погоджуюся", "English": "I agree"}
    return await user.tap(agree[language], contains=True)


async def register_self(
    h: Harness, user: SimUser, name: str = "Jan Kowalski", language: str = "Polski"
) -> Reply:
    """Self-registration up to "waiting for approval" (phone skipped)."""
    await consent(user, language=language)
    await user.say(name)
    skip = {"Polski": "Pomiń", "Українська": "Пропустити", "English": "Skip"}[language]
    return await user.tap(skip)


async def register_active(h: Harness, user: SimUser, name: str = "Anna Nowak") -> Reply:
    """A participant activated through an invite link, phone shared."""
    code = await create_invite(h, name)
    await consent(user, f"/start {code}")
    return await user.tap("Udostępnij mój numer", contains=True)


async def expect_text(user: SimUser, fragment: str, timeout: float = 15.0) -> Reply:
    """Wait (through several bot reactions if needed) until a message containing `fragment`."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        reply = await user.expect(timeout=max(0.1, deadline - time.monotonic()))
        if fragment in reply.text:
            return reply
