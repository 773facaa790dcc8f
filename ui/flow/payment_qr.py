"""The `payment.qr` screen (issue #11 §3): the order's payment QR with a countdown, the
amount, and `action.cancel`. The payer scans it with WeChat, Alipay or UnionPay; or
shows their payment code (付款码) to the kiosk's scanner, which pays by the code
instead (the QR's order is closed first). The blocking work is kiosk.payments.qr
(`core.qr_payments`), run on the pool; the outcome goes to `payment.result` like a
card payment's (ui.flow.payment.show_outcome), so its voucher prints by itself.

Like the card screen it renders the window's one PaymentSession (several services
append the same screens). Import it through ui.flow.payment (which lists it in
PAYMENT_SCREENS at its end), never first on its own.
"""
from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk import log
from kiosk.payments.model import PaymentOutcome, fen_to_yuan
from kiosk.payments.qr import ShownQr
from ui.theme import Space, set_style_property
from ui.widgets.adaptive import OrientationBox, panel_orientation
from ui.widgets.buttons import make_button
from ui.widgets.qr_image import QrImage

from .base import Said
from .live import Countdown, Relay, clock_left
from .payment import QR_SCREEN, _PaymentScreen, show_outcome
from .text import Both, Msg

if TYPE_CHECKING:
    from ui.main_window import MainWindow

    from .flow import ServiceFlow

_log = log.get("session")
QR_IMAGE_MM = 110


class PaymentQrScreen(_PaymentScreen):
    screen_id = QR_SCREEN
    idle_kind = "form"
    idle_enabled = False  # a payment in progress is never cut short by the idle timer
    accepts_scans = True  # the payer's payment code

    def __init__(self, window: MainWindow, flow: ServiceFlow) -> None:
        super().__init__(window, flow)
        self.shown: ShownQr | None = None
        self.deadline = 0.0
        self.cancel_event = threading.Event()
        self.waiting = False  # a wait or a code payment runs on the pool
        self.starting = False
        self.closing = False
        self.code: str | None = None  # a payment code scanned while the QR showed
        self.problem: str | None = None
        self._work: Any = None
        # ("ok", PaymentOutcome) | ("failed", exception), from the wait's thread
        self.finished = Relay(self, self._finished)
        self.title = self.bind(self.title_label("label.title"),
                               lambda: Both("扫码缴款", "Pay by QR code"))
        self.amount = self.bind(self.text_label("label.amount", role="subtitle"),
                                self.amount_text)
        set_style_property(self.amount, "textsize", "title")
        self.image = QrImage(window.units.px(QR_IMAGE_MM))
        self.image.setObjectName("image.payment_qr")
        self.hint = self.bind(self.text_label("label.instruction"), self.hint_text)
        self.countdown = self.bind(self.text_label("label.countdown", role="subtitle"),
                                   self.countdown_text, hide_empty=True)
        self.status = self.bind(self.text_label("label.qr_status", role="subtitle"),
                                self.status_text, hide_empty=True)
        self.error = self.bind(self.text_label("label.error", role="error"),
                               lambda: Msg(self.problem) if self.problem else None,
                               hide_empty=True)
        self.cancel = self.bind(make_button("", "action.cancel", role="secondary"),
                                lambda: Both("取消", "Cancel"))
        self.cancel.clicked.connect(self._cancel)
        texts = QVBoxLayout()
        texts.setSpacing(window.units.px(Space.M))
        for w in (self.amount, self.hint, self.countdown, self.status, self.error):
            texts.addWidget(w)
        texts.addStretch(1)
        self.body = OrientationBox()
        self.body.setSpacing(window.units.px(Space.XL))
        self.body.addLayout(texts, 3)
        self.body.addWidget(self.image, 2)
        self.body.set_orientation(panel_orientation(window))
        self.layout_.addWidget(self.title)
        self.layout_.addLayout(self.body, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel)
        self.layout_.addLayout(row)
        self.timer = Countdown(self, self.countdown, self.countdown_text)
        self.refresh()

    # -- texts -------------------------------------------------------------------------
    def amount_text(self) -> Said:
        request = self.session.request
        if request is None:
            return None
        amount = f"¥{fen_to_yuan(request.amount_fen):,.2f}"
        return Both(f"应缴金额 {amount}", f"Amount {amount}")

    def hint_text(self) -> Said:
        return Both("请用微信、支付宝或云闪付扫描二维码付款；也可以将手机上的付款码对准扫描窗口。",
                    "Scan the QR code with WeChat, Alipay or UnionPay to pay, or hold "
                    "the payment code on your phone under the scanner.")

    def countdown_text(self) -> Said:
        if self.shown is None or self.code is not None:
            return None
        clock = clock_left(self.deadline)
        return Both(f"二维码 {clock} 后失效", f"The code expires in {clock}")

    def status_text(self) -> Said:
        if self.starting:
            return Both("正在生成付款二维码…", "Getting a payment code…")
        if self.code is not None and self.waiting:
            return Both("正在向付款方收款，请在手机上确认（如需输入支付密码）…",
                        "Collecting the payment: confirm on your phone (enter your "
                        "payment password if asked)…")
        if self.closing:
            return Both("正在关闭订单，请稍候…", "Closing the order, please wait…")
        if self.waiting:
            return Both("等待付款…", "Waiting for the payment…")
        return None

    def update_state(self) -> None:
        self.image.show_text(self.shown.qr_text if self.shown is not None
                             and self.code is None else None)
        self.cancel.setEnabled(not self.closing)

    # -- behaviour ---------------------------------------------------------------------
    def on_enter(self) -> None:
        super().on_enter()
        session = self.session
        if session.method == "qr" and session.request is not None and not self.waiting \
                and not self.starting and session.outcome is None:
            self._start()

    def _qr(self) -> Any:
        core = self.active_flow.core
        return getattr(core, "qr_payments", None) if core is not None else None

    def _start(self) -> None:
        payments, request, flow = self._qr(), self.session.request, self.active_flow
        self.shown, self.code, self.problem = None, None, None
        self.closing = False
        self.cancel_event = threading.Event()
        if payments is None or request is None:
            self.problem = "payment.qr_unavailable"
            self.refresh()
            return
        self.starting = True
        self.refresh()

        def shown(qr: ShownQr) -> None:
            self.starting = False
            self.shown = qr
            self.deadline = time.monotonic() + qr.timeout_s
            self.timer.start()
            self._wait(lambda: payments.wait(qr.order_id, self.cancel_event))

        def failed(exc: BaseException) -> None:
            self.starting = False
            code = getattr(exc, "code", None)
            self.problem = code if isinstance(code, str) else "service.network"
            _log.info("payment QR not shown: %s", type(exc).__name__)
            self.refresh()

        flow.background(lambda: payments.show(request), shown, failed)

    def _wait(self, work: Any) -> None:
        """Run the wait on its own thread (it lasts up to [payment] qr_timeout_s, so
        it is not pool work that "background work" waits for); the end comes back to
        the GUI thread through a queued signal."""
        self.waiting = True
        self.refresh()
        self._work = work

        def run() -> None:
            try:
                result: tuple[str, Any] = ("ok", work())
            except Exception as exc:  # noqa: BLE001 - shown on screen, by code
                result = ("failed", exc)
            if self.retired:
                return  # the session ended (retire): the order store holds the outcome
            self.finished.send(result)

        threading.Thread(target=run, name="payment-qr", daemon=True).start()

    def retire(self) -> None:
        # The taxpayer left (Finish, sign-out) while the QR showed: close its order now,
        # as Cancel would (wait() closes it, or books it if the payer paid meanwhile),
        # rather than leave it open until the QR runs out.
        if not self.retired and self.waiting:
            self.closing = True
            self.cancel_event.set()
        self.timer.stop()
        super().retire()

    def _finished(self, result: tuple[str, Any]) -> None:
        if self._work is None:
            return
        self._work = None
        kind, value = result
        (self._done if kind == "ok" else self._failed)(value)

    def _done(self, outcome: PaymentOutcome) -> None:
        self.waiting = False
        self.timer.stop()
        code, self.code = self.code, None
        if code is not None and outcome.state == "declined" and self.shown is not None \
                and outcome.order_id == self.shown.order_id:
            self._pay_code(code)  # the QR's order is closed: now pay by the code
            return
        self.shown = None
        self.closing = False
        show_outcome(self.active_flow, outcome)

    def _failed(self, exc: BaseException) -> None:
        self.waiting = False
        self.timer.stop()
        self.closing = False
        code = getattr(exc, "code", None)
        self.problem = code if isinstance(code, str) else "service.network"
        self.refresh()

    def pay_code(self, text: str) -> None:
        """The payer's payment code was scanned while this screen shows."""
        from kiosk.services.catalogue import ScanKind
        from kiosk.services.scans import classify

        if classify(text).kind is not ScanKind.PAYMENT_CODE:
            self.problem = "payment_code.invalid"
            self.refresh()
            return
        if self.code is not None or self.closing:
            return
        self.problem = None
        if self.waiting and self.shown is not None:
            self.code = text  # close the QR's order first (wait() ends with it)
            self.cancel_event.set()
            self.refresh()
            return
        if not self.waiting and not self.starting:
            self._pay_code(text)

    def _pay_code(self, code: str) -> None:
        payments, request = self._qr(), self.session.request
        if payments is None or request is None:
            return
        self.code = code
        self.cancel_event = threading.Event()
        self._wait(lambda: payments.pay_code(request, code, self.cancel_event))

    def _cancel(self) -> None:
        if self.waiting:
            self.closing = True
            self.cancel_event.set()  # the wait closes (or reverses) and shows the outcome
            self.refresh()
            return
        flow = self.active_flow
        flow.go(flow.spec.entry_screen)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt API)
        self.body.set_orientation(panel_orientation(self.window_))
        super().resizeEvent(event)


__all__ = ["PaymentQrScreen"]
