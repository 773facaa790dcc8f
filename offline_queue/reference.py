"""The kiosk's reference-data inbox: announcements, policies and other data that the
`cache` services show while the central service is unreachable.

It is a cache, not a record of anything the kiosk did: its own SQLite file beside the
queue (never the queue database), refilled from cursor 0 if it is lost or damaged. The
sync worker downloads deltas (`GET /v1/reference?cursor=N`) and applies each page in
one transaction together with the new cursor, so a crash never skips a change.
"""
from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, Column, Engine, MetaData, String, Table, Text, select
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import SQLAlchemyError

from offline_queue.db import BEGIN_MODE_OPTION, make_engine
from offline_queue.outbox import utc_now
from offline_queue.wire import ReferencePage

log = logging.getLogger(__name__)

META_CURSOR = "cursor"
META_SYNCED_AT = "synced_at"


# Core tables, as in offline_queue.db: sqlalchemy.orm stays out of the kiosk process.
_metadata = MetaData()
_items = Table(
    "reference_items", _metadata,
    Column("kind", String(64), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("item_id", BigInteger, nullable=False),
    Column("body", Text, nullable=False),  # JSON
    Column("updated_seq", BigInteger, nullable=False),
    Column("received_at", String(40), nullable=False),
)
_meta = Table(
    "reference_meta", _metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)


@dataclass(frozen=True)
class ReferenceEntry:
    kind: str
    key: str
    body: dict[str, Any]
    updated_seq: int
    received_at: datetime


class ReferenceInbox:
    """Downloaded reference data with the cursor of the last applied change."""

    def __init__(self, db_path: Path, clock: Callable[[], datetime] = utc_now) -> None:
        self.db_path = Path(db_path)
        self._clock = clock
        self.db_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._engine = self._open()

    def _open(self) -> Engine:
        engine = make_engine(self.db_path)
        try:
            with engine.connect() as conn:
                ok = [r[0] for r in conn.exec_driver_sql("PRAGMA quick_check").fetchall()]
            if ok != ["ok"]:
                raise sqlite3.DatabaseError("quick_check failed")
            _metadata.create_all(engine)
            return engine
        except (SQLAlchemyError, sqlite3.DatabaseError) as exc:
            # A cache: start again from cursor 0 rather than refuse to run.
            engine.dispose()
            log.warning("reference inbox %s unusable (%s): rebuilding it", self.db_path,
                        type(exc).__name__)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.db_path}{suffix}").unlink(missing_ok=True)
            engine = make_engine(self.db_path)
            _metadata.create_all(engine)
            return engine

    # ---------------------------------------------------------------- writing

    def apply(self, page: ReferencePage) -> int:
        """Store one downloaded page and its cursor in one transaction; returns how
        many items changed. A page older than the stored cursor changes nothing."""
        now = self._clock().isoformat()
        changed = 0
        with self._engine.begin() as conn:
            cursor = self._cursor(conn)
            for item in sorted(page.items, key=lambda i: i.updated_seq):
                if item.updated_seq <= cursor:
                    continue
                conn.execute(_items.delete().where(_items.c.kind == item.kind,
                                                   _items.c.key == item.key))
                if not item.deleted and item.body is not None:
                    conn.execute(_items.insert().values(
                        kind=item.kind, key=item.key, item_id=item.id,
                        body=json.dumps(item.body, ensure_ascii=False, sort_keys=True),
                        updated_seq=item.updated_seq, received_at=now))
                changed += 1
            self._set(conn, META_CURSOR, str(max(cursor, page.next_cursor)))
            self._set(conn, META_SYNCED_AT, now)
        return changed

    def replace_kind(self, kind: str, entries: dict[str, dict[str, Any]]) -> int:
        """Make `entries` (key -> body) the only items of `kind`, in one transaction,
        for data that comes as a full snapshot instead of deltas (staff accounts). The
        delta cursor is not touched. Returns how many items were added, changed or
        removed (an unchanged item keeps its received_at)."""
        now = self._clock().isoformat()
        new = {key: json.dumps(body, ensure_ascii=False, sort_keys=True)
               for key, body in entries.items()}
        with self._engine.begin() as conn:
            old: dict[str, str] = {row.key: row.body for row in conn.execute(
                select(_items.c.key, _items.c.body).where(_items.c.kind == kind))}
            stale = [key for key in old if old[key] != new.get(key)]
            if stale:
                conn.execute(_items.delete().where(_items.c.kind == kind,
                                                   _items.c.key.in_(stale)))
            fresh = [key for key, body in new.items() if old.get(key) != body]
            if fresh:
                # Snapshot items have no central id or seq: 0 for both.
                conn.execute(_items.insert(), [
                    {"kind": kind, "key": key, "item_id": 0, "body": new[key],
                     "updated_seq": 0, "received_at": now} for key in fresh])
        return len(set(stale) | set(fresh))

    @staticmethod
    def _meta_value(conn: Connection, key: str) -> str | None:
        return conn.execute(select(_meta.c.value).where(_meta.c.key == key)
                            ).scalar_one_or_none()

    @classmethod
    def _cursor(cls, conn: Connection) -> int:
        value = cls._meta_value(conn, META_CURSOR)
        return int(value) if value else 0

    @staticmethod
    def _set(conn: Connection, key: str, value: str) -> None:
        if not conn.execute(_meta.update().where(_meta.c.key == key)
                            .values(value=value)).rowcount:
            conn.execute(_meta.insert().values(key=key, value=value))

    def _read(self) -> Connection:
        """A connection whose transactions do not take the write lock."""
        return self._engine.connect().execution_options(**{BEGIN_MODE_OPTION: "DEFERRED"})

    # ---------------------------------------------------------------- reading

    def cursor(self) -> int:
        with self._read() as conn, conn.begin():
            return self._cursor(conn)

    def synced_at(self) -> datetime | None:
        """When the inbox was last brought up to date with the central service."""
        with self._read() as conn, conn.begin():
            value = self._meta_value(conn, META_SYNCED_AT)
        return datetime.fromisoformat(value) if value else None

    def age_s(self) -> float | None:
        """Seconds since the last successful download: what a `cache` service shows
        as the age of its data (None: never downloaded)."""
        synced = self.synced_at()
        if synced is None:
            return None
        return max(0.0, (self._clock() - synced).total_seconds())

    def get(self, kind: str, key: str) -> ReferenceEntry | None:
        with self._read() as conn, conn.begin():
            row = conn.execute(select(_items).where(_items.c.kind == kind,
                                                    _items.c.key == key)).first()
        return self._entry(row) if row is not None else None

    def items(self, kind: str | None = None) -> list[ReferenceEntry]:
        query = select(_items).order_by(_items.c.kind, _items.c.key)
        if kind is not None:
            query = query.where(_items.c.kind == kind)
        with self._read() as conn, conn.begin():
            return [self._entry(r) for r in conn.execute(query).all()]

    @staticmethod
    def _entry(row: Row[Any]) -> ReferenceEntry:
        return ReferenceEntry(kind=row.kind, key=row.key, body=json.loads(row.body),
                              updated_seq=row.updated_seq,
                              received_at=datetime.fromisoformat(row.received_at))

    def close(self) -> None:
        self._engine.dispose()
