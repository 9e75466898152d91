"""Typed settings read from the environment and `.env`, built once in `main()`."""

from __future__ import annotations

from datetime import time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from models.db import DEFAULT_CONNECT_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT
from services.policy import Policy
from services.reminder_time import parse_quiet_hours


class Language(StrEnum):
    """The languages the bot speaks (the first is the club's)."""

    PL = "pl"
    UK = "uk"
    EN = "en"


SUPPORTED_LANGUAGES = tuple(language.value for language in Language)
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/kisbot.sqlite3"


class Settings(BaseSettings):
    """Everything configurable about the bot; see the README for each variable."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    telegram_bot_token: SecretStr | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org/bot", alias="TELEGRAM_API_BASE_URL"
    )
    database_url: str = Field(default=DEFAULT_DATABASE_URL, alias="DATABASE_URL")
    # Seconds; a database that hangs fails the query after this long (models/db.py).
    db_connect_timeout: float = Field(
        default=DEFAULT_CONNECT_TIMEOUT, gt=0, le=600, alias="KISBOT_DB_CONNECT_TIMEOUT"
    )
    db_statement_timeout: float = Field(
        default=DEFAULT_STATEMENT_TIMEOUT, gt=0, le=3600, alias="KISBOT_DB_STATEMENT_TIMEOUT"
    )
    # Seconds `kisbot run` keeps retrying an unreachable Telegram at start before giving up.
    startup_telegram_wait: float = Field(
        default=60, ge=0, le=3600, alias="KISBOT_STARTUP_TELEGRAM_WAIT"
    )
    timezone: str = Field(default="Europe/Warsaw", alias="KISBOT_TIMEZONE")
    default_language: str = Field(default="pl", alias="KISBOT_DEFAULT_LANGUAGE")
    admin_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, alias="KISBOT_ADMIN_IDS"
    )
    log_level: str = Field(default="INFO", alias="KISBOT_LOG_LEVEL")
    # Updates in progress at once (each chat's strictly in order). Generous, because an update
    # mostly waits: for Telegram, or for the group commit its sign-up joined (the more presses
    # in flight, the more share one transaction). Matches the HTTP connection pool (bot/app.py).
    max_concurrent_updates: int = Field(default=256, alias="KISBOT_MAX_CONCURRENT_UPDATES")
    overall_max_rate: float = Field(default=30, ge=0, alias="KISBOT_OVERALL_MAX_RATE")
    send_rate: float = Field(default=25, gt=0, alias="KISBOT_SEND_RATE")
    # How long an announcement is still worth delivering after its planned send time: while
    # Telegram or the network fails, its rows are retried until then, and expire after it.
    broadcast_max_age_hours: float = Field(
        default=24, gt=0, le=24 * 30, alias="KISBOT_BROADCAST_MAX_AGE_HOURS"
    )
    reminder_hours: Annotated[list[int], NoDecode] = Field(
        default_factory=lambda: [24], alias="KISBOT_REMINDER_HOURS"
    )
    offer_hours: float = Field(default=12, gt=0, alias="KISBOT_OFFER_HOURS")
    offer_min_minutes: float = Field(default=30, gt=0, alias="KISBOT_OFFER_MIN_MINUTES")
    quiet_hours: str = Field(default="21:00-08:00", alias="KISBOT_QUIET_HOURS")
    invite_valid_days: int = Field(default=30, alias="KISBOT_INVITE_VALID_DAYS")
    slot_weeks_ahead: int = Field(default=4, ge=1, le=26, alias="KISBOT_SLOT_WEEKS_AHEAD")
    consult_cutoff_hours: int = Field(default=12, ge=0, le=336, alias="KISBOT_CONSULT_CUTOFF_HOURS")
    agenda_time: str = Field(default="07:30", alias="KISBOT_AGENDA_TIME")
    care_margin_minutes: int = Field(default=15, ge=0, le=240, alias="KISBOT_CARE_MARGIN_MINUTES")
    care_capacity: int = Field(default=8, ge=0, le=500, alias="KISBOT_CARE_CAPACITY")
    roster_time: str = Field(default="07:30", alias="KISBOT_ROSTER_TIME")

    @field_validator("admin_ids", "reminder_hours", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        """Accept "1,2 3" as well as a list."""
        if isinstance(value, str):
            return [int(part) for part in value.replace(",", " ").split()]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("default_language")
    @classmethod
    def _check_language(cls, value: str) -> str:
        if value not in SUPPORTED_LANGUAGES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LANGUAGES)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ValueError, KeyError) as exc:  # ZoneInfoNotFoundError is a KeyError
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _check_quiet_hours(cls, value: str) -> str:
        parse_quiet_hours(value)  # ValueError → a clear settings error at start-up
        return value

    @field_validator("agenda_time", "roster_time")
    @classmethod
    def _check_clock_time(cls, value: str) -> str:
        try:
            time.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"must be a clock time like 07:30, not {value!r}") from exc
        return value.strip()

    @property
    def broadcast_max_age(self) -> timedelta:
        """KISBOT_BROADCAST_MAX_AGE_HOURS as a duration."""
        return timedelta(hours=self.broadcast_max_age_hours)

    @property
    def quiet_window(self) -> tuple[time, time] | None:
        """KISBOT_QUIET_HOURS parsed: (start, end) local times, or None when switched off."""
        return parse_quiet_hours(self.quiet_hours)

    @property
    def agenda_clock(self) -> time:
        """KISBOT_AGENDA_TIME parsed: when specialists get their day's agenda (local time)."""
        return time.fromisoformat(self.agenda_time)

    @property
    def roster_clock(self) -> time:
        """KISBOT_ROSTER_TIME parsed: when the childcare partner gets the day's roster (local)."""
        return time.fromisoformat(self.roster_time)

    @property
    def db_timeouts(self) -> dict[str, float]:
        """The database timeouts as `models.db.create_engine` keyword arguments."""
        return {
            "connect_timeout": self.db_connect_timeout,
            "statement_timeout": self.db_statement_timeout,
        }

    @property
    def tz(self) -> ZoneInfo:
        """The zone every person-facing time is shown and parsed in."""
        return ZoneInfo(self.timezone)

    @property
    def token(self) -> str | None:
        """The bot token as plain text, or None when not configured."""
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None

    def sqlite_path(self) -> Path | None:
        """The SQLite database file, or None for other databases or in-memory SQLite."""
        if not self.database_url.startswith("sqlite"):
            return None
        _, _, rest = self.database_url.partition(":///")
        if not rest or rest.startswith(":memory:"):
            return None
        return Path(rest.split("?")[0])


def policy_from(settings: Settings) -> Policy:
    """The club's rules configured in `settings`, as the one value the services are given."""
    return Policy(
        tz=settings.tz,
        quiet=settings.quiet_window,
        offer_hours=settings.offer_hours,
        offer_min_minutes=settings.offer_min_minutes,
        reminder_hours=tuple(settings.reminder_hours),
        consult_cutoff_hours=settings.consult_cutoff_hours,
        care_margin_minutes=settings.care_margin_minutes,
        care_capacity=settings.care_capacity,
        broadcast_max_age=settings.broadcast_max_age,
    )
