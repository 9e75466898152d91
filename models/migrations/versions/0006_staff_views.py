"""staff views for database clients, and an index for the day's and month's consultations

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

Read-only views for staff who query the database directly (see docs/staff-guide.md). They are
pseudonymous: participants appear by `person_id` only — no names, phones or dependants' names.
The SQL is the same on SQLite and PostgreSQL except the length of a time window in minutes
(julianday on SQLite, EXTRACT(EPOCH ...) on PostgreSQL). Timestamps are UTC on both (SQLite
stores them as naive UTC text).

The views are frozen here (not imported from the models): a later change of a view is a new
migration that drops and re-creates it. Caution for later migrations: on SQLite a batch
operation that re-creates a table these views read (person, workshop, workshop_session,
enrollment, service_type, slot, consultation_booking, care_request, dependant) fails while the
views exist; drop the views before it and re-create them after.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _minutes(dialect: str, alias: str) -> str:
    if dialect == "sqlite":
        return (
            f"CAST(ROUND((julianday({alias}.ends_at) - julianday({alias}.starts_at)) * 1440)"
            " AS INTEGER)"
        )
    return f"CAST(ROUND(EXTRACT(EPOCH FROM ({alias}.ends_at - {alias}.starts_at)) / 60) AS INTEGER)"


def _views(dialect: str) -> dict[str, str]:
    def m(alias: str) -> str:
        return _minutes(dialect, alias)

    attended = "CASE WHEN e.attended IS NULL THEN NULL WHEN e.attended THEN 1 ELSE 0 END"
    return {
        "v_participants": """
            SELECT p.id AS person_id, p.status, p.language, p.source,
                   p.created_at AS registered_at, p.activated_at, p.anonymised_at
            FROM person p
            WHERE p.role = 'participant'
        """,
        "v_bookings": f"""
            SELECT e.id AS enrollment_id, e.person_id, s.id AS session_id,
                   w.id AS workshop_id, w.slug AS workshop_slug, w.title_pl AS workshop_title,
                   w.group_key AS workshop_group, s.starts_at, s.ends_at,
                   {m("s")} AS minutes, s.status AS session_status,
                   e.status AS enrollment_status, {attended} AS attended,
                   e.created_at AS enrolled_at
            FROM enrollment e
            JOIN workshop_session s ON s.id = e.session_id
            JOIN workshop w ON w.id = s.workshop_id
        """,
        "v_attendance": f"""
            SELECT 'workshop' AS kind, e.id AS booking_id, e.person_id,
                   s.starts_at, s.ends_at, {m("s")} AS minutes,
                   CASE WHEN e.attended IS NULL THEN NULL
                        WHEN e.attended THEN 'attended' ELSE 'no_show' END AS outcome
            FROM enrollment e
            JOIN workshop_session s ON s.id = e.session_id
            WHERE s.status = 'scheduled' AND (e.status = 'confirmed' OR e.attended IS NOT NULL)
            UNION ALL
            SELECT 'consultation' AS kind, b.id AS booking_id, b.person_id,
                   sl.starts_at, sl.ends_at, {m("sl")} AS minutes,
                   CASE WHEN b.status IN ('attended', 'no_show') THEN b.status END AS outcome
            FROM consultation_booking b
            JOIN slot sl ON sl.id = b.slot_id
            WHERE b.status <> 'cancelled'
        """,
        "v_consultations": f"""
            SELECT b.id AS booking_id, b.person_id, st.slug AS service_slug,
                   st.name_pl AS service_name, st.sensitive AS service_sensitive,
                   sl.specialist_id, sp.display_name AS specialist_name,
                   sl.starts_at, sl.ends_at, {m("sl")} AS minutes, b.status,
                   b.referral_id, b.created_at AS booked_at
            FROM consultation_booking b
            JOIN slot sl ON sl.id = b.slot_id
            JOIN service_type st ON st.id = b.service_type_id
            JOIN person sp ON sp.id = sl.specialist_id
        """,
        "v_childcare": f"""
            SELECT c.id AS request_id, c.person_id, d.kind AS dependant_kind,
                   d.birth_year AS dependant_birth_year, c.starts_at, c.ends_at,
                   {m("c")} AS minutes, c.place, c.status,
                   CASE WHEN c.enrollment_id IS NOT NULL THEN 'workshop'
                        ELSE 'consultation' END AS booking_kind,
                   c.created_at AS requested_at, c.decided_at
            FROM care_request c
            LEFT JOIN dependant d ON d.id = c.dependant_id
        """,
    }


def upgrade() -> None:
    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.create_index("ix_slot_starts_at", ["starts_at"], unique=False)
    dialect = op.get_bind().dialect.name
    for name, body in _views(dialect).items():
        op.execute(sa.text(f"CREATE VIEW {name} AS {body.strip()}"))


def downgrade() -> None:
    for name in reversed(list(_views(op.get_bind().dialect.name))):
        op.execute(sa.text(f"DROP VIEW IF EXISTS {name}"))
    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.drop_index("ix_slot_starts_at")
