"""Records edited, forged, deleted, reordered, replayed or rolled back on disk (plain
sqlite3 on the kiosk's file between two kiosk runs). Each time the kiosk's
verify_chain and/or the real central service says so, with a reason, and the audit
sees exactly the damage: nothing tampered is ever accepted silently.

A record that fails its hash or signature is refused by the central service without
being stored; the kiosk re-checks it, finds its own copy damaged, parks it ("damaged
locally: ...") and sends a signed void tombstone for its seq, so the records after it
still land."""
from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest
from audit import central_rows
from fault_helpers import KIOSK_ID, FaultEnv, record_result

from offline_queue.crypto import encrypt_payload, record_hash
from offline_queue.outbox import Outbox

pytestmark = pytest.mark.fault


def edit(db: Path, *statements: tuple[str, tuple[object, ...]]) -> None:
    with closing(sqlite3.connect(db)) as raw, raw:
        for sql, params in statements:
            raw.execute(sql, params)


def row(db: Path, seq: int, columns: str) -> tuple[object, ...]:
    with closing(sqlite3.connect(db)) as raw, raw:
        found = raw.execute(f"SELECT {columns} FROM outbox WHERE seq = ?", (seq,)).fetchone()
    assert found is not None
    return tuple(found)


def chain_problems(env: FaultEnv) -> list[str]:
    with Outbox(env.kiosk_db, KIOSK_ID, env.keys) as box:
        return box.verify_chain()


def parked(env: FaultEnv) -> dict[int, str | None]:
    with Outbox(env.kiosk_db, KIOSK_ID, env.keys) as box:
        return {view.seq: view.reason for view in box.rejected()}


def central_status(env: FaultEnv) -> dict[int, tuple[str, str | None]]:
    return {r.seq: (r.status, r.reason) for r in central_rows(env.central_db, KIOSK_ID)}


def sync(env: FaultEnv) -> list[str]:
    """One kiosk run that syncs (straight to the central service); its report."""
    (report,) = env.run_to_end("sync", central=env.central_url, timeout=10).reports
    return report


@pytest.fixture
def ten(env: FaultEnv) -> FaultEnv:
    """Ten records committed by a kiosk run, none synced yet."""
    env.run_to_end("enqueue", count=10)
    assert chain_problems(env) == []
    return env


def central_kinds(env: FaultEnv) -> dict[int, str]:
    return {r.seq: r.kind for r in central_rows(env.central_db, KIOSK_ID)}


def test_edited_pending_record_is_parked_and_voided(ten: FaultEnv) -> None:
    (ct,) = row(ten.kiosk_db, 6, "ciphertext")
    assert isinstance(ct, bytes)
    edit(ten.kiosk_db, ("UPDATE outbox SET ciphertext = ? WHERE seq = 6",
                        (bytes([ct[0] ^ 0x01]) + ct[1:],)))
    assert "seq 6: hash does not match the record's content" in chain_problems(ten)
    # 10 sent (6 refused, 7-10 unanswered), then the void and 7-10: not blocking.
    assert sync(ten)[:5] == ["15", "10", "0", "1", "0"]
    status = central_status(ten)
    assert [status[s][0] for s in range(1, 11)] == ["accepted"] * 10
    assert central_kinds(ten)[6] == "void"
    [(seq, reason)] = parked(ten).items()
    assert seq == 6 and str(reason).startswith(
        "damaged locally: seq 6: hash does not match the record's content")
    report = ten.audit(expect_void={6})
    record_result("tamper-edit", cycles=0, report=report)
    assert report.ok, report.summary()


def test_forged_record_fails_its_signature(ten: FaultEnv) -> None:
    """An attacker with the data key but not the signing key re-encrypts and re-hashes."""
    uuid, kind, created_at, prev_hash = row(ten.kiosk_db, 6, "uuid, kind, created_at, prev_hash")
    nonce, ct = encrypt_payload(ten.keys.data_key, {"forged": True}, KIOSK_ID, 6, str(uuid))
    digest = record_hash(KIOSK_ID, 6, str(uuid), str(kind),
                         datetime.fromisoformat(str(created_at)), str(prev_hash), nonce, ct)
    edit(ten.kiosk_db, ("UPDATE outbox SET nonce = ?, ciphertext = ?, hash = ? WHERE seq = 6",
                        (nonce, ct, digest)))
    problems = chain_problems(ten)
    assert "seq 6: signature is not valid" in problems
    assert "seq 7: prev_hash does not link to the previous record" in problems
    sync(ten)
    # Never stored: the void takes seq 6, and seq 7 links through it to the hash the
    # genuine seq 6 had.
    status = central_status(ten)
    assert [status[s][0] for s in range(1, 11)] == ["accepted"] * 10
    assert central_kinds(ten)[6] == "void"
    assert str(parked(ten)[6]).startswith("damaged locally: seq 6: signature is not valid")
    report = ten.audit(expect_void={6})
    record_result("tamper-forge", cycles=0, report=report)
    assert report.ok, report.summary()


def test_deleted_record_is_reported_lost(ten: FaultEnv) -> None:
    (uuid6,) = row(ten.kiosk_db, 6, "uuid")
    edit(ten.kiosk_db, ("DELETE FROM outbox WHERE seq = 6", ()))
    assert "seq 6 missing before seq 7" in chain_problems(ten)
    sync(ten)
    status = central_status(ten)
    assert 6 not in status and status[7] == ("rejected", "gap: expected seq 6")
    report = ten.audit(expect_rejected={7})
    # The audit names exactly what was destroyed.
    assert report.lost == [(6, uuid6)] and not report.duplicated and not report.bad_records
    assert report.kiosk_problems == [f"acknowledged seq 6 ({uuid6}) is not in the kiosk database"]


def test_reordered_records_are_rejected(ten: FaultEnv) -> None:
    edit(ten.kiosk_db, ("UPDATE outbox SET seq = 1000 WHERE seq = 6", ()),
         ("UPDATE outbox SET seq = 6 WHERE seq = 7", ()),
         ("UPDATE outbox SET seq = 7 WHERE seq = 1000", ()))
    problems = chain_problems(ten)
    for seq in (6, 7):
        assert f"seq {seq}: hash does not match the record's content" in problems
    sync(ten)
    # Both moved records fail their hash in their new slots: both are voided, and
    # seq 8 links through the second void.
    status = central_status(ten)
    assert [status[s][0] for s in range(1, 11)] == ["accepted"] * 10
    assert [s for s, kind in central_kinds(ten).items() if kind == "void"] == [6, 7]
    assert sorted(parked(ten)) == [6, 7]
    report = ten.audit(expect_void={6, 7})
    # Nothing accepted that should not be; the kiosk file no longer holds 6 and 7
    # where they were acknowledged.
    assert not (report.lost or report.duplicated or report.bad_records), report.summary()
    assert [p.split(" (")[0] for p in report.kiosk_problems] == [
        "acknowledged seq 6", "acknowledged seq 7"]


def test_replayed_sends_and_copied_records_are_not_stored_twice(ten: FaultEnv) -> None:
    assert sync(ten)[:5] == ["10", "10", "0", "0", "0"]
    # Replay 1: every record marked unsent again -> resent, answered "duplicate".
    edit(ten.kiosk_db, ("UPDATE outbox SET state = 'pending', acked_at = NULL", ()))
    assert sync(ten)[:5] == ["10", "0", "10", "0", "0"]
    # Replay 2: record 3 copied into a new slot (a fresh UUID, as the file demands).
    fields = "kind, created_at, nonce, ciphertext, prev_hash, hash, signature"
    values = row(ten.kiosk_db, 3, fields)
    edit(ten.kiosk_db, (f"INSERT INTO outbox (seq, uuid, {fields}, state, confirmed_on_screen) "
                        f"VALUES (11, '00000000-0000-4000-8000-000000000011', "
                        f"?, ?, ?, ?, ?, ?, ?, 'pending', 1)", values))
    problems = chain_problems(ten)
    assert "seq 11: hash does not match the record's content" in problems
    sync(ten)
    # The copy is never stored; the kiosk voids seq 11 (its copy there is no record).
    status = central_status(ten)
    assert status[11][0] == "accepted" and central_kinds(ten)[11] == "void"
    assert str(parked(ten)[11]).startswith("damaged locally: seq 11: hash does not match")
    report = ten.audit(expect_void={11})
    record_result("tamper-replay", cycles=0, report=report)
    assert report.ok, report.summary()
    assert report.stored == 11 and report.accepted == 11


def test_rolled_back_file_cannot_reuse_seqs(ten: FaultEnv, tmp_path: Path) -> None:
    """An old copy of the queue file put back: the kiosk cannot tell on its own (its
    anchor rolled back too), but the central service refuses the new records that
    reuse stored seqs, with a reason, and the audit reports them."""
    snapshot = tmp_path / "snapshot.sqlite"
    shutil.copy(ten.kiosk_db, snapshot)  # 10 records, none synced; no WAL after a clean close
    ten.run_to_end("enqueue", count=5)
    sync(ten)
    shutil.copy(snapshot, ten.kiosk_db)
    for suffix in ("-wal", "-shm"):
        Path(f"{ten.kiosk_db}{suffix}").unlink(missing_ok=True)
    reused = ten.run_to_end("enqueue", count=2).acked
    assert [seq for seq, _ in reused] == [11, 12]
    assert sync(ten)[:5] == ["12", "0", "10", "2", "0"]
    assert all(reason and reason.startswith("replay/conflict")
               for seq, reason in parked(ten).items() if seq in (11, 12))
    report = ten.audit()
    assert sorted(report.lost) == sorted(reused)
    assert not report.duplicated and not report.bad_records
