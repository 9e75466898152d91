"""daily digests: one agenda or roster per recipient and day, kept by the database

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04

The morning agenda and the childcare roster were queued "at most once a day" by a read and
then an insert: two processes could both insert. A partial unique index on the outbox makes
it the database's job (insert-or-nothing in services.outbox.enqueue_daily_digest). Copies
already queued twice are removed first (the oldest row of each recipient and day is kept:
the other copy is at most a duplicate message of a past day).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = "kind IN ('consult_agenda', 'care_roster')"


def upgrade() -> None:
    op.execute(
        sa.text(
            "DELETE FROM outbox_message WHERE "
            + KINDS
            + " AND EXISTS (SELECT 1 FROM outbox_message AS earlier"
            " WHERE earlier.kind = outbox_message.kind"
            " AND earlier.person_id = outbox_message.person_id"
            " AND earlier.ref_id = outbox_message.ref_id"
            " AND earlier.id < outbox_message.id)"
        )
    )
    op.create_index(
        "uq_outbox_message_daily_digest",
        "outbox_message",
        ["kind", "person_id", "ref_id"],
        unique=True,
        sqlite_where=sa.text(KINDS),
        postgresql_where=sa.text(KINDS),
    )


def downgrade() -> None:
    op.drop_index("uq_outbox_message_daily_digest", table_name="outbox_message")
