"""The first outbox schema: exactly what offline_queue.db.create_schema created before
Alembic (files in the field without an alembic_version table are stamped 0001 after a
schema comparison, see offline_queue.migrate).

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("nonce", sa.LargeBinary(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("state", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("acked_at", sa.String(length=40), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("confirmed_on_screen", sa.Boolean(), server_default=sa.text("0"),
                  nullable=False),
        sa.CheckConstraint("state IN ('pending', 'acked', 'rejected')",
                           name=op.f("ck_outbox_state")),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_outbox_seq_positive")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_outbox")),
        sa.UniqueConstraint("uuid", name=op.f("uq_outbox_uuid")),
    )
    op.create_index("ix_outbox_state_seq", "outbox", ["state", "seq"], unique=False)
    meta = op.create_table(
        "meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_meta")),
    )
    op.bulk_insert(meta, [{"key": "schema_version", "value": "1"}])


def downgrade() -> None:
    op.drop_table("meta")
    op.drop_index("ix_outbox_state_seq", table_name="outbox")
    op.drop_table("outbox")
