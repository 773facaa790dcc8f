"""The taxpayer registry (issue #10): taxpayers and who acts for an enterprise, credit
ratings, arrears, payments, applications, notices; taxpayer logins (wrong-password
counts, scan-to-login tokens, sessions at a kiosk); credit consents and residence
applications from queued records.

Types are spelled out (not imported from central.db) so this revision stays what it
was when the models change: money NUMERIC(14,2) or its exact text on SQLite,
timestamps timezone-aware, row ids BIGINT on PostgreSQL.

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


def _money() -> sa.types.TypeEngine:
    return sa.Numeric(14, 2).with_variant(sa.String(24), "sqlite")


def _big_id() -> sa.types.TypeEngine:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _tin(name: str = "tin") -> sa.Column:
    return sa.Column(name, sa.String(length=20), nullable=False)


def upgrade() -> None:
    op.create_table(
        "taxpayers",
        _tin(),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("password_hash", sa.String(length=300), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("industry", sa.String(length=100), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=True),
        sa.Column("tax_office", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("legal_rep", sa.String(length=100), nullable=False),
        sa.Column("tax_kinds", sa.Text(), nullable=True),
        _when("updated_at"),
        sa.CheckConstraint("kind IN ('person', 'enterprise')", name="ck_taxpayers_kind"),
        sa.PrimaryKeyConstraint("tin"),
    )
    op.create_index("ix_taxpayers_id_number", "taxpayers", ["id_number"])
    op.create_table(
        "taxpayer_agents",
        _tin("enterprise_tin"),
        _tin("agent_tin"),
        sa.ForeignKeyConstraint(["enterprise_tin"], ["taxpayers.tin"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("enterprise_tin", "agent_tin"),
    )
    op.create_index("ix_taxpayer_agents_agent_tin", "taxpayer_agents", ["agent_tin"])
    op.create_table(
        "credit_ratings",
        _tin(),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=1), nullable=False),
        sa.Column("evaluated_on", sa.Date(), nullable=False),
        sa.CheckConstraint("level IN ('A', 'B', 'M', 'C', 'D')", name="ck_credit_level"),
        sa.ForeignKeyConstraint(["tin"], ["taxpayers.tin"]),
        sa.PrimaryKeyConstraint("tin", "year"),
    )
    op.create_table(
        "arrears",
        _tin(),
        sa.Column("tax_kind", sa.String(length=50), nullable=False),
        sa.Column("period", sa.String(length=6), nullable=False),
        sa.Column("amount", _money(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["tin"], ["taxpayers.tin"]),
        sa.PrimaryKeyConstraint("tin", "tax_kind", "period"),
    )
    op.create_table(
        "payments",
        sa.Column("id", _big_id(), autoincrement=True, nullable=False),
        _tin(),
        sa.Column("voucher_no", sa.String(length=32), nullable=False),
        sa.Column("tax_kind", sa.String(length=50), nullable=False),
        sa.Column("period", sa.String(length=6), nullable=False),
        sa.Column("amount", _money(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("tax_office", sa.String(length=200), nullable=False),
        sa.Column("printed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tin"], ["taxpayers.tin"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tin", "voucher_no", name="uq_payments_tin_voucher"),
    )
    op.create_table(
        "applications",
        sa.Column("number", sa.String(length=32), nullable=False),
        _tin(),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("steps", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('accepted', 'review', 'approval', 'refund', "
                           "'done', 'refused')", name="ck_applications_status"),
        sa.ForeignKeyConstraint(["tin"], ["taxpayers.tin"]),
        sa.PrimaryKeyConstraint("number"),
    )
    op.create_index("ix_applications_tin", "applications", ["tin"])
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("industry", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("industry", "title", "published_on", name="uq_notices_key"),
    )
    op.create_table(
        "taxpayer_login_state",
        _tin(),
        sa.Column("failures", sa.Integer(), nullable=False),
        _when("locked_until", nullable=True),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("tin"),
    )
    op.create_table(
        "qr_logins",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        _when("created_at"),
        _when("expires_at"),
        sa.Column("approved_tin", sa.String(length=20), nullable=True),
        _when("approved_at", nullable=True),
        _when("answered_at", nullable=True),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.kiosk_id"]),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_qr_logins_expires_at", "qr_logins", ["expires_at"])
    op.create_table(
        "taxpayer_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        _tin("person_tin"),
        _tin("acting_tin"),
        sa.Column("method", sa.String(length=16), nullable=False),
        _when("created_at"),
        _when("expires_at"),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.kiosk_id"]),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_taxpayer_sessions_kiosk_id", "taxpayer_sessions", ["kiosk_id"])
    op.create_table(
        "credit_consents",
        sa.Column("id", _big_id(), autoincrement=True, nullable=False),
        _tin(),
        sa.Column("bank", sa.String(length=100), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        _when("at"),
        _when("received_at"),
        sa.ForeignKeyConstraint(["tin"], ["taxpayers.tin"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_credit_consents_tin", "credit_consents", ["tin"])
    op.create_table(
        "residence_applications",
        sa.Column("number", sa.String(length=32), nullable=False),
        _tin(),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("income_types", sa.Text(), nullable=False),
        _when("at"),
        sa.ForeignKeyConstraint(["number"], ["applications.number"]),
        sa.ForeignKeyConstraint(["tin"], ["taxpayers.tin"]),
        sa.PrimaryKeyConstraint("number"),
    )


def downgrade() -> None:
    op.drop_table("residence_applications")
    op.drop_index("ix_credit_consents_tin", table_name="credit_consents")
    op.drop_table("credit_consents")
    op.drop_index("ix_taxpayer_sessions_kiosk_id", table_name="taxpayer_sessions")
    op.drop_table("taxpayer_sessions")
    op.drop_index("ix_qr_logins_expires_at", table_name="qr_logins")
    op.drop_table("qr_logins")
    op.drop_table("taxpayer_login_state")
    op.drop_table("notices")
    op.drop_index("ix_applications_tin", table_name="applications")
    op.drop_table("applications")
    op.drop_table("payments")
    op.drop_table("arrears")
    op.drop_table("credit_ratings")
    op.drop_index("ix_taxpayer_agents_agent_tin", table_name="taxpayer_agents")
    op.drop_table("taxpayer_agents")
    op.drop_index("ix_taxpayers_id_number", table_name="taxpayers")
    op.drop_table("taxpayers")
