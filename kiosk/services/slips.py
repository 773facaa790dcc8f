"""Printing the taxpayer's slips: builds the document, sends it to the receipt printer.

Only masked or non-personal values reach this module; invoice numbers and company names
are not personal data.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from drivers.errors import DeviceError
from printing.document import Document
from printing.templates import Lang, printer_test_page, queued_slip, receipt_slip, verification_slip

if TYPE_CHECKING:  # python-escpos is slow to import; the GUI starts without it
    from drivers.receipt_printer import ReceiptPrinter

from .. import log
from ..domain import VerificationQuery, VerificationResult, outcome_label, type_name
from ..hall_time import to_hall
from .views import ResultView, short_reference, verification_view

_log = log.get("device.printer")
SLIP_REFERENCE_PREFIX = "TAXKIOSK:VERIFY:"


class PrintFailed(Exception):
    """The slip could not be printed; `code` says why (paper_empty, cover_open, ...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class SlipPrinter:
    def __init__(self, printer: ReceiptPrinter | None, kiosk_id: str,
                 now: Callable[[], datetime]) -> None:
        self._printer = printer
        self._kiosk_id = kiosk_id
        self._now = now
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return self._printer is not None

    def _print(self, document: object) -> None:
        if self._printer is None:
            raise PrintFailed("no_hardware", "no receipt printer is configured")
        with self._lock:
            try:
                self._printer.print_document(document)  # type: ignore[arg-type]
            except DeviceError as exc:
                # The specific condition (paper_empty, cover_open) says more than the
                # generic code (failure, offline, timeout).
                code = exc.extended.value if exc.extended else exc.code.value
                _log.warning("slip not printed: %s", code)
                raise PrintFailed(code, exc.message) from exc
            except OSError as exc:
                _log.warning("slip not printed: %s", type(exc).__name__)
                raise PrintFailed("offline", str(exc)) from exc

    def print_result(self, query: VerificationQuery, result: VerificationResult,
                     lang: str, reference: str | None = None) -> None:
        rows = slip_rows(verification_view(query, result, lang, reference))
        doc = verification_slip(
            lang=_slip_lang(lang), invoice_number=query.number, invoice_type=type_name(query.type_code, lang),
            outcome_label=outcome_label(result.outcome, "zh") +
            ("" if lang == "zh" else f" / {outcome_label(result.outcome, 'en')}"),
            detail_rows=rows, qr_data=result_qr(query, result),
            printed_at=to_hall(self._now()), kiosk_id=self._kiosk_id)
        self._print(doc)

    def print_queued(self, query: VerificationQuery, reference: str, lang: str) -> None:
        # People read the short reference; the QR keeps the record's UUID.
        doc = queued_slip(lang=_slip_lang(lang), reference=short_reference(reference),
                          invoice_number=query.number,
                          qr_data=SLIP_REFERENCE_PREFIX + reference,
                          printed_at=to_hall(self._now()), kiosk_id=self._kiosk_id)
        self._print(doc)

    def print_receipt(self, *, lang: str, title: tuple[str, str], number_label: str,
                      number: str, headline: str, rows: list[tuple[str, str]],
                      notes: list[str], qr_data: str | None = None) -> None:
        """A receipt slip (printing.templates.receipt_slip) for a request made here:
        a callback's 工单号, a suggestion's receipt, a course booking. `rows` must be
        masked already (kiosk.domain.masking, surface "paper")."""
        self._print(receipt_slip(
            lang=_slip_lang(lang), title_zh=title[0], title_en=title[1],
            number_label=number_label, number=number, headline=headline, rows=rows,
            notes=notes, qr_data=qr_data, printed_at=to_hall(self._now()),
            kiosk_id=self._kiosk_id))

    def print_document(self, doc: Document) -> None:
        """A document a service laid out itself (a guidance checklist, a calculation):
        no personal data in it; PrintFailed with the reason when it cannot print."""
        self._print(doc)

    def print_test_page(self) -> None:
        """The receipt printer's test page (the one `kiosk devices test-print` prints),
        for maintenance mode; PrintFailed with the reason when it cannot print."""
        printer = self._printer
        profile = printer.profile.name if printer is not None else "-"
        self._print(printer_test_page(profile_name=profile, printed_at=to_hall(self._now()),
                                      kiosk_id=self._kiosk_id))


RESULT_SLIP_PREFIX = "TAXKIOSK:CHECK:"


def _slip_lang(lang: str) -> Lang:
    """A slip is in Chinese or English: any other code is refused, as the templates do."""
    if lang == "zh":
        return "zh"
    if lang == "en":
        return "en"
    raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")


def result_qr(query: VerificationQuery, result: VerificationResult) -> str:
    """The result slip's QR carries the query itself (no personal data), so scanning
    the slip at any terminal checks the invoice again, as the slip says."""
    amount = "" if query.amount is None else str(query.amount)
    return (f"{RESULT_SLIP_PREFIX}{query.type_code}:{query.code}:{query.number}:"
            f"{query.issued_on:%Y%m%d}:{amount}:{query.check_code_last6 or ''}")


def parse_result_qr(text: str) -> VerificationQuery:
    """Inverse of result_qr; InvoiceQrError when the slip's code is damaged."""
    from ..domain import InvoiceQrError, query_from_fields

    parts = text.strip()[len(RESULT_SLIP_PREFIX):].split(":")
    if len(parts) != 6:
        raise InvoiceQrError("the slip's code is damaged", "qr.slip_damaged")
    type_code, code, number, issued, amount, check6 = parts
    try:
        return query_from_fields(type_code, {"code": code, "number": number,
                                             "issued_on": issued, "amount": amount,
                                             "check_code_last6": check6})
    except ValueError:
        raise InvoiceQrError("the slip's code is damaged", "qr.slip_damaged") from None


def parse_slip_reference(text: str) -> str:
    """The queued request's reference in a queued slip's QR (SLIP_REFERENCE_PREFIX +
    UUID, upper or lower case); InvoiceQrError (qr.slip_damaged) when it is damaged."""
    from ..domain import InvoiceQrError

    reference = text.strip()[len(SLIP_REFERENCE_PREFIX):].strip().lower()
    if len(reference) not in (32, 36) or not all(c in "0123456789abcdef-" for c in reference):
        raise InvoiceQrError("the slip's code is damaged", "qr.slip_damaged")
    return reference


# The slip's header prints the invoice type and number itself.
_SLIP_HEADER_KEYS = frozenset({"type", "number"})


def slip_rows(view: ResultView) -> list[tuple[str, str]]:
    """The result view's rows as the slip prints them, notes last."""
    return view.pairs(skip=_SLIP_HEADER_KEYS) + [(view.note_label, n) for n in view.notes]
