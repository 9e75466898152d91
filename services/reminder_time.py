"""The one timing planner: when reminders go out, when offers end, and local wall times as UTC
instants (quiet hours and DST).

Pure functions, no database; the policy's rules reach them as plain values (`tz`, `quiet`,
always passed: there is no default zone). Every reminder kind (workshop sessions,
consultations) and every freed-seat offer deadline is planned here; announcements use
`after_quiet_hours`. Rules (any `ZoneInfo`; the club's is KISBOT_TIMEZONE, Europe/Warsaw):

- **Offsets.** An offset that is a whole number of days (1440, 2880 minutes, ...; for
  workshops 24 or 48 hours) means "the same clock time N calendar days before": an
  appointment on Monday 10:00 gets its 24-hour reminder on Sunday at 10:00 even when the
  clocks change on that Sunday (then only 23 or 25 real hours lie between them). Any other
  offset is absolute: 120 means 120 real minutes before the start, whatever the clocks do.
- **Quiet hours** (`KISBOT_QUIET_HOURS`, default 21:00–08:00 local, a window that may cross
  midnight; the start is quiet, the end is not): a reminder that would fall inside is moved
  *earlier*, to one minute before the quiet window began (20:59 by default) — never later,
  since later could be after the appointment. A reminder at 06:30 goes to 20:59 the evening
  before; one at 22:30 goes to 20:59 the same evening.
- **Dropped**: reminders at or before `now` (also after moving) and at or after the start.
- **Merged**: reminders that land on the same instant are sent once; the one with the
  smallest offset (the closest to the appointment) is kept.
- **Offer deadlines** (`plan_offer_deadline`): the window is `KISBOT_OFFER_HOURS`, a quarter
  of the time left when the session is near, never under `KISBOT_OFFER_MIN_MINUTES`, never past
  the start (a whole-day window keeps the clock time, like reminders). A deadline that would
  fall in quiet hours moves *later*, to their end (08:00): nobody can answer at 03:15. When
  that is after the session's start (an early-morning session), it moves *earlier* instead,
  to the moment quiet hours begin (21:00), if the person still has the minimum window until
  then; otherwise (the offer itself is made in the evening or at night) the deadline is the
  session's start, so nobody else is woken up for the seat.
- **DST gaps and overlaps.** A local wall time that does not exist (02:30 on the last Sunday of
  March) is read with the offset in force before the change, so it lands on the first instant
  after the gap (03:30 summer time); `local_to_utc` with `strict=True` returns None for it
  instead (slot generation skips such times). A wall time that exists twice (02:30 on the last
  Sunday of October) means its first occurrence (`fold=0`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_MINUTES = 24 * 60
# How far before the start of quiet hours a moved reminder is due.
QUIET_MARGIN = timedelta(minutes=1)

QuietHours = tuple[time, time]

_QUIET_RE = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*[-–]\s*(\d{1,2})[:.](\d{2})\s*$")


@dataclass(frozen=True, order=True)
class PlannedReminder:
    """One reminder: when it is due (UTC) and which configured offset it stands for."""

    due_at: datetime
    offset_minutes: int


def parse_quiet_hours(value: str) -> QuietHours | None:
    """Parse "21:00-08:00" into (21:00, 08:00); "" or "off" gives None (no quiet hours).

    Raises ValueError for anything else, and for a window that starts where it ends.
    """
    text = value.strip().lower()
    if text in ("", "off", "none", "-"):
        return None
    match = _QUIET_RE.match(text)
    if match is None:
        raise ValueError(f"quiet hours must look like 21:00-08:00, not {value!r}")
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    try:
        start, end = time(h1, m1), time(h2, m2)
    except ValueError as exc:
        raise ValueError(f"quiet hours must look like 21:00-08:00, not {value!r}") from exc
    if start == end:
        raise ValueError("quiet hours must not start where they end")
    return start, end


def in_quiet_hours(moment: time, quiet: QuietHours | None) -> bool:
    """Whether a local clock time lies in the quiet window [start, end)."""
    if quiet is None:
        return False
    start, end = quiet
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end  # the window crosses midnight


def local_to_utc(day: date, clock: time, tz: ZoneInfo, *, strict: bool = False) -> datetime | None:
    """The UTC instant of a local wall time (see the module notes for DST gaps and overlaps).

    With `strict`, a wall time that does not exist that day (inside the spring-forward gap)
    gives None.
    """
    naive = datetime.combine(day, clock.replace(tzinfo=None))
    instant = naive.replace(tzinfo=tz).astimezone(UTC)
    if strict and instant.astimezone(tz).replace(tzinfo=None) != naive:
        return None
    return instant


def shift(moment: datetime, minutes: float, tz: ZoneInfo) -> datetime:
    """`moment` moved by `minutes` (negative: earlier), in UTC. A whole number of days keeps
    the local clock time (calendar days, across DST); anything else counts real minutes."""
    moment = moment.astimezone(UTC)
    if minutes and minutes % DAY_MINUTES == 0:
        local = moment.astimezone(tz)
        day = local.date() + timedelta(days=int(minutes // DAY_MINUTES))
        result = local_to_utc(day, local.time().replace(tzinfo=None), tz)
        assert result is not None
        return result.astimezone(UTC)
    return moment + timedelta(minutes=minutes)


def _nominal(starts_at: datetime, offset: int, tz: ZoneInfo) -> datetime:
    return shift(starts_at, -offset, tz)


def quiet_period_start(due: datetime, tz: ZoneInfo, quiet: QuietHours) -> datetime:
    """When the quiet period containing `due` began (UTC); `due` must lie inside one."""
    local = due.astimezone(tz)
    start = quiet[0]
    began_on = local.date()
    if local.time().replace(tzinfo=None) < start:
        began_on -= timedelta(days=1)  # e.g. 06:30 is in the quiet period begun last evening
    began = local_to_utc(began_on, start, tz)
    assert began is not None
    return began.astimezone(UTC)


def move_out_of_quiet_hours(due: datetime, tz: ZoneInfo, quiet: QuietHours | None) -> datetime:
    """`due` itself when outside quiet hours, else one minute before that quiet period began."""
    local = due.astimezone(tz)
    if quiet is None or not in_quiet_hours(local.time().replace(tzinfo=None), quiet):
        return due
    return quiet_period_start(due, tz, quiet) - QUIET_MARGIN


def after_quiet_hours(due: datetime, tz: ZoneInfo, quiet: QuietHours | None) -> datetime:
    """`due` itself when outside quiet hours, else the moment that quiet period ends (08:00 by
    default): for announcements, which may wait but must not wake anyone up."""
    local = due.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    if quiet is None or not in_quiet_hours(clock, quiet):
        return due
    start, end = quiet
    ends_on = local.date()
    if start > end and clock >= start:
        ends_on += timedelta(days=1)  # 22:30 is in the quiet period that ends tomorrow morning
    ended = local_to_utc(ends_on, end, tz)
    assert ended is not None
    return ended


def plan_reminder_offsets(
    starts_at_utc: datetime,
    offsets_minutes: list[int] | tuple[int, ...],
    *,
    now: datetime,
    tz: ZoneInfo,
    quiet: QuietHours | None,
) -> list[PlannedReminder]:
    """The reminders to queue for an appointment, earliest first, each with its offset."""
    if starts_at_utc.tzinfo is None or now.tzinfo is None:
        raise ValueError("pass aware datetimes")
    # Arithmetic on UTC only: timedelta on a local aware datetime would count wall minutes.
    starts_at_utc = starts_at_utc.astimezone(UTC)
    chosen: dict[datetime, int] = {}
    for offset in sorted({int(o) for o in offsets_minutes if int(o) > 0}):
        due = move_out_of_quiet_hours(_nominal(starts_at_utc, offset, tz), tz, quiet)
        if due <= now or due >= starts_at_utc:
            continue
        due = due.astimezone(UTC)
        # Offsets are visited smallest first, so a merged instant keeps the smallest.
        chosen.setdefault(due, offset)
    return sorted(PlannedReminder(due, offset) for due, offset in chosen.items())


def plan_reminders(
    starts_at_utc: datetime,
    offsets_minutes: list[int] | tuple[int, ...],
    *,
    now: datetime,
    tz: ZoneInfo,
    quiet: QuietHours | None,
) -> list[datetime]:
    """When to remind (UTC, earliest first) of an appointment starting at `starts_at_utc`."""
    return [
        p.due_at
        for p in plan_reminder_offsets(starts_at_utc, offsets_minutes, now=now, tz=tz, quiet=quiet)
    ]


def plan_offer_deadline(
    now: datetime,
    starts_at: datetime,
    *,
    window_hours: float,
    min_minutes: float,
    tz: ZoneInfo,
    quiet: QuietHours | None,
) -> datetime:
    """Until when a freed seat is held for the person offered it (UTC; see the module notes:
    the window, shortened near the start, then out of quiet hours without passing the start)."""
    if starts_at.tzinfo is None or now.tzinfo is None:
        raise ValueError("pass aware datetimes")
    now, starts_at = now.astimezone(UTC), starts_at.astimezone(UTC)
    configured = timedelta(hours=window_hours)
    minimum = timedelta(minutes=min_minutes)
    window = max(min(configured, (starts_at - now) / 4), minimum)
    if window == configured:
        due = shift(now, window_hours * 60, tz)  # 24 h: the same clock time tomorrow
    else:
        due = now + window
    if due >= starts_at:
        return starts_at
    if quiet is None or not in_quiet_hours(due.astimezone(tz).time().replace(tzinfo=None), quiet):
        return due
    later = after_quiet_hours(due, tz, quiet).astimezone(UTC)
    if later <= starts_at:
        return later
    # The session starts before quiet hours end: end the offer when they begin, if that still
    # leaves the minimum window; else hold the seat for this person until the start.
    earlier = quiet_period_start(due, tz, quiet)
    if earlier >= now + minimum:
        return earlier
    return starts_at
