"""Fully-digital invoices, the invoice lottery, the address book and invoices issued on
behalf (issue #12 §3, §4; central.lottery_db).

Numbered 0011 (reserved for this work) but written after 0012 was already in place,
which revises 0010: to keep one head this revision follows 0012 for now.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-28
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_MONEY = sa.Numeric(14, 2).with_variant(sa.String(length=24), "sqlite")


def upgrade() -> None:
    op.create_table(
        "digital_invoices",
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("seller_tin", sa.String(length=20), nullable=False),
        sa.Column("seller_name", sa.String(length=200), nullable=False),
        sa.Column("buyer_tin", sa.String(length=20), nullable=False),
        sa.Column("buyer_name", sa.String(length=200), nullable=False),
        sa.Column("amount", _MONEY, nullable=False),
        sa.Column("tax", _MONEY, nullable=False),
        sa.Column("total", _MONEY, nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("on_behalf", sa.Boolean(), nullable=False),
        sa.Column("printed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("number"),
    )
    op.create_index("ix_digital_invoices_seller", "digital_invoices", ["seller_tin"])
    op.create_index("ix_digital_invoices_buyer", "digital_invoices", ["buyer_tin"])
    op.create_table(
        "lottery_campaigns",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("city", sa.String(length=50), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("min_amount", _MONEY, nullable=False),
        sa.Column("per_day", sa.Integer(), nullable=True),
        sa.Column("per_month", sa.Integer(), nullable=True),
        sa.Column("per_campaign", sa.Integer(), nullable=True),
        sa.Column("per_merchant", sa.Integer(), nullable=True),
        sa.Column("industries", sa.Text(), nullable=False),
        sa.Column("prizes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "lottery_entries",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("campaign_id", sa.String(length=32), nullable=False),
        sa.Column("invoice_number", sa.String(length=20), nullable=False),
        sa.Column("tin", sa.String(length=20), nullable=False),
        sa.Column("seller_tin", sa.String(length=20), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entered_on", sa.Date(), nullable=False),
        sa.Column("tier", sa.String(length=32), nullable=False),
        sa.Column("prize", _MONEY, nullable=False),
        sa.Column("claim_by", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("invoice_number", name="uq_lottery_entries_invoice"),
    )
    op.create_index("ix_lottery_entries_person", "lottery_entries", ["tin", "campaign_id"])
    op.create_table(
        "address_book",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("owner_tin", sa.String(length=20), nullable=False),
        sa.Column("buyer_name", sa.String(length=200), nullable=False),
        sa.Column("buyer_tin", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("owner_tin", "buyer_name", "buyer_tin",
                            name="uq_address_book_buyer"),
    )
    op.create_table(
        "on_behalf_applications",
        sa.Column("application_no", sa.String(length=32), nullable=False),
        sa.Column("tin", sa.String(length=20), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("buyer_tin", sa.String(length=20), nullable=False),
        sa.Column("buyer_name", sa.String(length=200), nullable=False),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.Column("total", _MONEY, nullable=False),
        sa.Column("vat", _MONEY, nullable=False),
        sa.Column("surcharges", _MONEY, nullable=False),
        sa.Column("iit", _MONEY, nullable=False),
        sa.Column("tax_due", _MONEY, nullable=False),
        sa.Column("breakdown", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("invoice_number", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('quoted', 'paid', 'issued')",
                           name="ck_on_behalf_applications_status"),
        sa.PrimaryKeyConstraint("application_no"),
    )
    op.create_index("ix_on_behalf_applications_tin", "on_behalf_applications", ["tin"])


def downgrade() -> None:
    op.drop_index("ix_on_behalf_applications_tin", table_name="on_behalf_applications")
    op.drop_table("on_behalf_applications")
    op.drop_table("address_book")
    op.drop_index("ix_lottery_entries_person", table_name="lottery_entries")
    op.drop_table("lottery_entries")
    op.drop_table("lottery_campaigns")
    op.drop_index("ix_digital_invoices_buyer", table_name="digital_invoices")
    op.drop_index("ix_digital_invoices_seller", table_name="digital_invoices")
    op.drop_table("digital_invoices")
