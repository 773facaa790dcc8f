"""A kiosk process that dispenses one pickup and is killed (SIGKILL) by
test_pickup_kill.py part-way: `python pickup_child.py CONN JOURNAL RECORDS QUANTITY`.
Records go to RECORDS as JSON lines, each fsynced before the call returns (as the
outbox commits before `enqueue` returns)."""
from __future__ import annotations

import json
import os
import sys
from typing import Any

from drivers.dispenser import DispenseJournal, InvoiceDispenser
from kiosk.services.pickup import Order, PickupDispenser

KIND = "增值税普通发票"


def appender(path: str):  # type: ignore[no-untyped-def]
    def enqueue(kind: str, payload: dict[str, Any]) -> str:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"kind": kind, "payload": payload}, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())
        return payload["pickup_id"]
    return enqueue


def main() -> None:
    conn, journal_path, records, quantity = sys.argv[1:5]
    journal = DispenseJournal(journal_path)
    driver = InvoiceDispenser(conn, journal=journal, reply_timeout_s=0.5, sheet_time_s=0.05)
    pd = PickupDispenser(driver, journal, appender(records), retract_s=30)
    order = Order("SQ-KILL9", KIND, int(quantity), "02", "110105194912310020", "张三",
                  (), None, None)
    print("ready", flush=True)
    pd.dispense(order, on_box=lambda i, n, box: print(f"box {i} {n} {box is not None}",
                                                      flush=True))
    print("done", flush=True)


if __name__ == "__main__":
    main()
