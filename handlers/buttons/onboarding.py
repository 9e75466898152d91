"""Registration buttons (`ob:…`; handlers/onboarding.py). `code` is the invite or referral
code the person came with, or `handlers.keyboards.NO_CODE`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings import Language
from handlers.buttons import BadCallback, Button, Feature, Prompt


class Ob(Button, feature=Feature.ONBOARDING):
    """The registration codec."""


@dataclass(frozen=True)
class ChoseLanguage(Ob, action="l"):
    """A language chosen: show the consent text in it."""

    language: Language
    code: str


@dataclass(frozen=True)
class ChooseAgain(Ob, action="s"):
    """Back to the language choice."""

    code: str


@dataclass(frozen=True)
class Agree(Ob, action="y"):
    """I agree to the processing of my data."""

    language: Language
    code: str


@dataclass(frozen=True)
class Decline(Ob, action="n"):
    """I do not agree."""

    language: Language


class ObPrompt(Prompt, prompts=True):
    """What a newcomer's next message answers (`Person.awaiting`, set by services.people)."""


@dataclass(frozen=True)
class AskName(ObPrompt, code="name"):
    """Their name."""


@dataclass(frozen=True)
class AskPhone(ObPrompt, code="phone"):
    """Their phone number (typed, shared as a contact, or skipped)."""


def registration_prompt(awaiting: str | None) -> ObPrompt:
    """The question a person in registration answers next; the name if nothing readable is
    stored (the first question, asked again)."""
    try:
        return ObPrompt.unpack(awaiting)
    except BadCallback:
        return AskName()
