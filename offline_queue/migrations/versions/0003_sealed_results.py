"""Verification results sealed at rest and purged after a retention period.

The central service's business result of a record (a verification outcome carries the
buyer's name) was stored as clear JSON in ``outbox.result`` and kept forever. This
revision adds the columns for the sealed form (AES-GCM under the kiosk's data key, see
offline_queue.crypto.encrypt_result), when the result was shown and when it was
purged, and a partial index on the rows still holding a result (the purge's scan).

The migration has no key, so it cannot encrypt: it marks a file that still holds clear
results with the meta row ``clear_results = 1``, and ``Outbox`` seals them (and scrubs
the clear text from this file's migration backups) the first time it opens the file.
Sealed record columns are untouched, so ``offline_queue.migrate``'s checks hold.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
_outbox = sa.table("outbox", sa.column("result", sa.Text))

#: Meta row set while clear-text results wait for the outbox to seal them.
CLEAR_RESULTS_META = "clear_results"


def upgrade() -> None:
    # Plain ADD COLUMN (no table copy): batch mode only recreates when it must.
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("result_nonce", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("result_ciphertext", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("result_shown_at", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("result_purged_at", sa.String(length=40), nullable=True))
    op.create_index("ix_outbox_result_kept", "outbox", ["seq"], unique=False,
                    sqlite_where=sa.text("result_ciphertext IS NOT NULL"))
    conn = op.get_bind()
    has_clear = conn.execute(sa.select(sa.literal(1)).select_from(_outbox)
                             .where(_outbox.c.result.is_not(None)).limit(1)).first()
    if has_clear is not None:
        op.bulk_insert(_meta, [{"key": CLEAR_RESULTS_META, "value": "1"}])
    op.execute(_meta.update().where(_meta.c.key == "schema_version").values(value="3"))


def downgrade() -> None:
    # Sealed results cannot be opened here (no key): they are lost on a downgrade;
    # the records themselves are not touched.
    op.execute(_meta.update().where(_meta.c.key == "schema_version").values(value="2"))
    op.execute(_meta.delete().where(_meta.c.key == CLEAR_RESULTS_META))
    op.drop_index("ix_outbox_result_kept", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("result_purged_at")
        batch.drop_column("result_shown_at")
        batch.drop_column("result_ciphertext")
        batch.drop_column("result_nonce")
