"""The club's timing and capacity rules, as one value.

Built once from the settings (`bot.settings.policy_from`), kept on the application's
dependencies (`Deps.policy`) and passed explicitly, like the session and `now`, to every
service that needs a rule from it. No service reads a module-global policy or falls back to a
time zone of its own: a function that needs the zone or the quiet hours takes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from models import ServiceType
from services.reminder_time import (
    PlannedReminder,
    QuietHours,
    plan_offer_deadline,
    plan_reminder_offsets,
)

__all__ = ["Policy"]


@dataclass(frozen=True, kw_only=True)
class Policy:
    """Rules from settings: the time zone (KISBOT_TIMEZONE), quiet hours (KISBOT_QUIET_HOURS),
    workshop offer windows (KISBOT_OFFER_HOURS, KISBOT_OFFER_MIN_MINUTES) and reminder offsets
    (KISBOT_REMINDER_HOURS), the consultation cut-off (KISBOT_CONSULT_CUTOFF_HOURS), the care
    margin and default capacity (KISBOT_CARE_MARGIN_MINUTES, KISBOT_CARE_CAPACITY) and how long
    an announcement is worth delivering (KISBOT_BROADCAST_MAX_AGE_HOURS). No defaults: the
    settings own them."""

    tz: ZoneInfo
    quiet: QuietHours | None
    offer_hours: float
    offer_min_minutes: float
    reminder_hours: tuple[int, ...]
    consult_cutoff_hours: int
    care_margin_minutes: int
    care_capacity: int
    broadcast_max_age: timedelta

    def offer_deadline(self, now: datetime, starts_at: datetime) -> datetime:
        """How long a freed seat is held: the configured window, shorter when the session is
        near (a quarter of the time left, but never under the minimum), never past the start,
        and not ending in quiet hours (see `reminder_time.plan_offer_deadline`)."""
        return plan_offer_deadline(
            now,
            starts_at,
            window_hours=self.offer_hours,
            min_minutes=self.offer_min_minutes,
            tz=self.tz,
            quiet=self.quiet,
        )

    def reminders(self, starts_at: datetime, now: datetime) -> list[PlannedReminder]:
        """The workshop session reminders to queue now, earliest first (quiet hours, DST)."""
        return plan_reminder_offsets(
            starts_at,
            [hours * 60 for hours in self.reminder_hours],
            now=now,
            tz=self.tz,
            quiet=self.quiet,
        )

    def consult_cutoff(self, service: ServiceType) -> timedelta:
        """How long before the start cancelling and rescheduling a consultation end: the
        service type's own cut-off when set, else the configured one."""
        hours = (
            service.cancel_cutoff_hours
            if service.cancel_cutoff_hours is not None
            else self.consult_cutoff_hours
        )
        return timedelta(hours=hours)

    @property
    def care_margin(self) -> timedelta:
        """Care starts this long before the booking and ends this long after it."""
        return timedelta(minutes=self.care_margin_minutes)
