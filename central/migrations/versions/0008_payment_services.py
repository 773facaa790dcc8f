"""Paying services (issue #11): the demo acquirer's QR orders (`qr_orders`) and the
registry growth for vehicles, the vehicle rate table, IIT prefilled figures, social
insurance bases and months paid, 三方协议 and queued annual returns. See
central/payment_services_db.py.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-22
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MONEY = sa.Numeric(14, 2).with_variant(sa.String(length=24), "sqlite")
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "qr_orders",
        sa.Column("order_id", sa.String(length=32), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("order_ref", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("tin", sa.String(length=20), nullable=False),
        sa.Column("auth_code_sha256", sa.String(length=64), nullable=True),
        sa.Column("transaction_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("expires_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.Column("paid_at", _TIME, nullable=True),
        sa.Column("reverse_busy", sa.Integer(), nullable=False, server_default="0"),
        sa.CheckConstraint("mode IN ('native', 'code')", name="ck_qr_orders_mode"),
        sa.CheckConstraint("state IN ('NOTPAY', 'USERPAYING', 'PAYERROR', 'SUCCESS', "
                           "'CLOSED', 'REVOKED')", name="ck_qr_orders_state"),
        sa.CheckConstraint("amount_fen > 0", name="ck_qr_orders_amount"),
        sa.PrimaryKeyConstraint("order_id"),
        sa.UniqueConstraint("kiosk_id", "order_ref", name="uq_qr_orders_kiosk_ref"),
    )
    op.create_index("ix_qr_orders_kiosk_id", "qr_orders", ["kiosk_id"])
    op.create_table(
        "vehicles",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("tin", sa.String(length=20), nullable=False),
        sa.Column("vin", sa.String(length=17), nullable=False),
        sa.Column("plate", sa.String(length=16), nullable=False),
        sa.Column("displacement_l", sa.String(length=8), nullable=False),
        sa.Column("bought_on", sa.Date(), nullable=False),
        sa.Column("insurer_collected", sa.Boolean(), nullable=False),
        sa.Column("paid_through", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["tin"], ["taxpayers.tin"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tin", "vin", name="uq_vehicles_tin_vin"),
    )
    op.create_index("ix_vehicles_tin", "vehicles", ["tin"])
    op.create_table(
        "vehicle_rates",
        sa.Column("bracket", sa.String(length=16), nullable=False),
        sa.Column("annual", _MONEY, nullable=False),
        sa.PrimaryKeyConstraint("bracket"),
    )
    op.create_table(
        "iit_prefill",
        sa.Column("tin", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        *(sa.Column(name, _MONEY, nullable=False) for name in (
            "wages", "labour", "royalties", "withheld", "special_additional",
            "social_insurance")),
        sa.Column("refund_bank", sa.String(length=100), nullable=False),
        sa.Column("refund_account", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["tin"], ["taxpayers.tin"]),
        sa.PrimaryKeyConstraint("tin", "year"),
    )
    op.create_table(
        "social_insurance_bases",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("base", _MONEY, nullable=False),
        sa.Column("rate", sa.String(length=8), nullable=False),
        sa.CheckConstraint("kind IN ('pension', 'medical')", name="ck_si_bases_kind"),
        sa.PrimaryKeyConstraint("year", "kind", "level"),
    )
    op.create_table(
        "social_insurance_paid",
        sa.Column("tin", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("month", sa.String(length=6), nullable=False),
        sa.Column("order_ref", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["tin"], ["taxpayers.tin"]),
        sa.PrimaryKeyConstraint("tin", "kind", "month"),
    )
    op.create_table(
        "agreements",
        sa.Column("tin", sa.String(length=20), nullable=False),
        sa.Column("protocol_no", sa.String(length=32), nullable=False),
        sa.Column("bank", sa.String(length=100), nullable=False),
        sa.Column("account", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.CheckConstraint("state IN ('verified', 'unverified', 'revoked')",
                           name="ck_agreements_state"),
        sa.ForeignKeyConstraint(["tin"], ["taxpayers.tin"]),
        sa.PrimaryKeyConstraint("tin", "protocol_no"),
    )
    op.create_table(
        "iit_returns",
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("tin", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(length=8), nullable=False),
        sa.Column("amount", _MONEY, nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("filed_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("number"),
    )
    op.create_index("ix_iit_returns_tin", "iit_returns", ["tin"])


def downgrade() -> None:
    op.drop_index("ix_iit_returns_tin", table_name="iit_returns")
    op.drop_table("iit_returns")
    op.drop_table("agreements")
    op.drop_table("social_insurance_paid")
    op.drop_table("social_insurance_bases")
    op.drop_table("iit_prefill")
    op.drop_table("vehicle_rates")
    op.drop_index("ix_vehicles_tin", table_name="vehicles")
    op.drop_table("vehicles")
    op.drop_index("ix_qr_orders_kiosk_id", table_name="qr_orders")
    op.drop_table("qr_orders")
