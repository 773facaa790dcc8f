"""A partial index on the records still waiting for on-screen confirmation.

``Outbox.unconfirmed()`` runs at every kiosk start to surface records committed but
never confirmed to the taxpayer; without this index it scans the whole outbox, which
grows forever (acked rows are kept as evidence). The index holds only unconfirmed rows,
so it stays a few entries long. Also bumps the ``schema_version`` meta row.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))


def upgrade() -> None:
    # "IS 0" is how SQLAlchemy renders `confirmed_on_screen.is_(False)`: SQLite uses a
    # partial index only when the query's WHERE term matches the index's.
    op.create_index("ix_outbox_unconfirmed", "outbox", ["seq"], unique=False,
                    sqlite_where=sa.text("confirmed_on_screen IS 0"))
    op.execute(_meta.update().where(_meta.c.key == "schema_version").values(value="2"))


def downgrade() -> None:
    op.execute(_meta.update().where(_meta.c.key == "schema_version").values(value="1"))
    op.drop_index("ix_outbox_unconfirmed", table_name="outbox")
