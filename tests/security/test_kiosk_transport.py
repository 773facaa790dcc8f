"""Issue #8: how the kiosk and its central service talk, and who else may listen.

- The Qt VNC screen is only for the demo (`kiosk run --simulate`) and only on
  loopback; without a display and without --simulate, `kiosk run` refuses.
- Kiosks verify online with a signed request (counted toward the invoice's 5 checks);
  the public endpoint answers a coarse outcome, counts nothing and is rate-limited.
- `GET /v1/verifications/{uuid}` gives what a kiosk shows, never the buyer, and the
  access log never holds the path (the UUID is a bearer reference on the slip).
- A kiosk talks plain HTTP, and enrols by itself on a 403, only with a central
  service on its own machine.

Real transports throughout: `kiosk run` and `kiosk central` subprocesses, a uvicorn
central service on loopback, SQLite files, the kiosk's own core and HTTP client.
"""
from __future__ import annotations

import ipaddress
import os
import re
import socket
import subprocess
import sys
import time
import uuid as uuid_mod
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from central.demo_data import demo_invoices
from central.server import CentralServer
from central.verification import china_today
from kiosk.app import KioskCore
from kiosk.central_client import CentralRejected
from kiosk.config import ConfigError, parse_config
from kiosk.domain import VerificationQuery
from offline_queue.crypto import KioskKeys, b64e, content_digest
from offline_queue.outbox import Outbox
from offline_queue.wire import SyncBatch

ROOT = Path(__file__).resolve().parents[2]
KIOSK = [sys.executable, "-m", "kiosk"]
TODAY = china_today()

pytestmark = pytest.mark.security


def _headless_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "KIOSK_CONFIG")}
    return env | extra


def _config(tmp_path: Path, *lines: str) -> Path:
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text("\n".join([f'data_dir = "{tmp_path / "data"}"', *lines]) + "\n",
                   encoding="utf-8")
    return cfg


def _demo(label_start: str) -> dict[str, Any]:
    rows = [r for r in demo_invoices(TODAY) if r["label"].startswith(label_start)]
    assert len(rows) == 1
    return rows[0]


def _query(row: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The query fields a kiosk sends for a special (01) demo invoice."""
    query = {"type_code": row["type_code"], "code": row["code"], "number": row["number"],
             "issued_on": row["issued_on"].isoformat(), "amount": str(row["amount"]),
             "check_code_last6": None}
    return query | changes


# --- the VNC screen ---------------------------------------------------------------

def _listening(pid: int) -> list[tuple[str, int]]:
    """(address, port) of every TCP socket the process `pid` listens on, from /proc."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    found = []
    for table, width in (("tcp", 8), ("tcp6", 32)):
        lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state != "0A" or inode not in inodes:  # 0A: LISTEN
                continue
            hex_addr, hex_port = local.split(":")
            assert len(hex_addr) == width
            # /proc prints each 32-bit word of the address in host (little-endian) order.
            raw = b"".join(bytes.fromhex(hex_addr[i:i + 8])[::-1]
                           for i in range(0, width, 8))
            family = socket.AF_INET if width == 8 else socket.AF_INET6
            found.append((socket.inet_ntop(family, raw), int(hex_port, 16)))
    return found


def test_vnc_screen_is_for_the_demo_only_and_on_loopback_only(tmp_path: Path) -> None:
    cfg = _config(tmp_path)
    stderr = tmp_path / "stderr.txt"
    # `with` closes the child's stdout pipe whatever happens (ResourceWarning is an error).
    with stderr.open("w") as err, subprocess.Popen(
            KIOSK + ["run", "--simulate", "--config", str(cfg)], env=_headless_env(), cwd=ROOT,
            stdout=subprocess.PIPE, stderr=err, text=True) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            match = re.search(r"VNC platform plugin on port (\d+)", line)
            assert match, line
            port = int(match.group(1))
            banner = b""
            for _ in range(150):
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                        banner = s.recv(12)
                    break
                except OSError:
                    time.sleep(0.2)
            assert banner.startswith(b"RFB ")  # the screen is served, on loopback
            sockets = _listening(proc.pid)
            assert ("127.0.0.1", port) in sockets
            # Nothing this process listens on is reachable from another machine: not the
            # VNC screen (Qt's plugin would take every interface), nor anything else.
            wide = [(a, p) for a, p in sockets if not ipaddress.ip_address(a).is_loopback]
            assert wide == [], sockets
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    assert "warning" in stderr.read_text(encoding="utf-8").lower()


@pytest.mark.parametrize("platform", [None, "vnc"])
def test_run_without_a_display_refuses_unless_simulated(tmp_path: Path,
                                                       platform: str | None) -> None:
    cfg = _config(tmp_path, "[central]", 'urls = ["http://127.0.0.1:9"]')
    env = _headless_env(**({"QT_QPA_PLATFORM": platform} if platform else {}))
    result = subprocess.run(KIOSK + ["run", "--config", str(cfg)], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 3, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kiosk: cannot start:"), lines
    assert "--simulate" in lines[0]
    assert "VNC" not in result.stdout


# --- online verification: signed for kiosks, coarse for everyone else ------------------

@pytest.fixture
def central(tmp_path: Path) -> Iterator[CentralServer]:
    with CentralServer(f"sqlite:///{tmp_path / 'central.db'}", today=lambda: TODAY,
                       demo_data=True) as server:
        yield server


def _enrol(http: httpx.Client, kiosk_id: str) -> KioskKeys:
    keys = KioskKeys.generate()
    answer = http.post("/v1/kiosks/enroll", json={
        "kiosk_id": kiosk_id, "public_key": b64e(keys.public_key),
        "data_key": b64e(keys.data_key)})
    assert answer.status_code == 200, answer.text
    return keys


def _signed(kiosk_id: str, keys: KioskKeys, query: dict[str, Any],
            sent_at: datetime | None = None) -> dict[str, Any]:
    body = {"kiosk_id": kiosk_id, "sent_at": (sent_at or datetime.now(timezone.utc))
            .isoformat(), "signature": ""} | query
    body["signature"] = b64e(keys.sign(content_digest(body)))
    return body


def test_kiosk_verify_needs_the_kiosks_signature_and_counts_nothing_else(
        central: CentralServer) -> None:
    row = _demo("genuine special (01)")
    with httpx.Client(base_url=central.url, timeout=10) as http:
        keys = _enrol(http, "K-1")
        path = "/v1/kiosks/K-1/verify"
        unsigned = {"kiosk_id": "K-1", "sent_at": datetime.now(timezone.utc).isoformat(),
                    "signature": ""} | _query(row)
        assert http.post(path, json=unsigned).status_code == 403
        forged = _signed("K-1", KioskKeys.generate(), _query(row))
        assert http.post(path, json=forged).status_code == 403
        stale = _signed("K-1", keys, _query(row),
                        datetime.now(timezone.utc) - timedelta(hours=1))
        assert http.post(path, json=stale).status_code == 409
        first = _signed("K-1", keys, _query(row))
        answer = http.post(path, json=first)
        assert answer.status_code == 200, answer.text
        # Nothing above was counted: this is the invoice's first check today.
        assert answer.json()["checks_today"] == 1
        assert answer.json()["invoice"]["buyer_name"] == row["buyer_name"]
        assert http.post(path, json=first).status_code == 409  # a replay
        again = http.post(path, json=_signed("K-1", keys, _query(row)))
        assert again.json()["checks_today"] == 2


def test_public_verify_is_coarse_uncounted_and_rate_limited(
        central: CentralServer) -> None:
    row = _demo("genuine special (01)")
    with httpx.Client(base_url=central.url, timeout=10) as http:
        wrong = http.post("/v1/invoices/verify", json=_query(row, amount="1.00"))
        assert wrong.status_code == 200
        assert wrong.json() == {"outcome": "no_match"}  # no field named
        unknown = http.post("/v1/invoices/verify", json=_query(row, number="99999999"))
        assert unknown.json() == {"outcome": "no_match"}  # same answer: no enumeration
        genuine = http.post("/v1/invoices/verify", json=_query(row))
        assert genuine.json() == {"outcome": "genuine"}
        assert row["buyer_name"] not in genuine.text
        statuses = [http.post("/v1/invoices/verify", json=_query(row)).status_code
                    for _ in range(20)]
        assert statuses.count(429) >= 10 and statuses[-1] == 429
        refused = http.post("/v1/invoices/verify", json=_query(row))
        assert int(refused.headers["Retry-After"]) >= 1
        # None of the public checks used up the invoice's 5 checks a day.
        keys = _enrol(http, "K-2")
        counted = http.post("/v1/kiosks/K-2/verify", json=_signed("K-2", keys, _query(row)))
        assert counted.json()["checks_today"] == 1
        spec = http.get("/openapi.json").json()
        public = spec["paths"]["/v1/invoices/verify"]["post"]["responses"]
        assert "429" in public
        schema = public["200"]["content"]["application/json"]["schema"]["$ref"]
        fields = spec["components"]["schemas"][schema.rsplit("/", 1)[1]]["properties"]
        assert set(fields) == {"outcome"}


# --- queued results: minimal answer, no UUIDs in the access log ---------------------------

def test_verification_lookup_has_no_buyer_and_the_access_log_no_uuid(
        tmp_path: Path) -> None:
    """`kiosk central` as the unit starts it (uvicorn's access log on)."""
    row = _demo("genuine special (01)")
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    with out.open("w") as o, err.open("w") as e:
        proc = subprocess.Popen(
            KIOSK + ["central", "--db", f"sqlite:///{tmp_path / 'c.db'}", "--host",
                     "127.0.0.1", "--port", "0", "--demo-data"],
            env=_headless_env(), cwd=ROOT, stdout=o, stderr=e)
    try:
        url = None
        for _ in range(300):
            found = re.search(r"(https?://127\.0\.0\.1:\d+)", err.read_text())
            if found:
                url = found.group(1)
                break
            assert proc.poll() is None, err.read_text()
            time.sleep(0.1)
        assert url, err.read_text()
        keys = KioskKeys.generate()
        outbox = Outbox(tmp_path / "queue.sqlite3", "K-slip", keys)
        try:
            record = outbox.enqueue("invoice.verify", _query(row))
            batch = SyncBatch(kiosk_id="K-slip", records=outbox.pending())
        finally:
            outbox.close()
        with httpx.Client(base_url=url, timeout=10) as http:
            for _ in range(100):
                try:
                    http.get("/v1/health")
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            assert http.post("/v1/kiosks/enroll", json={
                "kiosk_id": "K-slip", "public_key": b64e(keys.public_key),
                "data_key": b64e(keys.data_key)}).status_code == 200
            ack = http.post("/v1/sync/batch", json=batch.model_dump(mode="json"))
            assert ack.json()["results"][0]["result"]["outcome"] == "genuine", ack.text
            lookup = http.get(f"/v1/verifications/{record.uuid}")
            assert lookup.status_code == 200
            result = lookup.json()["result"]
            assert result["outcome"] == "genuine" and result["checks_today"] == 1
            assert set(result["invoice"]) == {"amount", "total", "seller_name"}
            assert row["buyer_name"] not in lookup.text
            assert http.get(f"/v1/verifications/{uuid_mod.uuid4()}?x=1").status_code == 404
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    logged = out.read_text() + err.read_text()
    assert "/v1/verifications/{uuid}" in logged  # the access log is on, by route
    assert record.uuid not in logged and "?x=1" not in logged


# --- plain HTTP and automatic enrolment: loopback only ------------------------------------

def test_config_refuses_plain_http_to_another_machine(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="https://"):
        parse_config({"data_dir": str(tmp_path), "central": {"urls": ["http://10.1.2.3"]}})
    with pytest.raises(ConfigError):
        parse_config({"data_dir": str(tmp_path), "central": {
            "urls": ["http://127.0.0.1:8710", "http://central.example:8710"]}})
    for fine in ("https://10.1.2.3", "http://127.0.0.1:8710", "http://[::1]:8710",
                 "http://localhost:8710"):
        parse_config({"data_dir": str(tmp_path), "central": {"urls": [fine]}})
    # Commands say so and exit 2 before any connection.
    cfg = _config(tmp_path, "[central]", 'urls = ["http://10.1.2.3:8710"]')
    result = subprocess.run(KIOSK + ["queue", "status", "--config", str(cfg)],
                            env=_headless_env(), cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2 and "https://" in result.stderr, result.stderr


def test_automatic_enrolment_only_with_a_central_on_this_machine() -> None:
    from kiosk.config import is_loopback_url, loopback_only  # the decision's inputs

    assert is_loopback_url("http://127.0.0.1:8710") and is_loopback_url("https://[::1]")
    assert is_loopback_url("http://localhost:1")
    assert not is_loopback_url("https://10.1.2.3")
    assert not is_loopback_url("https://localhost.example")
    assert loopback_only(("http://127.0.0.1:1", "http://127.0.0.2:1"))
    assert not loopback_only(("http://127.0.0.1:1", "https://central.example"))
    assert not loopback_only(())


def test_kiosk_with_a_remote_central_does_not_resend_its_keys_on_403(tmp_path: Path) -> None:
    """The decision inside KioskCore._as_enrolled (no connection is made)."""
    config = parse_config({"data_dir": str(tmp_path), "kiosk_id": "K-remote",
                           "central": {"urls": ["https://10.1.2.3:8710"]}})
    core = KioskCore(config)
    enrolments: list[Any] = []
    core.enroll = lambda *a, **k: enrolments.append(a) or {}  # type: ignore[method-assign]

    def refused() -> None:
        raise CentralRejected(403, "kiosk 'K-remote' is not enrolled")

    with pytest.raises(CentralRejected) as info:
        core._as_enrolled(refused)
    assert info.value.status == 403 and "kiosk enroll" in info.value.reason
    assert enrolments == []


def test_kiosk_with_a_loopback_central_enrols_itself_and_verifies_signed(
        central: CentralServer, tmp_path: Path) -> None:
    """The demo path, through real HTTP: an unknown kiosk enrols on the first 403, and
    its online verification (the signed kiosk endpoint) gets the full result."""
    config = parse_config({"data_dir": str(tmp_path / "kiosk"), "kiosk_id": "K-demo",
                           "central": {"urls": [central.url]}})
    core = KioskCore(config).start(background_sync=False, open_devices=False)
    try:
        row = _demo("genuine special (01)")
        query = VerificationQuery("01", row["code"], row["number"], row["issued_on"],
                                  row["amount"])
        outcome = core.invoice_verify.verify(query, "zh")
        assert outcome.result.outcome.value == "genuine"
        assert outcome.result.checks_today == 1
    finally:
        core.stop()
    with httpx.Client(base_url=central.url, timeout=10) as http:
        assert http.get("/v1/admin/kiosks/K-demo").status_code == 200
