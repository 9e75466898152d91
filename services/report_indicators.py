"""Indicators for the EU-funded project's reporting, per local calendar month, and a chart.

Definitions (a month is the local calendar month, KISBOT_TIMEZONE; an activity belongs to the
month its start falls in; only people with the participant role count, anonymised ones too —
their rows are kept exactly so that these counts stay right):

- **unique participants supported**: distinct participants with at least one of
  (a) a workshop enrolment marked attended (`enrollment.attended IS TRUE`) in a session that
  starts in the month, (b) a consultation booking with status `attended` on a slot that starts
  in the month, (c) a care request with status `approved` whose window starts in the month
  (the parent is the one supported). Someone with several kinds of support counts once.
- **hours of support** per type, as participant-hours: workshops — the sum of the session
  lengths over attended enrolments (a 2-hour session attended by 10 people is 20 hours);
  consultations — the sum of slot lengths over attended bookings; childcare — the sum of the
  approved care windows.
- **attendance rate** = attended / marked and **no-show rate** = no-show / marked, for
  workshops (marked: `attended` is not NULL; no-show: `attended` is false; sessions
  cancelled by staff are left out) and consultations (marked: status `attended` or `no_show`).
  None when nothing was marked.

Only admins and coordinators may read them (`REPORT_ROLES`); each reading is audited
(`report.month` / `report.chart`, target_type "month", target_id YYYYMM).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Float, case, cast, func, select, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from models import (
    CareRequest,
    CareStatus,
    ConsultationBooking,
    ConsultationStatus,
    Enrollment,
    Person,
    Role,
    SessionStatus,
    Slot,
    WorkshopSession,
)
from services import audit, people
from services.reports import MANAGERS, Month

REPORT_ROLES = MANAGERS
CHART_MONTHS = 6


@dataclass(frozen=True)
class Rates:
    """Outcomes marked by staff for one kind of booking."""

    attended: int
    no_show: int

    @property
    def marked(self) -> int:
        """Bookings with an outcome."""
        return self.attended + self.no_show

    @property
    def attendance_rate(self) -> float | None:
        """attended / marked (None when nothing was marked)."""
        return self.attended / self.marked if self.marked else None

    @property
    def no_show_rate(self) -> float | None:
        """no-show / marked (None when nothing was marked)."""
        return self.no_show / self.marked if self.marked else None


@dataclass(frozen=True)
class Indicators:
    """One month's figures (see the module docstring for the definitions)."""

    month: Month
    unique_participants: int
    workshop_hours: float
    consultation_hours: float
    childcare_hours: float
    workshops: Rates
    consultations: Rates

    @property
    def total_hours(self) -> float:
        """All support hours of the month."""
        return self.workshop_hours + self.consultation_hours + self.childcare_hours


def minutes_between(session: AsyncSession, starts: object, ends: object) -> ColumnElement[float]:
    """SQL: minutes from `starts` to `ends` (SQLite stores text, PostgreSQL timestamptz)."""
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(ends) - func.julianday(starts)) * 1440.0
    seconds: ColumnElement[float] = cast(func.extract("epoch", ends - starts), Float)  # type: ignore[operator]
    return seconds / 60.0


def _month_id(month: Month) -> int:
    return month.year * 100 + month.month


def _hours(minutes: float | None) -> float:
    return round((minutes or 0.0) / 60.0, 2)


async def month_indicators(
    session: AsyncSession, *, actor_tid: int, month: Month, tz: ZoneInfo
) -> Indicators:
    """The indicators of `month` (admins and coordinators only)."""
    actor = await people.require_role(session, actor_tid, REPORT_ROLES)
    await audit.record_action(session, actor.id, "report.month", "month", _month_id(month))
    return await compute(session, month, tz)


async def compute(session: AsyncSession, month: Month, tz: ZoneInfo) -> Indicators:
    """The indicators of `month`, without a role check (callers check)."""
    start, end = month.bounds(tz)
    participant = Person.role == Role.PARTICIPANT.value

    ws_in_month = (
        (WorkshopSession.starts_at >= start)
        & (WorkshopSession.starts_at < end)
        & (WorkshopSession.status != SessionStatus.CANCELLED.value)
    )
    ws_minutes = minutes_between(session, WorkshopSession.starts_at, WorkshopSession.ends_at)
    ws = (
        await session.execute(
            select(
                func.sum(case((Enrollment.attended.is_(True), ws_minutes), else_=0.0)),
                func.count(case((Enrollment.attended.is_(True), 1))),
                func.count(case((Enrollment.attended.is_(False), 1))),
            )
            .select_from(Enrollment)
            .join(WorkshopSession, WorkshopSession.id == Enrollment.session_id)
            .join(Person, Person.id == Enrollment.person_id)
            .where(ws_in_month, participant, Enrollment.attended.is_not(None))
        )
    ).one()

    attended = ConsultationStatus.ATTENDED.value
    no_show = ConsultationStatus.NO_SHOW.value
    slot_minutes = minutes_between(session, Slot.starts_at, Slot.ends_at)
    cs = (
        await session.execute(
            select(
                func.sum(case((ConsultationBooking.status == attended, slot_minutes), else_=0.0)),
                func.count(case((ConsultationBooking.status == attended, 1))),
                func.count(case((ConsultationBooking.status == no_show, 1))),
            )
            .select_from(ConsultationBooking)
            .join(Slot, Slot.id == ConsultationBooking.slot_id)
            .join(Person, Person.id == ConsultationBooking.person_id)
            .where(
                Slot.starts_at >= start,
                Slot.starts_at < end,
                participant,
                ConsultationBooking.status.in_((attended, no_show)),
            )
        )
    ).one()

    approved = (
        (CareRequest.status == CareStatus.APPROVED.value)
        & (CareRequest.starts_at >= start)
        & (CareRequest.starts_at < end)
    )
    care_minutes = await session.scalar(
        select(func.sum(minutes_between(session, CareRequest.starts_at, CareRequest.ends_at)))
        .select_from(CareRequest)
        .join(Person, Person.id == CareRequest.person_id)
        .where(approved, participant)
    )

    supported = union(
        select(Enrollment.person_id)
        .join(WorkshopSession, WorkshopSession.id == Enrollment.session_id)
        .where(ws_in_month, Enrollment.attended.is_(True)),
        select(ConsultationBooking.person_id)
        .join(Slot, Slot.id == ConsultationBooking.slot_id)
        .where(
            Slot.starts_at >= start, Slot.starts_at < end, ConsultationBooking.status == attended
        ),
        select(CareRequest.person_id).where(approved),
    ).subquery()
    unique = await session.scalar(
        select(func.count())
        .select_from(supported)
        .join(Person, Person.id == supported.c.person_id)
        .where(participant)
    )
    return Indicators(
        month=month,
        unique_participants=int(unique or 0),
        workshop_hours=_hours(ws[0]),
        consultation_hours=_hours(cs[0]),
        childcare_hours=_hours(care_minutes),
        workshops=Rates(int(ws[1]), int(ws[2])),
        consultations=Rates(int(cs[1]), int(cs[2])),
    )


async def series(
    session: AsyncSession,
    *,
    actor_tid: int,
    last: Month,
    months: int = CHART_MONTHS,
    tz: ZoneInfo,
) -> list[Indicators]:
    """Indicators of the `months` months ending with `last`, oldest first."""
    await people.require_role(session, actor_tid, REPORT_ROLES)
    return [await compute(session, last.shift(-i), tz) for i in reversed(range(months))]


def chart_png(data: list[Indicators]) -> bytes:
    """A PNG: hours of support per type (stacked bars) and unique participants (line).

    Drawn with matplotlib's Agg canvas directly (no pyplot, no display, thread-safe)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = [str(d.month) for d in data]
    ws = [d.workshop_hours for d in data]
    cs = [d.consultation_hours for d in data]
    cc = [d.childcare_hours for d in data]
    figure = Figure(figsize=(8, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    positions = list(range(len(data)))
    axes.bar(positions, ws, label="warsztaty (h)", color="#4C72B0")
    axes.bar(positions, cs, bottom=ws, label="konsultacje (h)", color="#DD8452")
    axes.bar(
        positions,
        cc,
        bottom=[a + b for a, b in zip(ws, cs, strict=True)],
        label="opieka (h)",
        color="#55A868",
    )
    axes.set_xticks(positions, labels)
    axes.set_ylabel("godziny wsparcia")
    axes.set_title("KIS Wejherowo: wsparcie w ostatnich miesiącach")
    line_axes = axes.twinx()
    line_axes.plot(
        positions,
        [d.unique_participants for d in data],
        color="#C44E52",
        marker="o",
        label="uczestnicy",
    )
    line_axes.set_ylabel("unikalni uczestnicy")
    line_axes.set_ylim(bottom=0)
    handles, names = axes.get_legend_handles_labels()
    more_handles, more_names = line_axes.get_legend_handles_labels()
    axes.legend(handles + more_handles, names + more_names, loc="upper left", fontsize=8)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


async def chart(session: AsyncSession, *, actor_tid: int, last: Month, tz: ZoneInfo) -> bytes:
    """The chart of the last CHART_MONTHS months as PNG bytes (for the bot to send)."""
    data = await series(session, actor_tid=actor_tid, last=last, tz=tz)
    actor = await people.require_role(session, actor_tid, REPORT_ROLES)
    await audit.record_action(session, actor.id, "report.chart", "month", _month_id(last))
    return chart_png(data)
