"""The received-updates journal: every update from Telegram is a row before it is confirmed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class ReceivedUpdate(Base):
    """One update as Telegram sent it (JSON), written before its offset is confirmed.

    `done_at` is set once the update has been handled (answered, or answered with an apology).
    Rows without it are handled again at start-up; a second copy of a known `update_id` is
    never acted on. Done rows are deleted by housekeeping after a few days (Telegram itself
    forgets unconfirmed updates after 24 hours).
    """

    __tablename__ = "received_update"
    # Finds the unfinished rows at start-up (NULLs are indexed too) and the old done ones.
    __table_args__ = (Index("ix_received_update_done_at", "done_at"),)

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
