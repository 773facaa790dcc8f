"""The payment screens every paying service appends to its SCREENS (issue #11):

- `payment.card`: where to insert or tap the card and enter the PIN (the terminal's
  progress: card, PIN, bank), the amount, `action.cancel` (only before the sale reaches
  the terminal; after that the terminal's own red key cancels, as on any POS);
- `payment.result`: 缴款成功 / Paid, 未扣款 / Not charged, 已冲正 / Reversed,
  已扣款，待税务确认 / Paid, awaiting confirmation (or 结果待核实 / Outcome being
  checked), the details, and the printout, which prints by itself: the 电子缴款凭证
  after a success, the slip otherwise (kiosk.payments.slips).

A service screen calls `begin_payment(flow, request, "card" | "qr")` from
`action.pay_card` / `action.pay_qr`. Several services append the same screens and the
window keeps one screen per id, so the screens read the window's one
`PaymentSession` (the payment in progress), never their own flow. P2's `payment.qr`
screen class joins `PAYMENT_SCREENS` and reads the same session.
"""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk import log
from kiosk.hall_time import to_hall
from kiosk.payments.codes import response_text
from kiosk.payments.model import PaymentOutcome, PaymentRequest, fen_to_yuan
from ui.theme import Space, set_style_property
from ui.widgets.adaptive import OrientationBox, panel_orientation
from ui.widgets.busy import SlipTray
from ui.widgets.buttons import make_button
from ui.widgets.illustration import Illustration
from ui.widgets.scroll_column import scrolling

from .base import FlowScreen, Said
from .flow import ServiceFlow
from .text import Both, Msg, Plain, lines

if TYPE_CHECKING:
    from ui.main_window import MainWindow

_log = log.get("session")
CARD_SCREEN = "payment.card"
RESULT_SCREEN = "payment.result"
QR_SCREEN = "payment.qr"

#: The result headline per final view of an outcome: (中文, English, tone).
HEADLINES: dict[str, tuple[str, str, str]] = {
    "recorded": ("缴款成功", "Paid", "good"),
    "approved": ("已扣款，待税务确认", "Paid, awaiting confirmation", "good"),
    "declined": ("未扣款", "Not charged", "bad"),
    "voided": ("已冲正", "Reversed", "bad"),
    "voiding": ("结果待核实", "Outcome being checked", "bad"),
    "unknown": ("结果待核实", "Outcome being checked", "bad"),
    "sent": ("结果待核实", "Outcome being checked", "bad"),
}


class PaymentSession(QObject):
    """The payment in progress on this window: what is paid, how far the terminal
    got, the outcome and how its printout is doing. Lives on the GUI thread; the
    terminal's progress arrives through a queued signal."""

    changed = Signal()
    progress = Signal(str, str)  # stage, terminal text (from the driver's thread)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.flow: ServiceFlow | None = None
        self.request: PaymentRequest | None = None
        self.method = "card"
        self.running = False
        self.stage = ""  # "", CARD, PIN, ONLINE, RECORDING
        self.outcome: PaymentOutcome | None = None
        self.error: str | None = None  # a message code: the payment did not start
        self.print_state: str | None = None  # None, printing, printed, or a code
        self.progress.connect(self._on_progress)

    def _on_progress(self, stage: str, _text: str) -> None:
        self.stage = stage
        self.changed.emit()

    def reset(self, flow: ServiceFlow, request: PaymentRequest, method: str) -> None:
        self.flow, self.request, self.method = flow, request, method
        self.running, self.stage, self.outcome = False, "", None
        self.error, self.print_state = None, None
        self.changed.emit()


def session_of(window: MainWindow) -> PaymentSession:
    """The window's payment session (made on first use)."""
    session = getattr(window, "payment_session", None)
    if not isinstance(session, PaymentSession):
        session = PaymentSession(window)
        window.payment_session = session  # type: ignore[attr-defined]
    return session


def _identified_subject(core: Any) -> Any:
    """Whom the session acts for (kiosk.services.identity.Identified.subject: the
    person, or the enterprise picked), or None. `current` is a property."""
    identity = getattr(core, "identity", None)
    who = identity.current if identity is not None else None
    return getattr(who, "subject", None)


def _identified_tin(core: Any) -> str:
    return str(getattr(_identified_subject(core), "tin", "") or "")


def _identified_name(core: Any) -> str:
    return str(getattr(_identified_subject(core), "name", "") or "")


def begin_payment(flow: ServiceFlow, request: PaymentRequest, method: str) -> None:
    """Start paying `request` by `method` ("card" or "qr") for `flow`'s service and
    show the method's screen. The request's `tin` defaults to the identified
    taxpayer. A card payment runs on the pool; its outcome shows on payment.result."""
    if method not in ("card", "qr"):
        raise ValueError("method must be card or qr")
    window = flow.window_
    session = session_of(window)
    core = flow.core
    if not request.tin and core is not None:
        request = PaymentRequest(service_id=request.service_id, items=request.items,
                                 business=request.business, tin=_identified_tin(core))
    session.reset(flow, request, method)
    if method == "qr":
        flow.go(QR_SCREEN)
        return
    flow.go(CARD_SCREEN)
    payments = getattr(core, "payments", None)
    if payments is None:
        session.error = "payment.no_terminal"
        session.changed.emit()
        return

    def work() -> PaymentOutcome:
        return payments.pay_card(request, on_progress=session.progress.emit)

    def done(outcome: PaymentOutcome) -> None:
        session.running = False
        show_outcome(flow, outcome)

    def failed(exc: BaseException) -> None:
        session.running = False
        code = getattr(exc, "code", None)
        session.error = code if isinstance(code, str) and code else "internal"
        _log.warning("payment did not start: %s", type(exc).__name__)
        session.changed.emit()

    session.running = True
    session.stage = "CARD"
    if not flow.run(work, done, failed):
        session.running = False
        session.error = "payment.resolving"
    session.changed.emit()


def show_outcome(flow: ServiceFlow, outcome: PaymentOutcome) -> None:
    """Show `outcome` on payment.result and print its voucher or slip by itself (also
    for P2's QR path once its order has ended)."""
    session = session_of(flow.window_)
    session.flow = flow
    session.outcome = outcome
    session.stage = ""
    flow.go(RESULT_SCREEN)
    print_outcome(flow)


def print_outcome(flow: ServiceFlow) -> None:
    """Print the session outcome's voucher or slip in the background."""
    session = session_of(flow.window_)
    core = flow.core
    outcome = session.outcome
    if core is None or outcome is None or getattr(core, "payments", None) is None:
        return
    lang = flow.lang()

    def job() -> bool:
        from kiosk.payments.slips import outcome_document

        order = core.payments.store.get(outcome.order_id)
        if order is None:
            return False
        doc = outcome_document(order, lang=lang, name=_identified_name(core),
                               printed_at=to_hall(core.clock.now()), kiosk_id=core.kiosk_id)
        if doc is None:
            return False
        core.slips.print_document(doc)
        return True

    def done(printed: bool) -> None:
        session.print_state = "printed" if printed else None
        session.changed.emit()

    def failed(exc: BaseException) -> None:
        code = getattr(exc, "code", None)
        session.print_state = code if isinstance(code, str) and code else "failure"
        session.changed.emit()

    session.print_state = "printing"
    session.changed.emit()
    flow.background(job, done, failed)


def _yuan(fen: int) -> str:
    return f"¥{fen_to_yuan(fen):,.2f}"


class _PaymentScreen(FlowScreen):
    """Both payment screens render the window's session, whichever flow made them."""

    def __init__(self, window: MainWindow, flow: ServiceFlow) -> None:
        super().__init__(window, flow)
        self.session = session_of(window)
        self.session.changed.connect(self.refresh)

    def retire(self) -> None:
        # The session outlives the screens: the next taxpayer's payment must not
        # reach this session's screens while they wait for deletion.
        if not self.retired:
            self.session.changed.disconnect(self.refresh)
        super().retire()

    @property
    def active_flow(self) -> ServiceFlow:
        return self.session.flow or self.flow


class PaymentCardScreen(_PaymentScreen):
    screen_id = CARD_SCREEN
    idle_kind = "form"
    # A payment must never be cut short by the idle timer while the card is in.
    idle_enabled = False

    def __init__(self, window: MainWindow, flow: ServiceFlow) -> None:
        super().__init__(window, flow)
        self.title = self.bind(self.title_label("label.title"),
                               lambda: self.tr("Pay by bank card"))
        self.amount = self.bind(self.text_label("label.amount", role="subtitle"),
                                self.amount_text)
        set_style_property(self.amount, "textsize", "title")
        self.picture = Illustration("bank-card", units=window.units)
        self.steps = self.bind(self.text_label("label.steps"), self.steps_text)
        self.steps.setTextFormat(Qt.TextFormat.PlainText)
        self.status = self.bind(self.text_label("label.card_status", role="subtitle"),
                                self.status_text)
        self.problem = self.bind(self.text_label("label.error", role="error"),
                                 lambda: Msg(self.session.error) if self.session.error
                                 else None, hide_empty=True)
        self.cancel = self.bind(make_button("", "action.cancel", role="secondary"),
                                lambda: self.tr("Cancel"))
        self.cancel.clicked.connect(self._cancel)
        body = OrientationBox()
        body.setSpacing(window.units.px(Space.XL))
        texts = QVBoxLayout()
        texts.setSpacing(window.units.px(Space.M))
        for w in (self.amount, self.steps, self.status, self.problem):
            texts.addWidget(w)
        texts.addStretch(1)
        body.addLayout(texts, 3)
        body.addWidget(self.picture, 2)
        body.set_orientation(panel_orientation(window))
        self.body = body
        self.layout_.addWidget(self.title)
        self.layout_.addLayout(body, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel)
        self.layout_.addLayout(row)
        self.refresh()

    def amount_text(self) -> Said:
        request = self.session.request
        return None if request is None else self.tr("Amount: %1").replace(
            "%1", _yuan(request.amount_fen))

    def steps_text(self) -> Said:
        return "\n".join((
            self.tr("1. Insert your bank card into the slot at the bottom of the card "
                    "terminal, chip first, or hold it on the wave mark."),
            self.tr("2. Enter your PIN on the card terminal's keypad, shielding it with "
                    "your hand, and press the green key."),
            self.tr("3. Wait until the bank answers. Do not take the card out before "
                    "the terminal says so.")))

    def status_text(self) -> Said:
        session = self.session
        if session.error:
            return None
        stage = session.stage
        if stage == "PIN":
            return self.tr("Enter your PIN on the card terminal…")
        if stage == "ONLINE":
            return self.tr("Waiting for the bank…")
        if session.running and stage in ("", "CARD"):
            return self.tr("Insert or tap your bank card on the card terminal. To cancel, "
                           "press the red key on the card terminal.")
        return None

    def update_state(self) -> None:
        # Once the sale is with the terminal only its own red key cancels it.
        self.cancel.setEnabled(not self.session.running)

    def _cancel(self) -> None:
        if self.session.running:
            return
        flow = self.active_flow
        flow.go(flow.spec.entry_screen)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt API)
        self.body.set_orientation(panel_orientation(self.window_))
        super().resizeEvent(event)


class PaymentResultScreen(_PaymentScreen):
    screen_id = RESULT_SCREEN

    def __init__(self, window: MainWindow, flow: ServiceFlow) -> None:
        super().__init__(window, flow)
        self.title = self.bind(self.title_label("label.title"),
                               lambda: self.tr("Payment result"))
        self.outcome_label = self.bind(self.text_label("label.outcome", role="success"),
                                       self.headline)
        set_style_property(self.outcome_label, "textsize", "title")
        self.details = self.bind(self.text_label("label.details"), self.details_text)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.print_status = self.bind(self.text_label("label.print_status",
                                                      role="subtitle"), self.print_text)
        self.slip = SlipTray(units=window.units)
        self.again = self.bind(make_button("", "action.done", role="primary"),
                               lambda: self.tr("Done"))
        self.again.clicked.connect(self._done)
        self.reprint = self.bind(make_button("", "action.print", role="secondary"),
                                 lambda: self.tr("Print again"))
        self.reprint.clicked.connect(lambda: print_outcome(self.active_flow))
        self.mark_secondary(self.reprint, drop=True)
        body = OrientationBox()
        body.setSpacing(window.units.px(Space.XL))
        texts = QVBoxLayout()
        texts.setSpacing(window.units.px(Space.M))
        texts.addWidget(self.outcome_label)
        # Long detail rows scroll instead of growing the screen past the panel.
        texts.addWidget(scrolling(self.details, "area.details", units=window.units), 1)
        body.addLayout(texts, 3)
        body.addWidget(self.slip, 2)
        body.set_orientation(panel_orientation(window))
        self.body = body
        self.layout_.addWidget(self.title)
        self.layout_.addLayout(body, 1)
        self.layout_.addWidget(self.print_status)
        row = QHBoxLayout()
        row.addWidget(self.reprint)
        row.addWidget(self.again)
        self.layout_.addLayout(row)
        self.refresh()

    def headline(self) -> Said:
        outcome = self.session.outcome
        if outcome is None:
            return None
        zh, en, _tone = HEADLINES.get(outcome.state, HEADLINES["unknown"])
        return Both(zh, en)

    def details_text(self) -> Said:
        outcome = self.session.outcome
        if outcome is None:
            return None
        parts: list[Any] = [Plain(self.tr("Amount: %1").replace("%1", _yuan(outcome.amount_fen)))]
        if outcome.card_last4:
            parts.append(Plain(self.tr("Card: **** %1").replace("%1", outcome.card_last4)))
        rc = outcome.response_code
        if rc and outcome.state == "declined":
            parts.append(Plain(self.tr("Bank's answer: %1").replace(
                "%1", response_text(rc, self.lang()))))
        for voucher in outcome.vouchers:
            parts.append(Plain(self.tr("Voucher %1: %2 %3").replace("%1", voucher["voucher_no"])
                               .replace("%2", str(voucher["tax_kind"]))
                               .replace("%3", f"¥{Decimal(str(voucher['amount'])):,.2f}")))
        parts.append(Plain(self.tr("Order: %1").replace("%1", outcome.order_id)))
        code = outcome.message_code
        if outcome.state == "approved":
            parts.append(Msg("payment.awaiting"))
        elif outcome.state == "voided":
            parts.append(Msg(code if code.startswith("central.") else "payment.voided"))
            parts.append(Msg("payment.voided"))
        elif outcome.state in ("unknown", "sent", "voiding"):
            parts.append(Msg("payment.manual_check" if code == "payment.manual_check"
                             else "payment.unknown"))
        elif outcome.state == "declined" and not code.startswith("bank."):
            parts.append(Msg(code))
        elif outcome.state == "recorded":
            parts.append(Msg("payment.recorded"))
        return lines(parts)

    def print_text(self) -> Said:
        state = self.session.print_state
        outcome = self.session.outcome
        if state == "printing":
            return self.tr("Printing your voucher…") if outcome and outcome.state == "recorded" \
                else self.tr("Printing your slip…")
        if state == "printed":
            return self.tr("Printed. Please take it from the printer slot.")
        if state is not None:
            return Msg(state)
        return None

    def update_state(self) -> None:
        outcome = self.session.outcome
        if outcome is not None:
            tone = HEADLINES.get(outcome.state, HEADLINES["unknown"])[2]
            self.set_tone(self.outcome_label, tone)
        self.reprint.setEnabled(self.session.print_state != "printing")
        self.slip.set_state(self.session.print_state)

    def _done(self) -> None:
        flow = self.active_flow
        flow.go("home")

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt API)
        self.body.set_orientation(panel_orientation(self.window_))
        super().resizeEvent(event)


from .payment_qr import PaymentQrScreen  # noqa: E402 (it subclasses _PaymentScreen)

#: Appended to every paying service's SCREENS; P2 adds its QR screen class here.
PAYMENT_SCREENS: tuple[type[FlowScreen], ...] = (PaymentCardScreen, PaymentResultScreen,
                                                 PaymentQrScreen)

__all__ = ["CARD_SCREEN", "PAYMENT_SCREENS", "QR_SCREEN", "RESULT_SCREEN", "PaymentSession",
           "begin_payment", "print_outcome", "session_of", "show_outcome"]
