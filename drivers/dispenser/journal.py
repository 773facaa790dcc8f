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
from pathlib import Path

# JournalError and connect_journal_db are imported from here too: keep them importable.
from ..journal import (  # noqa: F401
    OPEN_STATES,
    JobJournal,
    JobRecord,
    JournalError,
    connect_journal_db,
)

SCHEMA_VERSION = 2
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
    # Numbered stock (schema 2): what was loaded into which cassette, and the cassettes a
    # reconciliation difference blocks until a technician clears it.
    """CREATE TABLE IF NOT EXISTS cassette_loads (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        slot INTEGER NOT NULL,
        kind TEXT NOT NULL,
        code TEXT NOT NULL,
        first_no INTEGER NOT NULL,
        last_no INTEGER NOT NULL,
        staff_id TEXT NOT NULL,
        at REAL NOT NULL
    )""",
    # One row per pickup (or courier parcel): opened before its first job, 'recorded'
    # once its record is in the outbox. An open pickup after a crash is finished from
    # its jobs (the record is idempotent at the central service by pickup id).
    """CREATE TABLE IF NOT EXISTS pickups (
        pickup_id TEXT PRIMARY KEY,
        application_no TEXT NOT NULL,
        method TEXT NOT NULL,
        invoice_kind TEXT NOT NULL,
        quantity INTEGER NOT NULL,
        waybill TEXT NOT NULL DEFAULT '',
        offline INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL,
        record_uuid TEXT,
        at REAL NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS cassette_blocks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        slot INTEGER NOT NULL,
        reason TEXT NOT NULL,
        at REAL NOT NULL,
        cleared_at REAL,
        cleared_by TEXT
    )""",
)
# Columns schema 2 adds to dispense_jobs: a cassette job's slot, what it holds, the first
# number issued, what became of the presented sheets, and the pickup it belongs to.
_V2_COLUMNS = (("slot", "INTEGER"), ("kind", "TEXT"), ("code", "TEXT"), ("first_no", "INTEGER"),
               ("presentation", "TEXT"), ("pickup", "TEXT"), ("retract_s", "INTEGER"))
# 'lost': a later job ran before the outcome was read (only another program can cause it);
# reconciliation then counts the cassette's retract counter.
PRESENTATION_STATES = ("presented", "taken", "retracted", "lost")


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
    slot: int | None = None
    kind: str | None = None
    code: str | None = None
    first_no: int | None = None
    presentation: str | None = None
    pickup: str | None = None
    retract_s: int | None = None

    @property
    def last_no(self) -> int | None:
        """Last number issued by a finished cassette job (None: none, or not known)."""
        if self.first_no is None or not self.dispensed:
            return None
        return self.first_no + self.dispensed - 1


@dataclass(frozen=True)
class CassetteLoad:
    id: int
    slot: int
    kind: str
    code: str
    first_no: int
    last_no: int
    staff_id: str
    at: float


@dataclass(frozen=True)
class CassetteBlock:
    id: int
    slot: int
    reason: str
    at: float
    cleared_at: float | None
    cleared_by: str | None


class DispenseJournal(JobJournal[DispenseJob]):
    """Durable record of dispense jobs, one row per job id. Thread-safe."""

    table = "dispense_jobs"
    schema = _SCHEMA
    schema_version = SCHEMA_VERSION
    row = DispenseJob

    def __init__(self, db_path: str | Path) -> None:
        super().__init__(db_path)
        with self._lock:  # a schema-1 file gains the cassette columns in place
            have = {r[1] for r in self._db.execute("PRAGMA table_info(dispense_jobs)")}
            missing = [(n, t) for n, t in _V2_COLUMNS if n not in have]
            if missing:
                self._db.execute("BEGIN IMMEDIATE")
                for name, sql_type in missing:
                    self._db.execute(f"ALTER TABLE dispense_jobs ADD COLUMN {name} {sql_type}")
                self._db.execute("COMMIT")

    def begin(self, job_id: str, job_no: int, requested: int, counter_before: int, *,
              slot: int | None = None, kind: str | None = None, code: str | None = None,
              first_no: int | None = None, pickup: str | None = None,
              retract_s: int | None = None) -> DispenseJob:
        """Record a job as 'sent'; call it before its frame is written. A cassette job
        names its slot, the kind and code loaded, the number it expects to start at and
        the pickup it serves."""
        now = time.time()
        return self._insert(
            "INSERT INTO dispense_jobs (job_id, job_no, requested, counter_before, state,"
            " created_at, updated_at, slot, kind, code, first_no, pickup, retract_s)"
            " VALUES (?, ?, ?, ?, 'sent', ?, ?, ?, ?, ?, ?, ?, ?)",
            (job_id, job_no, requested, counter_before, now, now, slot, kind, code, first_no,
             pickup, retract_s),
            DuplicateJob(f"dispense job {job_id} already exists"),
        )

    def set_first(self, job_id: str, first_no: int) -> None:
        """The device's word on the first number issued (it wins over the expectation)."""
        self._commit("UPDATE dispense_jobs SET first_no = ?, updated_at = ? WHERE job_id = ?",
                     (first_no, time.time(), job_id))

    def present(self, job_id: str, presentation: str) -> None:
        """What became of a finished cassette job's sheets: 'presented' (waiting in the
        slot), then 'taken', 'retracted' or 'lost' (final: never changes again)."""
        if presentation not in PRESENTATION_STATES:
            raise ValueError(f"unknown presentation {presentation!r}")
        self._commit(
            "UPDATE dispense_jobs SET presentation = ?, updated_at = ? WHERE job_id = ?"
            " AND (presentation IS NULL OR presentation = 'presented')",
            (presentation, time.time(), job_id))

    def open_presentations(self) -> list[DispenseJob]:
        """Cassette jobs whose sheets left the cassette but nobody knows yet whether
        they were taken or retracted."""
        return self._many("SELECT * FROM dispense_jobs WHERE slot IS NOT NULL AND state IN"
                          " ('done', 'failed') AND dispensed > 0 AND (presentation IS NULL OR"
                          " presentation = 'presented') ORDER BY id")

    def pickup_jobs(self, pickup: str) -> list[DispenseJob]:
        return self._many("SELECT * FROM dispense_jobs WHERE pickup = ? ORDER BY id", (pickup,))

    def cassette_jobs(self, slot: int | None = None) -> list[DispenseJob]:
        """Every cassette job (of one slot), oldest first: what reconciliation counts."""
        if slot is None:
            return self._many("SELECT * FROM dispense_jobs WHERE slot IS NOT NULL ORDER BY id")
        return self._many("SELECT * FROM dispense_jobs WHERE slot = ? ORDER BY id", (slot,))

    # -- pickups ---------------------------------------------------------------------------

    def open_pickup(self, pickup_id: str, application_no: str, method: str, invoice_kind: str,
                    quantity: int, *, offline: bool = False) -> None:
        self._commit("INSERT INTO pickups (pickup_id, application_no, method, invoice_kind,"
                     " quantity, offline, state, at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?)",
                     (pickup_id, application_no, method, invoice_kind, quantity, int(offline),
                      time.time()))

    def set_waybill(self, pickup_id: str, waybill: str) -> None:
        self._commit("UPDATE pickups SET waybill = ? WHERE pickup_id = ?", (waybill, pickup_id))

    def pickup_recorded(self, pickup_id: str, record_uuid: str) -> None:
        self._commit("UPDATE pickups SET state = 'recorded', record_uuid = ? WHERE"
                     " pickup_id = ?", (record_uuid, pickup_id))

    def pickups(self, state: str | None = None) -> list[dict[str, object]]:
        where, params = ("WHERE state = ?", (state,)) if state else ("", ())
        with self._lock:
            rows = self._db.execute(f"SELECT * FROM pickups {where} ORDER BY at",
                                    params).fetchall()
        return [dict(r) for r in rows]

    def application_done(self, application_no: str) -> bool:
        """Was this application served here already (offline: never twice)?"""
        with self._lock:
            row = self._db.execute("SELECT 1 FROM pickups WHERE application_no = ? LIMIT 1",
                                   (application_no,)).fetchone()
        return row is not None

    # -- stock loads and blocks ------------------------------------------------------------

    def record_load(self, slot: int, kind: str, code: str, first_no: int, last_no: int,
                    staff_id: str) -> None:
        self._commit("INSERT INTO cassette_loads (slot, kind, code, first_no, last_no, staff_id,"
                     " at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (slot, kind, code, first_no, last_no, staff_id, time.time()))

    def loads(self, slot: int | None = None) -> list[CassetteLoad]:
        where, params = ("WHERE slot = ?", (slot,)) if slot is not None else ("", ())
        with self._lock:
            rows = self._db.execute(f"SELECT * FROM cassette_loads {where} ORDER BY id",
                                    params).fetchall()
        return [CassetteLoad(**dict(r)) for r in rows]

    def block(self, slot: int, reason: str) -> None:
        """Block a cassette (a reconciliation difference); one open block per slot."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            open_block = self._db.execute("SELECT 1 FROM cassette_blocks WHERE slot = ? AND"
                                          " cleared_at IS NULL", (slot,)).fetchone()
            if open_block is None:
                self._db.execute("INSERT INTO cassette_blocks (slot, reason, at) VALUES (?, ?, ?)",
                                 (slot, reason, time.time()))
            self._db.execute("COMMIT")

    def clear_block(self, slot: int, staff_id: str) -> bool:
        cur = self._commit("UPDATE cassette_blocks SET cleared_at = ?, cleared_by = ? WHERE"
                           " slot = ? AND cleared_at IS NULL", (time.time(), staff_id, slot))
        return cur.rowcount > 0

    def open_blocks(self) -> dict[int, CassetteBlock]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM cassette_blocks WHERE cleared_at IS NULL"
                                    " ORDER BY id").fetchall()
        return {r["slot"]: CassetteBlock(**dict(r)) for r in rows}

    def cleared_blocks(self) -> dict[int, CassetteBlock]:
        """Per slot, the block a technician cleared last (what they accepted)."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM cassette_blocks WHERE cleared_at IS NOT NULL"
                                    " ORDER BY id").fetchall()
        return {r["slot"]: CassetteBlock(**dict(r)) for r in rows}

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
