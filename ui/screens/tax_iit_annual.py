"""Screens of `tax.iit_annual` 个人所得税年度汇算 (simple path): the prefilled figures,
the special additional deductions to confirm or edit (`input.special_additional`,
`action.compute`), the computation and its result; `action.file` files a refund or a
nothing-to-pay return, `action.pay_card` / `action.pay_qr` file and then pay the tax
due. The 申报回执 prints by itself (`tax.iit_annual.done`)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QVBoxLayout

from kiosk.domain.iit_return import AnnualReturn
from kiosk.services.tax_iit_annual import Filed, IitStart
from kiosk.services.views import ResultView
from ui.flow.base import FlowScreen, Said
from ui.flow.outcome import OutcomeScreen
from ui.flow.payment import PAYMENT_SCREENS
from ui.flow.text import Both, Msg
from ui.theme import set_style_property
from ui.widgets.adaptive import OrientationBox, panel_orientation
from ui.widgets.buttons import make_button

from .paying_kit import WAIT, PayingFlow

DONE_SCREEN = "tax.iit_annual.done"


class IitFlow(PayingFlow):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.start: IitStart | None = None
        self.ret: AnnualReturn | None = None
        self.filed: Filed | None = None

    def load(self) -> None:
        service = self.service
        if service is None:
            return
        self.start, self.ret, self.filed = None, None, None
        self.set_error(None)

        def done(start: IitStart) -> None:
            self.start = start
            self.compute(None)

        self.run(service.start, done, lambda exc: self.set_error(self.error_text(exc)))

    def compute(self, special: str | None) -> None:
        if self.start is None:
            return
        try:
            self.ret = self.service.compute(self.start, special)
        except Exception as exc:  # noqa: BLE001 - a typed amount refused: shown
            self.set_error(self.error_text(exc))
            return
        self.set_error(None)

    def file(self, then_pay: str | None = None) -> None:
        """Queue the return; its receipt prints; with `then_pay` the tax due is paid."""
        service, ret = self.service, self.ret
        if service is None or ret is None:
            return

        def done(filed: Filed) -> None:
            self.filed = filed
            lang = self.lang()
            start = self.start
            self.background(lambda: service.print_receipt(filed, start, lang),
                            lambda _r: None, lambda _e: None)
            if then_pay is not None and ret.outcome == "pay":
                self.pay(service.payment(filed), then_pay)
            else:
                self.go(DONE_SCREEN)
            self.changed.emit()

        self.run(lambda: service.file(ret), done)


SPECIAL_NAME = Both("专项附加扣除（元，可修改）",
                    "Special additional deductions (yuan, you may change them)")


class IitScreen(FlowScreen):
    screen_id = "tax.iit_annual"
    idle_kind = "form"
    flow: IitFlow

    def __init__(self, window: Any, flow: IitFlow) -> None:
        super().__init__(window, flow)
        self.title = self.bind(self.title_label("label.title"),
                               lambda: Both("个人所得税综合所得年度汇算",
                                            "Annual IIT reconciliation"))
        self.status = self.bind(self.text_label("label.status", role="subtitle"),
                                lambda: WAIT if flow.busy else None, hide_empty=True)
        self.error = self.bind(self.text_label("label.error", role="error"),
                               lambda: flow.error, hide_empty=True)
        self.figures = self.bind(self.text_label("label.figures"), self.figures_text,
                                 hide_empty=True)
        self.figures.setTextFormat(Qt.TextFormat.PlainText)
        self.field_label = self.bind(self.text_label("label.special_additional"),
                                     lambda: SPECIAL_NAME)
        self.special = QLineEdit()
        self.special.setObjectName("input.special_additional")
        self.special.setInputMethodHints(Qt.InputMethodHint.ImhFormattedNumbersOnly)
        self.compute_button = self.bind(make_button("", "action.compute", role="secondary"),
                                        lambda: Both("重新计算", "Work it out again"))
        self.compute_button.clicked.connect(lambda: flow.compute(self.special.text()))
        self.steps = self.bind(self.text_label("label.computation"), self.steps_text,
                               hide_empty=True)
        self.steps.setTextFormat(Qt.TextFormat.PlainText)
        self.result = self.bind(self.text_label("label.result", role="success"),
                                self.result_text, hide_empty=True)
        set_style_property(self.result, "textsize", "title")
        edit_row = QHBoxLayout()
        edit_row.addWidget(self.special, 1)
        edit_row.addWidget(self.compute_button)
        for w in (self.title, self.status, self.error):
            self.layout_.addWidget(w)
        # The figures with the field beside the computation in landscape: stacked, they
        # are taller than the landscape panel.
        figures = QVBoxLayout()
        figures.addWidget(self.figures)
        figures.addWidget(self.field_label)
        figures.addLayout(edit_row)
        figures.addStretch(1)
        self.body = OrientationBox()
        self.body.addLayout(figures, 1)
        self.body.addWidget(self.steps, 1)
        self.body.set_orientation(panel_orientation(window))
        self.layout_.addLayout(self.body, 1)
        self.layout_.addWidget(self.result)
        row = QHBoxLayout()
        self.file_button = self.bind(make_button("", "action.file", role="primary"),
                                     lambda: Both("提交申报", "File the return"))
        self.file_button.clicked.connect(lambda: flow.file())
        self.pay_card = self.bind(make_button("", "action.pay_card", role="primary"),
                                  lambda: Both("申报并银行卡缴款", "File and pay by card"))
        self.pay_card.clicked.connect(lambda: flow.file("card"))
        self.pay_qr = self.bind(make_button("", "action.pay_qr", role="primary"),
                                lambda: Both("申报并扫码缴款", "File and pay by QR code"))
        self.pay_qr.clicked.connect(lambda: flow.file("qr"))
        for b in (self.file_button, self.pay_card, self.pay_qr):
            row.addWidget(b)
        self.layout_.addLayout(row)
        self.refresh()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.body.set_orientation(panel_orientation(self.window_))
        super().resizeEvent(event)

    def figures_text(self) -> Said:
        start, service = self.flow.start, self.flow.service
        if start is None or service is None:
            return None
        if start.prefill is None:
            return Msg("iit.no_prefill")
        head = Both(f"{start.year} 年度预填数据", f"Prefilled figures for {start.year}")
        return f"{self.say(head)}\n{service.figures_text(start, self.lang())}"

    def steps_text(self) -> Said:
        ret, service = self.flow.ret, self.flow.service
        return None if ret is None or service is None else service.steps_text(ret, self.lang())

    def result_text(self) -> Said:
        ret, start, service = self.flow.ret, self.flow.start, self.flow.service
        if ret is None or start is None or service is None:
            return None
        return service.result_text(ret, start, self.lang())

    def update_state(self) -> None:
        # The field's label is a separate QLabel: a screen reader needs the name on
        # the field itself, in the session's language.
        self.special.setAccessibleName(self.say(SPECIAL_NAME))
        ret, busy = self.flow.ret, self.flow.busy
        paying = ret is not None and ret.outcome == "pay"
        self.file_button.setVisible(ret is not None and not paying)
        self.pay_card.setVisible(paying)
        self.pay_qr.setVisible(paying)
        for b in (self.file_button, self.pay_card, self.pay_qr, self.compute_button):
            b.setEnabled(not busy and self.flow.start is not None
                         and self.flow.start.prefill is not None)

    def on_enter(self) -> None:
        super().on_enter()
        self.flow.load()
        self.special.clear()


class IitDone(OutcomeScreen):
    screen_id = DONE_SCREEN
    flow: IitFlow

    def title_text(self) -> Said:
        return Both("申报已提交", "Return filed")

    def view(self) -> ResultView | None:
        filed, start, service = self.flow.filed, self.flow.start, self.flow.service
        if filed is None or start is None or service is None:
            return None
        return service.receipt_view(filed, start, self.lang())

    def print_job(self) -> Callable[[], object] | None:
        filed, start, service, lang = (self.flow.filed, self.flow.start, self.flow.service,
                                       self.lang())
        if filed is None or start is None or service is None:
            return None
        return lambda: service.print_receipt(filed, start, lang)


FLOW = IitFlow
SCREENS = (IitScreen, IitDone, *PAYMENT_SCREENS)

# `make screenshots`: the demo person's pre-filled return (a refund), filed.
SHOTS = [("open", "tax.iit_annual"), ("expect_screen", "identity.login"),
         ("id_card", {}), ("expect_screen", "tax.iit_annual"), ("shot", "tax.iit_annual"),
         ("tap", "action.file"), ("expect_screen", "tax.iit_annual.done"), ("sync", {}),
         ("settle", None), ("shot", "tax.iit_annual.done"),
         ("tap", "action.logout"), ("id_card", "remove"), ("tap", "action.start")]
