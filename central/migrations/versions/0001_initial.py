"""The first central schema: what central.db.create_schema (create_all) built before
Alembic. Databases without an alembic_version table are stamped 0001 when their
tables and columns are these (central.migrate).

Types are spelled out rather than imported from central.db, so that this revision
stays what it was when the models change: money is NUMERIC(14,2), or its exact
decimal text on SQLite (central.db.Money); timestamps are timezone-aware.

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


def _money() -> sa.types.TypeEngine:
    return sa.Numeric(14, 2).with_variant(sa.String(24), "sqlite")


def _big_id() -> sa.types.TypeEngine:
    """BIGSERIAL on PostgreSQL; INTEGER (the rowid alias) on SQLite."""
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "invoices",
        sa.Column("id", _big_id(), autoincrement=True, nullable=False),
        sa.Column("type_code", sa.String(length=2), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("amount", _money(), nullable=False),
        sa.Column("total", _money(), nullable=False),
        sa.Column("check_code", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("seller_name", sa.String(length=200), nullable=True),
        sa.Column("buyer_name", sa.String(length=200), nullable=True),
        sa.CheckConstraint("status IN ('normal', 'void', 'red_flushed', 'abnormal')",
                           name="ck_invoices_status"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code", "number", name="uq_invoices_code_number"),
    )
    op.create_table(
        "kiosks",
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("data_key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acked_through", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("kiosk_id"),
    )
    op.create_table(
        "verification_log",
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", "number", "day"),
    )
    op.create_table(
        "records",
        sa.Column("id", _big_id(), autoincrement=True, nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=24), nullable=False),
        sa.Column("ciphertext", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('accepted', 'rejected')", name="ck_records_status"),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.kiosk_id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kiosk_id", "seq", name="uq_records_kiosk_seq"),
        sa.UniqueConstraint("uuid", name="uq_records_uuid"),
    )


def downgrade() -> None:
    op.drop_table("records")
    op.drop_table("verification_log")
    op.drop_table("kiosks")
    op.drop_table("invoices")
