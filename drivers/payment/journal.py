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

import time
from dataclasses import dataclass
from pathlib import Path

# JournalError and connect_journal_db are imported from here too: keep them importable.
from ..journal import (  # noqa: F401
    OPEN_STATES,
    JobJournal,
    JobRecord,
    JournalError,
    connect_journal_db,
)

SCHEMA_VERSION = 2  # 2: the MIS-POS reference number, batch and authorisation code
FINAL_STATES = ("approved", "declined", "not_performed", "manual_check")
STATES = OPEN_STATES + FINAL_STATES

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS payment_jobs (
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
    updated_at REAL NOT NULL,
    rrn TEXT,
    batch_no TEXT,
    auth_code TEXT
)""",
    "CREATE INDEX IF NOT EXISTS payment_jobs_state ON payment_jobs(state)",
)


class DuplicateReference(JournalError):
    """A payment with this reference was already started: never charge twice."""


@dataclass(frozen=True)
class PaymentJob(JobRecord):
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
    rrn: str | None = None  # 参考号: what the acquirer's statement lists
    batch_no: str | None = None
    auth_code: str | None = None


_ADDED_COLUMNS = ("rrn", "batch_no", "auth_code")  # schema 2


class PaymentJournal(JobJournal[PaymentJob]):
    """Durable record of card transactions, one row per reference. Thread-safe."""

    table = "payment_jobs"
    schema = _SCHEMA
    schema_version = SCHEMA_VERSION
    row = PaymentJob

    def __init__(self, db_path: str | Path) -> None:
        super().__init__(db_path)
        # A schema-1 file (written before the MIS-POS fields) gains their columns.
        with self._lock:
            have = {r[1] for r in self._db.execute("PRAGMA table_info(payment_jobs)")}
            for column in _ADDED_COLUMNS:
                if column not in have:
                    self._db.execute(f"ALTER TABLE payment_jobs ADD COLUMN {column} TEXT")

    # -- writes -----------------------------------------------------------------------

    def begin(self, kind: str, reference: str, amount_fen: int,
              original_trace: str | None = None) -> PaymentJob:
        """Record a transaction as 'sent'; call it before anything is written to the port."""
        if kind not in ("sale", "void"):
            raise ValueError("kind must be 'sale' or 'void'")
        now = time.time()
        return self._insert(
            "INSERT INTO payment_jobs (kind, reference, amount_fen, original_trace, state,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, 'sent', ?, ?)",
            (kind, reference, amount_fen, original_trace, now, now),
            DuplicateReference(f"reference {reference} was already used"),
        )

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
        rrn: str | None = None,
        batch_no: str | None = None,
        auth_code: str | None = None,
    ) -> None:
        """Move an open entry to `state`. Final entries never change again."""
        if state not in STATES:
            raise ValueError(f"unknown state {state!r}")
        self._update(
            "UPDATE payment_jobs SET state = ?, resolved_by = ?,"
            " response_code = COALESCE(?, response_code), message = COALESCE(?, message),"
            " trace_no = COALESCE(?, trace_no), card_masked = COALESCE(?, card_masked),"
            " terminal_time = COALESCE(?, terminal_time), amount_fen = COALESCE(?, amount_fen),"
            " note = COALESCE(?, note), rrn = COALESCE(?, rrn),"
            " batch_no = COALESCE(?, batch_no), auth_code = COALESCE(?, auth_code),"
            " updated_at = ?"
            " WHERE reference = ? AND state IN ('sent', 'unknown')",
            (state, resolved_by, response_code, message, trace_no, card_masked, terminal_time,
             amount_fen, note, rrn, batch_no, auth_code, time.time(), reference),
            f"no open journal entry for reference {reference}",
        )

    # -- reads ------------------------------------------------------------------------

    def get(self, reference: str) -> PaymentJob | None:
        return self._one("SELECT * FROM payment_jobs WHERE reference = ?", (reference,))
