"""outbox: the `claimed` status

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

A dispatcher now claims rows as `claimed` and moves each to `sending` only just before it is
handed to Telegram (docs/delivery.md). Only the status CHECK constraint changes. On SQLite
`batch_alter_table` rebuilds the table (named CHECK constraints are reflected and carried over).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The name models.base's naming convention gives CheckConstraint(..., name="status").
CONSTRAINT = "ck_outbox_message_status"
BEFORE = "status IN ('pending', 'sending', 'sent', 'blocked', 'failed', 'cancelled', 'expired')"
AFTER = (
    "status IN ('pending', 'claimed', 'sending', 'sent', 'blocked', 'failed', 'cancelled', "
    "'expired')"
)


def _replace_check(condition: str) -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CONSTRAINT), type_="check")
        batch_op.create_check_constraint(op.f(CONSTRAINT), sa.text(condition))


def upgrade() -> None:
    _replace_check(AFTER)


def downgrade() -> None:
    # A claimed row was never handed to Telegram: giving it back to the queue loses nothing.
    op.execute(
        "UPDATE outbox_message SET status = 'pending', claimed_at = NULL, claimed_by = NULL "
        "WHERE status = 'claimed'"
    )
    _replace_check(BEFORE)
