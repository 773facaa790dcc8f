"""Card payments through a faulty terminal line (issue #11 §4): the kiosk core with its
real outbox and sync worker, the MIS-POS simulator on a real pty and the central
service on loopback. The terminal goes silent after the card was read, the answer comes
through line noise, the card is declined, the cardholder is slower than the kiosk's
timeout, the cardholder presses the red key. Each case ends with the audit of the kill
-9 campaign (test_payment_crash.py): the card charged at most once and central's
booking matching the terminal's journal."""
from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from test_payment_crash import arrears_request, audit

from kiosk.app import KioskCore
from kiosk.config import parse_config
from kiosk.simulation import SimulatedHall

pytestmark = pytest.mark.fault


@pytest.fixture
def hall(tmp_path: Path) -> Any:
    h = SimulatedHall(tmp_path / "hall").start()
    yield h
    h.stop()


@pytest.fixture
def core(hall: SimulatedHall, tmp_path: Path) -> Any:
    base = parse_config({"data_dir": str(tmp_path / "kiosk"), "kiosk_id": "fault-kiosk",
                         "sync": {"interval_s": 0.2}, "payment": {"record_wait_s": 10.0}})
    base = replace(base, central=replace(base.central, offline_grace_s=0.0))
    c = KioskCore(hall.kiosk_config(base)).start()
    assert c.payments.ready.wait(10)
    c.data = tmp_path / "kiosk"
    yield c
    c.stop()


def wait_for(predicate: Any, timeout: float = 15.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def settle(core: Any) -> dict[str, Any]:
    """Resolve and settle until every order is final (or give up after a while)."""
    assert wait_for(lambda: not core.payments.resolve().open
                    and not core.payments.store.unresolved(), 30), \
        core.payments.store.status_json()
    return core.payments.store.status_json()


def pay_in_background(core: Any, request: Any) -> tuple[threading.Thread, list[Any]]:
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(core.payments.pay_card(request)))
    thread.start()
    return thread, out


def test_terminal_silent_after_the_card_was_read(hall: SimulatedHall, core: Any) -> None:
    request = arrears_request(hall)
    sim = hall.payment
    core.driver("payment_terminal").transaction_timeout_s = 1.5
    sim.slow_s = 0.8  # the PIN takes a moment ...
    thread, out = pay_in_background(core, request)
    assert wait_for(lambda: sim.in_transaction)
    sim.mute = True  # ... and the terminal's answer never reaches the kiosk
    thread.join(30)
    assert out and out[0].state == "unknown"  # 结果待核实: not charged again, not dropped
    assert not core.payments.ready.is_set()  # no new payment before it is resolved
    sim.mute = False
    status = settle(core)
    assert [o["state"] for o in status["orders"]] == ["recorded"]
    assert len(sim.frames_of("00")) == 1  # the sale was sent once, never repeated
    audit(hall, core, status, request.amount_fen)
    assert sim.charged_fen() == request.amount_fen


def test_line_noise_in_the_answer(hall: SimulatedHall, core: Any) -> None:
    request = arrears_request(hall)
    sim = hall.payment
    sim.garbage = True  # noise and false starts before every frame
    sim.corrupt_next = 3  # and bad LRCs: NAKed and sent again
    outcome = core.payments.pay_card(request)
    assert outcome.state == "recorded" and outcome.card_last4 == "9012"
    driver = core.driver("payment_terminal")
    assert driver.statistics["garbage_bytes"] > 0 and driver.statistics["naks_out"] >= 1
    audit(hall, core, settle(core), request.amount_fen)
    assert sim.charged_fen() == request.amount_fen


def test_declined_card_then_a_good_one(hall: SimulatedHall, core: Any) -> None:
    request = arrears_request(hall)
    sim = hall.payment
    sim.card = {"pan": "6222020000000000554", "expiry": "3012"}  # wrong PIN: 55
    declined = core.payments.pay_card(request)
    assert declined.state == "declined" and declined.message_code == "bank.55"
    audit(hall, core, settle(core), request.amount_fen)
    assert sim.charged_fen() == 0
    sim.card = {"pan": "6214830000069012", "expiry": "3012"}
    paid = core.payments.pay_card(request)
    assert paid.state == "recorded"
    audit(hall, core, settle(core), request.amount_fen)
    assert sim.charged_fen() == request.amount_fen


def test_cardholder_slower_than_the_kiosk_timeout(hall: SimulatedHall, core: Any) -> None:
    request = arrears_request(hall)
    sim = hall.payment
    core.driver("payment_terminal").transaction_timeout_s = 0.8
    sim.slow_s = 2.5  # the terminal still holds the sale when the kiosk gives up
    outcome = core.payments.pay_card(request)
    assert outcome.state == "unknown"
    # While the terminal is busy nothing is decided; once it finished, its record is.
    assert wait_for(lambda: not sim.in_transaction, 10)
    sim.slow_s = 0.0
    status = settle(core)
    assert [o["state"] for o in status["orders"]] == ["recorded"]
    audit(hall, core, status, request.amount_fen)
    assert sim.charged_fen() == request.amount_fen


def test_red_key_on_the_terminal_cancels(hall: SimulatedHall, core: Any) -> None:
    request = arrears_request(hall)
    sim = hall.payment
    sim.slow_s = 5.0
    thread, out = pay_in_background(core, request)
    assert wait_for(lambda: sim.in_transaction)
    assert sim.press_cancel()  # the taxpayer presses 取消 on the PIN pad
    thread.join(10)
    assert out and out[0].state == "declined" and out[0].message_code == "bank.UC"
    audit(hall, core, settle(core), request.amount_fen)
    assert sim.charged_fen() == 0
