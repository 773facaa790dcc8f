"""Use case `invoice.issue_on_behalf` 代开发票 for a natural person (issue #12 §4;
services.md §8), Qt-free. The seller is the identified person; the buyer comes from
their address book at the central service or is typed; the lines (item, quantity,
unit price, amount including tax) are checked here for what a person can see (the
amount is quantity × unit price), then the central service computes the tax due
(`on-behalf/quote`: VAT at the collection rate, surcharges, IIT where the province
collects it: never computed here). The tax is paid through the payment flow of #11
(`payment_request`: one `on_behalf` item), and once central has booked the payment
the invoice is issued (`on-behalf/issue`): its QR to download it and a paper print on
A4. A paid application left un-issued (the person left before the payment was
recorded) is listed again at the next visit (`on-behalf/applications`) and issued from
there. Policy: online-only.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, cast

from drivers.errors import DeviceError
from printing.document import Document
from printing.invoice import invoice_document

from .. import log
from ..domain.errors import DomainError
from ..hall_time import to_hall
from ..payments.model import PaymentItem, PaymentRequest
from .certificate_print import SessionCalls, session_calls
from .print_digital import paper_invoice
from .slips import PrintFailed
from .views import pick

if TYPE_CHECKING:
    from .context import ServiceContext

_log = log.get("session")
SERVICE_ID = "invoice.issue_on_behalf"
CENTRAL_CODES = frozenset({"session.expired", "on_behalf.unknown", "on_behalf.unpaid",
                           "on_behalf.person_only", "on_behalf.lines",
                           "on_behalf.line_amount", "on_behalf.too_large"})
MAX_LINES = 8
PREVIEW = ("预览 · 尚未开具", "PREVIEW · not issued")
PAPER = ("纸质打印件 · 第 %d 次打印", "PAPER PRINT · print no. %d")
_FEN = Decimal("0.01")


class OnBehalfError(DomainError):
    code = "central.rejected"


@dataclass(frozen=True)
class Line:
    name: str
    quantity: Decimal
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(_FEN, rounding=ROUND_HALF_UP)

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "quantity": f"{self.quantity.normalize():f}",
                "unit_price": f"{self.unit_price.normalize():f}", "amount": str(self.amount)}


def parse_line(name: str, quantity: str, unit_price: str) -> Line:
    """A typed line; OnBehalfError `on_behalf.line` naming what is wrong."""
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise OnBehalfError("item name: 1 to 100 characters", "on_behalf.line")
    try:
        qty, price = Decimal(quantity.strip()), Decimal(unit_price.strip())
    except InvalidOperation:
        raise OnBehalfError("quantity and unit price are numbers", "on_behalf.line") from None
    if not (qty.is_finite() and price.is_finite()) or qty <= 0 or price <= 0 \
            or cast(int, qty.as_tuple().exponent) < -6 \
            or cast(int, price.as_tuple().exponent) < -2 or qty * price > Decimal("1000000"):
        raise OnBehalfError("quantity and unit price above 0", "on_behalf.line")
    return Line(name, qty, price)


class IssueOnBehalfService:
    service_id = SERVICE_ID

    def __init__(self, calls: SessionCalls, *, a4: Callable[[], Any],
                 now: Callable[[], datetime], kiosk_id: str) -> None:
        self.calls = calls
        self._a4 = a4
        self._now = now
        self.kiosk_id = kiosk_id

    def address_book(self) -> list[dict[str, str]]:
        entries = self.calls.call("on_behalf.address_book", "on-behalf/address-book",
                                  {}).get("entries")
        return [e for e in entries or () if isinstance(e, dict)]

    def unissued(self) -> list[dict[str, Any]]:
        """The person's paid applications whose invoice was never issued (the payment
        was recorded after they left, or the issue failed): each can be issued now
        (`issue`, idempotent at central). Only their own: central answers no other's."""
        answer = self.calls.call("on_behalf.applications", "on-behalf/applications", {})
        return [a for a in answer.get("applications") or ()
                if isinstance(a, dict) and a.get("status") == "paid"
                and isinstance(a.get("application_no"), str)]

    def quote(self, buyer: dict[str, str], lines: list[Line]) -> dict[str, Any]:
        """The application with the tax the central service computed (blocking)."""
        if not 1 <= len(lines) <= MAX_LINES:
            raise OnBehalfError("1 to 8 lines", "on_behalf.lines")
        answer = self.calls.call("on_behalf.quote", "on-behalf/quote", {
            "buyer": {k: v for k, v in buyer.items() if k in ("name", "tin", "address", "phone")},
            "lines": [line.to_json() for line in lines]})
        if "application_no" not in answer or "tax_due" not in answer:
            raise OnBehalfError("unreadable answer", "service.network")
        return answer

    def payment_request(self, quote: dict[str, Any]) -> PaymentRequest | None:
        """What the payment flow charges: the tax due as one `on_behalf` item; None
        when nothing is due (below the threshold): issue at once."""
        tax = Decimal(str(quote["tax_due"])).quantize(_FEN)
        if tax <= 0:
            return None
        today = to_hall(self._now()).date()
        return PaymentRequest(
            service_id=SERVICE_ID,
            items=(PaymentItem(kind="on_behalf", ref=str(quote["application_no"]),
                               label_zh="代开发票税费", label_en="Tax on an invoice issued "
                               "on behalf", period=f"{today:%Y%m}", tax=tax),),
            business={"kind": "on_behalf", "application_no": str(quote["application_no"])})

    def issue(self, application_no: str) -> dict[str, Any]:
        """Issue the paid application's invoice (blocking; asked again, the same one)."""
        answer = self.calls.call("on_behalf.issue", "on-behalf/issue",
                                 {"application_no": application_no})
        if not isinstance(answer.get("invoice"), dict):
            raise OnBehalfError("unreadable answer", "service.network")
        _log.info("invoice issued on behalf")
        return answer

    def preview(self, quote: dict[str, Any], seller: dict[str, str], lang: str) -> Document:
        """The application in the invoice layout, marked as a preview (no number)."""
        inv = {"number": "—", "issued_on": to_hall(self._now()).date().isoformat(),
               "seller_name": seller.get("name", ""), "seller_tin": seller.get("tin", ""),
               "buyer_name": quote["buyer"]["name"], "buyer_tin": quote["buyer"].get("tin", ""),
               "amount": quote["amount"], "tax": quote["vat"], "total": quote["total"],
               "items": quote["lines"], "on_behalf": True}
        return invoice_document(paper_invoice(inv), lang="en" if lang == "en" else "zh",
                                mark=pick(PREVIEW, lang))

    def print_invoice(self, issued: dict[str, Any], lang: str) -> None:
        """The issued invoice on A4 (PrintFailed when the printer cannot)."""
        inv = issued["invoice"]
        doc = invoice_document(paper_invoice(inv), lang="en" if lang == "en" else "zh",
                               mark=pick(PAPER, lang) % 1, qr_text=str(issued["qr_text"]),
                               printed_at=to_hall(self._now()), kiosk_id=self.kiosk_id)
        printer = self._a4()
        if printer is None:
            raise PrintFailed("a4.no_hardware", "no A4 printer is configured")
        try:
            printer.print_document(doc, title=f"invoice {inv['number']}")
        except DeviceError as exc:
            code = exc.extended.value if exc.extended else exc.code.value
            raise PrintFailed(code, exc.message) from exc


def build(ctx: ServiceContext) -> IssueOnBehalfService:
    """The catalogue's factory for `invoice.issue_on_behalf`."""
    calls = session_calls(ctx, error_type=OnBehalfError, codes=CENTRAL_CODES)
    return IssueOnBehalfService(calls, a4=lambda: ctx.driver("a4_printer"),
                                now=ctx.clock.now, kiosk_id=ctx.kiosk_id)


__all__ = ["IssueOnBehalfService", "Line", "OnBehalfError", "build", "parse_line"]
