"""The bill screen the paying services share (issue #11): what the identified taxpayer
owes, one toggle per item (`item.<n>`, n from 1 in the order shown, all chosen at
first), the breakdown of the chosen ones (tax, 滞纳金, total: `label.breakdown`,
`label.total`), and `action.pay_card` / `action.pay_qr`, which hand the payment
request to the payment screens (ui.flow.payment). Not a service module itself.

`BillFlow.fetch()` (a service subclass returns the blocking call) loads the bill
(kiosk.services.paying.Bill) each time the entry screen shows. A paying service's
flow also takes the payer's payment code (付款码) scanned while its QR shows.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton

from kiosk.payments.model import PaymentRequest
from kiosk.services.paying import Bill
from ui.flow.base import FlowScreen, Said
from ui.flow.flow import ServiceFlow
from ui.flow.payment import PAYMENT_SCREENS, QR_SCREEN, begin_payment
from ui.flow.text import Both, Msg
from ui.theme import Space, set_style_property
from ui.widgets.buttons import make_button
from ui.widgets.scroll_column import entry_area

if TYPE_CHECKING:
    from ui.main_window import MainWindow

WAIT = Both("正在向税务机关查询，请稍候…", "Looking this up with the tax service…")
PAY_CARD = Both("银行卡缴款", "Pay by bank card")
PAY_QR = Both("扫码缴款", "Pay by QR code")
NOTHING = Both("没有需要缴纳的项目", "Nothing to pay")
CHOOSE = Both("请选择要缴纳的项目（可多选）：", "Choose what to pay (one or several):")


class PayingFlow(ServiceFlow):
    """A paying service's flow: the payment code the payer shows goes to the QR
    screen when it is open (pay by the code instead of the QR)."""

    def handle_scan(self, text: str) -> None:
        window = self.window_
        screen = window.screens.get(QR_SCREEN)
        if screen is not None and window.current_screen() is screen:
            screen.pay_code(text)  # type: ignore[attr-defined]
            return
        self.set_error(Msg("payment_code.no_order"))

    def pay(self, request: PaymentRequest, method: str) -> None:
        self.set_error(None)
        begin_payment(self, request, method)


class BillFlow(PayingFlow):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.bill: Bill | None = None
        self.picked: set[int] = set()

    def fetch(self) -> Callable[[], Bill] | None:
        service = self.service
        return None if service is None else service.bill

    def load(self) -> None:
        work = self.fetch()
        if work is None:
            return
        self.bill, self.picked = None, set()
        self.set_error(None)

        def done(bill: Bill) -> None:
            self.bill = bill
            self.picked = set(range(len(bill.lines)))  # all chosen at first
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            self.set_error(self.error_text(exc))

        self.run(work, done, failed)

    def toggle(self, index: int, on: bool) -> None:
        (self.picked.add if on else self.picked.discard)(index)
        self.changed.emit()

    def pay_chosen(self, method: str) -> None:
        if self.bill is None:
            return
        try:
            request = self.bill.request(self.picked)
        except Exception as exc:  # noqa: BLE001 - a domain refusal: shown, nothing paid
            self.set_error(self.error_text(exc))
            return
        self.pay(request, method)


class BillScreen(FlowScreen):
    """The entry screen of tax.pay and tax.vehicle."""

    idle_kind = "form"
    flow: BillFlow

    def __init__(self, window: MainWindow, flow: BillFlow) -> None:
        super().__init__(window, flow)
        self.toggles: list[QPushButton] = []
        self._shown_bill: Bill | None = None
        self.title = self.bind(self.title_label("label.title"), self.title_text)
        self.status = self.bind(self.text_label("label.status", role="subtitle"),
                                lambda: WAIT if flow.busy else None, hide_empty=True)
        self.error = self.bind(self.text_label("label.error", role="error"),
                               lambda: flow.error, hide_empty=True)
        self.intro = self.bind(self.text_label("label.instruction", role="subtitle"),
                               self.intro_text, hide_empty=True)
        for widget in (self.title, self.status, self.error, self.intro):
            self.layout_.addWidget(widget)
        self.area, self.list_box = entry_area("area.items", spacing=window.units.px(Space.S))
        self.layout_.addWidget(self.area, 1)
        self.breakdown = self.bind(self.text_label("label.breakdown"), self.breakdown_text,
                                   hide_empty=True)
        self.breakdown.setTextFormat(Qt.TextFormat.PlainText)
        self.total = self.bind(self.text_label("label.total", role="success"),
                               self.total_text, hide_empty=True)
        set_style_property(self.total, "textsize", "title")
        self.layout_.addWidget(self.breakdown)
        self.layout_.addWidget(self.total)
        row = QHBoxLayout()
        self.pay_card = self.bind(make_button("", "action.pay_card", role="primary"),
                                  lambda: PAY_CARD)
        self.pay_card.clicked.connect(lambda: flow.pay_chosen("card"))
        self.pay_qr = self.bind(make_button("", "action.pay_qr", role="primary"),
                                lambda: PAY_QR)
        self.pay_qr.clicked.connect(lambda: flow.pay_chosen("qr"))
        row.addWidget(self.pay_card)
        row.addWidget(self.pay_qr)
        self.layout_.addLayout(row)
        self.refresh()

    # -- hooks -------------------------------------------------------------------------
    def title_text(self) -> Said:
        return None

    def intro_text(self) -> Said:
        bill = self.flow.bill
        if bill is None:
            return None
        return CHOOSE if bill.lines else NOTHING

    # -- rendering ---------------------------------------------------------------------
    def breakdown_text(self) -> Said:
        bill = self.flow.bill
        if bill is None or not bill.lines:
            return None
        return bill.breakdown(self.flow.picked, self.lang())

    def total_text(self) -> Said:
        bill = self.flow.bill
        if bill is None or not bill.lines:
            return None
        return bill.total_text(self.flow.picked, self.lang())

    def _rebuild(self) -> None:
        bill = self.flow.bill
        if bill is self._shown_bill:
            return
        self._shown_bill = bill
        for button in self.toggles:
            button.deleteLater()
        self.toggles = []
        for index in range(len(bill.lines) if bill is not None else 0):
            button = make_button("", f"item.{index + 1}", role="secondary")
            button.setCheckable(True)
            button.setChecked(True)
            button.toggled.connect(lambda on, i=index: self.flow.toggle(i, on))
            self.list_box.insertWidget(self.list_box.count() - 1, button)
            self.toggles.append(button)

    def refresh(self) -> None:
        self._rebuild()
        bill, lang = self.flow.bill, self.lang()
        for index, button in enumerate(self.toggles):
            if bill is None or index >= len(bill.lines):
                continue
            line = bill.lines[index]
            mark = "☑" if index in self.flow.picked else "☐"
            explain = line.explain[0] if lang == "zh" else line.explain[1]
            text = f"{mark} {line.title_in(lang)}  ¥{line.item.total:,.2f}\n{explain}"
            button.setText(text)
            button.setAccessibleName(text.replace("\n", " "))
            if button.isChecked() != (index in self.flow.picked):
                button.blockSignals(True)
                button.setChecked(index in self.flow.picked)
                button.blockSignals(False)
        super().refresh()

    def update_state(self) -> None:
        can_pay = (self.flow.bill is not None and bool(self.flow.picked)
                   and not self.flow.busy)
        self.pay_card.setEnabled(can_pay)
        self.pay_qr.setEnabled(can_pay)

    def on_enter(self) -> None:
        super().on_enter()
        self.flow.load()


__all__ = ["BillFlow", "BillScreen", "PAYMENT_SCREENS", "PayingFlow"]
