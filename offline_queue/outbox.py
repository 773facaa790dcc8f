"""The kiosk's durable outbox: every transaction taken at the terminal is sealed
(encrypted, hash-chained, signed) and committed here before success is shown, and stays
here until the central service has stored it.

Privacy rule for this module: payloads are personal data. They exist in clear only in
the caller's dict and in ``RecordView.payload``; they never reach a log line, an
exception message or a ``repr``.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import sqlite3
import threading
import uuid as uuid_mod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import SQLAlchemyError

from offline_queue.crypto import (
    GENESIS_HASH,
    KioskKeys,
    RecordIntegrityError,
    b64d,
    b64e,
    decrypt_payload,
    decrypt_result,
    encrypt_payload,
    encrypt_result,
    record_hash,
    verify_signature,
)
from offline_queue.db import (
    BEGIN_MODE_OPTION,
    STATE_ACKED,
    STATE_PENDING,
    STATE_REJECTED,
    make_engine,
    meta_table,
    outbox_table,
)
from offline_queue.migrate import MigrationError, MigrationReport, upgrade_database
from offline_queue.wire import (
    MAX_CIPHERTEXT_B64,
    SIGNATURE_REASON,
    VOID_KIND,
    RecordResult,
    SyncAck,
    WireRecord,
)

log = logging.getLogger(__name__)

# Both go into the record hash header and the AES-GCM associated data, which use
# "\n" and "|" as separators: a restricted alphabet keeps those encodings unambiguous.
KIOSK_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
KIND_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Largest ciphertext whose base64 still fits WireRecord.ciphertext: a record that could
# never be sent would sit at the head of the queue forever, so refuse it at enqueue.
MAX_CIPHERTEXT_BYTES = MAX_CIPHERTEXT_B64 // 4 * 3

META_KIOSK_ID = "kiosk_id"
META_PUBLIC_KEY = "public_key_sha256"
META_CREATED_AT = "created_at"
META_LAST_SYNC_AT = "last_sync_at"
META_ACKED_THROUGH = "central_acked_through"
# Tombstones for damaged records, one meta row per seq (see Outbox._seal_void).
VOID_META_PREFIX = "void:"
VOID_REASON_MAX = 500
_VOID_WIRE_FIELDS = ("seq", "uuid", "kind", "nonce", "ciphertext", "prev_hash", "hash",
                     "signature")
# Set by migration 0003 while clear-text results (schema <= 2) wait to be sealed.
META_CLEAR_RESULTS = "clear_results"


class OutboxError(RuntimeError):
    """The outbox cannot do what was asked; the message never contains payload data."""


def _describe(exc: BaseException) -> str:
    """Name and message of the driver error behind ``exc``. SQLite messages carry no
    row data and the engine hides statement parameters."""
    orig = getattr(exc, "orig", None) or exc
    return f"{type(orig).__name__}: {orig}"


@contextmanager
def _db_errors(action: str) -> Iterator[None]:
    """Turn database failures into OutboxError so callers handle one exception type."""
    try:
        yield
    except SQLAlchemyError as exc:
        raise OutboxError(f"{action} failed: {_describe(exc)}") from exc


def scrub_backup_results(path: Path) -> int:
    """Delete the clear-text results from a migration backup (schema <= 2) and rewrite
    it so that no free page keeps them; returns how many were removed."""
    conn = sqlite3.connect(path, timeout=5.0, isolation_level=None)
    try:
        conn.execute("PRAGMA secure_delete=ON")
        columns = {r[1] for r in conn.execute("PRAGMA table_info(outbox)")}
        if "result" not in columns:
            return 0
        removed = conn.execute("UPDATE outbox SET result = NULL "
                               "WHERE result IS NOT NULL").rowcount
        if removed:
            conn.execute("VACUUM")
        return removed
    finally:
        conn.close()


def utc_now() -> datetime:
    return datetime.now(UTC)


def _to_utc(value: datetime) -> datetime:
    """Naive datetimes from an injected clock are taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


# The enqueue path speaks SQL to its own DBAPI connection: through the SQL expression
# layer, building and compiling these two statements cost more than the fsync.
_LAST_SQL = "SELECT seq, hash FROM outbox ORDER BY seq DESC LIMIT 1"
_INSERT_SQL = ("INSERT INTO outbox (seq, uuid, kind, created_at, nonce, ciphertext, prev_hash,"
               " hash, signature, state, confirmed_on_screen)"
               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


class _Enqueue:
    """One enqueue() call waiting for the group commit that carries its record."""

    __slots__ = ("kind", "payload", "confirm_later", "done", "record", "error")

    def __init__(self, kind: str, payload: dict[str, Any], confirm_later: bool) -> None:
        self.kind, self.payload, self.confirm_later = kind, payload, confirm_later
        self.done = False
        self.record: QueuedRecord | None = None
        self.error: OutboxError | None = None

    def fail(self, error: OutboxError) -> None:
        self.record, self.error, self.done = None, error, True


@dataclass(frozen=True)
class QueuedRecord:
    """What the caller gets once a record is committed: enough to print a reference."""

    seq: int
    uuid: str
    created_at: datetime
    kind: str = ""


@dataclass(frozen=True)
class RecordView:
    """A stored record with its payload decrypted, for result lookup and maintenance.

    ``payload`` is None when the stored ciphertext no longer decrypts (tampering or
    damage; ``verify_chain`` says which). It and ``result`` (a verification result names
    the buyer) are excluded from ``repr`` so that logging a view cannot leak personal
    data. ``result_purged``: the central's result was here and was deleted after the
    retention period ([privacy] result_retention_days).
    """

    seq: int
    uuid: str
    kind: str
    state: str
    reason: str | None
    result: dict[str, Any] | None = field(repr=False)
    created_at: datetime
    payload: dict[str, Any] | None = field(repr=False)
    acked_at: datetime | None = None
    confirmed: bool = False
    result_purged: bool = False
    result_shown_at: datetime | None = None


@dataclass
class AckOutcome:
    """What ``apply_ack`` did with records whose signature the central refused."""

    kept: list[int] = field(default_factory=list)  # intact here: pending, sent again
    voided: list[int] = field(default_factory=list)  # damaged here: parked, tombstone queued


@dataclass(frozen=True)
class QueueStatus:
    pending: int
    oldest_pending_age_s: float | None
    acked: int
    rejected: int
    last_sync_at: datetime | None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "pending": self.pending,
            "oldest_pending_age_s": self.oldest_pending_age_s,
            "acked": self.acked,
            "rejected": self.rejected,
            "last_sync_at": self.last_sync_at.isoformat() if self.last_sync_at else None,
        }


class Outbox:
    """The durable, encrypted, signed outbox of one kiosk, in one SQLite file.

    Safe to share between threads, and several processes may open the same file:
    every write is an immediate transaction, which SQLite serialises.
    """

    def __init__(self, db_path: Path, kiosk_id: str, keys: KioskKeys,
                 clock: Callable[[], datetime] = utc_now, *,
                 upgrade: Callable[[Path], MigrationReport] = upgrade_database) -> None:
        """``upgrade`` brings the file to the newest schema; the kiosk passes
        ``upgrade_in_child`` so that its long-lived process never loads Alembic."""
        if not KIOSK_ID_RE.match(kiosk_id):
            raise OutboxError("kiosk_id must be 1-64 characters of A-Z a-z 0-9 . _ -")
        self.db_path = Path(db_path)
        self.kiosk_id = kiosk_id
        self._keys = keys
        self._public_key = keys.public_key
        self._clock = clock
        self._upgrade = upgrade
        # Group commit: concurrent enqueue() calls wait while one of them commits, then
        # the next commits every record that arrived meanwhile in one transaction, so
        # they share one fsync.
        self._group = threading.Condition()
        self._waiting: list[_Enqueue] = []
        self._committing = False
        self._writer: Any = None  # the enqueue path's pooled DBAPI connection
        # The hot reads' own pooled DBAPI connection (the exposure check before every
        # offline enqueue, the banner's status after it), used by one thread at a time.
        self._reader: Any = None
        self._reader_lock = threading.Lock()
        self._closed = False  # set by close(): the read connection is not opened again
        self.db_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._engine = make_engine(self.db_path)
        try:
            self._open()
        except BaseException:
            self._engine.dispose()
            raise

    # ----------------------------------------------------------------- opening

    def _open(self) -> None:
        try:
            with self._read() as conn:  # may take a while on a big file: no write lock
                rows = conn.exec_driver_sql("PRAGMA quick_check").fetchall()
            if [r[0] for r in rows] != ["ok"]:
                raise OutboxError(f"queue database {self.db_path} fails its integrity check "
                                  f"({len(rows)} problem(s)); restore it from backup")
            try:
                self._upgrade(self.db_path)
            except MigrationError as exc:
                raise OutboxError(f"refusing to open the queue: {exc.reason}") from exc
            fingerprint = hashlib.sha256(self._public_key).hexdigest()
            with self._engine.begin() as conn:
                meta = self._meta(conn)
                owner = meta.get(META_KIOSK_ID)
                if owner is None:
                    self._set_meta(conn, META_KIOSK_ID, self.kiosk_id)
                    self._set_meta(conn, META_PUBLIC_KEY, fingerprint)
                    self._set_meta(conn, META_CREATED_AT, _to_utc(self._clock()).isoformat())
                elif owner != self.kiosk_id:
                    raise OutboxError(f"queue database {self.db_path} belongs to kiosk "
                                      f"{owner!r}, not {self.kiosk_id!r}")
                elif meta.get(META_PUBLIC_KEY, fingerprint) != fingerprint:
                    raise OutboxError(f"queue database {self.db_path} was sealed with another "
                                      f"key pair than the one loaded; its records could not "
                                      f"be decrypted or continued")
                clear_results = meta.get(META_CLEAR_RESULTS) == "1"
                if clear_results:
                    self._seal_clear_results(conn)
            if clear_results:
                self._scrub_clear_copies()
        except (SQLAlchemyError, sqlite3.DatabaseError) as exc:
            raise OutboxError(f"cannot open queue database {self.db_path}: "
                              f"{_describe(exc)}") from exc

    def _seal_clear_results(self, conn: Connection) -> None:
        """Encrypt the clear-text results an older version stored (schema <= 2) in
        place, inside the opening transaction; secure_delete zeroes the clear text."""
        rows = conn.execute(select(outbox_table.c.seq, outbox_table.c.uuid,
                                   outbox_table.c.result)
                            .where(outbox_table.c.result.is_not(None))).all()
        changes = []
        for row in rows:
            try:
                value = json.loads(row.result)
            except ValueError:
                value = None
            nonce: bytes | None = None
            ciphertext: bytes | None = None
            if isinstance(value, dict):
                nonce, ciphertext = encrypt_result(self._keys.data_key, value,
                                                   self.kiosk_id, row.seq, row.uuid)
            else:
                log.warning("record seq=%d: stored result is not a JSON object; dropped",
                            row.seq)
            changes.append({"b_seq": row.seq, "b_nonce": nonce, "b_ct": ciphertext})
        if changes:
            conn.execute(update(outbox_table).where(outbox_table.c.seq == bindparam("b_seq"))
                         .values(result=None, result_nonce=bindparam("b_nonce"),
                                 result_ciphertext=bindparam("b_ct")), changes)
        conn.execute(meta_table.delete().where(meta_table.c.key == META_CLEAR_RESULTS))
        log.info("sealed %d result(s) stored in clear by an older version", len(changes))

    def _scrub_clear_copies(self) -> None:
        """After sealing clear results: push the old pages out of the WAL, and remove
        the clear results from this file's migration backups (their records stay
        restorable; the central service keeps the results)."""
        raw = self._engine.raw_connection()  # a checkpoint must run outside a transaction
        try:
            driver = raw.driver_connection
            assert driver is not None
            driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
        for backup in sorted(self.db_path.parent.glob(self.db_path.name + ".bak-*")):
            if backup.name.endswith(("-wal", "-shm", "-journal")):
                continue
            try:
                scrub_backup_results(backup)
            except sqlite3.Error as exc:
                log.warning("could not remove clear results from backup %s: %s",
                            backup.name, exc)

    @staticmethod
    def _meta(conn: Connection) -> dict[str, str]:
        return {k: v for k, v in conn.execute(select(meta_table.c.key, meta_table.c.value))}

    @staticmethod
    def _set_meta(conn: Connection, key: str, value: str) -> None:
        updated = conn.execute(meta_table.update().where(meta_table.c.key == key)
                               .values(value=value)).rowcount
        if not updated:
            conn.execute(meta_table.insert().values(key=key, value=value))

    def _read(self) -> Connection:
        """A connection whose transactions are DEFERRED: a consistent WAL snapshot that
        does not hold the write lock (long reads must not stall enqueue)."""
        return self._engine.connect().execution_options(**{BEGIN_MODE_OPTION: "DEFERRED"})

    # ----------------------------------------------------------------- writing

    def enqueue(self, kind: str, payload: dict[str, Any], *,
                confirm_later: bool = False) -> QueuedRecord:
        """Seal ``payload`` as the next record and commit it; returns after COMMIT
        (fsynced). With ``confirm_later`` the record counts as unconfirmed until
        ``mark_confirmed`` (the taxpayer saw success); otherwise it needs no
        on-screen confirmation. Concurrent calls share one commit (group commit); each
        still returns only after the COMMIT that carries its own record."""
        if not isinstance(kind, str) or not KIND_RE.match(kind):
            raise OutboxError("kind must be 1-64 characters of A-Z a-z 0-9 . _ -")
        if not isinstance(payload, dict):
            raise OutboxError("payload must be a dict")
        request = _Enqueue(kind, payload, confirm_later)
        with self._group:
            self._waiting.append(request)
            while self._committing and not request.done:
                self._group.wait()
            group: list[_Enqueue] | None = None
            if not request.done:  # nobody took it along: commit it and all waiting
                group, self._waiting = self._waiting, []
                self._committing = True
        if group is not None:
            try:
                self._commit_group(group)
            finally:
                with self._group:
                    self._committing = False
                    self._group.notify_all()
        if request.error is not None:
            raise request.error
        assert request.record is not None
        return request.record

    def _commit_group(self, group: list[_Enqueue]) -> None:
        """Seal the waiting records in arrival order and commit them in one immediate
        transaction (one fsync). A payload that cannot be sealed fails alone and uses up
        no seq; a database failure fails the whole group, none of which is committed."""
        sealed: list[_Enqueue] = []
        try:
            if self._writer is None:
                self._writer = self._engine.raw_connection()  # with the queue's pragmas
            cursor = self._writer.driver_connection.cursor()
            try:
                cursor.execute("BEGIN IMMEDIATE")  # holds the write lock
                last = cursor.execute(_LAST_SQL).fetchone()
                seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
                for request in group:
                    # Read the clock under the lock so that created_at follows seq order.
                    record_uuid, created_at = str(uuid_mod.uuid4()), _to_utc(self._clock())
                    try:
                        row = self._seal(request, seq, record_uuid, created_at, prev_hash)
                    except OutboxError as exc:
                        request.fail(exc)
                        continue
                    cursor.execute(_INSERT_SQL, row)
                    request.record = QueuedRecord(seq=seq, uuid=record_uuid,
                                                  created_at=created_at, kind=request.kind)
                    sealed.append(request)
                    seq, prev_hash = seq + 1, row[7]
                cursor.execute("COMMIT")
            finally:
                cursor.close()
        except BaseException as exc:
            self._drop_writer()  # rolls back; the next enqueue opens a fresh connection
            for request in group:
                if not request.done:
                    error = OutboxError(f"queueing a {request.kind} record failed: "
                                        f"{_describe(exc)}")
                    error.__cause__ = exc
                    request.fail(error)
            if not isinstance(exc, (sqlite3.Error, SQLAlchemyError)):
                raise
            return
        for request in sealed:
            request.done = True
            assert request.record is not None
            log.debug("queued record seq=%d kind=%s", request.record.seq, request.kind)

    def _seal(self, request: _Enqueue, seq: int, record_uuid: str, created_at: datetime,
              prev_hash: str) -> tuple[Any, ...]:
        """The INSERT parameters of one sealed record (encrypted, chained, signed)."""
        kind = request.kind
        try:
            nonce, ciphertext = encrypt_payload(self._keys.data_key, request.payload,
                                                self.kiosk_id, seq, record_uuid)
        except (TypeError, ValueError):
            raise OutboxError(f"{kind} payload cannot be serialised") from None
        if len(ciphertext) > MAX_CIPHERTEXT_BYTES:
            raise OutboxError(f"{kind} payload is too large for the sync protocol "
                              f"({len(ciphertext)} > {MAX_CIPHERTEXT_BYTES} bytes)")
        digest = record_hash(self.kiosk_id, seq, record_uuid, kind, created_at,
                             prev_hash, nonce, ciphertext)
        return (seq, record_uuid, kind, created_at.isoformat(), nonce, ciphertext, prev_hash,
                digest, self._keys.sign(digest), STATE_PENDING, not request.confirm_later)

    def _drop_writer(self) -> None:
        """Close the enqueue connection (an open transaction rolls back with it)."""
        writer, self._writer = self._writer, None
        if writer is not None:
            try:
                writer.invalidate()
            except Exception:  # already broken: nothing left to roll back
                log.debug("closing the enqueue connection failed", exc_info=True)

    def mark_confirmed(self, uuid: str) -> None:
        """Record that the taxpayer was shown success for this record."""
        with _db_errors("confirming a record"), self._engine.begin() as conn:
            done = conn.execute(update(outbox_table).where(outbox_table.c.uuid == uuid)
                                .values(confirmed_on_screen=True)).rowcount
        if not done:
            raise OutboxError(f"no queued record with uuid {uuid}")

    def mark_result_shown(self, uuid: str) -> None:
        """Record that this record's result was shown on screen: the retention period
        counts from the first time. Nothing happens when there is no result (left)."""
        now = _to_utc(self._clock()).isoformat()
        with _db_errors("marking a result shown"), self._engine.begin() as conn:
            conn.execute(update(outbox_table)
                         .where(outbox_table.c.uuid == uuid,
                                outbox_table.c.result_ciphertext.is_not(None),
                                outbox_table.c.result_shown_at.is_(None))
                         .values(result_shown_at=now))

    def purge_results(self, retention: timedelta) -> int:
        """Delete the results kept longer than ``retention`` since they were shown
        (since they arrived, for results nobody came to see); returns how many. The
        record itself (identity, status, seq, sealed payload, chain) stays. Runs on the
        sync thread, never the GUI thread: an immediate transaction."""
        now = _to_utc(self._clock())
        cutoff = now - retention
        with _db_errors("purging old results"), self._engine.begin() as conn:
            # Partial index ix_outbox_result_kept: only rows still holding a result.
            rows = conn.execute(select(outbox_table.c.seq, outbox_table.c.result_shown_at,
                                       outbox_table.c.acked_at)
                                .where(outbox_table.c.result_ciphertext.is_not(None))).all()
            due = []
            for row in rows:
                since = row.result_shown_at or row.acked_at
                try:
                    expired = since is None or _to_utc(datetime.fromisoformat(since)) <= cutoff
                except ValueError:
                    expired = True  # a damaged timestamp must not keep personal data
                if expired:
                    due.append({"b_seq": row.seq})
            if due:
                conn.execute(update(outbox_table)
                             .where(outbox_table.c.seq == bindparam("b_seq"))
                             .values(result=None, result_nonce=None, result_ciphertext=None,
                                     result_purged_at=now.isoformat()), due)
        if due:
            log.info("purged %d verification result(s) past their retention period",
                     len(due))
        return len(due)

    def apply_ack(self, ack: SyncAck) -> AckOutcome:
        """Store the central service's answer to a batch, in one transaction: accepted
        and duplicate records become acked (with their business result), rejected ones
        are parked with the reason. Results for unknown seqs are ignored. A refused
        signature is re-checked here first (``_settle_refused``): the outcome says which
        records stayed pending and which were parked behind a tombstone."""
        if ack.kiosk_id != self.kiosk_id:
            raise OutboxError(f"acknowledgement is for kiosk {ack.kiosk_id!r}, "
                              f"not {self.kiosk_id!r}")
        now = _to_utc(self._clock()).isoformat()
        with _db_errors("applying a sync acknowledgement"), self._engine.begin() as conn:
            # One read and one executemany per batch (not two statements per record):
            # this runs once per batch while a backlog drains.
            seqs = {res.seq for res in ack.results}
            known = {r.seq: r for r in conn.execute(
                select(outbox_table.c.seq, outbox_table.c.uuid, outbox_table.c.result_nonce,
                       outbox_table.c.result_ciphertext)
                .where(outbox_table.c.seq.in_(seqs)))} if seqs else {}
            changes: list[dict[str, Any]] = []
            outcome, voids = AckOutcome(), self._voids(conn)
            for res in ack.results:
                if self._settle_refused(conn, res, voids, now, outcome):
                    continue
                row = known.get(res.seq)
                if row is None or row.uuid != res.uuid:
                    log.warning("ignoring sync result for seq=%d: %s", res.seq,
                                "unknown seq" if row is None else "uuid does not match")
                    continue
                # Sealed at rest: a verification result names the buyer.
                nonce, sealed = (encrypt_result(self._keys.data_key, res.result,
                                                self.kiosk_id, res.seq, res.uuid)
                                 if res.result is not None
                                 else (row.result_nonce, row.result_ciphertext))
                reason: str | None
                if res.status == "rejected":
                    state, reason = STATE_REJECTED, res.reason or "rejected without a reason"
                else:
                    state, reason = STATE_ACKED, res.reason
                changes.append({"b_seq": res.seq, "b_state": state, "b_reason": reason,
                                "b_nonce": nonce, "b_sealed": sealed})
            if changes:
                conn.execute(update(outbox_table)
                             .where(outbox_table.c.seq == bindparam("b_seq"))
                             .values(state=bindparam("b_state"), reason=bindparam("b_reason"),
                                     result_nonce=bindparam("b_nonce"),
                                     result_ciphertext=bindparam("b_sealed"), acked_at=now),
                             changes)
            self._set_meta(conn, META_LAST_SYNC_AT, now)
            previous = int(self._meta(conn).get(META_ACKED_THROUGH, "0"))
            self._set_meta(conn, META_ACKED_THROUGH, str(max(previous, ack.acked_through)))
        log.info("applied sync ack: %d result(s), acked through seq %d",
                 len(ack.results), ack.acked_through)
        return outcome

    # ------------------------------------------------------- refused signatures

    def _voids(self, conn: Connection) -> dict[int, dict[str, Any]]:
        """This queue's tombstones by seq. They live in the meta table ("void:<seq>"):
        the outbox row of that seq stays as the parked evidence."""
        voids: dict[int, dict[str, Any]] = {}
        for key, value in conn.execute(select(meta_table.c.key, meta_table.c.value)
                                       .where(meta_table.c.key.startswith(VOID_META_PREFIX))):
            try:
                void = json.loads(value)
                voids[int(void["seq"])] = void
            except (ValueError, KeyError, TypeError):
                log.error("tombstone %s is unreadable; run verify_chain", key)
        return voids

    def _pending_voids(self, conn: Connection) -> list[WireRecord]:
        records = []
        for void in self._voids(conn).values():
            if void.get("state") != STATE_PENDING:
                continue
            try:
                records.append(WireRecord(
                    kiosk_id=self.kiosk_id, created_at=datetime.fromisoformat(
                        void["created_at"]), **{k: void[k] for k in _VOID_WIRE_FIELDS}))
            except (KeyError, TypeError, ValueError):  # pydantic errors are ValueErrors
                log.error("tombstone for seq=%s is unreadable; run verify_chain",
                          void.get("seq"))
        return records

    def _damage(self, record: Any) -> list[str]:
        """What is wrong with a stored record's hash or signature: what the central
        service checks before anything else. Empty when the copy here is intact."""
        try:
            created_at = datetime.fromisoformat(record.created_at)
        except (TypeError, ValueError):
            return [f"seq {record.seq}: created_at is not an ISO timestamp"]
        problems = []
        try:
            digest = record_hash(self.kiosk_id, record.seq, record.uuid, record.kind,
                                 created_at, record.prev_hash, record.nonce,
                                 record.ciphertext)
        except TypeError:  # a column of the wrong type
            digest = None
        if digest != record.hash:
            problems.append(f"seq {record.seq}: hash does not match the record's content")
        try:
            verify_signature(self._public_key, record.hash, record.signature)
        except (RecordIntegrityError, TypeError, ValueError):  # also: hash is not hex
            problems.append(f"seq {record.seq}: signature is not valid")
        return problems

    def _void_damage(self, void: dict[str, Any]) -> list[str]:
        try:
            record = SimpleNamespace(
                **{k: void[k] for k in ("seq", "uuid", "kind", "created_at", "prev_hash",
                                        "hash")},
                nonce=b64d(void["nonce"]), ciphertext=b64d(void["ciphertext"]),
                signature=b64d(void["signature"]))
        except (KeyError, ValueError, TypeError):
            return [f"seq {void.get('seq')}: tombstone is unreadable"]
        return self._damage(record)

    def _seal_void(self, conn: Connection, row: Row[Any], reason: str,
                   voids: dict[int, dict[str, Any]]) -> dict[str, Any]:
        """Seal and store a tombstone for ``row``'s seq (docs/design.md, "Refused
        signatures and void tombstones"): its prev_hash links to the seq before, its
        payload names the voided UUID and ``next_hash``, the hash the next seq links
        to."""
        seq = row.seq
        prev_hash = self._link_before(conn, seq, voids, row.prev_hash)
        after = conn.execute(select(outbox_table.c.prev_hash)
                             .where(outbox_table.c.seq == seq + 1)).scalar()
        # The next record (sealed, signed) says what it links to; without one, the next
        # enqueue will link to this row's hash column.
        next_hash = after if after is not None else row.hash
        void_uuid, created_at = str(uuid_mod.uuid4()), _to_utc(self._clock())
        reason = reason[:VOID_REASON_MAX]
        payload = {"reason": reason, "voided_uuid": row.uuid, "next_hash": next_hash}
        nonce, ciphertext = encrypt_payload(self._keys.data_key, payload, self.kiosk_id, seq,
                                            void_uuid)
        digest = record_hash(self.kiosk_id, seq, void_uuid, VOID_KIND, created_at, prev_hash,
                             nonce, ciphertext)
        void = {"seq": seq, "uuid": void_uuid, "kind": VOID_KIND,
                "created_at": created_at.isoformat(), "prev_hash": prev_hash,
                "nonce": b64e(nonce), "ciphertext": b64e(ciphertext), "hash": digest,
                "signature": b64e(self._keys.sign(digest)), "voided_uuid": row.uuid,
                "next_hash": next_hash, "void_reason": reason, "state": STATE_PENDING,
                "reason": None}
        self._set_meta(conn, f"{VOID_META_PREFIX}{seq}", json.dumps(void))
        voids[seq] = void
        return void

    def _link_before(self, conn: Connection, seq: int, voids: dict[int, dict[str, Any]],
                     fallback: str) -> str:
        """The hash seq links to, as the central service sees it: genesis, the
        next_hash of a tombstone at seq - 1, or the hash of an intact seq - 1 (else
        the damaged row's own prev_hash)."""
        if seq == 1:
            return GENESIS_HASH
        void = voids.get(seq - 1)
        if void is not None and void.get("state") != STATE_REJECTED:
            return str(void["next_hash"])
        before = conn.execute(select(outbox_table)
                              .where(outbox_table.c.seq == seq - 1)).first()
        if before is not None and not self._damage(before):
            return str(before.hash)
        return fallback

    def _settle_refused(self, conn: Connection, res: RecordResult,
                        voids: dict[int, dict[str, Any]], now: str,
                        outcome: AckOutcome) -> bool:
        """Handle what apply_ack's bulk path must not: an answer for a tombstone, or a
        refused signature. A refused record is re-checked here: intact, it stays
        pending (sent again); damaged, it is parked and a tombstone takes its seq.
        Returns whether ``res`` was handled."""
        refused = res.status == "rejected" and (res.reason or "").startswith(SIGNATURE_REASON)
        void = voids.get(res.seq)
        if void is not None and void.get("uuid") == res.uuid:
            if res.status != "rejected":
                void.update(state=STATE_ACKED, reason=None)
            elif not refused:
                log.error("tombstone for seq=%d rejected: %s", res.seq, res.reason)
                void.update(state=STATE_REJECTED, reason=res.reason)
            elif not self._void_damage(void):
                log.error("central refused the signature of the tombstone for seq=%d; "
                          "it is intact here and stays pending", res.seq)
                outcome.kept.append(res.seq)
            else:  # the tombstone itself was damaged on disk: seal a fresh one
                row = conn.execute(select(outbox_table)
                                   .where(outbox_table.c.seq == res.seq)).first()
                if row is not None:
                    self._seal_void(conn, row, str(void.get("void_reason") or "damaged"),
                                    voids)
                    outcome.voided.append(res.seq)
                    return True
                void.update(state=STATE_REJECTED, reason=res.reason)
            self._set_meta(conn, f"{VOID_META_PREFIX}{res.seq}", json.dumps(void))
            return True
        if not refused:
            return False
        row = conn.execute(select(outbox_table).where(outbox_table.c.seq == res.seq)).first()
        if row is None or row.uuid != res.uuid or row.state != STATE_PENDING:
            log.warning("ignoring a refused signature for seq=%d: no such pending record",
                        res.seq)
            return True
        damage = self._damage(row)
        if not damage:
            # Not this file's fault: the central service may hold another key for this
            # kiosk, or the record was altered on the way. Sent again next pass.
            log.error("central refused the signature of seq=%d although the copy here "
                      "is intact; kept pending", res.seq)
            conn.execute(update(outbox_table).where(outbox_table.c.seq == res.seq)
                         .values(reason=f"central refused its signature ({res.reason}); "
                                        f"the copy here is intact, kept pending"))
            outcome.kept.append(res.seq)
            return True
        reason = "damaged locally: " + "; ".join(damage)
        void = self._seal_void(conn, row, reason, voids)
        conn.execute(update(outbox_table).where(outbox_table.c.seq == res.seq)
                     .values(state=STATE_REJECTED, acked_at=now,
                             reason=f"{reason} (central: {res.reason}); seq voided by "
                                    f"tombstone {void['uuid']}"))
        log.error("seq=%d is damaged in the queue file: parked, tombstone queued", res.seq)
        outcome.voided.append(res.seq)
        return True

    # ----------------------------------------------------------------- reading

    def pending(self, limit: int = 200) -> list[WireRecord]:
        """The oldest ``limit`` pending records, in seq order, ready to send; a
        pending tombstone takes the place of the damaged record it voids."""
        with _db_errors("listing pending records"), self._read() as conn, conn.begin():
            rows = conn.execute(select(outbox_table)
                                .where(outbox_table.c.state == STATE_PENDING)
                                .order_by(outbox_table.c.seq).limit(limit)).all()
            voids = self._pending_voids(conn)
        records = [WireRecord(kiosk_id=self.kiosk_id, seq=r.seq, uuid=r.uuid, kind=r.kind,
                              created_at=datetime.fromisoformat(r.created_at),
                              nonce=b64e(r.nonce), ciphertext=b64e(r.ciphertext),
                              prev_hash=r.prev_hash, hash=r.hash,
                              signature=b64e(r.signature))
                   for r in rows]
        if voids:
            records = sorted(records + voids, key=lambda r: r.seq)[:limit]
        return records

    def pending_count(self) -> int:
        with _db_errors("counting pending records"), self._read() as conn, conn.begin():
            return int(conn.execute(select(func.count()).select_from(outbox_table)
                                    .where(outbox_table.c.state == STATE_PENDING)).scalar_one()
                       ) + len(self._pending_voids(conn))

    def pending_amount_fen(self, key: str = "amount_fen") -> int:
        """Sum of the integer ``key`` over the pending payloads (the money at risk
        offline). Payloads are encrypted, so this decrypts each pending record: call it
        only when an amount limit is configured. Records without the key count 0."""
        total = 0
        with _db_errors("summing pending amounts"), self._read() as conn, conn.begin():
            rows = conn.execute(select(outbox_table.c.seq, outbox_table.c.uuid,
                                       outbox_table.c.nonce, outbox_table.c.ciphertext)
                                .where(outbox_table.c.state == STATE_PENDING)
                                .execution_options(yield_per=500))
            for row in rows:
                try:
                    payload = decrypt_payload(self._keys.data_key, row.nonce, row.ciphertext,
                                              self.kiosk_id, row.seq, row.uuid)
                except (RecordIntegrityError, ValueError):
                    continue  # verify_chain reports it; the central will reject it
                value = payload.get(key)
                if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                    total += value
        return total

    def pending_excluding(self, kinds: tuple[str, ...]) -> tuple[int, float | None]:
        """Pending records whose kind is not in ``kinds``: their number and the age in
        seconds of the oldest (None: none). The offline exposure leaves out kinds that
        carry no risk (a payment already taken, issue #11). Counted afresh on every call
        (another process may have queued or acked meanwhile), in one statement."""
        if not all(isinstance(k, str) for k in kinds):
            raise OutboxError("kinds must be strings")
        other = f"state = ? AND kind NOT IN ({', '.join('?' * len(kinds))})"
        params = (STATE_PENDING, *kinds)
        rows = self._quick_read("counting pending records", [
            (f"SELECT count(*), (SELECT created_at FROM outbox WHERE {other} ORDER BY seq"
             f" LIMIT 1) FROM outbox WHERE {other}", params + params)])[0]
        count, oldest = int(rows[0][0]), rows[0][1]
        age = None
        if oldest is not None:
            age = max(0.0, (_to_utc(self._clock()) - datetime.fromisoformat(oldest))
                      .total_seconds())
        return count, age

    def _quick_read(self, action: str, statements: list[tuple[str, tuple[Any, ...]]]
                    ) -> list[list[Any]]:
        """The rows of each of ``statements`` (plain SQL and its parameters), all from
        one consistent WAL snapshot (a deferred transaction: no write lock). Through the
        SQL expression layer, a pool checkout and its transaction events, such a read of
        a few index pages took ~0.3-1.5 ms of the worker's time before each offline
        enqueue (#9 §5); on a kept connection it takes ~0.01-0.05 ms."""
        with self._reader_lock:
            if self._closed:  # e.g. the banner's last read racing the kiosk's shutdown
                raise OutboxError(f"{action} failed: the outbox is closed")
            try:
                if self._reader is None:
                    self._reader = self._engine.raw_connection()  # the queue's pragmas
                cursor = self._reader.driver_connection.cursor()
                try:
                    cursor.execute("BEGIN DEFERRED")
                    rows = [cursor.execute(sql, params).fetchall()
                            for sql, params in statements]
                    cursor.execute("COMMIT")  # ends the read snapshot
                finally:
                    cursor.close()
            except (sqlite3.Error, SQLAlchemyError) as exc:
                # A failed read may leave its transaction open: never reuse the connection.
                reader, self._reader = self._reader, None
                if reader is not None:
                    try:
                        reader.invalidate()
                    except Exception:  # already broken: nothing to close cleanly
                        log.debug("closing the read connection failed", exc_info=True)
                raise OutboxError(f"{action} failed: {_describe(exc)}") from exc
        return rows

    def unconfirmed(self) -> list[QueuedRecord]:
        """Records committed with ``confirm_later`` whose success the taxpayer may never
        have seen (e.g. power loss between COMMIT and the screen)."""
        with _db_errors("listing unconfirmed records"), self._read() as conn, conn.begin():
            rows = conn.execute(select(outbox_table.c.seq, outbox_table.c.uuid,
                                       outbox_table.c.created_at, outbox_table.c.kind)
                                .where(outbox_table.c.confirmed_on_screen.is_(False))
                                .order_by(outbox_table.c.seq)).all()
        return [QueuedRecord(seq=r.seq, uuid=r.uuid,
                             created_at=datetime.fromisoformat(r.created_at), kind=r.kind)
                for r in rows]

    def status(self) -> QueueStatus:
        """Counts by state, the oldest pending record's age and the last sync; the
        banner reads it after every enqueue, while the screen shows the result."""
        by_state, oldest_rows, sync_rows = self._quick_read("reading queue status", [
            ("SELECT state, count(*) FROM outbox GROUP BY state", ()),
            ("SELECT created_at FROM outbox WHERE state = ? ORDER BY seq LIMIT 1",
             (STATE_PENDING,)),
            ("SELECT value FROM meta WHERE key = ?", (META_LAST_SYNC_AT,)),
        ])
        counts: dict[str, int] = {state: int(n) for state, n in by_state}
        oldest = oldest_rows[0][0] if oldest_rows else None
        last_sync = sync_rows[0][0] if sync_rows else None
        age = None
        if oldest is not None:
            age = max(0.0, (_to_utc(self._clock()) - datetime.fromisoformat(oldest))
                      .total_seconds())
        return QueueStatus(
            pending=counts.get(STATE_PENDING, 0),
            oldest_pending_age_s=age,
            acked=counts.get(STATE_ACKED, 0),
            rejected=counts.get(STATE_REJECTED, 0),
            last_sync_at=datetime.fromisoformat(last_sync) if last_sync else None,
        )

    def get(self, uuid: str) -> RecordView | None:
        """The record with this uuid (the reference printed for the taxpayer)."""
        with _db_errors("reading a record"), self._read() as conn, conn.begin():
            row = conn.execute(select(outbox_table).where(outbox_table.c.uuid == uuid)).first()
        return self._view(row) if row is not None else None

    def result_for(self, uuid: str) -> RecordView | None:
        """Same as ``get``: the view carries state, reason and the central result."""
        return self.get(uuid)

    def rejected(self) -> list[RecordView]:
        """Parked records, for maintenance mode."""
        with _db_errors("listing rejected records"), self._read() as conn, conn.begin():
            rows = conn.execute(select(outbox_table)
                                .where(outbox_table.c.state == STATE_REJECTED)
                                .order_by(outbox_table.c.seq)).all()
        return [self._view(r) for r in rows]

    def _view(self, row: Row[Any]) -> RecordView:
        try:
            payload: dict[str, Any] | None = decrypt_payload(
                self._keys.data_key, row.nonce, row.ciphertext, self.kiosk_id, row.seq, row.uuid)
        except (RecordIntegrityError, ValueError):
            log.error("record seq=%d does not decrypt; run verify_chain", row.seq)
            payload = None
        result: dict[str, Any] | None = None
        if row.result_ciphertext is not None:
            try:
                result = decrypt_result(self._keys.data_key, row.result_nonce,
                                        row.result_ciphertext, self.kiosk_id, row.seq,
                                        row.uuid)
            except RecordIntegrityError:
                log.error("record seq=%d: stored result does not decrypt", row.seq)
        return RecordView(
            seq=row.seq, uuid=row.uuid, kind=row.kind, state=row.state, reason=row.reason,
            result=result,
            created_at=datetime.fromisoformat(row.created_at), payload=payload,
            acked_at=datetime.fromisoformat(row.acked_at) if row.acked_at else None,
            confirmed=bool(row.confirmed_on_screen),
            result_purged=row.result_purged_at is not None,
            result_shown_at=(datetime.fromisoformat(row.result_shown_at)
                             if row.result_shown_at else None),
        )

    def verify_chain(self) -> list[str]:
        """Re-check every record: gapless seq, link to the previous hash, own hash,
        signature, and that the payload decrypts in its place. Problems name seqs only."""
        problems: list[str] = []
        expected_seq = 1
        prev_hash = GENESIS_HASH
        with _db_errors("verifying the chain"), self._read() as conn, conn.begin():
            result = conn.execute(select(outbox_table).order_by(outbox_table.c.seq)
                                  .execution_options(yield_per=500))
            for row in result:
                problems.extend(self._check_row(row, expected_seq, prev_hash))
                expected_seq = row.seq + 1
                prev_hash = row.hash
            # The chain has no anchor after its last row; what the central service has
            # acknowledged is one.
            acked_through = int(self._meta(conn).get(META_ACKED_THROUGH, "0"))
        if acked_through >= expected_seq:
            problems.append(f"records after seq {expected_seq - 1} missing: the central "
                            f"service has stored through seq {acked_through}")
        return problems

    def _check_row(self, row: Row[Any], expected_seq: int, prev_hash: str) -> list[str]:
        seq = row.seq
        problems: list[str] = []
        if seq != expected_seq:
            missing = (f"seq {expected_seq}" if seq == expected_seq + 1
                       else f"seqs {expected_seq}-{seq - 1}")
            problems.append(f"{missing} missing before seq {seq}")
        if row.prev_hash != prev_hash:
            problems.append(f"seq {seq}: prev_hash does not link to the previous record")
        try:
            created_at = datetime.fromisoformat(row.created_at)
        except (TypeError, ValueError):
            problems.append(f"seq {seq}: created_at is not an ISO timestamp")
            return problems
        digest = record_hash(self.kiosk_id, seq, row.uuid, row.kind, created_at,
                             row.prev_hash, row.nonce, row.ciphertext)
        if digest != row.hash:
            problems.append(f"seq {seq}: hash does not match the record's content")
        try:
            verify_signature(self._public_key, row.hash, row.signature)
        except RecordIntegrityError:
            problems.append(f"seq {seq}: signature is not valid")
        except Exception:  # a non-hex hash column, for example
            problems.append(f"seq {seq}: signature cannot be checked")
        try:
            decrypt_payload(self._keys.data_key, row.nonce, row.ciphertext,
                            self.kiosk_id, seq, row.uuid)
        except (RecordIntegrityError, ValueError):
            problems.append(f"seq {seq}: payload does not decrypt in its place")
        return problems

    # ----------------------------------------------------------------- closing

    def close(self) -> None:
        with self._group:
            writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()  # back to the pool, which dispose() then closes
        with self._reader_lock:
            reader, self._reader = self._reader, None
            self._closed = True
        if reader is not None:
            reader.close()
        self._engine.dispose()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Outbox({str(self.db_path)!r}, kiosk_id={self.kiosk_id!r})"
