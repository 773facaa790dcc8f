"""Logistics at the dispenser (kiosk.services.logistics, `kiosk dispenser ...`): box
labels, per-cassette reconciliation (loaded = issued + remaining) against the simulated
dispenser and a real journal, a difference that blocks its cassette, and the read-only
technician commands as real subprocesses."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from drivers.dispenser import DispenseJournal, InvoiceDispenser
from drivers.simulators.dispenser_sim import SimulatedInvoiceDispenser
from kiosk.services.logistics import (
    BoxLabel,
    block_differences,
    label_parser,
    parse_box_label,
    reconcile,
)
from kiosk.services.pickup import Order, PickupDispenser

KIOSK = Path(sys.executable).with_name("kiosk")
CODE = "144031900111"


def test_box_labels():
    assert parse_box_label("FPBOX,增值税普通发票,144031900111,00012001,00012100") == BoxLabel(
        "增值税普通发票", CODE, 12001, 12100)
    for bad in ("FPBOX,增值税普通发票,1440,1,2", "FPBOX,某票,144031900111,1,2",
                "FPBOX,增值税普通发票,144031900111,9,1", "XX,增值税普通发票,144031900111,1,2",
                "FPBOX,增值税普通发票,144031900111,123456789,123456790"):
        with pytest.raises(ValueError):
            parse_box_label(bad)
    assert label_parser(None) is parse_box_label
    assert label_parser("kiosk.services.logistics:parse_box_label") is parse_box_label


@pytest.fixture
def sim():
    s = SimulatedInvoiceDispenser(stock=0, stable_link=True, sheet_s=0.001).start()
    s.load(1, 1, CODE, 12001, 12100)
    yield s
    s.close()


def test_reconciliation_adds_up_and_a_difference_blocks(sim, tmp_path):
    journal = DispenseJournal(tmp_path / "j.sqlite3")
    driver = InvoiceDispenser(sim.connection, journal=journal, reply_timeout_s=0.3)
    pd = PickupDispenser(driver, journal, lambda kind, payload: "uuid", retract_s=1)
    order = Order("SQ-1", "增值税普通发票", 30, "02", "110105199001011234", "", (), None, None)
    pd.dispense(order, on_box=lambda i, n, box: box and sim.take())
    [f] = reconcile(driver.cassettes(), journal)
    assert (f.loaded, f.taken, f.retracted, f.remaining, f.difference, f.ok) == (
        100, 30, 0, 70, 0, True)
    assert block_differences([f], journal) == []
    # two sheets leave the cassette behind the journal's back (a foreign program)
    sim.cassettes[1].next_no += 2
    [f] = reconcile(driver.cassettes(), journal)
    assert (f.difference, f.ok) == (2, False)
    assert block_differences([f], journal) == [1]
    assert pd.stock_plan("增值税普通发票", 1) == []  # blocked: nothing dispensed from it
    assert journal.clear_block(1, "tech-1") is True
    assert pd.stock_plan("增值税普通发票", 1) == [(1, 1)]
    driver.close()
    journal.close()


def test_a_cleared_difference_stays_cleared_until_it_grows(sim, tmp_path):
    journal = DispenseJournal(tmp_path / "j.sqlite3")
    driver = InvoiceDispenser(sim.connection, journal=journal, reply_timeout_s=0.3)
    sim.stray_feed(1, 2)  # a test feed from the device's own panel
    [f] = reconcile(driver.cassettes(), journal)
    assert (f.difference, f.blocked) == (2, None)
    assert block_differences([f], journal) == [1]
    assert journal.clear_block(1, "tech-1") is True
    # The technician accepted these two: the next reconciliations leave it open ...
    for _ in range(2):
        [f] = reconcile(driver.cassettes(), journal)
        assert (f.difference, f.blocked) == (2, None)
        assert block_differences([f], journal) == []
    # ... until the difference grows.
    sim.stray_feed(1, 1)
    [f] = reconcile(driver.cassettes(), journal)
    assert block_differences([f], journal) == [1]
    assert journal.open_blocks()[1].reason == "difference 3, manual checks 0"
    with pytest.raises(ValueError, match="holds"):
        sim.stray_feed(1, 1000)
    with pytest.raises(ValueError, match="not loaded"):
        sim.stray_feed(2, 1)
    driver.close()
    journal.close()


def test_cli_stock_and_reconcile_are_read_only(sim, tmp_path):
    path = tmp_path / "j.sqlite3"
    journal = DispenseJournal(path)
    driver = InvoiceDispenser(sim.connection, journal=journal, reply_timeout_s=0.3)
    driver.issue(1, 5, "job-1", retract_s=30)
    sim.take()
    driver.await_presentation("job-1", 2)
    driver.close()
    journal.close()

    def contents() -> tuple:
        with DispenseJournal(path) as j:
            return j.jobs(), j.pickups(), j.loads(), j.open_blocks()
    before = contents()
    run = subprocess.run([str(KIOSK), "dispenser", "stock", "--json", "--port", sim.connection,
                          "--journal", str(path)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    stock = json.loads(run.stdout)["cassettes"]
    assert (stock[0]["next"], stock[0]["remaining"]) == (12006, 95)
    run = subprocess.run([str(KIOSK), "dispenser", "reconcile", "--json", "--port",
                          sim.connection, "--journal", str(path)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    figures = json.loads(run.stdout)
    assert figures["ok"] is True and figures["cassettes"][0]["taken"] == 5
    text = subprocess.run([str(KIOSK), "dispenser", "reconcile", "--port", sim.connection,
                           "--journal", str(path)], capture_output=True, text=True, timeout=60)
    assert "loaded 100 = taken 5 + retracted 0 + in slot 0 + remaining 95" in text.stdout
    assert contents() == before  # nothing settled, loaded or blocked
    missing = subprocess.run([str(KIOSK), "dispenser", "stock", "--port", sim.connection,
                              "--journal", str(tmp_path / "none.sqlite3")],
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "no dispense journal" in missing.stderr


def test_demo_stock_matches_the_demo_allocations():
    from datetime import date

    from central.demo_data import DEMO_STOCK_ALLOCATIONS, demo_invoice_stock
    from drivers.dispenser.frame import INVOICE_KINDS
    from drivers.simulators.dispenser_sim import DEMO_STOCK

    assert [(INVOICE_KINDS[k], c, f, last) for _, k, c, f, last in DEMO_STOCK] == list(
        DEMO_STOCK_ALLOCATIONS)
    assert all(last - first + 1 >= 200 for _, _, first, last in DEMO_STOCK_ALLOCATIONS)
    assert {a["hall"] for a in demo_invoice_stock(date(2026, 6, 15))["allocations"]} == {
        "demo-hall"}
