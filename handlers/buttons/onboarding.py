"""Registration buttons (`ob:…`; handlers/onboarding.py). `code` is the invite or referral
code the person came with, or `handlers.keyboards.NO_CODE`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings import Language
from handlers.buttons import Button, Feature


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
