"""Test helpers for offline_queue: an injectable clock and a small in-process central
store with the real dedupe and verification semantics (the lead's integration tests
use the real central service over HTTP). Named uniquely because test folders have no
__init__.py."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from offline_queue.crypto import (
    GENESIS_HASH,
    KioskKeys,
    RecordIntegrityError,
    b64d,
    decrypt_payload,
    record_hash,
    verify_signature,
)
from offline_queue.wire import RecordResult, SyncAck, SyncBatch, WireRecord

KIOSK_ID = "hall-01.t3"


class FakeClock:
    """A settable UTC clock, so ages and timestamps are exact without sleeping."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2025, 3, 1, 8, 30, 0, 123456, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Stored:
    seq: int
    uuid: str
    hash: str
    status: str  # accepted | rejected (parked)
    reason: str | None
    result: dict[str, Any] | None
    link: str = ""  # what the next seq links to: the hash, or an accepted void's next_hash


@dataclass
class FakeCentral:
    """Stores before it answers; (kiosk_id, seq) and uuid unique forever; verifies the
    signature, hash, chain link and decryption of every record like the real ingest.
    Like it, a record failing its hash or signature is answered "signature: ..." and
    not stored, records after it in the batch get no answer, and a "void" tombstone
    names the hash the next seq links to.

    Faults: ``fail_before_store`` calls raise before anything is stored (unreachable);
    ``fail_after_store`` calls store and then raise (the answer is lost: the kiosk
    cannot know, and must resend).
    """

    keys: dict[str, KioskKeys] = field(default_factory=dict)
    records: dict[tuple[str, int], Stored] = field(default_factory=dict)
    by_uuid: dict[str, Stored] = field(default_factory=dict)
    stored_count: dict[str, int] = field(default_factory=dict)  # uuid -> times stored
    calls: int = 0
    fail_before_store: int = 0
    fail_after_store: int = 0
    exc_factory: Callable[[], Exception] = lambda: ConnectionError("connection refused")
    lock: threading.Lock = field(default_factory=threading.Lock)

    def register(self, kiosk_id: str, keys: KioskKeys) -> None:
        self.keys[kiosk_id] = keys

    def __call__(self, batch: SyncBatch) -> SyncAck:
        with self.lock:
            self.calls += 1
            if self.fail_before_store > 0:
                self.fail_before_store -= 1
                raise self.exc_factory()
            # Travel through JSON as over HTTP: exercises the timestamp/hash round trip.
            batch = SyncBatch.model_validate_json(batch.model_dump_json())
            results = []
            holes: set[int] = set()
            for rec in sorted(batch.records, key=lambda r: r.seq):
                slot = (batch.kiosk_id, rec.seq)
                if rec.seq - 1 in holes and slot not in self.records:
                    holes.add(rec.seq)
                    continue
                results.append(self._ingest(batch.kiosk_id, rec))
                if slot not in self.records and (results[-1].reason or "").startswith(
                        "signature"):
                    holes.add(rec.seq)
            ack = SyncAck(kiosk_id=batch.kiosk_id,
                          acked_through=self._acked_through(batch.kiosk_id),
                          results=results)
            if self.fail_after_store > 0:
                self.fail_after_store -= 1
                raise TimeoutError("read timed out")
            return SyncAck.model_validate_json(ack.model_dump_json())

    def _acked_through(self, kiosk_id: str) -> int:
        seq = 0
        while (kiosk_id, seq + 1) in self.records:
            seq += 1
        return seq

    def _ingest(self, kiosk_id: str, rec: WireRecord) -> RecordResult:
        known = self.by_uuid.get(rec.uuid) or self.records.get((kiosk_id, rec.seq))
        if known is not None:
            if known.uuid == rec.uuid and known.seq == rec.seq and known.hash == rec.hash:
                status = "duplicate" if known.status == "accepted" else "rejected"
                return RecordResult(seq=rec.seq, uuid=rec.uuid, status=status,
                                    reason=known.reason, result=known.result)
            return RecordResult(seq=rec.seq, uuid=rec.uuid, status="rejected",
                                reason="conflicts with a stored record")
        try:
            self._authenticate(kiosk_id, rec)
        except (RecordIntegrityError, ValueError) as exc:  # not stored: claims nothing
            return RecordResult(seq=rec.seq, uuid=rec.uuid, status="rejected",
                                reason=f"signature: {exc}")
        status, reason, result, link = "accepted", None, None, rec.hash
        try:
            payload = self._check(kiosk_id, rec)
            status, reason, result = self._business(rec.kind, payload)
            if rec.kind == "void" and status == "accepted":
                link = str(payload["next_hash"])
        except RecordIntegrityError as exc:
            status, reason = "rejected", str(exc)
        stored = Stored(rec.seq, rec.uuid, rec.hash, status, reason, result, link)
        self.records[(kiosk_id, rec.seq)] = stored
        self.by_uuid[rec.uuid] = stored
        self.stored_count[rec.uuid] = self.stored_count.get(rec.uuid, 0) + 1
        return RecordResult(seq=rec.seq, uuid=rec.uuid, status=status, reason=reason,
                            result=result)

    def _authenticate(self, kiosk_id: str, rec: WireRecord) -> None:
        keys = self.keys.get(kiosk_id)
        if keys is None:
            raise RecordIntegrityError("unknown kiosk")
        if record_hash(kiosk_id, rec.seq, rec.uuid, rec.kind, rec.created_at,
                       rec.prev_hash, b64d(rec.nonce), b64d(rec.ciphertext)) != rec.hash:
            raise RecordIntegrityError("hash does not match")
        verify_signature(keys.public_key, rec.hash, b64d(rec.signature))

    def _check(self, kiosk_id: str, rec: WireRecord) -> dict[str, Any]:
        keys = self.keys[kiosk_id]
        nonce, ciphertext = b64d(rec.nonce), b64d(rec.ciphertext)
        previous = self.records.get((kiosk_id, rec.seq - 1))
        expected_prev = GENESIS_HASH if rec.seq == 1 else (previous.link if previous else None)
        if expected_prev is None:
            raise RecordIntegrityError("previous record missing (out of order)")
        if rec.prev_hash != expected_prev:
            raise RecordIntegrityError("chain broken")
        return decrypt_payload(keys.data_key, nonce, ciphertext, kiosk_id, rec.seq, rec.uuid)

    @staticmethod
    def _business(kind: str, payload: dict[str, Any]
                  ) -> tuple[str, str | None, dict[str, Any] | None]:
        if kind == "invoice.verify":
            outcome = "not_found" if str(payload.get("number", "")).endswith("9") else "genuine"
            return "accepted", None, {"outcome": outcome}
        if kind == "tax.payment":
            if payload.get("amount", 0) < 0:
                return "rejected", "amount must not be negative", None
            return "accepted", None, {"receipt": f"R{payload.get('amount')}"}
        if kind in ("dispense.record", "void"):
            return "accepted", None, None
        return "rejected", f"unknown kind {kind}", None

    def stored_seqs(self, kiosk_id: str = KIOSK_ID) -> list[int]:
        return sorted(seq for (kid, seq) in self.records if kid == kiosk_id)
