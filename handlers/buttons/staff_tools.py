"""Staff tools buttons (`sx:…`; handlers/staff_tools.py): the agenda, participant search and
card, the pending list, exports, indicators and the chart; and the search prompt
(`Person.awaiting = "sx_find"`)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from handlers.buttons import Button, Feature, Id, Prompt


class Span(StrEnum):
    """Which days of the agenda."""

    CHOOSE = "c"  # no days yet: the choice itself, sent as plain "sx:a" (see Agenda.pack)
    TODAY = "t"
    TOMORROW = "m"
    WEEK = "w"  # Monday to Sunday of this week


class Report(StrEnum):
    """What the month and format screens end in: an export (services.reports.EXPORT_KINDS)
    or the indicators table."""

    PARTICIPANTS = "participants"
    WORKSHOPS = "workshops"
    CONSULTATIONS = "consultations"
    CHILDCARE = "childcare"
    INDICATORS = "ind"


class Format(StrEnum):
    """The file format of an export (services.reports.EXPORT_FORMATS)."""

    CSV = "csv"
    XLSX = "xlsx"


class Sx(Button, feature=Feature.STAFF_TOOLS):
    """The staff tools codec."""


@dataclass(frozen=True)
class Agenda(Sx, action="a"):
    """The agenda: the choice of days, or the agenda of today / tomorrow / this week."""

    span: Span = Span.CHOOSE


@dataclass(frozen=True)
class Find(Sx, action="f"):
    """Search a participant: asks for part of a name or phone."""


@dataclass(frozen=True)
class Card(Sx, action="p"):
    """A participant's card."""

    person_id: Id


@dataclass(frozen=True)
class Approve(Sx, action="ok"):
    """Approve a pending self-registration, then the card."""

    person_id: Id


@dataclass(frozen=True)
class AskDeactivate(Sx, action="dq"):
    """Deactivate the participant: asks first."""

    person_id: Id


@dataclass(frozen=True)
class Deactivate(Sx, action="dy"):
    """Yes, deactivate (their future bookings cancelled), then the card."""

    person_id: Id


@dataclass(frozen=True)
class Pending(Sx, action="pl"):
    """Pending self-registrations and care requests."""


@dataclass(frozen=True)
class Exports(Sx, action="e"):
    """Exports and reports: what the role may have."""


@dataclass(frozen=True)
class ChooseMonth(Sx, action="ek"):
    """This month / last month / another, for a report."""

    report: Report


@dataclass(frozen=True)
class PickMonth(Sx, action="ep"):
    """One of the last months, for a report."""

    report: Report


@dataclass(frozen=True)
class MonthChosen(Sx, action="em"):
    """A month chosen (YYYYMM): the export's format, or the indicators of that month."""

    report: Report
    month: int


@dataclass(frozen=True)
class SendExport(Sx, action="ef"):
    """Send the export as a document; `month` is YYYYMM, or 0 for the participants."""

    report: Report
    month: int
    fmt: Format


@dataclass(frozen=True)
class Chart(Sx, action="ch"):
    """The chart of the last months as a photo."""


class SxPrompt(Prompt, prompts=True):
    """The staff tools' prompts."""


@dataclass(frozen=True)
class FindPrompt(SxPrompt, code="sx_find"):
    """Part of a participant's name or phone."""
