"""The register of issued tax certificates (issue #10 §4, central.certificates): one row
per certificate with its masked summary, payment rows, the SHA-256 of its 验证码, the
issuer key's id and the revocation.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-15
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Money as central.db.Money stores it: NUMERIC(14,2), exact text on SQLite.
_MONEY = sa.Numeric(14, 2).with_variant(sa.String(length=24), "sqlite")


def upgrade() -> None:
    op.create_table(
        "certificates",
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("tin", sa.String(length=20), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("check_code_hash", sa.String(length=64), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("rows", sa.Text(), nullable=False),
        sa.Column("total", _MONEY, nullable=False),
        sa.Column("period_from", sa.String(length=6), nullable=True),
        sa.Column("period_to", sa.String(length=6), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=200), nullable=True),
        sa.CheckConstraint("kind IN ('document', 'table', 'record')",
                           name="ck_certificates_kind"),
        sa.PrimaryKeyConstraint("number"),
        sa.UniqueConstraint("check_code_hash", name="uq_certificates_check_code"),
    )
    op.create_index("ix_certificates_tin", "certificates", ["tin"])


def downgrade() -> None:
    op.drop_index("ix_certificates_tin", table_name="certificates")
    op.drop_table("certificates")
