"""A replay guard in the database, shared by every worker process.

`central.rate_limit.ReplayGuard` remembers answered signatures in its process: with
`kiosk central --workers N` a replay sent again within the sent_at window would reach
another worker and be answered a second time (a kiosk verification counted twice, a
sealed call run twice). `DbReplayGuard` has the same `first_use` and keeps the marks
in the `replay_marks` table (migration 0010): the primary key decides, atomically on
both SQLite and PostgreSQL, which of two concurrent uses is the first. `--workers`
processes use it (central.cli.worker_app); one process keeps the in-memory guard.
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import String, Table, bindparam, delete
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from central.db import Base, UtcDateTime

#: Expired marks are deleted every this many uses (by the process that hits it).
PRUNE_EVERY = 500


class ReplayMark(Base):
    """A signed request already answered: SHA-256 of its key, kept until its window
    has passed."""

    __tablename__ = "replay_marks"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    until: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


def _mark_statement(insert: Callable[[Table], PgInsert | SqliteInsert]) -> Any:
    rows = insert(_MARKS)
    return (rows.on_conflict_do_update(
        index_elements=[_MARKS.c.key_hash], set_={"until": rows.excluded.until},
        where=_MARKS.c.until <= bindparam("k_now"))
        .returning(_MARKS.c.key_hash))


_MARKS = cast(Table, ReplayMark.__table__)
# Built once per dialect (statement objects memoise their cache keys).
_UPSERTS: dict[str, Any] = {"postgresql": _mark_statement(pg_insert),
                            "sqlite": _mark_statement(sqlite_insert)}


class DbReplayGuard:
    """`first_use(key, keep_s)`: True the first time `key` is seen by any process on
    this database (and remember it for `keep_s`)."""

    def __init__(self, sessions: sessionmaker[Session],
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._sessions = sessions
        self._now = now
        self._lock = threading.Lock()
        self._uses = 0

    def first_use(self, key: str, keep_s: float, session: Session | None = None) -> bool:
        """With `session`, the mark joins the caller's transaction (a savepoint; the
        caller commits): a request whose work is rolled back leaves no mark either, and
        on SQLite it needs no second write lock while the caller holds one."""
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
        now = self._now()
        until = now + timedelta(seconds=keep_s)
        with self._lock:
            self._uses += 1
            prune = self._uses % PRUNE_EVERY == 0
        if session is not None:
            first = self._mark(session, digest, now, until)
            if prune:
                self._prune(session, now)
            return first
        with self._sessions() as own:
            first = self._mark(own, digest, now, until)
            if prune:
                self._prune(own, now)
            own.commit()
        return first

    @staticmethod
    def _mark(session: Session, digest: str, now: datetime, until: datetime) -> bool:
        # One statement, atomic on both databases: insert the mark, or take over an
        # expired one; a live mark (a replay) makes it return no row. No savepoint or
        # IntegrityError round trip: this runs on every online verification.
        conn = session.connection()
        upsert = _UPSERTS.get(conn.dialect.name)
        if upsert is None:
            raise NotImplementedError(f"replay marks need SQLite or PostgreSQL, "
                                      f"not {conn.dialect.name}")
        return conn.execute(upsert, {"key_hash": digest, "until": until,
                                     "k_now": now}).first() is not None

    @staticmethod
    def _prune(session: Session, now: datetime) -> int:
        removed = session.execute(
            delete(ReplayMark).where(ReplayMark.until <= now)).rowcount  # type: ignore[attr-defined]
        return int(removed or 0)

    def prune(self) -> int:
        """Delete the expired marks; returns how many."""
        with self._sessions() as session:
            removed = self._prune(session, self._now())
            session.commit()
        return removed
