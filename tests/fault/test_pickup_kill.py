"""Invoice pickup survives `kill -9` (issue #12 §1, §5): a real kiosk process
dispenses a pickup of three boxes from the simulated dispenser (real pty, real SQLite
journal) and is killed with SIGKILL at a moment of the job: while sheets are fed,
while a box waits in the slot, and between two boxes. The restarted process settles
the journal with the device first (PickupDispenser.recover): no number leaves the
machine twice, every sheet that left is recorded exactly once (one record per
pickup), and per cassette issued + remaining = loaded with the journal agreeing with
the device. KIOSK_FAULT_CYCLES repeats the campaign (`make fault`)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from drivers.dispenser import DispenseJournal, InvoiceDispenser
from drivers.dispenser.frame import Presenter
from drivers.simulators.dispenser_sim import SimulatedInvoiceDispenser
from kiosk.services.logistics import reconcile
from kiosk.services.pickup import PickupDispenser

pytestmark = pytest.mark.fault

CHILD = Path(__file__).with_name("pickup_child.py")
ROOT = Path(__file__).resolve().parents[2]
CYCLES = max(1, int(os.environ.get("KIOSK_FAULT_CYCLES", "1")) // 200)
LOADED = {1: 60, 2: 100}


def wait(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.002)
    raise AssertionError("the moment to kill never came")


def records(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line)["payload"] for line in path.read_text("utf-8").splitlines() if line]


MOMENTS = ("feeding", "presented", "between_boxes")


@pytest.mark.parametrize("moment", MOMENTS)
def test_kill_9_during_dispensing(tmp_path: Path, moment: str) -> None:
    for cycle in range(CYCLES):
        run_once(tmp_path / f"cycle{cycle}", moment)


def run_once(work: Path, moment: str) -> None:
    work.mkdir(parents=True)
    sim = SimulatedInvoiceDispenser(stock=0, stable_link=True, sheet_s=0.01).start()
    try:
        sim.load(1, 1, "144031900111", 12001, 12060)
        sim.load(2, 1, "144031900111", 13001, 13100)
        journal_path, out = work / "journal.sqlite3", work / "records.jsonl"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        child = subprocess.Popen([sys.executable, str(CHILD), sim.connection, str(journal_path),
                                  str(out), "120"], stdout=subprocess.PIPE, text=True, env=env)
        taker_stop = threading.Event()
        boxes_seen: list[str] = []

        def read_child() -> None:
            assert child.stdout is not None
            for line in child.stdout:
                boxes_seen.append(line.strip())
        reader = threading.Thread(target=read_child, daemon=True)
        reader.start()

        def take_all() -> None:  # the taxpayer takes every box, except where we kill
            while not taker_stop.is_set():
                if sim.presenter is Presenter.PRESENTED and moment != "presented":
                    sim.take()
                time.sleep(0.005)
        taker = threading.Thread(target=take_all, daemon=True)
        taker.start()
        try:
            if moment == "feeding":
                wait(lambda: sim._job is not None and sim._job.dispensed > 0)
            elif moment == "presented":
                wait(lambda: sim.presenter is Presenter.PRESENTED)
            else:  # the first box taken, the second not yet asked for
                wait(lambda: any(s.startswith("box 1 ") for s in boxes_seen)
                     or sim.presenter is Presenter.TAKEN)
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=10)
        assert child.returncode == -signal.SIGKILL
        taker_stop.set()
        taker.join()
        reader.join(timeout=5)
        assert child.stdout is not None
        child.stdout.close()
        # The restart: a fresh driver on the same journal; whatever waits in the slot
        # is taken by the taxpayer meanwhile.
        journal = DispenseJournal(journal_path)
        driver = InvoiceDispenser(sim.connection, journal=journal, reply_timeout_s=0.5,
                                  sheet_time_s=0.05)
        after: list[dict[str, Any]] = []
        pd = PickupDispenser(driver, journal,
                             lambda kind, payload: (after.append(payload), "uuid")[1],
                             retract_s=30)
        # Meanwhile the taxpayer takes what waits in the slot (or what comes out last).
        recovering = threading.Event()

        def take_left() -> None:
            while not recovering.is_set():
                if sim.presenter is Presenter.PRESENTED:
                    sim.take()
                time.sleep(0.005)
        left = threading.Thread(target=take_left, daemon=True)
        left.start()
        try:
            pd.recover()
        finally:
            recovering.set()
            left.join()
        everything = records(out) + after
        fed = [n for _, n in sim.fed_numbers]
        assert len(fed) == len(set(fed)), "a number left the machine twice"
        recorded = [n for r in everything for b in r["boxes"]
                    for n in range(b["first"], b["last"] + 1)]
        assert sorted(recorded) == sorted(fed), (moment, "recorded != fed")
        assert len({r["pickup_id"] for r in everything}) == len(everything) <= 1
        figures = reconcile(driver.cassettes(), journal)
        for f in figures:
            assert f.loaded == LOADED[f.slot]
            assert f.ok, (moment, f.as_dict())
        assert journal.pickups("open") == []
        driver.close()
        journal.close()
    finally:
        sim.close()
