"""The payment job journal: what the kiosk asked the terminal, written before it asks.

Card payments are never replayed from a queue. Instead every sale and void is recorded
here as 'sent' before its first byte leaves the kiosk, and updated with the terminal's
answer after it arrives. A crash, a timeout or a pulled cable leaves the entry 'sent'
or 'unknown'; at start-up `SerialPaymentTerminal.reconcile()` asks the terminal what
became of it. One SQLite file in WAL mode with synchronous=FULL: a commit that returned
survives a power cut. The standard sqlite3 module (not SQLAlchemy) keeps the driver
layer light; the table is tiny and only this class touches it.

No card numbers are stored, only the masked form the terminal printed.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SCHEMA_VERSION = 1
OPEN_STATES = ("sent", "unknown")
FINAL_STATES = ("approved", "declined", "not_performed", "manual_check")
STATES = OPEN_STATES + FINAL_STATES

_SCHEMA = """
CREATE TABLE IF NOT EXISTS payment_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('sale', 'void')),
    reference TEXT NOT NULL UNIQUE,
    amount_fen INTEGER NOT NULL,
    original_trace TEXT,
    state TEXT NOT NULL,
    response_code TEXT,
    message TEXT,
    trace_no TEXT,
    card_masked TEXT,
    terminal_time TEXT,
    resolved_by TEXT,
    note TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS payment_jobs_state ON payment_jobs(state);
"""


class JournalError(Exception):
    """The journal refused a change (duplicate reference, entry not open)."""


class DuplicateReference(JournalError):
    """A payment with this reference was already started: never charge twice."""


@dataclass(frozen=True)
class PaymentJob:
    id: int
    kind: str
    reference: str
    amount_fen: int
    original_trace: str | None
    state: str
    response_code: str | None
    message: str | None
    trace_no: str | None
    card_masked: str | None
    terminal_time: str | None
    resolved_by: str | None
    note: str | None
    created_at: float
    updated_at: float

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


def connect_journal_db(path: str | Path) -> sqlite3.Connection:
    """Open (creating) a journal database with the durability settings we rely on."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=5.0)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


class PaymentJournal:
    """Durable record of card transactions, one row per reference. Thread-safe."""

    def __init__(self, db_path: str | Path) -> None:
        self.path = Path(db_path)
        self._lock = threading.Lock()
        self._db = connect_journal_db(self.path)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            for statement in filter(None, (s.strip() for s in _SCHEMA.split(";"))):
                self._db.execute(statement)
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                self._db.execute("ROLLBACK")
                raise JournalError(f"journal {self.path} has schema {version}, newer than this program")
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> "PaymentJournal":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writes -----------------------------------------------------------------------

    def begin(self, kind: str, reference: str, amount_fen: int,
              original_trace: str | None = None) -> PaymentJob:
        """Record a transaction as 'sent'; call it before anything is written to the port."""
        if kind not in ("sale", "void"):
            raise ValueError("kind must be 'sale' or 'void'")
        now = time.time()
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                cur = self._db.execute(
                    "INSERT INTO payment_jobs (kind, reference, amount_fen, original_trace, state,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, 'sent', ?, ?)",
                    (kind, reference, amount_fen, original_trace, now, now),
                )
                self._db.execute("COMMIT")
            except sqlite3.IntegrityError:
                self._db.execute("ROLLBACK")
                raise DuplicateReference(f"reference {reference} was already used") from None
            row_id = cur.lastrowid
        job = self.get_by_id(row_id)
        assert job is not None
        return job

    def resolve(
        self,
        reference: str,
        state: str,
        *,
        resolved_by: str,
        response_code: str | None = None,
        message: str | None = None,
        trace_no: str | None = None,
        card_masked: str | None = None,
        terminal_time: str | None = None,
        amount_fen: int | None = None,
        note: str | None = None,
    ) -> None:
        """Move an open entry to `state`. Final entries never change again."""
        if state not in STATES:
            raise ValueError(f"unknown state {state!r}")
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            cur = self._db.execute(
                "UPDATE payment_jobs SET state = ?, resolved_by = ?,"
                " response_code = COALESCE(?, response_code), message = COALESCE(?, message),"
                " trace_no = COALESCE(?, trace_no), card_masked = COALESCE(?, card_masked),"
                " terminal_time = COALESCE(?, terminal_time), amount_fen = COALESCE(?, amount_fen),"
                " note = COALESCE(?, note), updated_at = ?"
                " WHERE reference = ? AND state IN ('sent', 'unknown')",
                (state, resolved_by, response_code, message, trace_no, card_masked, terminal_time,
                 amount_fen, note, time.time(), reference),
            )
            self._db.execute("COMMIT")
        if cur.rowcount != 1:
            raise JournalError(f"no open journal entry for reference {reference}")

    # -- reads ------------------------------------------------------------------------

    def get(self, reference: str) -> PaymentJob | None:
        return self._one("SELECT * FROM payment_jobs WHERE reference = ?", (reference,))

    def get_by_id(self, job_id: int | None) -> PaymentJob | None:
        return self._one("SELECT * FROM payment_jobs WHERE id = ?", (job_id,))

    def open_jobs(self) -> list[PaymentJob]:
        """Entries whose outcome is not known yet, oldest first."""
        return self._many("SELECT * FROM payment_jobs WHERE state IN ('sent', 'unknown') ORDER BY id")

    def jobs(self, limit: int = 100) -> list[PaymentJob]:
        """The newest entries first (maintenance screen, reconciliation reports)."""
        return self._many("SELECT * FROM payment_jobs ORDER BY id DESC LIMIT ?", (limit,))

    def _one(self, sql: str, params: tuple[object, ...]) -> PaymentJob | None:
        rows = self._many(sql, params)
        return rows[0] if rows else None

    def _many(self, sql: str, params: tuple[object, ...] = ()) -> list[PaymentJob]:
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [PaymentJob(**dict(row)) for row in rows]
