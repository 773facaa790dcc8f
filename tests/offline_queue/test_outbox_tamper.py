"""verify_chain against records edited behind the outbox's back (plain sqlite3 on the
file, as an attacker or a disk fault would), and what the central service makes of a
tampered record."""
from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from oq_helpers import FakeCentral

from offline_queue.crypto import KioskKeys, encrypt_payload, record_hash
from offline_queue.outbox import Outbox
from offline_queue.sync_worker import SyncWorker


@pytest.fixture
def filled(outbox: Outbox) -> Outbox:
    for i in range(6):
        outbox.enqueue("invoice.verify", {"number": f"0440{i}", "buyer": "某公司"})
    assert outbox.verify_chain() == []
    return outbox


def edit(db_path: Path, *statements: tuple[str, tuple[object, ...]]) -> None:
    with sqlite3.connect(db_path) as raw:
        for sql, params in statements:
            raw.execute(sql, params)


def test_edited_ciphertext_detected(filled: Outbox, db_path: Path) -> None:
    with sqlite3.connect(db_path) as raw:
        (ct,) = raw.execute("SELECT ciphertext FROM outbox WHERE seq = 3").fetchone()
    flipped = bytes([ct[0] ^ 0x01]) + ct[1:]
    edit(db_path, ("UPDATE outbox SET ciphertext = ? WHERE seq = 3", (flipped,)))
    problems = filled.verify_chain()
    assert "seq 3: hash does not match the record's content" in problems
    assert "seq 3: payload does not decrypt in its place" in problems
    assert all(p.startswith("seq 3") for p in problems)
    view = filled.get(filled.pending()[2].uuid)
    assert view is not None and view.payload is None  # still listable, payload withheld


def test_deleted_row_detected(filled: Outbox, db_path: Path) -> None:
    edit(db_path, ("DELETE FROM outbox WHERE seq = 3", ()))
    problems = filled.verify_chain()
    assert "seq 3 missing before seq 4" in problems
    assert "seq 4: prev_hash does not link to the previous record" in problems
    assert len(problems) == 2


def test_several_deleted_rows_detected(filled: Outbox, db_path: Path) -> None:
    edit(db_path, ("DELETE FROM outbox WHERE seq IN (2, 3, 4)", ()))
    assert "seqs 2-4 missing before seq 5" in filled.verify_chain()


def test_deleted_tail_detected_once_central_has_acked_it(
        filled: Outbox, db_path: Path, central: FakeCentral, tmp_path: Path) -> None:
    """The chain has no anchor after its last record; the central service's cumulative
    acknowledgement is one: rows it has stored must still be here."""
    SyncWorker(filled, central, tmp_path / "sync.lock").sync_once()
    edit(db_path, ("DELETE FROM outbox WHERE seq >= 5", ()))
    assert filled.verify_chain() == [
        "records after seq 4 missing: the central service has stored through seq 6"]


def test_swapped_order_detected(filled: Outbox, db_path: Path) -> None:
    edit(db_path,
         ("UPDATE outbox SET seq = 1000 WHERE seq = 2", ()),
         ("UPDATE outbox SET seq = 2 WHERE seq = 3", ()),
         ("UPDATE outbox SET seq = 3 WHERE seq = 1000", ()))
    problems = filled.verify_chain()
    for seq in (2, 3):
        assert f"seq {seq}: hash does not match the record's content" in problems
        assert f"seq {seq}: payload does not decrypt in its place" in problems
    assert "seq 2: prev_hash does not link to the previous record" in problems
    assert "seq 4: prev_hash does not link to the previous record" in problems


def test_rehashed_forgery_fails_signature(filled: Outbox, db_path: Path,
                                          keys: KioskKeys) -> None:
    """An attacker with the data key but not the signing key re-encrypts and re-hashes a
    record: hash and decryption check out, the signature does not."""
    with sqlite3.connect(db_path) as raw:
        uuid, kind, created_at, prev_hash = raw.execute(
            "SELECT uuid, kind, created_at, prev_hash FROM outbox WHERE seq = 6").fetchone()
    nonce, ct = encrypt_payload(keys.data_key, {"number": "forged"}, "hall-01.t3", 6, uuid)
    digest = record_hash("hall-01.t3", 6, uuid, kind, datetime.fromisoformat(created_at),
                         prev_hash, nonce, ct)
    edit(db_path, ("UPDATE outbox SET nonce = ?, ciphertext = ?, hash = ? WHERE seq = 6",
                   (nonce, ct, digest)))
    assert filled.verify_chain() == ["seq 6: signature is not valid"]


def test_tampered_record_is_rejected_and_parked_not_blocking(
        filled: Outbox, db_path: Path, central: FakeCentral, tmp_path: Path) -> None:
    with sqlite3.connect(db_path) as raw:
        (ct,) = raw.execute("SELECT ciphertext FROM outbox WHERE seq = 2").fetchone()
    edit(db_path, ("UPDATE outbox SET ciphertext = ? WHERE seq = 2",
                   (bytes([ct[0] ^ 0xFF]) + ct[1:],)))
    report = SyncWorker(filled, central, tmp_path / "sync.lock").sync_once()
    assert report.error is None and report.remaining == 0
    assert (report.sent, report.accepted, report.rejected) == (6, 5, 1)
    [parked] = filled.rejected()
    assert parked.seq == 2 and parked.reason == "hash does not match"
    assert central.stored_seqs() == [1, 2, 3, 4, 5, 6]
