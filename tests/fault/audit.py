"""The one audit every fault run ends with.

Given what the kiosk acknowledged (the (seq, uuid) pairs its processes printed after
commit returned) and what the central service stored, it checks that

- every acknowledged record is stored exactly once, accepted, under its own seq and UUID
  (or, where a test tampered with it on purpose, stored as rejected with a reason, or
  replaced by the kiosk's signed "void" tombstone naming it);
- no "void" is accepted where no record was damaged on purpose;
- no seq and no UUID is stored twice;
- accepted records arrived in kiosk seq order (central row ids grow with seq);
- each accepted record's hash, Ed25519 signature, chain link (through a void: the hash
  its payload names) and AES-GCM payload verify with offline_queue.crypto, re-computed
  from the central database rows;
- the audit endpoint lists the same records as the database;
- the kiosk database passes ``PRAGMA integrity_check`` and still holds every
  acknowledged record under the same hash.

It reports instead of asserting, so that the negative controls can show it failing.
"""
from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping

import httpx
from sqlalchemy import create_engine, text

from offline_queue.crypto import (
    GENESIS_HASH,
    RecordIntegrityError,
    b64d,
    decrypt_payload,
    record_hash,
    verify_signature,
)

MAX_LISTED = 20  # problems listed per kind; the counts are always complete


@dataclass(frozen=True)
class StoredRow:
    """One row of the central service's record table, as stored."""

    id: int
    seq: int
    uuid: str | None
    kind: str
    created_at: datetime
    prev_hash: str
    hash: str
    nonce: str
    ciphertext: str
    signature: str
    status: str
    reason: str | None


def _utc(value: Any) -> datetime:
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed


def central_rows(db_url: str, kiosk_id: str, table: str = "records") -> list[StoredRow]:
    """Every stored row of ``kiosk_id`` in arrival order (row id), straight from the
    central database (the audit endpoint carries no hashes or signatures)."""
    if not table.isidentifier():
        raise ValueError("table must be a plain identifier")
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                f"SELECT id, seq, uuid, kind, created_at, prev_hash, hash, nonce, "
                f"ciphertext, signature, status, reason FROM {table} "
                f"WHERE kiosk_id = :k ORDER BY id"), {"k": kiosk_id}).all()
    finally:
        engine.dispose()
    return [StoredRow(id=r.id, seq=int(r.seq), uuid=r.uuid, kind=r.kind,
                      created_at=_utc(r.created_at), prev_hash=r.prev_hash, hash=r.hash,
                      nonce=r.nonce, ciphertext=r.ciphertext, signature=r.signature,
                      status=r.status, reason=r.reason) for r in rows]


def endpoint_rows(base_url: str, admin_token: str, kiosk_id: str,
                  max_pages: int = 1000) -> list[tuple[int, str | None, str]]:
    """(seq, uuid, status) from GET /v1/audit/kiosks/{id}/records, all pages."""
    out: list[tuple[int, str | None, str]] = []
    after = 0
    with httpx.Client(base_url=base_url, timeout=30.0,
                      headers={"Authorization": f"Bearer {admin_token}"}) as http:
        for _ in range(max_pages):
            response = http.get(f"/v1/audit/kiosks/{kiosk_id}/records",
                                params={"after_seq": after, "limit": 10_000})
            response.raise_for_status()
            page = response.json()
            if not page:
                return out
            out.extend((item["seq"], item["uuid"], item["status"]) for item in page)
            after = page[-1]["seq"]
    raise RuntimeError("audit endpoint paging did not end")


@dataclass
class AuditReport:
    acknowledged: int = 0
    stored: int = 0
    accepted: int = 0
    lost: list[tuple[int, str]] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    out_of_order: list[str] = field(default_factory=list)
    bad_records: list[str] = field(default_factory=list)
    kiosk_problems: list[str] = field(default_factory=list)
    endpoint_mismatch: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.out_of_order or self.bad_records
                    or self.kiosk_problems or self.endpoint_mismatch)

    def summary(self) -> str:
        def part(name: str, items: list[Any]) -> str:
            shown = ", ".join(str(i) for i in items[:MAX_LISTED])
            more = f" (+{len(items) - MAX_LISTED} more)" if len(items) > MAX_LISTED else ""
            return f"\n  {name} ({len(items)}): {shown}{more}"

        head = (f"audit {'OK' if self.ok else 'FAILED'}: {self.acknowledged} acknowledged, "
                f"{self.stored} stored, {self.accepted} accepted")
        return head + "".join(part(n, v) for n, v in (
            ("lost", self.lost), ("duplicated", self.duplicated),
            ("out of order", self.out_of_order), ("bad records", self.bad_records),
            ("kiosk", self.kiosk_problems), ("endpoint", self.endpoint_mismatch)) if v)


def _void_payload(row: StoredRow, kiosk_id: str, data_key: bytes) -> dict[str, Any] | None:
    """The payload of a stored void ({"reason", "voided_uuid", "next_hash"}), or None."""
    if row.kind != "void" or row.uuid is None:
        return None
    try:
        return decrypt_payload(data_key, b64d(row.nonce), b64d(row.ciphertext), kiosk_id,
                               row.seq, row.uuid)
    except (RecordIntegrityError, ValueError):
        return None


def _verify_row(row: StoredRow, kiosk_id: str, public_key: bytes, data_key: bytes,
                prev_hash: str | None) -> list[str]:
    problems = []
    where = f"seq {row.seq}"
    if row.uuid is None:
        return [f"{where}: accepted without a UUID"]
    try:
        nonce, ciphertext, signature = b64d(row.nonce), b64d(row.ciphertext), b64d(row.signature)
    except ValueError:
        return [f"{where}: stored fields are not base64"]
    if record_hash(kiosk_id, row.seq, row.uuid, row.kind, row.created_at, row.prev_hash,
                   nonce, ciphertext) != row.hash:
        problems.append(f"{where}: hash does not match the stored record")
    try:
        verify_signature(public_key, row.hash, signature)
    except (RecordIntegrityError, ValueError):
        problems.append(f"{where}: signature invalid")
    if prev_hash is None:
        problems.append(f"{where}: accepted although seq {row.seq - 1} is not stored")
    elif row.prev_hash != prev_hash:
        problems.append(f"{where}: chain broken (prev_hash is not the hash of seq {row.seq - 1})")
    try:
        decrypt_payload(data_key, nonce, ciphertext, kiosk_id, row.seq, row.uuid)
    except (RecordIntegrityError, ValueError):
        problems.append(f"{where}: payload does not decrypt in its place")
    return problems


def _kiosk_check(kiosk_db: Path, acked: Mapping[str, int],
                 central_hash: Mapping[int, str]) -> list[str]:
    problems: list[str] = []
    raw = sqlite3.connect(f"file:{kiosk_db}?mode=ro", uri=True)
    try:
        result = [r[0] for r in raw.execute("PRAGMA integrity_check").fetchall()]
        if result != ["ok"]:
            problems.append(f"integrity_check: {result[:5]}")
        local = {uuid: (seq, hash_) for seq, uuid, hash_ in
                 raw.execute("SELECT seq, uuid, hash FROM outbox")}
    finally:
        raw.close()
    for uuid, seq in acked.items():
        found = local.get(uuid)
        if found is None or found[0] != seq:
            problems.append(f"acknowledged seq {seq} ({uuid}) is not in the kiosk database")
        elif seq in central_hash and central_hash[seq] != found[1]:
            problems.append(f"seq {seq}: the kiosk and the central service hold different hashes")
    return problems[:MAX_LISTED * 5]


def audit(*, acknowledged: Iterable[tuple[int, str]], rows: list[StoredRow], kiosk_id: str,
          public_key: bytes, data_key: bytes, kiosk_db: Path | None = None,
          expect_rejected: Iterable[int] = (), expect_void: Iterable[int] = (),
          endpoint: list[tuple[int, str | None, str]] | None = None) -> AuditReport:
    """Check the central rows against what the kiosk acknowledged; see the module doc.

    ``expect_rejected``: seqs a test tampered with, which must be stored as rejected
    with a reason (or not at all), never accepted. ``expect_void``: seqs a test
    damaged in the kiosk's file, whose record must never be stored and whose slot must
    hold an accepted void naming it.
    """
    report = AuditReport(stored=len(rows))
    expect_rejected = set(expect_rejected)
    expect_void = set(expect_void)
    voids = {r.seq: (r, _void_payload(r, kiosk_id, data_key)) for r in rows
             if r.status == "accepted" and r.kind == "void"}

    # What the kiosk acknowledged: a UUID is a printed reference, acknowledged once.
    acked: dict[str, int] = {}
    for seq, uuid in acknowledged:
        if acked.setdefault(uuid, seq) != seq:
            report.duplicated.append(f"uuid {uuid} acknowledged as seq {acked[uuid]} and {seq}")
    report.acknowledged = len(acked)

    # Nothing stored twice.
    for seq, n in Counter(r.seq for r in rows).items():
        if n > 1:
            report.duplicated.append(f"seq {seq} stored {n} times")
    for uuid, n in Counter(r.uuid for r in rows if r.uuid is not None).items():
        if n > 1:
            report.duplicated.append(f"uuid {uuid} stored {n} times")

    accepted = [r for r in rows if r.status == "accepted"]
    report.accepted = len(accepted)
    by_uuid: dict[str, list[StoredRow]] = {}
    for r in rows:
        if r.uuid is not None:
            by_uuid.setdefault(r.uuid, []).append(r)

    # Every acknowledged record exactly once, accepted, in its own slot.
    for uuid, seq in sorted(acked.items(), key=lambda item: item[1]):
        mine = by_uuid.get(uuid, [])
        if seq in expect_void:
            void = voids.get(seq)
            if mine:
                report.bad_records.append(f"seq {seq}: damaged record stored")
            elif void is None or (void[1] or {}).get("voided_uuid") not in acked:
                # (It names the record the kiosk held there: after a reorder, another.)
                report.bad_records.append(f"seq {seq}: damaged record not voided")
            continue
        if seq in expect_rejected:
            if any(r.status == "accepted" for r in mine):
                report.bad_records.append(f"seq {seq}: tampered record accepted")
            elif any(not r.reason for r in mine):
                report.bad_records.append(f"seq {seq}: rejected without a reason")
            continue
        good = [r for r in mine if r.status == "accepted" and r.seq == seq]
        if not good:
            report.lost.append((seq, uuid))
    for r in rows:
        if r.status == "rejected" and not r.reason:
            report.bad_records.append(f"seq {r.seq}: rejected without a reason")
        if r.status == "accepted" and r.seq in expect_rejected:
            report.bad_records.append(f"seq {r.seq}: tampered slot has an accepted record")
        if r.status == "accepted" and r.kind == "void" and r.seq not in expect_void:
            report.bad_records.append(f"seq {r.seq}: voided, but nothing was damaged")

    # Arrival order follows kiosk seq order.
    last_seq = 0
    for r in accepted:  # rows come in row-id (arrival) order
        if r.seq <= last_seq:
            report.out_of_order.append(f"seq {r.seq} stored after seq {last_seq}")
        last_seq = max(last_seq, r.seq)

    # Hash, signature, chain and payload of every accepted record, from the stored rows.
    hash_of = {r.seq: r.hash for r in rows}
    link_of = dict(hash_of)  # what the next seq links to: a void names it
    for seq, (_, payload) in voids.items():
        if payload is None or not isinstance(payload.get("next_hash"), str):
            report.bad_records.append(f"seq {seq}: void without a readable next_hash")
        else:
            link_of[seq] = payload["next_hash"]
    for r in accepted:
        prev = GENESIS_HASH if r.seq == 1 else link_of.get(r.seq - 1)
        report.bad_records.extend(_verify_row(r, kiosk_id, public_key, data_key, prev))

    if endpoint is not None:
        from_db = sorted((r.seq, r.uuid, r.status) for r in rows)
        if sorted(endpoint) != from_db:
            listed, stored = set(endpoint), set(from_db)
            report.endpoint_mismatch.extend(
                [f"listed, not stored: {x}" for x in sorted(listed - stored)[:MAX_LISTED]]
                + [f"stored, not listed: {x}" for x in sorted(stored - listed)[:MAX_LISTED]]
                or ["same records, different multiplicity"])

    if kiosk_db is not None:
        # A voided seq holds the void at the central service, the parked record here.
        report.kiosk_problems.extend(_kiosk_check(
            kiosk_db, acked, {s: h for s, h in hash_of.items() if s not in voids}))
    return report
