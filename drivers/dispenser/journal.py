"""The dispense job journal: each job is written down before the dispenser hears of it.

Dispensing is never replayed from a queue (a repeated job puts invoices in the wrong
hands). The journal records the job as 'sent' with the device's total counter read just
before, and the outcome after the reply. A job left 'sent' or 'unknown' by a crash or a
silent device is settled at start-up from the device's counters: how many sheets left
the machine is the counter's difference (cross-checked with the device's own record of
its last job), and the job is never issued again. SQLite, WAL, synchronous=FULL.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path


SCHEMA_VERSION = 1
OPEN_STATES = ("sent", "unknown")
FINAL_STATES = ("done", "failed", "manual_check")
STATES = OPEN_STATES + FINAL_STATES

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS dispense_jobs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id TEXT NOT NULL UNIQUE,
        job_no INTEGER NOT NULL,
        requested INTEGER NOT NULL,
        counter_before INTEGER NOT NULL,
        state TEXT NOT NULL,
        dispensed INTEGER,
        counter_after INTEGER,
        fault TEXT,
        resolved_by TEXT,
        note TEXT,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS dispense_jobs_state ON dispense_jobs(state)",
)


class JournalError(Exception):
    """The journal refused a change (duplicate job id, job not open)."""


class DuplicateJob(JournalError):
    """This job id was already dispensed (or attempted): never dispense it twice."""


def connect_journal_db(path: str | Path) -> sqlite3.Connection:
    """Open (creating) the database with the durability settings we rely on."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=5.0)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


@dataclass(frozen=True)
class DispenseJob:
    id: int
    job_id: str
    job_no: int
    requested: int
    counter_before: int
    state: str
    dispensed: int | None
    counter_after: int | None
    fault: str | None
    resolved_by: str | None
    note: str | None
    created_at: float
    updated_at: float

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class DispenseJournal:
    """Durable record of dispense jobs, one row per job id. Thread-safe."""

    def __init__(self, db_path: str | Path) -> None:
        self.path = Path(db_path)
        self._lock = threading.Lock()
        self._db = connect_journal_db(self.path)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA:
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

    def __enter__(self) -> "DispenseJournal":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def begin(self, job_id: str, job_no: int, requested: int, counter_before: int) -> DispenseJob:
        """Record a job as 'sent'; call it before its frame is written."""
        now = time.time()
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                cur = self._db.execute(
                    "INSERT INTO dispense_jobs (job_id, job_no, requested, counter_before, state,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, 'sent', ?, ?)",
                    (job_id, job_no, requested, counter_before, now, now),
                )
                self._db.execute("COMMIT")
            except sqlite3.IntegrityError:
                self._db.execute("ROLLBACK")
                raise DuplicateJob(f"dispense job {job_id} already exists") from None
            row_id = cur.lastrowid
        job = self._one("SELECT * FROM dispense_jobs WHERE id = ?", (row_id,))
        assert job is not None
        return job

    def resolve(self, job_id: str, state: str, *, resolved_by: str, dispensed: int | None = None,
                counter_after: int | None = None, fault: str | None = None,
                note: str | None = None) -> None:
        """Move an open job to `state`; final jobs never change again."""
        if state not in STATES:
            raise ValueError(f"unknown state {state!r}")
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            cur = self._db.execute(
                "UPDATE dispense_jobs SET state = ?, resolved_by = ?,"
                " dispensed = COALESCE(?, dispensed), counter_after = COALESCE(?, counter_after),"
                " fault = COALESCE(?, fault), note = COALESCE(?, note), updated_at = ?"
                " WHERE job_id = ? AND state IN ('sent', 'unknown')",
                (state, resolved_by, dispensed, counter_after, fault, note, time.time(), job_id),
            )
            self._db.execute("COMMIT")
        if cur.rowcount != 1:
            raise JournalError(f"no open dispense job {job_id}")

    def get(self, job_id: str) -> DispenseJob | None:
        return self._one("SELECT * FROM dispense_jobs WHERE job_id = ?", (job_id,))

    def open_jobs(self) -> list[DispenseJob]:
        return self._many("SELECT * FROM dispense_jobs WHERE state IN ('sent', 'unknown') ORDER BY id")

    def jobs(self, limit: int = 100) -> list[DispenseJob]:
        return self._many("SELECT * FROM dispense_jobs ORDER BY id DESC LIMIT ?", (limit,))

    def _one(self, sql: str, params: tuple[object, ...]) -> DispenseJob | None:
        rows = self._many(sql, params)
        return rows[0] if rows else None

    def _many(self, sql: str, params: tuple[object, ...] = ()) -> list[DispenseJob]:
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [DispenseJob(**dict(row)) for row in rows]
