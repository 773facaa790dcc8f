"""`kiosk central --workers 3` on PostgreSQL: concurrent resends of the same batches,
from 8 threads, through separate worker processes, store every record exactly once.

The server is a real subprocess (uvicorn's supervisor and 3 spawned workers) on a
loopback port; records are sealed exactly as a kiosk seals them. What is checked:
every answer is 200 with only "accepted" or "duplicate" results, each record was
"accepted" exactly once over all answers, and afterwards the audit endpoint (admin
token from $KIOSK_CENTRAL_ADMIN_TOKEN) and a direct SQL count show each (kiosk_id,
seq) and each uuid stored exactly once.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid as uuid_mod
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from central_backends import postgres_database
from offline_queue.crypto import GENESIS_HASH, KioskKeys, b64e, encrypt_payload, record_hash
from offline_queue.wire import SyncBatch, WireRecord

WORKERS = 3
THREADS = 8
BATCHES = 4
PER_BATCH = 40
ADMIN_TOKEN = "admin-token-for-the-worker-test"
ENROLMENT_TOKEN = "enrol-token-for-the-worker-test"


def _seal(kiosk_id: str, keys: KioskKeys, count: int) -> list[WireRecord]:
    records, prev = [], GENESIS_HASH
    created = datetime.now(timezone.utc) - timedelta(minutes=10)
    for seq in range(1, count + 1):
        rid = str(uuid_mod.uuid4())
        nonce, ciphertext = encrypt_payload(keys.data_key, {"drill": seq}, kiosk_id, seq, rid)
        digest = record_hash(kiosk_id, seq, rid, "queue.drill", created, prev, nonce,
                             ciphertext)
        records.append(WireRecord(kiosk_id=kiosk_id, seq=seq, uuid=rid, kind="queue.drill",
                                  created_at=created, nonce=b64e(nonce),
                                  ciphertext=b64e(ciphertext), prev_hash=prev, hash=digest,
                                  signature=b64e(keys.sign(digest))))
        prev = digest
    return records


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def workers_server(tmp_path: Path) -> Iterator[tuple[str, str, subprocess.Popen[bytes]]]:
    """(base URL, database URL, process) of `kiosk central --workers 3` on a new
    PostgreSQL database (migrated by the server's own start-up)."""
    with postgres_database() as db_url:
        port = _free_port()
        env = dict(os.environ, KIOSK_CENTRAL_ADMIN_TOKEN=ADMIN_TOKEN)
        log = (tmp_path / "central.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "central", "--workers", str(WORKERS),
             "--db", db_url, "--port", str(port), "--enrolment-token", ENROLMENT_TOKEN],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                if proc.poll() is not None:
                    pytest.fail("central exited at start:\n"
                                + (tmp_path / "central.log").read_text()[-3000:])
                try:
                    if httpx.get(base + "/v1/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail("central did not answer within 90 s")
                time.sleep(0.2)
            yield base, db_url, proc
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)  # uvicorn's supervisor stops its workers
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)  # the group this test started
                    proc.wait(10)
            log.close()


def _worker_pids(proc: subprocess.Popen[bytes]) -> list[int]:
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    pids = []
    for pid in children:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if b"spawn_main" in cmdline:  # not the resource tracker
            pids.append(int(pid))
    return pids


def test_workers_store_concurrent_resends_exactly_once(
        workers_server: tuple[str, str, subprocess.Popen[bytes]]) -> None:
    base, db_url, proc = workers_server
    assert len(_worker_pids(proc)) == WORKERS
    kiosks = {kid: KioskKeys.generate() for kid in ("K-PG-1", "K-PG-2")}
    batches: dict[str, list[dict[str, Any]]] = {}
    with httpx.Client(base_url=base, timeout=30) as http:
        for kid, keys in kiosks.items():
            enrolled = http.post("/v1/kiosks/enroll", json={
                "kiosk_id": kid, "public_key": b64e(keys.public_key),
                "data_key": b64e(keys.data_key), "token": ENROLMENT_TOKEN})
            assert enrolled.status_code == 200, enrolled.text
            records = _seal(kid, keys, BATCHES * PER_BATCH)
            batches[kid] = [SyncBatch(kiosk_id=kid, records=records[i:i + PER_BATCH])
                            .model_dump(mode="json")
                            for i in range(0, len(records), PER_BATCH)]
    sent = {kid: [(r["seq"], r["uuid"]) for b in bs for r in b["records"]]
            for kid, bs in batches.items()}

    answers: list[dict[str, Any]] = []
    problems: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def resend(t: int) -> None:
        """Like a kiosk that never heard back: each batch in order, then all again.
        Half the threads send kiosk 1 first, half kiosk 2, so both kiosks' batches
        are interleaved across the workers."""
        order = list(kiosks) if t % 2 == 0 else list(reversed(kiosks))
        try:
            with httpx.Client(base_url=base, timeout=60) as http:
                start.wait(30)
                for _round in range(2):
                    for kid in order:
                        for body in batches[kid]:
                            response = http.post("/v1/sync/batch", json=body)
                            with lock:
                                if response.status_code != 200:
                                    problems.append(f"{response.status_code}: "
                                                    f"{response.text[:200]}")
                                else:
                                    answers.append(response.json())
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                problems.append(repr(exc))

    threads = [threading.Thread(target=resend, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(100)
    assert not problems, problems[:5]
    assert len(answers) == THREADS * 2 * len(kiosks) * BATCHES

    accepted: Counter[tuple[str, int]] = Counter()
    for answer in answers:
        for result in answer["results"]:
            assert result["status"] in ("accepted", "duplicate"), result
            if result["status"] == "accepted":
                accepted[(answer["kiosk_id"], result["seq"])] += 1
    expected_keys = {(kid, seq) for kid, pairs in sent.items() for seq, _ in pairs}
    assert set(accepted) == expected_keys
    assert set(accepted.values()) == {1}  # accepted exactly once over every answer

    total = BATCHES * PER_BATCH
    # The token the server was started with in $KIOSK_CENTRAL_ADMIN_TOKEN.
    with httpx.Client(base_url=base, timeout=30,
                      headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as http:
        for kid, pairs in sent.items():
            audit = http.get(f"/v1/audit/kiosks/{kid}/records", params={"limit": 10_000})
            assert audit.status_code == 200, audit.text
            rows = audit.json()
            assert [(r["seq"], r["uuid"]) for r in rows] == pairs
            assert {r["status"] for r in rows} == {"accepted"}

    engine = create_engine(db_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            per_key = conn.execute(text(
                "SELECT kiosk_id, seq, count(*) FROM records GROUP BY kiosk_id, seq "
                "HAVING count(*) > 1")).all()
            per_uuid = conn.execute(text(
                "SELECT uuid, count(*) FROM records GROUP BY uuid HAVING count(*) > 1")).all()
            count, uuids = conn.execute(text(
                "SELECT count(*), count(DISTINCT uuid) FROM records")).one()
            acked = dict(conn.execute(text("SELECT kiosk_id, acked_through FROM kiosks")).all())
    finally:
        engine.dispose()
    assert per_key == [] and per_uuid == []
    assert count == uuids == len(kiosks) * total
    assert acked == {kid: total for kid in kiosks}
