"""Gapless sequence numbers under concurrent writers: threads sharing one Outbox, and
separate processes (each with its own engine) on the same fresh SQLite file."""
from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from oq_helpers import KIOSK_ID

from offline_queue.crypto import KioskKeys
from offline_queue.outbox import Outbox, QueuedRecord

CHILD = Path(__file__).with_name("oq_child.py")


def test_gapless_under_four_threads(outbox: Outbox) -> None:
    results: dict[int, list[QueuedRecord]] = {t: [] for t in range(4)}
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def writer(t: int) -> None:
        try:
            start.wait()
            for i in range(50):
                results[t].append(outbox.enqueue("dispense.record", {"t": t, "i": i}))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert not errors
    seqs = sorted(r.seq for rs in results.values() for r in rs)
    assert seqs == list(range(1, 201))
    for rs in results.values():  # each thread saw its own records in increasing order
        assert [r.seq for r in rs] == sorted(r.seq for r in rs)
    assert [w.seq for w in outbox.pending(limit=500)] == list(range(1, 201))
    assert outbox.verify_chain() == []
    # Every record holds the payload its writer gave it, at the seq it was told.
    for t, rs in results.items():
        for i, rec in enumerate(rs):
            view = outbox.get(rec.uuid)
            assert view is not None and view.seq == rec.seq and view.payload == {"t": t, "i": i}


def test_gapless_under_two_processes_and_threads(tmp_path: Path) -> None:
    db, key_dir = tmp_path / "q" / "outbox.sqlite", tmp_path / "keys"
    keys = KioskKeys.load_or_create(key_dir)
    per_child = 60
    # Both children open the brand-new file at the same time (schema creation races).
    children = [subprocess.Popen([sys.executable, str(CHILD), "enqueue", str(db),
                                  str(key_dir), KIOSK_ID, str(per_child)],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                for _ in range(2)]
    try:
        for child in children:
            assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        with Outbox(db, KIOSK_ID, keys) as box:
            mine: list[int] = []

            def parent_writer() -> None:
                for i in range(20):
                    mine.append(box.enqueue("dispense.record", {"parent": i}).seq)

            thread = threading.Thread(target=parent_writer)
            for child in children:  # go!
                assert child.stdin is not None
                child.stdin.write("go\n")
                child.stdin.flush()
            thread.start()
            outputs = [child.communicate(timeout=60)[0] for child in children]
            thread.join(30)
            assert [c.returncode for c in children] == [0, 0]
            child_seqs = [[int(x) for x in out.split()] for out in outputs]
            assert all(len(s) == per_child for s in child_seqs)
            everything = sorted(child_seqs[0] + child_seqs[1] + mine)
            assert everything == list(range(1, 2 * per_child + 20 + 1))  # gapless, no dupes
            assert box.verify_chain() == []
            assert box.status().pending == 2 * per_child + 20
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
            with child:  # closes its pipes, waits
                pass
