"""Days in button data: a yyyymmdd number (fits an `int` field)."""

from __future__ import annotations

from datetime import date


def day_of(code: int) -> date | None:
    """The day a yyyymmdd number stands for, or None if it is no day."""
    try:
        return date(code // 10000, code // 100 % 100, code % 100)
    except ValueError:
        return None


def day_code(day: date) -> int:
    """yyyymmdd."""
    return day.year * 10000 + day.month * 100 + day.day
