"""SQLite storage of the kiosk outbox: tables, engine set-up and schema creation.

The queue is the only copy of a taxpayer's transaction until the central service has
stored it, so the engine is configured for durability over speed: WAL with
``synchronous=FULL`` (COMMIT returns only after the WAL is fsynced) and write
transactions that take the write lock up front (``BEGIN IMMEDIATE``), so that two
writers can never both read "last seq = N" and both write N + 1.
"""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
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


# SQLAlchemy Core tables, not ORM classes: the kiosk never maps rows to objects, and
# importing sqlalchemy.orm would cost its long-running process ~6 MiB (#9 §5).
# Core columns are nullable unless said otherwise: every NOT NULL is spelled out.
metadata = MetaData(naming_convention=NAMING_CONVENTION)

#: One sealed record. Rows are never deleted: acked and rejected rows stay as evidence,
#: and the hash chain runs through all of them.
outbox_table = Table(
    "outbox", metadata,
    # Assigned by Outbox.enqueue as last + 1 inside the write transaction (gapless);
    # deliberately not AUTOINCREMENT.
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("kind", String(64), nullable=False),
    # ISO 8601 in UTC, exactly the text that went into the record hash.
    Column("created_at", String(40), nullable=False),
    Column("nonce", LargeBinary, nullable=False),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("signature", LargeBinary, nullable=False),
    Column("state", String(16), nullable=False, default=STATE_PENDING,
           server_default=STATE_PENDING),
    Column("reason", Text, nullable=True),
    Column("acked_at", String(40), nullable=True),
    # Up to schema 2: the central service's business result as clear JSON text. Since
    # revision 0003 always NULL (results are sealed below; an older file's clear results
    # are sealed when the outbox first opens it).
    Column("result", Text, nullable=True),
    Column("confirmed_on_screen", Boolean, nullable=False, default=False,
           server_default=text("0")),
    # The central service's business result (e.g. a verification outcome with the
    # buyer's name), AES-GCM under the data key, bound to kiosk/seq/uuid and the
    # "result" purpose. Both NULL once purged (result_purged_at says when).
    Column("result_nonce", LargeBinary, nullable=True),
    Column("result_ciphertext", LargeBinary, nullable=True),
    # When the result was first shown on screen; retention counts from then (from
    # acked_at for a result nobody came to see).
    Column("result_shown_at", String(40), nullable=True),
    Column("result_purged_at", String(40), nullable=True),
    CheckConstraint(f"state IN {STATES!r}", name="state"),
    CheckConstraint("seq >= 1", name="seq_positive"),
    Index("ix_outbox_state_seq", "state", "seq"),
    # Only unconfirmed rows (migration 0002): unconfirmed() runs at every start.
    Index("ix_outbox_unconfirmed", "seq", sqlite_where=text("confirmed_on_screen IS 0")),
    # Only rows still holding a result (migration 0003): the retention purge.
    Index("ix_outbox_result_kept", "seq", sqlite_where=text("result_ciphertext IS NOT NULL")),
)

#: Key/value facts about the queue file: owner kiosk_id, schema_version, public-key
#: fingerprint, last_sync_at.
meta_table = Table(
    "meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

ORDER_STATES = ("created", "sent", "approved", "declined", "recorded", "voiding",
                "voided", "unknown")

#: One payment order (issue #11; kiosk.payments.orders): card or QR, its state (written
#: BEFORE the step it announces), the request and the bank's answer sealed under the
#: data key (they name the taxpayer and the card's masked number).
payment_orders_table = Table(
    "payment_orders", metadata,
    Column("id", String(32), primary_key=True),
    Column("method", String(8), nullable=False),
    Column("state", String(16), nullable=False),
    Column("amount_fen", Integer, nullable=False),
    Column("service_id", String(64), nullable=False),
    # Sale attempts sent to the terminal (the terminal reference is id-attempt).
    Column("attempt", Integer, nullable=False, default=0, server_default=text("0")),
    # The terminal reference of the current attempt, or the QR acquirer's order id.
    Column("reference", String(64), nullable=True),
    # The sale's 凭证号 (what a void names); no personal data.
    Column("trace_no", String(16), nullable=True),
    # Why the order is where it is: a bank response code (bank.51) or a reason code.
    Column("message_code", String(64), nullable=True),
    # The uuid of the queued tax.payment record, once queued.
    Column("record_uuid", String(36), nullable=True),
    Column("request_nonce", LargeBinary, nullable=False),
    Column("request_ciphertext", LargeBinary, nullable=False),
    Column("detail_nonce", LargeBinary, nullable=True),
    Column("detail_ciphertext", LargeBinary, nullable=True),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    CheckConstraint("method IN ('card', 'qr')", name="method"),
    CheckConstraint(f"state IN {ORDER_STATES!r}", name="state"),
    CheckConstraint("amount_fen >= 1", name="amount_positive"),
    Index("ix_payment_orders_state", "state"),
)

#: One pending terminal pickup order of this kiosk's hall (issue #12;
#: kiosk.services.pickup_cache), cached for offline pickup. The order names a taxpayer:
#: it is sealed under the data key; the holder is found by a keyed hash of the ID number
#: (`holder`), never by the number in clear.
pickup_cache_table = Table(
    "pickup_cache", metadata,
    Column("application_no", String(32), primary_key=True),
    Column("holder", String(64), nullable=False),
    Column("pickup_code_hash", String(64), nullable=False),
    Column("nonce", LargeBinary, nullable=False),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("as_of", String(40), nullable=False),
    Index("ix_pickup_cache_holder", "holder"),
)


# How long an opener keeps trying to switch a new file to WAL while another process
# creates and migrates it (the same bound as a migration's own wait for the file).
WAL_SWITCH_WAIT_S = 60.0


def _switch_to_wal(cursor: Any) -> None:
    """PRAGMA journal_mode=WAL, tried again while another opener holds the file.

    On a brand-new file (still in rollback-journal mode) the switch needs the file to
    itself: a process migrating it holds it for the whole upgrade, and SQLite answers
    "database is locked" at once when waiting would deadlock (both sides want the
    exclusive lock), busy_timeout or not. Once that process commits, the file is in WAL
    and the switch is a no-op."""
    deadline = time.monotonic() + WAL_SWITCH_WAIT_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


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
            _switch_to_wal(cursor)
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            # Deleted content (a purged verification result, a replaced clear-text
            # value) is overwritten with zeros instead of lingering in free pages.
            cursor.execute("PRAGMA secure_delete=ON")
            # Each pooled connection caches up to 2 MiB of pages by default, and the
            # caches fill as the file grows: a kiosk's RSS crept ~1 MiB per 100
            # sessions for months (#9). 512 KiB still holds every interior page of a
            # queue this size; the work is fsync-bound, not read-bound.
            cursor.execute("PRAGMA cache_size=-512")
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
