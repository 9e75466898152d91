"""Staff consultation buttons (`cx:…`) and the question answered by typing (`cx_find`;
handlers/staff_consult.py). A `person_id` of 0 in a referral draft means a referral link (no
person yet); a `day` is the date as a number, yyyymmdd."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from handlers.buttons import Button, Feature, Id, Prompt

# A number chosen on a screen, never 0 when present (checked like a row id).
Count = Id


class Cx(Button, feature=Feature.STAFF_CONSULT):
    """The staff consultations codec."""


@dataclass(frozen=True)
class Referrals(Cx, action="rf"):
    """The referrals menu (coordinators, admins)."""


@dataclass(frozen=True)
class Find(Cx, action="f"):
    """Find a participant: asks for part of a name or phone."""


@dataclass(frozen=True)
class PersonCard(Cx, action="p"):
    """A participant's card: their referrals, New referral."""

    person_id: Id


@dataclass(frozen=True)
class Draft(Cx, action="d"):
    """A referral draft, one choice a step: service, sessions, days (0: not chosen yet)."""

    person_id: int
    service_id: Id = 0
    sessions: Count = 0
    days: Count = 0


@dataclass(frozen=True)
class Issue(Cx, action="y"):
    """Issue the drafted referral (person 0: make the link)."""

    person_id: int
    service_id: Id
    sessions: Count
    days: Count


@dataclass(frozen=True)
class AskRevoke(Cx, action="rv"):
    """Revoke a referral: asks first."""

    referral_id: Id


@dataclass(frozen=True)
class Revoke(Cx, action="rvy"):
    """Yes, revoke."""

    referral_id: Id


@dataclass(frozen=True)
class MyAgenda(Cx, action="my"):
    """A specialist's own agenda today."""


@dataclass(frozen=True)
class Specialists(Cx, action="sp"):
    """The specialists, to open one's agenda (coordinators, admins)."""


@dataclass(frozen=True)
class Agenda(Cx, action="a"):
    """A specialist's day."""

    specialist_id: Id
    day: date


@dataclass(frozen=True)
class Mark(Cx, action="o"):
    """Mark a booking attended or a no-show, then the day again."""

    booking_id: Id
    attended: bool


class CxPrompt(Prompt, prompts=True):
    """The staff consultation questions answered by typing."""


@dataclass(frozen=True)
class Search(CxPrompt, code="cx_find"):
    """Part of a participant's name or phone."""
