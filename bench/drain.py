"""Drain rate: a 10,000-record backlog in a kiosk outbox synced to the central service
over loopback, in records per second, with the central database on SQLite or on
PostgreSQL.

Everything is the real thing: the backlog is queued verification requests committed
through ``Outbox.enqueue`` (fsync per record), the kiosk side is the sync worker with
the kiosk's HTTP client and default batch size, and the central service runs in its
own process (``kiosk central``), storing and verifying every record before it answers.
The clock runs from the first batch to the last acknowledgement applied.

PostgreSQL: a fresh database on the server named by $KIOSK_TEST_POSTGRES_URL, or on a
cluster started here with deploy/dev/pg-test-cluster.sh (the script .ci/run uses;
durable settings unless $KIOSK_PGTEST_OPTIONS says otherwise), stopped again after.
The backlog is built once per size and copied for each backend.

    python -m bench.drain [sqlite|postgres] [N]
"""
from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import httpx

ROOT = Path(__file__).resolve().parent.parent
PG_SCRIPT = ROOT / "deploy" / "dev" / "pg-test-cluster.sh"
KIOSK_ID = "bench-drain"
_backlogs: dict[int, Path] = {}


def _backlog(n: int) -> Path:
    """A directory with keys/ and outbox.sqlite3 holding ``n`` pending verification
    requests; built once per ``n`` in this process."""
    if n in _backlogs:
        return _backlogs[n]
    from central.verification import china_today
    from kiosk.domain.invoice_qr import parse_invoice_qr
    from kiosk.domain.verification import query_from_qr
    from kiosk.simulation.demo import demo_qr_texts
    from offline_queue.crypto import KioskKeys
    from offline_queue.outbox import Outbox

    directory = Path(tempfile.mkdtemp(prefix="kiosk-drain-backlog-"))
    keys = KioskKeys.load_or_create(directory / "keys")
    queries = [query_from_qr(parse_invoice_qr(qr)).to_json()
               for _label, qr in demo_qr_texts(china_today())]
    with Outbox(directory / "outbox.sqlite3", KIOSK_ID, keys) as outbox:
        for i in range(n):
            outbox.enqueue("invoice.verify", queries[i % len(queries)])
        assert outbox.pending_count() == n
    _backlogs[n] = directory
    return directory


def _copy_backlog(source: Path, target: Path) -> None:
    shutil.copytree(source / "keys", target / "keys")
    src = sqlite3.connect(source / "outbox.sqlite3")
    dst = sqlite3.connect(target / "outbox.sqlite3")
    try:
        src.backup(dst)  # consistent copy, WAL included
    finally:
        src.close()
        dst.close()


def _pg(command: str) -> str:
    done = subprocess.run(["bash", str(PG_SCRIPT), command], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0 and command != "status":
        raise RuntimeError(f"pg-test-cluster.sh {command} failed: {done.stderr.strip()}")
    return done.stdout.strip() if done.returncode == 0 else ""


@contextmanager
def _database_url(backend: str, directory: Path) -> Iterator[str]:
    """A fresh, empty central database on ``backend``."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'central.sqlite3'}"
        return
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    server = os.environ.get("KIOSK_TEST_POSTGRES_URL")
    started = False
    if not server:
        # `status` answers by its exit code alone (no output): ask it that way, or a
        # cluster someone else started would be stopped under them afterwards.
        started = subprocess.run(["bash", str(PG_SCRIPT), "status"], capture_output=True,
                                 check=False).returncode != 0
        server = _pg("start")
    url = make_url(server)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    name = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()
        if started:
            _pg("stop")


@contextmanager
def _central(db_url: str, log_path: Path) -> Iterator[str]:
    """`kiosk central` in its own process on a free loopback port; yields its URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items()
           if k not in ("KIOSK_CENTRAL_ADMIN_TOKEN", "KIOSK_CENTRAL_ENROLMENT_TOKEN")}
    with log_path.open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "kiosk", "central", "--demo-data",
                                 "--db", db_url, "--port", str(port)],
                                stdout=log, stderr=subprocess.STDOUT, env=env)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    if httpx.get(url + "/v1/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the central service did not start:\n"
                                       + log_path.read_text()[-2000:])
                time.sleep(0.1)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def measure_drain_per_s(backend: Literal["sqlite", "postgres"], n: int = 10_000) -> float:
    """Records per second to drain an ``n``-record backlog to a central service whose
    database is ``backend``. Raises if any record is not accepted exactly once."""
    if backend not in ("sqlite", "postgres"):
        raise ValueError(f"backend must be 'sqlite' or 'postgres', not {backend!r}")
    from kiosk.central_client import CentralClient
    from kiosk.config import SyncConfig
    from offline_queue.crypto import KioskKeys
    from offline_queue.outbox import Outbox
    from offline_queue.sync_worker import SyncWorker

    source = _backlog(n)
    work = Path(tempfile.mkdtemp(prefix=f"kiosk-drain-{backend}-"))
    try:
        _copy_backlog(source, work)
        keys = KioskKeys.load_or_create(work / "keys")
        with _database_url(backend, work) as db_url, \
                _central(db_url, work / "central.log") as url:
            client = CentralClient((url,), KIOSK_ID, timeout_s=60.0)
            try:
                client.enroll(keys)
                with Outbox(work / "outbox.sqlite3", KIOSK_ID, keys) as outbox:
                    worker = SyncWorker(outbox, client.post_batch, work / "sync.lock",
                                        batch_size=SyncConfig().batch_size, jitter=0.0)
                    start = time.perf_counter()
                    report = worker.drain(timeout_s=900)
                    elapsed = time.perf_counter() - start
                    status = outbox.status()
            finally:
                client.close()
        if report.error or report.accepted != n or status.pending or status.acked != n:
            raise RuntimeError(f"drain incomplete on {backend}: {report}, {status}")
        return round(n / elapsed, 1)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    print(f"drain_per_s_{which}: {measure_drain_per_s(which, count)}")  # type: ignore[arg-type]
