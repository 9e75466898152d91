"""Staff buttons for workshop sessions and the catalogue (`sw:…`; handlers/staff_workshops.py),
and the prompts their typed answers go to (`Person.awaiting`, e.g. "capacity:12")."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.buttons import Button, Feature, Id, Prompt
from models import WorkshopGroup


class Sw(Button, feature=Feature.STAFF_WORKSHOPS):
    """The staff workshops codec."""


@dataclass(frozen=True)
class Sessions(Sw, action="l"):
    """Sessions of the next two weeks."""


@dataclass(frozen=True)
class Roster(Sw, action="r"):
    """One session: enrolments, waiting list, attendance toggles."""

    session_id: Id


@dataclass(frozen=True)
class ToggleAttendance(Sw, action="a"):
    """Flip came / did not come for one confirmed seat."""

    enrollment_id: Id


@dataclass(frozen=True)
class RestAbsent(Sw, action="x"):
    """Mark everyone not marked yet as absent."""

    session_id: Id


@dataclass(frozen=True)
class AskCancel(Sw, action="c"):
    """Cancel the session: asks first."""

    session_id: Id


@dataclass(frozen=True)
class Cancel(Sw, action="cy"):
    """Yes, cancel the session (everyone affected is told)."""

    session_id: Id


@dataclass(frozen=True)
class Capacity(Sw, action="k"):
    """Change the number of seats: asks for it."""

    session_id: Id


@dataclass(frozen=True)
class Catalogue(Sw, action="wl"):
    """Every workshop, to edit it or add dates."""


@dataclass(frozen=True)
class NewWorkshop(Sw, action="nw"):
    """A new workshop: asks for its group."""


@dataclass(frozen=True)
class NewInGroup(Sw, action="ng"):
    """A new workshop in this group: asks for its title."""

    group: WorkshopGroup


@dataclass(frozen=True)
class Workshop(Sw, action="w"):
    """One workshop as staff manage it."""

    workshop_id: Id


@dataclass(frozen=True)
class AddSession(Sw, action="as"):
    """Add a date to a workshop: asks for it."""

    workshop_id: Id


@dataclass(frozen=True)
class EditTitle(Sw, action="et"):
    """Edit a workshop's title: asks for it."""

    workshop_id: Id


@dataclass(frozen=True)
class EditDescription(Sw, action="ed"):
    """Edit a workshop's description: asks for it."""

    workshop_id: Id


@dataclass(frozen=True)
class EditPlace(Sw, action="ep"):
    """Edit a workshop's place: asks for it."""

    workshop_id: Id


class SwPrompt(Prompt, prompts=True):
    """The staff workshops' prompts."""


@dataclass(frozen=True)
class CapacityPrompt(SwPrompt, code="capacity"):
    """The new number of seats of a session."""

    session_id: Id


@dataclass(frozen=True)
class TitleOfNew(SwPrompt, code="ws_new"):
    """The title of a new workshop in this group."""

    group: WorkshopGroup


@dataclass(frozen=True)
class SessionLine(SwPrompt, code="ws_sess"):
    """A new date of a workshop ("date time–time [seats]")."""

    workshop_id: Id


@dataclass(frozen=True)
class TitlePrompt(SwPrompt, code="ws_title"):
    """A workshop's new title."""

    workshop_id: Id


@dataclass(frozen=True)
class DescriptionPrompt(SwPrompt, code="ws_desc"):
    """A workshop's new description."""

    workshop_id: Id


@dataclass(frozen=True)
class PlacePrompt(SwPrompt, code="ws_place"):
    """A workshop's new place."""

    workshop_id: Id
