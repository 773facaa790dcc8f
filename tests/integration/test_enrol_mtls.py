"""Enrolment (`kiosk enroll`, tokens, key files) and mutual TLS on loopback with a CA
the test makes: real servers, real subprocesses, real SQLite files."""
from __future__ import annotations

import os
import socket
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from mtls_certs import TestCA
from queue_cli_helpers import (
    ADMIN_TOKEN,
    ENROLMENT_TOKEN,
    KIOSK,
    ROOT,
    run,
    stored_records,
    write_config,
)
from sqlalchemy import create_engine, text

from central.server import CentralServer
from kiosk.app import KioskCore
from kiosk.central_client import CentralClient, CentralUnavailable, tls_context
from kiosk.config import parse_config
from offline_queue.crypto import (
    DATA_KEY_FILE,
    SIGNING_KEY_FILE,
    KioskKeys,
    b64d,
    b64e,
    record_hash,
)
from offline_queue.outbox import Outbox
from offline_queue.wire import SyncBatch

KIOSK_ID = "hall-01.t1"


def core_for(tmp: Path, urls: list[str], kiosk_id: str = KIOSK_ID,
             **central: Any) -> KioskCore:
    cfg = parse_config({"data_dir": str(tmp), "kiosk_id": kiosk_id,
                        "central": {"urls": urls, "timeout_s": 5.0,
                                    **{k: str(v) for k, v in central.items()}}})
    return KioskCore(cfg).start(background_sync=False)


@pytest.fixture
def token_central(tmp_path: Path) -> Iterator[CentralServer]:
    with CentralServer(f"sqlite:///{tmp_path / 'central.db'}", admin_token=ADMIN_TOKEN,
                       enrolment_token=ENROLMENT_TOKEN) as server:
        yield server


# --- kiosk enroll ------------------------------------------------------------------

def test_enroll_creates_0600_keys_registers_them_and_reports_refusals(
        tmp_path: Path, token_central: CentralServer) -> None:
    data = tmp_path / "data"
    cfg = write_config(tmp_path / "kiosk.toml", data, ["http://127.0.0.1:9"])
    wrong = run(["enroll", "--central", token_central.url, "--token", "nope",
                 "--config", str(cfg)])
    assert wrong.returncode == 1
    assert "refused" in wrong.stderr and "wrong or missing enrolment token" in wrong.stderr

    ok = run(["enroll", "--central", token_central.url, "--token", ENROLMENT_TOKEN,
              "--config", str(cfg)])
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == KIOSK_ID
    key_dir = data / "keys"
    assert stat.S_IMODE(key_dir.stat().st_mode) == 0o700
    for name in (SIGNING_KEY_FILE, DATA_KEY_FILE):
        assert stat.S_IMODE((key_dir / name).stat().st_mode) == 0o600
    keys = KioskKeys.load_or_create(key_dir)
    engine = create_engine(token_central.db_url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT public_key, data_key FROM kiosks WHERE kiosk_id=:k"),
                           {"k": KIOSK_ID}).one()
    engine.dispose()
    assert bytes(row.public_key) == keys.public_key and bytes(row.data_key) == keys.data_key

    # Again with the token from the environment: harmless, same keys.
    again = run(["enroll", "--central", token_central.url, "--config", str(cfg)],
                env={"KIOSK_ENROLMENT_TOKEN": ENROLMENT_TOKEN})
    assert again.returncode == 0 and again.stdout.strip() == KIOSK_ID

    # The enrolled kiosk syncs; the key material never lands in the queue database.
    cfg = write_config(tmp_path / "kiosk.toml", data, [token_central.url])
    assert run(["queue", "drill", "--count", "3", "--config", str(cfg)]).returncode == 0
    synced = run(["queue", "sync", "--config", str(cfg)])
    assert synced.returncode == 0, synced.stderr
    assert [r[3] for r in stored_records(token_central.db_url, KIOSK_ID)] == ["accepted"] * 3
    queue_bytes = b"".join(p.read_bytes() for p in data.glob("outbox.sqlite3*"))
    assert keys.data_key not in queue_bytes
    assert (key_dir / SIGNING_KEY_FILE).read_bytes() not in queue_bytes

    # A world-readable key file (an older install under umask 022) is made owner-only
    # again when the keys are loaded, and the operator is told (issue #8).
    (key_dir / DATA_KEY_FILE).chmod(0o644)
    loose = run(["enroll", "--central", token_central.url, "--token", ENROLMENT_TOKEN,
                 "--config", str(cfg)])
    assert loose.returncode == 0, loose.stderr
    assert "from mode 0644 to 0600" in loose.stderr
    assert (key_dir / DATA_KEY_FILE).stat().st_mode & 0o777 == 0o600


def test_enroll_refusals_unreachable_and_bad_key_dir(tmp_path: Path) -> None:
    data = tmp_path / "data"
    cfg = write_config(tmp_path / "kiosk.toml", data, ["http://127.0.0.1:9"])
    down = run(["enroll", "--token", "t", "--config", str(cfg)])
    assert down.returncode == 1 and "unreachable" in down.stderr
    inside = write_config(tmp_path / "bad.toml", data, ["http://127.0.0.1:9"],
                          extra=f'key_dir = "{data}"')
    refused = run(["enroll", "--token", "t", "--config", str(inside)])
    assert refused.returncode == 2 and "key_dir" in refused.stderr


def test_core_auto_enrols_only_where_enrolment_is_open(
        tmp_path: Path, token_central: CentralServer) -> None:
    core = core_for(tmp_path / "k", [token_central.url])
    try:
        core.outbox.enqueue("drill", {"i": 1})
        report = core.drain_queue(timeout_s=20)
        assert report.error is not None
        assert "not enrolled" in report.error and "kiosk enroll" in report.error
        assert core.connectivity.online  # a refusal is not an outage
        assert stored_records(token_central.db_url, KIOSK_ID) == []
        core.enroll(ENROLMENT_TOKEN)
        assert core.drain_queue(timeout_s=20).error is None
    finally:
        core.stop()
    assert len(stored_records(token_central.db_url, KIOSK_ID)) == 1

    with CentralServer(f"sqlite:///{tmp_path / 'open.db'}") as open_central:
        core = core_for(tmp_path / "k2", [open_central.url], kiosk_id="hall-01.t2")
        try:
            core.outbox.enqueue("drill", {"i": 1})
            assert core.drain_queue(timeout_s=20).error is None
        finally:
            core.stop()


def test_a_payload_decrypts_only_in_its_own_place(tmp_path: Path) -> None:
    """Someone holding the signing key but not re-encrypting cannot move a payload to
    another seq/uuid: the AES-GCM associated data binds it."""
    with CentralServer(f"sqlite:///{tmp_path / 'c.db'}") as central:
        keys = KioskKeys.load_or_create(tmp_path / "keys")
        with Outbox(tmp_path / "q.sqlite3", KIOSK_ID, keys) as outbox:
            outbox.enqueue("drill", {"i": 1})
            outbox.enqueue("drill", {"i": 2})
            first, second = outbox.pending()
        client = CentralClient((central.url,), KIOSK_ID)
        client.enroll(keys)
        moved_digest = record_hash(KIOSK_ID, 2, second.uuid, second.kind, second.created_at,
                                   first.hash, b64d(first.nonce), b64d(first.ciphertext))
        moved = second.model_copy(update={
            "nonce": first.nonce, "ciphertext": first.ciphertext, "hash": moved_digest,
            "signature": b64e(keys.sign(moved_digest))})
        ack = client.post_batch(SyncBatch(kiosk_id=KIOSK_ID, records=[first, moved]))
        client.close()
        assert [r.status for r in ack.results] == ["accepted", "rejected"]
        assert ack.results[1].reason is not None and ack.results[1].reason.startswith("decrypt")


# --- mutual TLS --------------------------------------------------------------------

@pytest.fixture
def pki(tmp_path: Path) -> dict[str, Any]:
    ca = TestCA(tmp_path / "pki")
    other = TestCA(tmp_path / "other-pki", name="Some Other CA")
    return {"ca": ca, "server": ca.server(), "client": ca.client(KIOSK_ID),
            "foreign": other.client(KIOSK_ID)}


def test_mtls_right_client_cert_syncs_and_anything_else_fails_the_handshake(
        tmp_path: Path, pki: dict[str, Any]) -> None:
    ca, server, client, foreign = pki["ca"], pki["server"], pki["client"], pki["foreign"]
    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    with CentralServer(db_url, ssl_certfile=server.cert, ssl_keyfile=server.key,
                       ssl_ca_certs=ca.ca_file) as central:
        assert central.url.startswith("https://127.0.0.1:")
        good = core_for(tmp_path / "good", [central.url], ca_file=ca.ca_file,
                        cert_file=client.cert, key_file=client.key)
        try:
            for i in range(3):
                good.outbox.enqueue("drill", {"i": i})
            report = good.drain_queue(timeout_s=20)
            assert report.error is None and report.accepted == 3
        finally:
            good.stop()
        assert len(stored_records(db_url, KIOSK_ID)) == 3

        cases = {
            "no client certificate": {"ca_file": ca.ca_file},
            "certificate of another CA": {"ca_file": ca.ca_file, "cert_file": foreign.cert,
                                          "key_file": foreign.key},
            "server not trusted": {"cert_file": client.cert, "key_file": client.key},
        }
        for n, (what, tls) in enumerate(cases.items()):
            kiosk_id = f"hall-01.x{n}"
            core = core_for(tmp_path / f"bad{n}", [central.url], kiosk_id=kiosk_id, **tls)
            try:
                core.outbox.enqueue("drill", {"i": 1})
                report = core.drain_queue(timeout_s=20)
                assert report.error is not None and "CentralUnavailable" in report.error, what
                assert not core.probe_central(), what
                with pytest.raises(CentralUnavailable):
                    core.central.post_batch(SyncBatch(kiosk_id=kiosk_id,
                                                      records=core.outbox.pending()))
                assert core.outbox.pending_count() == 1, what
            finally:
                core.stop()
            assert stored_records(db_url, kiosk_id) == [], what
        # Plain HTTP to the TLS port gets nowhere either.
        plain = CentralClient((central.url.replace("https", "http"),), "x")
        assert not plain.health()
        plain.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_cli_central_serves_mtls_and_guards_the_audit_with_the_env_token(
        tmp_path: Path, pki: dict[str, Any]) -> None:
    ca, server, client = pki["ca"], pki["server"], pki["client"]
    port = _free_port()
    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env["KIOSK_CENTRAL_ADMIN_TOKEN"] = ADMIN_TOKEN
    proc = subprocess.Popen(
        KIOSK + ["central", "--db", db_url, "--port", str(port),
                 "--enrolment-token", ENROLMENT_TOKEN, "--ssl-certfile", str(server.cert),
                 "--ssl-keyfile", str(server.key), "--ssl-ca-certs", str(ca.ca_file)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"https://127.0.0.1:{port}"
    context = tls_context(ca.ca_file, client.cert, client.key)
    try:
        deadline = time.monotonic() + 30
        with httpx.Client(base_url=url, verify=context, timeout=5) as http:
            while True:
                try:
                    if http.get("/v1/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "central did not start"
                time.sleep(0.2)
            data = tmp_path / "data"
            cfg = write_config(tmp_path / "kiosk.toml", data, [url], central_extra=(
                f'ca_file = "{ca.ca_file}"\ncert_file = "{client.cert}"\n'
                f'key_file = "{client.key}"\nenrolment_token = "{ENROLMENT_TOKEN}"'))
            enrolled = run(["enroll", "--config", str(cfg)])
            assert enrolled.returncode == 0, enrolled.stderr
            assert run(["queue", "drill", "--count", "2", "--config", str(cfg)]).returncode == 0
            synced = run(["queue", "sync", "--config", str(cfg)])
            assert synced.returncode == 0, synced.stderr

            audit = f"/v1/audit/kiosks/{KIOSK_ID}/records"
            assert http.get(audit).status_code == 401
            assert http.get(audit, headers={"Authorization": "Bearer wrong"}).status_code == 403
            rows = http.get(audit, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).json()
            assert [(r["seq"], r["kind"], r["status"]) for r in rows] == [
                (1, "drill", "accepted"), (2, "drill", "accepted")]
            assert all(r["uuid"] and r["received_at"] for r in rows)
        with pytest.raises(httpx.HTTPError):
            with httpx.Client(verify=tls_context(ca.ca_file), timeout=5) as anonymous:
                anonymous.get(url + "/v1/health")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        if proc.stderr:
            proc.stderr.close()
