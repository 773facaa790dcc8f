"""The payment core: one order's journey by card, and the resolution of orders a crash
or a dead link left open. Qt-free; blocking (run it off the GUI thread).

Card (docs/payment-protocol.md, "Orders"):

1. `created`: the order and its sealed request are committed;
2. `sent` with the terminal reference `<order id>-<attempt>` is committed, THEN the
   sale goes to the terminal (which journals it before its first byte);
3. the answer: `declined` (nothing taken) or `approved` (trace, masked card,
   reference committed), or `unknown` (no answer: the terminal is asked later,
   never charged again blindly);
4. approved: the `tax.payment` record is queued (the outbox delivers it once; central
   books each order once), the sync worker is woken and the core waits up to
   `[payment] record_wait_s` for central's answer: `recorded` (vouchers stored), or
   central refused -> `voiding` is committed, THEN the sale is voided by its trace
   (撤销) -> `voided`. No answer in time (the link dropped): the order stays
   `approved`, the taxpayer is told "paid, awaiting confirmation", and it is settled
   when the answer arrives (`settle`, after every sync pass).

`resolve()` runs at start-up before any payment is accepted (`ready`), and by hand
(`kiosk payments reconcile`): it settles every order not in a final state from the
terminal's journal and record (reconcile asks the terminal), from central's answer to
the queued record, or for QR through kiosk.payments.qr.resolve (issue #11 §3).
"""
from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from drivers.errors import DeviceError, DeviceErrorCode
from offline_queue.outbox import Outbox

from .model import PaymentOutcome, PaymentRequest
from .orders import IllegalTransition, Order, OrderStore
from .record import queue_payment_record, record_outcome

_log = logging.getLogger("kiosk.payments")

ProgressCallback = Callable[[str, str], None]


class PaymentsNotReady(RuntimeError):
    """A new payment is refused: orders a crash left open are not resolved yet."""

    code = "payment.resolving"


class NoTerminal(RuntimeError):
    code = "payment.no_terminal"


@dataclass
class ResolveReport:
    """What one resolution pass did: order id -> the state it reached; `open` lists
    those still unresolved (the terminal could not be asked, staff must check)."""

    changed: dict[str, str] = field(default_factory=dict)
    open: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # The terminal answered "busy": it still runs the sale a crash interrupted and
    # will know its outcome within that sale's own time, so ask again soon.
    terminal_busy: bool = False

    def to_json_dict(self) -> dict[str, Any]:
        return {"changed": self.changed, "unresolved": self.open, "errors": self.errors}


def _bank_fields(result: Any) -> dict[str, Any]:
    """The PaymentResult's fields a record and the voucher carry (masked card only)."""
    fields = {"card_masked": result.card_masked, "trace_no": result.trace_no,
              "reference": result.reference,
              "terminal_time": result.at.strftime("%Y-%m-%d %H:%M:%S"),
              "response_code": result.response_code}
    for name in ("rrn", "auth_code", "batch_no", "terminal_id", "merchant_id", "issuer"):
        value = getattr(result, name, None)
        if value:
            fields[name] = value
    return fields


def _last4(card_masked: str | None) -> str | None:
    return card_masked[-4:] if card_masked and card_masked[-4:].isdigit() else None


class PaymentCore:
    """Orders by card (and the resolution of QR orders through P2's module)."""

    def __init__(self, store: OrderStore, outbox: Outbox, *,
                 terminal: Callable[[], Any], wake_sync: Callable[[], None] = lambda: None,
                 record_wait_s: float = 15.0, online: Callable[[], bool] = lambda: True,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.store = store
        self.outbox = outbox
        self._terminal = terminal
        self._wake_sync = wake_sync
        self.record_wait_s = record_wait_s
        self._online = online
        self._clock = clock
        # Set once a resolution pass left nothing unresolved that blocks a payment.
        self.ready = threading.Event()
        self._lock = threading.Lock()  # one payment or resolution at a time
        self.listeners: list[Callable[[], None]] = []  # readiness changed

    # -- readiness ----------------------------------------------------------------------
    def _set_ready(self, ready: bool) -> None:
        was = self.ready.is_set()
        if ready:
            self.ready.set()
        else:
            self.ready.clear()
        if was != ready:
            for listener in list(self.listeners):
                try:
                    listener()
                except Exception:  # noqa: BLE001 - a listener must not break payments
                    _log.exception("payment readiness listener failed")

    def start_resolution(self) -> threading.Thread:
        """Resolve in the background at start-up; payments wait for `ready`."""
        thread = threading.Thread(target=self._resolve_until_ready, name="payments-resolve",
                                  daemon=True)
        thread.start()
        return thread

    def _resolve_until_ready(self, retry_s: float = 10.0, busy_retry_s: float = 1.0) -> None:
        while not getattr(self.store, "closed", False):  # the kiosk stopped: so do we
            try:
                report = self.resolve()
            except Exception as exc:  # noqa: BLE001 - retried; logged without data
                _log.warning("payment resolution failed: %s", type(exc).__name__)
                report = None
            if report is not None and not self._blocking(report):
                return
            # A busy terminal answers the next query at once and is done with the
            # interrupted sale soon (the cardholder is at it): payments must not stay
            # refused for a whole retry period after it finished. A terminal that
            # cannot be reached is asked at the slower pace.
            pause = busy_retry_s if report is not None and report.terminal_busy else retry_s
            end = time.monotonic() + pause
            while time.monotonic() < end and not getattr(self.store, "closed", False):
                time.sleep(0.2)

    def _blocking(self, report: ResolveReport) -> bool:
        """Unresolved card orders in sent/unknown block new payments (their outcome is
        the terminal's last transaction, which a new sale would overwrite)."""
        return any(o.method == "card" and o.state in ("sent", "unknown")
                   for o in self.store.unresolved())

    # -- paying -------------------------------------------------------------------------
    def pay_card(self, request: PaymentRequest,
                 on_progress: ProgressCallback | None = None,
                 on_order: Callable[[Order], None] | None = None) -> PaymentOutcome:
        """Take `request`'s amount by card and record it; blocks until the outcome is
        known (or stays unknown). Raises PaymentsNotReady before start-up resolution
        is done, NoTerminal without a payment terminal."""
        if not self.ready.is_set():
            raise PaymentsNotReady("unresolved payment orders must be settled first")
        terminal = self._terminal()
        if terminal is None:
            raise NoTerminal("no payment terminal is configured")
        with self._lock:
            order = self.store.create(request, "card")
            if on_order is not None:
                on_order(order)
            return self._sale(terminal, order, on_progress)

    def _sale(self, terminal: Any, order: Order,
              on_progress: ProgressCallback | None) -> PaymentOutcome:
        reference = f"{order.id}-{order.attempt + 1}"
        order = self.store.transition(order.id, "sent", expect="created",
                                      reference=reference, next_attempt=True)
        previous = getattr(terminal, "on_progress", None)
        if on_progress is not None and hasattr(terminal, "on_progress"):
            terminal.on_progress = on_progress
        try:
            result = terminal.sale(order.amount_fen, reference)
        except DeviceError as exc:
            return self._sale_failed(terminal, order, exc)
        finally:
            if on_progress is not None and hasattr(terminal, "on_progress"):
                terminal.on_progress = previous
        return self._sale_answered(order, result)

    def _sale_failed(self, terminal: Any, order: Order, exc: DeviceError) -> PaymentOutcome:
        job = _journal_entry(terminal, order.reference)
        if job is None or job.state == "not_performed":
            # Provably never performed (refused before sending, every copy NAKed).
            order = self.store.transition(order.id, "declined",
                                          message_code="payment.terminal_failed")
            return self._outcome(order)
        if exc.code is DeviceErrorCode.ILLEGAL:
            order = self.store.transition(order.id, "declined",
                                          message_code="payment.terminal_failed")
            return self._outcome(order)
        order = self.store.transition(order.id, "unknown", message_code="payment.unknown")
        self._set_ready(False)
        # Ask at once: the terminal may answer the query though it missed the reply.
        try:
            self._resolve_card(terminal, order, ResolveReport())
        except Exception as err:  # noqa: BLE001 - stays unknown; resolved at next start
            _log.info("could not resolve order at once: %s", type(err).__name__)
        order = self.store.get(order.id) or order
        if order.state not in ("sent", "unknown"):
            self._set_ready(True)
            if order.state == "approved":
                return self._after_approval(order)
        else:
            threading.Thread(target=self._resolve_until_ready, name="payments-resolve",
                             daemon=True).start()
        return self._outcome(order)

    def _sale_answered(self, order: Order, result: Any) -> PaymentOutcome:
        bank = _bank_fields(result)
        if not result.approved:
            order = self.store.transition(order.id, "declined", expect="sent",
                                          trace_no=result.trace_no or None,
                                          message_code=f"bank.{result.response_code}",
                                          detail={"bank": bank})
            return self._outcome(order)
        order = self.store.transition(order.id, "approved", expect="sent",
                                      trace_no=result.trace_no,
                                      message_code="bank.00", detail={"bank": bank,
                                      "paid_at": self._clock().isoformat()})
        return self._after_approval(order)

    def _after_approval(self, order: Order) -> PaymentOutcome:
        """Money taken: queue its record (once) and wait a while for central."""
        if order.record_uuid is None:
            paid_at = datetime.fromisoformat(order.detail.get("paid_at")
                                             or self._clock().isoformat())
            uuid = queue_payment_record(self.outbox, order, order.request, order.method,
                                        order.detail.get("bank", {}), paid_at)
            order = self._set_record(order, uuid)
        self._wake_sync()
        deadline = time.monotonic() + self.record_wait_s
        while True:
            status, _result = record_outcome(self.outbox, order.record_uuid or "")
            if status != "pending":
                break
            if time.monotonic() >= deadline:
                return self._outcome(order)  # approved: paid, awaiting confirmation
            time.sleep(0.05)
        return self._outcome(self._settle_one(order))

    def _set_record(self, order: Order, uuid: str) -> Order:
        return self.store.set_record(order.id, uuid)

    # -- settling -----------------------------------------------------------------------
    def settle(self) -> ResolveReport:
        """Approved orders whose record central has answered: recorded, or given back
        (a card sale voided at the terminal, a QR payment refunded by the acquirer).
        Called after sync passes (cheap when nothing waits)."""
        report = ResolveReport()
        waiting = [o for o in self.store.unresolved() if o.state in ("approved", "voiding")]
        if not waiting:
            return report
        with self._lock:
            for order in waiting:
                try:
                    done = self._settle_one(self.store.get(order.id) or order)
                except Exception as exc:  # noqa: BLE001 - next pass tries again
                    report.errors.append(f"{order.id}: {type(exc).__name__}")
                    continue
                if done.state != order.state:
                    report.changed[order.id] = done.state
                if not done.final:
                    report.open.append(order.id)
        return report

    def _settle_one(self, order: Order) -> Order:
        if order.state == "approved" and order.record_uuid is None:
            self._after_approval_record_only(order)
            order = self.store.get(order.id) or order
        if order.method != "card":
            # A QR order is booked, or refunded when central refused it, by its own
            # path (kiosk.payments.qr, which also serialises this with the wait on
            # screen): after every sync pass, not only at the next start-up.
            return self._settle_qr(order)
        if order.state == "voiding":
            return self._void(order)
        if order.state != "approved" or order.record_uuid is None:
            return order
        status, result = record_outcome(self.outbox, order.record_uuid)
        if status == "recorded":
            return self.store.transition(order.id, "recorded", expect="approved",
                                         message_code="payment.recorded",
                                         detail={"vouchers": result.get("vouchers", []),
                                                 "paid_on": result.get("paid_on")})
        if status == "refused":
            reason = str(result.get("reason") or "refused")[:48]
            order = self.store.transition(order.id, "voiding", expect="approved",
                                          message_code=f"central.{reason}")
            return self._void(order)
        return order

    def _after_approval_record_only(self, order: Order) -> None:
        paid_at = datetime.fromisoformat(order.detail.get("paid_at")
                                         or self._clock().isoformat())
        uuid = queue_payment_record(self.outbox, order, order.request, order.method,
                                    order.detail.get("bank", {}), paid_at)
        self._set_record(order, uuid)
        self._wake_sync()

    def _void(self, order: Order) -> Order:
        """Give a card sale back (撤销 by its trace). `voiding` is already committed."""
        terminal = self._terminal()
        if terminal is None or not order.trace_no:
            return order
        count = int(order.detail.get("void_attempts", 0))
        void_ref = f"{order.id}-V{count + 1}"
        previous = order.detail.get("void_reference")
        if previous:
            job = _journal_entry(terminal, previous)
            if job is not None and job.state in ("sent", "unknown"):
                terminal.reconcile()
                job = _journal_entry(terminal, previous)
            if job is not None and job.state == "approved":
                return self.store.transition(order.id, "voided", expect="voiding",
                                             detail={"void_trace": job.trace_no})
            if job is not None and job.state in ("sent", "unknown", "manual_check"):
                return order  # staff: the terminal's batch report decides
        order = self.store.annotate(order.id, detail={"void_reference": void_ref,
                                                      "void_attempts": count + 1})
        try:
            # The sale's amount goes with it: the terminal refuses a void that differs.
            result = terminal.void(order.trace_no, void_ref, order.amount_fen)
        except DeviceError as exc:
            _log.warning("void of a refused payment failed: %s", exc.code.value)
            return order
        if result.approved:
            return self.store.transition(order.id, "voided", expect="voiding",
                                         detail={"void_trace": result.trace_no})
        _log.warning("terminal refused the void (%s): staff must reverse it",
                     result.response_code)
        return self.store.annotate(order.id, detail={"void_refused": result.response_code})

    # -- resolution ---------------------------------------------------------------------
    def resolve(self) -> ResolveReport:
        """Settle every order not in a final state (start-up, `kiosk payments
        reconcile`). Sets `ready` when no card order is left with an unknown outcome."""
        report = ResolveReport()
        with self._lock:
            terminal = self._terminal()
            for order in self.store.unresolved():
                before = order.state
                try:
                    if order.method == "card":
                        self._resolve_card(terminal, order, report)
                    else:
                        self._resolve_qr(order)
                    now = self.store.get(order.id) or order
                    if now.state in ("approved", "voiding"):
                        now = self._settle_one(now)
                except Exception as exc:  # noqa: BLE001 - reported; stays unresolved
                    report.errors.append(f"{order.id}: {type(exc).__name__}: {exc}"[:200])
                    if isinstance(exc, DeviceError) and exc.code is DeviceErrorCode.BUSY:
                        report.terminal_busy = True
                    now = self.store.get(order.id) or order
                if now.state != before:
                    report.changed[order.id] = now.state
                if not now.final:
                    report.open.append(order.id)
        self._set_ready(not self._blocking(report))
        return report

    def _resolve_card(self, terminal: Any, order: Order, report: ResolveReport) -> None:
        if order.state == "created":
            # `sent` is committed before anything reaches the terminal: never sent.
            self.store.transition(order.id, "declined", expect="created",
                                  message_code="payment.not_sent")
            return
        if order.state not in ("sent", "unknown"):
            return
        if terminal is None:
            raise NoTerminal("no payment terminal to ask")
        job = _journal_entry(terminal, order.reference)
        if job is None:
            # Killed between committing `sent` and the driver's journal entry: the
            # terminal never saw this reference.
            self.store.transition(order.id, "declined", message_code="payment.not_sent")
            return
        if job.state in ("sent", "unknown"):
            terminal.reconcile()  # asks the terminal; raises when it cannot answer
            job = _journal_entry(terminal, order.reference)
        if job is None:
            return
        if job.state == "approved":
            bank = {"card_masked": job.card_masked or "", "trace_no": job.trace_no or "",
                    "reference": job.reference, "terminal_time": job.terminal_time or "",
                    "response_code": job.response_code or "00"}
            self.store.transition(order.id, "approved", trace_no=job.trace_no,
                                  message_code="bank.00",
                                  detail={"bank": bank, "paid_at": self._clock().isoformat(),
                                          "resolved": "terminal"})
        elif job.state in ("declined", "not_performed"):
            code = f"bank.{job.response_code}" if job.response_code else "payment.not_sent"
            self.store.transition(order.id, "declined", message_code=code,
                                  detail={"resolved": "terminal"})
        elif job.state == "manual_check":
            if order.state == "sent":
                self.store.transition(order.id, "unknown", message_code="payment.manual_check")
            else:
                self.store.annotate(order.id, message_code="payment.manual_check")

    def _settle_qr(self, order: Order) -> Order:
        try:
            qr = importlib.import_module("kiosk.payments.qr")
        except ImportError:
            return order
        settler = getattr(qr, "settle", None)
        return settler(order) if callable(settler) else order

    def _resolve_qr(self, order: Order) -> None:
        try:
            qr = importlib.import_module("kiosk.payments.qr")
        except ImportError:
            return
        resolver = getattr(qr, "resolve", None)
        if callable(resolver):
            resolver(order)

    # -- outcome ------------------------------------------------------------------------
    def _outcome(self, order: Order) -> PaymentOutcome:
        bank = order.detail.get("bank", {}) if isinstance(order.detail, dict) else {}
        vouchers = tuple(order.detail.get("vouchers") or ())
        return PaymentOutcome(
            order_id=order.id, state=order.state, method=order.method,
            amount_fen=order.amount_fen,
            message_code=order.message_code or "payment.unknown",
            card_last4=_last4(bank.get("card_masked")),
            voucher_no=vouchers[0]["voucher_no"] if vouchers else None,
            response_code=bank.get("response_code"), vouchers=vouchers)

    def outcome_of(self, order_id: str) -> PaymentOutcome | None:
        order = self.store.get(order_id)
        return None if order is None else self._outcome(order)


def _journal_entry(terminal: Any, reference: str | None) -> Any:
    journal = getattr(terminal, "journal", None)
    if journal is None or not reference:
        return None
    return journal.get(reference)


__all__ = ["IllegalTransition", "NoTerminal", "PaymentCore", "PaymentsNotReady",
           "ResolveReport"]
