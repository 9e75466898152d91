"""Dates and times as people read them, in the club's time zone and the person's language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime


def long_when(moment: datetime, tz: ZoneInfo, lang: str) -> str:
    """ "wtorek 2 marca, 17:00"."""
    return format_datetime(moment, "EEEE d MMMM, HH:mm", tzinfo=tz, locale=lang)


def short_when(moment: datetime, tz: ZoneInfo, lang: str) -> str:
    """ "wt. 2.03 17:00" (for buttons)."""
    return format_datetime(moment, "EEE d.MM HH:mm", tzinfo=tz, locale=lang)


def clock_time(moment: datetime, tz: ZoneInfo) -> str:
    """ "17:00"."""
    return moment.astimezone(tz).strftime("%H:%M")
