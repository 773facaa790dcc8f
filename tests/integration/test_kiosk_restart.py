"""`kiosk_restart` (issue #11 §4): the scenario runner drives the kiosk as a child
process, kills it (SIGKILL) or quits it, and starts it again on the same data
directory while the simulated hall (central, network, devices) keeps running in the
runner. Real processes, a real central service on loopback, real pty devices."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from central.db import Record, VerificationLog
from central.payments_db import TaxPayment
from kiosk.scenario.child import KioskChildSession
from kiosk.scenario.runner import VERBS, StepFailed, expand
from offline_queue.payloads import INVOICE_VERIFY_KIND

ROOT = Path(__file__).resolve().parents[2]
QR = "01,04,044032600104,00012345,200.00,{today-12},61785043920176235148,"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); its state says it is dead.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _central_counts(session: KioskChildSession) -> tuple[int, int]:
    """(accepted invoice.verify records, central verifications of invoice 00012345)."""
    assert session.hall.central is not None
    engine = create_engine(session.hall.central.db_url)
    try:
        with Session(engine) as db:
            records = db.scalar(select(func.count()).select_from(Record).where(
                Record.kind == INVOICE_VERIFY_KIND, Record.status == "accepted"))
            checks = db.scalar(select(func.coalesce(func.sum(VerificationLog.count), 0))
                               .where(VerificationLog.number == "00012345"))
        return int(records or 0), int(checks or 0)
    finally:
        engine.dispose()


@pytest.fixture
def child(tmp_path: Path):  # type: ignore[no-untyped-def]
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    session = KioskChildSession(tmp_path, None, None, tmp_path / "artifacts")
    yield session
    session.close()


def test_a_queued_record_survives_sigkill_and_is_synced_exactly_once(
        child: KioskChildSession) -> None:
    for verb, arg in [("tap", "action.start"), ("open", "invoice.verify"),
                      ("network", "offline"), ("scan", expand(QR)),
                      ("expect_screen", "invoice.verify.queued"),
                      ("expect_printed", "联网后自动查验")]:
        child.run(verb, arg)
    first = child.pid
    assert first is not None and _central_counts(child) == (0, 0)

    child.run("kiosk_restart", {"hard": True})
    assert child.pid != first and not _alive(first), "the old kiosk process still runs"
    assert child.starts == 2
    # The hall kept running: the network is still down for the new kiosk.
    child.run("expect_text", "网络中断")
    child.run("network", "online")
    child.run("sync", {})
    assert _central_counts(child) == (1, 1)
    child.run("sync", {})  # nothing left to send: still once
    assert _central_counts(child) == (1, 1)
    # The slip printed before the kill is the one whose QR shows the result now.
    for verb, arg in [("tap", "action.start"), ("open", "invoice.verify"),
                      ("scan_printed_qr", {}), ("expect_screen", "invoice.verify.result"),
                      ("expect_text", "00012345")]:
        child.run(verb, arg)
    # What was printed before the restart is matched once only.
    with pytest.raises(StepFailed, match="not printed"):
        child.run("expect_printed", "联网后自动查验")
    # Each paper printed is kept once, across both kiosk processes.
    receipts = sorted((child.artifacts or Path()).glob("*-receipt.txt"))
    assert len(receipts) == 1, receipts


def test_killed_while_the_terminal_holds_the_sale_the_card_is_charged_once(
        child: KioskChildSession) -> None:
    """Issue #11 §4: SIGKILL while the sale is at the terminal; the new kiosk process
    resolves the order from the terminal's journal before anything else, central
    books it once, and `kiosk payments status` lists nothing unresolved."""
    for verb, arg in [("tap", "action.start"), ("open", "tax.pay"), ("id_card", {}),
                      ("tap", "item.91110105MA01R8XK4P"), ("expect_screen", "tax.pay"),
                      ("device_fault", {"device": "payment_terminal", "fault": "slow"}),
                      ("tap", "action.pay_card"), ("expect_terminal_sale", "running")]:
        child.run(verb, arg)
    child.run("kiosk_restart", {"hard": True})
    sim = child.hall.payment
    assert sim is not None
    for verb, arg in [("device_restore", "payment_terminal"), ("expect_card_charged", 1),
                      ("expect_payments", {"ready": True}), ("sync", {}),
                      ("expect_payments", {"unresolved": 0, "recorded": 1})]:
        child.run(verb, arg)
    [sale] = sim.sales()
    assert sim.charged_fen() == sale.amount_fen > 0
    config = child.tmp / "kiosk.toml"
    config.write_text(f'data_dir = "{child.tmp / "kiosk"}"\nkiosk_id = "scenario-kiosk"\n',
                      encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "kiosk", "payments", "status", "--json",
                          "--config", str(config)],
                         capture_output=True, text=True, timeout=60, check=True, cwd=ROOT)
    listed = json.loads(out.stdout)
    assert listed["unresolved"] == []
    [order] = listed["orders"]
    assert (order["state"], order["method"], order["amount_fen"]) == \
        ("recorded", "card", sale.amount_fen)
    assert child.hall.central is not None
    engine = create_engine(child.hall.central.db_url)
    try:
        with Session(engine) as db:
            booked = db.execute(select(TaxPayment)).scalars().all()
            assert [(b.order_id, b.status, b.amount) for b in booked] == \
                [(order["id"], "recorded", Decimal(sale.amount_fen) / 100)]
    finally:
        engine.dispose()


def test_bad_arguments_and_a_dead_kiosk_are_reported(child: KioskChildSession) -> None:
    pid = child.pid
    for bad in ("yes", {"hard": "yes"}, {"hard": True, "now": 1}):
        with pytest.raises(StepFailed, match="kiosk_restart takes"):
            child.run("kiosk_restart", bad)
    assert child.pid == pid and child.starts == 1  # a refused step changes nothing
    child.run("kiosk_restart", {"hard": False})  # a normal quit: exit status 0
    assert child.starts == 2 and not _alive(pid or 0)
    child.run("expect_screen", "attract")
    # The kiosk dies on its own (not through kiosk_restart): the next step says so.
    os.kill(child.pid or 0, signal.SIGKILL)
    with pytest.raises(StepFailed, match="kiosk process died"):
        child.run("expect_screen", "attract")


def test_in_process_the_verb_says_what_to_do() -> None:
    with pytest.raises(StepFailed, match="child process"):
        VERBS["kiosk_restart"](None, {"hard": True})


def test_every_verb_also_runs_in_a_child_process_and_failures_name_the_step(
        tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- tap: action.start\n- expect_screen: home\n- expect_text: 不存在的文字\n",
                   encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "scenario", "--child-process",
         str(ROOT / "tests" / "scenarios" / "online_verify.yaml"), str(bad)],
        capture_output=True, text=True, timeout=240, cwd=ROOT,
        env=os.environ | {"QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode != 0
    assert "ok   " in result.stdout and "online_verify" in result.stdout, result.stdout
    assert "step 3" in result.stdout and "不存在的文字" in result.stdout, result.stdout
