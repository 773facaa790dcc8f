"""Screens of `invoice.print_digital` 数电票打印 (issue #12 §4): the identified taxpayer's
received and issued 数电票 from the central service (`item.<number>`, each with its
print count), or the one whose QR code they scan; `action.preview` shows its A4 page
in the invoice layout, marked as a paper copy with the print count it will carry
(`image.preview`); `action.print` counts the print at the central service and prints
it on the A4 printer. `PagePreview` is the page pane the 代开 screens share."""
from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from kiosk.services.print_digital import shown_party
from kiosk.services.views import ListItemView
from printing.document import Document
from ui.flow.base import FlowScreen, Said
from ui.flow.flow import ServiceFlow
from ui.flow.scroll_list import ScrollListScreen
from ui.flow.text import Both, Msg, Plain
from ui.theme import Space
from ui.widgets.adaptive import OrientationBox, panel_orientation
from ui.widgets.buttons import make_button
from ui.widgets.scroll_column import scrolling

PREVIEW_DPI = 110.0  # as certificate.print: readable on a 1080 px panel, light to draw
ENTRY = "invoice.print_digital"
PREVIEW = "invoice.print_digital.preview"


def screen_party(name: str, number: str) -> tuple[str, str]:
    """A party as the screen may show it (domain.md §9): 买****力, 110***********002X."""
    return shown_party(name, number, "screen")


def render_first_page(document: Document) -> QImage:
    """The document's first A4 page as a picture (blocking: run it on the pool)."""
    from printing.pdf_render import render_page_image

    return render_page_image(document, dpi=PREVIEW_DPI)


class PagePreview(QScrollArea):
    """An A4 page scaled to the pane's width, scrolling down (`image.preview`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("area.preview")
        self.image = QLabel()
        self.image.setObjectName("image.preview")
        self.image.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setWidget(self.image)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.page: QImage | None = None

    def show_page(self, page: QImage | None) -> None:
        if page is self.page:
            return
        self.page = page
        self._scale()

    def _scale(self) -> None:
        if self.page is None:
            self.image.clear()
            return
        width = max(200, self.viewport().width() - 8)
        pixmap = QPixmap.fromImage(self.page)
        if pixmap.width() > width:
            pixmap = pixmap.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
        self.image.setPixmap(pixmap)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._scale()


class PrintDigitalFlow(ServiceFlow):
    errors: ClassVar[dict[type[BaseException], str]] = {}

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.invoices: list[dict[str, Any]] | None = None
        self.number: str | None = None  # the chosen invoice
        self.page: QImage | None = None
        self.print_state: str | None = None  # None, printing, printed or a code
        self.printed_copy: int | None = None  # the count the last print carried
        self._scanned: str | None = None  # a number scanned before the list arrived

    def chosen(self) -> dict[str, Any] | None:
        return next((i for i in self.invoices or () if i["number"] == self.number), None)

    def load(self) -> None:
        service = self.service
        if service is None:
            return
        self.set_error(None)

        def loaded(invoices: list[dict[str, Any]]) -> None:
            self.invoices = invoices
            self.changed.emit()
            scanned, self._scanned = self._scanned, None
            if scanned is not None:
                self.open_number(scanned)

        self.run(service.invoices, loaded, lambda exc: self.set_error(self.error_text(exc)))

    def handle_scan(self, text: str) -> None:
        """A 数电票's QR: that invoice, if it is the taxpayer's, goes to its preview."""
        service = self.service
        if service is None:
            return
        try:
            number = service.number_of_scan(text)
        except Exception as exc:  # noqa: BLE001 - a QR refusal: said, nothing changes
            self.set_error(self.error_text(exc))
            self.go(ENTRY)
            return
        if self.invoices is None:
            self._scanned = number
            if not self.busy:
                self.load()
            return
        self.open_number(number)

    def open_number(self, number: str) -> None:
        if not any(i["number"] == number for i in self.invoices or ()):
            self.set_error(Msg("invoice.unknown"))
            self.go(ENTRY)
            return
        self.number = number
        self.preview()

    def preview(self) -> None:
        """Draw the chosen invoice's page as it will print (the next print count)."""
        service, inv, lang = self.service, self.chosen(), self.lang()
        if service is None or inv is None:
            return
        self.set_error(None)
        upcoming = {**inv, "printed": int(inv.get("printed") or 0) + 1}

        def done(page: QImage) -> None:
            self.page, self.print_state, self.printed_copy = page, None, None
            self.go(PREVIEW)
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            self.set_error(self.error_text(exc))
            self.go(ENTRY)

        self.run(lambda: render_first_page(service.document(upcoming, lang)), done, failed)

    def print_copy(self) -> None:
        service, inv, lang = self.service, self.chosen(), self.lang()
        if service is None or inv is None or self.print_state == "printing":
            return
        self.print_state = "printing"
        self.changed.emit()

        def done(counted: dict[str, Any]) -> None:
            self.print_state = "printed"
            self.printed_copy = int(counted.get("printed") or 0)
            self.invoices = [counted if i["number"] == counted["number"] else i
                             for i in self.invoices or ()]
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            code = getattr(exc, "code", None)
            self.print_state = code if isinstance(code, str) and code else "failure"
            self.changed.emit()

        self.background(lambda: service.print_copy(inv, lang), done, failed)


class InvoiceListScreen(ScrollListScreen):
    """`invoice.print_digital`: the taxpayer's 数电票, or scan one's QR code."""

    screen_id = ENTRY
    flow: PrintDigitalFlow

    def __init__(self, window: Any, flow: PrintDigitalFlow) -> None:
        super().__init__(window, flow)
        self.preview_button = self.add_action(self.bind(
            make_button("", "action.preview", role="primary"), lambda: Both("预览", "Preview")))
        self.preview_button.clicked.connect(self._preview)
        self.refresh()

    def title_text(self) -> Said:
        return Both("数电票打印", "Print a fully-digital invoice")

    def intro_text(self) -> Said:
        return Both("请选择要打印的发票，或将发票二维码对准扫描窗口。打印件为纸质副本，注明打印次数。",
                    "Choose the invoice to print, or hold its QR code over the scanner. "
                    "The print is a paper copy and shows how often it was printed.")

    def empty_text(self) -> Said:
        return Both("没有查到您开具或取得的数电票。", "No fully-digital invoices of yours were found.")

    def loaded(self) -> bool:
        return self.flow.invoices is not None

    def items(self) -> list[ListItemView]:
        flow, service = self.flow, self.flow.service
        if flow.invoices is None or service is None:
            return []
        return service.items(flow.invoices, self.lang())

    def chosen(self, key: str) -> None:
        self.flow.number = key
        self.flow.set_error(None)

    def _preview(self) -> None:
        if self.flow.number:
            self.flow.preview()

    def on_enter(self) -> None:
        self.selected = self.flow.number
        super().on_enter()
        if self.flow.invoices is None and not self.flow.busy:
            self.flow.load()

    def update_state(self) -> None:
        if not hasattr(self, "preview_button"):
            return
        self.preview_button.setEnabled(not self.flow.busy and self.selected is not None)


class PrintPreviewScreen(FlowScreen):
    """`invoice.print_digital.preview`: the paper copy as it will print."""

    screen_id = PREVIEW
    flow: PrintDigitalFlow

    def __init__(self, window: Any, flow: PrintDigitalFlow) -> None:
        super().__init__(window, flow)
        self.title = self.bind(self.title_label("label.title"), lambda: Both("预览", "Preview"))
        self.layout_.addWidget(self.title)
        self.pane = PagePreview()
        side = QVBoxLayout()
        side.setSpacing(window.units.px(Space.M))
        self.details = self.bind(self.text_label("label.details"), self._details)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.note = self.bind(self.text_label("label.note", role="subtitle"),
                              lambda: Both("数电票与纸质发票具有同等法律效力；本打印件标注“纸质副本”及打印次数。",
                                           "A fully-digital invoice has the same legal force as "
                                           "paper; this print is marked as a paper copy with its "
                                           "print count."))
        self.print_status = self.bind(self.text_label("label.print_status", role="subtitle"),
                                      self._print_status, hide_empty=True)
        # Long detail rows scroll instead of growing the screen past the panel.
        rows = scrolling(self.details, "area.details", units=window.units)
        for widget in (rows, self.note, self.print_status):
            side.addWidget(widget)
        side.addStretch(1)
        self.body = OrientationBox()
        self.body.setSpacing(window.units.px(Space.XL))
        self.body.addWidget(self.pane, 3)
        self.body.addLayout(side, 2)
        self.body.set_orientation(panel_orientation(window))
        self.layout_.addLayout(self.body, 1)
        row = QHBoxLayout()
        self.again = self.bind(make_button("", "action.again", role="secondary"),
                               lambda: Both("其他发票", "Another invoice"))
        self.again.clicked.connect(lambda: flow.go(ENTRY))
        self.print_button = self.bind(make_button("", "action.print", role="primary"),
                                      lambda: Both("再打印一份", "Print another copy")
                                      if flow.print_state == "printed"
                                      else Both("A4 打印", "Print on A4"))
        self.print_button.clicked.connect(self._print)
        row.addWidget(self.again)
        row.addWidget(self.print_button)
        self.layout_.addLayout(row)
        self.refresh()

    def _print(self) -> None:
        if self.flow.print_state == "printed":
            self.flow.preview()  # the next copy carries the next count: show it first
            return
        self.flow.print_copy()

    def _details(self) -> Said:
        inv, service = self.flow.chosen(), self.flow.service
        if inv is None or service is None:
            return None
        # A natural person's name as the screen may show it (domain.md §9).
        shown = {**inv, "seller_name": screen_party(str(inv["seller_name"]),
                                                    str(inv.get("seller_tin", "")))[0],
                 "buyer_name": screen_party(str(inv["buyer_name"]),
                                            str(inv.get("buyer_tin") or ""))[0]}
        return Plain(service.detail(shown, self.lang()).text())

    def _print_status(self) -> Said:
        state = self.flow.print_state
        if state is None:
            return None
        if state == "printing":
            return Both("正在打印…", "Printing…")
        if state == "printed":
            copy = str(self.flow.printed_copy or "")
            return Both(f"已打印（第 {copy} 次打印），请从 A4 打印机取走。",
                        f"Printed (print no. {copy}). Please take it from the A4 printer.")
        return Msg(state)

    def update_state(self) -> None:
        if not hasattr(self, "print_button"):
            return
        self.print_button.setEnabled(self.flow.page is not None and not self.flow.busy
                                     and self.flow.print_state != "printing")
        self.pane.show_page(self.flow.page)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        self.body.set_orientation(panel_orientation(self.window_))
        super().resizeEvent(event)


FLOW = PrintDigitalFlow
SCREENS = (InvoiceListScreen, PrintPreviewScreen)

# `make screenshots`: the demo person's 数电票 with the newest chosen, and its preview.
SHOTS = [("open", "invoice.print_digital"), ("expect_screen", "identity.login"),
         ("id_card", {}), ("expect_screen", "identity.login.enterprise"),
         ("tap", "item.self"), ("expect_screen", "invoice.print_digital"),
         ("tap_first", "item."), ("shot", "invoice.print_digital"),
         ("tap", "action.preview"), ("expect_screen", "invoice.print_digital.preview"),
         ("shot", "invoice.print_digital.preview"),
         ("tap", "action.logout"), ("id_card", "remove"), ("tap", "action.start")]
