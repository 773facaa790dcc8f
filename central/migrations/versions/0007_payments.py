"""Payments taken at the kiosks (issue #11): `tax_payments` (one row per kiosk order,
record kind `tax.payment`) and `tax_payment_items` (the debts each recorded payment
settled, unique per debt). See central/payments_db.py.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-22
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MONEY = sa.Numeric(14, 2).with_variant(sa.String(length=24), "sqlite")


def upgrade() -> None:
    op.create_table(
        "tax_payments",
        sa.Column("order_id", sa.String(length=32), nullable=False),
        sa.Column("tin", sa.String(length=20), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("amount", _MONEY, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("business", sa.Text(), nullable=False),
        sa.Column("bank", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('recorded', 'refused')", name="ck_tax_payments_status"),
        sa.CheckConstraint("method IN ('card', 'qr')", name="ck_tax_payments_method"),
        sa.PrimaryKeyConstraint("order_id"),
    )
    op.create_index("ix_tax_payments_tin", "tax_payments", ["tin"])
    op.create_table(
        "tax_payment_items",
        sa.Column("order_id", sa.String(length=32), nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("tin", sa.String(length=20), nullable=False),
        sa.Column("item_kind", sa.String(length=32), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=6), nullable=False),
        sa.Column("tax", _MONEY, nullable=False),
        sa.Column("late_fee", _MONEY, nullable=False),
        sa.Column("voucher_no", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["tax_payments.order_id"]),
        sa.PrimaryKeyConstraint("order_id", "idx"),
        sa.UniqueConstraint("tin", "item_kind", "ref", "period",
                            name="uq_tax_payment_items_debt"),
    )


def downgrade() -> None:
    op.drop_table("tax_payment_items")
    op.drop_index("ix_tax_payments_tin", table_name="tax_payments")
    op.drop_table("tax_payments")
