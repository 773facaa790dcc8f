"""Pickup dispensing (kiosk.services.pickup) against the simulated dispenser on a real
pty pair and a real SQLite journal: plan by cassette and the 50-sheet job limit, boxes
presented and taken or retracted, one invoice.issue record per pickup, and a crash at
every journal step recovered with nothing issued twice and issued + remaining = loaded."""
from __future__ import annotations

from typing import Any

import pytest

from drivers.dispenser import DispenseJournal, InvoiceDispenser
from drivers.dispenser.frame import CassetteState
from drivers.simulators.dispenser_sim import SimulatedInvoiceDispenser
from kiosk.services.pickup import Order, PickupDispenser, PickupError, plan, receipt_rows
from offline_queue.invoice_rules import RangeError, handwritten_ceiling, split_jobs, verify_range

KIND = "增值税普通发票"
CODE = "144031900111"


class Crash(BaseException):
    """Stands for kill -9: nothing after it runs (not an Exception, so nothing catches it)."""


def order(quantity: int) -> Order:
    return Order("SQ-0001", KIND, quantity, "02", "110105199001011234", "张三", (), None, None)


@pytest.fixture
def sim():
    s = SimulatedInvoiceDispenser(stock=0, stable_link=True, sheet_s=0.001).start()
    s.load(1, 1, CODE, 12001, 12060)
    s.load(2, 1, CODE, 13001, 13100)
    s.load(3, 2, "244031900222", 1, 200)
    yield s
    s.close()


def make(sim, tmp_path) -> tuple[PickupDispenser, DispenseJournal, list[dict[str, Any]]]:
    journal = DispenseJournal(tmp_path / "journal.sqlite3")
    driver = InvoiceDispenser(sim.connection, journal=journal, reply_timeout_s=0.3,
                              sheet_time_s=0.05)
    records: list[dict[str, Any]] = []

    def enqueue(kind: str, payload: dict[str, Any]) -> str:
        records.append(payload)
        return f"uuid-{len(records)}"
    return PickupDispenser(driver, journal, enqueue, retract_s=1), journal, records


def test_rule_vectors():
    assert split_jobs(120, 50) == [50, 50, 20] and split_jobs(0, 50) == []
    assert verify_range("00012001", "00012100", 25) == ("00012001", "00012025")  # TS5
    for bad in (0, 101):
        with pytest.raises(RangeError, match="份数必须大于0且不能大于100！"):
            verify_range("00012001", "00012100", bad)
    assert handwritten_ceiling(25) == "24999.75"
    cassettes = [CassetteState(1, 1, CODE, 1, 60, 1, 0), CassetteState(2, 1, CODE, 61, 200, 61, 0)]
    assert plan(KIND, 120, cassettes, set()) == [(1, 50), (1, 10), (2, 50), (2, 10)]
    assert plan(KIND, 120, cassettes, {1}) == [(2, 50), (2, 50), (2, 20)]
    assert plan(KIND, 500, cassettes, set()) == []
    assert plan("通用机打发票", 1, cassettes, set()) == []


def test_pickup_across_cassettes_taken_box_by_box(sim, tmp_path):
    pd, journal, records = make(sim, tmp_path)
    seen = []

    def on_box(i, n, box):
        seen.append((i, n, box is not None))
        if box is not None:
            sim.take()
    outcome = pd.dispense(order(70), on_box=on_box)
    assert [(b.cassette, b.first, b.last, b.taken) for b in outcome.boxes] == [
        (1, 12001, 12050, True), (1, 12051, 12060, True), (2, 13001, 13010, True)]
    assert seen == [(0, 3, False), (0, 3, True), (1, 3, False), (1, 3, True), (2, 3, False),
                    (2, 3, True)]
    [record] = records
    assert record["pickup_id"] == outcome.pickup_id and len(record["boxes"]) == 3
    assert journal.pickups("open") == []
    rows = dict(receipt_rows(order(70), outcome, "zh"))
    assert rows["纳税人"] == "1****************4" and "12001" in rows["第1盒"]


def test_not_taken_is_retracted_and_the_pickup_ends(sim, tmp_path):
    pd, journal, records = make(sim, tmp_path)
    outcome = pd.dispense(order(60))  # nobody takes: retracted after 1 s
    assert [(b.first, b.last, b.taken) for b in outcome.boxes] == [(12001, 12050, False)]
    assert records[0]["boxes"][0]["taken"] is False
    assert sim.cassettes[1].retracted == 50 and sim.reject_bin == 50


def test_short_stock_is_refused_before_anything_moves(sim, tmp_path):
    pd, journal, records = make(sim, tmp_path)
    with pytest.raises(PickupError) as exc:
        pd.dispense(order(161))
    assert exc.value.code == "pickup.not_stocked" and sim.fed_numbers == [] and records == []


STEPS = ("open_pickup", "begin", "set_first", "resolve", "present", "pickup_recorded")


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("nth", [1, 2])
def test_crash_at_every_journal_step_issues_nothing_twice(sim, tmp_path, monkeypatch, step, nth):
    pd, journal, records = make(sim, tmp_path)
    real = getattr(DispenseJournal, step)
    calls = {"n": 0}

    def crashing(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == nth:
            raise Crash(step)
        return real(self, *args, **kwargs)
    monkeypatch.setattr(DispenseJournal, step, crashing)

    def on_box(i, n, box):
        if box is not None:
            sim.take()
    try:
        pd.dispense(order(70), on_box=on_box)
    except Crash:
        pass
    monkeypatch.setattr(DispenseJournal, step, real)
    sim.take()
    # the restart: a fresh driver and journal on the same files
    pd._driver.close()
    journal.close()
    pd2, journal2, _ = make(sim, tmp_path)
    records_after = pd2._enqueue
    pd2._enqueue = lambda kind, payload: (records.append(payload), records_after(kind, payload))[1]
    pd2.recover()
    # nothing issued twice by the device
    numbers = [(s, n) for s, n in sim.fed_numbers]
    assert len(numbers) == len(set(numbers))
    # issued + remaining = loaded, per cassette, from the device and the journal
    for slot, loaded in ((1, 60), (2, 100)):
        c = pd2._driver.cassette(slot)
        journalled = sum(j.dispensed or 0 for j in journal2.cassette_jobs(slot))
        assert (c.next_no - c.first) + c.remaining == loaded
        assert journalled == c.next_no - c.first, (step, nth, slot)
    # every range recorded at most once, and every dispensed range recorded
    ranges = [(b["code"], b["first"]) for r in records for b in r["boxes"]]
    assert len(ranges) == len(set(ranges)) or step == "pickup_recorded"
    by_pickup = {r["pickup_id"] for r in records}
    assert len(by_pickup) == len(records) or step == "pickup_recorded"
    fed = {n for _, n in sim.fed_numbers}
    recorded = {n for r in records for b in r["boxes"] for n in range(b["first"], b["last"] + 1)}
    assert fed == recorded
    assert journal2.pickups("open") == []
    # and the next pickup starts from the next numbers
    out = pd2.dispense(order(1), on_box=lambda i, n, box: box and sim.take())
    assert out.boxes[0].first not in {n for _, n in numbers}
    pd2._driver.close()
    journal2.close()
