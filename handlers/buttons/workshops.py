"""Workshop buttons for participants (`ws:…`; handlers/workshops.py)."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.buttons import Button, Feature, Id
from models import WorkshopGroup


class Ws(Button, feature=Feature.WORKSHOPS):
    """The workshops codec."""


@dataclass(frozen=True)
class Groups(Ws, action="top"):
    """The three groups of activities."""


@dataclass(frozen=True)
class Group(Ws, action="g"):
    """The workshops of one group."""

    group: WorkshopGroup


@dataclass(frozen=True)
class Workshop(Ws, action="w"):
    """One workshop: description and dates."""

    workshop_id: Id


@dataclass(frozen=True)
class Session(Ws, action="s"):
    """One date with its seats."""

    session_id: Id


@dataclass(frozen=True)
class SignUp(Ws, action="b"):
    """Sign up for a date (or join its waiting list)."""

    session_id: Id


@dataclass(frozen=True)
class SignUpSeries(Ws, action="sr"):
    """Sign up for every upcoming date of a series."""

    series_id: Id


@dataclass(frozen=True)
class Booking(Ws, action="e"):
    """One of my bookings, opened from "My bookings"."""

    enrollment_id: Id


@dataclass(frozen=True)
class History(Ws, action="h"):
    """Past sessions with attendance."""


@dataclass(frozen=True)
class AskCancel(Ws, action="c"):
    """Cancel a booking or leave the waiting list: asks first."""

    enrollment_id: Id


@dataclass(frozen=True)
class Cancel(Ws, action="cy"):
    """Yes, cancel."""

    enrollment_id: Id


@dataclass(frozen=True)
class KeepBooking(Ws, action="cn"):
    """No, keep it."""


@dataclass(frozen=True)
class Calendar(Ws, action="ics"):
    """An .ics file for the phone's calendar."""

    enrollment_id: Id


@dataclass(frozen=True)
class TakeOffer(Ws, action="t"):
    """Take a freed seat offered to me."""

    enrollment_id: Id


@dataclass(frozen=True)
class PassOffer(Ws, action="p"):
    """Pass on it."""

    enrollment_id: Id


@dataclass(frozen=True)
class Coming(Ws, action="y"):
    """ "I'm coming", under a reminder."""

    enrollment_id: Id
