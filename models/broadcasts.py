"""ORM model of staff broadcasts: the announcement, its audience and its delivery progress.

The recipients are not a table of their own: each one is an `outbox_message` row (kind
"broadcast", ref_id = the broadcast), written when the author confirms; the dispatcher sends
them and their statuses are the delivery report.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy import Text as TextType
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, str_enum, utcnow


class BroadcastStatus(StrEnum):
    """Where an announcement is in its life."""

    DRAFT = "draft"  # being composed by its author
    SCHEDULED = "scheduled"  # confirmed, recipients written, due at send_at
    SENDING = "sending"  # confirmed, delivery under way (finished_at set when all are final)
    STOPPED = "stopped"  # the author stopped it: what was not yet sent is cancelled
    DISCARDED = "discarded"  # a draft thrown away, or a scheduled one cancelled before sending


class AudienceKind(StrEnum):
    """Who an announcement goes to."""

    ALL = "all"  # every active participant
    WORKSHOP = "workshop"  # seats in an upcoming date of one workshop (ref = workshop id)
    SESSION = "session"  # seats in one date (ref = session id)
    WAITLIST = "waitlist"  # the waiting list of one date (ref = session id)
    DATES = "dates"  # a workshop seat or a consultation between date_from and date_to
    LANGUAGE = "language"  # every active participant whose language is `language`


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class MediaKind(StrEnum):
    """What an announcement carries besides its text."""

    PHOTO = "photo"
    DOCUMENT = "document"


MEDIA_KINDS = tuple(m.value for m in MediaKind)


class Broadcast(Base):
    """One announcement by a coordinator or admin, with per-language texts and an audience."""

    __tablename__ = "broadcast"
    __table_args__ = (
        CheckConstraint(_in("status", tuple(s.value for s in BroadcastStatus)), name="status"),
        CheckConstraint(
            "audience_kind IS NULL OR "
            + _in("audience_kind", tuple(a.value for a in AudienceKind)),
            name="audience_kind",
        ),
        CheckConstraint(
            "media_kind IS NULL OR " + _in("media_kind", MEDIA_KINDS), name="media_kind"
        ),
        CheckConstraint("recipients >= 0", name="recipients"),
        Index("ix_broadcast_status", "status", "finished_at"),
        Index("ix_broadcast_author", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    status: Mapped[BroadcastStatus] = mapped_column(
        str_enum(BroadcastStatus, 16), default=BroadcastStatus.DRAFT
    )
    # The texts are Telegram HTML (the author's formatting kept). Polish is the main text:
    # everyone whose language has no version of its own gets it.
    text_pl: Mapped[str] = mapped_column(TextType, default="")
    text_uk: Mapped[str | None] = mapped_column(TextType)
    text_en: Mapped[str | None] = mapped_column(TextType)
    media_kind: Mapped[MediaKind | None] = mapped_column(str_enum(MediaKind, 8))
    media_file_id: Mapped[str | None] = mapped_column(String(255))
    audience_kind: Mapped[AudienceKind | None] = mapped_column(str_enum(AudienceKind, 16))
    audience_ref: Mapped[int | None] = mapped_column(Integer)
    audience_from: Mapped[date | None]
    audience_to: Mapped[date | None]
    audience_language: Mapped[str | None] = mapped_column(String(2))
    # Urgent announcements ignore the quiet hours (KISBOT_QUIET_HOURS).
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    send_at: Mapped[datetime | None]  # None: as soon as confirmed
    confirmed_at: Mapped[datetime | None]
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    # The author's progress message, edited at most every few seconds while it is delivered.
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(Integer)
    progress_at: Mapped[datetime | None]
    stopped_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]  # every recipient row is final
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def text_for(self, language: str) -> str:
        """The version for `language`, or the main (Polish) text."""
        version = {"uk": self.text_uk, "en": self.text_en}.get(language)
        return version or self.text_pl
