"""Card payments end to end (issue #11 §2): the kiosk core with its real outbox, the
payment terminal simulator on a real pty, the central service on loopback. Each test
ends with the card charged at most once and central's booking matching the
terminal's journal."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from central.db import Arrear, Payment
from central.demo_data import DEMO_ENTERPRISE_TIN
from central.payments_db import TaxPayment
from central.verification import china_today
from drivers.payment.mispos import SALE, VOID
from kiosk.app import KioskCore
from kiosk.config import parse_config
from kiosk.domain.late_fee import late_fee
from kiosk.payments.model import PaymentItem, PaymentRequest
from kiosk.simulation import SimulatedHall


@pytest.fixture
def hall(tmp_path: Path) -> Any:
    h = SimulatedHall(tmp_path / "hall").start()
    yield h
    h.stop()


def start_core(hall: SimulatedHall, data: Path, **payment: Any) -> KioskCore:
    base = parse_config({"data_dir": str(data), "kiosk_id": "pay-kiosk",
                         "sync": {"interval_s": 0.2},
                         "payment": {"record_wait_s": 10.0, **payment}})
    base = replace(base, central=replace(base.central, offline_grace_s=0.0))
    core = KioskCore(hall.kiosk_config(base)).start()
    assert core.payments.ready.wait(10), "start-up resolution did not finish"
    return core


def central_session(hall: SimulatedHall) -> Session:
    assert hall.central is not None
    return Session(create_engine(hall.central.db_url))


def arrears_request(hall: SimulatedHall) -> PaymentRequest:
    """The demo enterprise's unpaid arrears as the tax.pay screen would charge them."""
    with central_session(hall) as s:
        rows = s.execute(select(Arrear).where(Arrear.tin == DEMO_ENTERPRISE_TIN,
                                              Arrear.amount > 0)).scalars().all()
        items = []
        for row in rows:
            fee = late_fee(row.amount, row.due_on, china_today())  # central checks by China's day
            items.append(PaymentItem(kind="arrear", ref=row.tax_kind, label_zh=row.tax_kind,
                                     label_en="tax", period=row.period, tax=fee.tax,
                                     late_fee=fee.fee, due_on=row.due_on))
    assert items
    return PaymentRequest(service_id="tax.pay", items=tuple(items),
                          business={"kind": "arrears"}, tin=DEMO_ENTERPRISE_TIN)


def approved_sales(hall: SimulatedHall) -> list[Any]:
    return [t for t in hall.payment.transactions if t.kind == SALE and t.response_code == "00"]


def wait_for(predicate: Any, timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_arrears_paid_by_card_are_recorded_once(hall: SimulatedHall, tmp_path: Path) -> None:
    core = start_core(hall, tmp_path / "kiosk")
    try:
        request = arrears_request(hall)
        stages: list[str] = []
        outcome = core.payments.pay_card(request, on_progress=lambda s, _t: stages.append(s))
        assert outcome.state == "recorded", outcome
        assert outcome.card_last4 == "9012" and outcome.amount_fen == request.amount_fen
        assert "CARD" in stages and "PIN" in stages
        sales = approved_sales(hall)
        assert len(sales) == 1 and sales[0].amount_fen == request.amount_fen
        with central_session(hall) as s:
            booked = s.get(TaxPayment, outcome.order_id)
            assert booked is not None and booked.status == "recorded"
            assert booked.amount == Decimal(request.amount_fen) / 100
            assert '"card_masked": "621483******9012"' in booked.bank
            left = s.execute(select(Arrear).where(Arrear.tin == DEMO_ENTERPRISE_TIN,
                                                  Arrear.amount > 0)).all()
            assert left == []  # arrears.query now says 无欠税 / No tax owed
            numbers = {v["voucher_no"] for v in outcome.vouchers}
            rows = s.execute(select(Payment).where(Payment.voucher_no.in_(numbers))).all()
            assert len(rows) == len(numbers) >= len(request.items)
        status = core.payments.store.status_json()
        assert status["unresolved"] == []
        assert [o["state"] for o in status["orders"]] == ["recorded"]
        # The staff command reads the same orders beside the running kiosk.
        config = tmp_path / "kiosk.toml"
        config.write_text(f'data_dir = "{tmp_path / "kiosk"}"\nkiosk_id = "pay-kiosk"\n')
        out = subprocess.run([str(Path(sys.executable).parent / "kiosk"), "payments",
                              "status", "--json", "--config", str(config)],
                             capture_output=True, text=True, timeout=60, check=True)
        listed = json.loads(out.stdout)
        assert listed["unresolved"] == []
        assert {k: listed["orders"][0][k] for k in ("id", "state", "amount_fen", "method")} \
            == {"id": outcome.order_id, "state": "recorded",
                "amount_fen": request.amount_fen, "method": "card"}
        # Paying the same debt again: central refuses, the second sale is voided.
        again = core.payments.pay_card(request)
        assert again.state == "voided" and again.message_code == "central.payment.already_paid"
        voids = [t for t in hall.payment.transactions if t.kind == VOID]
        assert len(voids) == 1 and voids[0].response_code == "00"
    finally:
        core.stop()


@pytest.mark.parametrize("pan, code", [("6222020000000000059", "51"),
                                       ("6214830000069013", "14")])
def test_declined_card_books_nothing(hall: SimulatedHall, tmp_path: Path, pan: str,
                                     code: str) -> None:
    core = start_core(hall, tmp_path / "kiosk")
    try:
        hall.payment.card = {"pan": pan, "expiry": "3012"}
        outcome = core.payments.pay_card(arrears_request(hall))
        assert outcome.state == "declined" and outcome.message_code == f"bank.{code}"
        assert approved_sales(hall) == []
        core.drain_queue(10)
        with central_session(hall) as s:
            assert s.execute(select(TaxPayment)).all() == []
    finally:
        core.stop()


def test_link_down_after_approval_is_kept_and_recorded_later(hall: SimulatedHall,
                                                             tmp_path: Path) -> None:
    core = start_core(hall, tmp_path / "kiosk", record_wait_s=1.0)
    try:
        request = arrears_request(hall)
        assert hall.network is not None
        hall.network.set_online(False)
        outcome = core.payments.pay_card(request)
        assert outcome.state == "approved"  # 已扣款，待税务确认 / Paid, awaiting confirmation
        # Money taken is no offline exposure.
        exposure = core.exposure()
        assert exposure.measure("pending_records").value == 0
        hall.network.set_online(True)
        assert wait_for(lambda: core.payments.store.get(outcome.order_id).state
                        == "recorded", 20)
        assert len(approved_sales(hall)) == 1
        assert [t for t in hall.payment.transactions if t.kind == VOID] == []
    finally:
        core.stop()


def test_terminal_silent_after_card_read_resolves_before_next_payment(
        hall: SimulatedHall, tmp_path: Path) -> None:
    core = start_core(hall, tmp_path / "kiosk")
    try:
        request = arrears_request(hall)
        hall.payment.crash_after_approve = True  # approves, stores, never replies
        terminal = core.driver("payment_terminal")
        terminal.transaction_timeout_s = 2.0
        outcome = core.payments.pay_card(request)
        # Resolved at once by querying the terminal: approved, then recorded.
        final = core.payments.store.get(outcome.order_id)
        assert final is not None
        assert wait_for(lambda: core.payments.store.get(outcome.order_id).state
                        == "recorded", 20)
        assert len(approved_sales(hall)) == 1
        with central_session(hall) as s:
            assert s.get(TaxPayment, outcome.order_id).status == "recorded"
    finally:
        core.stop()
