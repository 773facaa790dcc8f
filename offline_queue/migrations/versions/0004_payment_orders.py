"""Payment orders (issue #11): the table the card and QR payment paths persist each
order's state in, before the step that state announces (kiosk.payments.orders).

A new table only: the outbox rows and their sealed columns are untouched, so
``offline_queue.migrate``'s record checks hold. The request and the bank's answer are
sealed by the kiosk under its data key (the migration never sees them).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-10
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
_STATES = ("created", "sent", "approved", "declined", "recorded", "voiding", "voided",
           "unknown")


def upgrade() -> None:
    op.create_table(
        "payment_orders",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("attempt", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("trace_no", sa.String(length=16), nullable=True),
        sa.Column("message_code", sa.String(length=64), nullable=True),
        sa.Column("record_uuid", sa.String(length=36), nullable=True),
        sa.Column("request_nonce", sa.LargeBinary(), nullable=False),
        sa.Column("request_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("detail_nonce", sa.LargeBinary(), nullable=True),
        sa.Column("detail_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.CheckConstraint("method IN ('card', 'qr')", name="ck_payment_orders_method"),
        sa.CheckConstraint(f"state IN {_STATES!r}", name="ck_payment_orders_state"),
        sa.CheckConstraint("amount_fen >= 1", name="ck_payment_orders_amount_positive"),
        sa.PrimaryKeyConstraint("id", name="pk_payment_orders"),
    )
    op.create_index("ix_payment_orders_state", "payment_orders", ["state"], unique=False)
    op.execute(_meta.update().where(_meta.c.key == "schema_version").values(value="4"))


def downgrade() -> None:
    op.execute(_meta.update().where(_meta.c.key == "schema_version").values(value="3"))
    op.drop_index("ix_payment_orders_state", table_name="payment_orders")
    op.drop_table("payment_orders")
