"""Paying by payment QR (聚合支付), both directions (issue #11 §3; services.md §4.4,
TS7). Qt-free; blocking (run it off the GUI thread).

- A QR the payer scans (`native`): the order is created at the central service's
  acquirer, its QR shows with a countdown and the kiosk polls; at `[payment]
  qr_timeout_s` (default 120), when the payer cancels, or when the taxpayer presses
  cancel, the kiosk closes the order.
- The payer's payment code (付款码) shown to the kiosk's scanner (`code`), TS7: keep
  polling while the payer enters their password (USERPAYING); after 30 s, or on a
  cancel, reverse (撤销) it, but never before the order is 15 s old; a reverse that
  answers "paying" is retried while polling goes on.

Either way the acquirer's order ends SUCCESS, CLOSED or REVOKED, and the kiosk's order
(kiosk.payments.orders, the same store as the card path) follows, each state committed
BEFORE the step it announces: `sent` before the order reaches the acquirer (its
`order_ref` is the kiosk's order id, so a create sent twice makes one order), then
SUCCESS -> `approved` -> the `tax.payment` record (kiosk.payments.record) ->
`recorded`; CLOSED -> `declined`; REVOKED -> `voided`. If central refuses the record,
`voiding` is committed and the order is reversed (a paid order is refunded) ->
`voided`. `resolve(order)` settles a QR order a crash left open (the core calls it at
start-up and from `kiosk payments reconcile`).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from .. import log
from ..central_client import CentralRejected, CentralUnavailable
from .model import PaymentOutcome, PaymentRequest
from .orders import IllegalTransition, Order, OrderStore
from .record import queue_payment_record, record_outcome

_log = log.get("session")

#: TS7 (WeChat Pay 付款码): poll while the payer is paying up to this long, then reverse.
PAYING_LIMIT_S = 30.0
#: ...but never reverse an order younger than this.
REVERSE_NOT_BEFORE_S = 15.0
#: How often a payment-code order is queried; a shown QR is long-polled this long.
CODE_POLL_S = 2.0
QR_WAIT_S = 2.0
#: How long the kiosk keeps trying to reach a final state with the link down before it
#: leaves the order to the start-up resolution (the result says "being checked").
GIVE_UP_S = 60.0
FINAL = frozenset({"SUCCESS", "CLOSED", "REVOKED"})
QR_PREFIX = "TAXPAY:"


class Acquirer(Protocol):
    """The acquirer's calls (central.routes.payments); each answers the order as a
    dict with at least `state` (and `order_id`)."""

    def create_qr(self, order_ref: str, amount_fen: int, expires_in_s: int) -> dict[str, Any]: ...
    def charge_code(self, order_ref: str, amount_fen: int, auth_code: str) -> dict[str, Any]: ...
    def query(self, order_ref: str, wait_s: float = 0) -> dict[str, Any]: ...
    def close(self, order_ref: str) -> dict[str, Any]: ...
    def reverse(self, order_ref: str) -> dict[str, Any]: ...


class QrError(RuntimeError):
    """A QR payment that could not start; `code` is a ui/messages.py code."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class CentralAcquirer:
    """The central service's acquirer, by sealed calls. Every call names the order by
    the kiosk's own id (`order_ref`), so a crash before an answer loses nothing.
    `session` gives the identified taxpayer's session token (needed only to create)."""

    def __init__(self, central: Any, keys: Any, session: Callable[[], str | None],
                 as_enrolled: Callable[[Callable[[], Any]], Any] = lambda call: call()) -> None:
        self._central = central
        self._keys = keys
        self._session = session
        self._as_enrolled = as_enrolled

    def _call(self, purpose: str, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        answer = self._as_enrolled(
            lambda: self._central.sealed_call(self._keys, purpose, path, payload))
        if not isinstance(answer, dict) or "state" not in answer:
            raise CentralUnavailable("unreadable acquirer answer")
        return answer

    def _with_session(self, payload: dict[str, Any]) -> dict[str, Any]:
        session = self._session()
        if not session:
            raise QrError("nobody is identified", "session.expired")
        return {"session": session} | payload

    def create_qr(self, order_ref: str, amount_fen: int, expires_in_s: int) -> dict[str, Any]:
        return self._call("payments.qr", "payments/qr", self._with_session({
            "order_ref": order_ref, "amount_fen": amount_fen,
            "expires_in_s": expires_in_s}))

    def charge_code(self, order_ref: str, amount_fen: int, auth_code: str) -> dict[str, Any]:
        return self._call("payments.code", "payments/code", self._with_session({
            "order_ref": order_ref, "amount_fen": amount_fen, "auth_code": auth_code}))

    def query(self, order_ref: str, wait_s: float = 0) -> dict[str, Any]:
        payload: dict[str, Any] = {"order_ref": order_ref}
        if wait_s > 0:
            payload["wait_s"] = wait_s
        return self._call("payments.qr_poll", "payments/qr/poll", payload)

    def close(self, order_ref: str) -> dict[str, Any]:
        return self._call("payments.qr_close", "payments/qr/close", {"order_ref": order_ref})

    def reverse(self, order_ref: str) -> dict[str, Any]:
        return self._call("payments.code_reverse", "payments/code/reverse",
                          {"order_ref": order_ref})


@dataclass(frozen=True)
class ShownQr:
    """A QR on screen: the kiosk's order id, the text to draw, when it runs out."""

    order_id: str
    qr_text: str
    expires_at: datetime
    timeout_s: float


def _unknown_order(exc: CentralRejected) -> bool:
    return exc.status == 404 and exc.reason.startswith("order.unknown")


class QrPayments:
    """QR orders of one kiosk (both directions) on the shared order store."""

    def __init__(self, store: OrderStore, outbox: Any, acquirer: Acquirer, *,
                 timeout_s: float = 120.0, record_wait_s: float = 15.0,
                 wake_sync: Callable[[], None] = lambda: None,
                 ready: Callable[[], bool] = lambda: True,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.store = store
        self.outbox = outbox
        self.acquirer = acquirer
        self.timeout_s = timeout_s
        self.record_wait_s = record_wait_s
        self._wake_sync = wake_sync
        self._ready = ready
        self._clock = clock
        self._monotonic = monotonic
        self._sleep = sleep
        self._lock = threading.Lock()  # one resolution of an order at a time

    # -- a QR the payer scans --------------------------------------------------------------
    def show(self, request: PaymentRequest) -> ShownQr:
        """Create the order (kiosk, then acquirer) and answer what to draw. QrError
        `payment.resolving` while open orders are being resolved; CentralUnavailable
        when the acquirer cannot be reached (the order is closed if the create got
        there after all, else left to resolve(), which asks by the kiosk's id)."""
        if not self._ready():
            raise QrError("unresolved payment orders must be settled first",
                          "payment.resolving")
        order = self.store.create(request, "qr")
        order = self.store.transition(order.id, "sent", expect="created",
                                      reference=order.id, next_attempt=True,
                                      detail={"mode": "native"})
        try:
            answer = self.acquirer.create_qr(order.id, order.amount_fen,
                                             int(max(10, min(600, self.timeout_s))))
        except CentralRejected as exc:
            self._finish_refused(order, exc)
            raise QrError(exc.reason, "payment.qr_refused") from None
        except (CentralUnavailable, QrError):
            self._close_quietly(order)
            raise
        self.store.annotate(order.id, detail={"acquirer_order_id": answer.get("order_id")})
        expires = _parse_time(answer.get("expires_at")) or self._clock()
        return ShownQr(order_id=order.id, qr_text=str(answer.get("qr_text") or ""),
                       expires_at=expires, timeout_s=self.timeout_s)

    def wait(self, order_id: str, cancel: threading.Event) -> PaymentOutcome:
        """Poll a shown QR until the payer pays, cancels, the QR runs out or `cancel`
        is set; unpaid, the order is closed. Returns the outcome."""
        started = self._monotonic()
        down_since: float | None = None
        while True:
            elapsed = self._monotonic() - started
            try:
                if cancel.is_set() or elapsed >= self.timeout_s:
                    answer = self.acquirer.close(order_id)
                else:
                    answer = self.acquirer.query(
                        order_id, wait_s=min(QR_WAIT_S, max(0.0, self.timeout_s - elapsed)))
                    if answer.get("state") == "PAYERROR":  # the payer cancelled
                        answer = self.acquirer.close(order_id)
                down_since = None
            except CentralUnavailable:
                down_since = down_since if down_since is not None else self._monotonic()
                if self._monotonic() - down_since >= GIVE_UP_S:
                    return self._outcome(self.store.get(order_id))
                self._sleep(1.0)
                continue
            state = answer.get("state")
            if state in FINAL:
                return self._finish(order_id, answer)
            if cancel.is_set() or elapsed >= self.timeout_s:
                self._sleep(1.0)  # closing did not take (e.g. USERPAYING): try again

    # -- the payer's payment code ------------------------------------------------------
    def pay_code(self, request: PaymentRequest, auth_code: str,
                 cancel: threading.Event | None = None) -> PaymentOutcome:
        """Charge a scanned payment code and follow TS7 to a final state."""
        if not self._ready():
            raise QrError("unresolved payment orders must be settled first",
                          "payment.resolving")
        cancel = cancel or threading.Event()
        order = self.store.create(request, "qr")
        order = self.store.transition(order.id, "sent", expect="created",
                                      reference=order.id, next_attempt=True,
                                      detail={"mode": "code"})
        started = self._monotonic()
        try:
            answer = self.acquirer.charge_code(order.id, order.amount_fen, auth_code)
        except CentralRejected as exc:
            self._finish_refused(order, exc)
            raise QrError(exc.reason, exc.reason.split(":", 1)[0].strip()
                          if exc.reason.startswith("payment_code.") else
                          "payment.qr_refused") from None
        except CentralUnavailable:
            answer = {"state": "USERPAYING"}  # maybe charged: find out by querying
        self.store.annotate(order.id, detail={"acquirer_order_id": answer.get("order_id")})
        if answer.get("state") in FINAL:
            return self._finish(order.id, answer)
        return self._follow_code(order.id, started, cancel)

    def _follow_code(self, order_id: str, started: float,
                     cancel: threading.Event) -> PaymentOutcome:
        """TS7: query while USERPAYING; reverse at 30 s, on a cancel or a payer error,
        never before the order is 15 s old; a reverse answering USERPAYING is retried
        while querying goes on."""
        reverse_wanted = False
        down_since: float | None = None
        while True:
            age = self._monotonic() - started
            try:
                answer = self.acquirer.query(order_id)
                state = answer.get("state")
                if state in FINAL:
                    return self._finish(order_id, answer)
                if state == "PAYERROR" or cancel.is_set() or age >= PAYING_LIMIT_S:
                    reverse_wanted = True
                if reverse_wanted and age >= REVERSE_NOT_BEFORE_S:
                    answer = self.acquirer.reverse(order_id)
                    if answer.get("state") in FINAL:
                        return self._finish(order_id, answer)
                down_since = None
            except CentralUnavailable:
                down_since = down_since if down_since is not None else self._monotonic()
                if self._monotonic() - down_since >= GIVE_UP_S:
                    return self._outcome(self.store.get(order_id))
            self._sleep(CODE_POLL_S)

    # -- final states ------------------------------------------------------------------
    def _finish(self, order_id: str, answer: dict[str, Any]) -> PaymentOutcome:
        state = answer.get("state")
        order = self.store.get(order_id)
        assert order is not None
        if state == "SUCCESS":
            if order.state in ("sent", "unknown"):
                order = self.store.transition(order_id, "approved", message_code="qr.SUCCESS",
                                              detail={"bank": _bank(answer),
                                                      "paid_at": self._paid_at(answer)})
            return self._outcome(self._after_approval(order))
        if state == "CLOSED" and order.state in ("sent", "unknown"):
            order = self.store.transition(order_id, "declined", message_code="payment.qr_closed")
        elif state == "REVOKED" and order.state in ("sent", "unknown", "voiding"):
            order = self.store.transition(order_id, "voided", message_code="payment.qr_revoked")
        return self._outcome(order)

    def _finish_refused(self, order: Order, exc: CentralRejected) -> None:
        """The acquirer refused the create (a 4xx): nothing was charged."""
        code = exc.reason.split(":", 1)[0].strip()[:48] or "refused"
        self.store.transition(order.id, "declined", message_code=f"central.{code}")

    def _close_quietly(self, order: Order) -> None:
        """The create's answer was lost: close the order if it got there (so it can
        never be paid later), else leave it to resolve()."""
        try:
            self._finish(order.id, self.acquirer.close(order.id))
        except CentralRejected as exc:
            if _unknown_order(exc):
                self.store.transition(order.id, "declined", message_code="payment.not_sent")
        except CentralUnavailable:
            pass

    def _paid_at(self, answer: dict[str, Any]) -> str:
        paid = _parse_time(answer.get("paid_at"))
        return (paid or self._clock()).isoformat()

    def _after_approval(self, order: Order) -> Order:
        """Money taken: queue the tax.payment record once, wait a while for central's
        answer; refused -> reverse (refund)."""
        if order.state != "approved":
            return order
        if order.record_uuid is None:
            paid_at = datetime.fromisoformat(order.detail.get("paid_at")
                                             or self._clock().isoformat())
            uuid = queue_payment_record(self.outbox, order, order.request, "qr",
                                        order.detail.get("bank", {}), paid_at)
            order = self.store.set_record(order.id, uuid)
        self._wake_sync()
        deadline = self._monotonic() + self.record_wait_s
        while True:
            status, _result = record_outcome(self.outbox, order.record_uuid or "")
            if status != "pending" or self._monotonic() >= deadline:
                break
            self._sleep(0.05)
        return self.settle(order)

    def settle(self, order: Order) -> Order:
        """Book or give back a paid order from central's answer to its record:
        `recorded`, or refused -> `voiding` -> refunded (`voided`); a refund the
        acquirer has not done yet is tried again on the next call. The kiosk core
        calls this after every sync pass (PaymentCore.settle), so a refusal that comes
        after the taxpayer stopped waiting is refunded then, not at the next start-up.
        Under the lock: the wait on screen and the core's settle may race."""
        with self._lock:
            order = self.store.get(order.id) or order
            if order.state == "voiding":
                return self._refund(order)
            if order.state != "approved" or order.record_uuid is None:
                return order
            status, result = record_outcome(self.outbox, order.record_uuid)
            return self._settle(order, status, result)

    def _settle(self, order: Order, status: str, result: dict[str, Any]) -> Order:
        if status == "recorded":
            return self.store.transition(order.id, "recorded", expect="approved",
                                         message_code="payment.recorded",
                                         detail={"vouchers": result.get("vouchers", []),
                                                 "paid_on": result.get("paid_on")})
        if status == "refused":
            reason = str(result.get("reason") or "refused")[:48]
            order = self.store.transition(order.id, "voiding", expect="approved",
                                          message_code=f"central.{reason}")
            return self._refund(order)
        return order  # approved: paid, awaiting confirmation

    def _refund(self, order: Order) -> Order:
        """Reverse a paid order central refused (`voiding` is committed)."""
        try:
            answer = self.acquirer.reverse(order.id)
        except (CentralUnavailable, CentralRejected) as exc:
            _log.warning("QR refund not done yet: %s", type(exc).__name__)
            return order
        if answer.get("state") == "REVOKED":
            return self.store.transition(order.id, "voided", expect="voiding",
                                         detail={"refunded": True})
        return order

    def _outcome(self, order: Order | None) -> PaymentOutcome:
        assert order is not None
        vouchers = tuple(order.detail.get("vouchers") or ())
        return PaymentOutcome(
            order_id=order.id, state=order.state, method="qr", amount_fen=order.amount_fen,
            message_code=order.message_code or "payment.unknown",
            voucher_no=vouchers[0]["voucher_no"] if vouchers else None, vouchers=vouchers)

    # -- start-up resolution -----------------------------------------------------------
    def resolve(self, order: Order) -> Order:
        """Settle one QR order a crash or a dead link left open, from the acquirer's
        record (asked by the kiosk's order id) and central's answer to its record.
        CentralUnavailable propagates (it stays open; the next pass tries again)."""
        with self._lock:
            order = self.store.get(order.id) or order
            if order.state == "created":  # `sent` comes before the acquirer: never sent
                return self.store.transition(order.id, "declined", expect="created",
                                             message_code="payment.not_sent")
            if order.state in ("sent", "unknown"):
                return self._resolve_open(order)
        return self.settle(order)

    def _resolve_open(self, order: Order) -> Order:
        try:
            answer = self.acquirer.query(order.id)
        except CentralRejected as exc:
            if _unknown_order(exc):  # the create never reached the acquirer
                return self.store.transition(order.id, "declined",
                                             message_code="payment.not_sent")
            raise
        state = answer.get("state")
        if state not in FINAL:
            # Unpaid and nobody is waiting for it any more: close a QR, reverse a
            # payment code (not before it is 15 s old).
            if order.detail.get("mode") == "code":
                age = (self._clock() - order.created_at).total_seconds()
                if age < REVERSE_NOT_BEFORE_S:
                    self._sleep(REVERSE_NOT_BEFORE_S - age)
                answer = self.acquirer.reverse(order.id)
            else:
                answer = self.acquirer.close(order.id)
        if answer.get("state") == "SUCCESS":
            if order.state in ("sent", "unknown"):
                order = self.store.transition(order.id, "approved", message_code="qr.SUCCESS",
                                              detail={"bank": _bank(answer),
                                                      "paid_at": self._paid_at(answer),
                                                      "resolved": "acquirer"})
            return order  # the core queues its record and settles it
        if answer.get("state") in FINAL:
            self._finish(order.id, answer)
        return self.store.get(order.id) or order


def _bank(answer: dict[str, Any]) -> dict[str, Any]:
    """What the record and the voucher carry of a QR payment (no payer data)."""
    return {"channel": "qr", "acquirer_order_id": str(answer.get("order_id") or ""),
            "reference": str(answer.get("transaction_id") or ""),
            "terminal_time": str(answer.get("paid_at") or "")}


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# -- the core's hook ---------------------------------------------------------------------

_active: QrPayments | None = None


def install(payments: QrPayments | None) -> None:
    """Make `payments` the one `resolve` uses (the kiosk core installs its own)."""
    global _active
    _active = payments


def resolve(order: Order) -> None:
    """Settle a QR order a crash left open (kiosk.payments.core calls this at start-up
    and from `kiosk payments reconcile`); without an installed QrPayments, nothing."""
    if _active is not None:
        _active.resolve(order)


def settle(order: Order) -> Order:
    """Book or refund a paid QR order from central's answer to its record (the core
    calls this after every sync pass); without an installed QrPayments, nothing."""
    return order if _active is None else _active.settle(order)


def for_core(core: Any) -> QrPayments:
    """The QR payments of a kiosk core (its order store, outbox, central client)."""
    def session() -> str | None:
        return core.identity.session_token() if core.identity is not None else None

    acquirer = CentralAcquirer(core.central, core.keys, session,
                               getattr(core, "_as_enrolled", lambda call: call()))
    payments = core.payments
    return QrPayments(payments.store, core.outbox, acquirer,
                      timeout_s=core.config.payment.qr_timeout_s,
                      record_wait_s=core.config.payment.record_wait_s,
                      wake_sync=getattr(core, "_sync_payment",
                                        getattr(core, "_on_queued", lambda: None)),
                      ready=payments.ready.is_set, clock=core.clock.now)


__all__ = ["Acquirer", "CentralAcquirer", "QrError", "QrPayments", "ShownQr", "for_core",
           "install", "resolve", "settle", "IllegalTransition"]
