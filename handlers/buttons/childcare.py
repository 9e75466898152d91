"""Childcare buttons for participants (`cc:…`) and the questions whose answer they type
(`person.awaiting` = `cc_…`; handlers/childcare.py)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from handlers.buttons import Button, Feature, Id, Prompt
from models import DependantKind


class BookingKind(StrEnum):
    """What kind of booking care is asked for."""

    WORKSHOP = "w"  # an enrolment (a workshop seat)
    CONSULTATION = "c"


class Field(StrEnum):
    """A dependant's field to edit."""

    NAME = "n"
    YEAR = "y"
    NEEDS = "s"


class Cc(Button, feature=Feature.CHILDCARE):
    """The childcare codec."""


@dataclass(frozen=True)
class Screen(Cc, action="top"):
    """The childcare screen: dependants and requests (forgets an open question)."""


@dataclass(frozen=True)
class AddDependant(Cc, action="a"):
    """Add a dependant: asks the year of birth, then the name."""

    kind: DependantKind


@dataclass(frozen=True)
class ShowDependant(Cc, action="d"):
    """One dependant, with edit and remove buttons."""

    dependant_id: Id


@dataclass(frozen=True)
class Edit(Cc, action="e"):
    """Edit one field of a dependant: asks for it."""

    dependant_id: Id
    field: Field


@dataclass(frozen=True)
class NoNeeds(Cc, action="ns"):
    """No special needs (skips the question)."""

    dependant_id: Id


@dataclass(frozen=True)
class AskRemove(Cc, action="rm"):
    """Remove a dependant: asks first."""

    dependant_id: Id


@dataclass(frozen=True)
class Remove(Cc, action="rmy"):
    """Yes, remove."""

    dependant_id: Id


@dataclass(frozen=True)
class CareFor(Cc, action="b"):
    """Care during this booking: for whom?"""

    kind: BookingKind
    booking_id: Id


@dataclass(frozen=True)
class AskCare(Cc, action="q"):
    """Ask for care for this dependant during this booking."""

    kind: BookingKind
    booking_id: Id
    dependant_id: Id


@dataclass(frozen=True)
class Request(Cc, action="r"):
    """One care request, opened from "My bookings"."""

    request_id: Id


@dataclass(frozen=True)
class CancelRequest(Cc, action="x"):
    """Cancel one's care request (the booking stays)."""

    request_id: Id


class CcPrompt(Prompt, prompts=True):
    """The childcare questions answered by typing."""


@dataclass(frozen=True)
class NewYear(CcPrompt, code="cc_year"):
    """The year of birth of a new dependant."""

    kind: DependantKind


@dataclass(frozen=True)
class NewName(CcPrompt, code="cc_name"):
    """The name of a new dependant, born in `year`."""

    kind: DependantKind
    year: int


@dataclass(frozen=True)
class Needs(CcPrompt, code="cc_needs"):
    """A dependant's special needs."""

    dependant_id: Id


@dataclass(frozen=True)
class EditName(CcPrompt, code="cc_ename"):
    """A dependant's new name."""

    dependant_id: Id


@dataclass(frozen=True)
class EditYear(CcPrompt, code="cc_eyear"):
    """A dependant's corrected year of birth."""

    dependant_id: Id
