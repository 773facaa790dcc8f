"""Ingest of kiosk sync batches: store before answering, dedupe forever.

Every authenticated record (its hash matches and the kiosk's key signed it) that
reaches a known kiosk's (kiosk_id, seq) slot is stored, accepted or rejected, in one
transaction with the kiosk's new cumulative ack, and only then answered. A resend of
the same record gets the same answer again, so at-least-once sending by the kiosk
becomes exactly-once processing here.

A record that fails authentication is something anyone can send (kiosk ids are printed
on slips): it is answered "rejected" with a reason starting "signature" and leaves no
trace. It claims no seq and no UUID and does not move the ack, so the kiosk's genuine
record for that seq is still accepted when it comes; records after it in the same batch
get no answer (they would only be a gap) and stay pending at the kiosk.

A kiosk whose own copy of a record is damaged sends a signed tombstone (kind "void")
for that seq instead: its prev_hash links to the seq before, and its payload names the
hash the next seq links to (docs/design.md, "Refused signatures and void
tombstones").

What a record's payload must be, and what result it gets, depends on its kind: the
ingest dispatches through central.record_kinds (handlers in central/kinds/); a kind
with no handler is stored as accepted with no result.
"""
from __future__ import annotations

import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import central.kinds  # noqa: F401  (registers the built-in record kinds)
from central.db import KIOSKS_TABLE as _KIOSKS
from central.db import MAX_SEQ, Kiosk, Record
from central.record_kinds import BadPayload, BatchInfo, RecordKind, handler_for
from central.verification import CHINA_TZ
from offline_queue.crypto import (
    GENESIS_HASH,
    RecordIntegrityError,
    b64d,
    decrypt_payload,
    record_hash,
    verify_signature,
)
from offline_queue.payloads import INVOICE_VERIFY_KIND
from offline_queue.wire import (
    SIGNATURE_REASON,
    RecordResult,
    SyncAck,
    SyncBatch,
    WireRecord,
)

VERIFY_KIND = INVOICE_VERIFY_KIND  # the name central code used before payloads existed
MAX_ATTEMPTS = 3


class UnknownKioskError(LookupError):
    """The batch comes from a kiosk that never enrolled (HTTP 403)."""


class BatchError(ValueError):
    """The batch as a whole is malformed (HTTP 422)."""


class _Reject(Exception):
    """One authenticated record fails a check: it is stored as rejected with this
    reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Unauthenticated(_Reject):
    """A record that is not provably the kiosk's: answered, never stored."""


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


class _Pending(NamedTuple):
    """A record of this batch whose kind computes a result, once the whole batch is
    read: `checked` is what its handler's check returned."""

    row: _NewRow
    handler: RecordKind
    checked: Any


# A declarative class's __table__ is a Table (SQLAlchemy types it as any FromClause).
_RECORDS = cast(Table, Record.__table__)
_SET_ACKED = (update(_KIOSKS).where(_KIOSKS.c.kiosk_id == bindparam("k_kiosk"))
              .values(acked_through=bindparam("k_acked")))


def _answer(stored: Record | _NewRow, wire_uuid: str,
            status: str | None = None) -> RecordResult:
    return RecordResult(
        seq=stored.seq, uuid=wire_uuid,
        status=status or stored.status,  # type: ignore[arg-type]
        reason=stored.reason,
        result=json.loads(stored.result) if stored.result else None)


def _check_signature(kiosk: Kiosk, hash_hex: str, signature_b64: str) -> None:
    try:
        signature = b64d(signature_b64)
    except (binascii.Error, ValueError):
        raise _Unauthenticated(f"{SIGNATURE_REASON}: cannot be checked, the signature "
                               f"is not base64") from None
    try:
        verify_signature(kiosk.public_key, hash_hex, signature)
    except RecordIntegrityError:
        raise _Unauthenticated(f"{SIGNATURE_REASON}: not signed by this kiosk's "
                               f"key") from None


def _authenticate(record: WireRecord, kiosk: Kiosk) -> tuple[bytes, bytes]:
    """Check what anyone without the kiosk's key could get wrong (encoding, hash,
    signature) and return the decoded nonce and ciphertext; raise _Unauthenticated."""
    try:
        nonce, ciphertext = b64d(record.nonce), b64d(record.ciphertext)
    except (binascii.Error, ValueError):
        raise _Unauthenticated(f"{SIGNATURE_REASON}: cannot be checked, nonce or "
                               f"ciphertext is not base64") from None
    computed = record_hash(record.kiosk_id, record.seq, record.uuid, record.kind,
                           record.created_at, record.prev_hash, nonce, ciphertext)
    if computed != record.hash:
        raise _Unauthenticated(f"{SIGNATURE_REASON}: the record does not match its hash")
    _check_signature(kiosk, record.hash, record.signature)
    return nonce, ciphertext


def _resend_answer(stored: Record | _NewRow, record: WireRecord,
                   kiosk: Kiosk) -> RecordResult:
    """Answer a record whose (kiosk_id, seq) slot is already taken; never stores.

    The same record again gets the first answer again: "duplicate" if it was accepted,
    the same rejection if it was rejected (a kiosk that missed the first answer must
    still park it). "The same" means the stored hash signed by the kiosk: the stored
    copy was checked whole when it arrived, and a resend whose content was damaged
    since must still learn that its record is safe here. Anything else claiming that
    slot is a replay or a conflict.
    """
    same = stored.hash == record.hash and stored.uuid in (None, record.uuid)
    if not same:
        return RecordResult(seq=record.seq, uuid=record.uuid, status="rejected",
                            reason="replay/conflict: seq already stored with another record")
    try:
        _check_signature(kiosk, record.hash, record.signature)
    except _Unauthenticated as exc:  # knowing a stored hash does not reveal its result
        return RecordResult(seq=record.seq, uuid=record.uuid, status="rejected",
                            reason=exc.reason)
    if stored.status == "accepted":
        return _answer(stored, record.uuid, "duplicate")
    return _answer(stored, record.uuid)


def _check(record: WireRecord, kiosk: Kiosk, nonce: bytes, ciphertext: bytes,
           prev_link: str | None, expected: int) -> dict[str, Any]:
    """Check an authenticated record's place (gap, chain link), encoding and payload
    and return the decrypted payload; raise _Reject on failure."""
    if prev_link is None:
        raise _Reject(f"gap: expected seq {expected}")
    if record.prev_hash != prev_link:
        raise _Reject(f"chain: prev_hash does not match the hash of seq {record.seq - 1}")
    if len(nonce) != 12:
        raise _Reject("bad encoding: nonce must be 12 bytes")
    try:
        return decrypt_payload(kiosk.data_key, nonce, ciphertext, record.kiosk_id,
                               record.seq, record.uuid)
    except (RecordIntegrityError, ValueError) as exc:
        raise _Reject(f"decrypt: {exc}") from None


def _payload_check(handler: RecordKind, payload: dict[str, Any]) -> Any:
    try:
        return handler.check(payload)
    except BadPayload as exc:
        raise _Reject(f"bad payload: {exc}") from None


def _stored_link(row: Record, kiosk: Kiosk) -> str:
    """The hash the record after a stored row must link to: its own hash, or for an
    accepted record of a kind that names it (a void) the hash its (signed, encrypted)
    payload names."""
    handler = handler_for(row.kind)
    if handler is None or not handler.names_next_link or row.status != "accepted" \
            or row.uuid is None:
        return row.hash
    try:
        payload = decrypt_payload(kiosk.data_key, b64d(row.nonce), b64d(row.ciphertext),
                                  row.kiosk_id, row.seq, row.uuid)
        return handler.next_link(payload)
    except (RecordIntegrityError, ValueError):  # checked on arrival: not expected
        return row.hash


def _compute_results(session: Session, pending: list[_Pending], info: BatchInfo) -> None:
    """Each kind computes the results of its records of this batch together, in seq
    order (the 5-per-day limit counts verifications one after another), and each result
    goes in its row."""
    by_kind: dict[str, list[_Pending]] = {}
    for item in pending:
        by_kind.setdefault(item.handler.kind, []).append(item)
    for items in by_kind.values():
        results: Sequence[dict[str, Any] | None] = items[0].handler.results(
            session, [item.checked for item in items], info)
        for item, result in zip(items, results, strict=True):
            if result is not None:
                item.row.result = json.dumps(result, ensure_ascii=False)


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
        low, high = min(wanted), max(wanted)
        # A batch is a run of consecutive seqs: one range scan of UNIQUE(kiosk_id, seq)
        # instead of an IN list of one parameter per record (bound, parsed and
        # planned per batch). A sparse batch still gets the IN list.
        span = (Record.seq.between(low, high) if high - low < 2 * len(wanted)
                else Record.seq.in_(wanted))
        stored = {row.seq: row for row in session.execute(
            select(Record).where(Record.kiosk_id == kiosk_id, span)
        ).scalars() if row.seq in wanted}
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

    # Answers in seq order; a new row's answer waits for its kind's result.
    answers: list[RecordResult | tuple[_NewRow, str]] = []
    new_rows: list[_NewRow] = []
    pending: list[_Pending] = []
    # What the next seq must link to, for this batch's new rows (a void names it).
    links: dict[int, str] = {}
    # Seqs of this batch left unstored because they (or a record before them) failed
    # authentication: nothing may be chained past them.
    holes: set[int] = set()
    for record in records:
        taken = stored.get(record.seq)
        if taken is not None:
            answers.append(_resend_answer(taken, record, kiosk))
            continue
        if record.seq - 1 in holes:
            # Checked now it would be a gap, stored rejected for good. Unanswered, it
            # stays pending at the kiosk, which sends it again after its predecessor.
            holes.add(record.seq)
            continue
        # Authentication first: a forged record must not claim the slot, burn its UUID
        # or learn who owns it.
        try:
            nonce, ciphertext = _authenticate(record, kiosk)
        except _Unauthenticated as exc:
            answers.append(RecordResult(seq=record.seq, uuid=record.uuid,
                                        status="rejected", reason=exc.reason))
            holes.add(record.seq)
            continue
        row = _NewRow(kiosk_id=kiosk_id, seq=record.seq, uuid=record.uuid,
                      kind=record.kind, created_at=record.created_at, received_at=now,
                      hash=record.hash, prev_hash=record.prev_hash, nonce=record.nonce,
                      ciphertext=record.ciphertext, signature=record.signature)
        links[record.seq] = record.hash
        owner = owners.get(record.uuid)
        try:
            if owner is not None:
                row.uuid = None  # UNIQUE(uuid) forever: the claimed UUID goes in reason
                raise _Reject(f"replay/conflict: uuid {record.uuid} already stored as "
                              f"kiosk {owner[0]} seq {owner[1]}")
            prev_link: str | None = GENESIS_HASH
            if record.seq > 1:
                prev = stored.get(record.seq - 1)
                if prev is None:
                    prev_link = None
                elif isinstance(prev, _NewRow):
                    prev_link = links[prev.seq]
                else:
                    prev_link = _stored_link(prev, kiosk)
            payload = _check(record, kiosk, nonce, ciphertext, prev_link, acked + 1)
            handler = handler_for(record.kind)
            if handler is not None:  # no handler: stored as accepted, no result
                checked = _payload_check(handler, payload)
                if handler.names_next_link:
                    links[record.seq] = handler.next_link(payload)
                pending.append(_Pending(row, handler, checked))
        except _Reject as exc:
            row.status, row.reason = "rejected", exc.reason
            links[record.seq] = record.hash
        new_rows.append(row)
        stored[record.seq] = row
        if row.uuid is not None:
            owners[row.uuid] = (kiosk_id, record.seq)
        answers.append((row, record.uuid))
        # Keep the ack current so a later gap in this batch names the right missing seq.
        above.add(record.seq)
        while acked + 1 in above:
            acked += 1

    # Every payload is valid by now: checks are counted only for records being stored.
    _compute_results(session, pending, BatchInfo(kiosk_id=kiosk_id, today=today,
                                                 received_at=now))
    if new_rows:
        # A concurrent duplicate fails here: IntegrityError, retried by ingest_batch.
        session.connection().execute(insert(_RECORDS), [vars(row) for row in new_rows])
    if acked != kiosk.acked_through:
        # Core, on the row locked above: the commit then has no ORM flush to plan.
        session.connection().execute(_SET_ACKED, {"k_kiosk": kiosk_id, "k_acked": acked})
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
             r.created_at.replace(tzinfo=UTC)).astimezone(UTC)
        except OverflowError:
            raise BatchError(f"seq {r.seq}: created_at out of range") from None
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
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
