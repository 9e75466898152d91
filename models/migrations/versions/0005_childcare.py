"""childcare: dependants, care requests, the partner's capacity windows, care-day lock rows

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

A care request references exactly one booking (a workshop enrolment or a consultation
booking: CHECK); one active (held, pending, approved) request per dependant and booking is a
partial unique index, written the same way for SQLite and PostgreSQL.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "care_capacity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("max_dependants", sa.Integer(), nullable=False),
        sa.Column("min_age", sa.Integer(), nullable=True),
        sa.Column("max_age", sa.Integer(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(min_age IS NULL OR min_age >= 0) AND (max_age IS NULL OR max_age >= 0) AND (min_age IS NULL OR max_age IS NULL OR min_age <= max_age)",
            name=op.f("ck_care_capacity_ages"),
        ),
        sa.CheckConstraint("end_time > start_time", name=op.f("ck_care_capacity_ends_after_start")),
        sa.CheckConstraint("max_dependants >= 0", name=op.f("ck_care_capacity_max_dependants")),
        sa.CheckConstraint(
            "weekday IS NULL OR (weekday >= 0 AND weekday <= 6)",
            name=op.f("ck_care_capacity_weekday"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_capacity")),
    )
    op.create_table(
        "care_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_care_day")),
    )
    op.create_table(
        "dependant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=False),
        sa.Column("needs", sa.String(length=300), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('child', 'adult')", name=op.f("ck_dependant_kind")),
        sa.CheckConstraint(
            "birth_year >= 1900 AND birth_year <= 2200", name=op.f("ck_dependant_birth_year")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_dependant_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dependant")),
    )
    with op.batch_alter_table("dependant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dependant_person_id"), ["person_id"], unique=False)

    op.create_table(
        "care_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("dependant_id", sa.Integer(), nullable=True),
        sa.Column("enrollment_id", sa.Integer(), nullable=True),
        sa.Column("consultation_id", sa.Integer(), nullable=True),
        sa.Column("starts_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("decline_reason", sa.String(length=200), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('held', 'pending', 'approved', 'declined', 'cancelled')",
            name=op.f("ck_care_request_status"),
        ),
        sa.CheckConstraint(
            "(enrollment_id IS NULL) <> (consultation_id IS NULL)",
            name=op.f("ck_care_request_one_booking"),
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_care_request_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation_booking.id"],
            name=op.f("fk_care_request_consultation_id_consultation_booking"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["person.id"],
            name=op.f("fk_care_request_decided_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["dependant_id"],
            ["dependant.id"],
            name=op.f("fk_care_request_dependant_id_dependant"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollment.id"],
            name=op.f("fk_care_request_enrollment_id_enrollment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_care_request_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_request")),
    )
    with op.batch_alter_table("care_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_request_consultation_id"), ["consultation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_care_request_dependant_id"), ["dependant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_care_request_enrollment_id"), ["enrollment_id"], unique=False
        )
        batch_op.create_index(
            "ix_care_request_person_status", ["person_id", "status"], unique=False
        )
        batch_op.create_index("ix_care_request_status_start", ["status", "starts_at"], unique=False)
        batch_op.create_index(
            "uq_care_request_consultation_active",
            ["dependant_id", "consultation_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('held', 'pending', 'approved')"),
            postgresql_where=sa.text("status IN ('held', 'pending', 'approved')"),
        )
        batch_op.create_index(
            "uq_care_request_enrollment_active",
            ["dependant_id", "enrollment_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('held', 'pending', 'approved')"),
            postgresql_where=sa.text("status IN ('held', 'pending', 'approved')"),
        )


def downgrade() -> None:
    with op.batch_alter_table("care_request", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_care_request_enrollment_active",
            sqlite_where=sa.text("status IN ('held', 'pending', 'approved')"),
            postgresql_where=sa.text("status IN ('held', 'pending', 'approved')"),
        )
        batch_op.drop_index(
            "uq_care_request_consultation_active",
            sqlite_where=sa.text("status IN ('held', 'pending', 'approved')"),
            postgresql_where=sa.text("status IN ('held', 'pending', 'approved')"),
        )
        batch_op.drop_index("ix_care_request_status_start")
        batch_op.drop_index("ix_care_request_person_status")
        batch_op.drop_index(batch_op.f("ix_care_request_enrollment_id"))
        batch_op.drop_index(batch_op.f("ix_care_request_dependant_id"))
        batch_op.drop_index(batch_op.f("ix_care_request_consultation_id"))

    op.drop_table("care_request")
    with op.batch_alter_table("dependant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dependant_person_id"))

    op.drop_table("dependant")
    op.drop_table("care_day")
    op.drop_table("care_capacity")
