"""The reads behind the offline exposure check and the queue banner (#9 §5): the room
check runs before every offline enqueue, on the worker that the taxpayer's "queued"
screen waits for, so it must be cheap; and it must stay exact, counting what another
process queued or the central service acked a moment ago."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from oq_helpers import KIOSK_ID, FakeClock

from kiosk.config import LimitsConfig
from kiosk.services.exposure import NOT_EXPOSURE_KINDS, QueueLimitExceeded, check_room
from offline_queue.crypto import KioskKeys
from offline_queue.outbox import Outbox, OutboxError
from offline_queue.wire import RecordResult, SyncAck

CHILD = Path(__file__).with_name("oq_child.py")


def test_room_check_on_the_read_connection_counts_exactly(outbox: Outbox) -> None:
    # 200 pending records, every tenth a payment (left out of the exposure): 180 count.
    # The check now reads on the outbox's own read connection (its cost is a bench
    # figure: scan_to_result_offline_p95_ms); it must stay exact at the limit.
    for i in range(200):
        outbox.enqueue("tax.payment" if i % 10 == 0 else "invoice.verify", {"i": i})
    exposure = check_room(outbox, LimitsConfig(max_pending_records=181, max_oldest_age_h=72.0))
    assert exposure.measure("pending_records").value == 180
    with pytest.raises(QueueLimitExceeded):
        check_room(outbox, LimitsConfig(max_pending_records=180, max_oldest_age_h=72.0))
    outbox.enqueue("invoice.verify", {"i": 200})
    with pytest.raises(QueueLimitExceeded):  # the record just queued counts at once
        check_room(outbox, LimitsConfig(max_pending_records=181, max_oldest_age_h=72.0))


def test_counts_follow_another_process_and_acks_at_once(
        outbox: Outbox, db_path: Path, tmp_path: Path, clock: FakeClock) -> None:
    """Nothing is cached between calls: what another process queued counts at the
    next check, and what the central acked stops counting."""
    limits = LimitsConfig(max_pending_records=5, max_oldest_age_h=0)
    for i in range(2):
        outbox.enqueue("invoice.verify", {"i": i})
    outbox.enqueue("tax.payment", {"paid_fen": 100})  # money taken: not exposure
    assert outbox.pending_excluding(NOT_EXPOSURE_KINDS)[0] == 2
    assert outbox.status().pending == 3
    child = subprocess.run([sys.executable, str(CHILD), "enqueue", str(db_path),
                            str(tmp_path / "keys"), KIOSK_ID, "2"],
                           input="go\n", capture_output=True, text=True, timeout=60)
    assert child.returncode == 0, child.stderr
    assert outbox.pending_excluding(NOT_EXPOSURE_KINDS)[0] == 4
    assert outbox.status().pending == 5
    check_room(outbox, limits)  # 4 + 1 fits in 5
    outbox.enqueue("invoice.verify", {"i": 9})
    with pytest.raises(QueueLimitExceeded):
        check_room(outbox, limits)
    first = outbox.pending(limit=2)
    outbox.apply_ack(SyncAck(kiosk_id=KIOSK_ID, acked_through=2, results=[
        RecordResult(seq=r.seq, uuid=r.uuid, status="accepted") for r in first]))
    count, oldest_age_s = outbox.pending_excluding(NOT_EXPOSURE_KINDS)
    assert count == 3 and oldest_age_s == 0.0  # the fake clock stands still
    status = outbox.status()
    assert (status.pending, status.acked, status.rejected) == (4, 2, 0)
    check_room(outbox, limits)


def test_oldest_age_comes_from_the_oldest_counted_record(
        outbox: Outbox, clock: FakeClock) -> None:
    outbox.enqueue("tax.payment", {"paid_fen": 1})  # older, but not exposure
    clock.advance(600)
    outbox.enqueue("invoice.verify", {"i": 1})
    clock.advance(60)
    assert outbox.pending_excluding(NOT_EXPOSURE_KINDS) == (1, 60.0)
    assert outbox.pending_excluding(()) == (2, 660.0)
    assert outbox.status().oldest_pending_age_s == 660.0
    with pytest.raises(OutboxError, match="kinds"):
        outbox.pending_excluding((3,))  # type: ignore[arg-type]


def test_a_broken_read_connection_fails_one_read_and_is_replaced(outbox: Outbox) -> None:
    outbox.enqueue("invoice.verify", {"i": 1})
    assert outbox.status().pending == 1
    outbox._reader.driver_connection.close()  # e.g. closed under us by a bug elsewhere
    with pytest.raises(OutboxError, match="reading queue status failed"):
        outbox.status()
    assert outbox.status().pending == 1
    assert outbox.pending_excluding(NOT_EXPOSURE_KINDS) == (1, 0.0)


def test_reads_work_again_after_close_and_reopen(db_path: Path, keys: KioskKeys) -> None:
    box = Outbox(db_path, KIOSK_ID, keys)
    box.enqueue("invoice.verify", {"i": 1})
    assert box.pending_excluding(NOT_EXPOSURE_KINDS)[0] == 1
    box.close()
    # A read racing the shutdown (the banner's last refresh) is told, and opens nothing
    # again on a file that may be gone by then.
    with pytest.raises(OutboxError, match="closed"):
        box.status()
    assert box._reader is None
    again = Outbox(db_path, KIOSK_ID, keys)
    try:
        assert again.status().pending == 1
    finally:
        again.close()
