"""Parsing and validating catalogue files: every rule names the line of the bad entry."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from services.catalog import (
    LANGUAGES,
    CatalogDocument,
    CatalogError,
    default_catalog_path,
    parse_catalog,
)

WARSAW = ZoneInfo("Europe/Warsaw")
REPO = Path(__file__).resolve().parents[2]

VALID = """\
workshops:
  - slug: szkola-dla-rodzicow
    group: social
    title:
      pl: Szkoła dla rodziców
      uk: Школа для батьків
      en: School for Parents
    description:
      pl: Spotkania dla rodziców.
      uk: Зустрічі для батьків.
      en: Meetings for parents.
    place: KIS Śródmieście, Wejherowo
    capacity: 12
    cancel_cutoff_hours: 24
    series:
      - slug: sdr-wiosna
        title: {pl: Cykl wiosenny, uk: Весняний цикл, en: Spring cycle}
    sessions:
      - date: 2027-03-02
        start: "17:00"
        end: "19:00"
        series: sdr-wiosna
      - date: 2027-03-30
        start: 17:00
        end: "19:00"
        capacity: 8
        place: MOPS Wejherowo
        cancel_cutoff_hours: 48
  - slug: edukacja-finansowa
    group: professional
    title: {pl: Edukacja finansowa, uk: Фінансова грамотність, en: Managing money}
    description: {pl: Budżet domowy., uk: Домашній бюджет., en: Household budget.}
    capacity: 10
"""


def parse(text: str) -> CatalogDocument:
    return parse_catalog(textwrap.dedent(text), WARSAW)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line number of the `occurrence`-th line containing `needle`."""
    hits = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


def refused(text: str) -> CatalogError:
    with pytest.raises(CatalogError) as info:
        parse_catalog(text, WARSAW)
    assert str(info.value).startswith(f"line {info.value.line}: ")
    return info.value


def test_a_valid_file_is_parsed_with_local_times_stored_as_utc() -> None:
    doc = parse(VALID)
    sdr, money = doc.workshops
    assert (sdr.slug, sdr.group, sdr.capacity, sdr.cancel_cutoff_hours) == (
        "szkola-dla-rodzicow",
        "social",
        12,
        24,
    )
    assert sdr.title.uk == "Школа для батьків" and sdr.description.en == "Meetings for parents."
    assert [s.slug for s in sdr.series] == ["sdr-wiosna"]
    first, second = sdr.sessions
    # 17:00 in Warsaw is 16:00 UTC in winter time and 15:00 UTC in summer time (from 28 March).
    assert first.starts_at == datetime(2027, 3, 2, 16, 0, tzinfo=UTC)
    assert first.ends_at == datetime(2027, 3, 2, 18, 0, tzinfo=UTC)
    assert second.starts_at == datetime(2027, 3, 30, 15, 0, tzinfo=UTC)  # unquoted 17:00 too
    # Sessions inherit the workshop's capacity and cut-off; the place stays the workshop's.
    assert (first.series, first.capacity, first.place, first.cancel_cutoff_hours) == (
        "sdr-wiosna",
        12,
        None,
        24,
    )
    assert (second.series, second.capacity, second.place, second.cancel_cutoff_hours) == (
        None,
        8,
        "MOPS Wejherowo",
        48,
    )
    assert (money.place, money.cancel_cutoff_hours, money.series, money.sessions) == (
        "",
        24,
        (),
        (),
    )
    assert doc.session_count == 2


def test_bad_group_names_its_line() -> None:
    text = VALID.replace("group: professional", "group: zawodowa")
    error = refused(text)
    assert error.line == 30 == line_of(text, "group: zawodowa")
    assert "unknown group 'zawodowa'" in error.message


def test_missing_ukrainian_title_names_the_title() -> None:
    text = VALID.replace("      uk: Школа для батьків\n", "")
    error = refused(text)
    assert error.line == 5 == line_of(text, "pl: Szkoła dla rodziców")
    assert "'uk'" in error.message and "title" in error.message


def test_empty_english_description_is_refused() -> None:
    text = VALID.replace("en: Meetings for parents.", 'en: ""')
    error = refused(text)
    assert error.line == line_of(text, 'en: ""')
    assert "description (en) must not be empty" in error.message


def test_duplicate_workshop_slug_names_the_second() -> None:
    text = VALID.replace("slug: edukacja-finansowa", "slug: szkola-dla-rodzicow")
    error = refused(text)
    assert error.line == 29 == line_of(text, "slug: szkola-dla-rodzicow", 2)
    assert "already used on line 2" in error.message


def test_duplicate_series_slug_names_the_second() -> None:
    text = VALID.replace(
        "    capacity: 10\n",
        "    capacity: 10\n"
        "    series:\n"
        "      - slug: sdr-wiosna\n"
        "        title: {pl: a, uk: b, en: c}\n",
    )
    error = refused(text)
    assert error.line == line_of(text, "- slug: sdr-wiosna", 2)
    assert "series slug 'sdr-wiosna' is already used on line 16" in error.message


@pytest.mark.parametrize("slug", ["Szkola", "-abc", "a", "szkoła", "a_b", "x" * 65])
def test_invalid_slugs_are_refused(slug: str) -> None:
    text = VALID.replace("slug: edukacja-finansowa", f"slug: {slug}")
    error = refused(text)
    assert error.line == line_of(text, f"slug: {slug}")
    assert "not a valid slug" in error.message


def test_end_before_start_names_the_end() -> None:
    text = VALID.replace('start: 17:00\n        end: "19:00"', 'start: 17:00\n        end: "16:30"')
    error = refused(text)
    assert error.line == 25 == line_of(text, 'end: "16:30"')
    assert "must be after start" in error.message


def test_end_equal_to_start_is_refused() -> None:
    text = VALID.replace(
        'start: "17:00"\n        end: "19:00"', 'start: "17:00"\n        end: 17:00'
    )
    assert refused(text).line == line_of(text, "end: 17:00")


def test_unknown_key_in_a_workshop_names_the_key() -> None:
    text = VALID.replace("    capacity: 10\n", "    capacity: 10\n    teacher: Anna\n")
    error = refused(text)
    assert error.line == 34 == line_of(text, "teacher: Anna")
    assert "unknown key 'teacher'" in error.message


def test_unknown_key_in_a_session_names_the_key() -> None:
    text = VALID.replace("        cancel_cutoff_hours: 48\n", "        room: 11\n")
    error = refused(text)
    assert error.line == line_of(text, "room: 11")
    assert "unknown key 'room'" in error.message


def test_unknown_top_level_key_is_refused() -> None:
    error = refused("version: 1\n" + VALID)
    assert error.line == 1 and "unknown key 'version'" in error.message


def test_duplicate_key_is_refused() -> None:
    text = VALID.replace("    capacity: 10\n", "    capacity: 10\n    capacity: 11\n")
    error = refused(text)
    assert error.line == line_of(text, "capacity: 11")
    assert "duplicate key 'capacity'" in error.message


def test_missing_required_key_names_the_workshop() -> None:
    text = VALID.replace("    capacity: 10\n", "")
    error = refused(text)
    assert error.line == line_of(text, "- slug: edukacja-finansowa")
    assert "missing the required key 'capacity'" in error.message


def test_malformed_yaml_names_its_line() -> None:
    text = VALID.replace("    capacity: 10\n", "    capacity: [10\n")
    error = refused(text)
    assert "not valid YAML" in error.message
    assert error.line == line_of(text, "capacity: [10") + 1  # where the parser gave up (EOF)

    text = VALID.replace("    place: KIS", "   place: KIS")  # bad indentation
    error = refused(text)
    assert "not valid YAML" in error.message
    assert error.line == line_of(text, "place: KIS")


def test_tab_indentation_names_its_line() -> None:
    text = VALID.replace("    capacity: 10\n", "\tcapacity: 10\n")
    error = refused(text)
    assert error.line == line_of(text, "\tcapacity")


def test_unknown_series_names_the_reference() -> None:
    text = VALID.replace("series: sdr-wiosna", "series: sdr-jesien")
    error = refused(text)
    assert error.line == 22 == line_of(text, "series: sdr-jesien")
    assert "unknown series 'sdr-jesien'" in error.message


def test_series_of_another_workshop_is_refused() -> None:
    text = VALID.replace(
        "    capacity: 10\n",
        "    capacity: 10\n"
        "    sessions:\n"
        "      - date: 2027-04-01\n"
        "        start: '10:00'\n"
        "        end: '12:00'\n"
        "        series: sdr-wiosna\n",
    )
    error = refused(text)
    assert error.line == line_of(text, "series: sdr-wiosna", 2)
    assert "belongs to workshop 'szkola-dla-rodzicow'" in error.message


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("capacity: 10", "capacity: -1", "between 0 and"),
        ("capacity: 10", "capacity: dziesięć", "whole number"),
        ("capacity: 10", "capacity: 10.5", "whole number"),
        ("capacity: 10", "capacity: [10]", "single value"),
        ("capacity: 8", "capacity: -3", "between 0 and"),
        ("cancel_cutoff_hours: 48", "cancel_cutoff_hours: -1", "between 0 and"),
        ("date: 2027-03-30", "date: 2027-02-30", "not a valid date"),
        ("date: 2027-03-30", "date: 30.03.2027", "not a valid date"),
        ('start: "17:00"', 'start: "25:00"', "not a valid time"),
        ('start: "17:00"', 'start: "5pm"', "not a valid time"),
        (
            "title: {pl: Edukacja finansowa, uk: Фінансова грамотність, en: Managing money}",
            "title: Edukacja finansowa",
            "mapping",
        ),
    ],
)
def test_bad_values_name_their_line(old: str, new: str, fragment: str) -> None:
    text = VALID.replace(old, new, 1)
    assert text != VALID
    error = refused(text)
    assert error.line == line_of(text, new)
    assert fragment in error.message


def test_capacity_zero_is_allowed() -> None:
    assert parse(VALID.replace("capacity: 10", "capacity: 0")).workshops[1].capacity == 0


def test_two_sessions_starting_together_are_refused() -> None:
    text = VALID.replace("date: 2027-03-30", "date: 2027-03-02")
    error = refused(text)
    assert error.line == line_of(text, "- date: 2027-03-02", 2)
    assert "line 19" in error.message


def test_local_times_skipped_by_summer_time_are_refused() -> None:
    text = VALID.replace(
        'date: 2027-03-02\n        start: "17:00"', 'date: 2027-03-28\n        start: "02:30"'
    )
    error = refused(text)
    assert error.line == line_of(text, 'start: "02:30"')
    assert "does not exist" in error.message


def test_empty_file_and_wrong_shapes() -> None:
    assert refused("").line == 1
    assert refused("# only a comment\n").line == 1
    error = refused("- slug: x\n")
    assert error.line == 1 and "mapping" in error.message
    error = refused("workshops:\n  slug: x\n")
    assert error.line == 2 and "list" in error.message


def test_the_default_catalogue_parses_with_every_language() -> None:
    path = default_catalog_path()
    assert path == REPO / "catalog" / "default.yaml"
    doc = parse_catalog(path.read_text(encoding="utf-8"), WARSAW)
    slugs = {w.slug for w in doc.workshops}
    assert {
        "szkola-dla-rodzicow",
        "edukacja-finansowa",
        "edukacja-zywieniowa",
        "warsztaty-ze-stylista",
        "savoir-vivre",
        "warsztaty-komputerowe",
        "doradztwo-zawodowe",
        "ekonomia-spoleczna",
        "wyjazd-studyjny",
        "grupa-wsparcia",
    } <= slugs
    assert {w.group for w in doc.workshops} == {"social", "professional", "community"}
    assert doc.session_count == 0
    [school] = [w for w in doc.workshops if w.slug == "szkola-dla-rodzicow"]
    assert len(school.series) == 2  # two cycles a year
    for workshop in doc.workshops:
        for lang in LANGUAGES:
            assert workshop.title.get(lang).strip()
            assert workshop.description.get(lang).strip()
        assert workshop.place in ("KIS Śródmieście, Wejherowo", "MOPS Wejherowo")
        assert workshop.capacity > 0
        # Plain Ukrainian: Cyrillic, not a copy of the Polish text.
        assert workshop.title.uk != workshop.title.pl
        assert any("а" <= ch <= "я" for ch in workshop.description.uk.lower())


def test_the_example_term_matches_the_default_catalogue() -> None:
    default = parse_catalog(default_catalog_path().read_text(encoding="utf-8"), WARSAW)
    term = parse_catalog((REPO / "catalog" / "example-term.yaml").read_text("utf-8"), WARSAW)
    by_slug = {w.slug: w for w in default.workshops}
    assert term.session_count >= 10
    for workshop in term.workshops:
        base = by_slug[workshop.slug]
        # Loading the term must not change the workshops' texts back and forth.
        for name in ("group", "title", "description", "place", "capacity", "cancel_cutoff_hours"):
            assert getattr(workshop, name) == getattr(base, name), (workshop.slug, name)
        assert set(workshop.series) <= set(base.series)
        for session in workshop.sessions:
            assert session.starts_at.year == 2027
            local = session.starts_at.astimezone(WARSAW)
            assert 8 <= local.hour <= 18
    assert any(s.series for w in term.workshops for s in w.sessions)
