"""Ingest of kiosk sync batches: store before answering, dedupe forever.

Every record that reaches a known kiosk's (kiosk_id, seq) slot is stored, accepted or
rejected, in one transaction with the kiosk's new cumulative ack, and only then
answered. A resend of the same record gets the same answer again, so at-least-once
sending by the kiosk becomes exactly-once processing here.
"""
from __future__ import annotations

import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, NamedTuple

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central.db import MAX_SEQ, Kiosk, Record
from central.verification import (
    CHINA_TZ,
    QueryError,
    VerifyQuery,
    parse_query,
    verify_queries,
)
from offline_queue.crypto import (
    GENESIS_HASH,
    RecordIntegrityError,
    b64d,
    decrypt_payload,
    record_hash,
    verify_signature,
)
from offline_queue.wire import RecordResult, SyncAck, SyncBatch, WireRecord

VERIFY_KIND = "invoice.verify"
MAX_ATTEMPTS = 3


class UnknownKioskError(LookupError):
    """The batch comes from a kiosk that never enrolled (HTTP 403)."""


class BatchError(ValueError):
    """The batch as a whole is malformed (HTTP 422)."""


class _Reject(Exception):
    """One record fails a check: it is stored as rejected with this reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class _NewRow:
    """A records row this batch adds; the fields are Record's columns, so `vars(row)`
    is its INSERT parameters (one Core executemany, no ORM object per record)."""

    kiosk_id: str
    seq: int
    uuid: str | None
    kind: str
    created_at: datetime
    received_at: datetime
    hash: str
    prev_hash: str
    nonce: str
    ciphertext: str
    signature: str
    status: str = "accepted"
    reason: str | None = None
    result: str | None = None


class _Verification(NamedTuple):
    """A verification request of this batch, checked once the whole batch is read."""

    row: _NewRow
    query: VerifyQuery
    reference: Any


_RECORDS = Record.__table__


def _answer(stored: Record | _NewRow, wire_uuid: str,
            status: str | None = None) -> RecordResult:
    return RecordResult(
        seq=stored.seq, uuid=wire_uuid,
        status=status or stored.status,  # type: ignore[arg-type]
        reason=stored.reason,
        result=json.loads(stored.result) if stored.result else None)


def _resend_answer(stored: Record | _NewRow, record: WireRecord) -> RecordResult:
    """Answer a record whose (kiosk_id, seq) slot is already taken.

    The same record again gets the first answer again: "duplicate" if it was accepted,
    the same rejection if it was rejected (a kiosk that missed the first answer must
    still park it). Anything else claiming that slot is a replay or a conflict.
    """
    same = stored.hash == record.hash and stored.uuid in (None, record.uuid)
    if not same:
        return RecordResult(seq=record.seq, uuid=record.uuid, status="rejected",
                            reason="replay/conflict: seq already stored with another record")
    if stored.status == "accepted":
        return _answer(stored, record.uuid, "duplicate")
    return _answer(stored, record.uuid)


def _check(record: WireRecord, kiosk: Kiosk, prev_hash: str | None,
           expected: int) -> dict[str, Any]:
    """Check one record's encoding, hash, signature and chain link and return its
    decrypted payload; raise _Reject on failure."""
    if prev_hash is None:
        raise _Reject(f"gap: expected seq {expected}")
    try:
        nonce, ciphertext = b64d(record.nonce), b64d(record.ciphertext)
        signature = b64d(record.signature)
    except (binascii.Error, ValueError):
        raise _Reject("bad encoding: nonce, ciphertext or signature is not base64") from None
    if len(nonce) != 12:
        raise _Reject("bad encoding: nonce must be 12 bytes")
    computed = record_hash(record.kiosk_id, record.seq, record.uuid, record.kind,
                           record.created_at, record.prev_hash, nonce, ciphertext)
    if computed != record.hash:
        raise _Reject("bad hash: the record does not match its hash")
    try:
        verify_signature(kiosk.public_key, record.hash, signature)
    except RecordIntegrityError:
        raise _Reject("bad signature: not signed by this kiosk's key") from None
    if record.prev_hash != prev_hash:
        raise _Reject(f"chain: prev_hash does not match the hash of seq {record.seq - 1}")
    try:
        return decrypt_payload(kiosk.data_key, nonce, ciphertext, record.kiosk_id,
                               record.seq, record.uuid)
    except (RecordIntegrityError, ValueError) as exc:
        raise _Reject(f"decrypt: {exc}") from None


def _verify_query(payload: dict[str, Any]) -> VerifyQuery:
    """The payload of an invoice.verify record as a query; a bad one rejects just
    this record, before anything is counted."""
    try:
        return parse_query(payload)
    except QueryError as exc:
        raise _Reject(f"bad payload: {exc}") from None


def _verify_all(session: Session, pending: list[_Verification], today: date) -> None:
    """Verify the batch's requests together, in seq order (the 5-per-day limit counts
    them one after another), and put each result in its row."""
    results = verify_queries(session, [p.query for p in pending], today)
    for verification, result in zip(pending, results):
        if isinstance(verification.reference, str):
            result["reference"] = verification.reference[:64]
        verification.row.result = json.dumps(result, ensure_ascii=False)


def _ingest_once(session: Session, batch: SyncBatch, now: datetime,
                 today: date) -> SyncAck:
    """One attempt, in one transaction: lock the kiosk's row (its batches run one at
    a time, also across worker processes), read what the batch needs in three
    queries, check each record in seq order, verify the batch's invoices at once,
    insert the new rows at once, advance the cumulative ack, commit."""
    kiosk = session.execute(
        select(Kiosk).where(Kiosk.kiosk_id == batch.kiosk_id).with_for_update()
    ).scalar_one_or_none()
    if kiosk is None:
        raise UnknownKioskError(batch.kiosk_id)
    kiosk_id = kiosk.kiosk_id
    records = sorted(batch.records, key=lambda r: r.seq)

    # Slots already taken, and the records just before this batch's (chain links);
    # both are kept current below as this batch's rows are added.
    wanted = {r.seq for r in records} | {r.seq - 1 for r in records if r.seq > 1}
    stored: dict[int, Record | _NewRow] = {}
    if wanted:
        stored = {row.seq: row for row in session.execute(
            select(Record).where(Record.kiosk_id == kiosk_id, Record.seq.in_(wanted))
        ).scalars()}
    uuids = {r.uuid for r in records}
    owners: dict[str, tuple[str, int]] = {}
    if uuids:
        owners = {row.uuid: (row.kiosk_id, row.seq) for row in session.execute(
            select(Record.uuid, Record.kiosk_id, Record.seq).where(Record.uuid.in_(uuids)))}
    acked = kiosk.acked_through
    above = set(session.execute(
        select(Record.seq).where(Record.kiosk_id == kiosk_id, Record.seq > acked)
        .order_by(Record.seq).limit(10_000)).scalars())
    while acked + 1 in above:
        acked += 1

    # Answers in seq order; a new row's answer waits for its verification result.
    answers: list[RecordResult | tuple[_NewRow, str]] = []
    new_rows: list[_NewRow] = []
    pending: list[_Verification] = []
    for record in records:
        taken = stored.get(record.seq)
        if taken is not None:
            answers.append(_resend_answer(taken, record))
            continue
        row = _NewRow(kiosk_id=kiosk_id, seq=record.seq, uuid=record.uuid,
                      kind=record.kind, created_at=record.created_at, received_at=now,
                      hash=record.hash, prev_hash=record.prev_hash, nonce=record.nonce,
                      ciphertext=record.ciphertext, signature=record.signature)
        owner = owners.get(record.uuid)
        try:
            if owner is not None:
                row.uuid = None  # UNIQUE(uuid) forever: the claimed UUID goes in reason
                raise _Reject(f"replay/conflict: uuid {record.uuid} already stored as "
                              f"kiosk {owner[0]} seq {owner[1]}")
            prev = stored.get(record.seq - 1)
            prev_hash = GENESIS_HASH if record.seq == 1 else (prev.hash if prev else None)
            payload = _check(record, kiosk, prev_hash, acked + 1)
            if record.kind == VERIFY_KIND:
                pending.append(_Verification(row, _verify_query(payload),
                                             payload.get("reference")))
        except _Reject as exc:
            row.status, row.reason = "rejected", exc.reason
        new_rows.append(row)
        stored[record.seq] = row
        if row.uuid is not None:
            owners[row.uuid] = (kiosk_id, record.seq)
        answers.append((row, record.uuid))
        # Keep the ack current so a later gap in this batch names the right missing seq.
        above.add(record.seq)
        while acked + 1 in above:
            acked += 1

    # Every query is valid by now: checks are counted only for records being stored.
    _verify_all(session, pending, today)
    if new_rows:
        # A concurrent duplicate fails here: IntegrityError, retried by ingest_batch.
        session.connection().execute(insert(_RECORDS), [vars(row) for row in new_rows])
    kiosk.acked_through = acked
    session.commit()
    results = [a if isinstance(a, RecordResult) else _answer(*a) for a in answers]
    return SyncAck(kiosk_id=kiosk_id, acked_through=acked, results=results)


def ingest_batch(session: Session, batch: SyncBatch, now: datetime,
                 today: date | None = None) -> SyncAck:
    """Verify, store and answer one batch; commits before returning.

    `now` stamps received_at; `today` (default: now's date in UTC+8) is the day the
    verification rules run on. Raises UnknownKioskError, BatchError. A concurrent
    resend that wins the race makes this one retry and answer "duplicate".
    """
    if any(r.kiosk_id != batch.kiosk_id for r in batch.records):
        raise BatchError("every record must belong to the batch's kiosk_id")
    if any(r.seq > MAX_SEQ for r in batch.records):
        raise BatchError(f"seq must not exceed {MAX_SEQ}")
    if "\x00" in batch.kiosk_id:
        raise BatchError("kiosk_id must not contain NUL characters")
    for r in batch.records:
        # PostgreSQL text cannot hold NUL, and no sealed record ever contains one.
        if any("\x00" in value for value in (r.kiosk_id, r.uuid, r.kind, r.nonce,
                                               r.ciphertext, r.prev_hash, r.hash,
                                               r.signature)):
            raise BatchError(f"seq {r.seq}: text fields must not contain NUL characters")
    for r in batch.records:
        try:
            (r.created_at if r.created_at.tzinfo else
             r.created_at.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
        except OverflowError:
            raise BatchError(f"seq {r.seq}: created_at out of range") from None
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    if today is None:
        today = now.astimezone(CHINA_TZ).date()
    for attempt in range(MAX_ATTEMPTS):
        try:
            return _ingest_once(session, batch, now, today)
        except IntegrityError:
            session.rollback()
            if attempt == MAX_ATTEMPTS - 1:
                raise
        except BaseException:
            session.rollback()
            raise
    raise AssertionError("unreachable")  # pragma: no cover
