"""Buttons of the main menu's own screens: language (`lg:…`), "My data" (`md:…`) and
"My bookings" (`bk:…`)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings import Language
from handlers.buttons import Button, Feature


class Lg(Button, feature=Feature.LANGUAGE):
    """The language codec."""


@dataclass(frozen=True)
class SetLanguage(Lg, action="set"):
    """Speak to me in this language from now on."""

    language: Language


class Md(Button, feature=Feature.MY_DATA):
    """The "My data" codec."""


@dataclass(frozen=True)
class AskDelete(Md, action="del"):
    """Delete my data: asks first."""


@dataclass(frozen=True)
class Delete(Md, action="yes"):
    """Yes, delete everything."""


@dataclass(frozen=True)
class KeepData(Md, action="no"):
    """No, keep it."""


class Bk(Button, feature=Feature.BOOKINGS):
    """The "My bookings" codec."""


@dataclass(frozen=True)
class Bookings(Bk, action="l"):
    """The list of my bookings, one page (from 0)."""

    page: int = 0
