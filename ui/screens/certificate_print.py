"""Screens of `certificate.print` 完税证明打印: choose the kind (`kind.document` 文书式,
`kind.table` 表格式, `kind.record` 纳税记录), then the payment (`item.<voucher_no>`) or
the period (`field.period_from`, `field.period_to`, YYYYMM), then `action.preview`: the
central service issues the certificate and its A4 page shows on screen as it will
print (`image.preview`); `action.print` sends it to the A4 printer."""
from __future__ import annotations

from collections.abc import Hashable
from typing import Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout

from kiosk.services.certificate_print import (
    KIND_NAMES,
    CertificatePrintError,
    IssuedCertificate,
    PaidVoucher,
)
from kiosk.services.views import ListItemView, pick
from printing.document import Document
from ui.flow.base import FlowScreen, Said
from ui.flow.choice import ChoiceScreen
from ui.flow.fields import FieldSpec, Kind
from ui.flow.flow import ServiceFlow
from ui.flow.form import FormScreen
from ui.flow.scroll_list import ScrollListScreen
from ui.flow.text import Msg, Plain
from ui.theme import Space
from ui.widgets.adaptive import OrientationBox, panel_orientation
from ui.widgets.buttons import make_button
from ui.widgets.scroll_column import plain_area, scrolling

PREVIEW_DPI = 110.0  # sharp enough to read on a 1080 px panel, light to draw
ENTRY = "certificate.print"
PAYMENTS = "certificate.print.payments"
PERIOD = "certificate.print.period"
PREVIEW = "certificate.print.preview"


class CertificatePrintFlow(ServiceFlow):
    errors: ClassVar[dict[type[BaseException], str]] = {}

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.kind: str | None = None
        self.vouchers: list[PaidVoucher] | None = None
        self.voucher_no: str | None = None
        self.cert: IssuedCertificate | None = None
        self.document: Document | None = None
        self.page: QImage | None = None
        self.pages = 0
        self.print_state: str | None = None  # None, "printing", "printed" or a code
        self.fresh_period = False

    def choose_kind(self, kind: str) -> None:
        self.kind = kind
        self.set_error(None)
        if kind == "document":
            self.voucher_no = None
            self.go(PAYMENTS)
            self.load_payments()
        else:
            self.fresh_period = True  # a new choice starts with empty months
            self.go(PERIOD)
        self.changed.emit()

    def load_payments(self) -> None:
        service = self.service
        if service is None:
            return

        def loaded(vouchers: list[PaidVoucher]) -> None:
            self.vouchers = vouchers
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            self.set_error(self.error_text(exc))

        self.run(service.payments, loaded, failed)

    def preview(self, *, voucher_no: str | None = None, period: tuple[str, str] | None = None,
                back_to: str = ENTRY) -> None:
        """Have the certificate issued and its first page drawn, off the GUI thread;
        then show the preview."""
        service, kind, lang = self.service, self.kind, self.lang()
        if service is None or kind is None:
            return
        self.set_error(None)

        def work() -> tuple[IssuedCertificate, Document, QImage, int]:
            from printing.pdf_render import page_count, render_page_image

            cert = service.issue(kind, voucher_no=voucher_no,
                                 period_from=period[0] if period else None,
                                 period_to=period[1] if period else None)
            document = service.document(cert, lang)
            return cert, document, render_page_image(document, dpi=PREVIEW_DPI), \
                page_count(document)

        def done(result: tuple[IssuedCertificate, Document, QImage, int]) -> None:
            self.cert, self.document, self.page, self.pages = result
            self.print_state = None
            self.go(PREVIEW)
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            self.set_error(self.error_text(exc))
            self.go(back_to)

        self.run(work, done, failed)

    def print_certificate(self) -> None:
        service, cert, document = self.service, self.cert, self.document
        if service is None or cert is None or document is None \
                or self.print_state == "printing":
            return
        self.print_in_background(lambda: service.print(document, cert))


class KindScreen(ChoiceScreen):
    """`certificate.print`: which certificate."""

    screen_id = ENTRY
    choice_wrap = True  # the kind's name and what it certifies, on two lines
    flow: CertificatePrintFlow

    def __init__(self, window: Any, flow: CertificatePrintFlow) -> None:
        super().__init__(window, flow)
        self.refresh()

    def title_text(self) -> Said:
        return self.tr("Print a tax certificate")

    def intro_text(self) -> Said:
        return self.tr("Choose the certificate. You see it on screen before it prints "
                       "on A4 paper.")

    def choices(self) -> tuple[tuple[Hashable, str], ...]:
        return tuple((kind, f"kind.{kind}") for kind in ("document", "table", "record"))

    def choice_text(self, key: Hashable) -> Said:
        kind = str(key)
        name = pick(KIND_NAMES[kind], self.lang())
        if kind == "document":
            line = self.tr("For one payment you choose")
        elif kind == "table":
            line = self.tr("All payments of a period of months")
        else:
            line = self.tr("Your individual income tax payments of a period (natural persons)")
        return Plain(f"{name}\n{line}")

    def offered(self, key: Hashable) -> bool:
        service = self.flow.service
        return key in (service.kinds() if service is not None else ())

    def chose(self, key: Hashable) -> None:
        self.flow.choose_kind(str(key))

    def on_enter(self) -> None:
        self.flow.print_state = None
        super().on_enter()


class PaymentsScreen(ScrollListScreen):
    """`certificate.print.payments`: the payment a 文书式 certifies."""

    screen_id = PAYMENTS
    flow: CertificatePrintFlow

    def __init__(self, window: Any, flow: CertificatePrintFlow) -> None:
        super().__init__(window, flow)
        self.back = self.add_action(self.bind(make_button("", "action.back_to_kinds",
                                                          role="secondary"),
                                              lambda: self.tr("Another kind")))
        self.back.clicked.connect(lambda: flow.go(ENTRY))
        self.preview_button = self.add_action(self.bind(
            make_button("", "action.preview", role="primary"), lambda: self.tr("Preview")))
        self.preview_button.clicked.connect(self._preview)
        self.refresh()

    def title_text(self) -> Said:
        return self.tr("Tax payment certificate (one payment)")

    def intro_text(self) -> Said:
        return self.tr("Choose the payment to certify.")

    def empty_text(self) -> Said:
        return self.tr("No paid tax is on record for you.")

    def loaded(self) -> bool:
        return self.flow.vouchers is not None

    def items(self) -> list[ListItemView]:
        flow, service = self.flow, self.flow.service
        if flow.vouchers is None or service is None:
            return []
        return service.voucher_items(flow.vouchers, self.lang())

    def chosen(self, key: str) -> None:
        self.flow.voucher_no = key
        self.flow.set_error(None)

    def _preview(self) -> None:
        if self.flow.voucher_no:
            self.flow.preview(voucher_no=self.flow.voucher_no, back_to=PAYMENTS)

    def on_enter(self) -> None:
        self.selected = self.flow.voucher_no
        super().on_enter()

    def update_state(self) -> None:
        if not hasattr(self, "preview_button"):
            return
        self.preview_button.setEnabled(not self.flow.busy and self.selected is not None)


class PeriodScreen(FormScreen):
    """`certificate.print.period`: the months a 表格式 or 纳税记录 covers."""

    screen_id = PERIOD
    fields = (FieldSpec("period_from", Kind.DIGITS, 6), FieldSpec("period_to", Kind.DIGITS, 6))
    flow: CertificatePrintFlow

    def __init__(self, window: Any, flow: CertificatePrintFlow) -> None:
        super().__init__(window, flow)
        self.confirm.setObjectName("action.preview")  # the issue's automation name
        self.error = self.bind(self.text_label("label.error", role="error"),
                               lambda: flow.error, hide_empty=True)
        self.status = self.bind(self.text_label("label.status", role="subtitle"),
                                lambda: self.tr("Please wait…") if flow.busy else "",
                                hide_empty=True)
        self.intro = self.bind(self.text_label("label.instruction", role="subtitle"),
                               lambda: self.tr("Months as YYYYMM, e.g. 202501 to 202512; "
                                               "at most 36 months."))
        for i, widget in enumerate((self.intro, self.error, self.status), 1):
            self.layout_.insertWidget(i, widget)
        self.back = self.bind(make_button("", "action.back_to_kinds", role="secondary"),
                              lambda: self.tr("Another kind"))
        self.back.clicked.connect(lambda: flow.go(ENTRY))
        self._keys_column.addWidget(self.back)
        self.refresh()

    def on_enter(self) -> None:
        service = self.flow.service
        if service is not None:  # an example: a year up to last month
            start, end = service.default_period()
            self.inputs["period_from"].setPlaceholderText(start)
            self.inputs["period_to"].setPlaceholderText(end)
        if self.flow.fresh_period:
            self.flow.fresh_period = False
            for edit in self.inputs.values():
                edit.clear()
            self.errors.clear()
            self._show_fields()
        super().on_enter()

    def title_text(self) -> Said:
        kind = self.flow.kind or "table"
        return Plain(pick(KIND_NAMES[kind], self.lang()))

    def field_text(self, name: str) -> Said:
        return self.tr("From month") if name == "period_from" else self.tr("To month")

    def confirm_text(self) -> Said:
        return self.tr("Preview")

    def check(self, name: str, value: str) -> str | None:
        problem = super().check(name, value)
        if problem is None and value and len(value.strip()) != 6:
            return "period.invalid"
        return problem

    def submit(self, values: dict[str, str]) -> dict[str, str]:
        service = self.flow.service
        if service is None:
            return {}
        from kiosk.services.certificate_print import check_period

        try:
            period = check_period(values["period_from"], values["period_to"], service.today())
        except CertificatePrintError as exc:
            return {"period_to": exc.code}
        self.flow.preview(period=period, back_to=PERIOD)
        return {}


class PreviewScreen(FlowScreen):
    """`certificate.print.preview`: the issued certificate's page as it will print."""

    screen_id = PREVIEW
    flow: CertificatePrintFlow

    def __init__(self, window: Any, flow: CertificatePrintFlow) -> None:
        super().__init__(window, flow)
        self._shown: QImage | None = None
        self.title = self.bind(self.title_label("label.title"), lambda: self.tr("Preview"))
        self.layout_.addWidget(self.title)
        self.image = QLabel()
        self.image.setObjectName("image.preview")
        self.image.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.area = plain_area("area.preview", self.image)
        side = QVBoxLayout()
        side.setSpacing(window.units.px(Space.M))
        self.details = self.bind(self.text_label("label.details"), self._details)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.pages_note = self.bind(self.text_label("label.pages", role="subtitle"),
                                    self._pages_text, hide_empty=True)
        self.print_status = self.bind(self.text_label("label.print_status", role="subtitle"),
                                      self._print_status, hide_empty=True)
        # Long detail rows scroll instead of growing the screen past the panel.
        rows = scrolling(self.details, "area.details", units=window.units)
        for widget in (rows, self.pages_note, self.print_status):
            side.addWidget(widget)
        side.addStretch(1)
        self.body = OrientationBox()
        self.body.setSpacing(window.units.px(Space.XL))
        self.body.addWidget(self.area, 3)
        self.body.addLayout(side, 2)
        self.body.set_orientation(panel_orientation(window))
        self.layout_.addLayout(self.body, 1)
        row = QHBoxLayout()
        self.again = self.bind(make_button("", "action.again", role="secondary"),
                               lambda: self.tr("Another certificate"))
        self.again.clicked.connect(lambda: flow.go(ENTRY))
        self.print_button = self.bind(make_button("", "action.print", role="primary"),
                                      self._print_text)
        self.print_button.clicked.connect(flow.print_certificate)
        row.addWidget(self.again)
        row.addWidget(self.print_button)
        self.layout_.addLayout(row)
        self.refresh()

    def _details(self) -> Said:
        cert, service = self.flow.cert, self.flow.service
        if cert is None or service is None:
            return None
        return Plain(service.summary_view(cert, self.lang()).text())

    def _pages_text(self) -> Said:
        if self.flow.pages <= 1:
            return None
        return self.tr("The preview shows page 1 of %1.").replace("%1", str(self.flow.pages))

    def _print_text(self) -> Said:
        if self.flow.print_state == "printed":
            return self.tr("Print again")
        return self.tr("Print on A4")

    def _print_status(self) -> Said:
        state = self.flow.print_state
        if state is None:
            return None
        if state == "printing":
            return self.tr("Printing…")
        if state == "printed":
            return self.tr("Printed. Please take your certificate from the A4 printer.")
        return Msg(state)

    def update_state(self) -> None:
        if not hasattr(self, "print_button"):
            return
        self.print_button.setEnabled(self.flow.document is not None
                                     and self.flow.print_state != "printing")
        if self.flow.page is not self._shown:
            self._shown = self.flow.page
            self._scale()

    def _scale(self) -> None:
        page = self.flow.page
        if page is None:
            self.image.clear()
            return
        width = max(200, self.area.viewport().width() - 8)
        pixmap = QPixmap.fromImage(page)
        if pixmap.width() > width:
            pixmap = pixmap.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
        self.image.setPixmap(pixmap)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.body.set_orientation(panel_orientation(self.window_))
        super().resizeEvent(event)
        self._scale()


FLOW = CertificatePrintFlow
SCREENS = (KindScreen, PaymentsScreen, PeriodScreen, PreviewScreen)

# `make screenshots`: the kinds, the demo person's payments with the latest chosen, its
# preview, and the period form. `tap_first`: the demo voucher numbers follow today's date.
SHOTS = [("open", "certificate.print"), ("expect_screen", "identity.login"),
         ("id_card", {}), ("expect_screen", "identity.login.enterprise"),
         ("tap", "item.self"), ("expect_screen", "certificate.print"),
         ("shot", "certificate.print"), ("tap", "kind.document"),
         ("expect_screen", "certificate.print.payments"), ("tap_first", "item."),
         ("shot", "certificate.print.payments"), ("tap", "action.preview"),
         ("expect_screen", "certificate.print.preview"), ("shot", "certificate.print.preview"),
         ("open", "certificate.print"), ("expect_screen", "certificate.print"),
         ("tap", "kind.table"), ("expect_screen", "certificate.print.period"),
         ("shot", "certificate.print.period"),
         ("tap", "action.logout"), ("id_card", "remove"), ("tap", "action.start")]
