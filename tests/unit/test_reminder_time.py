"""When reminders go out: offsets, quiet hours, the past, duplicates and daylight-saving days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bot.settings import Settings
from services.consult_schedule import day_slots
from services.reminder_time import (
    QuietHours,
    in_quiet_hours,
    local_to_utc,
    parse_quiet_hours,
    plan_offer_deadline,
    plan_reminder_offsets,
    plan_reminders,
)
from tests.factories import make_policy

WAW = ZoneInfo("Europe/Warsaw")
QUIET = (time(21, 0), time(8, 0))


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=WAW)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_morning_appointment_24h_is_fine_2h_moves_to_the_evening_before() -> None:
    starts = local(2027, 3, 10, 8, 30)  # winter time, UTC+1
    planned = plan_reminder_offsets(
        starts, [1440, 120], now=local(2027, 3, 1, 12, 0), tz=WAW, quiet=QUIET
    )
    assert [(p.due_at, p.offset_minutes) for p in planned] == [
        (utc(2027, 3, 9, 7, 30), 1440),  # 08:30 the day before
        (utc(2027, 3, 9, 19, 59), 120),  # 06:30 is quiet → 20:59 the evening before
    ]


def test_a_reminder_due_late_in_the_evening_moves_to_just_before_21() -> None:
    starts = local(2027, 3, 10, 23, 0)
    due = plan_reminders(starts, [30], now=local(2027, 3, 1, 12, 0), tz=WAW, quiet=QUIET)
    assert due == [local(2027, 3, 10, 20, 59).astimezone(UTC)]


def test_reminders_in_the_past_are_dropped() -> None:
    starts = local(2027, 3, 10, 8, 30)
    due = plan_reminders(starts, [1440, 120], now=local(2027, 3, 9, 12, 0), tz=WAW, quiet=QUIET)
    assert due == [utc(2027, 3, 9, 19, 59)]  # the 24 h one was due at 08:30 today
    # Booked at 22:00 for 07:30 next morning: both reminders would be in the past or quiet.
    late = plan_reminders(
        local(2027, 3, 10, 7, 30), [1440, 120], now=local(2027, 3, 9, 22, 0), tz=WAW, quiet=QUIET
    )
    assert late == []


def test_reminders_at_or_after_the_start_and_bad_offsets_are_dropped() -> None:
    starts = local(2027, 3, 10, 12, 0)
    assert plan_reminders(starts, [0, -30], now=local(2027, 3, 1), tz=WAW, quiet=QUIET) == []


def test_reminders_landing_on_the_same_minute_are_merged_keeping_the_nearest_offset() -> None:
    starts = local(2027, 3, 10, 9, 0)
    planned = plan_reminder_offsets(
        starts, [180, 120, 120], now=local(2027, 3, 1), tz=WAW, quiet=QUIET
    )
    assert [(p.due_at, p.offset_minutes) for p in planned] == [(utc(2027, 3, 9, 19, 59), 120)]


def test_without_quiet_hours_nothing_moves() -> None:
    starts = local(2027, 3, 10, 8, 30)
    due = plan_reminders(starts, [120], now=local(2027, 3, 1), tz=WAW, quiet=None)
    assert due == [local(2027, 3, 10, 6, 30).astimezone(UTC)]


def test_day_before_means_the_same_clock_time_across_spring_forward() -> None:
    # Sunday 29 March 2026: clocks go from 02:00 CET to 03:00 CEST.
    starts = local(2026, 3, 29, 10, 0)  # 08:00 UTC
    assert starts.astimezone(UTC) == utc(2026, 3, 29, 8, 0)
    due = plan_reminders(starts, [1440], now=local(2026, 3, 20), tz=WAW, quiet=QUIET)
    # Saturday 10:00 CET = 09:00 UTC: only 23 real hours before, as people expect.
    assert due == [utc(2026, 3, 28, 9, 0)]


def test_day_before_means_the_same_clock_time_across_fall_back() -> None:
    # Sunday 25 October 2026: clocks go from 03:00 CEST back to 02:00 CET.
    starts = local(2026, 10, 25, 10, 0)  # 09:00 UTC
    due = plan_reminders(starts, [1440], now=local(2026, 10, 20), tz=WAW, quiet=QUIET)
    assert due == [utc(2026, 10, 24, 8, 0)]  # Saturday 10:00 CEST, 25 real hours before


def test_minute_offsets_are_real_minutes_across_a_clock_change() -> None:
    starts = local(2026, 3, 29, 4, 0)  # 04:00 CEST = 02:00 UTC
    due = plan_reminders(starts, [120], now=local(2026, 3, 20), tz=WAW, quiet=None)
    assert due == [utc(2026, 3, 29, 0, 0)]  # 01:00 CET on the wall: still two real hours


def test_quiet_hours_move_on_the_dst_morning() -> None:
    starts = local(2026, 3, 29, 8, 30)  # 06:30 UTC, summer time already
    planned = plan_reminder_offsets(
        starts, [1440, 120], now=local(2026, 3, 20), tz=WAW, quiet=QUIET
    )
    assert [p.due_at for p in planned] == [
        utc(2026, 3, 28, 7, 30),  # Saturday 08:30 CET
        utc(2026, 3, 28, 19, 59),  # 06:30 CEST is quiet → Saturday 20:59 CET
    ]
    autumn = plan_reminders(
        local(2026, 10, 25, 8, 30), [120], now=local(2026, 10, 20), tz=WAW, quiet=QUIET
    )
    assert autumn == [utc(2026, 10, 24, 18, 59)]  # Saturday 20:59 CEST


def test_quiet_window_boundaries() -> None:
    assert in_quiet_hours(time(21, 0), QUIET)
    assert in_quiet_hours(time(3, 0), QUIET)
    assert in_quiet_hours(time(7, 59), QUIET)
    assert not in_quiet_hours(time(8, 0), QUIET)
    assert not in_quiet_hours(time(20, 59), QUIET)
    daytime = (time(13, 0), time(15, 0))
    assert in_quiet_hours(time(14, 0), daytime) and not in_quiet_hours(time(15, 0), daytime)
    assert not in_quiet_hours(time(3, 0), None)


def test_a_daytime_quiet_window_also_moves_earlier() -> None:
    starts = local(2027, 3, 10, 16, 0)
    due = plan_reminders(
        starts, [120], now=local(2027, 3, 1), tz=WAW, quiet=(time(13, 0), time(15, 0))
    )
    assert due == [local(2027, 3, 10, 12, 59).astimezone(UTC)]


def test_parse_quiet_hours() -> None:
    assert parse_quiet_hours("21:00-08:00") == QUIET
    assert parse_quiet_hours(" 22.30 – 6:00 ") == (time(22, 30), time(6, 0))
    assert parse_quiet_hours("off") is None
    assert parse_quiet_hours("") is None
    for bad in ("21-08", "25:00-08:00", "21:00-21:00", "evening"):
        with pytest.raises(ValueError):
            parse_quiet_hours(bad)


def test_settings_parse_quiet_hours() -> None:
    settings = Settings(_env_file=None, KISBOT_QUIET_HOURS="22:00-07:30")  # type: ignore[call-arg]
    assert settings.quiet_window == (time(22, 0), time(7, 30))
    assert Settings(_env_file=None, KISBOT_QUIET_HOURS="off").quiet_window is None  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        Settings(_env_file=None, KISBOT_QUIET_HOURS="late")  # type: ignore[call-arg]
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert defaults.slot_weeks_ahead == 4
    assert defaults.consult_cutoff_hours == 12
    assert defaults.agenda_clock == time(7, 30)


def test_local_wall_times_in_dst_gaps_and_overlaps() -> None:
    assert local_to_utc(date(2026, 3, 29), time(2, 30), WAW, strict=True) is None
    assert local_to_utc(date(2026, 3, 29), time(2, 30), WAW) == utc(2026, 3, 29, 1, 30)
    # 02:30 exists twice on 25 October: the first one (summer time) is meant.
    assert local_to_utc(date(2026, 10, 25), time(2, 30), WAW) == utc(2026, 10, 25, 0, 30)
    assert local_to_utc(date(2026, 7, 1), time(10, 0), WAW) == utc(2026, 7, 1, 8, 0)
    assert local_to_utc(date(2026, 12, 1), time(10, 0), WAW) == utc(2026, 12, 1, 9, 0)


def test_day_slots_skip_the_missing_hour() -> None:
    slots = day_slots(date(2026, 3, 29), time(1, 0), time(4, 0), 60, WAW)
    assert [s for s, _ in slots] == [utc(2026, 3, 29, 0, 0), utc(2026, 3, 29, 1, 0)]
    autumn = day_slots(date(2026, 10, 25), time(9, 0), time(10, 40), 50, WAW)
    assert autumn == [
        (utc(2026, 10, 25, 8, 0), utc(2026, 10, 25, 8, 50)),
        (utc(2026, 10, 25, 8, 50), utc(2026, 10, 25, 9, 40)),
    ]


# Workshop session reminders (KISBOT_REMINDER_HOURS) go through the same planner.


def test_workshop_reminders_in_quiet_hours_move_to_the_evening_before() -> None:
    policy = make_policy(reminder_hours=(24, 2), tz=WAW, quiet=QUIET)
    planned = policy.reminders(local(2027, 3, 10, 8, 30), now=local(2027, 3, 1, 12, 0))
    assert [(p.due_at, p.offset_minutes) for p in planned] == [
        (utc(2027, 3, 9, 7, 30), 1440),  # 08:30 the day before
        (utc(2027, 3, 9, 19, 59), 120),  # 06:30 is quiet → 20:59 the evening before
    ]


def test_workshop_reminder_just_after_midnight_moves_to_the_evening_before() -> None:
    policy = make_policy(reminder_hours=(1,), tz=WAW, quiet=QUIET)
    planned = policy.reminders(local(2027, 3, 10, 1, 30), now=local(2027, 3, 1))
    assert [p.due_at for p in planned] == [local(2027, 3, 9, 20, 59).astimezone(UTC)]


def test_workshop_day_before_keeps_the_clock_time_across_dst() -> None:
    spring = make_policy(reminder_hours=(24, 48), tz=WAW, quiet=QUIET).reminders(
        local(2026, 3, 29, 10, 0), now=local(2026, 3, 20)
    )
    assert [p.due_at for p in spring] == [
        utc(2026, 3, 27, 9, 0),  # Friday 10:00 CET
        utc(2026, 3, 28, 9, 0),  # Saturday 10:00 CET: 23 real hours before 10:00 CEST
    ]
    autumn = make_policy(reminder_hours=(24,), tz=WAW, quiet=QUIET).reminders(
        local(2026, 10, 25, 10, 0), now=local(2026, 10, 20)
    )
    assert [p.due_at for p in autumn] == [utc(2026, 10, 24, 8, 0)]  # Saturday 10:00 CEST


# Freed-seat offer deadlines (KISBOT_OFFER_HOURS, KISBOT_OFFER_MIN_MINUTES).


def deadline(
    now: datetime, starts: datetime, hours: float = 12, quiet: QuietHours | None = QUIET
) -> datetime:
    return plan_offer_deadline(now, starts, window_hours=hours, min_minutes=30, tz=WAW, quiet=quiet)


def test_an_afternoon_offer_ends_at_eight_not_in_the_night() -> None:
    now = local(2027, 3, 1, 14, 15)
    # 14:15 + 12 h = 02:15 (03:15 in summer): nobody answers then; the end of quiet hours.
    assert deadline(now, local(2027, 3, 8, 18, 0)) == local(2027, 3, 2, 8, 0).astimezone(UTC)
    summer = local(2027, 7, 1, 15, 15)
    assert deadline(summer, local(2027, 7, 8, 18, 0)) == local(2027, 7, 2, 8, 0).astimezone(UTC)
    # Without quiet hours the window is what it was.
    assert deadline(now, local(2027, 3, 8, 18, 0), quiet=None) == local(2027, 3, 2, 2, 15)


def test_a_morning_offer_is_not_moved() -> None:
    now = local(2027, 3, 1, 8, 30)
    assert deadline(now, local(2027, 3, 8, 18, 0)) == local(2027, 3, 1, 20, 30)


def test_a_whole_day_offer_window_keeps_the_clock_time_across_dst() -> None:
    now = local(2026, 3, 28, 12, 0)  # Saturday before the spring change
    assert deadline(now, local(2026, 4, 10, 12, 0), hours=24) == utc(2026, 3, 29, 10, 0)


def test_an_offer_near_the_session_never_passes_the_start() -> None:
    # Session at 12:00, offered at 20:00: a quarter of the 16 h left → 00:00, quiet → 08:00.
    assert deadline(local(2027, 3, 1, 20, 0), local(2027, 3, 2, 12, 0)) == local(
        2027, 3, 2, 8, 0
    ).astimezone(UTC)
    # Session at 08:00: 08:00 is still the start, allowed.
    assert deadline(local(2027, 3, 1, 20, 0), local(2027, 3, 2, 8, 0)) == local(
        2027, 3, 2, 8, 0
    ).astimezone(UTC)
    # Very near: the minimum window, but never past the start.
    near = local(2027, 3, 1, 12, 0)
    assert deadline(near, local(2027, 3, 1, 12, 40)) == local(2027, 3, 1, 12, 30).astimezone(UTC)
    assert deadline(near, local(2027, 3, 1, 12, 10)) == local(2027, 3, 1, 12, 10).astimezone(UTC)


def test_an_offer_for_an_early_morning_session() -> None:
    # Session at 07:00, offered at 17:00: 17:00 + 3.5 h = 20:30 is before quiet hours: kept.
    early = local(2027, 3, 2, 7, 0)
    assert deadline(local(2027, 3, 1, 17, 0), early) == local(2027, 3, 1, 20, 30).astimezone(UTC)
    # Offered at 19:00: 21:00 is quiet and 08:00 is after the start → ends at 21:00.
    assert deadline(local(2027, 3, 1, 19, 0), early) == local(2027, 3, 1, 21, 0).astimezone(UTC)
    # Offered at 23:00 (someone cancelled late): nobody else can be asked overnight, so the
    # seat is held for this person until the start.
    assert deadline(local(2027, 3, 1, 23, 0), early) == early.astimezone(UTC)
