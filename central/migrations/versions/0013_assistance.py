"""Remote assistance (issue #14 §5): assistance sessions with the latest frame and
waiting taps, and their audit events (central/assistance.py).

Numbered 0013: it follows the highest revision present when it was written (0012).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "assist_sessions",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("requested_at", _TIME, nullable=False),
        sa.Column("accepted_at", _TIME, nullable=True),
        sa.Column("consent_at", _TIME, nullable=True),
        sa.Column("control_allowed", sa.Boolean(), nullable=False),
        sa.Column("ended_at", _TIME, nullable=True),
        sa.Column("ended_by", sa.String(length=16), nullable=True),
        sa.Column("kiosk_seen_at", _TIME, nullable=False),
        sa.Column("frame", sa.LargeBinary(), nullable=True),
        sa.Column("frame_type", sa.String(length=16), nullable=False),
        sa.Column("frame_seq", sa.Integer(), nullable=False),
        sa.Column("frame_at", _TIME, nullable=True),
        sa.Column("pending_taps", sa.Text(), nullable=False),
        sa.Column("taps_sent", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.kiosk_id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_assist_sessions_kiosk_state", "assist_sessions",
                    ["kiosk_id", "state"])
    op.create_table(
        "assist_events",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("assist_id", _ID, nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("at", _TIME, nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_assist_events_kiosk", "assist_events", ["kiosk_id"])


def downgrade() -> None:
    op.drop_index("ix_assist_events_kiosk", table_name="assist_events")
    op.drop_table("assist_events")
    op.drop_index("ix_assist_sessions_kiosk_state", table_name="assist_sessions")
    op.drop_table("assist_sessions")
