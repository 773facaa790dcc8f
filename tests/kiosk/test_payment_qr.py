"""Payment QR on the kiosk (issue #11 §3, kiosk/payments/qr.py): the TS7 timing
vectors of a payment code (services.md), the state mapping onto the order store
(SUCCESS -> approved -> recorded, CLOSED -> declined, REVOKED -> voided), and the
start-up resolution. The acquirer here is a scripted stand-in with a virtual clock
(the timing is the subject); the real one is exercised end to end in
tests/kiosk/test_payment_qr_central.py."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kiosk.central_client import CentralRejected
from kiosk.payments.model import PaymentItem, PaymentRequest
from kiosk.payments.orders import OrderStore
from kiosk.payments.qr import PAYING_LIMIT_S, REVERSE_NOT_BEFORE_S, QrPayments
from offline_queue.crypto import KioskKeys
from offline_queue.outbox import Outbox

PERSON = "11010519491231002X"


class VirtualTime:
    def __init__(self) -> None:
        self.t = 0.0
        self.wall = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)

    def monotonic(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds

    def now(self) -> datetime:
        return self.wall + timedelta(seconds=self.t)


class ScriptedAcquirer:
    """Answers by virtual time: the payer pays at `pays_at` (None: never), a reverse
    answers USERPAYING `reverse_busy` times first. Records every call with its time."""

    def __init__(self, time: VirtualTime, *, pays_at: float | None = None,
                 reverse_busy: int = 0, cancels_at: float | None = None) -> None:
        self.time = time
        self.pays_at = pays_at
        self.cancels_at = cancels_at
        self.reverse_busy = reverse_busy
        self.state = "NOTPAY"
        self.calls: list[tuple[str, float]] = []

    def _advance(self) -> dict[str, Any]:
        t = self.time.t
        if self.state in ("NOTPAY", "USERPAYING"):
            if self.pays_at is not None and t >= self.pays_at:
                self.state = "SUCCESS"
            elif self.cancels_at is not None and t >= self.cancels_at:
                self.state = "PAYERROR"
        return {"order_id": "a" * 32, "state": self.state, "transaction_id": "42001",
                "paid_at": None}

    def create_qr(self, order_ref: str, amount_fen: int, expires_in_s: int) -> dict[str, Any]:
        self.calls.append(("create", self.time.t))
        return self._advance() | {"qr_text": "TAXPAY:" + "a" * 32,
                                  "expires_at": self.time.now().isoformat()}

    def charge_code(self, order_ref: str, amount_fen: int, auth_code: str) -> dict[str, Any]:
        self.calls.append(("charge", self.time.t))
        self.state = "USERPAYING"
        return self._advance()

    def query(self, order_ref: str, wait_s: float = 0) -> dict[str, Any]:
        self.calls.append(("query", self.time.t))
        self.time.t += wait_s
        return self._advance()

    def close(self, order_ref: str) -> dict[str, Any]:
        self.calls.append(("close", self.time.t))
        answer = self._advance()
        if self.state in ("NOTPAY", "PAYERROR"):
            self.state = "CLOSED"
        return answer | {"state": self.state}

    def reverse(self, order_ref: str) -> dict[str, Any]:
        self.calls.append(("reverse", self.time.t))
        self._advance()
        if self.reverse_busy > 0 and self.state == "USERPAYING":
            self.reverse_busy -= 1
            return {"order_id": "a" * 32, "state": "USERPAYING"}
        if self.state not in ("CLOSED", "REVOKED"):
            self.state = "REVOKED"
        return {"order_id": "a" * 32, "state": self.state}


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[tuple[OrderStore, Outbox, VirtualTime]]:
    keys = KioskKeys.generate()
    outbox = Outbox(tmp_path / "queue.db", "K-qr", keys)
    store = OrderStore(tmp_path / "queue.db", "K-qr", keys.data_key)
    yield store, outbox, VirtualTime()
    store.close()
    outbox.close()


def request() -> PaymentRequest:
    return PaymentRequest(service_id="tax.vehicle", tin=PERSON, items=(PaymentItem(
        kind="vehicle", ref="LSVAU2180N2183294", label_zh="车船税", label_en="Vehicle tax",
        period="202612", tax=Decimal("105.00")),), business={"kind": "vehicle"})


def qr(parts: Any, acquirer: ScriptedAcquirer, **kw: Any) -> QrPayments:
    store, outbox, time = parts
    return QrPayments(store, outbox, acquirer, monotonic=time.monotonic, sleep=time.sleep,
                      clock=time.now, record_wait_s=0.0, **kw)


def times(acquirer: ScriptedAcquirer, what: str) -> list[float]:
    return [t for name, t in acquirer.calls if name == what]


def test_ts7_userpaying_is_polled_until_30_s_then_reversed(parts: Any) -> None:
    time = parts[2]
    acquirer = ScriptedAcquirer(time)
    outcome = qr(parts, acquirer).pay_code(request(), "134567890123456789")
    queries = times(acquirer, "query")
    assert queries and max(queries) >= PAYING_LIMIT_S - 2.0
    assert all(t < PAYING_LIMIT_S for t in queries[:-1])
    assert times(acquirer, "reverse") == [pytest.approx(PAYING_LIMIT_S, abs=2.0)]
    assert min(times(acquirer, "reverse")) >= PAYING_LIMIT_S
    assert outcome.state == "voided" and acquirer.state == "REVOKED"
    assert parts[0].get(outcome.order_id).state == "voided"  # type: ignore[union-attr]


def test_ts7_a_cancel_reverses_but_never_before_15_s(parts: Any) -> None:
    time = parts[2]
    acquirer = ScriptedAcquirer(time)
    cancel = threading.Event()
    cancel.set()  # the taxpayer cancelled at once
    outcome = qr(parts, acquirer).pay_code(request(), "134567890123456789", cancel)
    reverses = times(acquirer, "reverse")
    assert reverses and reverses[0] >= REVERSE_NOT_BEFORE_S
    assert reverses[0] < REVERSE_NOT_BEFORE_S + 2.5
    assert outcome.state == "voided"


def test_ts7_a_reverse_answering_paying_is_retried_while_polling(parts: Any) -> None:
    time = parts[2]
    acquirer = ScriptedAcquirer(time, reverse_busy=2)
    outcome = qr(parts, acquirer).pay_code(request(), "134567890123456789")
    reverses = times(acquirer, "reverse")
    assert len(reverses) == 3
    # Between retried reverses the order is queried again.
    names = [name for name, _t in acquirer.calls]
    first = names.index("reverse")
    assert "query" in names[first + 1:names.index("reverse", first + 1)]
    assert outcome.state == "voided" and acquirer.state == "REVOKED"


def test_ts7_paid_while_entering_the_password_is_approved_and_queued(parts: Any) -> None:
    store, outbox, time = parts
    acquirer = ScriptedAcquirer(time, pays_at=12.0)
    outcome = qr(parts, acquirer).pay_code(request(), "134567890123456789")
    assert times(acquirer, "reverse") == []
    # Money taken, central has not answered yet: paid, awaiting confirmation.
    assert outcome.state == "approved"
    order = store.get(outcome.order_id)
    assert order is not None and order.record_uuid is not None
    assert order.detail["bank"]["channel"] == "qr"


def test_a_shown_qr_is_closed_at_the_timeout(parts: Any) -> None:
    time = parts[2]
    acquirer = ScriptedAcquirer(time)
    payments = qr(parts, acquirer, timeout_s=120.0)
    shown = payments.show(request())
    outcome = payments.wait(shown.order_id, threading.Event())
    assert times(acquirer, "close") == [pytest.approx(120.0, abs=0.01)]
    assert outcome.state == "declined" and acquirer.state == "CLOSED"


def test_a_shown_qr_the_payer_cancels_is_closed_at_once(parts: Any) -> None:
    time = parts[2]
    acquirer = ScriptedAcquirer(time, cancels_at=8.0)
    payments = qr(parts, acquirer)
    shown = payments.show(request())
    outcome = payments.wait(shown.order_id, threading.Event())
    assert times(acquirer, "close")[0] < 12.0
    assert outcome.state == "declined"


def test_resolve_closes_an_open_qr_and_declines_one_that_never_arrived(parts: Any) -> None:
    store, _outbox, time = parts
    acquirer = ScriptedAcquirer(time)
    payments = qr(parts, acquirer)
    shown = payments.show(request())  # then the kiosk died
    assert store.get(shown.order_id).state == "sent"  # type: ignore[union-attr]
    assert payments.resolve(store.get(shown.order_id)).state == "declined"  # type: ignore[arg-type]
    assert acquirer.state == "CLOSED"

    class Lost(ScriptedAcquirer):
        def query(self, order_ref: str, wait_s: float = 0) -> dict[str, Any]:
            raise CentralRejected(404, "order.unknown: no such order of this kiosk")

    order = store.create(request(), "qr")
    order = store.transition(order.id, "sent", reference=order.id, next_attempt=True)
    assert qr(parts, Lost(time)).resolve(order).state == "declined"


def test_resolve_finds_a_payment_made_while_the_kiosk_was_down(parts: Any) -> None:
    store, _outbox, time = parts
    acquirer = ScriptedAcquirer(time)
    payments = qr(parts, acquirer)
    shown = payments.show(request())
    acquirer.state = "SUCCESS"  # the payer paid after the kiosk died
    resolved = payments.resolve(store.get(shown.order_id))  # type: ignore[arg-type]
    assert resolved.state == "approved"


def test_a_payment_code_refused_by_the_acquirer_charges_nothing(parts: Any) -> None:
    store, _outbox, time = parts

    class Refusing(ScriptedAcquirer):
        def charge_code(self, order_ref: str, amount_fen: int, auth_code: str) -> dict[str, Any]:
            raise CentralRejected(422, "payment_code.invalid: not a payment code")

    from kiosk.payments.qr import QrError

    with pytest.raises(QrError) as caught:
        qr(parts, Refusing(time)).pay_code(request(), "999999999999999999")
    assert caught.value.code == "payment_code.invalid"
    assert [o.state for o in store.all()] == ["declined"]
