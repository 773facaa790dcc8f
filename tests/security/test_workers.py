"""Several worker processes behind one port (issue #14 §6) keep the per-request
guarantees of one process: a signed kiosk request is answered once even when its
replays reach other workers (the replay marks live in the database,
central.replay_db). A real `kiosk central --workers 2` subprocess on loopback, on
SQLite and (with $KIOSK_TEST_POSTGRES_URL) on PostgreSQL; and two instances on one
database, as behind a proxy."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "central"))
from central_backends import postgres_database  # noqa: E402
from central_helpers import (  # noqa: E402
    ADMIN_TOKEN,
    ENROLMENT_TOKEN,
    SealingKiosk,
    demo,
    signed_verify_body,
    verify_body,
)

pytestmark = pytest.mark.security
KIOSK_BIN = Path(sys.executable).with_name("kiosk")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    database: AbstractContextManager[str]
    if request.param == "sqlite":
        database = nullcontext(f"sqlite:///{tmp_path / 'central.db'}")
    else:
        if not os.environ.get("KIOSK_TEST_POSTGRES_URL"):
            pytest.skip("PostgreSQL variant: $KIOSK_TEST_POSTGRES_URL is not set")
        database = postgres_database()
    with database as url:
        yield url


@contextmanager
def central(db_url: str, tmp_path: Path, *extra: str) -> Iterator[str]:
    """`kiosk central EXTRA...` on a free loopback port; yields its base URL."""
    (tmp_path / "admin").write_text(ADMIN_TOKEN + "\n")
    (tmp_path / "enrol").write_text(ENROLMENT_TOKEN + "\n")
    port = _free_port()
    log_path = tmp_path / f"central-{port}.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [str(KIOSK_BIN), "central", *extra, "--db", db_url, "--port", str(port),
         "--admin-token-file", str(tmp_path / "admin"),
         "--enrolment-token-file", str(tmp_path / "enrol")],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail("central exited:\n" + log_path.read_text())
            try:
                if httpx.get(base + "/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "central did not answer within 90 s"
            time.sleep(0.2)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        log.close()


@pytest.fixture
def workers(db_url: str, tmp_path: Path) -> Iterator[str]:
    """The base URL of `kiosk central --workers 2` on a fresh database."""
    with central(db_url, tmp_path, "--workers", "2") as base:
        yield base


def _signed_verify(base: str, kiosk_id: str) -> tuple[SealingKiosk, dict[str, object]]:
    kiosk = SealingKiosk(kiosk_id)
    enrolled = httpx.post(base + "/v1/kiosks/enroll", json=kiosk.enrol_body(), timeout=10)
    assert enrolled.status_code == 200, enrolled.text
    return kiosk, signed_verify_body(kiosk.kiosk_id, kiosk.keys,
                                     verify_body(demo("genuine special (01)")))


def test_a_replay_sent_to_another_instance_is_refused(db_url: str, tmp_path: Path) -> None:
    """Two instances on one database (behind one proxy): the request answered by one
    is a replay for the other."""
    with central(db_url, tmp_path) as first, central(db_url, tmp_path) as second:
        kiosk, body = _signed_verify(first, "K-instances-1")
        path = f"/v1/kiosks/{kiosk.kiosk_id}/verify"
        codes = [httpx.post(base + path, json=body, timeout=20).status_code
                 for base in (first, second, first, second)]
        assert codes == [200, 409, 409, 409], codes


def test_a_replayed_kiosk_request_is_answered_once_across_workers(workers: str) -> None:
    kiosk, body = _signed_verify(workers, "K-workers-1")

    def send(_: int) -> int:
        # A new connection each time: the kernel hands it to either worker.
        with httpx.Client(timeout=20) as http:
            return http.post(f"{workers}/v1/kiosks/{kiosk.kiosk_id}/verify",
                             json=body).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(send, range(40)))
    assert codes.count(200) == 1, codes
    assert set(codes) == {200, 409}, codes
