"""The dispense job journal: each job is written down before the dispenser hears of it.

Dispensing is never replayed from a queue (a repeated job puts invoices in the wrong
hands). The journal records the job as 'sent' with the device's total counter read just
before, and the outcome after the reply. A job left 'sent' or 'unknown' by a crash or a
silent device is settled at start-up from the device's counters: how many sheets left
the machine is the counter's difference (cross-checked with the device's own record of
its last job), and the job is never issued again. SQLite, WAL, synchronous=FULL.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

# JournalError and connect_journal_db are imported from here too: keep them importable.
from ..journal import (  # noqa: F401
    OPEN_STATES,
    JobJournal,
    JobRecord,
    JournalError,
    connect_journal_db,
)

SCHEMA_VERSION = 1
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


class DuplicateJob(JournalError):
    """This job id was already dispensed (or attempted): never dispense it twice."""


@dataclass(frozen=True)
class DispenseJob(JobRecord):
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


class DispenseJournal(JobJournal[DispenseJob]):
    """Durable record of dispense jobs, one row per job id. Thread-safe."""

    table = "dispense_jobs"
    schema = _SCHEMA
    schema_version = SCHEMA_VERSION
    row = DispenseJob

    def begin(self, job_id: str, job_no: int, requested: int, counter_before: int) -> DispenseJob:
        """Record a job as 'sent'; call it before its frame is written."""
        now = time.time()
        return self._insert(
            "INSERT INTO dispense_jobs (job_id, job_no, requested, counter_before, state,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, 'sent', ?, ?)",
            (job_id, job_no, requested, counter_before, now, now),
            DuplicateJob(f"dispense job {job_id} already exists"),
        )

    def resolve(self, job_id: str, state: str, *, resolved_by: str, dispensed: int | None = None,
                counter_after: int | None = None, fault: str | None = None,
                note: str | None = None) -> None:
        """Move an open job to `state`; final jobs never change again."""
        if state not in STATES:
            raise ValueError(f"unknown state {state!r}")
        self._update(
            "UPDATE dispense_jobs SET state = ?, resolved_by = ?,"
            " dispensed = COALESCE(?, dispensed), counter_after = COALESCE(?, counter_after),"
            " fault = COALESCE(?, fault), note = COALESCE(?, note), updated_at = ?"
            " WHERE job_id = ? AND state IN ('sent', 'unknown')",
            (state, resolved_by, dispensed, counter_after, fault, note, time.time(), job_id),
            f"no open dispense job {job_id}",
        )

    def get(self, job_id: str) -> DispenseJob | None:
        return self._one("SELECT * FROM dispense_jobs WHERE job_id = ?", (job_id,))
