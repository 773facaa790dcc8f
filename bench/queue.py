"""The durable queue: enqueue latency and throughput with fsync, beside persist-queue's
SQLite ack queue at the same durability; drain rates (bench/drain.py); the longest GUI
stall while the kiosk's sync worker drains a backlog; and the fault campaign's lost and
duplicated totals (.fault-summary.json, written by `make test` / `make fault`).

Same machine, same run, same payload: the outbox and persist-queue are measured in
alternating chunks, so that a disk whose fsync latency wanders (shared CI hosts) hurts
both alike.

    python -m bench.queue
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FAULT_SUMMARY = ROOT / ".fault-summary.json"
#: A queued verification request's size: what a kiosk really enqueues.
PAYLOAD: dict[str, Any] = {"type_code": "10", "code": "033001800111", "number": "25672225",
                           "issued_on": "2018-06-10", "amount": None,
                           "check_code_last6": "123456", "reference": "R" * 24,
                           "note": "x" * 120}
CHUNK = 100
ROUNDS = 10
THREADS = 4


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _persist_queue(path: Path) -> Any:
    """persist-queue's SQLiteAckQueue at the outbox's durability: WAL (its default) and
    synchronous=FULL on both of its connections, a commit per put (auto_commit), and
    a separate connection for puts (multithreading)."""
    import persistqueue

    queue: Any = persistqueue.SQLiteAckQueue(str(path), multithreading=True, auto_commit=True)
    for conn in {id(queue._putter): queue._putter, id(queue._getter): queue._getter}.values():
        conn.execute("PRAGMA synchronous=FULL")
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    return queue


def _timed(put: Callable[[], object], count: int, threads: int,
           latencies: list[float] | None) -> float:
    """Seconds for ``count`` puts spread over ``threads`` threads."""
    per = count // threads

    def work() -> None:
        for _ in range(per):
            start = time.perf_counter()
            put()
            if latencies is not None:
                latencies.append((time.perf_counter() - start) * 1000)

    if threads == 1:
        start = time.perf_counter()
        work()
        return time.perf_counter() - start
    workers = [threading.Thread(target=work) for _ in range(threads)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return time.perf_counter() - start


def _sealed_putter(queue: Any) -> Callable[[], None]:
    """persist-queue storing what the outbox stores: each put seals the payload first
    (AES-GCM, hash chain, Ed25519 signature, as Outbox.enqueue does). Not a target,
    context: it separates the cost of storage from the cost of sealing."""
    from datetime import datetime
    from uuid import uuid4

    from offline_queue.crypto import (
        GENESIS_HASH,
        KioskKeys,
        encrypt_payload,
        record_hash,
    )

    keys, kiosk_id = KioskKeys.generate(), "bench-sealed"
    chain: dict[str, Any] = {"seq": 0, "prev": GENESIS_HASH}

    def put() -> None:
        seq, prev, record_uuid = chain["seq"] + 1, str(chain["prev"]), str(uuid4())
        created_at = datetime.now(UTC)
        nonce, ciphertext = encrypt_payload(keys.data_key, PAYLOAD, kiosk_id, seq,
                                            record_uuid)
        digest = record_hash(kiosk_id, seq, record_uuid, "invoice.verify", created_at,
                             prev, nonce, ciphertext)
        queue.put((seq, record_uuid, "invoice.verify", created_at.isoformat(), nonce,
                   ciphertext, prev, digest, keys.sign(digest)))
        chain["seq"], chain["prev"] = seq, digest

    return put


def measure_enqueue(tmp: Path) -> dict[str, float]:
    from offline_queue.crypto import KioskKeys
    from offline_queue.outbox import Outbox

    outbox = Outbox(tmp / "outbox.sqlite3", "bench-queue", KioskKeys.generate())
    with outbox._engine.connect() as conn:  # the settings the numbers are claimed for
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
    queue = _persist_queue(tmp / "persistqueue")
    sealed_queue = _persist_queue(tmp / "persistqueue-sealed")
    subjects: dict[str, Callable[[], object]] = {
        "outbox": lambda: outbox.enqueue("invoice.verify", PAYLOAD),
        "persistqueue": lambda: queue.put(PAYLOAD),
        "persistqueue_sealed": _sealed_putter(sealed_queue),
    }
    latencies: list[float] = []
    spent = {(name, threads): 0.0 for name in subjects for threads in (1, THREADS)}
    for put in subjects.values():  # warm-up: files, caches, first compiles
        _timed(put, 50, 1, None)
    for _ in range(ROUNDS):
        for threads in (1, THREADS):
            for name, put in subjects.items():
                if name == "persistqueue_sealed" and threads > 1:
                    continue  # its chain needs one writer at a time
                lat = latencies if (name, threads) == ("outbox", 1) else None
                spent[(name, threads)] += _timed(put, CHUNK, threads, lat)
    outbox.close()
    queue.close()
    sealed_queue.close()
    rate = {key: round(ROUNDS * CHUNK / seconds) for key, seconds in spent.items() if seconds}
    return {
        "enqueue_p50_ms": round(statistics.median(latencies), 2),
        "enqueue_p99_ms": round(_p(latencies, 0.99), 2),
        "enqueue_per_s": rate[("outbox", 1)],
        "enqueue_per_s_persistqueue": rate[("persistqueue", 1)],
        "enqueue_per_s_persistqueue_sealed": rate[("persistqueue_sealed", 1)],
        f"enqueue_per_s_{THREADS}threads": rate[("outbox", THREADS)],
        f"enqueue_per_s_persistqueue_{THREADS}threads": rate[("persistqueue", THREADS)],
    }


def measure_drain() -> dict[str, float]:
    """bench/drain.py's figures; PostgreSQL only where a cluster can be had."""
    from bench.drain import measure_drain_per_s

    results = {"drain_per_s_sqlite": measure_drain_per_s("sqlite")}
    try:
        results["drain_per_s_postgres"] = measure_drain_per_s("postgres")
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL here: say so, measure the rest
        print(f"drain_per_s_postgres omitted: {exc}", file=sys.stderr)
    return results


def measure_drain_gui_stall(tmp: Path, backlog: int = 2000) -> dict[str, float]:
    """The real main window (offscreen) with a 2 ms QTimer on the GUI thread, while the
    core's own sync worker thread drains a backlog of queued verification requests to a
    central service in its own process."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from dataclasses import replace

    from PySide6.QtWidgets import QApplication

    from bench.verification import StallMeter, start_central_process
    from central.verification import china_today
    from kiosk.app import KioskCore
    from kiosk.config import parse_config
    from kiosk.domain.invoice_qr import parse_invoice_qr
    from kiosk.domain.verification import query_from_qr
    from kiosk.simulation import SimulatedHall
    from kiosk.simulation.demo import demo_qr_texts
    from ui.i18n import Translations
    from ui.idle import ManualClock
    from ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    central, central_url = start_central_process(tmp)
    hall = SimulatedHall(tmp / "hall", central_url=central_url).start()
    base = parse_config({"data_dir": str(tmp / "kiosk"), "kiosk_id": "bench-drain-gui"})
    base = replace(base, central=replace(base.central, offline_grace_s=600.0))
    core = KioskCore(hall.kiosk_config(base)).start(background_sync=False)
    translations = Translations(app, default_language="zh")
    translations.reset()
    window = MainWindow(core.config, translations, core=core, idle_clock=ManualClock(),
                        kiosk_mode=False)
    try:
        queries = [query_from_qr(parse_invoice_qr(qr)).to_json()
                   for _label, qr in demo_qr_texts(china_today())]
        fillers = [threading.Thread(target=lambda k=k: [
            core.outbox.enqueue("invoice.verify", queries[i % len(queries)])
            for i in range(k, backlog, 8)]) for k in range(8)]
        for filler in fillers:
            filler.start()
        for filler in fillers:
            filler.join()
        window.resize(1080, 1600)
        window.show()
        end = time.perf_counter() + 0.5
        while time.perf_counter() < end:
            app.processEvents()
        meter = StallMeter()
        meter.start()  # the same window idle first: what the machine alone costs
        end = time.perf_counter() + 3.0
        while time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.001)
        idle_stall = meter.stop()
        meter.start()
        started = time.perf_counter()
        assert core.sync is not None
        core.sync.start(interval_s=0.5)
        deadline = started + 600
        while True:
            app.processEvents()
            report = core.last_report
            if report is not None and report.error is None and report.remaining == 0:
                break
            if time.perf_counter() > deadline:
                raise TimeoutError(f"backlog not drained: {report}")
            time.sleep(0.001)
        elapsed = time.perf_counter() - started
        stall = meter.stop()
    finally:
        window.close()
        window.shutdown()
        window.idle.uninstall()
        translations.uninstall()
        core.stop()
        hall.stop()
        central.terminate()
        central.wait(timeout=20)
    return {"drain_gui_max_stall_ms": round(stall, 1),
            "drain_gui_idle_stall_ms": round(idle_stall, 1),
            "drain_gui_per_s": round(backlog / elapsed, 1)}


def fault_totals() -> dict[str, float]:
    """Lost and duplicated records over the last fault campaign, if one has run."""
    try:
        summary = json.loads(FAULT_SUMMARY.read_text())
    except (OSError, ValueError):
        return {}
    return {"fault_lost": summary["lost"], "fault_duplicated": summary["duplicated"],
            "fault_crash_cycles": summary["crash_cycles"]}


def measure() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-queue-") as tmp:
        results = measure_enqueue(Path(tmp))
    results.update(measure_drain())
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-drain-gui-") as tmp:
        results.update(measure_drain_gui_stall(Path(tmp)))
    results.update(fault_totals())
    return results


if __name__ == "__main__":
    for key, value in measure().items():
        print(f"{key:40} {value}")
