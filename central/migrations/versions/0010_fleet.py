"""The fleet page (issue #14 §4, §6): heartbeat history, devices in error, alert
occurrences, operators' sign-in sessions (central/fleet/models.py), and the replay
marks shared by worker processes (central/replay_db.py).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-28
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "fleet_heartbeats",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", _TIME, nullable=False),
        sa.Column("minute", sa.Integer(), nullable=False),
        sa.Column("queue_depth", sa.Integer(), nullable=False),
        sa.Column("oldest_pending_age_s", sa.Float(), nullable=True),
        sa.Column("devices_in_error", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_fleet_heartbeats_kiosk_minute", "fleet_heartbeats",
                    ["kiosk_id", "minute"])
    op.create_index("ix_fleet_heartbeats_minute", "fleet_heartbeats", ["minute"])
    op.create_table(
        "fleet_device_faults",
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("device", sa.String(length=64), nullable=False),
        sa.Column("since", _TIME, nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("kiosk_id", "device"),
    )
    op.create_table(
        "fleet_alerts",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("open_slot", sa.String(length=24), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("since", _TIME, nullable=False),
        sa.Column("raised_at", _TIME, nullable=False),
        sa.Column("cleared_at", _TIME, nullable=True),
        sa.Column("notified_at", _TIME, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("retry_at", _TIME, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kiosk_id", "kind", "subject", "open_slot",
                            name="uq_fleet_alerts_open"),
    )
    op.create_index("ix_fleet_alerts_kiosk", "fleet_alerts", ["kiosk_id"])
    op.create_table(
        "fleet_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("expires_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_fleet_sessions_expires_at", "fleet_sessions", ["expires_at"])
    op.create_table(
        "replay_marks",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("until", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("key_hash"),
    )
    op.create_index("ix_replay_marks_until", "replay_marks", ["until"])


def downgrade() -> None:
    op.drop_index("ix_replay_marks_until", table_name="replay_marks")
    op.drop_table("replay_marks")
    op.drop_index("ix_fleet_sessions_expires_at", table_name="fleet_sessions")
    op.drop_table("fleet_sessions")
    op.drop_index("ix_fleet_alerts_kiosk", table_name="fleet_alerts")
    op.drop_table("fleet_alerts")
    op.drop_table("fleet_device_faults")
    op.drop_index("ix_fleet_heartbeats_minute", table_name="fleet_heartbeats")
    op.drop_index("ix_fleet_heartbeats_kiosk_minute", table_name="fleet_heartbeats")
    op.drop_table("fleet_heartbeats")
