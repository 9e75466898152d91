"""counter checks: seats_taken <= capacity on workshop sessions, counters never negative

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

Adds CHECK constraints on the counters that are compared with a limit of the same row:

- `workshop_session.seats_taken <= capacity` (`seats_taken >= 0` exists since 0002);
- `broadcast.recipients >= 0`;
- `outbox_message.attempts >= 0`.

(`referral.sessions_used` has been checked against `sessions_total` since 0003; care capacity
has no stored counter: it is computed from the requests.)

Existing rows that would violate a new constraint are repaired first, never dropped:

- a session holding more seats than its capacity gets its capacity raised to the seats taken
  (the seats belong to real confirmed enrolments and offers; nobody loses a place). The
  session ids are logged as a warning so staff can look at them;
- a negative `recipients` or `attempts` (impossible through the code) is set to 0.

PostgreSQL adds the constraints in place. SQLite cannot add a CHECK to a table, so the three
tables are re-created (Alembic batch mode). That needs two precautions:

- `models.migrate` runs SQLite migrations with `PRAGMA foreign_keys=OFF` (and checks the keys
  with `PRAGMA foreign_key_check` before committing): with foreign keys on, dropping the old
  `workshop_session` would cascade-delete every enrolment;
- the staff views of 0006 read `workshop_session`; SQLite refuses to rename the rebuilt table
  while a view names a missing table, so the views are dropped before the rebuild and
  re-created after it, from 0006's frozen SQL (the views have not changed since).
"""

import importlib.util
import logging
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

# (table, constraint name as in the models, condition)
CHECKS = (
    ("workshop_session", "seats_within_capacity", "seats_taken <= capacity"),
    ("broadcast", "recipients", "recipients >= 0"),
    ("outbox_message", "attempts", "attempts >= 0"),
)


def _staff_views() -> ModuleType:
    """Migration 0006 (the staff views' SQL), loaded from its file."""
    path = Path(__file__).with_name("0006_staff_views.py")
    spec = importlib.util.spec_from_file_location("kisbot_migration_0006", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _drop_views(dialect: str) -> list[tuple[str, str]]:
    views = list(_staff_views()._views(dialect).items())
    for name, _body in reversed(views):
        op.execute(sa.text(f"DROP VIEW IF EXISTS {name}"))
    return views


def _create_views(views: list[tuple[str, str]]) -> None:
    for name, body in views:
        op.execute(sa.text(f"CREATE VIEW {name} AS {body.strip()}"))


def _repair() -> None:
    bind = op.get_bind()
    over = bind.execute(
        sa.text(
            "SELECT id, capacity, seats_taken FROM workshop_session "
            "WHERE seats_taken > capacity ORDER BY id"
        )
    ).all()
    for row in over:
        log.warning(
            "workshop_session %s holds %s seats but has capacity %s: capacity raised to %s",
            row.id,
            row.seats_taken,
            row.capacity,
            row.seats_taken,
        )
    op.execute(
        sa.text("UPDATE workshop_session SET capacity = seats_taken WHERE seats_taken > capacity")
    )
    op.execute(sa.text("UPDATE broadcast SET recipients = 0 WHERE recipients < 0"))
    op.execute(sa.text("UPDATE outbox_message SET attempts = 0 WHERE attempts < 0"))


def upgrade() -> None:
    _repair()
    dialect = op.get_bind().dialect.name
    if dialect != "sqlite":
        for table, name, condition in CHECKS:
            op.create_check_constraint(op.f(f"ck_{table}_{name}"), table, condition)
        return
    views = _drop_views(dialect)
    for table, name, condition in CHECKS:
        with op.batch_alter_table(table, recreate="always") as batch_op:
            batch_op.create_check_constraint(op.f(f"ck_{table}_{name}"), condition)
    _create_views(views)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect != "sqlite":
        for table, name, _condition in reversed(CHECKS):
            op.drop_constraint(op.f(f"ck_{table}_{name}"), table, type_="check")
        return
    views = _drop_views(dialect)
    for table, name, _condition in reversed(CHECKS):
        with op.batch_alter_table(table, recreate="always") as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
    _create_views(views)
