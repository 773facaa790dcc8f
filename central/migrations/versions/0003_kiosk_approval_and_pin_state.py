"""Kiosk approval and online PIN checks: a kiosk's approval time and hall (staff
accounts go only to approved kiosks, per hall), the sent_at of its last PIN check
(replays refused), and wrong-PIN counts per staff card across the fleet.

Kiosks enrolled before this revision were let in by the rules of their time (the
enrolment token, or open enrolment): they count as approved since their enrolment,
for no particular hall (so they receive the accounts valid in every hall).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("kiosks") as batch:
        batch.add_column(sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("hall_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("pin_checked_at", sa.DateTime(timezone=True),
                                   nullable=True))
    op.execute("UPDATE kiosks SET approved_at = enrolled_at")
    op.create_table(
        "staff_pin_state",
        sa.Column("card_key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("lockouts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("card_key"),
    )


def downgrade() -> None:
    op.drop_table("staff_pin_state")
    with op.batch_alter_table("kiosks") as batch:
        batch.drop_column("pin_checked_at")
        batch.drop_column("hall_id")
        batch.drop_column("approved_at")
