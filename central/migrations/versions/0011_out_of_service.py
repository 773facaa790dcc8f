"""Terminals out of service (issue #14 §2): the notice the fleet side set for a kiosk
(central/out_of_service.py), sent back in the answer to its heartbeat.

Numbered 0012: 0011 is reserved for other work of the same wave; this revision follows
the highest one present when it was written (0010).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-28
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kiosk_out_of_service",
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("reason_zh", sa.String(length=200), nullable=False),
        sa.Column("reason_en", sa.String(length=200), nullable=False),
        sa.Column("alternative_zh", sa.String(length=200), nullable=False),
        sa.Column("alternative_en", sa.String(length=200), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.kiosk_id"]),
        sa.PrimaryKeyConstraint("kiosk_id"),
    )


def downgrade() -> None:
    op.drop_table("kiosk_out_of_service")
