"""Exports for staff: participants, workshop enrolments and attendance, consultations and
childcare, as CSV or XLSX bytes with a file name (the bot sends them as documents, `kisbot
export` writes them to disk). Every export is re-authorised here and leaves an audit entry.

Who may export what (checked with `people.require_role` on every call):

- participants: admins and coordinators (with phones); everyone else is refused.
- workshops (enrolments and attendance): admins and coordinators only.
- consultations: admins and coordinators (everything, with the referral id); a specialist
  gets only the bookings of their own slots (their own clients) and no referral column; the
  childcare partner and participants are refused.
- childcare: admins and coordinators (with what the parent attends: workshop title or
  consultation service); the childcare partner without that column; others are refused.

So the childcare partner never sees consultation data, and only coordinators and admins see
which service someone uses (a specialist sees only people who booked *them*).

Times are local (KISBOT_TIMEZONE); a month is the local calendar month. CSV files are UTF-8
with a byte-order mark and `;` between fields (what Excel with Polish regional settings opens
with a double click, Polish letters intact); dates are written as YYYY-MM-DD, times HH:MM.
XLSX files have a bold, frozen header row, fitted column widths and real date cells.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models import (
    CareRequest,
    ConsultationBooking,
    Dependant,
    Enrollment,
    Person,
    Role,
    ServiceType,
    Slot,
    Workshop,
    WorkshopSession,
)
from services import audit, people
from services.errors import InvalidInput, NotAllowed, NotFound

ExportKind = Literal["participants", "workshops", "consultations", "childcare"]
ExportFormat = Literal["csv", "xlsx"]
EXPORT_KINDS: tuple[ExportKind, ...] = ("participants", "workshops", "consultations", "childcare")
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("csv", "xlsx")

MANAGERS = (Role.ADMIN.value, Role.COORDINATOR.value)
SPECIALIST = Role.SPECIALIST.value
PARTNER = Role.CHILDCARE_PARTNER.value
# Who may ask for each export at all; finer rules (own slots, hidden columns) follow the role.
EXPORT_ROLES: dict[str, tuple[str, ...]] = {
    "participants": MANAGERS,
    "workshops": MANAGERS,
    "consultations": (*MANAGERS, SPECIALIST),
    "childcare": (*MANAGERS, PARTNER),
}
CSV_DELIMITER = ";"
MEDIA_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")

Cell = str | int | float | bool | date | datetime | time | None


@dataclass(frozen=True)
class Month:
    """A local calendar month."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """`YYYY-MM`; InvalidInput("month-invalid") otherwise."""
        found = _MONTH_RE.match(text.strip())
        if not found or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 2000:
            raise InvalidInput("month-invalid")
        return cls(int(found.group(1)), int(found.group(2)))

    @classmethod
    def of(cls, moment: datetime, tz: ZoneInfo) -> Month:
        """The local month `moment` falls in."""
        local = moment.astimezone(tz)
        return cls(local.year, local.month)

    def shift(self, months: int) -> Month:
        """This month moved by `months` (negative: back)."""
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[first local midnight, next month's first local midnight) in UTC."""
        nxt = self.shift(1)
        start = datetime(self.year, self.month, 1, tzinfo=tz).astimezone(UTC)
        end = datetime(nxt.year, nxt.month, 1, tzinfo=tz).astimezone(UTC)
        return start, end

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class Table:
    """Rows of one export, ready for a writer."""

    title: str
    headers: list[str]
    rows: list[list[Cell]]


@dataclass(frozen=True)
class ExportFile:
    """A finished export: what the bot sends as a document or the CLI writes to disk."""

    filename: str
    content: bytes
    media_type: str
    rows: int


# ------------------------------------------------------------------ writers


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "tak" if value else "nie"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value)


def to_csv(table: Table) -> bytes:
    """UTF-8 with BOM, `;`-separated, CRLF line ends (Excel's defaults in Poland)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_text(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(table: Table) -> bytes:
    """One sheet: bold frozen header, column widths fitted, dates and times as real cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = table.title[:31]
    sheet.append(table.headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(h) for h in table.headers]
    for row in table.rows:
        values: list[Any] = []
        for i, value in enumerate(row):
            if isinstance(value, datetime):
                value = value.replace(tzinfo=None)  # already local; Excel has no time zones
            values.append(value)
            widths[i] = max(widths[i], len(_text(value)))
        sheet.append(values)
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(cell.value, time):
                cell.number_format = "hh:mm"
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(60, width + 2)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render(table: Table, fmt: str) -> bytes:
    """The table as CSV or XLSX bytes."""
    if fmt == "csv":
        return to_csv(table)
    if fmt == "xlsx":
        return to_xlsx(table)
    raise InvalidInput("format-invalid")


# ------------------------------------------------------------------ rows


def _local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    return moment.astimezone(tz) if moment is not None else None


def _local_date(moment: datetime | None, tz: ZoneInfo) -> date | None:
    return moment.astimezone(tz).date() if moment is not None else None


async def participants_table(session: AsyncSession, tz: ZoneInfo, with_phone: bool) -> Table:
    """Every participant (anonymised ones keep only id, status and dates)."""
    headers = ["ID", "Imię i nazwisko", "Status", "Język", "Zarejestrowano", "Aktywowano"]
    if with_phone:
        headers.append("Telefon")
    result = await session.execute(
        select(
            Person.id,
            Person.display_name,
            Person.status,
            Person.language,
            Person.created_at,
            Person.activated_at,
            Person.phone,
        )
        .where(Person.role == Role.PARTICIPANT.value)
        .order_by(Person.id)
    )
    rows: list[list[Cell]] = []
    for pid, name, status, lang, created, activated, phone in result.all():
        row: list[Cell] = [
            pid,
            name,
            status,
            lang,
            _local_date(created, tz),
            _local_date(activated, tz),
        ]
        if with_phone:
            row.append(phone)
        rows.append(row)
    return Table("Uczestnicy", headers, rows)


async def workshops_table(
    session: AsyncSession, month: Month, tz: ZoneInfo, workshop_slug: str | None = None
) -> Table:
    """Enrolments (every status) in sessions starting in `month`, with attendance."""
    start, end = month.bounds(tz)
    query = (
        select(
            WorkshopSession.starts_at,
            WorkshopSession.ends_at,
            Workshop.slug,
            Workshop.title_pl,
            WorkshopSession.status,
            Enrollment.person_id,
            Person.display_name,
            Enrollment.status,
            Enrollment.attended,
        )
        .join(WorkshopSession, WorkshopSession.id == Enrollment.session_id)
        .join(Workshop, Workshop.id == WorkshopSession.workshop_id)
        .join(Person, Person.id == Enrollment.person_id)
        .where(WorkshopSession.starts_at >= start, WorkshopSession.starts_at < end)
        .order_by(WorkshopSession.starts_at, Workshop.slug, Person.display_name, Enrollment.id)
    )
    if workshop_slug:
        if await session.scalar(select(Workshop.id).where(Workshop.slug == workshop_slug)) is None:
            raise NotFound()
        query = query.where(Workshop.slug == workshop_slug)
    rows: list[list[Cell]] = []
    for starts, ends, slug, title, s_status, pid, name, e_status, attended in (
        await session.execute(query)
    ).all():
        local = starts.astimezone(tz)
        rows.append(
            [
                local.date(),
                local.time().replace(tzinfo=None),
                ends.astimezone(tz).time().replace(tzinfo=None),
                slug,
                title,
                s_status,
                pid,
                name,
                e_status,
                attended,
            ]
        )
    headers = [
        "Data",
        "Od",
        "Do",
        "Warsztat (kod)",
        "Warsztat",
        "Status zajęć",
        "ID uczestnika",
        "Imię i nazwisko",
        "Status zapisu",
        "Obecność",
    ]
    return Table(f"Warsztaty {month}", headers, rows)


async def consultations_table(
    session: AsyncSession,
    month: Month,
    tz: ZoneInfo,
    service_slug: str | None = None,
    specialist_id: int | None = None,
) -> Table:
    """Consultation bookings (every status) on slots starting in `month`; `specialist_id`
    limits them to one specialist's slots and drops the referral column."""
    start, end = month.bounds(tz)
    specialist = aliased(Person)
    query = (
        select(
            Slot.starts_at,
            Slot.ends_at,
            ServiceType.slug,
            ServiceType.name_pl,
            specialist.display_name,
            ConsultationBooking.person_id,
            Person.display_name,
            ConsultationBooking.status,
            ConsultationBooking.referral_id,
        )
        .join(Slot, Slot.id == ConsultationBooking.slot_id)
        .join(ServiceType, ServiceType.id == ConsultationBooking.service_type_id)
        .join(specialist, specialist.id == Slot.specialist_id)
        .join(Person, Person.id == ConsultationBooking.person_id)
        .where(Slot.starts_at >= start, Slot.starts_at < end)
        .order_by(Slot.starts_at, ServiceType.slug, ConsultationBooking.id)
    )
    if service_slug:
        found = await session.scalar(select(ServiceType.id).where(ServiceType.slug == service_slug))
        if found is None:
            raise NotFound()
        query = query.where(ServiceType.slug == service_slug)
    if specialist_id is not None:
        query = query.where(Slot.specialist_id == specialist_id)
    rows: list[list[Cell]] = []
    for starts, ends, slug, name, spec, pid, pname, status, referral in (
        await session.execute(query)
    ).all():
        local = starts.astimezone(tz)
        row: list[Cell] = [
            local.date(),
            local.time().replace(tzinfo=None),
            ends.astimezone(tz).time().replace(tzinfo=None),
            slug,
            name,
            spec,
            pid,
            pname,
            status,
        ]
        if specialist_id is None:
            row.append(referral)
        rows.append(row)
    headers = [
        "Data",
        "Od",
        "Do",
        "Usługa (kod)",
        "Usługa",
        "Specjalista",
        "ID uczestnika",
        "Imię i nazwisko",
        "Status",
    ]
    if specialist_id is None:
        headers.append("ID skierowania")
    return Table(f"Konsultacje {month}", headers, rows)


async def childcare_table(
    session: AsyncSession, month: Month, tz: ZoneInfo, with_booking: bool
) -> Table:
    """Care requests whose window starts in `month`. `with_booking` adds what the parent
    attends (workshop title or consultation service): never for the childcare partner."""
    start, end = month.bounds(tz)
    parent = aliased(Person)
    query = (
        select(
            CareRequest.id,
            CareRequest.starts_at,
            CareRequest.ends_at,
            CareRequest.place,
            CareRequest.status,
            CareRequest.decline_reason,
            Dependant.name,
            Dependant.kind,
            Dependant.birth_year,
            parent.id,
            parent.display_name,
            Workshop.title_pl,
            ServiceType.name_pl,
        )
        .join(parent, parent.id == CareRequest.person_id)
        .outerjoin(Dependant, Dependant.id == CareRequest.dependant_id)
        .outerjoin(Enrollment, Enrollment.id == CareRequest.enrollment_id)
        .outerjoin(WorkshopSession, WorkshopSession.id == Enrollment.session_id)
        .outerjoin(Workshop, Workshop.id == WorkshopSession.workshop_id)
        .outerjoin(ConsultationBooking, ConsultationBooking.id == CareRequest.consultation_id)
        .outerjoin(ServiceType, ServiceType.id == ConsultationBooking.service_type_id)
        .where(CareRequest.starts_at >= start, CareRequest.starts_at < end)
        .order_by(CareRequest.starts_at, CareRequest.id)
    )
    rows: list[list[Cell]] = []
    for (
        rid,
        starts,
        ends,
        place,
        status,
        reason,
        dname,
        kind,
        birth_year,
        pid,
        pname,
        workshop,
        service,
    ) in (await session.execute(query)).all():
        local = starts.astimezone(tz)
        row: list[Cell] = [
            rid,
            local.date(),
            local.time().replace(tzinfo=None),
            ends.astimezone(tz).time().replace(tzinfo=None),
            place,
            status,
            reason,
            dname,
            kind,
            (local.year - birth_year) if birth_year is not None else None,
            pid,
            pname,
        ]
        if with_booking:
            row += ["warsztat", workshop] if workshop is not None else ["konsultacja", service]
        rows.append(row)
    headers = [
        "ID",
        "Data",
        "Od",
        "Do",
        "Miejsce",
        "Status",
        "Powód odmowy",
        "Podopieczny",
        "Rodzaj",
        "Wiek",
        "ID rodzica",
        "Rodzic",
    ]
    if with_booking:
        headers += ["Zajęcia rodzica", "Nazwa"]
    return Table(f"Opieka {month}", headers, rows)


# ------------------------------------------------------------------ the export


async def build_table(
    session: AsyncSession,
    actor: Person,
    kind: str,
    month: Month | None,
    tz: ZoneInfo,
    filter_slug: str | None = None,
) -> Table:
    """The rows `actor` (already authorised for `kind`) may see."""
    manager = actor.role in MANAGERS
    if kind == "participants":
        return await participants_table(session, tz, with_phone=manager)
    if month is None:
        raise InvalidInput("month-missing")
    if kind == "workshops":
        return await workshops_table(session, month, tz, filter_slug)
    if kind == "consultations":
        own = None if manager else actor.id
        return await consultations_table(session, month, tz, filter_slug, own)
    if kind == "childcare":
        return await childcare_table(session, month, tz, with_booking=manager)
    raise InvalidInput("export-invalid")


async def export(
    session: AsyncSession,
    *,
    actor_tid: int,
    kind: str,
    fmt: str = "xlsx",
    month: Month | None = None,
    tz: ZoneInfo,
    filter_slug: str | None = None,
) -> ExportFile:
    """One export as file bytes, for the staff member with Telegram id `actor_tid`.

    NotAllowed when their role may not have it (see the module's table); InvalidInput for an
    unknown kind or format, or a missing month (every export but participants needs one);
    NotFound for an unknown workshop or service slug. Writes the audit entry
    `export.<kind>.<fmt>` (target_type "month", target_id YYYYMM; none for participants).
    """
    if kind not in EXPORT_ROLES:
        raise InvalidInput("export-invalid")
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput("format-invalid")
    actor = await people.require_role(session, actor_tid, EXPORT_ROLES[kind])
    table = await build_table(session, actor, kind, month, tz, filter_slug)
    content = render(table, fmt)
    suffix = f"-{filter_slug}" if filter_slug else ""
    period = f"-{month}" if month is not None and kind != "participants" else ""
    filename = f"kis-{kind}{suffix}{period}.{fmt}"
    await audit.record_action(
        session,
        actor.id,
        f"export.{kind}.{fmt}",
        "month" if period else None,
        month.year * 100 + month.month if period and month is not None else None,
    )
    return ExportFile(filename, content, MEDIA_TYPES[fmt], len(table.rows))


def allowed_exports(role: str) -> list[str]:
    """The export kinds a role may ask for (for menus)."""
    return [k for k, roles in EXPORT_ROLES.items() if role in roles]


def check_allowed(actor: Person, roles: Sequence[str]) -> None:
    """NotAllowed unless `actor` holds one of `roles`."""
    if actor.role not in roles:
        raise NotAllowed()


def local_day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[local midnight of `day`, the next local midnight) in UTC."""
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def overlaps(starts: Any, ends: Any, start: datetime, end: datetime) -> Any:
    """SQL: the [starts, ends) window overlaps [start, end)."""
    return and_(starts < end, ends > start)
