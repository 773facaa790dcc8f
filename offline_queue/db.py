"""SQLite storage of the kiosk outbox: models, engine set-up and schema creation.

The queue is the only copy of a taxpayer's transaction until the central service has
stored it, so the engine is configured for durability over speed: WAL with
``synchronous=FULL`` (COMMIT returns only after the WAL is fsynced) and write
transactions that take the write lock up front (``BEGIN IMMEDIATE``), so that two
writers can never both read "last seq = N" and both write N + 1.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Engine,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from offline_queue.filemodes import private_sqlite

#: Value of the ``schema_version`` meta row, kept by the Alembic revisions.
SCHEMA_VERSION = "5"

#: Execution option naming the BEGIN mode of a transaction on this engine. Writes use
#: the default IMMEDIATE; long read-only passes (verification, listings) ask for
#: DEFERRED so that they do not hold the write lock and stall ``enqueue``.
BEGIN_MODE_OPTION = "sqlite_begin_mode"
_BEGIN_MODES = frozenset({"DEFERRED", "IMMEDIATE", "EXCLUSIVE"})

# Stable constraint names so that Alembic autogenerate produces reproducible migrations.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

STATE_PENDING = "pending"
STATE_ACKED = "acked"
STATE_REJECTED = "rejected"
STATES = (STATE_PENDING, STATE_ACKED, STATE_REJECTED)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class OutboxRow(Base):
    """One sealed record. Rows are never deleted: acked and rejected rows stay as
    evidence, and the hash chain runs through all of them."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(f"state IN {STATES!r}", name="state"),
        CheckConstraint("seq >= 1", name="seq_positive"),
        Index("ix_outbox_state_seq", "state", "seq"),
        # Only unconfirmed rows (migration 0002): unconfirmed() runs at every start.
        Index("ix_outbox_unconfirmed", "seq", sqlite_where=text("confirmed_on_screen IS 0")),
        # Only rows still holding a result (migration 0003): the retention purge.
        Index("ix_outbox_result_kept", "seq",
              sqlite_where=text("result_ciphertext IS NOT NULL")),
    )

    # Assigned by Outbox.enqueue as last + 1 inside the write transaction (gapless);
    # deliberately not AUTOINCREMENT.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(64))
    # ISO 8601 in UTC, exactly the text that went into the record hash.
    created_at: Mapped[str] = mapped_column(String(40))
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(16), default=STATE_PENDING,
                                       server_default=STATE_PENDING)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    acked_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # Up to schema 2: the central service's business result as clear JSON text. Since
    # revision 0003 always NULL (results are sealed below; an older file's clear results
    # are sealed when the outbox first opens it).
    result: Mapped[str | None] = mapped_column(Text, nullable=True)
    confirmed_on_screen: Mapped[bool] = mapped_column(Boolean, default=False,
                                                      server_default=text("0"))
    # The central service's business result (e.g. a verification outcome with the
    # buyer's name), AES-GCM under the data key, bound to kiosk/seq/uuid and the
    # "result" purpose. Both NULL once purged (result_purged_at says when).
    result_nonce: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    result_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    # When the result was first shown on screen; retention counts from then (from
    # acked_at for a result nobody came to see).
    result_shown_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    result_purged_at: Mapped[str | None] = mapped_column(String(40), nullable=True)


class MetaRow(Base):
    """Key/value facts about the queue file: owner kiosk_id, schema_version,
    public-key fingerprint, last_sync_at."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


ORDER_STATES = ("created", "sent", "approved", "declined", "recorded", "voiding",
                "voided", "unknown")


class PaymentOrderRow(Base):
    """One payment order (issue #11; kiosk.payments.orders): card or QR, its state
    (written BEFORE the step it announces), the request and the bank's answer sealed
    under the data key (they name the taxpayer and the card's masked number)."""

    __tablename__ = "payment_orders"
    __table_args__ = (
        CheckConstraint("method IN ('card', 'qr')", name="method"),
        CheckConstraint(f"state IN {ORDER_STATES!r}", name="state"),
        CheckConstraint("amount_fen >= 1", name="amount_positive"),
        Index("ix_payment_orders_state", "state"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    method: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(16))
    amount_fen: Mapped[int] = mapped_column(Integer)
    service_id: Mapped[str] = mapped_column(String(64))
    # Sale attempts sent to the terminal (the terminal reference is id-attempt).
    attempt: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # The terminal reference of the current attempt, or the QR acquirer's order id.
    reference: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The sale's 凭证号 (what a void names); no personal data.
    trace_no: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # Why the order is where it is: a bank response code (bank.51) or a reason code.
    message_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The uuid of the queued tax.payment record, once queued.
    record_uuid: Mapped[str | None] = mapped_column(String(36), nullable=True)
    request_nonce: Mapped[bytes] = mapped_column(LargeBinary)
    request_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    detail_nonce: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    detail_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[str] = mapped_column(String(40))


class PickupCacheRow(Base):
    """One pending terminal pickup order of this kiosk's hall (issue #12; kiosk.services.
    pickup_cache), cached for offline pickup. The order names a taxpayer: it is sealed
    under the data key; the holder is found by a keyed hash of the ID number
    (`holder`), never by the number in clear."""

    __tablename__ = "pickup_cache"
    __table_args__ = (Index("ix_pickup_cache_holder", "holder"),)

    application_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    pickup_code_hash: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    as_of: Mapped[str] = mapped_column(String(40))


# A declarative class's __table__ is a Table (SQLAlchemy types it as any FromClause).
outbox_table = cast(Table, OutboxRow.__table__)
meta_table = cast(Table, MetaRow.__table__)
payment_orders_table = cast(Table, PaymentOrderRow.__table__)
pickup_cache_table = cast(Table, PickupCacheRow.__table__)


def make_engine(path: Path, **kwargs: Any) -> Engine:
    """An engine on the SQLite file at ``path`` with the queue's durability settings
    applied to every pooled connection. The file is created owner-only (0600, in a 0700
    folder) before SQLite touches it, and an older install's modes are repaired."""
    private_sqlite(Path(path))
    engine = create_engine(
        f"sqlite+pysqlite:///{Path(path)}",
        # Parameters are ciphertext and ids, but keep them out of error text anyway.
        hide_parameters=True,
        connect_args={"check_same_thread": False, "timeout": 5.0},
        **kwargs,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN away from the sqlite3 module (it would emit a deferred BEGIN lazily
        # before DML only); the "begin" hook below emits our own.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            # busy_timeout first: switching to WAL may need to wait for another opener.
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            # Deleted content (a purged verification result, a replaced clear-text
            # value) is overwritten with zeros instead of lingering in free pages.
            cursor.execute("PRAGMA secure_delete=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = str(conn.get_execution_options().get(BEGIN_MODE_OPTION, "IMMEDIATE")).upper()
        if mode not in _BEGIN_MODES:
            raise ValueError(f"unknown SQLite BEGIN mode {mode!r}")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def create_schema(engine: Engine) -> None:
    """Bring the file behind ``engine`` to the newest schema through the Alembic
    migrations (offline_queue.migrate): back-up, one transaction, checks. Tables are
    never created any other way, so every file has a known revision."""
    from offline_queue.migrate import upgrade_database

    database = engine.url.database
    if not database or database == ":memory:":
        raise ValueError("the outbox schema needs a database file")
    upgrade_database(Path(database))
