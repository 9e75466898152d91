"""Parsing the date line staff type when adding a workshop date."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from services.errors import InvalidInput
from services.workshop_staff import parse_session_line, slugify

TZ = ZoneInfo("Europe/Warsaw")
NOW = datetime(2027, 1, 1, tzinfo=UTC)


def test_iso_and_polish_dates_in_local_time() -> None:
    line = parse_session_line("2027-03-02 17:00-19:00 12", TZ, NOW)
    assert line.starts_at == datetime(2027, 3, 2, 16, 0, tzinfo=UTC)  # CET = UTC+1
    assert line.ends_at == datetime(2027, 3, 2, 18, 0, tzinfo=UTC)
    assert (line.capacity, line.place) == (12, None)
    summer = parse_session_line("2.04.2027 17.00–19.30", TZ, NOW)
    assert summer.starts_at == datetime(2027, 4, 2, 15, 0, tzinfo=UTC)  # CEST = UTC+2
    assert summer.capacity is None


def test_optional_place_after_the_seats() -> None:
    line = parse_session_line("2027-03-02 17:00-19:00 8 MOPS Wejherowo, sala 2", TZ, NOW)
    assert (line.capacity, line.place) == (8, "MOPS Wejherowo, sala 2")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("jutro", "sw-session-format"),
        ("2027-02-30 10:00-11:00", "sw-session-format"),
        ("2027-03-02 25:00-26:00", "sw-session-format"),
        ("2027-03-02 12:00-11:00", "sw-session-end-before-start"),
        ("2026-12-01 10:00-11:00", "sw-session-in-past"),
        ("2027-03-02 10:00-11:00 5000", "ws-capacity-invalid"),
    ],
)
def test_bad_lines_are_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_session_line(text, TZ, NOW)
    assert caught.value.reason == reason


def test_slugify_polish_titles() -> None:
    assert slugify("Szkoła dla rodziców") == "szkola-dla-rodzicow"
    assert slugify("Żywienie — ćwiczenia!") == "zywienie-cwiczenia"
    assert slugify("!!!") == "warsztat"
