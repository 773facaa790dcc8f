"""Screens of the `invoice.verify` service, on the flow kit (ui/flow): scan, manual
entry, result, queued, pending. The flow holds one verification's state and runs the
service's blocking calls in the background; the screens render what it decides.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QVBoxLayout

from kiosk.domain import (
    FIELD_LABELS,
    FieldProblems,
    InvoiceQrError,
    check_field,
    query_from_fields,
    required_fields,
    type_name,
)
from kiosk.services.verify_outcomes import (
    Queued,
    ResultNotKept,
    ScannedInvoice,
    ScannedReference,
    StillPending,
    UnknownReference,
    Verified,
    VerifyRejected,
)
from kiosk.services.views import ResultView, verification_view
from ui.flow.base import FlowScreen, Said
from ui.flow.fields import FieldSpec, Kind
from ui.flow.flow import ServiceFlow
from ui.flow.form import FormScreen
from ui.flow.notice import PendingScreen, QueuedScreen
from ui.flow.outcome import OutcomeScreen
from ui.flow.text import Both, Tr
from ui.theme import Space
from ui.widgets.adaptive import OrientationBox, panel_orientation
from ui.widgets.busy import BusyIllustration
from ui.widgets.buttons import make_button

MANUAL_TYPES = ("01", "04", "08", "10", "11", "14", "31", "32")
_CTX = "InvoiceVerifyFlow"
NOT_KNOWN = QT_TRANSLATE_NOOP("InvoiceVerifyFlow",
                              "This slip is not known here. Please ask the hall staff.")
NOT_KEPT = QT_TRANSLATE_NOOP(
    "InvoiceVerifyFlow", "The result of this slip is no longer kept at this terminal "
    "(results are deleted after a while to protect personal data). Please scan the "
    "invoice to check it again.")


class InvoiceVerifyFlow(ServiceFlow):
    errors: ClassVar[dict[type[BaseException], str]] = {VerifyRejected: "central.rejected"}

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.last: Verified | StillPending | None = None
        self.crc_warning = False

    def handle_scan(self, text: str) -> None:
        if self.busy:
            return  # one verification at a time; the next scan works once it is done
        self.go("invoice.verify")
        try:
            scanned = self.service.classify_scan(text)
        except InvoiceQrError as exc:
            self.fail(exc)
            return
        if isinstance(scanned, ScannedReference):
            self._check(lambda: self.service.lookup(scanned.reference), crc_warning=False)
        else:
            lang = self.lang()
            self._check(lambda: self.service.verify(scanned.query, lang),
                        crc_warning=isinstance(scanned, ScannedInvoice) and scanned.crc_warning)

    def submit(self, type_code: str, values: dict[str, str]) -> dict[str, str]:
        """Field problems (empty when the query went out)."""
        try:
            query = query_from_fields(type_code, values)
        except FieldProblems as exc:
            return exc.problems
        lang = self.lang()
        self._check(lambda: self.service.verify(query, lang), crc_warning=False)
        self.go("invoice.verify")
        return {}

    def _check(self, work: Callable[[], Any], *, crc_warning: bool) -> None:
        self.crc_warning = crc_warning
        self.set_error(None)
        self.run(work, self._done)

    def _done(self, outcome: Any) -> None:
        if isinstance(outcome, (UnknownReference, ResultNotKept)):
            self.set_error(Tr(_CTX, NOT_KNOWN if isinstance(outcome, UnknownReference)
                              else NOT_KEPT))
            self.go("invoice.verify")
        elif isinstance(outcome, Queued):
            lang, service = self.lang(), self.service
            self.accept_queued(outcome.reference, "invoice.verify.queued",
                               lambda: service.confirm_shown(outcome),
                               lambda: service.print_queued_slip(outcome, lang))
        else:
            self.last = outcome
            self.go("invoice.verify.result" if isinstance(outcome, Verified)
                    else "invoice.verify.pending")
            self.changed.emit()

    def view(self, lang: str) -> ResultView | None:
        o = self.last
        return verification_view(o.query, o.result, lang, o.reference) \
            if isinstance(o, Verified) else None


class VerifyScanScreen(FlowScreen):
    screen_id = "invoice.verify"
    idle_kind = "form"

    def __init__(self, window: Any, flow: InvoiceVerifyFlow) -> None:
        super().__init__(window, flow)
        self.title = self.bind(self.title_label("label.title"),
                               lambda: self.tr("Invoice verification"))
        self.instruction = self.bind(self.text_label("label.instruction"), lambda: self.tr(
            "Hold the QR code on the invoice under the scanner. "
            "To see the result of an earlier request, scan the QR code on its slip."))
        self.status = self.bind(self.text_label("label.status", role="subtitle"),
                                lambda: self.tr("Checking, please wait…") if flow.busy else "")
        self.error = self.bind(self.text_label("label.error", role="error"),
                               lambda: flow.error, hide_empty=True)
        # Shown while no scanner can read: typing the invoice still works.
        self.scanner_note = self.bind(
            self.text_label("label.scanner_note", role="warning"),
            lambda: "" if self._scanner_ok() else
            self.tr("The scanner is not available; please type the invoice details"),
            hide_empty=True)
        self.manual = self.bind(make_button("", "action.manual", role="secondary"),
                                lambda: self.tr("No QR code? Type the invoice details"))
        self.manual.clicked.connect(lambda: flow.go("invoice.verify.manual"))
        # Where to hold the code, the scanner's light sweeping over it while it waits.
        self.scanning = BusyIllustration("scanning", units=window.units)
        texts = QVBoxLayout()
        texts.setSpacing(window.units.px(Space.M))
        for w in (self.instruction, self.scanner_note, self.status, self.error):
            texts.addWidget(w)
        texts.addStretch(1)
        # Beside the words lying (landscape), under them standing (portrait).
        self.body = OrientationBox()
        self.body.setSpacing(window.units.px(Space.XL))
        self.body.addLayout(texts, 2)
        self.body.addWidget(self.scanning, 3)
        self.body.set_orientation(panel_orientation(window))
        self.layout_.addWidget(self.title)
        self.layout_.addLayout(self.body, 1)
        self.layout_.addWidget(self.manual)
        # A bound method: Qt drops the connection when a session reset deletes the screen.
        window.device_status_changed.connect(self._devices_changed)
        self.refresh()

    def _devices_changed(self, _status: object = None) -> None:
        self.refresh()

    def _scanner_ok(self) -> bool:
        core = self.window_.core
        return core is None or core.scanner_available()

    def update_state(self) -> None:
        self.manual.setEnabled(not self.flow.busy)
        # Where to hold the code (the busy scene's own caption says "Scanning…").
        self.scanning.set_caption(QCoreApplication.translate(
            "Illustration", "Hold the QR code over the scanner window below the screen"))
        # No scanner: no picture of one (the note says to type the invoice instead).
        self.scanning.setVisible(self._scanner_ok())

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.body.set_orientation(panel_orientation(self.window_))
        super().resizeEvent(event)


class VerifyManualScreen(FormScreen):
    screen_id = "invoice.verify.manual"
    fields = (FieldSpec("type", Kind.CHOICE, choices=MANUAL_TYPES),
              FieldSpec("code", Kind.DIGITS, 12), FieldSpec("number", Kind.DIGITS, 20),
              FieldSpec("issued_on", Kind.DATE), FieldSpec("amount", Kind.AMOUNT),
              FieldSpec("check_code_last6", Kind.DIGITS, 6))
    flow: InvoiceVerifyFlow

    def __init__(self, window: Any, flow: InvoiceVerifyFlow) -> None:
        super().__init__(window, flow)
        self.choose("type", "04")

    def title_text(self) -> Said:
        return self.tr("Type the invoice details")

    def prompt_text(self, name: str) -> Said:
        return self.tr("Invoice type:")

    def choice_text(self, name: str, value: str) -> Said:
        return type_name(value, self.lang())

    def field_text(self, name: str) -> Said:
        if name == "amount":
            fully_digital = self.choices["type"] in ("31", "32")
            return Both("价税合计", "Total incl. tax") if fully_digital \
                else Both("金额（不含税）", "Amount before tax")
        text = Both(*FIELD_LABELS[name])
        return Both(text.zh + " (YYYYMMDD)", text.en + " (YYYYMMDD)") \
            if name == "issued_on" else text

    def confirm_text(self) -> Said:
        return self.tr("Verify")

    def visible_fields(self) -> set[str]:
        return {f.value for f in required_fields(self.choices["type"])}

    def check(self, name: str, value: str) -> str | None:
        return check_field(self.choices["type"], name, value)

    def submit(self, values: dict[str, str]) -> dict[str, str]:
        return self.flow.submit(values.pop("type"), values)


class VerifyResultScreen(OutcomeScreen):
    screen_id = "invoice.verify.result"
    flow: InvoiceVerifyFlow

    def title_text(self) -> Said:
        return self.tr("Verification result")

    def view(self) -> ResultView | None:
        return self.flow.view(self.lang())

    def warning_text(self) -> Said:
        return self.tr(
            "Warning: the QR code's check digits do not match. It may be damaged or altered; "
            "the invoice was checked anyway.") if self.flow.crc_warning else None

    def again_text(self) -> Said:
        return self.tr("Verify another invoice")

    def print_text(self) -> Said:
        return self.tr("Print a slip")

    def print_job(self) -> Callable[[], object] | None:
        outcome, lang, service = self.flow.last, self.lang(), self.flow.service
        if not isinstance(outcome, Verified):
            return None
        return lambda: service.print_result(outcome, lang)


class VerifyQueuedScreen(QueuedScreen):
    screen_id = "invoice.verify.queued"

    def title_text(self) -> Said:
        return self.tr("Request accepted")

    def body_text(self) -> Said:
        return self.tr(
            "The tax service cannot be reached right now, so your request has been saved on "
            "this terminal. It will be checked automatically when the network is back. "
            "Scan the QR code on your slip at any terminal to see the result.")

    def again_text(self) -> Said:
        return self.tr("Verify another invoice")


class VerifyPendingScreen(PendingScreen):
    screen_id = "invoice.verify.pending"

    def title_text(self) -> Said:
        return self.tr("The result is not back yet")

    def body_text(self) -> Said:
        return self.tr(
            "Your request is saved and will be checked as soon as the network is back. "
            "Please scan the slip again later.")

    def again_text(self) -> Said:
        return self.tr("Verify another invoice")


FLOW = InvoiceVerifyFlow
SCREENS = (VerifyScanScreen, VerifyManualScreen, VerifyResultScreen, VerifyQueuedScreen,
           VerifyPendingScreen)
