"""received updates: the journal that makes intake durable

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04

Every update fetched from Telegram is written here (keyed by its update_id) before its offset
is confirmed, and marked done once handled; unfinished rows are handled again at start-up.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "received_update",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("done_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_received_update")),
    )
    op.create_index("ix_received_update_done_at", "received_update", ["done_at"])


def downgrade() -> None:
    op.drop_index("ix_received_update_done_at", table_name="received_update")
    op.drop_table("received_update")
