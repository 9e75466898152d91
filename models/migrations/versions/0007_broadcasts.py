"""broadcasts: the announcement table, outbox priority and one message per chat and broadcast

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

Recipients of a broadcast are outbox rows (kind 'broadcast', ref_id = broadcast.id); a partial
unique index makes sure nobody gets the same broadcast twice. `outbox_message.priority` lets
reminders and offers be claimed before bulk rows. `person.unreachable_at` records a 403 (the
person blocked the bot) until they write to the bot again.

Only columns and indexes are added to existing tables (ALTER TABLE ... ADD COLUMN, CREATE
INDEX): no SQLite table is re-created, so the staff views of 0006 need no care.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = "'draft', 'scheduled', 'sending', 'stopped', 'discarded'"
AUDIENCES = "'all', 'workshop', 'session', 'waitlist', 'dates', 'language'"


def upgrade() -> None:
    op.create_table(
        "broadcast",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("text_pl", sa.Text(), nullable=False),
        sa.Column("text_uk", sa.Text(), nullable=True),
        sa.Column("text_en", sa.Text(), nullable=True),
        sa.Column("media_kind", sa.String(length=8), nullable=True),
        sa.Column("media_file_id", sa.String(length=255), nullable=True),
        sa.Column("audience_kind", sa.String(length=16), nullable=True),
        sa.Column("audience_ref", sa.Integer(), nullable=True),
        sa.Column("audience_from", sa.Date(), nullable=True),
        sa.Column("audience_to", sa.Date(), nullable=True),
        sa.Column("audience_language", sa.String(length=2), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("send_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("progress_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("progress_message_id", sa.Integer(), nullable=True),
        sa.Column("progress_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("stopped_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"status IN ({STATUSES})", name=op.f("ck_broadcast_status")),
        sa.CheckConstraint(
            f"audience_kind IS NULL OR audience_kind IN ({AUDIENCES})",
            name=op.f("ck_broadcast_audience_kind"),
        ),
        sa.CheckConstraint(
            "media_kind IS NULL OR media_kind IN ('photo', 'document')",
            name=op.f("ck_broadcast_media_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["person.id"],
            name=op.f("fk_broadcast_author_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast")),
    )
    op.create_index("ix_broadcast_status", "broadcast", ["status", "finished_at"])
    op.create_index("ix_broadcast_author", "broadcast", ["author_id", "created_at"])
    op.add_column(
        "outbox_message",
        sa.Column("priority", sa.SmallInteger(), nullable=False, server_default="0"),
    )
    op.create_index(
        "uq_outbox_message_broadcast_chat",
        "outbox_message",
        ["ref_id", "chat_id"],
        unique=True,
        sqlite_where=sa.text("kind = 'broadcast'"),
        postgresql_where=sa.text("kind = 'broadcast'"),
    )
    op.add_column(
        "person",
        sa.Column("unreachable_at", models.base.UTCDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_index("uq_outbox_message_broadcast_chat", table_name="outbox_message")
    # SQLite >= 3.35 drops a column in place; the staff views read neither of these columns.
    op.drop_column("outbox_message", "priority")
    op.drop_column("person", "unreachable_at")
    op.drop_index("ix_broadcast_author", table_name="broadcast")
    op.drop_index("ix_broadcast_status", table_name="broadcast")
    op.drop_table("broadcast")
