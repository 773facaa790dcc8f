"""Paper-invoice pickup and stock (issue #12): 票种核定 caps, holdings, pickup orders,
stock allocated per hall and issued ranges (central/invoice_stock_db.py).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "invoice_approvals",
        sa.Column("tin", sa.String(length=20), nullable=False),
        sa.Column("invoice_kind", sa.String(length=50), nullable=False),
        sa.Column("per_pickup_max", sa.Integer(), nullable=False),
        sa.Column("monthly_max", sa.Integer(), nullable=False),
        sa.Column("holding_max", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tin", "invoice_kind"),
    )
    op.create_table(
        "invoice_holdings",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("tin", sa.String(length=20), nullable=False),
        sa.Column("invoice_kind", sa.String(length=50), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("first_no", sa.Integer(), nullable=False),
        sa.Column("last_no", sa.Integer(), nullable=False),
        sa.Column("picked_up_on", sa.Date(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("uploaded", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code", "first_no", name="uq_invoice_holdings_range"),
    )
    op.create_index("ix_invoice_holdings_tin", "invoice_holdings", ["tin"])
    op.create_table(
        "pickup_orders",
        sa.Column("application_no", sa.String(length=32), nullable=False),
        sa.Column("tin", sa.String(length=20), nullable=False),
        sa.Column("pickup_code", sa.String(length=16), nullable=False),
        sa.Column("invoice_kind", sa.String(length=50), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=2), nullable=False),
        sa.Column("hall", sa.String(length=64), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("issued", sa.Integer(), nullable=False),
        sa.Column("waybill", sa.String(length=40), nullable=False),
        sa.CheckConstraint("method IN ('02', '03')", name="ck_pickup_orders_method"),
        sa.CheckConstraint("status IN ('pending', 'done')", name="ck_pickup_orders_status"),
        sa.PrimaryKeyConstraint("application_no"),
        sa.UniqueConstraint("pickup_code", name="uq_pickup_orders_code"),
    )
    op.create_index("ix_pickup_orders_tin", "pickup_orders", ["tin"])
    op.create_index("ix_pickup_orders_hall", "pickup_orders", ["hall"])
    op.create_table(
        "stock_allocations",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("hall", sa.String(length=64), nullable=False),
        sa.Column("invoice_kind", sa.String(length=50), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("first_no", sa.Integer(), nullable=False),
        sa.Column("last_no", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code", "first_no", name="uq_stock_allocations_range"),
    )
    op.create_index("ix_stock_allocations_hall", "stock_allocations", ["hall"])
    op.create_table(
        "issued_ranges",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("first_no", sa.Integer(), nullable=False),
        sa.Column("last_no", sa.Integer(), nullable=False),
        sa.Column("invoice_kind", sa.String(length=50), nullable=False),
        sa.Column("tin", sa.String(length=20), nullable=False),
        sa.Column("application_no", sa.String(length=32), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("pickup_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('issued', 'retracted')", name="ck_issued_ranges_status"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code", "first_no", name="uq_issued_ranges_range"),
    )
    op.create_index("ix_issued_ranges_pickup", "issued_ranges", ["pickup_id"])


def downgrade() -> None:
    op.drop_index("ix_issued_ranges_pickup", table_name="issued_ranges")
    op.drop_table("issued_ranges")
    op.drop_index("ix_stock_allocations_hall", table_name="stock_allocations")
    op.drop_table("stock_allocations")
    op.drop_index("ix_pickup_orders_hall", table_name="pickup_orders")
    op.drop_index("ix_pickup_orders_tin", table_name="pickup_orders")
    op.drop_table("pickup_orders")
    op.drop_index("ix_invoice_holdings_tin", table_name="invoice_holdings")
    op.drop_table("invoice_holdings")
    op.drop_table("invoice_approvals")
