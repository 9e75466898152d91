"""The workshop catalogue: a YAML file of workshops, series and sessions, validated and loaded.

`parse_catalog` turns the text of a catalogue file into a `CatalogDocument` or raises
`CatalogError` naming the (1-based) line of the bad entry; `load_catalog` writes a document into
the database idempotently (workshops and series by slug, sessions by workshop and start time),
flushing only, so the caller's transaction decides. The file format is described in
`docs/catalog.md` and at the top of `catalog/default.yaml`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from models import SessionStatus, Workshop, WorkshopGroup, WorkshopSeries, WorkshopSession

LANGUAGES = ("pl", "uk", "en")
GROUPS = tuple(g.value for g in WorkshopGroup)
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
INT_RE = re.compile(r"^[+-]?[0-9]+$")
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
TIME_RE = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")
MAX_CAPACITY = 1000
MAX_CUTOFF_HOURS = 24 * 30
TITLE_MAX = 120  # the title_* columns
PLACE_MAX = 200  # the place columns
DESCRIPTION_MAX = 1000

WORKSHOP_KEYS = (
    "slug",
    "group",
    "title",
    "description",
    "place",
    "capacity",
    "cancel_cutoff_hours",
    "series",
    "sessions",
)
WORKSHOP_REQUIRED = ("slug", "group", "title", "description", "capacity")
SERIES_KEYS = ("slug", "title")
SESSION_KEYS = ("date", "start", "end", "series", "capacity", "place", "cancel_cutoff_hours")
SESSION_REQUIRED = ("date", "start", "end")
DEFAULT_CANCEL_CUTOFF_HOURS = 24

_NULL_TAG = "tag:yaml.org,2002:null"


class CatalogError(ValueError):
    """A catalogue file is not acceptable; `line` (1-based) points at the bad entry."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Texts:
    """One text in every language the bot speaks."""

    pl: str
    uk: str
    en: str

    def get(self, lang: str) -> str:
        """The text in `lang`."""
        return str(getattr(self, lang))


@dataclass(frozen=True)
class SeriesSpec:
    """A cycle of sessions of one workshop, as written in the file."""

    slug: str
    title: Texts
    line: int = field(compare=False)


@dataclass(frozen=True)
class SessionSpec:
    """One dated meeting; times already converted to aware UTC datetimes.

    `capacity` and `cancel_cutoff_hours` are resolved (the workshop's values when the session
    gives none); `place` stays None when the session uses the workshop's place.
    """

    starts_at: datetime
    ends_at: datetime
    series: str | None
    capacity: int
    place: str | None
    cancel_cutoff_hours: int
    line: int = field(compare=False)


@dataclass(frozen=True)
class WorkshopSpec:
    """One workshop of the catalogue with its series and sessions."""

    slug: str
    group: str
    title: Texts
    description: Texts
    place: str
    capacity: int
    cancel_cutoff_hours: int
    series: tuple[SeriesSpec, ...]
    sessions: tuple[SessionSpec, ...]
    line: int = field(compare=False)


@dataclass(frozen=True)
class CatalogDocument:
    """A validated catalogue file."""

    workshops: tuple[WorkshopSpec, ...]

    @property
    def session_count(self) -> int:
        """How many sessions the file schedules."""
        return sum(len(w.sessions) for w in self.workshops)


@dataclass
class LoadReport:
    """What `load_catalog` did. Nothing is ever deleted."""

    workshops_created: int = 0
    workshops_updated: int = 0
    workshops_unchanged: int = 0
    series_created: int = 0
    series_updated: int = 0
    series_unchanged: int = 0
    sessions_created: int = 0
    sessions_updated: int = 0
    sessions_unchanged: int = 0
    # Sessions of the file that start at or before `now`: never created nor changed.
    sessions_past: int = 0

    @property
    def changed(self) -> bool:
        """True when anything was created or updated."""
        return any(
            getattr(self, f.name) for f in fields(self) if f.name.endswith(("created", "updated"))
        )


@dataclass(frozen=True)
class WorkshopSummary:
    """One line of `kisbot catalog list`."""

    slug: str
    group: str
    title_pl: str
    active: bool
    upcoming_sessions: int
    free_seats: int


def default_catalog_path() -> Path:
    """The shipped catalogue, `catalog/default.yaml` at the repository root."""
    return Path(__file__).resolve().parent.parent / "catalog" / "default.yaml"


# --- parsing ---------------------------------------------------------------------------------


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _mapping(
    node: Node, what: str, allowed: Sequence[str], required: Sequence[str]
) -> dict[str, Node]:
    """The values of a mapping node by key; unknown, duplicate and missing keys refused."""
    if not isinstance(node, MappingNode):
        raise CatalogError(_line(node), f"{what} must be a mapping of `key: value` lines")
    values: dict[str, Node] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            raise CatalogError(_line(key_node), f"{what}: keys must be plain words")
        key = str(key_node.value)
        if key in values:
            raise CatalogError(_line(key_node), f"{what}: duplicate key {key!r}")
        if key not in allowed:
            raise CatalogError(
                _line(key_node),
                f"{what}: unknown key {key!r} (allowed: {', '.join(allowed)})",
            )
        values[key] = value_node
    for key in required:
        if key not in values:
            raise CatalogError(_line(node), f"{what} is missing the required key {key!r}")
    return values


def _sequence(node: Node | None, what: str) -> list[Node]:
    if node is None or (isinstance(node, ScalarNode) and node.tag == _NULL_TAG):
        return []
    if not isinstance(node, SequenceNode):
        raise CatalogError(_line(node), f"{what} must be a list of `- ` entries")
    return list(node.value)


def _scalar(node: Node, what: str) -> str:
    if not isinstance(node, ScalarNode):
        raise CatalogError(_line(node), f"{what} must be a single value, not a list or mapping")
    if node.tag == _NULL_TAG:
        return ""
    return str(node.value).strip()


def _text(node: Node, what: str, max_length: int) -> str:
    value = _scalar(node, what)
    if not value:
        raise CatalogError(_line(node), f"{what} must not be empty")
    if len(value) > max_length:
        raise CatalogError(_line(node), f"{what} is longer than {max_length} characters")
    return value


def _texts(node: Node, what: str, max_length: int) -> Texts:
    values = _mapping(node, what, LANGUAGES, ())
    for lang in LANGUAGES:
        if lang not in values:
            raise CatalogError(_line(node), f"{what} has no {lang!r} text")
    return Texts(
        **{lang: _text(values[lang], f"{what} ({lang})", max_length) for lang in LANGUAGES}
    )


def _int(node: Node, what: str, minimum: int, maximum: int) -> int:
    raw = _scalar(node, what)
    if not INT_RE.match(raw):
        raise CatalogError(_line(node), f"{what} must be a whole number, not {raw!r}")
    value = int(raw)
    if not minimum <= value <= maximum:
        raise CatalogError(
            _line(node), f"{what} must be between {minimum} and {maximum}, not {value}"
        )
    return value


def _slug(node: Node, what: str) -> str:
    value = _scalar(node, what)
    if not SLUG_RE.match(value):
        raise CatalogError(
            _line(node),
            f"{what} {value!r} is not a valid slug (2-64 characters: a-z, 0-9 and '-', "
            "starting with a letter or digit)",
        )
    return value


def _date(node: Node) -> date:
    raw = _scalar(node, "date")
    try:
        if not DATE_RE.match(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise CatalogError(
            _line(node), f"date {raw!r} is not a valid date (write YYYY-MM-DD, e.g. 2027-03-02)"
        ) from None


def _time(node: Node, what: str) -> time:
    raw = _scalar(node, what)
    match = TIME_RE.match(raw)
    if not match:
        raise CatalogError(
            _line(node), f'{what} {raw!r} is not a valid time (write HH:MM, e.g. "17:00")'
        )
    return time(int(match.group(1)), int(match.group(2)))


def _local_to_utc(day: date, at: time, tz: ZoneInfo, node: Node, what: str) -> datetime:
    """The UTC instant of a local wall-clock time; times skipped or repeated by DST refused."""
    local = datetime.combine(day, at, tzinfo=tz)
    utc = local.astimezone(UTC)
    if utc.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise CatalogError(
            _line(node), f"{what} {day} {at:%H:%M} does not exist in {tz.key} (clocks go forward)"
        )
    if local.replace(fold=1).astimezone(UTC) != utc:
        raise CatalogError(
            _line(node), f"{what} {day} {at:%H:%M} happens twice in {tz.key} (clocks go back)"
        )
    return utc


def _series(node: Node, index: int) -> SeriesSpec:
    what = f"series #{index}"
    values = _mapping(node, what, SERIES_KEYS, SERIES_KEYS)
    return SeriesSpec(
        slug=_slug(values["slug"], "series slug"),
        title=_texts(values["title"], "series title", TITLE_MAX),
        line=_line(node),
    )


def _session(
    node: Node,
    index: int,
    tz: ZoneInfo,
    workshop_slug: str,
    capacity: int,
    cancel_cutoff_hours: int,
) -> tuple[SessionSpec, Node | None]:
    what = f"session #{index} of {workshop_slug!r}"
    values = _mapping(node, what, SESSION_KEYS, SESSION_REQUIRED)
    day = _date(values["date"])
    start = _time(values["start"], "start")
    end = _time(values["end"], "end")
    if end <= start:
        raise CatalogError(
            _line(values["end"]),
            f"end {end:%H:%M} must be after start {start:%H:%M} (sessions end on the day "
            "they start)",
        )
    series_node = values.get("series")
    spec = SessionSpec(
        starts_at=_local_to_utc(day, start, tz, values["start"], "start"),
        ends_at=_local_to_utc(day, end, tz, values["end"], "end"),
        series=_slug(series_node, "series") if series_node is not None else None,
        capacity=(
            _int(values["capacity"], "capacity", 0, MAX_CAPACITY)
            if "capacity" in values
            else capacity
        ),
        place=_text(values["place"], "place", PLACE_MAX) if "place" in values else None,
        cancel_cutoff_hours=(
            _int(values["cancel_cutoff_hours"], "cancel_cutoff_hours", 0, MAX_CUTOFF_HOURS)
            if "cancel_cutoff_hours" in values
            else cancel_cutoff_hours
        ),
        line=_line(node),
    )
    return spec, series_node


def _workshop(
    node: Node,
    index: int,
    tz: ZoneInfo,
    seen: dict[str, int],
    series_seen: dict[str, tuple[str, int]],
) -> WorkshopSpec:
    """One workshop entry; checks run in the order of the file's lines."""
    values = _mapping(node, f"workshop #{index}", WORKSHOP_KEYS, ())
    if "slug" not in values:
        raise CatalogError(_line(node), f"workshop #{index} is missing the required key 'slug'")
    slug = _slug(values["slug"], "workshop slug")
    if slug in seen:
        raise CatalogError(
            _line(values["slug"]), f"workshop slug {slug!r} is already used on line {seen[slug]}"
        )
    seen[slug] = _line(node)
    what = f"workshop {slug!r}"
    for key in WORKSHOP_REQUIRED:
        if key not in values:
            raise CatalogError(_line(node), f"{what} is missing the required key {key!r}")
    group = _scalar(values["group"], "group")
    if group not in GROUPS:
        raise CatalogError(
            _line(values["group"]), f"unknown group {group!r} (choose one of: {', '.join(GROUPS)})"
        )
    title = _texts(values["title"], "title", TITLE_MAX)
    description = _texts(values["description"], "description", DESCRIPTION_MAX)
    place = _text(values["place"], "place", PLACE_MAX) if "place" in values else ""
    capacity = _int(values["capacity"], "capacity", 0, MAX_CAPACITY)
    cutoff = (
        _int(values["cancel_cutoff_hours"], "cancel_cutoff_hours", 0, MAX_CUTOFF_HOURS)
        if "cancel_cutoff_hours" in values
        else DEFAULT_CANCEL_CUTOFF_HOURS
    )

    series: list[SeriesSpec] = []
    for i, series_node in enumerate(_sequence(values.get("series"), "series"), 1):
        spec = _series(series_node, i)
        if spec.slug in series_seen:
            owner, line = series_seen[spec.slug]
            raise CatalogError(
                spec.line,
                f"series slug {spec.slug!r} is already used on line {line} (workshop {owner!r})",
            )
        series_seen[spec.slug] = (slug, spec.line)
        series.append(spec)
    own_series = {s.slug for s in series}

    sessions: list[SessionSpec] = []
    starts: dict[datetime, int] = {}
    for i, session_node in enumerate(_sequence(values.get("sessions"), "sessions"), 1):
        session, series_ref = _session(session_node, i, tz, slug, capacity, cutoff)
        if session.series is not None and session.series not in own_series:
            elsewhere = series_seen.get(session.series)
            hint = (
                f"; it belongs to workshop {elsewhere[0]!r}"
                if elsewhere
                else f"; define it under `series:` of {what}"
            )
            raise CatalogError(
                _line(series_ref or session_node),
                f"unknown series {session.series!r} for {what}{hint}",
            )
        if session.starts_at in starts:
            raise CatalogError(
                session.line,
                f"{what} already has a session starting at the same time (line "
                f"{starts[session.starts_at]})",
            )
        starts[session.starts_at] = session.line
        sessions.append(session)

    return WorkshopSpec(
        slug=slug,
        group=group,
        title=title,
        description=description,
        place=place,
        capacity=capacity,
        cancel_cutoff_hours=cutoff,
        series=tuple(series),
        sessions=tuple(sessions),
        line=_line(node),
    )


def _compose(text: str) -> Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = int(mark.line) + 1 if mark is not None else 1
        detail = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise CatalogError(line, f"this is not valid YAML: {detail}") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, max(int(exc.position), 0)) + 1
        raise CatalogError(line, f"this is not valid YAML: {exc.reason}") from None
    except yaml.YAMLError as exc:
        raise CatalogError(1, f"this is not valid YAML: {exc}") from None


def parse_catalog(text: str, tz: ZoneInfo) -> CatalogDocument:
    """Validate a catalogue file's text; local times in `tz` become UTC.

    Raises `CatalogError` (with the 1-based line of the bad entry) for malformed YAML, unknown
    or missing keys, wrong types, unknown groups, missing languages, invalid or duplicate slugs,
    negative capacities, bad dates and times, sessions ending before they start, sessions
    naming a series their workshop does not define, and two sessions of a workshop starting
    at the same time.
    """
    root = _compose(text)
    if root is None:
        raise CatalogError(1, "the file is empty; it must start with `workshops:`")
    top = _mapping(root, "the file", ("workshops",), ("workshops",))
    workshops: list[WorkshopSpec] = []
    seen: dict[str, int] = {}
    series_seen: dict[str, tuple[str, int]] = {}
    for index, node in enumerate(_sequence(top["workshops"], "workshops"), 1):
        workshops.append(_workshop(node, index, tz, seen, series_seen))
    return CatalogDocument(workshops=tuple(workshops))


def parse_catalog_file(path: Path, tz: ZoneInfo) -> CatalogDocument:
    """`parse_catalog` on a UTF-8 file."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes().count(b"\n", 0, exc.start) + 1
        raise CatalogError(line, "the file is not UTF-8 text") from None
    return parse_catalog(text, tz)


# --- loading ---------------------------------------------------------------------------------


def _apply(row: object, values: dict[str, object]) -> bool:
    """Set the attributes that differ; True when anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _workshop_values(spec: WorkshopSpec) -> dict[str, object]:
    values: dict[str, object] = {
        "group_key": spec.group,
        "place": spec.place,
        "default_capacity": spec.capacity,
        "cancel_cutoff_hours": spec.cancel_cutoff_hours,
    }
    for lang in LANGUAGES:
        values[f"title_{lang}"] = spec.title.get(lang)
        values[f"description_{lang}"] = spec.description.get(lang)
    return values


def _series_values(spec: SeriesSpec) -> dict[str, object]:
    return {f"title_{lang}": spec.title.get(lang) for lang in LANGUAGES}


async def load_catalog(
    session: AsyncSession, document: CatalogDocument, *, now: datetime
) -> LoadReport:
    """Create or update the document's workshops, series and sessions; flush only.

    Idempotent: workshops and series are matched by slug, sessions by (workshop, start).
    Entries missing from the document are left as they are, nothing is deleted; a workshop's
    `active` flag and a session's `status` and `seats_taken` are never touched. Sessions that
    start at or before `now` are neither created nor changed (counted as past). Raises
    `CatalogError` when a series slug belongs to another workshop in the database or when a
    session's capacity would drop below its seats already taken; the caller rolls back.
    """
    report = LoadReport()
    slugs = [w.slug for w in document.workshops]
    workshops = {
        w.slug: w for w in await session.scalars(select(Workshop).where(Workshop.slug.in_(slugs)))
    }
    series_slugs = [s.slug for w in document.workshops for s in w.series]
    all_series = {
        s.slug: s
        for s in await session.scalars(
            select(WorkshopSeries).where(WorkshopSeries.slug.in_(series_slugs))
        )
    }

    for spec in document.workshops:
        workshop = workshops.get(spec.slug)
        if workshop is None:
            workshop = Workshop(slug=spec.slug, created_at=now, **_workshop_values(spec))
            session.add(workshop)
            await session.flush()
            report.workshops_created += 1
        elif _apply(workshop, _workshop_values(spec)):
            report.workshops_updated += 1
        else:
            report.workshops_unchanged += 1

        series_ids: dict[str, int] = {}
        for s_spec in spec.series:
            series = all_series.get(s_spec.slug)
            if series is None:
                series = WorkshopSeries(
                    slug=s_spec.slug, workshop_id=workshop.id, **_series_values(s_spec)
                )
                session.add(series)
                await session.flush()
                report.series_created += 1
            elif series.workshop_id != workshop.id:
                raise CatalogError(
                    s_spec.line,
                    f"series slug {s_spec.slug!r} already belongs to another workshop in the "
                    "database; choose another slug",
                )
            elif _apply(series, _series_values(s_spec)):
                report.series_updated += 1
            else:
                report.series_unchanged += 1
            series_ids[s_spec.slug] = series.id

        await _load_sessions(session, workshop, spec, series_ids, now, report)

    await session.flush()
    return report


async def _load_sessions(
    session: AsyncSession,
    workshop: Workshop,
    spec: WorkshopSpec,
    series_ids: dict[str, int],
    now: datetime,
    report: LoadReport,
) -> None:
    upcoming = [s for s in spec.sessions if s.starts_at > now]
    report.sessions_past += len(spec.sessions) - len(upcoming)
    if not upcoming:
        return
    # Row locks (PostgreSQL) so a booking cannot take a seat between the capacity check and
    # the commit; SQLite transactions already start with BEGIN IMMEDIATE.
    existing = {
        row.starts_at: row
        for row in await session.scalars(
            select(WorkshopSession)
            .where(
                WorkshopSession.workshop_id == workshop.id,
                WorkshopSession.starts_at >= min(s.starts_at for s in upcoming),
                WorkshopSession.starts_at <= max(s.starts_at for s in upcoming),
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    for s_spec in upcoming:
        values: dict[str, object] = {
            "ends_at": s_spec.ends_at,
            "series_id": series_ids[s_spec.series] if s_spec.series else None,
            "place": s_spec.place,
            "capacity": s_spec.capacity,
            "cancel_cutoff_hours": s_spec.cancel_cutoff_hours,
        }
        row = existing.get(s_spec.starts_at)
        if row is None:
            session.add(
                WorkshopSession(
                    workshop_id=workshop.id,
                    starts_at=s_spec.starts_at,
                    seats_taken=0,
                    status=SessionStatus.SCHEDULED,
                    created_at=now,
                    **values,
                )
            )
            report.sessions_created += 1
            continue
        if s_spec.capacity < row.seats_taken:
            raise CatalogError(
                s_spec.line,
                f"capacity {s_spec.capacity} is below the {row.seats_taken} seats already taken "
                f"in this session of {spec.slug!r}; keep at least {row.seats_taken}",
            )
        if _apply(row, values):
            report.sessions_updated += 1
        else:
            report.sessions_unchanged += 1


# --- listing ---------------------------------------------------------------------------------


async def list_catalog(session: AsyncSession, *, now: datetime) -> list[WorkshopSummary]:
    """Every workshop with its upcoming scheduled sessions and their free seats."""
    free = WorkshopSession.capacity - WorkshopSession.seats_taken
    upcoming = (
        select(
            WorkshopSession.workshop_id,
            func.count().label("sessions"),
            func.sum(case((free > 0, free), else_=0)).label("free"),
        )
        .where(
            WorkshopSession.starts_at > now,
            WorkshopSession.status == SessionStatus.SCHEDULED.value,
        )
        .group_by(WorkshopSession.workshop_id)
        .subquery()
    )
    rows = await session.execute(
        select(Workshop, upcoming.c.sessions, upcoming.c.free)
        .outerjoin(upcoming, upcoming.c.workshop_id == Workshop.id)
        .order_by(Workshop.slug)
    )
    return sorted(
        (
            WorkshopSummary(
                slug=w.slug,
                group=w.group_key,
                title_pl=w.title_pl,
                active=w.active,
                upcoming_sessions=int(count or 0),
                free_seats=int(free_seats or 0),
            )
            for w, count, free_seats in rows
        ),
        key=_group_order,
    )


def _group_order(summary: WorkshopSummary) -> tuple[int, str]:
    """Social, professional, community (as the club lists them), then by slug."""
    group = GROUPS.index(summary.group) if summary.group in GROUPS else len(GROUPS)
    return group, summary.slug
