"""The central service under 200 kiosks (issue #14 §6): `central_requests_per_s` and
the p99 latency of a steady load.

`kiosk central --workers N` runs in its own processes on PostgreSQL (a fresh database
on $KIOSK_TEST_POSTGRES_URL's server, or on a cluster started with
deploy/dev/pg-test-cluster.sh, as bench/drain.py does), or on SQLite with one worker
when no PostgreSQL can be had. A bounded asyncio client on loopback enrols 200 kiosks
(not timed), then drives them with what kiosks send: signed heartbeats, sync batches
of 5 sealed records (invoice verifications, stored and verified before the answer),
and signed online verifications, in the ratio 2:1:1.

After a 3 s warm-up at the steady rate (not measured: each worker's first requests
open its database connections and compile its statements), two phases, each bounded
in time and in requests:
- steady: every kiosk sends one request a second on average (Poisson arrivals, 200/s
  offered): p50/p99 latency, the target being p99 < 200 ms;
- saturation: every kiosk sends its next request as soon as the last is answered
  (200 in flight): `central_requests_per_s`, what the service sustains.

The client runs on the same 2 cores as the service, so it takes a share of the CPU
the service could use: the figures are a lower bound for a dedicated server.

    python -m bench.central_load [--kiosks 200] [--seconds 15] [--workers 2] [--sqlite]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.drain import _database_url

ENROLMENT_TOKEN = "bench-load-enrolment-token"
MAX_REQUESTS = 200_000  # per phase, whatever the duration
WARM_UP_S = 3.0  # of the steady load, before the measured phases


class LoadKiosk:
    """One simulated kiosk: its keys, its record chain, the bodies it sends."""

    def __init__(self, kiosk_id: str, queries: list[dict[str, Any]]) -> None:
        from offline_queue.crypto import GENESIS_HASH, KioskKeys

        self.kiosk_id = kiosk_id
        self.keys = KioskKeys.generate()
        self.seq = 0
        self.prev_hash = GENESIS_HASH
        self.queries = queries
        self.last_sent = datetime.now(UTC) - timedelta(seconds=60)

    def _sent_at(self) -> str:
        # Strictly increasing: heartbeats must be newer than the last one.
        now = max(datetime.now(UTC), self.last_sent + timedelta(microseconds=1))
        self.last_sent = now
        return now.isoformat()

    def enrol_body(self) -> dict[str, Any]:
        from offline_queue.crypto import b64e

        return {"kiosk_id": self.kiosk_id, "public_key": b64e(self.keys.public_key),
                "data_key": b64e(self.keys.data_key), "token": ENROLMENT_TOKEN,
                "hall_id": f"hall-{int(self.kiosk_id.rsplit('-', 1)[1]) % 20:02d}"}

    def heartbeat(self) -> tuple[str, dict[str, Any]]:
        from offline_queue.crypto import b64e, content_digest
        from offline_queue.wire import Heartbeat

        body = Heartbeat(kiosk_id=self.kiosk_id, sent_at=self._sent_at(),
                         software_version="bench", queue_depth=self.seq % 7,
                         oldest_pending_age_s=1.0, devices={
                             "printer": {"kind": "printer", "state": "idle",
                                         "error": None, "condition": None}}
                         ).model_dump(mode="json")
        body["signature"] = b64e(self.keys.sign(content_digest(body)))
        return f"/v1/kiosks/{self.kiosk_id}/heartbeat", body

    def verify(self) -> tuple[str, dict[str, Any]]:
        from offline_queue.crypto import b64e, content_digest
        from offline_queue.wire import KioskVerifyRequest

        body = KioskVerifyRequest(kiosk_id=self.kiosk_id, sent_at=self._sent_at(),
                                  **random.choice(self.queries)).model_dump(mode="json")
        body["signature"] = b64e(self.keys.sign(content_digest(body)))
        return f"/v1/kiosks/{self.kiosk_id}/verify", body

    def batch(self, size: int = 5) -> tuple[str, dict[str, Any]]:
        from offline_queue.crypto import b64e, encrypt_payload, record_hash
        from offline_queue.wire import SyncBatch, WireRecord

        records = []
        for _ in range(size):
            seq = self.seq + 1
            rid = str(uuid.uuid4())
            created = datetime.now(UTC)
            payload = random.choice(self.queries) | {"reference": f"R{seq}"}
            nonce, ciphertext = encrypt_payload(self.keys.data_key, payload, self.kiosk_id,
                                                seq, rid)
            digest = record_hash(self.kiosk_id, seq, rid, "invoice.verify", created,
                                 self.prev_hash, nonce, ciphertext)
            records.append(WireRecord(
                kiosk_id=self.kiosk_id, seq=seq, uuid=rid, kind="invoice.verify",
                created_at=created, nonce=b64e(nonce), ciphertext=b64e(ciphertext),
                prev_hash=self.prev_hash, hash=digest,
                signature=b64e(self.keys.sign(digest))))
            self.seq, self.prev_hash = seq, digest
        return "/v1/sync/batch", SyncBatch(kiosk_id=self.kiosk_id,
                                           records=records).model_dump(mode="json")

    def next_request(self) -> tuple[str, dict[str, Any]]:
        pick = random.random()
        if pick < 0.5:
            return self.heartbeat()
        return self.batch() if pick < 0.75 else self.verify()


def _queries() -> list[dict[str, Any]]:
    from central.verification import china_today
    from kiosk.domain.invoice_qr import parse_invoice_qr
    from kiosk.domain.verification import query_from_qr
    from kiosk.simulation.demo import demo_qr_texts

    return [query_from_qr(parse_invoice_qr(qr)).to_json()
            for _label, qr in demo_qr_texts(china_today())]


@contextmanager
def _central(db_url: str, workers: int, log_path: Path) -> Iterator[str]:
    """`kiosk central --workers N` on a free loopback port; yields its URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_CENTRAL_")}
    env["KIOSK_CENTRAL_ENROLMENT_TOKEN"] = ENROLMENT_TOKEN
    with log_path.open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "kiosk", "central", "--demo-data",
                                 "--db", db_url, "--port", str(port),
                                 "--workers", str(workers)],
                                stdout=log, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
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
            proc.terminate()  # uvicorn's supervisor stops its workers
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait()


async def _phase(clients: dict[str, httpx.AsyncClient], kiosks: list[LoadKiosk],
                 seconds: float, rate_per_kiosk: float | None) -> dict[str, Any]:
    """Drive every kiosk for `seconds`: Poisson arrivals at `rate_per_kiosk` a second
    each, or (None) closed loop. Returns latencies (ms), counts and the elapsed time."""
    latencies: list[float] = []
    failures: dict[int | str, int] = {}  # status code, or the transport error's name
    sent = 0
    stop_at = time.perf_counter() + seconds

    async def run(kiosk: LoadKiosk) -> None:
        nonlocal sent
        http = clients[kiosk.kiosk_id]
        if rate_per_kiosk:  # memoryless from the start: 200/s offered from t=0
            # (a uniform spread over the first second, plus the exponential gaps after
            # each first request, offered ~270 requests in the first second)
            await asyncio.sleep(random.expovariate(rate_per_kiosk))
        while time.perf_counter() < stop_at and sent < MAX_REQUESTS:
            path, body = kiosk.next_request()
            sent += 1
            started = time.perf_counter()
            code: int | str
            try:
                response = await http.post(path, json=body)
                code = response.status_code
            except httpx.HTTPError as exc:
                code = type(exc).__name__
            latencies.append((time.perf_counter() - started) * 1000.0)
            if code != 200:
                failures[code] = failures.get(code, 0) + 1
            if rate_per_kiosk:
                # Never past the phase's end: a kiosk sleeping on (the longest of 200
                # gaps is ~5 s) would hold the phase open while the others' kept-alive
                # connections reach uvicorn's 5 s idle timeout, and the next phase's
                # first requests would race those closes (ReadError).
                await asyncio.sleep(min(random.expovariate(rate_per_kiosk),
                                        max(0.0, stop_at - time.perf_counter())))

    began = time.perf_counter()
    await asyncio.gather(*(run(k) for k in kiosks))
    return {"latencies": latencies, "failures": failures,
            "elapsed": time.perf_counter() - began}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


async def _drive(url: str, kiosks: int, seconds: float) -> dict[str, Any]:
    queries = _queries()
    fleet = [LoadKiosk(f"bench-load-{i:03d}", queries) for i in range(kiosks)]
    # One client and one kept-alive connection per kiosk, as in a hall. One shared
    # client with a 200-connection pool measured itself instead: httpcore scans its
    # whole pool for every request (O(n) each, O(n^2) in flight), ~80 % of the
    # client's CPU, and the service sat idle at ~60 requests/s.
    one = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with AsyncExitStack() as stack:
        clients = {k.kiosk_id: await stack.enter_async_context(
            httpx.AsyncClient(base_url=url, limits=one, timeout=30.0)) for k in fleet}
        gate = asyncio.Semaphore(20)

        async def enrol(kiosk: LoadKiosk) -> None:
            async with gate:
                answer = await clients[kiosk.kiosk_id].post("/v1/kiosks/enroll",
                                                            json=kiosk.enrol_body())
                answer.raise_for_status()

        await asyncio.gather(*(enrol(k) for k in fleet))
        # Not measured: the workers' first requests of each kind open their database
        # connections and fill SQLAlchemy's statement caches (~250 ms p99 in the
        # first two seconds, then steady); a central service runs for weeks.
        await _phase(clients, fleet, WARM_UP_S, rate_per_kiosk=1.0)
        steady = await _phase(clients, fleet, seconds, rate_per_kiosk=1.0)
        saturated = await _phase(clients, fleet, seconds, rate_per_kiosk=None)
    bad = {**steady["failures"]}
    for code, count in saturated["failures"].items():
        bad[code] = bad.get(code, 0) + count
    if bad:
        print(f"central_load: answers other than 200: {bad}", file=sys.stderr)
    return {
        "central_requests_per_s": round(len(saturated["latencies"]) / saturated["elapsed"], 1),
        "central_p99_ms": round(_percentile(steady["latencies"], 0.99), 1),
        "central_p50_ms": round(_percentile(steady["latencies"], 0.50), 1),
        "central_steady_requests_per_s": round(len(steady["latencies"]) / steady["elapsed"], 1),
        "central_saturated_p99_ms": round(_percentile(saturated["latencies"], 0.99), 1),
        "central_errors": sum(bad.values()),
    }


def measure(kiosks: int = 200, seconds: float = 15.0, workers: int = 2,
            backend: str | None = None) -> dict[str, Any]:
    """The figures above; PostgreSQL unless none can be had (or backend="sqlite")."""
    work = Path(tempfile.mkdtemp(prefix="kiosk-central-load-"))
    try:
        chosen = backend or "postgres"
        try:
            database = _database_url(chosen, work)
            db_url = database.__enter__()
        except Exception as exc:  # noqa: BLE001 - no PostgreSQL here: say so, use SQLite
            print(f"central_load: PostgreSQL unavailable ({exc}); SQLite, 1 worker",
                  file=sys.stderr)
            chosen, workers = "sqlite", 1
            database = _database_url("sqlite", work)
            db_url = database.__enter__()
        try:
            with _central(db_url, workers, work / "central.log") as url:
                results = asyncio.run(_drive(url, kiosks, seconds))
        finally:
            database.__exit__(None, None, None)
        results["central_load_backend"] = f"{chosen}, {workers} worker(s), {kiosks} kiosks"
        return results
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.central_load")
    parser.add_argument("--kiosks", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sqlite", action="store_true")
    options = parser.parse_args()
    for name, value in measure(options.kiosks, min(options.seconds, 120.0), options.workers,
                               "sqlite" if options.sqlite else None).items():
        print(f"{name}: {value}")
