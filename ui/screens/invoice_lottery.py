"""Screens of `invoice.lottery` 有奖发票 (issue #12 §3; services.md §6): the person,
identified by ID card, holds the QR code of a 数电普票 bought in their name under the
scanner (`illustration.qr-scan` shows where); the central service checks and draws, and
`invoice.lottery.result` shows the instant result and tier with "奖金将于核验后发放", or
prints the 兑奖凭条 with the claim deadline by itself when the prize is claimed in
person (`action.print` prints it again). A refusal stays on the scan screen with its
reason (`label.error`). Nothing is drawn on the kiosk."""
from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk.services.lottery import LotteryResult
from kiosk.services.views import ResultView
from ui.flow.base import FlowScreen, Said
from ui.flow.flow import ServiceFlow
from ui.flow.text import Both, Msg, Text
from ui.theme import Space, set_style_property
from ui.widgets.adaptive import OrientationBox, panel_orientation
from ui.widgets.busy import SlipTray
from ui.widgets.buttons import make_button
from ui.widgets.illustration import Illustration
from ui.widgets.scroll_column import scrolling

ENTRY = "invoice.lottery"
RESULT = "invoice.lottery.result"
#: Refusals whose sentence names a number of the answer: the code -> its key.
_ARGS = {"lottery.below_min": "min_amount", "lottery.limit_day": "limit",
         "lottery.limit_month": "limit", "lottery.limit_campaign": "limit",
         "lottery.limit_merchant": "limit"}


class LotteryFlow(ServiceFlow):
    errors: ClassVar[dict[type[BaseException], str]] = {}

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.result: LotteryResult | None = None
        self.print_state: str | None = None  # None, printing, printed or a code

    def handle_scan(self, text: str) -> None:
        service = self.service
        if service is None or self.busy:
            return
        self.set_error(None)
        lang = self.lang()

        def drawn(result: LotteryResult) -> None:
            refusal = result.refusal
            if refusal is not None:  # stays on the scan screen: scan another invoice
                key = _ARGS.get(refusal)
                args = (str(result.data.get(key, "")),) if key else ()
                self.set_error(Msg(refusal, args))
                self.go(ENTRY)
                return
            self.result, self.print_state = result, None
            self.go(RESULT)
            self.changed.emit()
            if result.won and result.claim_by:
                self.print_claim_slip(lang)

        self.run(lambda: service.enter(text), drawn)

    def print_claim_slip(self, lang: str | None = None) -> None:
        service, result = self.service, self.result
        if service is None or result is None or self.print_state == "printing":
            return
        lang = lang or self.lang()
        self.print_in_background(lambda: service.print_claim_slip(result, lang))


class LotteryScanScreen(FlowScreen):
    """`invoice.lottery`: where to hold the invoice's QR code, and the rules."""

    screen_id = ENTRY
    flow: LotteryFlow

    def __init__(self, window: Any, flow: LotteryFlow) -> None:
        super().__init__(window, flow)
        self.title = self.bind(self.title_label("label.title"),
                               lambda: Both("有奖发票", "Invoice lottery"))
        self.intro = self.bind(self.text_label("label.instruction", role="subtitle"),
                               self._intro)
        self.status = self.bind(self.text_label("label.status", role="subtitle"),
                                lambda: Both("正在核验发票并开奖，请稍候…",
                                             "Checking the invoice and drawing…")
                                if flow.busy else None, hide_empty=True)
        self.error = self.bind(self.text_label("label.error", role="error"),
                               lambda: flow.error, hide_empty=True)
        self.picture = Illustration("qr-scan", units=window.units)
        self.rules = self.bind(self.text_label("label.rules", role="subtitle"), self._rules)
        self.rules.setTextFormat(Qt.TextFormat.PlainText)
        for widget in (self.title, self.intro, self.status, self.error):
            self.layout_.addWidget(widget)
        self.layout_.addWidget(self.picture, 1)
        self.layout_.addWidget(self.rules)
        self.refresh()

    def _intro(self) -> Said:
        return Both("请将数电发票上的二维码（发票左上角）对准屏幕下方的扫描窗口。",
                    "Hold the QR code of your fully-digital invoice (top left on the "
                    "invoice, or on your phone) over the scanner window below the screen.")

    def _rules(self) -> Said:
        return Both("· 限以您本人实名取得的数电普票，价税合计不低于活动规定金额\n"
                    "· 每张发票只能参与一次；每日、每月和每个商户有参与次数上限\n"
                    "· 开奖由税务机关完成，结果即时显示；奖金核验后发放",
                    "· Fully-digital ordinary invoices issued to you by name, at least the "
                    "campaign's amount\n"
                    "· Each invoice takes part once; entries per day, month and seller are "
                    "limited\n"
                    "· The tax service draws; you see the result at once, the prize is paid "
                    "after checking")

    def update_state(self) -> None:
        if hasattr(self, "picture"):
            self.picture.setEnabled(not self.flow.busy)


class LotteryResultScreen(FlowScreen):
    """`invoice.lottery.result`: the instant result, tier and how the prize is paid."""

    screen_id = RESULT
    flow: LotteryFlow

    def __init__(self, window: Any, flow: LotteryFlow) -> None:
        super().__init__(window, flow)
        self.title = self.bind(self.title_label("label.title"),
                               lambda: Both("开奖结果", "Draw result"))
        self.outcome = self.bind(self.text_label("label.outcome", role="success"),
                                 lambda: self._part("title"))
        set_style_property(self.outcome, "textsize", "title")
        self.details = self.bind(self.text_label("label.details"), lambda: self._part("rows"))
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.notes = self.bind(self.text_label("label.notes", role="subtitle"),
                               lambda: self._part("notes"), hide_empty=True)
        self.print_status = self.bind(self.text_label("label.print_status", role="subtitle"),
                                      self._print_status, hide_empty=True)
        self.slip = SlipTray(units=window.units)
        texts = QVBoxLayout()
        texts.setSpacing(window.units.px(Space.M))
        # Long detail rows scroll instead of growing the screen past the panel.
        rows = scrolling(self.details, "area.details", units=window.units)
        for widget in (self.outcome, rows, self.notes, self.print_status):
            texts.addWidget(widget)
        texts.addStretch(1)
        self.body = OrientationBox()
        self.body.setSpacing(window.units.px(Space.XL))
        self.body.addLayout(texts, 3)
        self.body.addWidget(self.slip, 2)
        self.body.set_orientation(panel_orientation(window))
        self.layout_.addWidget(self.title)
        self.layout_.addLayout(self.body, 1)
        row = QHBoxLayout()
        self.reprint = self.bind(make_button("", "action.print", role="secondary"),
                                 lambda: Both("重新打印兑奖凭条", "Print the claim slip again"),
                                 hide_empty=False)
        self.reprint.clicked.connect(lambda: flow.print_claim_slip())
        self.mark_secondary(self.reprint, drop=True)
        self.again = self.bind(make_button("", "action.again", role="secondary"),
                               lambda: Both("再扫一张发票", "Scan another invoice"))
        self.again.clicked.connect(lambda: flow.go(ENTRY))
        self.mark_secondary(self.again)
        self.done = self.bind(make_button("", "action.done", role="primary"),
                              lambda: Both("完成", "Done"))
        self.done.clicked.connect(lambda: flow.go("home"))
        for button in (self.reprint, self.again, self.done):
            row.addWidget(button)
        self.layout_.addLayout(row)
        self.refresh()

    def view(self) -> ResultView | None:
        service, result = self.flow.service, self.flow.result
        if service is None or result is None:
            return None
        return service.view(result, self.lang())

    def _part(self, part: str) -> Said:
        view = self.view()
        if view is None:
            return None
        if part == "title":
            return view.title
        if part == "rows":
            return "\n".join(f"{r.label}: {r.value}" for r in view.rows)
        return "\n".join(view.notes) or None

    def _claim(self) -> bool:
        result = self.flow.result
        return result is not None and result.won and bool(result.claim_by)

    def _print_status(self) -> Said:
        state: str | None = self.flow.print_state
        if state is None:
            return None
        if state == "printing":
            return Both("正在打印兑奖凭条…", "Printing your prize claim slip…")
        if state == "printed":
            return Both("兑奖凭条已打印，请从出纸口取走并妥善保管。",
                        "Your claim slip is printed: please take it from the slot and keep it.")
        text: Text = Msg(state)
        return text

    def update_state(self) -> None:
        if not hasattr(self, "reprint"):
            return
        view = self.view()
        if view is not None:
            self.set_tone(self.outcome, view.tone)
        claim = self._claim()
        self._wish[self.reprint] = claim
        self.reprint.setVisible(claim)
        self.reprint.setEnabled(self.flow.print_state != "printing")
        self.slip.setVisible(claim)
        self.slip.set_state(self.flow.print_state if claim else None)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt API)
        self.body.set_orientation(panel_orientation(self.window_))
        super().resizeEvent(event)


FLOW = LotteryFlow
SCREENS = (LotteryScanScreen, LotteryResultScreen)

# `make screenshots`: the scan screen (signed in by ID card), then the demo person's
# restaurant invoice drawn, then the shop invoice whose prize is claimed in person.
SHOTS = [("open", "invoice.lottery"), ("expect_screen", "identity.login"),
         ("id_card", {}), ("expect_screen", "invoice.lottery"),
         ("shot", "invoice.lottery"),
         ("scan", "01,32,,26112000000000900001,168.00,{today-1},,"),
         ("expect_screen", "invoice.lottery.result"), ("shot", "invoice.lottery.result"),
         ("tap", "action.again"), ("expect_screen", "invoice.lottery"),
         ("scan", "01,32,,26112000000000900003,320.00,{today-2},,"),
         ("expect_screen", "invoice.lottery.result"), ("settle", None),
         ("shot", "invoice.lottery.result-claim"),
         ("tap", "action.done"), ("tap", "action.logout"), ("id_card", "remove"),
         ("tap", "action.start")]
