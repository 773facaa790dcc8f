"""Payment QR end to end (issue #11 §3): the kiosk core (real outbox, real order
store, real sealed calls) against the simulated hall's central service on loopback,
whose demo acquirer plays the payer. What the scripted acquirer of
tests/kiosk/test_payment_qr.py cannot show:

- a payment central refuses after the taxpayer stopped waiting (record_wait_s) is
  refunded by the core's settle after the sync pass that brings the refusal, not only
  at the next start-up or `kiosk payments reconcile`;
- a kiosk without a background sync worker (the scenario runner's) still sends a
  payment's record at once, so the taxpayer sees it recorded without anyone syncing;
- a reverse the acquirer answers USERPAYING (the payer still entering their password:
  the demo switch `POST /v1/demo/acquirer/{order}/busy`) is retried, TS7, until the
  order is REVOKED.

The TS7 test keeps the kiosk's timing on a virtual clock (no 15 s waits); every call
still goes to the real server.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from central.demo_data import DEMO_PERSON_ID
from central.payment_services_db import QrOrder
from central.payments_db import TaxPayment
from kiosk.app import KioskCore
from kiosk.config import parse_config
from kiosk.payments import qr as qr_module
from kiosk.payments.model import PaymentRequest
from kiosk.payments.qr import REVERSE_NOT_BEFORE_S, CentralAcquirer, QrPayments
from kiosk.services.identity import IdentityService
from kiosk.simulation import SimulatedHall

PASSWORD = "demo1234"
WECHAT_CODE = "134567890123456789"


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[SimulatedHall]:
    h = SimulatedHall(tmp_path / "hall").start()
    yield h
    h.stop()


@pytest.fixture
def core(hall: SimulatedHall, tmp_path: Path) -> Iterator[KioskCore]:
    # No background worker (as the scenario runner's kiosk): a payment's record is
    # still sent at once (KioskCore._sync_payment), other records only when told.
    base = parse_config({"data_dir": str(tmp_path / "kiosk"), "kiosk_id": "qr-kiosk",
                         "payment": {"record_wait_s": 10.0}})
    base = replace(base, central=replace(base.central, offline_grace_s=0.0))
    c = KioskCore(hall.kiosk_config(base)).start(background_sync=False)
    assert c.payments.ready.wait(10), "start-up resolution did not finish"
    gate = c.service("identity.login")
    assert isinstance(gate, IdentityService)
    c.identity.set(gate.login_password(DEMO_PERSON_ID, PASSWORD))
    yield c
    c.stop()


def central_db(hall: SimulatedHall) -> Session:
    assert hall.central is not None
    return Session(create_engine(hall.central.db_url))


def acquirer_order(hall: SimulatedHall, order_ref: str) -> QrOrder:
    with central_db(hall) as db:
        order = db.execute(select(QrOrder).where(QrOrder.order_ref == order_ref)
                           ).scalar_one()
        db.expunge(order)
        return order


def payer(hall: SimulatedHall, order_id: str, action: str, **params: Any) -> dict[str, Any]:
    r = httpx.post(f"{hall.central_url}/v1/demo/acquirer/{order_id}/{action}",
                   params=params, timeout=10)
    assert r.status_code == 200, r.text
    return dict(r.json())


def wait_for(predicate: Any, timeout: float = 15.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def vehicle_bill(core: KioskCore) -> PaymentRequest:
    bill = core.service("tax.vehicle").bill()  # type: ignore[attr-defined]
    assert bill.lines, "the demo person owes vehicle tax"
    return bill.request(set(range(len(bill.lines))))


def pay_by_qr(payments: QrPayments, hall: SimulatedHall, request: PaymentRequest) -> Any:
    """Show the QR, let the demo payer pay it, follow it to the kiosk's outcome."""
    import threading

    shown = payments.show(request)
    order_id = shown.qr_text.removeprefix("TAXPAY:")
    payer(hall, order_id, "pay")
    return payments.wait(shown.order_id, threading.Event())


def test_a_refusal_after_the_wait_is_refunded_by_the_next_settle(
        core: KioskCore, hall: SimulatedHall) -> None:
    request = vehicle_bill(core)
    first = pay_by_qr(core.qr_payments, hall, request)  # synced by itself: recorded
    assert first.state == "recorded", first
    # The same debt paid again (a second kiosk, a stale bill): the acquirer takes the
    # money; central's refusal comes only with a later sync pass, after the
    # taxpayer's wait ([payment] record_wait_s) is over (this QrPayments wakes no
    # sync: the link is slow). The core's own QrPayments settles it.
    slow = QrPayments(core.payments.store, core.outbox, core.qr_payments.acquirer,
                      record_wait_s=0.0)
    again = pay_by_qr(slow, hall, request)
    assert again.state == "approved", again  # paid, awaiting confirmation
    assert acquirer_order(hall, again.order_id).state == "SUCCESS"
    report = core.drain_queue(timeout_s=30)  # the refusal arrives; settle follows it
    assert report.error is None
    assert wait_for(lambda: core.payments.store.get(again.order_id).state == "voided"), \
        core.payments.store.get(again.order_id)
    order = core.payments.store.get(again.order_id)
    assert order.message_code == "central.payment.already_paid"
    assert acquirer_order(hall, again.order_id).state == "REVOKED"  # refunded
    assert core.payments.store.unresolved() == []
    with central_db(hall) as db:  # booked once, by the first order only
        booked = db.execute(select(TaxPayment.order_id, TaxPayment.status)).all()
    assert sorted(booked) == sorted([(first.order_id, "recorded"),
                                     (again.order_id, "refused")])


class VirtualTime:
    """The kiosk's clocks for TS7: sleeping moves time on (and yields a moment)."""

    def __init__(self) -> None:
        self.t = 0.0
        self.hooks: list[Any] = []

    def monotonic(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        for hook in self.hooks:
            hook()
        self.t += seconds
        time.sleep(0.01)

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.t)


class Recording:
    """The real acquirer (central, sealed calls), noting when each call was made."""

    def __init__(self, inner: CentralAcquirer, clock: VirtualTime) -> None:
        self.inner, self.clock = inner, clock
        self.calls: list[tuple[str, float, str]] = []
        self.order_id: str | None = None

    def _note(self, name: str, answer: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((name, self.clock.t, str(answer.get("state"))))
        self.order_id = self.order_id or answer.get("order_id")
        return answer

    def create_qr(self, order_ref: str, amount_fen: int, expires_in_s: int) -> dict[str, Any]:
        return self._note("create", self.inner.create_qr(order_ref, amount_fen, expires_in_s))

    def charge_code(self, order_ref: str, amount_fen: int, auth_code: str) -> dict[str, Any]:
        return self._note("charge", self.inner.charge_code(order_ref, amount_fen, auth_code))

    def query(self, order_ref: str, wait_s: float = 0) -> dict[str, Any]:
        return self._note("query", self.inner.query(order_ref, wait_s))

    def close(self, order_ref: str) -> dict[str, Any]:
        return self._note("close", self.inner.close(order_ref))

    def reverse(self, order_ref: str) -> dict[str, Any]:
        return self._note("reverse", self.inner.reverse(order_ref))


def test_a_reverse_the_acquirer_answers_paying_is_retried_until_revoked(
        core: KioskCore, hall: SimulatedHall) -> None:
    import threading

    clock = VirtualTime()
    acquirer = Recording(CentralAcquirer(core.central, core.keys,
                                         core.identity.session_token), clock)
    payments = QrPayments(core.payments.store, core.outbox, acquirer,
                          monotonic=clock.monotonic, sleep=clock.sleep, clock=clock.now,
                          record_wait_s=0.0)
    busy: list[dict[str, Any]] = []

    def payer_typing() -> None:  # once the order exists: the payer is entering a password
        if not busy and acquirer.order_id:
            busy.append(payer(hall, acquirer.order_id, "busy", reverses=2))

    clock.hooks.append(payer_typing)
    cancel = threading.Event()
    cancel.set()  # the taxpayer cancels at once: reverse as soon as TS7 allows
    outcome = payments.pay_code(vehicle_bill(core), WECHAT_CODE, cancel)
    assert busy == [{"order_id": acquirer.order_id, "state": "USERPAYING"}]
    reverses = [(t, state) for name, t, state in acquirer.calls if name == "reverse"]
    assert [state for _t, state in reverses] == ["USERPAYING", "USERPAYING", "REVOKED"]
    assert reverses[0][0] >= REVERSE_NOT_BEFORE_S
    # Between the retried reverses the kiosk kept querying the order.
    names = [name for name, _t, _s in acquirer.calls]
    first, last = names.index("reverse"), len(names) - 1
    assert names[first:last + 1].count("query") >= 2
    assert outcome.state == "voided" and outcome.message_code == "payment.qr_revoked"
    order = acquirer_order(hall, outcome.order_id)
    assert (order.state, order.reverse_busy) == ("REVOKED", 0)


def test_the_busy_switch_is_only_for_a_payment_code_being_confirmed(
        core: KioskCore, hall: SimulatedHall) -> None:
    shown = core.qr_payments.show(vehicle_bill(core))  # a QR on screen: NOTPAY
    order_id = shown.qr_text.removeprefix("TAXPAY:")
    r = httpx.post(f"{hall.central_url}/v1/demo/acquirer/{order_id}/busy", timeout=10)
    assert r.status_code == 409 and "order.not_paying" in r.text
    for bad in ("0", "11", "x"):
        r = httpx.post(f"{hall.central_url}/v1/demo/acquirer/{order_id}/busy",
                       params={"reverses": bad}, timeout=10)
        assert r.status_code == 422
    assert acquirer_order(hall, shown.order_id).reverse_busy == 0
    core.qr_payments.acquirer.close(shown.order_id)


@pytest.fixture(autouse=True)
def _uninstall() -> Iterator[None]:
    yield
    qr_module.install(None)
