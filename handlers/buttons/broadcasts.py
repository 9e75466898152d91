"""Broadcast buttons for coordinators and admins (`bc:…`; handlers/broadcasts.py), and the
typed answers a draft waits for (`person.awaiting`: `bc_text:<b>:<lang>`, `bc_media:<b>`,
`bc_dates:<b>`, `bc_when:<b>`). `broadcast_id` is always the first argument."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.settings import Language
from handlers.buttons import Button, Feature, Id, Prompt


class Bc(Button, feature=Feature.BROADCASTS):
    """The broadcasts codec."""


@dataclass(frozen=True)
class Menu(Bc, action="m"):
    """The broadcasts menu: new, continue the last draft, past broadcasts."""


@dataclass(frozen=True)
class NewDraft(Bc, action="n"):
    """Start a new draft (asks for its text)."""


@dataclass(frozen=True)
class History(Bc, action="h"):
    """Past broadcasts."""


@dataclass(frozen=True)
class Draft(Bc, action="d"):
    """The draft's card with every choice."""

    broadcast_id: Id


@dataclass(frozen=True)
class AskText(Bc, action="t"):
    """Type the text of a language (the main one is Polish)."""

    broadcast_id: Id
    language: Language


@dataclass(frozen=True)
class RemoveVersion(Bc, action="tr"):
    """Remove the version of a language."""

    broadcast_id: Id
    language: Language


@dataclass(frozen=True)
class AskMedia(Bc, action="md"):
    """Send a photo or document as the attachment."""

    broadcast_id: Id


@dataclass(frozen=True)
class RemoveMedia(Bc, action="mr"):
    """Remove the attachment."""

    broadcast_id: Id


@dataclass(frozen=True)
class AudienceMenu(Bc, action="a"):
    """Choose the audience."""

    broadcast_id: Id


@dataclass(frozen=True)
class AudienceAll(Bc, action="aa"):
    """Everyone."""

    broadcast_id: Id


@dataclass(frozen=True)
class PickLanguage(Bc, action="ag"):
    """The languages to choose from."""

    broadcast_id: Id


@dataclass(frozen=True)
class AudienceLanguage(Bc, action="agl"):
    """Those who read the bot in a language."""

    broadcast_id: Id
    language: Language


@dataclass(frozen=True)
class PickWorkshop(Bc, action="aw"):
    """The workshops to choose from."""

    broadcast_id: Id


@dataclass(frozen=True)
class AudienceWorkshop(Bc, action="awp"):
    """Those signed up for a workshop."""

    broadcast_id: Id
    workshop_id: Id


@dataclass(frozen=True)
class PickSession(Bc, action="as"):
    """The dates to choose from."""

    broadcast_id: Id


@dataclass(frozen=True)
class AudienceSession(Bc, action="asp"):
    """Those signed up for a date."""

    broadcast_id: Id
    session_id: Id


@dataclass(frozen=True)
class PickWaitlist(Bc, action="aq"):
    """The dates with a waiting list to choose from."""

    broadcast_id: Id


@dataclass(frozen=True)
class AudienceWaitlist(Bc, action="aqp"):
    """Those on a date's waiting list."""

    broadcast_id: Id
    session_id: Id


@dataclass(frozen=True)
class PickDates(Bc, action="ad"):
    """The ranges of days to choose from."""

    broadcast_id: Id


@dataclass(frozen=True)
class AudienceDates(Bc, action="adp"):
    """Those with something on days `start`..`end`."""

    broadcast_id: Id
    start: date
    end: date


@dataclass(frozen=True)
class AskDates(Bc, action="adt"):
    """Type the days."""

    broadcast_id: Id


@dataclass(frozen=True)
class PickWhen(Bc, action="w"):
    """When to send: now, a preset, or typed."""

    broadcast_id: Id


@dataclass(frozen=True)
class WhenNow(Bc, action="wn"):
    """As soon as confirmed."""

    broadcast_id: Id


@dataclass(frozen=True)
class WhenPreset(Bc, action="wp"):
    """At a preset moment (the club's wall-clock time)."""

    broadcast_id: Id
    moment: datetime


@dataclass(frozen=True)
class AskWhen(Bc, action="wt"):
    """Type when."""

    broadcast_id: Id


@dataclass(frozen=True)
class ToggleUrgent(Bc, action="u"):
    """Urgent (sent in quiet hours too) on/off."""

    broadcast_id: Id


@dataclass(frozen=True)
class Preview(Bc, action="pv"):
    """Send the author each version as recipients will see it."""

    broadcast_id: Id


@dataclass(frozen=True)
class AskConfirm(Bc, action="ok"):
    """Send? (how many, when)."""

    broadcast_id: Id


@dataclass(frozen=True)
class Confirm(Bc, action="go"):
    """Send: the card becomes the progress message."""

    broadcast_id: Id


@dataclass(frozen=True)
class Discard(Bc, action="x"):
    """Throw the draft away."""

    broadcast_id: Id


@dataclass(frozen=True)
class Report(Bc, action="r"):
    """A confirmed broadcast's report."""

    broadcast_id: Id


@dataclass(frozen=True)
class Failures(Bc, action="f"):
    """The recipients not reached."""

    broadcast_id: Id


@dataclass(frozen=True)
class AskStop(Bc, action="sq"):
    """Stop? (how many still wait)."""

    broadcast_id: Id


@dataclass(frozen=True)
class Stop(Bc, action="sy"):
    """Stop: the messages not sent yet are cancelled."""

    broadcast_id: Id


class BcPrompt(Prompt, prompts=True):
    """What a draft's author is asked to type (or send): each prompt is about one draft."""

    broadcast_id: int  # declared here for readers of any prompt; each prompt's first field


PROMPT_PREFIX = "bc_"  # every prompt's code starts so; an unknown one is an older version


@dataclass(frozen=True)
class TextPrompt(BcPrompt, code="bc_text"):
    """The text of a language (or, for Polish, a photo or document with a caption)."""

    broadcast_id: Id
    language: Language


@dataclass(frozen=True)
class MediaPrompt(BcPrompt, code="bc_media"):
    """A photo or document as the attachment."""

    broadcast_id: Id


@dataclass(frozen=True)
class DatesPrompt(BcPrompt, code="bc_dates"):
    """A range of days for the audience."""

    broadcast_id: Id


@dataclass(frozen=True)
class WhenPrompt(BcPrompt, code="bc_when"):
    """When to send."""

    broadcast_id: Id
