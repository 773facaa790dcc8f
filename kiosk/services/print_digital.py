"""Use case `invoice.print_digital` 数电票打印 (issue #12 §4), Qt-free: the identified
taxpayer's received and issued 数电票 (from the central service), one picked from the
list or by scanning its QR, printed on A4 in the invoice layout (printing.invoice),
marked as a paper copy with its print count. The print is counted at the central
service first (`digital-invoices/print`): a print that then fails stays counted, so
the count errs high, never low. A natural person's name and ID number are masked for
paper. Policy: online-only.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from drivers.errors import DeviceError
from printing.document import Document
from printing.invoice import invoice_document

from .. import log
from ..domain.errors import DomainError, InvoiceQrError
from ..domain.invoice_qr import parse_invoice_qr
from ..domain.masking import Surface, mask
from ..hall_time import to_hall
from .certificate_print import SessionCalls, session_calls, yuan_text
from .slips import PrintFailed
from .views import ListItemView, ResultView, Row, pick

if TYPE_CHECKING:
    from .context import ServiceContext

_log = log.get("session")
SERVICE_ID = "invoice.print_digital"
CENTRAL_CODES = frozenset({"session.expired", "invoice.unknown"})
PAPER_COPY = ("纸质副本 · 第 %d 次打印", "PAPER COPY · print no. %d")
DIRECTIONS = {"issued": ("开具", "issued"), "received": ("取得", "received")}


class PrintDigitalError(DomainError):
    code = "central.rejected"


def shown_party(name: str, number: str, surface: Surface) -> tuple[str, str]:
    """A party as `surface` ("screen" or "paper") may show it (domain.md §9): a natural
    person (a resident ID number) masked; an organisation's name and TIN are public
    register data."""
    if len(number) == 18 and number[:17].isdigit():
        return mask("name", name, surface) or "", mask("id_number", number, surface) or ""
    return name, number


def paper_party(name: str, number: str) -> tuple[str, str]:
    """A party as paper may show it: 张*丰, 1****************4."""
    return shown_party(name, number, "paper")


def _screen_name(inv: dict[str, Any], side: str) -> str:
    return shown_party(str(inv.get(f"{side}_name", "")), str(inv.get(f"{side}_tin") or ""),
                       "screen")[0]


def paper_invoice(inv: dict[str, Any]) -> dict[str, Any]:
    data = dict(inv)
    data["buyer_name"], data["buyer_tin"] = paper_party(str(inv.get("buyer_name", "")),
                                                        str(inv.get("buyer_tin") or ""))
    data["seller_name"], data["seller_tin"] = paper_party(str(inv.get("seller_name", "")),
                                                          str(inv.get("seller_tin", "")))
    return data


def invoice_qr(inv: dict[str, Any]) -> str:
    return f"01,32,,{inv['number']},{inv['total']},{str(inv['issued_on']).replace('-', '')},,"


class PrintDigitalService:
    service_id = SERVICE_ID

    def __init__(self, calls: SessionCalls, *, a4: Callable[[], Any],
                 now: Callable[[], datetime], kiosk_id: str) -> None:
        self.calls = calls
        self._a4 = a4
        self._now = now
        self.kiosk_id = kiosk_id

    def invoices(self) -> list[dict[str, Any]]:
        """The taxpayer's 数电票, newest first (blocking)."""
        items = self.calls.call("digital_invoices.list", "digital-invoices/list", {}).get("items")
        if not isinstance(items, list):
            raise PrintDigitalError("unreadable answer", "service.network")
        return [i for i in items if isinstance(i, dict) and "number" in i]

    @staticmethod
    def number_of_scan(text: str) -> str:
        """The invoice number of a scanned 数电票 QR (LotteryError-like codes)."""
        try:
            qr = parse_invoice_qr(text)
        except InvoiceQrError as exc:
            raise PrintDigitalError(str(exc), exc.code) from None
        if not qr.is_fully_digital:
            raise PrintDigitalError("not a fully-digital invoice", "lottery.not_digital")
        return qr.number

    def document(self, inv: dict[str, Any], lang: str) -> Document:
        return invoice_document(
            paper_invoice(inv), lang="en" if lang == "en" else "zh",
            mark=pick(PAPER_COPY, lang) % int(inv.get("printed") or 0), qr_text=invoice_qr(inv),
            printed_at=to_hall(self._now()), kiosk_id=self.kiosk_id)

    def print_copy(self, inv: dict[str, Any], lang: str) -> dict[str, Any]:
        """Count the print at the central service, then print the paper copy with that
        count; the invoice with the new count (PrintFailed when the printer cannot)."""
        answer = self.calls.call("digital_invoices.print", "digital-invoices/print",
                                 {"number": inv["number"]})
        counted = answer.get("invoice")
        if not isinstance(counted, dict):
            raise PrintDigitalError("unreadable answer", "service.network")
        printer = self._a4()
        if printer is None:
            raise PrintFailed("a4.no_hardware", "no A4 printer is configured")
        try:
            printer.print_document(self.document(counted, lang),
                                   title=f"invoice {counted['number']}")
        except DeviceError as exc:
            code = exc.extended.value if exc.extended else exc.code.value
            raise PrintFailed(code, exc.message) from exc
        _log.info("digital invoice printed (copy %s)", counted.get("printed"))
        return counted

    def items(self, invoices: list[dict[str, Any]], lang: str) -> list[ListItemView]:
        out = []
        for inv in invoices:
            direction = pick(DIRECTIONS.get(str(inv.get("direction")), ("", "")), lang)
            other = _screen_name(inv, "buyer" if inv.get("direction") == "issued" else "seller")
            printed = pick(("已打印 %d 次", "printed %d times"), lang) % int(inv.get("printed") or 0)
            summary = " · ".join((str(inv.get("issued_on", "")), direction, str(other),
                                  yuan_text(str(inv.get("total", "0"))), printed))
            out.append(ListItemView(str(inv["number"]), str(inv["number"]), summary,
                                    self.detail(inv, lang)))
        return out

    def detail(self, inv: dict[str, Any], lang: str) -> ResultView:
        rows = (Row("number", pick(("发票号码", "Invoice no."), lang), str(inv["number"])),
                Row("issued_on", pick(("开票日期", "Issued on"), lang), str(inv["issued_on"])),
                Row("seller", pick(("销售方", "Seller"), lang), _screen_name(inv, "seller")),
                Row("buyer", pick(("购买方", "Buyer"), lang), _screen_name(inv, "buyer")),
                Row("total", pick(("价税合计", "Total"), lang), yuan_text(str(inv["total"]))),
                Row("printed", pick(("打印次数", "Times printed"), lang),
                    str(inv.get("printed") or 0)))
        return ResultView(str(inv["number"]), "neutral", rows)


def build(ctx: ServiceContext) -> PrintDigitalService:
    """The catalogue's factory for `invoice.print_digital`."""
    calls = session_calls(ctx, error_type=PrintDigitalError, codes=CENTRAL_CODES)
    return PrintDigitalService(calls, a4=lambda: ctx.driver("a4_printer"),
                               now=ctx.clock.now, kiosk_id=ctx.kiosk_id)


__all__ = ["PrintDigitalError", "PrintDigitalService", "build", "paper_invoice"]
