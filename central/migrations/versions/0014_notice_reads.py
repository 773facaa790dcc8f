"""Notices a taxpayer has read (我的消息): central.db.NoticeRead.

Numbered 0014: it follows the highest revision present when it was written (0013).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notice_reads",
        sa.Column("tin", sa.String(length=20), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tin"], ["taxpayers.tin"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["notice_id"], ["notices.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("tin", "notice_id"),
    )


def downgrade() -> None:
    op.drop_table("notice_reads")
