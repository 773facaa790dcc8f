"""Where the central service may listen (issue #8, docs/security.md): `kiosk central` as a
real subprocess bound to 0.0.0.0 (reached through 127.0.0.1 only), tokens from files
and systemd credentials, the demo rules, and the shipped systemd unit started the way
systemd starts it."""
from __future__ import annotations

import base64
import os
import shlex
import socket
import ssl
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from mtls_certs import TestCA  # noqa: E402

pytestmark = pytest.mark.security

KIOSK = [sys.executable, "-m", "kiosk"]
UNIT = ROOT / "deploy" / "systemd" / "kiosk-central.service"
ADMIN = "admin-token-for-the-bind-tests"
ENROL = "enrolment-token-for-the-bind-tests"
DEMO_STAFF_KEY = "7511ddbb2ef47ea97e36588c9c1207d727f5e98d888b8ed141d31d9813f6788d"
START_S = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))
        return int(s.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("KIOSK_") and k != "CREDENTIALS_DIRECTORY"}
    return env | extra


def secret_file(path: Path, value: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(value + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


class Central:
    """`kiosk central ...` as a subprocess; `url` is reached through 127.0.0.1."""

    def __init__(self, argv: list[str], env: dict[str, str], port: int,
                 scheme: str = "http", umask: int | None = None) -> None:
        self.port, self.url = port, f"{scheme}://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True,
            preexec_fn=None if umask is None else (lambda: os.umask(umask)))

    def finish(self, timeout: float = START_S) -> tuple[int | None, str]:
        """Wait for the process to exit by itself: (exit code, stderr); None if it is
        still running (it started) - it is stopped then."""
        try:
            _, err = self.proc.communicate(timeout=timeout)
            return self.proc.returncode, err
        except subprocess.TimeoutExpired:
            self.stop()
            return None, ""

    def wait_ready(self, **client: Any) -> None:
        deadline = time.monotonic() + START_S
        while True:
            try:
                with httpx.Client(timeout=3, **client) as http:
                    if http.get(self.url + "/v1/health").status_code == 200:
                        return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise AssertionError("central exited: " + self.proc.communicate()[1][-2000:])
            assert time.monotonic() < deadline, "central did not start"
            time.sleep(0.2)

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stderr is None or self.proc.stderr.closed:
            return ""  # already read by finish() or wait_ready()
        return self.proc.communicate()[1]


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def public_central(tmp: Path, *flags: str, **env: str) -> Central:
    port = free_port()
    argv = KIOSK + ["central", "--host", "0.0.0.0", "--port", str(port),
                    "--db", f"sqlite:///{tmp / 'central.db'}", *flags]
    return Central(argv, clean_env(**env), port)


def refused(central: Central) -> str:
    """The central process exited 2 by itself, without ever listening; its stderr."""
    code, err = central.finish()
    assert code == 2, f"expected a refusal (exit 2), got {code}; stderr: {err[-1500:]}"
    assert not listening(central.port)
    return err


def enrol_request(kiosk_id: str, token: str | None = None) -> dict[str, Any]:
    key = base64.b64encode(os.urandom(32)).decode()
    return {"kiosk_id": kiosk_id, "public_key": key, "data_key": key, "token": token}


def kiosks_in(db: Path) -> list[str]:
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            return [r[0] for r in conn.execute(text("SELECT kiosk_id FROM kiosks"))]
    finally:
        engine.dispose()


def assert_closed_to_strangers(central: Central, db: Path, **client: Any) -> None:
    """Admin and enrolment refuse a caller without the tokens, and nothing changes."""
    with httpx.Client(base_url=central.url, timeout=10, **client) as http:
        assert http.get("/v1/admin/kiosks/hall-01.t1").status_code == 401
        assert http.post("/v1/admin/reference", json={
            "kind": "staff", "key": "x" * 64,
            "body": {"staff_id": "EVIL", "roles": ["technician"], "pin": "x"}}
        ).status_code == 401
        assert http.get("/v1/audit/kiosks/hall-01.t1/records").status_code == 401
        admin = {"Authorization": f"Bearer {ADMIN}"}
        wrong = http.post("/v1/kiosks/enroll", json=enrol_request("stranger.t2", "guess"))
        assert wrong.status_code in (401, 403), wrong.text
        assert http.get("/v1/admin/kiosks/stranger.t2", headers=admin).status_code == 404
        # Without a token: refused, or at most parked for an operator's approval
        # (granted nothing); never an enrolled kiosk.
        stranger = http.post("/v1/kiosks/enroll", json=enrol_request("stranger.t1"))
        if stranger.status_code == 200:
            assert stranger.json().get("approved") is False, stranger.text
            view = http.get("/v1/admin/kiosks/stranger.t1", headers=admin)
            assert view.status_code == 200 and view.json().get("approved") is False
        else:
            assert stranger.status_code in (401, 403), stranger.text
            assert http.get("/v1/admin/kiosks/stranger.t1", headers=admin).status_code == 404
    assert kiosks_in(db) in ([], ["stranger.t1"])
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM reference_items "
                                     "WHERE kind != 'certificate_key'")).scalar() == 0
    finally:
        engine.dispose()


@pytest.fixture
def pki(tmp_path: Path) -> Iterator[dict[str, Any]]:
    ca = TestCA(tmp_path / "pki")
    yield {"ca": ca, "server": ca.server(), "client": ca.client("hall-01.t1")}


# --- refusals ----------------------------------------------------------------------

def test_public_bind_without_tokens_refuses_and_never_listens(tmp_path: Path) -> None:
    err = refused(public_central(tmp_path))
    line = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert len(line) == 1, err
    assert "admin token" in line[0] and "enrolment token" in line[0] and "0.0.0.0" in line[0]
    assert not (tmp_path / "central.db").exists()  # refused before touching the database


def test_public_bind_with_tokens_but_without_tls_refuses(tmp_path: Path) -> None:
    err = refused(public_central(tmp_path, KIOSK_CENTRAL_ADMIN_TOKEN=ADMIN,
                                 KIOSK_CENTRAL_ENROLMENT_TOKEN=ENROL))
    assert "TLS" in err and "--ssl-certfile" in err and "--insecure-demo" in err
    assert "admin token" not in err
    assert not (tmp_path / "central.db").exists()


def test_insecure_demo_waives_tls_never_the_tokens(tmp_path: Path) -> None:
    err = refused(public_central(tmp_path, "--insecure-demo",
                                 KIOSK_CENTRAL_ENROLMENT_TOKEN=ENROL))
    assert "admin token" in err and "enrolment token" not in err


def test_unreadable_token_file_refuses_with_the_reason(tmp_path: Path) -> None:
    err = refused(public_central(
        tmp_path, "--insecure-demo",
        KIOSK_CENTRAL_ADMIN_TOKEN_FILE=str(tmp_path / "missing-token"),
        KIOSK_CENTRAL_ENROLMENT_TOKEN=ENROL))
    assert "KIOSK_CENTRAL_ADMIN_TOKEN_FILE" in err and "missing-token" in err


def test_demo_data_on_a_public_address_needs_insecure_demo(
        tmp_path: Path, pki: dict[str, Any]) -> None:
    server = pki["server"]
    tls = ["--ssl-certfile", str(server.cert), "--ssl-keyfile", str(server.key)]
    err = refused(public_central(tmp_path, "--demo-data", *tls,
                                 KIOSK_CENTRAL_ADMIN_TOKEN=ADMIN,
                                 KIOSK_CENTRAL_ENROLMENT_TOKEN=ENROL))
    assert "--demo-data" in err and "--insecure-demo" in err
    assert not (tmp_path / "central.db").exists()


# --- tokens from files and credentials ---------------------------------------------

def test_tokens_from_files_close_admin_and_enrolment(tmp_path: Path) -> None:
    central = public_central(
        tmp_path, "--insecure-demo",
        KIOSK_CENTRAL_ADMIN_TOKEN_FILE=str(secret_file(tmp_path / "s" / "admin", ADMIN)),
        KIOSK_CENTRAL_ENROLMENT_TOKEN_FILE=str(secret_file(tmp_path / "s" / "enrol", ENROL)))
    try:
        central.wait_ready()
        assert_closed_to_strangers(central, tmp_path / "central.db")
        with httpx.Client(base_url=central.url, timeout=10) as http:
            ok = http.post("/v1/kiosks/enroll", json=enrol_request("hall-01.t1", ENROL))
            assert ok.status_code == 200, ok.text
            seen = http.get("/v1/admin/kiosks/hall-01.t1",
                            headers={"Authorization": f"Bearer {ADMIN}"})
            assert seen.status_code == 200 and seen.json()["kiosk_id"] == "hall-01.t1"
    finally:
        err = central.stop()
    assert ADMIN not in err and ENROL not in err


def test_tokens_from_systemd_credentials(tmp_path: Path) -> None:
    creds = tmp_path / "creds"
    secret_file(creds / "admin-token", ADMIN)
    secret_file(creds / "enrolment-token", ENROL)
    central = public_central(tmp_path, "--insecure-demo", CREDENTIALS_DIRECTORY=str(creds))
    try:
        central.wait_ready()
        assert_closed_to_strangers(central, tmp_path / "central.db")
        with httpx.Client(base_url=central.url, timeout=10) as http:
            assert http.get("/v1/admin/kiosks/x", headers={
                "Authorization": f"Bearer {ADMIN}"}).status_code == 404
    finally:
        central.stop()


def test_token_file_flags_and_workers_keep_the_tokens(tmp_path: Path) -> None:
    """--admin-token-file / --enrolment-token-file (no token in argv), and every
    `--workers` process checks the tokens the parent read."""
    admin_file = secret_file(tmp_path / "s" / "admin", ADMIN)
    enrol_file = secret_file(tmp_path / "s" / "enrol", ENROL)
    both = refused(public_central(tmp_path, "--insecure-demo", "--admin-token-file",
                                  str(admin_file), "--enrolment-token", "x",
                                  "--enrolment-token-file", str(enrol_file)))
    assert "not both" in both
    central = public_central(tmp_path, "--insecure-demo", "--workers", "2",
                             "--admin-token-file", str(admin_file),
                             "--enrolment-token-file", str(enrol_file))
    try:
        central.wait_ready()
        assert_closed_to_strangers(central, tmp_path / "central.db")
        with httpx.Client(base_url=central.url, timeout=10) as http:
            for _ in range(6):  # new connections: more than one worker answers
                assert http.get("/v1/admin/kiosks/x", headers={
                    "Authorization": f"Bearer {ADMIN}", "Connection": "close"}
                ).status_code == 404
                assert http.get("/v1/admin/kiosks/x",
                                headers={"Connection": "close"}).status_code == 401
    finally:
        central.stop()


# --- demo accounts -----------------------------------------------------------------

def demo_staff_rows(db: Path) -> list[tuple[Any, ...]]:
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(
                "SELECT key, deleted, body, updated_seq FROM reference_items "
                "WHERE kind = 'staff'"))]
    finally:
        engine.dispose()


def test_demo_staff_account_is_withdrawn_by_a_start_without_demo_data(tmp_path: Path) -> None:
    db = tmp_path / "central.db"

    def serve(*flags: str) -> None:
        port = free_port()
        central = Central(KIOSK + ["central", "--port", str(port), "--db", f"sqlite:///{db}",
                                   *flags], clean_env(), port)
        try:
            central.wait_ready()
        finally:
            central.stop()

    serve("--demo-data")
    [(key, deleted, body, seq)] = demo_staff_rows(db)
    assert key == DEMO_STAFF_KEY and not deleted and "DEMO01" in body
    serve()
    [(key, deleted, body, later)] = demo_staff_rows(db)
    # Withdrawn through the reference path: a deletion with a new seq reaches kiosks.
    assert key == DEMO_STAFF_KEY and deleted and body is None and later > seq
    serve()  # stays withdrawn, no new change
    assert demo_staff_rows(db) == [(key, deleted, body, later)]


# --- the shipped unit --------------------------------------------------------------

def parse_unit(path: Path) -> dict[str, list[str]]:
    """The [Service] settings of a unit file: name -> values in order (continuation
    lines joined)."""
    settings: dict[str, list[str]] = {}
    section, pending = "", ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = pending + raw.strip()
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line
            continue
        if section == "[Service]":
            name, _, value = line.partition("=")
            settings.setdefault(name.strip(), []).append(value.strip())
    return settings


def test_the_systemd_unit_starts_with_tls_mtls_and_credentials(
        tmp_path: Path, pki: dict[str, Any]) -> None:
    unit = parse_unit(UNIT)
    assert "Environment" not in unit or not any("TOKEN" in e for e in unit["Environment"]), \
        "tokens belong in credentials, not in the environment"
    assert unit.get("UMask") == ["0077"]
    for hardening in ("NoNewPrivileges", "ProtectSystem", "PrivateTmp", "ProtectHome"):
        assert hardening in unit, f"{hardening}= missing"
    assert unit["ProtectSystem"] == ["strict"] and "StateDirectory" in unit

    # The files the unit names, made here: /etc/kiosk-central -> etc, state -> state.
    etc, state, creds = tmp_path / "etc", tmp_path / "state", tmp_path / "creds"
    ca, server = pki["ca"], pki["server"]
    sources = {"tls/server.pem": server.cert.read_bytes(),
               "tls/server.key": server.key.read_bytes(),
               "tls/kiosk-ca.pem": ca.ca_file.read_bytes(),
               "admin-token": f"{ADMIN}\n".encode(), "enrolment-token": f"{ENROL}\n".encode()}
    for name, data in sources.items():
        (etc / name).parent.mkdir(parents=True, exist_ok=True)
        (etc / name).write_bytes(data)
        (etc / name).chmod(0o600)
    state.mkdir(mode=0o700)

    def local(value: str) -> str:
        return (value.replace("/etc/kiosk-central", str(etc))
                .replace("/var/lib/kiosk-central", str(state)).replace("%d", str(creds)))

    # LoadCredential=ID:PATH - systemd copies PATH to $CREDENTIALS_DIRECTORY/ID.
    creds.mkdir(mode=0o700)
    for spec in unit.get("LoadCredential", []):
        cred_id, _, source = spec.partition(":")
        (creds / cred_id).write_bytes(Path(local(source)).read_bytes())
        (creds / cred_id).chmod(0o400)
    env = clean_env(CREDENTIALS_DIRECTORY=str(creds))
    for assignment in unit.get("Environment", []):
        for word in shlex.split(assignment):
            name, _, value = word.partition("=")
            env[name] = local(value)

    [exec_start] = unit["ExecStart"]
    argv = shlex.split(local(exec_start))
    assert argv[0].endswith("/bin/kiosk") and argv[1] == "central"
    for flag in ("--ssl-certfile", "--ssl-keyfile", "--ssl-ca-certs"):
        assert flag in argv, f"the unit must serve mutual TLS ({flag})"
    assert "--insecure-demo" not in argv and "--demo-data" not in argv
    assert argv[argv.index("--host") + 1] == "0.0.0.0"
    port = free_port()
    argv[argv.index("--port") + 1] = str(port)
    central = Central(KIOSK + argv[1:], env, port, scheme="https",
                      umask=int(unit["UMask"][0], 8))
    client = ssl.create_default_context(cafile=str(ca.ca_file))
    client.load_cert_chain(str(pki["client"].cert), str(pki["client"].key))
    try:
        central.wait_ready(verify=client)
        db = state / "central.sqlite3"
        assert_closed_to_strangers(central, db, verify=client)
        with httpx.Client(base_url=central.url, verify=client, timeout=10) as http:
            assert http.get("/v1/admin/kiosks/x", headers={
                "Authorization": f"Bearer {ADMIN}"}).status_code == 404
        # A client without a certificate does not get past the handshake.
        with pytest.raises(httpx.HTTPError):
            with httpx.Client(verify=ssl.create_default_context(cafile=str(ca.ca_file)),
                              timeout=5) as anonymous:
                anonymous.get(central.url + "/v1/health")
        with pytest.raises(httpx.HTTPError):  # nor does plain HTTP
            httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=5)
        # UMask=0077: what the service creates is its own.
        assert stat.S_IMODE(db.stat().st_mode) & 0o077 == 0
    finally:
        central.stop()
