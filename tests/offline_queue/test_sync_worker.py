"""SyncWorker against an in-process central store with real dedupe and verification:
batching, outages, lost answers, parked rejections, the background thread, drain."""
from __future__ import annotations

import queue
import threading
import time
from pathlib import Path

import pytest
from oq_helpers import KIOSK_ID, FakeCentral, FakeClock

from offline_queue.outbox import Outbox
from offline_queue.sync_worker import (
    ANOTHER_WORKER,
    MAX_BACKOFF_S,
    SyncReport,
    SyncWorker,
    backoff_delay,
)
from offline_queue.wire import SyncAck, SyncBatch


@pytest.fixture
def lock_path(tmp_path: Path) -> Path:
    return tmp_path / "run" / "sync.lock"


def fill(outbox: Outbox, n: int, kind: str = "invoice.verify") -> list[str]:
    return [outbox.enqueue(kind, {"number": f"{i:08d}"}).uuid for i in range(n)]


def assert_exactly_once(outbox: Outbox, central: FakeCentral, n: int) -> None:
    """Nothing lost, nothing stored twice, and the kiosk knows it."""
    assert central.stored_seqs() == list(range(1, n + 1))
    assert all(count == 1 for count in central.stored_count.values())
    assert len(central.stored_count) == n
    status = outbox.status()
    assert (status.pending, status.acked, status.rejected) == (0, n, 0)


def test_sends_in_batches_in_seq_order(outbox: Outbox, central: FakeCentral,
                                       lock_path: Path, clock: FakeClock) -> None:
    uuids = fill(outbox, 250)
    seen: list[int] = []

    def send(batch: SyncBatch) -> SyncAck:
        seen.extend(r.seq for r in batch.records)
        return central(batch)

    report = SyncWorker(outbox, send, lock_path, batch_size=100, clock=clock).sync_once()
    assert report == SyncReport(sent=250, accepted=250, duplicate=0, rejected=0,
                                remaining=0, error=None, finished_at=clock.now)
    assert seen == list(range(1, 251)) and central.calls == 3
    assert_exactly_once(outbox, central, 250)
    view = outbox.result_for(uuids[9])  # number 00000009 -> not found
    assert view is not None and view.state == "acked" and view.result == {"outcome": "not_found"}
    assert outbox.result_for(uuids[0]).result == {"outcome": "genuine"}  # type: ignore[union-attr]
    assert outbox.status().last_sync_at == clock.now
    # Nothing left: a pass sends nothing and reports no error.
    again = SyncWorker(outbox, send, lock_path, clock=clock).sync_once()
    assert (again.sent, again.remaining, again.error) == (0, 0, None)
    assert central.calls == 3


def test_outage_then_recovery_loses_and_duplicates_nothing(
        outbox: Outbox, central: FakeCentral, lock_path: Path) -> None:
    fill(outbox, 120)
    central.fail_before_store = 3  # central unreachable for three calls
    worker = SyncWorker(outbox, central, lock_path, batch_size=50)
    for _ in range(3):
        report = worker.sync_once()
        assert report.error == "central unreachable: ConnectionError: connection refused"
        assert report.sent == 0 and report.remaining == 120
    assert central.records == {}

    fill(outbox, 10)  # the kiosk kept working offline
    report = worker.sync_once()
    assert report.error is None and report.accepted == 130 and report.remaining == 0
    assert_exactly_once(outbox, central, 130)


def test_lost_answers_are_resent_and_deduplicated(outbox: Outbox, central: FakeCentral,
                                                  lock_path: Path) -> None:
    """The central stored the batch but the answer never arrived (timeout): the kiosk
    cannot tell, resends, and gets 'duplicate' with the original result."""
    uuids = fill(outbox, 75)
    central.fail_after_store = 2
    worker = SyncWorker(outbox, central, lock_path, batch_size=50)
    first = worker.sync_once()
    assert first.error == "central unreachable: TimeoutError: read timed out"
    assert first.remaining == 75 and central.stored_seqs() == list(range(1, 51))
    second = worker.sync_once()  # the same first batch again, answer lost again
    assert second.error is not None and second.remaining == 75
    third = worker.sync_once()
    assert third.error is None
    assert (third.sent, third.duplicate, third.accepted, third.remaining) == (75, 50, 25, 0)
    assert_exactly_once(outbox, central, 75)
    views = [outbox.get(u) for u in uuids]
    assert all(v is not None and v.result is not None for v in views)


def test_rejected_is_parked_and_does_not_block(outbox: Outbox, central: FakeCentral,
                                               lock_path: Path) -> None:
    ok1 = outbox.enqueue("tax.payment", {"amount": 100})
    bad = outbox.enqueue("tax.payment", {"amount": -3})
    odd = outbox.enqueue("lottery.draw", {})
    ok2 = outbox.enqueue("tax.payment", {"amount": 7})
    report = SyncWorker(outbox, central, lock_path).sync_once()
    assert (report.sent, report.accepted, report.rejected, report.remaining) == (4, 2, 2, 0)
    assert report.error is None
    assert [(v.seq, v.reason) for v in outbox.rejected()] == [
        (bad.seq, "amount must not be negative"), (odd.seq, "unknown kind lottery.draw")]
    assert outbox.get(ok2.uuid).result == {"receipt": "R7"}  # type: ignore[union-attr]
    assert outbox.get(ok1.uuid).state == "acked"  # type: ignore[union-attr]
    # Parked records are never resent and never disappear.
    later = outbox.enqueue("tax.payment", {"amount": 1})
    report = SyncWorker(outbox, central, lock_path).sync_once()
    assert report.sent == 1 and outbox.get(later.uuid).state == "acked"  # type: ignore
    assert len(outbox.rejected()) == 2 and outbox.verify_chain() == []


def test_unanswered_batch_stops_the_pass(outbox: Outbox, central: FakeCentral,
                                         lock_path: Path) -> None:
    fill(outbox, 3)

    def silent(batch: SyncBatch) -> SyncAck:
        return SyncAck(kiosk_id=KIOSK_ID, acked_through=0, results=[])

    report = SyncWorker(outbox, silent, lock_path).sync_once()
    assert report.error == "central did not answer for seq 1" and report.remaining == 3

    def wrong_kiosk(batch: SyncBatch) -> SyncAck:
        return central(batch).model_copy(update={"kiosk_id": "hall-99"})

    report = SyncWorker(outbox, wrong_kiosk, lock_path).sync_once()
    assert report.error == "central answered for kiosk 'hall-99'" and report.remaining == 3

    def garbage(batch: SyncBatch) -> SyncAck:
        return {"ok": True}  # type: ignore[return-value]

    report = SyncWorker(outbox, garbage, lock_path).sync_once()
    assert report.error is not None and report.error.startswith("central unreachable")
    assert outbox.status().pending == 3


def test_background_thread_wake_backoff_and_recovery(
        outbox: Outbox, central: FakeCentral, lock_path: Path) -> None:
    reports: queue.Queue[SyncReport] = queue.Queue()
    threads: set[str] = set()

    def on_report(report: SyncReport) -> None:
        threads.add(threading.current_thread().name)
        reports.put(report)

    worker = SyncWorker(outbox, central, lock_path, on_report=on_report)
    worker.start(interval_s=30)  # long interval: passes below happen because of wake()
    try:
        assert reports.get(timeout=5).remaining == 0  # the first pass runs at once
        fill(outbox, 5)
        worker.wake()
        report = reports.get(timeout=5)
        assert report.accepted == 5 and report.remaining == 0

        central.fail_before_store = 10**6  # network down
        fill(outbox, 2)
        worker.wake()
        report = reports.get(timeout=5)
        assert report.error is not None and report.remaining == 2

        central.fail_before_store = 0  # network back
        worker.wake()
        report = reports.get(timeout=5)
        assert report.error is None and report.accepted == 2 and report.remaining == 0
        assert threads == {"sync-worker"}
        with pytest.raises(RuntimeError):
            worker.start()
    finally:
        worker.stop()
    assert not worker.running
    assert_exactly_once(outbox, central, 7)


def test_background_thread_retries_by_itself(outbox: Outbox, central: FakeCentral,
                                             lock_path: Path) -> None:
    central.fail_before_store = 3
    fill(outbox, 4)
    done = threading.Event()
    errors: list[str | None] = []

    def on_report(report: SyncReport) -> None:
        errors.append(report.error)
        if report.remaining == 0:
            done.set()
        raise RuntimeError("a broken callback must not kill the worker")

    worker = SyncWorker(outbox, central, lock_path, on_report=on_report, jitter=0)
    worker.start(interval_s=0.02)  # backoff: 0.04, 0.08, 0.16 s
    try:
        assert done.wait(10)
    finally:
        worker.stop()
    assert errors[:3] == ["central unreachable: ConnectionError: connection refused"] * 3
    assert errors[3] is None
    assert_exactly_once(outbox, central, 4)


def test_backoff_delay() -> None:
    assert [backoff_delay(5, n) for n in range(6)] == [5, 10, 20, 40, 60, 60]
    assert backoff_delay(5, 10_000) == MAX_BACKOFF_S
    assert backoff_delay(0.5, 3) == 4
    assert backoff_delay(120, 3) == 120  # never shorter than the normal interval


def test_drain(outbox: Outbox, central: FakeCentral, lock_path: Path) -> None:
    fill(outbox, 30)
    worker = SyncWorker(outbox, central, lock_path, batch_size=7)
    report = worker.drain(10)
    assert report.error is None and report.sent == 30 and report.remaining == 0
    assert worker.last_report == report

    central.fail_before_store = 1
    fill(outbox, 2)
    report = worker.drain(10)
    assert report.error is not None and report.remaining == 2
    assert worker.drain(10).remaining == 0
    assert_exactly_once(outbox, central, 32)


def test_drain_times_out(outbox: Outbox, central: FakeCentral, lock_path: Path) -> None:
    fill(outbox, 20)

    def slow(batch: SyncBatch) -> SyncAck:
        time.sleep(0.05)
        return central(batch)

    started = time.monotonic()
    report = SyncWorker(outbox, slow, lock_path, batch_size=1).drain(0.2)
    assert time.monotonic() - started < 2
    assert report.error is not None and report.error.startswith("drain timed out after 0.2 s")
    assert 0 < report.sent < 20 and report.remaining == 20 - report.sent


def test_passes_in_one_process_wait_for_each_other(outbox: Outbox, central: FakeCentral,
                                                   lock_path: Path) -> None:
    """A manual pass (e.g. from maintenance mode) waits for the background pass instead
    of failing with 'another sync worker'."""
    fill(outbox, 3)
    entered, release = threading.Event(), threading.Event()

    def gated(batch: SyncBatch) -> SyncAck:
        entered.set()
        release.wait(5)
        return central(batch)

    worker = SyncWorker(outbox, gated, lock_path)
    background = threading.Thread(target=worker.sync_once)
    background.start()
    assert entered.wait(5)
    other = SyncWorker(outbox, central, lock_path)  # separate lock object, same file
    assert other.sync_once().error == ANOTHER_WORKER
    threading.Timer(0.1, release.set).start()
    report = worker.sync_once()  # blocks until the first pass finished
    background.join(5)
    assert report.error is None and report.sent == 0 and report.remaining == 0
    assert_exactly_once(outbox, central, 3)
