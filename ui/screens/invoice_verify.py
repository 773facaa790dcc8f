"""Screens of the `invoice.verify` service: scan, manual entry, result, queued, pending.

`InvoiceVerifyFlow` holds the state of one verification and runs the service's blocking
calls in the background (ui.ops.Op); the screens only render what it decides.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtCore import QRegularExpression
from PySide6.QtWidgets import (
    QFormLayout, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget,
)

from kiosk.domain import (
    FIELD_LABELS, DomainError, FieldProblems, InvoiceQrError, VerificationOutcome,
    VerifyField, check_field, outcome_label, query_from_fields, required_fields, type_name,
)
from kiosk.services.verify_outcomes import (
    Queued, ResultNotKept, ScannedInvoice, ScannedReference, StillPending, UnknownReference,
    Verified, VerifyRejected,
)
from kiosk.services.slips import PrintFailed
from ui.messages import message
from ui.ops import Op
from ui.theme import set_style_property
from ui.widgets.buttons import make_button
from ui.widgets.keypad import Keypad

from .base import Screen

if TYPE_CHECKING:
    from ui.main_window import MainWindow

MANUAL_TYPES = ("01", "04", "08", "10", "11", "14", "31", "32")
_GOOD = {VerificationOutcome.GENUINE}


class InvoiceVerifyFlow(QObject):
    """State and background work of one verification; signals drive the screens."""

    busy_changed = Signal(bool)
    queued_print_changed = Signal()

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.window_ = window
        self.service = window.core.invoice_verify
        self.last: Verified | Queued | StillPending | None = None
        self.queued_print = ""  # printing | printed | an error code
        self.crc_warning = False
        self.busy = False

    def lang(self) -> str:
        return self.window_.language

    def handle_scan(self, text: str) -> None:
        scan_screen: VerifyScanScreen = self.window_.screen("invoice.verify")
        if self.busy:
            return  # one verification at a time; the next scan works once it is done
        try:
            scanned = self.service.classify_scan(text)
        except InvoiceQrError as exc:
            self.window_.show_screen("invoice.verify")
            scan_screen.show_error(message(exc.code))
            return
        scan_screen.show_error("")
        if isinstance(scanned, ScannedReference):
            self._run(lambda: self.service.lookup(scanned.reference), crc_warning=False)
        else:
            lang = self.lang()
            warning = isinstance(scanned, ScannedInvoice) and scanned.crc_warning
            self._run(lambda: self.service.verify(scanned.query, lang), crc_warning=warning)

    def submit_manual(self, type_code: str, values: dict[str, str]) -> dict[str, str]:
        """Returns field problems (empty when the query went out)."""
        if self.busy:
            return {}
        try:
            query = query_from_fields(type_code, values)
        except FieldProblems as exc:
            return exc.problems
        lang = self.lang()
        self._run(lambda: self.service.verify(query, lang), crc_warning=False)
        return {}

    def _run(self, work: Any, *, crc_warning: bool) -> None:
        self.busy = True
        self.crc_warning = crc_warning
        self.busy_changed.emit(True)
        Op(self, work).success(self._done).failure(self._failed).run_in_background()

    def _done(self, outcome: Any) -> None:
        self.busy = False
        self.busy_changed.emit(False)
        if isinstance(outcome, UnknownReference):
            self.window_.show_screen("invoice.verify")
            self.window_.screen("invoice.verify").show_error(
                QCoreApplication.translate("VerifyScanScreen",
                                           "This slip is not known here. Please ask the hall staff."))
            return
        if isinstance(outcome, ResultNotKept):
            self.window_.show_screen("invoice.verify")
            self.window_.screen("invoice.verify").show_error(
                QCoreApplication.translate(
                    "VerifyScanScreen",
                    "The result of this slip is no longer kept at this terminal "
                    "(results are deleted after a while to protect personal data). "
                    "Please scan the invoice to check it again."))
            return
        self.last = outcome
        if isinstance(outcome, Verified):
            self.window_.show_screen("invoice.verify.result")
        elif isinstance(outcome, Queued):
            self.queued_print = "printing"
            self.window_.show_screen("invoice.verify.queued")
            self.service.confirm_shown(outcome)
            self._print_queued(outcome)
        elif isinstance(outcome, StillPending):
            self.window_.show_screen("invoice.verify.pending")

    def _print_queued(self, outcome: Queued) -> None:
        """The queued slip is printed automatically, after the screen has said "saved"."""
        lang = self.lang()

        def done(_r: object) -> None:
            self.queued_print = "printed"
            self.queued_print_changed.emit()

        def failed(exc: Exception) -> None:
            self.queued_print = exc.code if isinstance(exc, PrintFailed) else "failure"
            self.queued_print_changed.emit()

        Op(self, lambda: self.service.print_queued_slip(outcome, lang)).success(done) \
            .failure(failed).run_in_background()

    def _failed(self, exc: Exception) -> None:
        self.busy = False
        self.busy_changed.emit(False)
        screen = self.window_.screen("invoice.verify")
        self.window_.show_screen("invoice.verify")
        if isinstance(exc, VerifyRejected):
            screen.show_error(message("central.rejected"))
        elif isinstance(exc, DomainError):
            screen.show_error(message(exc.code))
        else:
            screen.show_error(message("internal"))

    def print_result(self, done: Any, failed: Any) -> None:
        outcome = self.last
        if not isinstance(outcome, Verified):
            return
        lang = self.lang()
        Op(self, lambda: self.service.print_result(outcome, lang)).success(
            lambda _r: done()).failure(failed).run_in_background()


class VerifyScanScreen(Screen):
    screen_id = "invoice.verify"
    idle_kind = "form"
    accepts_scans = True

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.flow: InvoiceVerifyFlow = window.invoice_flow
        self.title = self.title_label("label.title")
        self.instruction = self.text_label("label.instruction")
        self.status = self.text_label("label.status", role="subtitle")
        self.error = self.text_label("label.error", role="error")
        self.error.hide()
        # Shown while no scanner can read: typing the invoice still works.
        self.scanner_note = self.text_label("label.scanner_note", role="warning")
        self.scanner_note.hide()
        self.manual = make_button("", "action.manual", role="secondary")
        self.manual.clicked.connect(lambda: window.show_screen("invoice.verify.manual"))
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.instruction)
        self.layout_.addWidget(self.scanner_note)
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.status)
        self.layout_.addWidget(self.error)
        self.layout_.addStretch(2)
        self.layout_.addWidget(self.manual)
        self.flow.busy_changed.connect(self._busy)
        window.device_status_changed.connect(self._devices_changed)
        self.retranslate()
        self._devices_changed()

    def _devices_changed(self, _status: object = None) -> None:
        core = self.window_.core
        self.scanner_note.setVisible(core is not None and not core.scanner_available())

    def _busy(self, busy: bool) -> None:
        self.status.setText(self.tr("Checking, please wait…") if busy else "")
        self.manual.setEnabled(not busy)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Invoice verification"))
        self.instruction.setText(self.tr(
            "Hold the QR code on the invoice under the scanner. "
            "To see the result of an earlier request, scan the QR code on its slip."))
        self.manual.setText(self.tr("No QR code? Type the invoice details"))
        self.manual.setAccessibleName(self.tr("Type the invoice details"))
        self.scanner_note.setText(self.tr(
            "The scanner is not available; please type the invoice details"))
        self._busy(self.flow.busy)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def on_enter(self) -> None:
        if not self.flow.busy:
            self.status.setText("")
        self._devices_changed()

    def handle_scan(self, text: str) -> None:
        self.flow.handle_scan(text)


class VerifyManualScreen(Screen):
    screen_id = "invoice.verify.manual"
    idle_kind = "form"
    accepts_scans = True

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.flow: InvoiceVerifyFlow = window.invoice_flow
        self.type_code = "04"
        self.title = self.title_label("label.title")
        self.type_prompt = self.text_label("label.type_prompt")
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.type_prompt)
        types = QGridLayout()
        self.type_buttons: dict[str, QPushButton] = {}
        for i, code in enumerate(MANUAL_TYPES):
            button = make_button("", f"type.{code}", role="secondary")
            button.setCheckable(True)
            button.clicked.connect(lambda _=False, c=code: self.set_type(c))
            types.addWidget(button, i // 2, i % 2)  # two columns fit a portrait panel
            self.type_buttons[code] = button
        self.layout_.addLayout(types)
        # Portrait panel: fields full width (errors under each), the keypad below them.
        form_host = QWidget()
        self.form = QFormLayout(form_host)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.fields: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        self.labels: dict[str, QLabel] = {}
        for f in VerifyField:
            edit = QLineEdit()
            edit.setObjectName(f"field.{f.value}")
            edit.setValidator(QRegularExpressionValidator(
                QRegularExpression(r"[0-9.]*" if f == VerifyField.AMOUNT else r"[0-9]*"), edit))
            edit.setMaxLength({"code": 12, "number": 20, "issued_on": 8, "amount": 15,
                               "check_code_last6": 6}[f.value])
            edit.textEdited.connect(lambda _t, name=f.value: self._validate_one(name))
            edit.installEventFilter(self)
            label = QLabel()
            err = self.text_label(f"error.{f.value}", role="error")
            err.hide()
            col = QWidget()
            lay = QVBoxLayout(col)
            lay.setContentsMargins(0, 0, 0, 0)
            lay.addWidget(edit)
            lay.addWidget(err)
            self.form.addRow(label, col)
            self.fields[f.value], self.errors[f.value], self.labels[f.value] = edit, err, label
        self.layout_.addWidget(form_host)
        self.keypad = Keypad(units=window.units)
        self.keypad.set_allowed(dot=True, x=False)
        keypad_row = QHBoxLayout()
        keypad_row.addStretch(1)
        keypad_row.addWidget(self.keypad, 3)
        keypad_row.addStretch(1)
        self.layout_.addLayout(keypad_row)
        self.layout_.addStretch(1)
        self.confirm = make_button("", "action.confirm", role="primary")
        self.confirm.clicked.connect(self.submit)
        self.layout_.addWidget(self.confirm)
        self.flow.busy_changed.connect(lambda busy: self.confirm.setEnabled(not busy))
        self.set_type("04")
        self.retranslate()

    def eventFilter(self, obj: QObject, event: Any) -> bool:  # noqa: N802
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.FocusIn and isinstance(obj, QLineEdit):
            self.keypad.set_target(obj)
        return False

    def set_type(self, code: str) -> None:
        self.type_code = code
        needed = {f.value for f in required_fields(code)}
        for c, b in self.type_buttons.items():
            b.setChecked(c == code)
        for name, edit in self.fields.items():
            visible = name in needed
            self.form.setRowVisible(edit.parentWidget(), visible)
            if not visible:
                edit.clear()
                self.errors[name].hide()
        first = next(f.value for f in required_fields(code))
        self.fields[first].setFocus()
        self.keypad.set_target(self.fields[first])
        self.retranslate()

    def retranslate(self) -> None:
        lang = self.window_.language
        self.title.setText(self.tr("Type the invoice details"))
        self.type_prompt.setText(self.tr("Invoice type:"))
        for code, button in self.type_buttons.items():
            button.setText(type_name(code, lang))
            button.setAccessibleName(type_name(code, lang))
        for name, label in self.labels.items():
            zh, en = FIELD_LABELS["amount" if name == "amount" else name]
            text = zh if lang == "zh" else en
            if name == "amount":
                text = (("价税合计" if lang == "zh" else "Total incl. tax")
                        if self.type_code in ("31", "32") else
                        ("金额（不含税）" if lang == "zh" else "Amount before tax"))
            if name == "issued_on":
                text += " (YYYYMMDD)"
            label.setText(text)
            self.fields[name].setAccessibleName(text)
        for name in self.fields:
            if self.errors[name].isVisible():
                self._validate_one(name)
        self.confirm.setText(self.tr("Verify"))
        self.confirm.setAccessibleName(self.tr("Verify"))

    def _validate_one(self, name: str) -> None:
        text = self.fields[name].text()
        err = check_field(self.type_code, name, text) if text else None
        self._show_field_error(name, err)

    def _show_field_error(self, name: str, code: str | None) -> None:
        label = self.errors[name]
        label.setText(message(code) if code else "")
        label.setVisible(bool(code))

    def submit(self) -> None:
        values = {name: edit.text() for name, edit in self.fields.items()}
        problems = self.flow.submit_manual(self.type_code, values)
        for name in self.fields:
            self._show_field_error(name, problems.get(name))
        if not problems:
            self.window_.show_screen("invoice.verify")

    def handle_scan(self, text: str) -> None:
        self.window_.show_screen("invoice.verify")
        self.flow.handle_scan(text)


class _OutcomeScreen(Screen):
    idle_kind = "reading"
    accepts_scans = True

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.flow: InvoiceVerifyFlow = window.invoice_flow

    def handle_scan(self, text: str) -> None:
        self.window_.show_screen("invoice.verify")
        self.flow.handle_scan(text)

    def again_button(self) -> QPushButton:
        button = make_button("", "action.again", role="secondary")
        button.clicked.connect(lambda: self.window_.show_screen("invoice.verify"))
        return button


class VerifyResultScreen(_OutcomeScreen):
    screen_id = "invoice.verify.result"

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.title = self.title_label("label.title")
        self.outcome = self.text_label("label.outcome", role="success")
        set_style_property(self.outcome, "textsize", "title")  # sized by the theme (larger text)
        self.crc_warning = self.text_label("label.crc_warning", role="warning")
        self.details = self.text_label("label.details")
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.print_status = self.text_label("label.print_status", role="subtitle")
        self.print_button = make_button("", "action.print", role="primary")
        self.print_button.clicked.connect(self._print)
        self._printing = False
        self._printer_problem: str | None = None  # the reason shown while printing waits
        window.device_status_changed.connect(self._devices_changed)
        self.again = self.again_button()
        for w in (self.title, self.outcome, self.crc_warning, self.details):
            self.layout_.addWidget(w)
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.print_status)
        row = QHBoxLayout()
        row.addWidget(self.again)
        row.addWidget(self.print_button)
        self.layout_.addLayout(row)
        self.retranslate()

    def on_enter(self) -> None:
        self.print_status.setText("")
        self._printer_problem = None
        self.print_button.setEnabled(not self._printing)
        self.retranslate()
        self._devices_changed()

    def _devices_changed(self, _status: object = None) -> None:
        """Printing waits, with the reason on screen, while the printer cannot print
        (out of paper, cover open, not answering); it comes back by itself."""
        core = self.window_.core
        problem = core.printer_problem() if core is not None else None
        if self._printing:
            return  # the running job reports for itself
        self.print_button.setEnabled(problem is None)
        if problem is not None:
            self.print_status.setText(message(problem))
        elif self._printer_problem is not None:
            self.print_status.setText("")
        self._printer_problem = problem

    def retranslate(self) -> None:
        lang = self.window_.language
        self.title.setText(self.tr("Verification result"))
        self.print_button.setText(self.tr("Print a slip"))
        self.print_button.setAccessibleName(self.tr("Print a slip"))
        self.again.setText(self.tr("Verify another invoice"))
        self.again.setAccessibleName(self.tr("Verify another invoice"))
        self.crc_warning.setText(self.tr(
            "Warning: the QR code's check digits do not match. It may be damaged or altered; "
            "the invoice was checked anyway.") if self.flow.crc_warning else "")
        self.crc_warning.setVisible(self.flow.crc_warning)
        if self._printer_problem is not None:
            self.print_status.setText(message(self._printer_problem))
        outcome = self.flow.last
        if not isinstance(outcome, Verified):
            return
        result = outcome.result
        self.outcome.setText(outcome_label(result.outcome, lang))
        self.outcome.setProperty("role", "success" if result.outcome in _GOOD else "warning")
        self.outcome.style().unpolish(self.outcome)
        self.outcome.style().polish(self.outcome)
        self.details.setText("\n".join(f"{k}: {v}" for k, v in self._rows(outcome, lang)))

    def _rows(self, outcome: Verified, lang: str) -> list[tuple[str, str]]:
        q, r = outcome.query, outcome.result

        def fl(key: str) -> str:
            zh, en = FIELD_LABELS[key]
            return zh if lang == "zh" else en

        rows = [(self.tr("Invoice type"), type_name(q.type_code, lang))]
        if q.code:
            rows.append((fl("code"), q.code))
        rows += [(fl("number"), q.number), (fl("issued_on"), q.issued_on.isoformat())]
        inv = r.invoice or {}
        if inv.get("amount"):
            rows.append((self.tr("Amount before tax"), f"¥{inv['amount']}"))
        if inv.get("total"):
            rows.append((self.tr("Total incl. tax"), f"¥{inv['total']}"))
        if inv.get("seller_name"):
            rows.append((self.tr("Seller"), str(inv["seller_name"])))
        if r.mismatch_field:
            key = r.mismatch_field if r.mismatch_field in FIELD_LABELS else None
            rows.append((self.tr("Field that does not match"),
                         fl(key) if key else r.mismatch_field))
        if r.outcome == VerificationOutcome.TOO_MANY_CHECKS:
            rows.append((self.tr("Note"), self.tr("An invoice can be checked at most 5 times a day. Please try again tomorrow.")))
        if r.outcome == VerificationOutcome.OUT_OF_PERIOD:
            rows.append((self.tr("Note"), self.tr("Invoices can be checked from the day after issue and for 5 years.")))
        if outcome.reference:
            rows.append((self.tr("Reference"), outcome.reference))
        return rows

    def _print(self) -> None:
        self._printing = True
        self._printer_problem = None
        self.print_button.setEnabled(False)
        self.print_status.setText(self.tr("Printing…"))

        def done() -> None:
            self._printing = False
            self.print_status.setText(self.tr("Slip printed. Please take it."))
            self.print_button.setEnabled(True)
            self._devices_changed()

        def failed(exc: Exception) -> None:
            self._printing = False
            code = exc.code if isinstance(exc, PrintFailed) else "failure"
            self.print_status.setText(message(code))
            self.print_button.setEnabled(True)
            self._devices_changed()

        self.flow.print_result(done, failed)


class VerifyQueuedScreen(_OutcomeScreen):
    screen_id = "invoice.verify.queued"

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.title = self.title_label("label.title")
        self.body = self.text_label("label.body")
        self.reference = self.text_label("label.reference", role="subtitle")
        self.print_status = self.text_label("label.print_status")
        self.again = self.again_button()
        self.flow.queued_print_changed.connect(self.retranslate)
        for w in (self.title, self.body, self.reference, self.print_status):
            self.layout_.addWidget(w)
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.again)
        self.retranslate()

    def on_enter(self) -> None:
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Request accepted"))
        self.body.setText(self.tr(
            "The tax service cannot be reached right now, so your request has been saved on "
            "this terminal. It will be checked automatically when the network is back. "
            "Scan the QR code on your slip at any terminal to see the result."))
        self.again.setText(self.tr("Verify another invoice"))
        self.again.setAccessibleName(self.tr("Verify another invoice"))
        outcome = self.flow.last
        if isinstance(outcome, Queued):
            self.reference.setText(self.tr("Reference: %1").replace("%1", outcome.reference))
            state = self.flow.queued_print
            if state == "printing":
                self.print_status.setText(self.tr("Printing your slip…"))
            elif state == "printed":
                self.print_status.setText(self.tr("Your slip has been printed. Please take it."))
            else:
                self.print_status.setText(
                    message(state) + " " + self.tr("Please write down the reference above."))


class VerifyPendingScreen(_OutcomeScreen):
    screen_id = "invoice.verify.pending"

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.title = self.title_label("label.title")
        self.body = self.text_label("label.body")
        self.again = self.again_button()
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.body)
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.again)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("The result is not back yet"))
        self.body.setText(self.tr(
            "Your request is saved and will be checked as soon as the network is back. "
            "Please scan the slip again later."))
        self.again.setText(self.tr("Verify another invoice"))
        self.again.setAccessibleName(self.tr("Verify another invoice"))
