"""Consultation, tax school and suggestions (issue #13 §3): callback tickets and their
replies, course seats, bookings and evaluations, suggestions (central/guidance_db.py).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-20
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "consult_tickets",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("window", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("asked_at", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.CheckConstraint("status IN ('open', 'answered', 'closed')",
                           name="ck_consult_tickets_status"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id", name="uq_consult_tickets_request"),
    )
    op.create_index("ix_consult_tickets_number", "consult_tickets", ["number"])
    op.create_table(
        "consult_ticket_replies",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("ticket_id", _ID, nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["consult_tickets.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_consult_ticket_replies_ticket_id", "consult_ticket_replies",
                    ["ticket_id"])
    op.create_table(
        "course_seats",
        sa.Column("course_key", sa.String(length=200), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("taken", sa.Integer(), nullable=False),
        sa.CheckConstraint("taken >= 0", name="ck_course_seats_taken"),
        sa.PrimaryKeyConstraint("course_key"),
    )
    op.create_table(
        "course_bookings",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("course_key", sa.String(length=200), nullable=False),
        sa.Column("tin", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("booked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("course_key", "tin", name="uq_course_bookings_course_tin"),
        sa.UniqueConstraint("number", name="uq_course_bookings_number"),
    )
    op.create_index("ix_course_bookings_tin", "course_bookings", ["tin"])
    op.create_table(
        "course_evaluations",
        sa.Column("course_key", sa.String(length=200), nullable=False),
        sa.Column("tin", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("course_date", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="ck_course_evaluations_score"),
        sa.PrimaryKeyConstraint("course_key", "tin"),
    )
    op.create_table(
        "suggestions",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=16), nullable=True),
        sa.Column("asked_at", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id", name="uq_suggestions_request"),
    )
    op.create_index("ix_suggestions_number", "suggestions", ["number"])


def downgrade() -> None:
    op.drop_index("ix_suggestions_number", table_name="suggestions")
    op.drop_table("suggestions")
    op.drop_table("course_evaluations")
    op.drop_index("ix_course_bookings_tin", table_name="course_bookings")
    op.drop_table("course_bookings")
    op.drop_table("course_seats")
    op.drop_index("ix_consult_ticket_replies_ticket_id", table_name="consult_ticket_replies")
    op.drop_table("consult_ticket_replies")
    op.drop_index("ix_consult_tickets_number", table_name="consult_tickets")
    op.drop_table("consult_tickets")
