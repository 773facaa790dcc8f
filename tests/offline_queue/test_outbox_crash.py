"""Crash campaign: a writer process is SIGKILLed at random moments while enqueueing.
Every seq it reported after COMMIT must survive, and the chain must verify.

The writer is a forked child (a real process, killed for real): forking skips the
interpreter start-up, which keeps 20 cycles well within the time budget. The parent
holds no SQLite connection across a fork.
"""
from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pytest
from oq_helpers import KIOSK_ID

from offline_queue.crypto import KioskKeys
from offline_queue.outbox import Outbox

CYCLES = 20


def _writer(db: Path, key_dir: Path, out_fd: int, cycle: int) -> None:
    """Child body: enqueue forever, reporting each seq only after enqueue returned."""
    box = Outbox(db, KIOSK_ID, KioskKeys.load_or_create(key_dir))
    i = 0
    while True:
        rec = box.enqueue("dispense.record", {"cycle": cycle, "i": i, "pad": "x" * (i % 300)},
                          confirm_later=i % 2 == 0)
        os.write(out_fd, f"{rec.seq}\n".encode())
        i += 1


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.fault
def test_sigkill_during_enqueue_loses_no_committed_record(tmp_path: Path) -> None:
    db, key_dir = tmp_path / "q" / "outbox.sqlite", tmp_path / "keys"
    keys = KioskKeys.load_or_create(key_dir)
    rng = random.Random(20250301)
    reported: set[int] = set()
    for cycle in range(CYCLES):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: never return into pytest
            try:
                os.close(read_fd)
                _writer(db, key_dir, write_fd, cycle)
            finally:
                os._exit(1)
        os.close(write_fd)
        # Random moment: sometimes while the child is still opening the file.
        time.sleep(rng.uniform(0.0, 0.25))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        printed = [int(x) for x in _read_all(read_fd).split()]
        os.close(read_fd)
        reported.update(printed)

        with Outbox(db, KIOSK_ID, keys) as box:  # reopening runs quick_check too
            # Intact chain = seqs 1..N without gaps, every hash, signature and payload ok.
            assert box.verify_chain() == [], f"cycle {cycle}"
            committed = box.status().pending  # nothing is synced here: all pending
            assert reported <= set(range(1, committed + 1)), f"cycle {cycle}"
            assert all(r.seq <= committed for r in box.unconfirmed())
    assert len(reported) > 20, "the writer never got going: the campaign tested nothing"
