"""Staff menu buttons (`st:…`; handlers/staff.py): pending self-registrations with Approve /
Reject, invites, About, and the Cancel under every staff question that waits for typed text;
and the invite prompt (`Person.awaiting = "invite_name"`)."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.buttons import Button, Feature, Id, Prompt


class St(Button, feature=Feature.STAFF):
    """The staff menu codec."""


@dataclass(frozen=True)
class Pending(St, action="pd"):
    """Every self-registration waiting for a decision."""


@dataclass(frozen=True)
class Approve(St, action="ap"):
    """Approve one self-registration."""

    person_id: Id


@dataclass(frozen=True)
class Reject(St, action="rj"):
    """Reject one self-registration."""

    person_id: Id


@dataclass(frozen=True)
class Invite(St, action="inv"):
    """Create an invite link: asks for the person's name."""


@dataclass(frozen=True)
class About(St, action="about"):
    """About the club and contact."""


@dataclass(frozen=True)
class CancelPrompt(St, action="cx"):
    """Cancel, under any staff question that waits for typed text: forget the question."""


class StPrompt(Prompt, prompts=True):
    """The staff menu's prompts."""


@dataclass(frozen=True)
class InviteName(StPrompt, code="invite_name"):
    """The name of the person to invite."""
