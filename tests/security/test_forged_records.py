"""Issue #8: one unsigned record must not stop a terminal's sync.

Kiosk ids are printed on slips, so anyone on the network can post a record "from" a
kiosk. A record that fails its hash or signature must claim no seq and no UUID and
must not move the ack; the kiosk's own records still land. A kiosk whose own copy of a
record is damaged parks it and sends a signed `void` tombstone for its seq, so the
chain goes on.

Everything runs through real transports: a central service on loopback with a SQLite
file, the kiosk's real outbox file, SyncWorker and CentralClient.
"""
from __future__ import annotations

import sqlite3
import uuid as uuid_mod
from contextlib import closing
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from central.bundle_import import import_bundle
from central.db import make_engine
from central.server import CentralServer
from kiosk.central_client import CentralClient
from offline_queue.bundle import build_bundle, write_bundle
from offline_queue.crypto import (
    GENESIS_HASH,
    KioskKeys,
    b64d,
    b64e,
    decrypt_payload,
    encrypt_payload,
    record_hash,
)
from offline_queue.outbox import Outbox
from offline_queue.sync_worker import SIGNATURE_REFUSED, SyncWorker
from offline_queue.wire import SyncAck, SyncBatch, WireRecord

pytestmark = pytest.mark.security

KIOSK_ID = "hall-07.t2"
ENROLMENT_TOKEN = "forged-records-enrolment-token"
KIND = "dispense.record"


@dataclass
class Setup:
    central: CentralServer
    db_url: str
    keys: KioskKeys
    outbox: Outbox
    client: CentralClient
    worker: SyncWorker
    db_path: Path

    def enqueue(self, n: int) -> list[str]:
        return [self.outbox.enqueue(KIND, {"slot": i, "count": 1}).uuid for i in range(n)]

    def rows(self) -> list[dict[str, Any]]:
        """The central service's stored records of this kiosk, straight from its file."""
        engine = create_engine(self.db_url)
        try:
            with engine.connect() as conn:
                return [dict(r._mapping) for r in conn.execute(text(
                    "SELECT seq, uuid, kind, status, reason, hash, prev_hash, nonce, "
                    "ciphertext FROM records WHERE kiosk_id = :k ORDER BY seq"),
                    {"k": KIOSK_ID})]
        finally:
            engine.dispose()

    def acked_through(self) -> int:
        engine = create_engine(self.db_url)
        try:
            with engine.connect() as conn:
                return int(conn.execute(text(
                    "SELECT acked_through FROM kiosks WHERE kiosk_id = :k"),
                    {"k": KIOSK_ID}).scalar_one())
        finally:
            engine.dispose()

    def reopen(self) -> None:
        """A new Outbox and worker on the same file (after editing it behind its back)."""
        self.outbox.close()
        self.outbox = Outbox(self.db_path, KIOSK_ID, self.keys)
        self.worker = SyncWorker(self.outbox, self.client.post_batch,
                                 self.db_path.parent / "sync.lock")


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    with CentralServer(db_url, enrolment_token=ENROLMENT_TOKEN) as central:
        keys = KioskKeys.generate()
        client = CentralClient((central.url,), KIOSK_ID, timeout_s=10.0)
        client.enroll(keys, token=ENROLMENT_TOKEN)
        db_path = tmp_path / "kiosk" / "outbox.sqlite"
        outbox = Outbox(db_path, KIOSK_ID, keys)
        env = Setup(central, db_url, keys, outbox, client,
                    SyncWorker(outbox, client.post_batch, tmp_path / "kiosk" / "sync.lock"),
                    db_path)
        try:
            yield env
        finally:
            env.outbox.close()
            client.close()


def forged(seq: int, *, record_uuid: str | None = None,
           prev_hash: str = GENESIS_HASH) -> WireRecord:
    """A well-formed record for KIOSK_ID sealed and signed with a stranger's keys."""
    keys = KioskKeys.generate()
    rid = record_uuid or str(uuid_mod.uuid4())
    created_at = datetime.now(timezone.utc)
    nonce, ciphertext = encrypt_payload(keys.data_key, {"slot": 0, "count": 999},
                                        KIOSK_ID, seq, rid)
    digest = record_hash(KIOSK_ID, seq, rid, KIND, created_at, prev_hash, nonce, ciphertext)
    return WireRecord(kiosk_id=KIOSK_ID, seq=seq, uuid=rid, kind=KIND, created_at=created_at,
                      nonce=b64e(nonce), ciphertext=b64e(ciphertext), prev_hash=prev_hash,
                      hash=digest, signature=b64e(keys.sign(digest)))


def attack(env: Setup, *records: WireRecord) -> dict[str, Any]:
    """Post a batch as a stranger would: plain HTTP, no key of the kiosk's."""
    body = SyncBatch(kiosk_id=KIOSK_ID, records=list(records)).model_dump(mode="json")
    response = httpx.post(f"{env.central.url}/v1/sync/batch", json=body, timeout=10.0)
    assert response.status_code == 200, response.text
    return dict(response.json())


def flip_ciphertext(db_path: Path, seq: int) -> None:
    with closing(sqlite3.connect(db_path)) as raw, raw:
        (ct,) = raw.execute("SELECT ciphertext FROM outbox WHERE seq = ?", (seq,)).fetchone()
        raw.execute("UPDATE outbox SET ciphertext = ? WHERE seq = ?",
                    (bytes([ct[0] ^ 0x01]) + ct[1:], seq))


def test_forged_records_claim_nothing_and_the_kiosk_still_lands(setup: Setup) -> None:
    env = setup
    first = env.enqueue(3)
    assert env.worker.sync_once().accepted == 3
    env.enqueue(3)  # seqs 4..6, still only here
    last_hash = env.rows()[-1]["hash"]

    # Ahead of the kiosk: the next seq, chained correctly even (the attacker guessed the
    # link), and the next seq again carrying a real, already-used UUID.
    for record in (forged(4, prev_hash=last_hash), forged(4, record_uuid=first[0])):
        answer = attack(env, record)
        [result] = answer["results"]
        assert result["status"] == "rejected"
        assert result["reason"] == "signature: not signed by this kiosk's key"
        assert first[0] not in result["reason"]  # nothing learnt about the UUID's owner
        assert answer["acked_through"] == 3
    # A forged record further ahead, and one followed by another in the same batch.
    answer = attack(env, forged(9))
    assert answer["results"][0]["reason"].startswith("signature")
    answer = attack(env, forged(5, prev_hash=last_hash), forged(6))
    assert [r["seq"] for r in answer["results"]] == [5]  # 6 is neither stored nor refused
    assert answer["results"][0]["reason"].startswith("signature")

    rows = env.rows()
    assert [(r["seq"], r["status"]) for r in rows] == [(1, "accepted"), (2, "accepted"),
                                                       (3, "accepted")]
    assert env.acked_through() == 3

    # The kiosk syncs: all of its own records land, nothing is parked.
    report = env.worker.sync_once()
    assert (report.error, report.accepted, report.rejected, report.remaining) == (
        None, 3, 0, 0)
    rows = env.rows()
    assert [(r["seq"], r["status"], r["kind"]) for r in rows] == [
        (seq, "accepted", KIND) for seq in range(1, 7)]
    assert env.acked_through() == 6
    assert env.outbox.rejected() == [] and env.outbox.verify_chain() == []
    # Seq 9, where a forgery was posted, is free for the kiosk's own record too.
    env.enqueue(4)
    report = env.worker.sync_once()
    assert (report.error, report.accepted, report.rejected) == (None, 4, 0)
    assert env.acked_through() == 10


def test_a_stored_hash_with_a_forged_signature_learns_nothing(setup: Setup) -> None:
    env = setup
    env.enqueue(2)
    env.worker.sync_once()
    mine = env.rows()[0]
    copy = forged(1).model_copy(update={"uuid": mine["uuid"], "hash": mine["hash"]})
    [result] = attack(env, copy)["results"]
    assert result["status"] == "rejected" and result["reason"].startswith("signature")
    assert result["result"] is None
    assert [r["status"] for r in env.rows()] == ["accepted", "accepted"]


@pytest.mark.parametrize("damaged", [3, 6], ids=["middle", "last"])
def test_damaged_own_record_is_parked_and_voided(setup: Setup, damaged: int) -> None:
    env = setup
    uuids = env.enqueue(6)
    env.reopen()
    flip_ciphertext(env.db_path, damaged)
    env.reopen()
    with closing(sqlite3.connect(env.db_path)) as raw, raw:
        after = raw.execute("SELECT prev_hash FROM outbox WHERE seq = ?",
                            (damaged + 1,)).fetchone()
        (stored_hash,) = raw.execute("SELECT hash FROM outbox WHERE seq = ?",
                                     (damaged,)).fetchone()

    report = env.worker.sync_once()
    assert report.error is None and report.remaining == 0

    # Parked here with the reason; the chain at the central goes on through a void.
    [parked] = env.outbox.rejected()
    assert parked.seq == damaged and parked.uuid == uuids[damaged - 1]
    assert parked.reason is not None and parked.reason.startswith(
        f"damaged locally: seq {damaged}: hash does not match the record's content")
    rows = {r["seq"]: r for r in env.rows()}
    assert sorted(rows) == list(range(1, 7))
    assert all(r["status"] == "accepted" for r in rows.values())
    assert [s for s, r in rows.items() if r["kind"] == "void"] == [damaged]
    assert uuids[damaged - 1] not in {r["uuid"] for r in rows.values()}
    void = rows[damaged]
    payload = decrypt_payload(env.keys.data_key, b64d(void["nonce"]), b64d(void["ciphertext"]),
                              KIOSK_ID, damaged, void["uuid"])
    assert payload["voided_uuid"] == uuids[damaged - 1]
    assert payload["reason"].startswith("damaged locally")
    assert payload["next_hash"] == (after[0] if after else stored_hash)
    assert void["prev_hash"] == rows[damaged - 1]["hash"]
    if damaged + 1 in rows:
        assert rows[damaged + 1]["prev_hash"] == payload["next_hash"]
    assert env.acked_through() == 6 and report.voided == 1

    # New records chain on, and a resend of everything changes nothing.
    env.enqueue(2)
    report = env.worker.sync_once()
    assert (report.error, report.accepted, report.rejected) == (None, 2, 0)
    assert env.acked_through() == 8
    assert env.outbox.pending() == [] and env.outbox.pending_count() == 0


def test_refused_signature_on_an_intact_record_keeps_it_pending(setup: Setup) -> None:
    """Altered on the way (or the central holds another key): the kiosk's copy checks
    out, so it is neither parked nor voided; the pass stops instead of spinning, and
    the record lands once the path is clean."""
    env = setup
    env.enqueue(4)
    calls: list[int] = []

    def altering(batch: SyncBatch) -> SyncAck:
        calls.append(len(batch.records))
        third = batch.records[2]
        raw = bytearray(b64d(third.ciphertext))
        raw[0] ^= 0x01
        batch.records[2] = third.model_copy(update={"ciphertext": b64e(bytes(raw))})
        return env.client.post_batch(batch)

    tampered = SyncWorker(env.outbox, altering, env.db_path.parent / "sync.lock")
    report = tampered.sync_once()
    assert report.error is not None and report.error.startswith(SIGNATURE_REFUSED)
    assert calls == [4]  # one batch, no spinning
    assert (report.accepted, report.rejected, report.voided, report.remaining) == (2, 0, 0, 2)
    assert env.outbox.rejected() == []
    view = env.outbox.get(env.outbox.pending()[0].uuid)
    assert view is not None and view.state == "pending" and view.seq == 3
    assert [r["seq"] for r in env.rows()] == [1, 2] and env.acked_through() == 2

    report = env.worker.sync_once()
    assert (report.error, report.accepted, report.remaining) == (None, 2, 0)
    assert env.acked_through() == 4


def test_bundle_with_a_damaged_record_stores_nothing_past_it(setup: Setup,
                                                             tmp_path: Path) -> None:
    """A hand-carried bundle is signed as a whole, but a record in it that fails its own
    signature still claims nothing, and the records after it are left for the next
    sync instead of being stored as a gap."""
    env = setup
    env.enqueue(4)
    env.reopen()
    flip_ciphertext(env.db_path, 2)
    env.reopen()
    path = tmp_path / "hand-carried.bundle"
    write_bundle(path, build_bundle(KIOSK_ID, env.outbox.pending(), env.keys,
                                    datetime.now(timezone.utc)))
    engine = make_engine(env.db_url)
    try:
        with Session(engine) as session:
            report = import_bundle(session, path)
    finally:
        engine.dispose()
    assert (report.accepted, report.rejected, report.acked_through) == (1, 1, 1)
    assert report.reasons == ["seq 2: signature: the record does not match its hash",
                              "records after seq 2 not stored: a record before them "
                              "failed its signature"]
    assert [r["seq"] for r in env.rows()] == [1]
    # The kiosk's next sync voids seq 2 and lands the rest.
    report_sync = env.worker.sync_once()
    assert (report_sync.error, report_sync.voided, report_sync.remaining) == (None, 1, 0)
    assert [(r["seq"], r["kind"]) for r in env.rows()] == [
        (1, KIND), (2, "void"), (3, KIND), (4, KIND)]
