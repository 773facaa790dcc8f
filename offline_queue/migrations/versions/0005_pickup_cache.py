"""Pickup cache (issue #12): the pending terminal pickup orders of this kiosk's hall,
kept for offline pickup (kiosk.services.pickup_cache).

A new table only: the outbox rows and their sealed columns are untouched. Each order
names a taxpayer, so the kiosk seals it under its data key; the holder is looked up
by a keyed hash of the ID number (the migration never sees either).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-12
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))


def upgrade() -> None:
    op.create_table(
        "pickup_cache",
        sa.Column("application_no", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("pickup_code_hash", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.LargeBinary(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("as_of", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("application_no", name="pk_pickup_cache"),
    )
    op.create_index("ix_pickup_cache_holder", "pickup_cache", ["holder"], unique=False)
    op.execute(_meta.update().where(_meta.c.key == "schema_version").values(value="5"))


def downgrade() -> None:
    op.execute(_meta.update().where(_meta.c.key == "schema_version").values(value="4"))
    op.drop_index("ix_pickup_cache_holder", table_name="pickup_cache")
    op.drop_table("pickup_cache")
