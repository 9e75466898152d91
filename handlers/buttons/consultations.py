"""Consultation buttons for participants (`cs:…`; handlers/consultations.py). A `day` is the
date as a number, yyyymmdd."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from handlers.buttons import Button, Feature, Id


class DetailsKind(StrEnum):
    """Which discreet message "Show details" opens."""

    REMINDER = "r"
    MOVED = "m"  # "the hours changed"


class Cs(Button, feature=Feature.CONSULTATIONS):
    """The consultations codec."""


@dataclass(frozen=True)
class Services(Cs, action="top"):
    """The list of services."""


@dataclass(frozen=True)
class Service(Cs, action="s"):
    """A service: one's booking of it, the referral guidance, or its free days."""

    service_id: Id


@dataclass(frozen=True)
class Day(Cs, action="d"):
    """The free times of a service on a day."""

    service_id: Id
    day: date


@dataclass(frozen=True)
class AskBook(Cs, action="k"):
    """A free time chosen: the confirm screen."""

    slot_id: Id


@dataclass(frozen=True)
class Book(Cs, action="y"):
    """Yes, book it."""

    slot_id: Id


@dataclass(frozen=True)
class Booking(Cs, action="b"):
    """One's booking card (from "My bookings")."""

    booking_id: Id


@dataclass(frozen=True)
class AskCancel(Cs, action="c"):
    """Cancel the booking: asks first."""

    booking_id: Id


@dataclass(frozen=True)
class Cancel(Cs, action="cy"):
    """Yes, cancel."""

    booking_id: Id


@dataclass(frozen=True)
class Move(Cs, action="r"):
    """Move the booking: the free days of the same service."""

    booking_id: Id


@dataclass(frozen=True)
class MoveDay(Cs, action="rd"):
    """Move the booking: the free times of a day."""

    booking_id: Id
    day: date


@dataclass(frozen=True)
class AskMove(Cs, action="rk"):
    """Move the booking to this slot: the confirm screen."""

    booking_id: Id
    slot_id: Id


@dataclass(frozen=True)
class MoveTo(Cs, action="ry"):
    """Yes, move it there."""

    booking_id: Id
    slot_id: Id


@dataclass(frozen=True)
class Coming(Cs, action="ok"):
    """ "I'll come", under a reminder."""

    booking_id: Id


@dataclass(frozen=True)
class Discreet(Cs, action="n"):
    """Discreet reminders for this booking on (`neutral`) or off."""

    booking_id: Id
    neutral: bool


@dataclass(frozen=True)
class Calendar(Cs, action="ics"):
    """An .ics file for the phone's calendar."""

    booking_id: Id


@dataclass(frozen=True)
class Details(Cs, action="dt"):
    """ "Show details" under a discreet reminder or hours change."""

    booking_id: Id
    kind: DetailsKind


@dataclass(frozen=True)
class ReferralDetails(Cs, action="rf"):
    """ "Show details" under a discreet referral notice."""

    referral_id: Id
