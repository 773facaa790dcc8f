"""代开发票 (invoices issued on behalf of a natural person, issue #12 §4; services.md §8)
at the central service: the tax due, the buyer address book, the application, its
payment (an `on_behalf` item of a `tax.payment` record) and the issue of the 数电票.

The tax is computed here only, never on a kiosk, because its rates are provincial:
- 增值税 at the collection rate (`OnBehalfRates.vat_rate`: 1 % through 2027-12-31 for
  small-scale taxpayers and individuals, 3 % after), on each line's amount including
  tax (price excluding tax = amount / (1 + rate), rounded half up to the fen); none
  when the application's total is below the per-time threshold (按次起征点, 500 yuan);
- 附加税费 on the VAT: 城市维护建设税 7 %, 教育费附加 3 %, 地方教育附加 2 %, each
  halved (六税两费减半) and rounded to the fen;
- 个人所得税 at `iit_rate` of the price excluding tax where the province collects it
  at 代开 (0: it does not; the payer withholds).
"""
from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.db import Taxpayer
from central.lottery import china_day, invoice_view
from central.lottery_db import AddressBookEntry, DigitalInvoice, OnBehalfApplication

_FEN = Decimal("0.01")
_UNIT = Decimal("0.00000001")  # an invoice's unit price: up to 8 decimal places
ITEM_KIND = "on_behalf"  # the payment item kind (offline_queue.payloads)
MAX_LINES = 8  # more lines need a 销货清单, which the kiosk does not take
MAX_TOTAL = Decimal("1000000.00")
ADDRESS_BOOK_MAX = 50
APPLICATIONS_MAX = 50  # the newest; a paid one left behind is recent


@dataclass(frozen=True)
class OnBehalfRates:
    """The province's 代开 rates (reference data of the central service)."""

    vat_rate: Decimal = Decimal("0.01")
    vat_rate_after: Decimal = Decimal("0.03")
    reduced_until: date = date(2027, 12, 31)
    threshold: Decimal = Decimal("500.00")
    surcharges: tuple[tuple[str, str, Decimal], ...] = field(default=(
        ("城市维护建设税", "Urban construction tax", Decimal("0.07")),
        ("教育费附加", "Education surcharge", Decimal("0.03")),
        ("地方教育附加", "Local education surcharge", Decimal("0.02"))))
    surcharge_relief: Decimal = Decimal("0.5")
    iit_rate: Decimal = Decimal("0")

    def vat_on(self, day: date) -> Decimal:
        return self.vat_rate if day <= self.reduced_until else self.vat_rate_after


def _fen(value: Decimal) -> Decimal:
    return value.quantize(_FEN, rounding=ROUND_HALF_UP)


class OnBehalfRefused(ValueError):
    """A refused step; `code` is a ui/messages.py code."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(text)
        self.code = code


def compute(lines: Sequence[Mapping[str, Any]], rates: OnBehalfRates,
            today: date) -> dict[str, Any]:
    """The invoice lines and the tax due. `lines`: {name, quantity, unit_price, amount}
    with Decimal quantity, price and amount, as the person typed them: including tax
    (amount = quantity × unit price, to the fen). On the invoice, as on every 数电票,
    单价 and 金额 exclude tax and 税额 stands apart: each line answers `unit_price`
    and `amount` excluding tax (the price to 8 decimal places, the amount to the fen)
    and `tax`, with what was typed kept in `unit_price_with_tax` and
    `amount_with_tax`."""
    total = sum((Decimal(line["amount"]) for line in lines), Decimal("0"))
    rate = rates.vat_on(today) if total >= rates.threshold else Decimal("0")
    out_lines, vat, net_total = [], Decimal("0"), Decimal("0")
    for line in lines:
        amount = Decimal(line["amount"])
        net = _fen(amount / (1 + rate))
        price = Decimal(line["unit_price"])
        net_price = (price / (1 + rate)).quantize(_UNIT, rounding=ROUND_HALF_UP)
        out_lines.append({"name": line["name"], "quantity": str(line["quantity"]),
                          "unit_price": f"{net_price.normalize():f}", "amount": str(net),
                          "unit_price_with_tax": str(price),
                          "amount_with_tax": str(amount), "tax_rate": str(rate),
                          "tax": str(amount - net)})
        vat += amount - net
        net_total += net
    breakdown = [{"name_zh": "增值税", "name_en": "VAT", "base": str(net_total),
                  "rate": str(rate), "amount": str(vat)}]
    surcharges = Decimal("0")
    for zh, en, surcharge_rate in rates.surcharges:
        effective = surcharge_rate * rates.surcharge_relief
        due = _fen(vat * effective)
        surcharges += due
        breakdown.append({"name_zh": zh, "name_en": en, "base": str(vat),
                          "rate": str(effective.normalize()), "amount": str(due)})
    iit = _fen(net_total * rates.iit_rate)
    if rates.iit_rate > 0:
        breakdown.append({"name_zh": "个人所得税", "name_en": "Individual income tax",
                          "base": str(net_total), "rate": str(rates.iit_rate.normalize()),
                          "amount": str(iit)})
    return {"lines": out_lines, "total": str(total), "amount": str(net_total),
            "vat": str(vat), "surcharges": str(surcharges), "iit": str(iit),
            "tax_due": str(vat + surcharges + iit), "vat_rate": str(rate),
            "below_threshold": total < rates.threshold, "breakdown": breakdown}


def check_lines(raw: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The typed lines as Decimals; OnBehalfRefused when one does not add up."""
    if not 1 <= len(raw) <= MAX_LINES:
        raise OnBehalfRefused("on_behalf.lines", f"1 to {MAX_LINES} lines")
    out = []
    for line in raw:
        quantity, price = Decimal(str(line["quantity"])), Decimal(str(line["unit_price"]))
        amount = Decimal(str(line["amount"]))
        if quantity <= 0 or price <= 0 or _fen(quantity * price) != amount:
            raise OnBehalfRefused("on_behalf.line_amount",
                                  "amount must be quantity × unit price, to the fen")
        out.append({"name": str(line["name"]).strip(), "quantity": quantity,
                    "unit_price": price, "amount": amount})
    if sum((cast(Decimal, line["amount"]) for line in out), Decimal(0)) > MAX_TOTAL:
        raise OnBehalfRefused("on_behalf.too_large", "above the kiosk's 代开 limit")
    return out


def _view(app: OnBehalfApplication) -> dict[str, Any]:
    return {"application_no": app.application_no, "status": app.status,
            "buyer": {"name": app.buyer_name, "tin": app.buyer_tin},
            **json.loads(app.breakdown), "invoice_number": app.invoice_number or None}


def applications_of(session: Session, who: Taxpayer,
                    limit: int = APPLICATIONS_MAX) -> list[dict[str, Any]]:
    """The person's own 代开 applications, newest first, each with its state: quoted
    (not paid), paid (the tax booked, the invoice not issued yet: the kiosk offers to
    issue it, e.g. after the person left before the payment was recorded) or issued."""
    rows = session.execute(select(OnBehalfApplication).where(
        OnBehalfApplication.tin == who.tin).order_by(
        OnBehalfApplication.created_at.desc(), OnBehalfApplication.application_no.desc())
        .limit(limit)).scalars()
    return [{"application_no": app.application_no, "status": app.status,
             "created_at": app.created_at.astimezone(UTC).isoformat(timespec="seconds"),
             "buyer": {"name": app.buyer_name, "tin": app.buyer_tin},
             "total": str(app.total), "tax_due": str(app.tax_due),
             "invoice_number": app.invoice_number or None} for app in rows]


def address_book(session: Session, owner: Taxpayer) -> list[dict[str, str]]:
    rows = session.execute(select(AddressBookEntry).where(
        AddressBookEntry.owner_tin == owner.tin).order_by(AddressBookEntry.used_at.desc())
        .limit(ADDRESS_BOOK_MAX)).scalars()
    return [{"name": r.buyer_name, "tin": r.buyer_tin, "address": r.address,
             "phone": r.phone} for r in rows]


def _remember(session: Session, owner: Taxpayer, buyer: Mapping[str, str],
              now: datetime) -> None:
    row = session.execute(select(AddressBookEntry).where(
        AddressBookEntry.owner_tin == owner.tin,
        AddressBookEntry.buyer_name == buyer["name"],
        AddressBookEntry.buyer_tin == buyer["tin"])).scalar_one_or_none()
    if row is None:
        session.add(AddressBookEntry(owner_tin=owner.tin, buyer_name=buyer["name"],
                                     buyer_tin=buyer["tin"], address=buyer["address"],
                                     phone=buyer["phone"], used_at=now))
    else:
        row.address, row.phone, row.used_at = buyer["address"], buyer["phone"], now


def quote(session: Session, who: Taxpayer, *, buyer: Mapping[str, str],
          lines: Sequence[Mapping[str, Any]], rates: OnBehalfRates, kiosk_id: str,
          now: datetime) -> dict[str, Any]:
    """A new application with its tax computed; the caller commits."""
    if who.kind != "person":
        raise OnBehalfRefused("on_behalf.person_only", "代开 here is for natural persons")
    checked = check_lines(lines)
    figures = compute(checked, rates, china_day(now))
    number = f"DK{china_day(now):%Y%m%d}{secrets.token_hex(5).upper()}"
    app = OnBehalfApplication(
        application_no=number, tin=who.tin, kiosk_id=kiosk_id, buyer_tin=buyer["tin"],
        buyer_name=buyer["name"], lines=json.dumps(figures["lines"], ensure_ascii=False),
        total=Decimal(figures["total"]), vat=Decimal(figures["vat"]),
        surcharges=Decimal(figures["surcharges"]), iit=Decimal(figures["iit"]),
        tax_due=Decimal(figures["tax_due"]),
        breakdown=json.dumps({**figures, "buyer_extra": {
            "address": buyer["address"], "phone": buyer["phone"]}}, ensure_ascii=False),
        status="quoted", order_id="", invoice_number="", created_at=now.astimezone(UTC))
    session.add(app)
    session.flush()
    return _view(app)


def settle(session: Session, tin: str, order_id: str,
           items: Sequence[Mapping[str, Any]]) -> str | None:
    """Book the `on_behalf` items of a payment: each names a quoted application of
    `tin` (ref) with the tax it computed. A refusal code, or None when booked (or
    there is none)."""
    for item in items:
        if item.get("kind") != ITEM_KIND:
            continue
        app = session.execute(select(OnBehalfApplication).where(
            OnBehalfApplication.application_no == item.get("ref")).with_for_update()
        ).scalar_one_or_none()
        if app is None or app.tin != tin:
            return "on_behalf.unknown"
        if app.status != "quoted":
            return "payment.already_paid"
        if Decimal(str(item.get("tax"))).quantize(_FEN) != app.tax_due \
                or Decimal(str(item.get("late_fee", "0"))) != 0:
            return "payment.amount_changed"
        app.status, app.order_id = "paid", order_id[:64]
    session.flush()
    return None


def _new_number(session: Session, today: date) -> str:
    for _ in range(20):
        number = f"{today:%y}11{secrets.randbelow(10**16):016d}"
        if session.get(DigitalInvoice, number) is None:
            return number
    raise RuntimeError("no free invoice number")  # pragma: no cover - 10^16 numbers


def qr_text(number: str, total: str, issued_on: str) -> str:
    """The invoice QR (domain.md §1, type 32 数电普票): what the verification and
    lottery scanners read."""
    return f"01,32,,{number},{total},{issued_on.replace('-', '')},,"


def issue(session: Session, who: Taxpayer, application_no: str, *,
          now: datetime) -> dict[str, Any]:
    """Issue the paid application's 数电票 (once: asked again, the same invoice);
    OnBehalfRefused `on_behalf.unknown` (not theirs) or `on_behalf.unpaid`."""
    app = session.execute(select(OnBehalfApplication).where(
        OnBehalfApplication.application_no == application_no).with_for_update()
    ).scalar_one_or_none()
    if app is None or app.tin != who.tin:
        raise OnBehalfRefused("on_behalf.unknown", "no such application of yours")
    if app.status == "quoted" and app.tax_due > 0:
        raise OnBehalfRefused("on_behalf.unpaid", "the tax has not been paid")
    if app.status != "issued":
        today = china_day(now)
        figures = json.loads(app.breakdown)
        number = _new_number(session, today)
        session.add(DigitalInvoice(
            number=number, issued_on=today, kind="normal", seller_tin=who.tin,
            seller_name=who.name, buyer_tin=app.buyer_tin, buyer_name=app.buyer_name,
            amount=Decimal(figures["amount"]), tax=app.vat, total=app.total,
            items=json.dumps([{"name": line["name"], "quantity": line["quantity"],
                               "unit_price": line["unit_price"], "amount": line["amount"],
                               "tax_rate": line["tax_rate"]} for line in figures["lines"]],
                             ensure_ascii=False),
            on_behalf=True, printed=0))
        app.status, app.invoice_number = "issued", number
        extra = figures.get("buyer_extra") or {}
        _remember(session, who, {"name": app.buyer_name, "tin": app.buyer_tin,
                                 "address": str(extra.get("address", "")),
                                 "phone": str(extra.get("phone", ""))}, now)
        session.flush()
    invoice = session.get(DigitalInvoice, app.invoice_number)
    assert invoice is not None
    view = invoice_view(invoice, who.tin)
    return {"application": _view(app), "invoice": view,
            "qr_text": qr_text(view["number"], view["total"], view["issued_on"])}
