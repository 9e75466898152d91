"""Childcare buttons for the partner and coordinators (`cp:…`; handlers/staff_childcare.py),
and the typed decline reason (`person.awaiting = "cp_reason:<request>"`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from handlers.buttons import Button, Feature, Id, Prompt


class DeclinePreset(StrEnum):
    """A preset decline reason: its index on the wire (handlers/staff_childcare.py has its
    text)."""

    FULL = "0"
    AGE = "1"


class Cp(Button, feature=Feature.STAFF_CHILDCARE):
    """The care staff's codec."""


@dataclass(frozen=True)
class Pending(Cp, action="l"):
    """The requests waiting for a decision: a header, then one card each."""


@dataclass(frozen=True)
class Approve(Cp, action="ok"):
    """Approve a request."""

    request_id: Id


@dataclass(frozen=True)
class Decline(Cp, action="no"):
    """Decline: the reasons to choose from."""

    request_id: Id


@dataclass(frozen=True)
class DeclineWith(Cp, action="rs"):
    """Decline with a preset reason."""

    request_id: Id
    preset: DeclinePreset


@dataclass(frozen=True)
class TypeReason(Cp, action="w"):
    """Decline with a typed reason: asks for it."""

    request_id: Id


@dataclass(frozen=True)
class Card(Cp, action="c"):
    """Back to the request's card (stops waiting for a typed reason)."""

    request_id: Id


@dataclass(frozen=True)
class Roster(Cp, action="g"):
    """The roster of a day (left out: today)."""

    day: date | None = None


class CpPrompt(Prompt, prompts=True):
    """What care staff are asked to type."""


PROMPT_PREFIX = "cp_"  # every prompt's code starts so; an unknown one is an older version


@dataclass(frozen=True)
class ReasonPrompt(CpPrompt, code="cp_reason"):
    """The reason of a decline."""

    request_id: Id
