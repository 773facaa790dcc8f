"""Screens of `invoice.issue_on_behalf` 代开发票 for a natural person (issue #12 §4;
services.md §8). The seller is the identified person.

1. `invoice.issue_on_behalf`: the buyer from the person's address book at the central
   service (`item.<n>`, n from 1, most recently used first) or `action.new_buyer`;
   `action.next` goes on with the buyer chosen. Above the book, the person's paid
   applications whose invoice was never issued (they left before the payment was
   recorded; `label.unissued`), each with `action.issue.<application_no>`, which
   issues it (idempotent at central) and goes on as in step 5;
2. `invoice.issue_on_behalf.buyer`: a buyer typed (`field.buyer_name`,
   `field.buyer_tin`, the taxpayer number optional);
3. `invoice.issue_on_behalf.lines`: the lines, one at a time on the keypad
   (`field.item`, `field.quantity`, `field.unit_price`; the amount including tax is
   quantity × unit price) added with `action.confirm`, `action.remove_last`, and
   `action.quote`: the central service computes the tax (never the kiosk);
4. `invoice.issue_on_behalf.preview`: the invoice's A4 page marked as a preview, the
   tax breakdown (`label.breakdown`, `label.total`), then `action.pay_card` /
   `action.pay_qr` (the payment screens of #11), or `action.issue` when no tax is due;
5. once the payment outcome is recorded the invoice is issued by itself:
   `invoice.issue_on_behalf.issued` shows its QR code to download it
   (`image.invoice_qr`), prints it on A4 and prints the receipt (代开申请号, 发票号码,
   税票号); `action.print` prints the invoice again.
"""
from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk.services.certificate_print import yuan_text
from kiosk.services.issue_on_behalf import MAX_LINES, Line, OnBehalfError, parse_line
from kiosk.services.print_digital import paper_party
from kiosk.services.views import ListItemView, ResultView, Row
from ui.flow.base import FlowScreen, Said
from ui.flow.fields import FieldSpec, Kind
from ui.flow.form import FormScreen
from ui.flow.payment import PAYMENT_SCREENS, session_of
from ui.flow.scroll_list import ScrollListScreen
from ui.flow.text import Both, Msg, Plain, Text, join, lines
from ui.theme import Space, set_style_property
from ui.widgets.adaptive import ColumnsLayout, OrientationBox, panel_orientation
from ui.widgets.buttons import make_button
from ui.widgets.qr_image import QrImage
from ui.widgets.scroll_column import scrolling
from ui.widgets.wrap_button import WrapButton

from .invoice_print_digital import PagePreview, render_first_page, screen_party
from .paying_kit import PAY_CARD, PAY_QR, PayingFlow

ENTRY = "invoice.issue_on_behalf"
BUYER = "invoice.issue_on_behalf.buyer"
LINES = "invoice.issue_on_behalf.lines"
PREVIEW = "invoice.issue_on_behalf.preview"
ISSUED = "invoice.issue_on_behalf.issued"
QR_MM = 70
RECEIPT_TITLE = ("代开发票回执", "Invoice issued on behalf: receipt")
_TIN_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def yuan(value: object) -> str:
    return yuan_text(str(value))


def percent(rate: object) -> str:
    return f"{(Decimal(str(rate)) * 100).normalize():f}%"


class OnBehalfFlow(PayingFlow):
    errors: ClassVar[dict[type[BaseException], str]] = {}

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.book: list[dict[str, str]] | None = None
        self.unissued: list[dict[str, Any]] = []  # paid, the invoice not issued yet
        self.picked: int | None = None  # index into the address book
        self.buyer: dict[str, str] | None = None
        self.lines: list[Line] = []
        self.quote: dict[str, Any] | None = None
        self.page: QImage | None = None
        self.issuing = False
        self.issued: dict[str, Any] | None = None
        self.voucher_no = ""  # the 税票号 of the payment, for the receipt
        self.print_state: str | None = None  # the A4 invoice: None, printing, printed, code
        self.receipt_state: str | None = None
        session_of(self.window_).changed.connect(self._payment_changed)

    def start_over(self) -> None:
        """A new application after an issued one (the address book has the buyer now)."""
        self.book, self.picked, self.buyer, self.lines = None, None, None, []
        self.unissued = []
        self.quote, self.page, self.issued, self.voucher_no = None, None, None, ""
        self.print_state = self.receipt_state = None
        self.error = None

    # -- identity ------------------------------------------------------------------------
    def seller(self) -> dict[str, str]:
        core = self.core
        identity = getattr(core, "identity", None)
        who = identity.current if identity is not None else None
        subject = getattr(who, "subject", None)
        return {"name": str(getattr(subject, "name", "") or ""),
                "tin": str(getattr(subject, "tin", "") or "")}

    # -- the buyer -----------------------------------------------------------------------
    def load_book(self) -> None:
        service = self.service
        if service is None:
            return

        def both() -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
            return service.address_book(), service.unissued()

        def loaded(result: tuple[list[dict[str, str]], list[dict[str, Any]]]) -> None:
            self.book, self.unissued = result
            self.changed.emit()

        self.run(both, loaded, lambda exc: self.set_error(self.error_text(exc)))

    def pick(self, index: int) -> None:
        if self.book is not None and 0 <= index < len(self.book):
            self.picked = index
            self.buyer = dict(self.book[index])
            self.set_error(None)

    def set_buyer(self, buyer: dict[str, str]) -> None:
        self.buyer, self.picked, self.quote = buyer, None, None
        self.go(LINES)
        self.changed.emit()

    # -- the lines -----------------------------------------------------------------------
    def add_line(self, line: Line) -> None:
        self.lines.append(line)
        self.quote = None
        self.set_error(None)

    def remove_last(self) -> None:
        if self.lines:
            self.lines.pop()
            self.quote = None
            self.changed.emit()

    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0"))

    def ask_quote(self) -> None:
        """Have the central service compute the tax, then draw the preview page."""
        service, buyer, lines, lang = self.service, self.buyer, list(self.lines), self.lang()
        if service is None or buyer is None or not lines:
            return
        self.set_error(None)
        seller = self.seller()

        def work() -> tuple[dict[str, Any], QImage]:
            quote = service.quote(buyer, lines)
            return quote, render_first_page(service.preview(quote, seller, lang))

        def done(result: tuple[dict[str, Any], QImage]) -> None:
            self.quote, self.page = result
            self.go(PREVIEW)
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            self.set_error(self.error_text(exc))
            self.go(LINES)

        self.run(work, done, failed)

    # -- paying and issuing --------------------------------------------------------------
    def pay_quote(self, method: str) -> None:
        service, quote = self.service, self.quote
        if service is None or quote is None:
            return
        request = service.payment_request(quote)
        if request is None:
            self.issue()
            return
        self.pay(request, method)

    def _payment_changed(self) -> None:
        session = session_of(self.window_)
        outcome, quote = session.outcome, self.quote
        if session.flow is not self or outcome is None or quote is None \
                or outcome.state != "recorded" or self.issued is not None or self.issuing:
            return
        request = session.request
        if request is None or request.business.get("application_no") != quote["application_no"]:
            return
        self.voucher_no = next((str(v.get("voucher_no", "")) for v in outcome.vouchers), "")
        self.issue()

    def issue(self) -> None:
        """Issue the paid application's invoice (central refuses an unpaid one), then
        print it and the receipt by themselves."""
        if self.quote is not None:
            self._issue(str(self.quote["application_no"]), PREVIEW)

    def issue_unissued(self, application_no: str) -> None:
        """Issue a paid application left un-issued at an earlier visit (entry screen)."""
        if any(a["application_no"] == application_no for a in self.unissued):
            self.set_error(None)
            self._issue(application_no, ENTRY)

    def _issue(self, application_no: str, back: str) -> None:
        service, lang = self.service, self.lang()
        if service is None or self.issuing:
            return
        self.issuing = True

        def done(issued: dict[str, Any]) -> None:
            self.issuing = False
            self.issued = issued
            self.unissued = [a for a in self.unissued
                             if a["application_no"] != application_no]
            self.go(ISSUED)
            self.changed.emit()
            self.print_invoice(lang)
            self.print_receipt(lang)

        def failed(exc: BaseException) -> None:
            self.issuing = False
            self.set_error(self.error_text(exc))
            self.go(back)

        if not self.run(lambda: service.issue(application_no), done, failed):
            self.issuing = False

    def print_invoice(self, lang: str | None = None) -> None:
        service, issued = self.service, self.issued
        if service is None or issued is None or self.print_state == "printing":
            return
        lang = lang or self.lang()
        self.print_state = "printing"
        self.changed.emit()
        self.background(lambda: service.print_invoice(issued, lang),
                        lambda _r: self._printed("print_state", "printed"),
                        lambda exc: self._printed("print_state", _code(exc)))

    def print_receipt(self, lang: str) -> None:
        core, issued = self.core, self.issued
        if core is None or issued is None:
            return
        inv = issued["invoice"]
        rows = receipt_rows(issued, self.voucher_no, lang)
        notes = [("扫描二维码可下载、查验这张数电发票。" if lang == "zh" else
                  "Scan the QR code to download and check this fully-digital invoice.")]
        self.receipt_state = "printing"
        self.changed.emit()
        self.background(
            lambda: core.slips.print_receipt(
                lang=lang, title=RECEIPT_TITLE,
                number_label="代开申请号" if lang == "zh" else "Application no.",
                number=str(issued["application"]["application_no"]),
                headline=("发票已开具" if lang == "zh" else "Invoice issued") + f" {inv['number']}",
                rows=rows, notes=notes, qr_data=str(issued["qr_text"])),
            lambda _r: self._printed("receipt_state", "printed"),
            lambda exc: self._printed("receipt_state", _code(exc)))

    def _printed(self, attr: str, state: str) -> None:
        setattr(self, attr, state)
        self.changed.emit()


def _code(exc: BaseException) -> str:
    code = getattr(exc, "code", None)
    return code if isinstance(code, str) and code else "failure"


def receipt_rows(issued: dict[str, Any], voucher_no: str, lang: str) -> list[tuple[str, str]]:
    """The receipt's rows, masked for paper (a natural person's name and ID number)."""
    inv = issued["invoice"]
    zh = lang == "zh"
    seller, _ = paper_party(str(inv.get("seller_name", "")), str(inv.get("seller_tin", "")))
    buyer, buyer_tin = paper_party(str(inv.get("buyer_name", "")),
                                   str(inv.get("buyer_tin") or ""))
    rows = [("发票号码" if zh else "Invoice no.", str(inv["number"])),
            ("开票日期" if zh else "Issued on", str(inv["issued_on"])),
            ("销售方" if zh else "Seller", seller),
            ("购买方" if zh else "Buyer", buyer + (f" {buyer_tin}" if buyer_tin else "")),
            ("价税合计" if zh else "Total incl. tax", yuan(inv["total"])),
            ("税费合计" if zh else "Tax paid", yuan(issued["application"].get("tax_due", "0")))]
    if voucher_no:
        rows.append(("税票号" if zh else "Tax voucher no.", voucher_no))
    return rows


class BuyerBookScreen(ScrollListScreen):
    """`invoice.issue_on_behalf`: whom the invoice is for."""

    screen_id = ENTRY
    flow: OnBehalfFlow

    def __init__(self, window: Any, flow: OnBehalfFlow) -> None:
        super().__init__(window, flow)
        self.new_buyer = self.add_action(self.bind(
            make_button("", "action.new_buyer", role="secondary"),
            lambda: Both("输入新的购买方", "Type a new buyer")))
        self.new_buyer.clicked.connect(lambda: flow.go(BUYER))
        self.next_button = self.add_action(self.bind(
            make_button("", "action.next", role="primary"),
            lambda: Both("下一步：填写项目", "Next: the items")))
        self.next_button.clicked.connect(self._next)
        # Paid applications never issued: above the address book, one button each.
        self.unissued_label = self.bind(
            self.text_label("label.unissued", role="subtitle"),
            lambda: Both("以下申请已缴税、尚未开具发票，点击即可开具：",
                         "The tax on these applications is paid but the invoice was not "
                         "issued yet: tap one to issue it.") if flow.unissued else None,
            hide_empty=True)
        self.unissued_box = QVBoxLayout()
        self.unissued_box.setSpacing(window.units.px(Space.S))
        at = self.layout_.indexOf(self.empty) + 1
        self.layout_.insertWidget(at, self.unissued_label)
        self.layout_.insertLayout(at + 1, self.unissued_box)
        self.unissued_buttons: dict[str, Any] = {}
        self.refresh()

    def title_text(self) -> Said:
        return Both("代开发票 · 购买方", "Invoice issued for you · buyer")

    def refresh(self) -> None:
        if hasattr(self, "unissued_buttons"):
            self._sync_unissued()
        super().refresh()

    def _sync_unissued(self) -> None:
        """One `action.issue.<application_no>` per paid, un-issued application."""
        apps = {str(a["application_no"]): a for a in self.flow.unissued}
        for number in list(self.unissued_buttons):
            if number not in apps:
                gone = self.unissued_buttons.pop(number)
                gone.setParent(None)
                gone.deleteLater()
        zh = self.lang() == "zh"
        for number, app in apps.items():
            button = self.unissued_buttons.get(number)
            if button is None:
                # Wrapped: a long buyer name must not widen the screen.
                button = make_button("", f"action.issue.{number}", role="primary",
                                     cls=WrapButton)
                button.clicked.connect(partial(self.flow.issue_unissued, number))
                self.unissued_box.addWidget(button)
                self.unissued_buttons[number] = button
            buyer = app.get("buyer")
            buyer = buyer if isinstance(buyer, dict) else {}
            name, _ = screen_party(str(buyer.get("name", "")), str(buyer.get("tin") or ""))
            total = yuan(app.get("total", "0"))
            text = (f"开具发票 {number} · 购买方 {name} · 价税合计 {total}" if zh else
                    f"Issue the invoice {number} · buyer {name} · total {total}")
            button.setText(text)
            button.setAccessibleName(text)
            button.setEnabled(not self.flow.busy)

    def intro_text(self) -> Said:
        return Both("您是销售方。请从通讯录选择购买方，或输入新的购买方。",
                    "You are the seller. Choose the buyer from your address book, or type "
                    "a new one.")

    def empty_text(self) -> Said:
        return Both("通讯录中还没有购买方，请输入新的购买方。",
                    "Your address book has no buyers yet: please type one.")

    def loaded(self) -> bool:
        return self.flow.book is not None

    def items(self) -> list[ListItemView]:
        out = []
        for index, entry in enumerate(self.flow.book or ()):
            name, number = screen_party(entry.get("name", ""), entry.get("tin", ""))
            summary = " · ".join(p for p in (number, entry.get("address", "")) if p)
            detail = ResultView(name, "neutral", tuple(
                Row(k, label, v) for k, label, v in (
                    ("name", pick_lang(("名称", "Name"), self.lang()), name),
                    ("tin", pick_lang(("纳税人识别号", "Taxpayer no."), self.lang()), number),
                    ("address", pick_lang(("地址", "Address"), self.lang()),
                     entry.get("address", ""))) if v))
            out.append(ListItemView(str(index + 1), name, summary, detail))
        return out

    def chosen(self, key: str) -> None:
        self.flow.pick(int(key) - 1)

    def _next(self) -> None:
        if self.flow.picked is not None and self.flow.buyer is not None:
            self.flow.set_buyer(self.flow.buyer)

    def on_enter(self) -> None:
        if self.flow.issued is not None:
            self.flow.start_over()
        self.selected = None if self.flow.picked is None else str(self.flow.picked + 1)
        super().on_enter()
        if self.flow.book is None and not self.flow.busy:
            self.flow.load_book()

    def update_state(self) -> None:
        if not hasattr(self, "next_button"):
            return
        self.next_button.setEnabled(not self.flow.busy and self.selected is not None)


def pick_lang(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


class BuyerFormScreen(FormScreen):
    """`invoice.issue_on_behalf.buyer`: a buyer typed."""

    screen_id = BUYER
    fields = (FieldSpec("buyer_name", Kind.TEXT, 100),
              FieldSpec("buyer_tin", Kind.CODE, 20, required=False))
    flow: OnBehalfFlow

    def __init__(self, window: Any, flow: OnBehalfFlow) -> None:
        super().__init__(window, flow)
        self.intro = self.bind(self.text_label("label.instruction", role="subtitle"),
                               lambda: Both("购买方为单位时请填写纳税人识别号；为个人时可不填。",
                                            "For an organisation, enter its taxpayer number; "
                                            "for a person it may stay empty."))
        self.layout_.insertWidget(1, self.intro)
        self.back = self.bind(make_button("", "action.back_to_book", role="secondary"),
                              lambda: Both("从通讯录选择", "Choose from the address book"))
        self.back.clicked.connect(lambda: flow.go(ENTRY))
        self._keys_column.addWidget(self.back)
        self.refresh()

    def title_text(self) -> Said:
        return Both("代开发票 · 新的购买方", "Invoice issued for you · new buyer")

    def field_text(self, name: str) -> Said:
        return Both("购买方名称", "Buyer's name") if name == "buyer_name" \
            else Both("纳税人识别号（可不填）", "Taxpayer number (optional)")

    def confirm_text(self) -> Said:
        return Both("下一步：填写项目", "Next: the items")

    def check(self, name: str, value: str) -> str | None:
        problem = super().check(name, value)
        if problem is None and name == "buyer_tin" and value.strip():
            tin = value.strip().upper()
            if not 15 <= len(tin) <= 20 or not set(tin) <= _TIN_CHARS:
                return "on_behalf.buyer"
        return problem

    def submit(self, values: dict[str, str]) -> dict[str, str]:
        name = values.get("buyer_name", "").strip()
        if not name:
            return {"buyer_name": "on_behalf.buyer"}
        self.flow.set_buyer({"name": name, "tin": values.get("buyer_tin", "").strip().upper(),
                             "address": "", "phone": ""})
        for edit in self.inputs.values():
            edit.clear()
        return {}


class LinesScreen(FormScreen):
    """`invoice.issue_on_behalf.lines`: the goods or services sold, one line at a time."""

    screen_id = LINES
    fields = (FieldSpec("item", Kind.TEXT, 100), FieldSpec("quantity", Kind.AMOUNT),
              FieldSpec("unit_price", Kind.AMOUNT))
    flow: OnBehalfFlow

    def __init__(self, window: Any, flow: OnBehalfFlow) -> None:
        super().__init__(window, flow)
        self.buyer_label = self.bind(self.text_label("label.buyer", role="subtitle"),
                                     self._buyer_text)
        self.error = self.bind(self.text_label("label.error", role="error"),
                               lambda: flow.error, hide_empty=True)
        self.status = self.bind(self.text_label("label.status", role="subtitle"),
                                lambda: Both("正在向税务机关计算税款，请稍候…",
                                             "The tax service is computing the tax…")
                                if flow.busy else None, hide_empty=True)
        for i, widget in enumerate((self.error, self.status), 1):
            self.layout_.insertWidget(i, widget)
        self.lines_label = self.bind(self.text_label("label.lines"), self._lines_text)
        self.lines_label.setTextFormat(Qt.TextFormat.PlainText)
        self._fields_column.insertWidget(1, self.lines_label)
        # The buyer heads the fields (which scroll): above them it would make the
        # screen taller than a landscape panel in simple mode.
        self._fields_column.insertWidget(0, self.buyer_label)
        self.remove = self.bind(make_button("", "action.remove_last", role="secondary"),
                                lambda: Both("删除最后一项", "Remove the last line"))
        self.remove.clicked.connect(flow.remove_last)
        self.quote_button = self.bind(make_button("", "action.quote", role="primary"),
                                      lambda: Both("预览并计算税款", "Preview and compute the tax"))
        self.quote_button.clicked.connect(flow.ask_quote)
        self.confirm.setProperty("role", "secondary")
        # Adding and removing a line side by side: stacked, the keys column would be
        # taller than a landscape panel in simple mode.
        self._keys_column.removeWidget(self.confirm)
        line_actions = QHBoxLayout()
        line_actions.addWidget(self.remove)
        line_actions.addWidget(self.confirm)
        self._keys_column.addLayout(line_actions)
        self._keys_column.addWidget(self.quote_button)
        self.refresh()

    def title_text(self) -> Said:
        return Both("代开发票 · 项目", "Invoice issued for you · items")

    def field_text(self, name: str) -> Said:
        return {"item": Both("货物或服务名称", "Goods or service"),
                "quantity": Both("数量", "Quantity"),
                "unit_price": Both("单价（含税，元）", "Unit price incl. tax (yuan)")}[name]

    def confirm_text(self) -> Said:
        return Both("添加此项目", "Add this line")

    def _buyer_text(self) -> Said:
        buyer = self.flow.buyer
        if buyer is None:
            return None
        name, number = screen_party(buyer.get("name", ""), buyer.get("tin", ""))
        return Both(f"购买方：{name} {number}".rstrip(), f"Buyer: {name} {number}".rstrip())

    def _lines_text(self) -> Said:
        lines = self.flow.lines
        if not lines:
            return Both(f"还没有项目（最多 {MAX_LINES} 项）。金额（含税）= 数量 × 单价。",
                        f"No lines yet (at most {MAX_LINES}). Amount incl. tax = quantity × "
                        "unit price.")
        rows = [f"{i}. {line.name}  {line.quantity.normalize():f} × {yuan(line.unit_price)}"
                f" = {yuan(line.amount)}" for i, line in enumerate(lines, 1)]
        total = yuan(self.flow.total())
        return Both("\n".join(rows + [f"合计（含税）：{total}"]),
                    "\n".join(rows + [f"Total incl. tax: {total}"]))

    def submit(self, values: dict[str, str]) -> dict[str, str]:
        if len(self.flow.lines) >= MAX_LINES:
            return {"item": "on_behalf.lines"}
        try:
            line = parse_line(values["item"], values["quantity"], values["unit_price"])
        except OnBehalfError as exc:
            return {"unit_price": exc.code}
        self.flow.add_line(line)
        for edit in self.inputs.values():
            edit.clear()
        self._show_fields()
        return {}

    def update_state(self) -> None:
        super().update_state()
        if not hasattr(self, "quote_button"):
            return
        busy = self.flow.busy
        self.remove.setEnabled(bool(self.flow.lines) and not busy)
        self.quote_button.setEnabled(bool(self.flow.lines) and not busy)
        self.confirm.setEnabled(not busy and len(self.flow.lines) < MAX_LINES)


class OnBehalfPreviewScreen(FlowScreen):
    """`invoice.issue_on_behalf.preview`: the invoice as it will be issued, and the tax
    the central service computed."""

    screen_id = PREVIEW
    idle_kind = "form"
    flow: OnBehalfFlow

    def __init__(self, window: Any, flow: OnBehalfFlow) -> None:
        super().__init__(window, flow)
        self.title = self.bind(self.title_label("label.title"),
                               lambda: Both("代开发票 · 预览和税款", "Preview and tax due"))
        self.error = self.bind(self.text_label("label.error", role="error"),
                               lambda: flow.error, hide_empty=True)
        self.status = self.bind(self.text_label("label.status", role="subtitle"),
                                lambda: Both("正在开具发票，请稍候…", "Issuing the invoice…")
                                if flow.issuing else None, hide_empty=True)
        for widget in (self.title, self.error, self.status):
            self.layout_.addWidget(widget)
        self.pane = PagePreview()
        side = QVBoxLayout()
        side.setSpacing(window.units.px(Space.M))
        self.breakdown = self.bind(self.text_label("label.breakdown"), self._breakdown)
        self.breakdown.setTextFormat(Qt.TextFormat.PlainText)
        self.total = self.bind(self.text_label("label.total", role="success"), self._total)
        set_style_property(self.total, "textsize", "title")
        self.warning = self.bind(self.text_label("label.warning", role="subtitle"),
                                 lambda: Both("请与购买方确认信息无误：缴税后发现错误，需到办税服务厅作废。",
                                              "Check the details with the buyer: after the tax "
                                              "is paid, a mistake can only be cancelled at the "
                                              "counter."))
        for widget in (self.breakdown, self.total, self.warning):
            side.addWidget(widget)
        side.addStretch(1)
        self.body = OrientationBox()
        self.body.setSpacing(window.units.px(Space.XL))
        self.body.addWidget(self.pane, 3)
        self.body.addLayout(side, 2)
        self.body.set_orientation(panel_orientation(window))
        self.layout_.addLayout(self.body, 1)
        # Columns, not a row: three long English labels at larger text would widen a
        # portrait panel (1080 px).
        row = self.action_columns = ColumnsLayout(3)
        row.setSpacing(window.units.px(Space.M))
        self.edit = self.bind(make_button("", "action.edit", role="secondary"),
                              lambda: Both("修改项目", "Change the lines"))
        self.edit.clicked.connect(lambda: flow.go(LINES))
        self.mark_secondary(self.edit)
        self.pay_card = self.bind(make_button("", "action.pay_card", role="primary"),
                                  lambda: PAY_CARD)
        self.pay_card.clicked.connect(lambda: flow.pay_quote("card"))
        self.pay_qr = self.bind(make_button("", "action.pay_qr", role="primary"),
                                lambda: PAY_QR)
        self.pay_qr.clicked.connect(lambda: flow.pay_quote("qr"))
        self.issue_button = self.bind(make_button("", "action.issue", role="primary"),
                                      lambda: Both("开具发票", "Issue the invoice"))
        self.issue_button.clicked.connect(flow.issue)
        for button in (self.edit, self.pay_card, self.pay_qr, self.issue_button):
            row.addWidget(button)
        self.layout_.addLayout(row)
        self.refresh()

    def _due(self) -> Decimal:
        quote = self.flow.quote
        return Decimal(str(quote["tax_due"])) if quote is not None else Decimal("0")

    def _breakdown(self) -> Said:
        quote = self.flow.quote
        if quote is None:
            return None
        zh = self.lang() == "zh"
        rows = [("价税合计" if zh else "Total incl. tax") + f": {yuan(quote['total'])}"]
        for part in quote.get("breakdown") or ():
            name = part["name_zh"] if zh else part["name_en"]
            rows.append(f"{name} {percent(part['rate'])}: {yuan(part['amount'])}")
        if quote.get("below_threshold"):
            rows.append("未达按次起征点，无需缴纳增值税" if zh else
                        "Below the per-time threshold: no VAT is due")
        return Plain("\n".join(rows))

    def _total(self) -> Said:
        if self.flow.quote is None:
            return None
        due = yuan(self._due())
        return Both(f"应缴税费：{due}", f"Tax due: {due}")

    def update_state(self) -> None:
        if not hasattr(self, "issue_button"):
            return
        ready = self.flow.quote is not None and not self.flow.busy and not self.flow.issuing
        paying = self._due() > 0
        for button in (self.pay_card, self.pay_qr):
            button.setVisible(paying)
            button.setEnabled(ready)
        self.issue_button.setVisible(not paying)
        self.issue_button.setEnabled(ready)
        # As many columns as buttons shown (3 paying, 2 not): no empty column.
        self.action_columns.max_columns = 3 if paying else 2
        self.action_columns.invalidate()
        self.edit.setEnabled(ready)
        self.pane.show_page(self.flow.page)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        self.body.set_orientation(panel_orientation(self.window_))
        super().resizeEvent(event)


class IssuedScreen(FlowScreen):
    """`invoice.issue_on_behalf.issued`: the invoice's QR code to download it, its A4
    print and the receipt."""

    screen_id = ISSUED
    flow: OnBehalfFlow

    def __init__(self, window: Any, flow: OnBehalfFlow) -> None:
        super().__init__(window, flow)
        self.title = self.bind(self.title_label("label.title"),
                               lambda: Both("发票已开具", "Invoice issued"))
        set_style_property(self.title, "role", "success")
        set_style_property(self.title, "textsize", "title")
        self.details = self.bind(self.text_label("label.details"), self._details)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.print_status = self.bind(self.text_label("label.print_status", role="subtitle"),
                                      self._print_status, hide_empty=True)
        self.qr = QrImage(window.units.px(QR_MM))
        self.qr.setObjectName("image.invoice_qr")
        self.qr_caption = self.bind(self.text_label("label.qr_caption", role="caption"),
                                    lambda: Both("用税务 App 扫码，查验并下载这张数电发票",
                                                 "Scan with the tax app to check and "
                                                 "download this invoice"))
        self.qr_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        texts = QVBoxLayout()
        texts.setSpacing(window.units.px(Space.M))
        # Long detail rows scroll instead of growing the screen past the panel.
        texts.addWidget(scrolling(self.details, "area.details", units=window.units))
        texts.addWidget(self.print_status)
        texts.addStretch(1)
        code = QVBoxLayout()
        code.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignHCenter)
        code.addWidget(self.qr_caption)
        code.addStretch(1)
        self.body = OrientationBox()
        self.body.setSpacing(window.units.px(Space.XL))
        self.body.addLayout(texts, 3)
        self.body.addLayout(code, 2)
        self.body.set_orientation(panel_orientation(window))
        self.layout_.addWidget(self.title)
        self.layout_.addLayout(self.body, 1)
        row = QHBoxLayout()
        self.reprint = self.bind(make_button("", "action.print", role="secondary"),
                                 lambda: Both("再打印一份", "Print it again"))
        self.reprint.clicked.connect(lambda: flow.print_invoice())
        self.mark_secondary(self.reprint, drop=True)
        self.done = self.bind(make_button("", "action.done", role="primary"),
                              lambda: Both("完成", "Done"))
        self.done.clicked.connect(lambda: flow.go("home"))
        row.addWidget(self.reprint)
        row.addWidget(self.done)
        self.layout_.addLayout(row)
        self.refresh()

    def _details(self) -> Said:
        issued = self.flow.issued
        if issued is None:
            return None
        lang = self.lang()
        inv = issued["invoice"]
        buyer, number = screen_party(str(inv.get("buyer_name", "")),
                                     str(inv.get("buyer_tin") or ""))
        rows = receipt_rows(issued, self.flow.voucher_no, lang)
        rows = [(k, f"{buyer} {number}".rstrip()) if k in ("购买方", "Buyer") else (k, v)
                for k, v in rows if k not in ("销售方", "Seller")]
        rows.insert(0, ("代开申请号" if lang == "zh" else "Application no.",
                        str(issued["application"]["application_no"])))
        return Plain("\n".join(f"{k}: {v}" for k, v in rows))

    def _print_status(self) -> Said:
        parts: list[Text] = []
        for state, zh, en in ((self.flow.print_state, "发票（A4）", "The invoice (A4)"),
                              (self.flow.receipt_state, "回执", "The receipt")):
            if state == "printing":
                parts.append(Both(f"{zh}正在打印…", f"{en}: printing…"))
            elif state == "printed":
                parts.append(Both(f"{zh}已打印，请取走。", f"{en}: printed, please take it."))
            elif state is not None:
                parts.append(join(Both(f"{zh}未能打印：", f"{en} did not print:"), Msg(state)))
        return lines(parts) if parts else None

    def update_state(self) -> None:
        if not hasattr(self, "reprint"):
            return
        issued = self.flow.issued
        self.qr.show_text(str(issued["qr_text"]) if issued is not None else None)
        self.reprint.setEnabled(issued is not None and self.flow.print_state != "printing")

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        self.body.set_orientation(panel_orientation(self.window_))
        super().resizeEvent(event)


FLOW = OnBehalfFlow
SCREENS = (BuyerBookScreen, BuyerFormScreen, LinesScreen, OnBehalfPreviewScreen, IssuedScreen,
           *PAYMENT_SCREENS)

# `make screenshots`: the demo person's address book, a buyer typed, two lines, the
# preview with the tax central computed, paid by card, and the issued invoice.
SHOTS = [("open", "invoice.issue_on_behalf"), ("expect_screen", "identity.login"),
         ("id_card", {}), ("expect_screen", "invoice.issue_on_behalf"),
         ("tap", "item.1"), ("shot", "invoice.issue_on_behalf"),
         ("tap", "action.new_buyer"), ("expect_screen", "invoice.issue_on_behalf.buyer"),
         ("type", {"into": "field.buyer_name", "text": "深圳市南山示范设计工作室"}),
         ("type", {"into": "field.buyer_tin", "text": "92440305MA5DEMO01X"}),
         ("shot", "invoice.issue_on_behalf.buyer"),
         ("tap", "action.confirm"), ("expect_screen", "invoice.issue_on_behalf.lines"),
         ("type", {"into": "field.item", "text": "平面设计服务"}),
         ("type", {"into": "field.quantity", "text": "2"}),
         ("type", {"into": "field.unit_price", "text": "1500"}),
         ("tap", "action.confirm"),
         ("type", {"into": "field.item", "text": "打样"}),
         ("type", {"into": "field.quantity", "text": "1"}),
         ("type", {"into": "field.unit_price", "text": "200"}),
         ("tap", "action.confirm"), ("shot", "invoice.issue_on_behalf.lines"),
         ("tap", "action.quote"), ("expect_screen", "invoice.issue_on_behalf.preview"),
         ("shot", "invoice.issue_on_behalf.preview"),
         ("tap", "action.pay_card"), ("expect_screen", "payment.card"),
         ("expect_card_charged", 1), ("wait", 1), ("sync", {}),
         ("expect_screen", "invoice.issue_on_behalf.issued"), ("settle", None),
         ("shot", "invoice.issue_on_behalf.issued"), ("tap", "action.done"),
         ("tap", "action.logout"), ("id_card", "remove"), ("tap", "action.start")]
