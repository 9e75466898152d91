"""The outbox: every message the bot sends later (reminders, offers, notices) is a row first."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, str_enum, utcnow


class OutboxStatus(StrEnum):
    """Where a queued message is in its delivery."""

    PENDING = "pending"  # waiting for due_at (or for a retry)
    CLAIMED = "claimed"  # taken by a dispatcher (claimed_by), not handed to Telegram yet
    SENDING = "sending"  # handed to Telegram, answer not recorded yet: the ambiguous state
    SENT = "sent"
    BLOCKED = "blocked"  # Telegram answered 403: the person blocked the bot
    FAILED = "failed"  # given up, reason in last_error
    CANCELLED = "cancelled"  # no longer wanted (booking cancelled, ...)
    EXPIRED = "expired"  # not sent before expires_at (e.g. the appointment has passed)


KIND_BROADCAST = "broadcast"
# Daily digests (the specialist's agenda, the childcare partner's roster): `ref_id` is the
# local day as YYYYMMDD, and a unique index allows one row per kind, recipient and day.
# Literals, not the services' constants: those modules import this one.
DAILY_DIGEST_KINDS = ("consult_agenda", "care_roster")
# Claim order: lower first. Reminders, offers and notices are time-bound; a bulk announcement
# waits behind them instead of delaying them by minutes.
PRIORITY_NORMAL = 0
PRIORITY_BULK = 10


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class OutboxMessage(Base):
    """One message to one chat, sent by the dispatcher when due.

    The text is rendered at send time from `kind`, `ref_id` and `payload`, in the recipient's
    language of that moment; a renderer may also decide the message is no longer wanted.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint(_in("status", tuple(s.value for s in OutboxStatus)), name="status"),
        CheckConstraint("attempts >= 0", name="attempts"),
        Index("ix_outbox_message_due", "status", "due_at"),
        Index("ix_outbox_message_ref", "kind", "ref_id"),
        # One message per chat and broadcast, whatever happens (double confirmation, retries).
        Index(
            "uq_outbox_message_broadcast_chat",
            "ref_id",
            "chat_id",
            unique=True,
            sqlite_where=text(f"kind = '{KIND_BROADCAST}'"),
            postgresql_where=text(f"kind = '{KIND_BROADCAST}'"),
        ),
        # One daily digest per kind, recipient and day, whoever queues it (two processes at
        # the digest's time, a catch-up after a restart): insert-or-nothing decides.
        Index(
            "uq_outbox_message_daily_digest",
            "kind",
            "person_id",
            "ref_id",
            unique=True,
            sqlite_where=text(_in("kind", DAILY_DIGEST_KINDS)),
            postgresql_where=text(_in("kind", DAILY_DIGEST_KINDS)),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))
    ref_id: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime]
    priority: Mapped[int] = mapped_column(
        SmallInteger, default=PRIORITY_NORMAL, server_default=text("0")
    )
    expires_at: Mapped[datetime | None]
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus, 16), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
