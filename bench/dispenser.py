"""Invoice pickup figures (issue #12 §5):

- `pickup_end_to_end_ms`: 取票码 entered -> last box presented. A real central service
  (demo data) on loopback, a kiosk enrolled with it and identified by the demo ID
  card (a central session), the pickup look-up as the screen makes it (sealed call
  `invoices/pickup` with 验旧 and caps), then the dispensing of the demo order (20
  pieces) from the simulated dispenser on a pty with its mechanical timings
  (`sheet_s` per sheet), journalled in SQLite; stops when the last box waits in
  the slot. Median of a few runs (each on a fresh central and dispenser).
- `reconcile_ms`: kiosk.services.logistics.reconcile over a journal of 10,000
  dispense entries (every job of one cassette), as `kiosk dispenser reconcile` and
  the logistics screen run it. Median of 5.
"""
from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

RUNS = 3
JOURNAL_ENTRIES = 10_000
SHEET_S = 0.01  # the simulator's default mechanical time per sheet


def _pickup_once(work: Path) -> float:
    from central.demo_data import DEMO_PERSON_ID
    from central.server import CentralServer
    from drivers.dispenser import DispenseJournal, InvoiceDispenser
    from drivers.simulators.dispenser_sim import SimulatedInvoiceDispenser
    from drivers.simulators.id_card_sim import SAMPLE_RECORD
    from kiosk.central_client import CentralClient
    from kiosk.config import LimitsConfig
    from kiosk.connectivity import Connectivity
    from kiosk.services.certificate_print import SessionCalls
    from kiosk.services.identity import SessionIdentity, parse_identity
    from kiosk.services.pickup import CENTRAL_CODES, PickupError, PickupService
    from offline_queue.crypto import KioskKeys
    from offline_queue.outbox import Outbox

    keys = KioskKeys.generate()
    kiosk_id = f"bench-{uuid.uuid4().hex[:6]}"
    with CentralServer(f"sqlite:///{work / 'central.db'}", demo_data=True) as server:
        client = CentralClient((server.url,), kiosk_id, timeout_s=10.0)
        client.enroll(keys, hall_id="demo-hall")
        answer = client.sealed_call(keys, "identity.id_card", "identity/id-card", {
            "id_number": DEMO_PERSON_ID, "name": SAMPLE_RECORD["name"], "valid_until": "长期"})
        identity = SessionIdentity()
        identity.set(parse_identity(answer["identity"], "id_card"))
        outbox = Outbox(work / "outbox.sqlite3", kiosk_id, keys)
        sim = SimulatedInvoiceDispenser(stock=0, stable_link=True, sheet_s=SHEET_S).start()
        sim.load_demo_stock()
        journal = DispenseJournal(work / "journal.sqlite3")
        driver = InvoiceDispenser(sim.connection, journal=journal)
        calls = SessionCalls(central=client, keys=keys, connectivity=Connectivity(30.0),
                             identity=identity, error_type=PickupError, codes=CENTRAL_CODES)
        service = PickupService(calls=calls, driver=lambda: driver, outbox=outbox,
                                limits=LimitsConfig(), on_queued=lambda: None, slips=None,
                                identity=identity, retract_s=60)
        service.recover()
        presented: list[float] = []

        def on_box(index: int, count: int, box: Any) -> None:
            if box is not None:
                if index == count - 1:
                    presented.append(time.perf_counter())
                sim.take()
        try:
            start = time.perf_counter()  # the 取票码 is entered
            [order] = service.orders("FP2026A1")
            service.dispense(order, on_box=on_box)
            return (presented[0] - start) * 1000
        finally:
            driver.close()
            journal.close()
            sim.close()
            outbox.close()
            client.close()


def _reconcile_ms() -> float:
    from drivers.dispenser import DispenseJournal
    from drivers.dispenser.frame import CassetteState
    from kiosk.services.logistics import reconcile

    with tempfile.TemporaryDirectory() as tmp:
        journal = DispenseJournal(Path(tmp) / "journal.sqlite3")
        now = time.time()
        rows = [(f"job-{i}", i + 1, 1, i, "done", now, now, 1, "增值税普通发票", "144031900111",
                 1 + i, f"p{i // 2}", 60, 1, "taken") for i in range(JOURNAL_ENTRIES)]
        with journal._lock:  # one transaction: the bench measures reading, not writing
            journal._db.execute("BEGIN IMMEDIATE")
            journal._db.executemany(
                "INSERT INTO dispense_jobs (job_id, job_no, requested, counter_before, state,"
                " created_at, updated_at, slot, kind, code, first_no, pickup, retract_s,"
                " dispensed, presentation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows)
            journal._db.execute("COMMIT")
        cassettes = [CassetteState(1, 1, "144031900111", 1, 20_000, 1 + JOURNAL_ENTRIES, 0)]
        times = []
        for _ in range(5):
            start = time.perf_counter()
            figures = reconcile(cassettes, journal)
            times.append((time.perf_counter() - start) * 1000)
            assert figures[0].ok and figures[0].taken == JOURNAL_ENTRIES
        journal.close()
    return statistics.median(times)


def measure() -> dict[str, Any]:
    times = []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as tmp:
            times.append(_pickup_once(Path(tmp)))
    return {"pickup_end_to_end_ms": round(statistics.median(times), 1),
            "reconcile_ms": round(_reconcile_ms(), 1)}


if __name__ == "__main__":
    print(measure())
