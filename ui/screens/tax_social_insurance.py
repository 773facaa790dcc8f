"""Screens of `tax.social_insurance` 灵活就业社保费: a contribution level from the
province's list (`level.<n>`), the months of this year (`input.month_from`,
`input.month_to`), the amount (`label.total`) and the payment."""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout

from kiosk.payments.model import PaymentRequest
from kiosk.services.tax_social_insurance import Options
from kiosk.services.taxpayer_lookup import money
from ui.flow.base import FlowScreen, Said
from ui.flow.payment import PAYMENT_SCREENS
from ui.flow.text import Both
from ui.theme import set_style_property
from ui.widgets.buttons import make_button

from .paying_kit import WAIT, PayingFlow


class SiFlow(PayingFlow):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.options: Options | None = None
        self.level = 0
        self.request: PaymentRequest | None = None

    def load(self) -> None:
        service = self.service
        if service is None:
            return
        self.options, self.request = None, None
        self.set_error(None)

        def done(options: Options) -> None:
            self.options, self.level = options, 0
            self.changed.emit()

        self.run(service.options, done, lambda exc: self.set_error(self.error_text(exc)))

    def work_out(self, first: str, last: str) -> None:
        if self.options is None:
            return
        try:
            self.request = self.service.request(self.options, self.options.levels[self.level],
                                                int(first), int(last))
        except ValueError as exc:  # a DomainError, or months that are not numbers
            self.request = None
            self.set_error(self.error_text(exc) if hasattr(exc, "code")
                           else Both("请输入1至12的月份", "Type months from 1 to 12"))
            return
        self.set_error(None)


class SiScreen(FlowScreen):
    screen_id = "tax.social_insurance"
    idle_kind = "form"
    flow: SiFlow

    def __init__(self, window: Any, flow: SiFlow) -> None:
        super().__init__(window, flow)
        self.levels: list[QPushButton] = []
        self._shown: Options | None = None
        self.title = self.bind(self.title_label("label.title"),
                               lambda: Both("灵活就业人员社保费", "Social insurance "
                                            "(flexible employment)"))
        self.status = self.bind(self.text_label("label.status", role="subtitle"),
                                lambda: WAIT if flow.busy else None, hide_empty=True)
        self.error = self.bind(self.text_label("label.error", role="error"),
                               lambda: flow.error, hide_empty=True)
        self.intro = self.bind(self.text_label("label.instruction", role="subtitle"),
                               lambda: Both("选择缴费档次和月份：",
                                            "Choose a contribution level and the months:")
                               if flow.options else None, hide_empty=True)
        for w in (self.title, self.status, self.error, self.intro):
            self.layout_.addWidget(w)
        # One level a row: four levels side by side are wider than the portrait panel.
        self.level_box = QVBoxLayout()
        self.layout_.addLayout(self.level_box)
        months = QHBoxLayout()
        self.month_from = QLineEdit()
        self.month_from.setObjectName("input.month_from")
        self.month_to = QLineEdit()
        self.month_to.setObjectName("input.month_to")
        self.months_label = self.bind(self.text_label("label.months"),
                                      lambda: Both("缴费月份（起 / 止）",
                                                   "Months (from / to)"))
        for field_widget in (self.months_label, self.month_from, self.month_to):
            months.addWidget(field_widget)
        self.layout_.addLayout(months)
        self.compute_button = self.bind(make_button("", "action.compute", role="secondary"),
                                        lambda: Both("计算金额", "Work out the amount"))
        self.compute_button.clicked.connect(self._work_out)
        self.layout_.addWidget(self.compute_button)
        self.total = self.bind(self.text_label("label.total", role="success"),
                               self.total_text, hide_empty=True)
        set_style_property(self.total, "textsize", "title")
        self.layout_.addWidget(self.total)
        self.layout_.addStretch(1)
        row = QHBoxLayout()
        self.pay_card = self.bind(make_button("", "action.pay_card", role="primary"),
                                  lambda: Both("银行卡缴款", "Pay by bank card"))
        self.pay_card.clicked.connect(lambda: self._pay("card"))
        self.pay_qr = self.bind(make_button("", "action.pay_qr", role="primary"),
                                lambda: Both("扫码缴款", "Pay by QR code"))
        self.pay_qr.clicked.connect(lambda: self._pay("qr"))
        row.addWidget(self.pay_card)
        row.addWidget(self.pay_qr)
        self.layout_.addLayout(row)
        self.refresh()

    def _work_out(self) -> None:
        self.flow.work_out(self.month_from.text() or "0", self.month_to.text() or "0")

    def _pay(self, method: str) -> None:
        self._work_out()
        if self.flow.request is not None:
            self.flow.pay(self.flow.request, method)

    def _pick(self, index: int) -> None:
        self.flow.level = index
        self.flow.request = None
        self.flow.changed.emit()

    def total_text(self) -> Said:
        request = self.flow.request
        if request is None:
            return None
        n = len(request.items)
        return Both(f"{n} 个月，应缴 {money(request.total)}",
                    f"{n} month(s), to pay {money(request.total)}")

    def refresh(self) -> None:
        options = self.flow.options
        if options is not self._shown:
            self._shown = options
            for b in self.levels:
                b.deleteLater()
            self.levels = []
            for i, _level in enumerate(options.levels if options else ()):
                button = make_button("", f"level.{i + 1}", role="secondary")
                button.clicked.connect(lambda _c=False, i=i: self._pick(i))
                self.level_box.addWidget(button)
                self.levels.append(button)
            if options is not None:
                self.month_from.setText(str(options.this_month))
                self.month_to.setText(str(options.this_month))
        lang = self.lang()
        for i, button in enumerate(self.levels):
            if options is None:
                continue
            level = options.levels[i]
            mark = "●" if i == self.flow.level else "○"
            text = f"{mark} {level.title(lang)}\n{level.summary(lang)}"
            button.setText(text)
            button.setAccessibleName(text.replace("\n", " "))
        super().refresh()

    def update_state(self) -> None:
        # The fields share one label: each needs its own name for a screen reader.
        self.month_from.setAccessibleName(self.say(Both("缴费起始月份", "First month to pay")))
        self.month_to.setAccessibleName(self.say(Both("缴费截止月份", "Last month to pay")))
        ready = self.flow.options is not None and not self.flow.busy
        for b in (self.pay_card, self.pay_qr, self.compute_button):
            b.setEnabled(ready)

    def on_enter(self) -> None:
        super().on_enter()
        self.flow.load()


FLOW = SiFlow
SCREENS = (SiScreen, *PAYMENT_SCREENS)

# `make screenshots`: a contribution level chosen and its amount computed.
SHOTS = [("open", "tax.social_insurance"), ("expect_screen", "identity.login"),
         ("id_card", {}), ("expect_screen", "tax.social_insurance"), ("tap", "level.1"),
         ("tap", "action.compute"), ("shot", "tax.social_insurance"),
         ("tap", "action.logout"), ("id_card", "remove"), ("tap", "action.start")]
