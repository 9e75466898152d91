"""consultations: service types, specialists' hours and closures, slots, referrals, bookings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "service_type",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name_pl", sa.String(length=120), nullable=False),
        sa.Column("name_uk", sa.String(length=120), nullable=False),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.Column("requires_referral", sa.Boolean(), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("reminder_offsets_minutes", sa.JSON(), nullable=False),
        sa.Column("cancel_cutoff_hours", sa.Integer(), nullable=True),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "cancel_cutoff_hours IS NULL OR cancel_cutoff_hours >= 0",
            name=op.f("ck_service_type_cutoff"),
        ),
        sa.CheckConstraint(
            "slot_minutes > 0 AND slot_minutes <= 480", name=op.f("ck_service_type_slot_minutes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_type")),
        sa.UniqueConstraint("slug", name=op.f("uq_service_type_slug")),
    )
    op.create_table(
        "closure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("specialist_id", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_closure_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["person.id"],
            name=op.f("fk_closure_created_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["specialist_id"],
            ["person.id"],
            name=op.f("fk_closure_specialist_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closure")),
    )
    with op.batch_alter_table("closure", schema=None) as batch_op:
        batch_op.create_index("ix_closure_ends_on", ["ends_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_closure_specialist_id"), ["specialist_id"], unique=False
        )

    op.create_table(
        "referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("service_type_id", sa.Integer(), nullable=False),
        sa.Column("sessions_total", sa.Integer(), nullable=False),
        sa.Column("sessions_used", sa.Integer(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=32), nullable=True),
        sa.Column("claimed_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "person_id IS NOT NULL OR code IS NOT NULL", name=op.f("ck_referral_holder")
        ),
        sa.CheckConstraint("sessions_total > 0", name=op.f("ck_referral_sessions_total")),
        sa.CheckConstraint(
            "sessions_used >= 0 AND sessions_used <= sessions_total",
            name=op.f("ck_referral_sessions_used"),
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"],
            ["person.id"],
            name=op.f("fk_referral_issued_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_referral_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_type_id"],
            ["service_type.id"],
            name=op.f("fk_referral_service_type_id_service_type"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral")),
        sa.UniqueConstraint("code", name=op.f("uq_referral_code")),
    )
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referral_person_service", ["person_id", "service_type_id"], unique=False
        )

    op.create_table(
        "slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("specialist_id", sa.Integer(), nullable=False),
        sa.Column("service_type_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("withdrawn_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('free', 'booked', 'withdrawn')", name=op.f("ck_slot_status")
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_slot_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["service_type_id"],
            ["service_type.id"],
            name=op.f("fk_slot_service_type_id_service_type"),
        ),
        sa.ForeignKeyConstraint(
            ["specialist_id"], ["person.id"], name=op.f("fk_slot_specialist_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slot")),
        sa.UniqueConstraint("specialist_id", "starts_at", name="uq_slot_specialist_start"),
    )
    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.create_index(
            "ix_slot_service_status_start", ["service_type_id", "status", "starts_at"], unique=False
        )

    op.create_table(
        "specialist_service",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("service_type_id", sa.Integer(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_specialist_service_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_type_id"],
            ["service_type.id"],
            name=op.f("fk_specialist_service_service_type_id_service_type"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "service_type_id", name=op.f("pk_specialist_service")),
    )
    op.create_table(
        "weekly_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("specialist_id", sa.Integer(), nullable=False),
        sa.Column("service_type_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("end_time > start_time", name=op.f("ck_weekly_hours_ends_after_start")),
        sa.CheckConstraint("weekday >= 0 AND weekday <= 6", name=op.f("ck_weekly_hours_weekday")),
        sa.ForeignKeyConstraint(
            ["service_type_id"],
            ["service_type.id"],
            name=op.f("fk_weekly_hours_service_type_id_service_type"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["specialist_id"],
            ["person.id"],
            name=op.f("fk_weekly_hours_specialist_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_hours")),
        sa.UniqueConstraint("specialist_id", "weekday", "start_time", name="uq_weekly_hours_start"),
    )
    with op.batch_alter_table("weekly_hours", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_weekly_hours_service_type_id"), ["service_type_id"], unique=False
        )

    # At most one active booking per slot and one per person and service type: partial
    # unique indexes (status = 'booked'), written the same way for SQLite and PostgreSQL.
    op.create_table(
        "consultation_booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("service_type_id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rescheduled_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome_marked_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome_marked_by_id", sa.Integer(), nullable=True),
        sa.Column("reminders_neutral", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "status IN ('booked', 'cancelled', 'attended', 'no_show', 'unmarked')",
            name=op.f("ck_consultation_booking_status"),
        ),
        sa.ForeignKeyConstraint(
            ["outcome_marked_by_id"],
            ["person.id"],
            name=op.f("fk_consultation_booking_outcome_marked_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_consultation_booking_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referral.id"],
            name=op.f("fk_consultation_booking_referral_id_referral"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["service_type_id"],
            ["service_type.id"],
            name=op.f("fk_consultation_booking_service_type_id_service_type"),
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"], ["slot.id"], name=op.f("fk_consultation_booking_slot_id_slot")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_booking")),
    )
    with op.batch_alter_table("consultation_booking", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consultation_booking_person_status", ["person_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_consultation_booking_referral_id"), ["referral_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_consultation_booking_slot_id"), ["slot_id"], unique=False
        )
        batch_op.create_index(
            "uq_consultation_booking_person_service_active",
            ["person_id", "service_type_id"],
            unique=True,
            sqlite_where=sa.text("status = 'booked'"),
            postgresql_where=sa.text("status = 'booked'"),
        )
        batch_op.create_index(
            "uq_consultation_booking_slot_active",
            ["slot_id"],
            unique=True,
            sqlite_where=sa.text("status = 'booked'"),
            postgresql_where=sa.text("status = 'booked'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("consultation_booking", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_consultation_booking_slot_active",
            sqlite_where=sa.text("status = 'booked'"),
            postgresql_where=sa.text("status = 'booked'"),
        )
        batch_op.drop_index(
            "uq_consultation_booking_person_service_active",
            sqlite_where=sa.text("status = 'booked'"),
            postgresql_where=sa.text("status = 'booked'"),
        )
        batch_op.drop_index(batch_op.f("ix_consultation_booking_slot_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_booking_referral_id"))
        batch_op.drop_index("ix_consultation_booking_person_status")

    op.drop_table("consultation_booking")
    with op.batch_alter_table("weekly_hours", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_weekly_hours_service_type_id"))

    op.drop_table("weekly_hours")
    op.drop_table("specialist_service")
    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.drop_index("ix_slot_service_status_start")

    op.drop_table("slot")
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_person_service")

    op.drop_table("referral")
    with op.batch_alter_table("closure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_closure_specialist_id"))
        batch_op.drop_index("ix_closure_ends_on")

    op.drop_table("closure")
    op.drop_table("service_type")
