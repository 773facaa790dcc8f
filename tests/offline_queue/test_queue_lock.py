"""The single-instance lock: excludes a second holder in another process or object,
and is freed by the kernel when its holder is killed."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from oq_helpers import KIOSK_ID, FakeCentral

from offline_queue.lock import LockHeld, SingleInstanceLock
from offline_queue.outbox import Outbox
from offline_queue.sync_worker import ANOTHER_WORKER, SyncWorker

CHILD = Path(__file__).with_name("oq_child.py")


def spawn(*args: str) -> subprocess.Popen[str]:
    """The child with pipes; use it in a `with` (it closes them) and `reaped`."""
    return subprocess.Popen([sys.executable, str(CHILD), *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)


@contextmanager
def reaped(child: subprocess.Popen[str]) -> Iterator[None]:
    """Kill the child if a failed assertion left it running."""
    try:
        yield
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def test_lock_in_one_process(tmp_path: Path) -> None:
    path = tmp_path / "run" / "sync.lock"
    first, second = SingleInstanceLock(path), SingleInstanceLock(path)
    assert first.acquire() and first.acquire()  # re-acquiring one's own lock is fine
    assert not second.acquire()
    with pytest.raises(LockHeld, match=f"by process {os.getpid()}"):
        with second:
            pass
    first.release()
    first.release()  # idempotent
    with second:
        assert second.held and not first.acquire()
    assert not second.held and first.acquire()
    first.release()
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)


def test_lock_excludes_worker_in_other_process_until_it_dies(
        tmp_path: Path, outbox: Outbox, central: FakeCentral) -> None:
    lock_path = tmp_path / "sync.lock"
    outbox.enqueue("invoice.verify", {"number": "1"})
    with spawn("lock", str(lock_path)) as child, reaped(child):
        assert child.stdout is not None and child.stdout.readline().strip() == "locked"
        with pytest.raises(LockHeld, match=f"by process {child.pid}"):
            with SingleInstanceLock(lock_path):
                pass
        worker = SyncWorker(outbox, central, lock_path)
        report = worker.sync_once()
        assert report.error == ANOTHER_WORKER
        assert (report.sent, report.remaining, central.calls) == (0, 1, 0)
        assert worker.drain(5).error == ANOTHER_WORKER

        child.send_signal(signal.SIGKILL)  # a crashed holder leaves no stale lock
        child.wait(10)
        report = worker.sync_once()
        assert report.error is None and report.accepted == 1 and report.remaining == 0


def test_worker_in_other_process_mid_pass_excludes_this_one(
        tmp_path: Path, db_path: Path, outbox: Outbox,
        central: FakeCentral) -> None:
    """A real SyncWorker in another process, hung inside send(), holds the lock."""
    lock_path = tmp_path / "sync.lock"
    outbox.enqueue("invoice.verify", {"number": "1"})
    with spawn("sync", str(db_path), str(tmp_path / "keys"), KIOSK_ID,
               str(lock_path)) as child, reaped(child):
        assert child.stdout is not None and child.stdout.readline().strip() == "sending"
        worker = SyncWorker(outbox, central, lock_path)
        assert worker.sync_once().error == ANOTHER_WORKER
        out, _ = child.communicate("", timeout=30)  # the other worker's send fails
        assert out.strip() == "done central unreachable: ConnectionError: gave up"
        report = worker.sync_once()
        assert report.error is None and report.accepted == 1
