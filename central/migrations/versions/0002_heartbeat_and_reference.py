"""Fleet monitoring and reference data: the kiosks' last heartbeat, and the
reference items kiosks download with a cursor (`updated_seq`).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("kiosks") as batch:
        batch.add_column(sa.Column("last_seen", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("last_heartbeat", sa.Text(), nullable=True))
    op.create_table(
        "reference_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "key", name="uq_reference_items_kind_key"),
        sa.UniqueConstraint("updated_seq", name="uq_reference_items_updated_seq"),
    )


def downgrade() -> None:
    op.drop_table("reference_items")
    with op.batch_alter_table("kiosks") as batch:
        batch.drop_column("last_heartbeat")
        batch.drop_column("last_seen")
