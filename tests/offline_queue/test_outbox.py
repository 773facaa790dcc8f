"""Outbox behaviour on a real SQLite file: sealing, reading back, acknowledgements,
status, confirmation after restart, refusal to open the wrong file, privacy."""
from __future__ import annotations

import json
import logging
import sqlite3
import tempfile
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oq_helpers import KIOSK_ID, FakeClock

from offline_queue.crypto import (
    GENESIS_HASH,
    KioskKeys,
    RecordIntegrityError,
    b64d,
    decrypt_payload,
    record_hash,
    verify_signature,
)
from offline_queue.db import make_engine
from offline_queue.outbox import Outbox, OutboxError, QueueStatus
from offline_queue.wire import RecordResult, SyncAck, SyncBatch

PERSONAL_ID = "11010519491231002X"
PERSONAL_NAME = "张三丰"


def ack(*results: RecordResult, through: int = 0, kiosk_id: str = KIOSK_ID) -> SyncAck:
    return SyncAck(kiosk_id=kiosk_id, acked_through=through, results=list(results))


def test_enqueue_commits_and_reads_back(outbox: Outbox, db_path: Path, keys: KioskKeys,
                                        clock: FakeClock) -> None:
    payload = {"id_number": PERSONAL_ID, "name": PERSONAL_NAME, "amount": 12.5,
               "items": [1, 2, {"x": None}]}
    rec = outbox.enqueue("invoice.verify", payload)
    assert rec.seq == 1 and rec.created_at == clock.now and rec.kind == "invoice.verify"

    # Committed: visible to an independent connection right away (not just this engine).
    # (sqlite3's own `with` only commits: closing() closes the connection.)
    with closing(sqlite3.connect(db_path)) as raw:
        row = raw.execute("SELECT seq, uuid, kind, state, prev_hash, confirmed_on_screen "
                          "FROM outbox").fetchone()
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert row == (1, rec.uuid, "invoice.verify", "pending", GENESIS_HASH, 1)

    view = outbox.get(rec.uuid)
    assert view is not None
    assert view.payload == payload and view.state == "pending" and view.result is None
    assert view.created_at == clock.now
    assert outbox.result_for(rec.uuid) == view
    assert outbox.get("00000000-0000-0000-0000-000000000000") is None

    [wire] = outbox.pending()
    assert (wire.kiosk_id, wire.seq, wire.uuid, wire.kind) == (KIOSK_ID, 1, rec.uuid,
                                                               "invoice.verify")
    # The wire record carries everything the central service needs to check it.
    nonce, ciphertext = b64d(wire.nonce), b64d(wire.ciphertext)
    assert record_hash(KIOSK_ID, 1, rec.uuid, "invoice.verify", wire.created_at,
                       GENESIS_HASH, nonce, ciphertext) == wire.hash
    verify_signature(keys.public_key, wire.hash, b64d(wire.signature))
    assert decrypt_payload(keys.data_key, nonce, ciphertext, KIOSK_ID, 1, rec.uuid) == payload
    assert outbox.verify_chain() == []


def test_engine_pragmas(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "p.sqlite")
    try:
        with engine.connect() as conn:
            pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("synchronous") == 2  # FULL
            assert pragma("busy_timeout") == 5000
            assert pragma("foreign_keys") == 1
        with engine.begin():
            # BEGIN IMMEDIATE took the write lock: another writer cannot start.
            other = sqlite3.connect(tmp_path / "p.sqlite", timeout=0, isolation_level=None)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.close()
    finally:
        engine.dispose()


def test_seq_chain_links(outbox: Outbox) -> None:
    recs = [outbox.enqueue("dispense.record", {"n": i}) for i in range(5)]
    assert [r.seq for r in recs] == [1, 2, 3, 4, 5]
    wires = outbox.pending()
    assert wires[0].prev_hash == GENESIS_HASH
    for before, after in zip(wires, wires[1:]):
        assert after.prev_hash == before.hash
    assert len({r.uuid for r in recs}) == 5
    assert [w.seq for w in outbox.pending(limit=2)] == [1, 2]


def test_ciphertext_bound_to_kiosk_seq_uuid(outbox: Outbox, keys: KioskKeys) -> None:
    rec = outbox.enqueue("invoice.verify", {"number": "12345678"})
    other = outbox.enqueue("invoice.verify", {"number": "87654321"})
    [wire, _] = outbox.pending()
    nonce, ct = b64d(wire.nonce), b64d(wire.ciphertext)
    assert decrypt_payload(keys.data_key, nonce, ct, KIOSK_ID, 1, rec.uuid) == {
        "number": "12345678"}
    for kiosk, seq, uid in [("hall-02", 1, rec.uuid), (KIOSK_ID, 2, rec.uuid),
                            (KIOSK_ID, 1, other.uuid)]:
        with pytest.raises(RecordIntegrityError):
            decrypt_payload(keys.data_key, nonce, ct, kiosk, seq, uid)
    with pytest.raises(RecordIntegrityError):
        decrypt_payload(KioskKeys.generate().data_key, nonce, ct, KIOSK_ID, 1, rec.uuid)


def test_apply_ack_states(outbox: Outbox, clock: FakeClock) -> None:
    r1 = outbox.enqueue("invoice.verify", {"number": "1"})
    r2 = outbox.enqueue("invoice.verify", {"number": "2"})
    r3 = outbox.enqueue("tax.payment", {"amount": -5})
    r4 = outbox.enqueue("invoice.verify", {"number": "4"})
    r5 = outbox.enqueue("invoice.verify", {"number": "5"})
    clock.advance(30)
    outbox.apply_ack(ack(
        RecordResult(seq=1, uuid=r1.uuid, status="accepted", result={"outcome": "genuine"}),
        RecordResult(seq=2, uuid=r2.uuid, status="duplicate", result={"outcome": "void"}),
        RecordResult(seq=3, uuid=r3.uuid, status="rejected",
                     reason="amount must not be negative"),
        RecordResult(seq=4, uuid=r4.uuid, status="accepted"),
        RecordResult(seq=99, uuid=r1.uuid, status="accepted"),  # unknown seq: ignored
        RecordResult(seq=5, uuid=r1.uuid, status="accepted"),  # uuid mismatch: ignored
        through=4))

    v1, v2, v3, v4, v5 = (outbox.get(r.uuid) for r in (r1, r2, r3, r4, r5))
    assert v1 and v1.state == "acked" and v1.result == {"outcome": "genuine"}
    assert v1.acked_at == clock.now
    assert v2 and v2.state == "acked" and v2.result == {"outcome": "void"}
    assert v3 and v3.state == "rejected" and v3.reason == "amount must not be negative"
    assert v3.payload == {"amount": -5}  # parked, not deleted, still readable
    assert v4 and v4.state == "acked" and v4.result is None
    assert v5 and v5.state == "pending"

    # The rejected record does not block: later records are still sent, it is not.
    assert [w.seq for w in outbox.pending()] == [5]
    assert [v.seq for v in outbox.rejected()] == [3]
    st_ = outbox.status()
    assert (st_.pending, st_.acked, st_.rejected) == (1, 3, 1)
    assert st_.last_sync_at == clock.now

    # A later duplicate answer without a result keeps the stored result.
    outbox.apply_ack(ack(RecordResult(seq=1, uuid=r1.uuid, status="duplicate")))
    assert outbox.get(r1.uuid).result == {"outcome": "genuine"}  # type: ignore[union-attr]
    assert outbox.verify_chain() == []  # state changes never touch the sealed columns


def test_apply_ack_for_other_kiosk_refused(outbox: Outbox) -> None:
    rec = outbox.enqueue("invoice.verify", {"number": "1"})
    with pytest.raises(OutboxError, match="hall-99"):
        outbox.apply_ack(ack(RecordResult(seq=1, uuid=rec.uuid, status="accepted"),
                             kiosk_id="hall-99"))
    assert outbox.get(rec.uuid).state == "pending"  # type: ignore[union-attr]


def test_status_json_and_ages(outbox: Outbox, clock: FakeClock) -> None:
    empty = outbox.status()
    assert empty == QueueStatus(0, None, 0, 0, None)
    assert empty.to_json_dict() == {"pending": 0, "oldest_pending_age_s": None,
                                    "acked": 0, "rejected": 0, "last_sync_at": None}

    r1 = outbox.enqueue("invoice.verify", {"n": 1})
    clock.advance(10)
    outbox.enqueue("invoice.verify", {"n": 2})
    clock.advance(90.5)
    doc = outbox.status().to_json_dict()
    assert set(doc) == {"pending", "oldest_pending_age_s", "acked", "rejected", "last_sync_at"}
    assert doc["pending"] == 2 and doc["oldest_pending_age_s"] == pytest.approx(100.5)

    outbox.apply_ack(ack(RecordResult(seq=1, uuid=r1.uuid, status="accepted")))
    doc = outbox.status().to_json_dict()
    assert doc["oldest_pending_age_s"] == pytest.approx(90.5)
    assert doc["acked"] == 1
    assert doc["last_sync_at"] == clock.now.isoformat()
    assert datetime.fromisoformat(doc["last_sync_at"]) == clock.now
    json.dumps(doc)  # serialisable as is


def test_clock_in_other_timezone_is_stored_as_utc(db_path: Path, keys: KioskKeys) -> None:
    beijing = timezone(timedelta(hours=8))
    local = datetime(2025, 3, 1, 16, 0, tzinfo=beijing)
    with Outbox(db_path, KIOSK_ID, keys, clock=lambda: local) as box:
        rec = box.enqueue("invoice.verify", {})
        assert rec.created_at == local and rec.created_at.utcoffset() == timedelta(0)
        assert box.pending()[0].created_at.isoformat() == "2025-03-01T08:00:00+00:00"


def test_unconfirmed_surfaced_after_reopen(db_path: Path, keys: KioskKeys) -> None:
    box = Outbox(db_path, KIOSK_ID, keys)
    shown = box.enqueue("invoice.verify", {"n": 1}, confirm_later=True)
    lost = box.enqueue("invoice.verify", {"n": 2}, confirm_later=True)
    box.enqueue("dispense.record", {"n": 3})  # needs no on-screen confirmation
    box.mark_confirmed(shown.uuid)
    with pytest.raises(OutboxError):
        box.mark_confirmed("not-a-uuid")
    box.close()  # "power loss" before the second success screen

    box = Outbox(db_path, KIOSK_ID, keys)
    try:
        assert [(r.seq, r.uuid, r.kind) for r in box.unconfirmed()] == [
            (2, lost.uuid, "invoice.verify")]
        assert box.unconfirmed()[0].created_at == lost.created_at
        box.mark_confirmed(lost.uuid)
        assert box.unconfirmed() == []
        assert box.enqueue("invoice.verify", {}).seq == 4  # the sequence continues
    finally:
        box.close()


def test_refuses_other_kiosks_database(db_path: Path, keys: KioskKeys) -> None:
    Outbox(db_path, KIOSK_ID, keys).close()
    with pytest.raises(OutboxError, match="belongs to kiosk 'hall-01.t3', not 'hall-02'"):
        Outbox(db_path, "hall-02", keys)


def test_refuses_other_keys(db_path: Path, keys: KioskKeys) -> None:
    Outbox(db_path, KIOSK_ID, keys).close()
    with pytest.raises(OutboxError, match="another key pair"):
        Outbox(db_path, KIOSK_ID, KioskKeys.generate())


def test_refuses_bad_kiosk_id(db_path: Path, keys: KioskKeys) -> None:
    for bad in ["", "a|b", "x" * 65, "hall 1"]:
        with pytest.raises(OutboxError):
            Outbox(db_path, bad, keys)


def test_refuses_file_that_is_not_a_database(db_path: Path, keys: KioskKeys) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not sqlite" * 500)
    with pytest.raises(OutboxError, match="cannot open queue database"):
        Outbox(db_path, KIOSK_ID, keys)


def test_refuses_damaged_database(db_path: Path, keys: KioskKeys) -> None:
    box = Outbox(db_path, KIOSK_ID, keys)
    for i in range(300):
        box.enqueue("dispense.record", {"i": i, "pad": "x" * 200})
    box.close()  # last connection closed: WAL checkpointed into the main file
    data = bytearray(db_path.read_bytes())
    page = 4096
    assert len(data) > 8 * page
    for offset in range(3 * page, 6 * page, 7):  # scribble over b-tree pages
        data[offset] = 0xA5
    db_path.write_bytes(bytes(data))
    with pytest.raises(OutboxError, match="integrity check|cannot open"):
        Outbox(db_path, KIOSK_ID, keys)


def test_rejects_bad_arguments_without_writing(outbox: Outbox) -> None:
    with pytest.raises(OutboxError):
        outbox.enqueue("", {})
    with pytest.raises(OutboxError):
        outbox.enqueue("k" * 65, {})
    with pytest.raises(OutboxError):
        outbox.enqueue("invoice\nverify", {})
    with pytest.raises(OutboxError):
        outbox.enqueue("invoice.verify", ["not", "a", "dict"])  # type: ignore[arg-type]
    with pytest.raises(OutboxError, match="too large") as info:
        outbox.enqueue("invoice.verify", {"blob": PERSONAL_ID * 5000})
    assert PERSONAL_ID not in str(info.value)
    assert outbox.status().pending == 0
    assert outbox.enqueue("invoice.verify", {}).seq == 1  # nothing half-written


def test_personal_data_never_leaves_in_clear(outbox: Outbox, db_path: Path,
                                             caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    payload = {"id_number": PERSONAL_ID, "name": PERSONAL_NAME}
    rec = outbox.enqueue("invoice.verify", payload, confirm_later=True)
    outbox.apply_ack(ack(RecordResult(seq=1, uuid=rec.uuid, status="rejected",
                                      reason="no such invoice")))
    view = outbox.get(rec.uuid)
    assert view is not None and view.payload == payload
    text = repr(view) + repr(outbox.rejected()) + repr(outbox.unconfirmed()) + repr(outbox)
    text += repr(outbox.status()) + repr(outbox.pending()) + caplog.text
    text += repr(SyncBatch(kiosk_id=KIOSK_ID, records=outbox.pending()))
    for secret in (PERSONAL_ID, PERSONAL_NAME):
        assert secret not in text
    raw = b"".join(p.read_bytes() for p in db_path.parent.iterdir() if p.is_file())
    for secret in (PERSONAL_ID, PERSONAL_NAME):
        assert secret.encode() not in raw
        assert json.dumps(secret).encode() not in raw


_json_leaf = (st.none() | st.booleans() | st.integers(-2**53, 2**53)
              | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30))
_json = st.recursive(_json_leaf, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=st.dictionaries(st.text(max_size=12), _json, max_size=6),
       kind=st.from_regex(r"\A[A-Za-z0-9._-]{1,64}\Z"))
def test_any_json_payload_round_trips(payload: dict[str, Any], kind: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        keys = KioskKeys.generate()
        with Outbox(Path(tmp) / "q.sqlite", KIOSK_ID, keys) as box:
            rec = box.enqueue(kind, payload)
            view = box.get(rec.uuid)
            assert view is not None and view.payload == payload and view.kind == kind
            [wire] = box.pending()
            assert wire.kind == kind
            assert box.verify_chain() == []
