"""Child process for the multi-process outbox tests (run as a script, not collected).

  oq_child.py enqueue DB KEY_DIR KIOSK_ID COUNT   open, print "ready", wait for a line
                                                  on stdin, enqueue COUNT records and
                                                  print each seq after its commit
  oq_child.py lock LOCK_PATH                      hold the sync lock, print "locked",
                                                  wait for a line on stdin (or a kill)
  oq_child.py sync DB KEY_DIR KIOSK_ID LOCK_PATH  run one SyncWorker pass with a send
                                                  that blocks until stdin closes
"""
from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    mode = argv[1]
    if mode == "enqueue":
        from offline_queue.crypto import KioskKeys
        from offline_queue.outbox import Outbox

        db, key_dir, kiosk_id, count = Path(argv[2]), Path(argv[3]), argv[4], int(argv[5])
        box = Outbox(db, kiosk_id, KioskKeys.load_or_create(key_dir))
        print("ready", flush=True)
        sys.stdin.readline()
        for i in range(count):
            rec = box.enqueue("dispense.record", {"i": i, "holder": "child"})
            print(rec.seq, flush=True)
        box.close()
        return 0
    if mode == "lock":
        from offline_queue.lock import SingleInstanceLock

        with SingleInstanceLock(Path(argv[2])):
            print("locked", flush=True)
            sys.stdin.readline()
        return 0
    if mode == "sync":
        from offline_queue.crypto import KioskKeys
        from offline_queue.outbox import Outbox
        from offline_queue.sync_worker import SyncWorker
        from offline_queue.wire import SyncAck, SyncBatch

        db, key_dir, kiosk_id, lock_path = Path(argv[2]), Path(argv[3]), argv[4], Path(argv[5])
        box = Outbox(db, kiosk_id, KioskKeys.load_or_create(key_dir))

        def send(batch: SyncBatch) -> SyncAck:
            print("sending", flush=True)
            sys.stdin.read()  # "the network hangs" until the parent closes our stdin
            raise ConnectionError("gave up")

        report = SyncWorker(box, send, lock_path).sync_once()
        print(f"done {report.error}", flush=True)
        box.close()
        return 0
    raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
