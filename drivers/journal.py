"""What the payment and dispenser job journals share: one SQLite table of jobs.

A job is written down ('sent') before the device hears of it and settled from the
device's answer, or after a crash from what the device remembers; money and invoices
are never replayed from a queue. One SQLite file in WAL mode with synchronous=FULL: a
commit that returned survives a power cut. The standard sqlite3 module (not
SQLAlchemy) keeps the driver layer light; the tables are tiny and only the journals
touch them. Each subclass owns its table, schema and row type, so the files on disk
stay as they were.
"""
from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Generic, Self, TypeVar

from offline_queue.filemodes import private_sqlite

OPEN_STATES = ("sent", "unknown")

_Job = TypeVar("_Job")


class JournalError(Exception):
    """The journal refused a change (duplicate job, entry not open, newer schema)."""


def connect_journal_db(path: str | Path) -> sqlite3.Connection:
    """Open (creating) a journal database with the durability settings we rely on.
    Owner-only (0600 in a 0700 folder, older installs repaired): jobs name amounts and
    card transactions."""
    path = private_sqlite(Path(path))
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=5.0)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


class JobRecord:
    """Mixin of the journals' row dataclasses."""

    state: str

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class JobJournal(Generic[_Job]):
    """Durable record of one device's jobs, one row each. Thread-safe.

    Subclasses set `table`, `schema` (its CREATE statements), `schema_version` and
    `row` (builds a job from a row's columns), and add their own writes on top of
    `_insert()` and `_update()`.
    """

    table: str
    schema: Sequence[str]
    schema_version: int = 1
    row: Callable[..., _Job]

    def __init__(self, db_path: str | Path) -> None:
        self.path = Path(db_path)
        self._lock = threading.Lock()
        self._db = connect_journal_db(self.path)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            for statement in self.schema:
                self._db.execute(statement)
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > self.schema_version:
                self._db.execute("ROLLBACK")
                raise JournalError(f"journal {self.path} has schema {version}, newer than this program")
            self._db.execute(f"PRAGMA user_version={self.schema_version}")
            self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get_by_id(self, row_id: int | None) -> _Job | None:
        return self._one(f"SELECT * FROM {self.table} WHERE id = ?", (row_id,))

    def open_jobs(self) -> list[_Job]:
        """Entries whose outcome is not known yet, oldest first."""
        return self._many(f"SELECT * FROM {self.table} WHERE state IN ('sent', 'unknown') ORDER BY id")

    def jobs(self, limit: int = 100) -> list[_Job]:
        """The newest entries first (maintenance screen, reconciliation reports)."""
        return self._many(f"SELECT * FROM {self.table} ORDER BY id DESC LIMIT ?", (limit,))

    def _insert(self, sql: str, params: tuple[object, ...], duplicate: JournalError) -> _Job:
        """Insert one job and return it; raise `duplicate` when its key is taken."""
        try:
            cur = self._commit(sql, params)
        except sqlite3.IntegrityError:
            raise duplicate from None
        job = self.get_by_id(cur.lastrowid)
        assert job is not None
        return job

    def _update(self, sql: str, params: tuple[object, ...], not_open: str) -> None:
        """Update one open job; JournalError(`not_open`) when no open job matched."""
        if self._commit(sql, params).rowcount != 1:
            raise JournalError(not_open)

    def _commit(self, sql: str, params: tuple[object, ...]) -> sqlite3.Cursor:
        """Run one write in its own immediate transaction; roll back if it fails."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                cur = self._db.execute(sql, params)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return cur

    def _one(self, sql: str, params: tuple[object, ...]) -> _Job | None:
        rows = self._many(sql, params)
        return rows[0] if rows else None

    def _many(self, sql: str, params: tuple[object, ...] = ()) -> list[_Job]:
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [self.row(**dict(row)) for row in rows]
