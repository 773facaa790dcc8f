"""verify_chain against records edited behind the outbox's back (plain sqlite3 on the
file, as an attacker or a disk fault would), and what the central service makes of a
tampered record."""
from __future__ import annotations

import sqlite3
from contextlib import closing
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
    with closing(sqlite3.connect(db_path)) as raw, raw:
        for sql, params in statements:
            raw.execute(sql, params)


def test_edited_ciphertext_detected(filled: Outbox, db_path: Path) -> None:
    with closing(sqlite3.connect(db_path)) as raw, raw:
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
    with closing(sqlite3.connect(db_path)) as raw, raw:
        uuid, kind, created_at, prev_hash = raw.execute(
            "SELECT uuid, kind, created_at, prev_hash FROM outbox WHERE seq = 6").fetchone()
    nonce, ct = encrypt_payload(keys.data_key, {"number": "forged"}, "hall-01.t3", 6, uuid)
    digest = record_hash("hall-01.t3", 6, uuid, kind, datetime.fromisoformat(created_at),
                         prev_hash, nonce, ct)
    edit(db_path, ("UPDATE outbox SET nonce = ?, ciphertext = ?, hash = ? WHERE seq = 6",
                   (nonce, ct, digest)))
    assert filled.verify_chain() == ["seq 6: signature is not valid"]


def test_tampered_record_is_parked_and_voided_not_blocking(
        filled: Outbox, db_path: Path, central: FakeCentral, tmp_path: Path) -> None:
    """The central refuses seq 2's signature and leaves 3-6 unanswered; the kiosk finds
    its own copy damaged, parks it and sends a signed void for seq 2 in its place."""
    with closing(sqlite3.connect(db_path)) as raw, raw:
        (ct,) = raw.execute("SELECT ciphertext FROM outbox WHERE seq = 2").fetchone()
    edit(db_path, ("UPDATE outbox SET ciphertext = ? WHERE seq = 2",
                   (bytes([ct[0] ^ 0xFF]) + ct[1:],)))
    report = SyncWorker(filled, central, tmp_path / "sync.lock").sync_once()
    assert report.error is None and report.remaining == 0
    # 6 sent, then the void and 3-6 again; the void counts as accepted.
    assert (report.sent, report.accepted, report.rejected, report.voided) == (11, 6, 1, 1)
    [parked] = filled.rejected()
    assert parked.seq == 2 and parked.state == "rejected"
    assert parked.reason is not None and parked.reason.startswith(
        "damaged locally: seq 2: hash does not match the record's content")
    assert central.stored_seqs() == [1, 2, 3, 4, 5, 6]
    void = central.records[(filled.kiosk_id, 2)]
    assert void.status == "accepted" and void.uuid != parked.uuid
    assert parked.uuid not in central.by_uuid
    assert filled.pending() == [] and filled.pending_count() == 0
    # The chain goes on after the void.
    filled.enqueue("invoice.verify", {"number": "04407"})
    assert SyncWorker(filled, central, tmp_path / "sync.lock").sync_once().accepted == 1


def test_refused_signature_on_an_intact_copy_keeps_it_pending(
        filled: Outbox, central: FakeCentral, tmp_path: Path) -> None:
    """The central holds another key for this kiosk: every record is refused, none is
    damaged here, so nothing is parked or voided and the pass stops at once."""
    central.register(filled.kiosk_id, KioskKeys.generate())
    report = SyncWorker(filled, central, tmp_path / "sync.lock").sync_once()
    assert report.error is not None and report.error.startswith(
        "central refused the signature of seq 1")
    assert central.calls == 1 and central.stored_seqs() == []
    assert (report.rejected, report.voided, report.remaining) == (0, 0, 6)
    assert filled.rejected() == [] and filled.pending_count() == 6
    view = filled.get(filled.pending()[0].uuid)
    assert view is not None and view.reason is not None and "intact" in view.reason
