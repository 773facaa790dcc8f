"""Kind `tax.payment`: money a kiosk has taken (card or QR) and what it paid (payload
`payloads.TaxPaymentPayload`). The record is the one way both payment methods book a
payment here.

Booked once per kiosk order (`tax_payments`, keyed by the order id): a record sent
again (a retried sync, a kiosk restarted mid-flight) gets the stored answer. Recording
checks every item against the registry first and books all of them or none:

- an `arrear` item must match an unpaid arrear (tax kind = `ref`, period) with the
  same tax; its 滞纳金 must be what 0.05 %/day from the day after the due date gives
  on the payment day (China time), rounded half up once;
- no item may already have been paid (`tax_payment_items` is unique per debt);
- the items must add up to the amount charged.

Then the arrears are marked paid, one `payments` row per tax line and per late fee
line is added with its 税票号 (`payloads.voucher_number`), and the result lists them
(`{"status": "recorded", "vouchers": [...]}`); voucher.reprint and certificate.print
find them there. Otherwise nothing is booked and the result is
`{"status": "refused", "reason": <code>}`: the kiosk gives the money back (it voids
the card sale by its voucher, or the QR order is refunded).
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from central import registry
from central.db import Taxpayer
from central.payments_db import TaxPayment, TaxPaymentItem
from central.record_kinds import BadPayload, BatchInfo, RecordKind, register
from offline_queue.payloads import (
    TAX_PAYMENT_KIND,
    TaxPaymentPayload,
    readable_errors,
    voucher_number,
)

_CHINA = timezone(timedelta(hours=8))
_FEN = Decimal("0.01")
#: 滞纳金: 0.05 % of the unpaid tax per day (征管法 第32条); the kiosk's
#: kiosk.domain.late_fee computes the same, and the two must agree to the fen.
LATE_FEE_DAILY_RATE = Decimal("0.0005")
LATE_FEE_LABEL = "滞纳金"


def expected_late_fee(tax: Decimal, due_on: date, paid_on: date) -> Decimal:
    days = max(0, (paid_on - due_on).days)
    return (tax * LATE_FEE_DAILY_RATE * days).quantize(_FEN, rounding=ROUND_HALF_UP)


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TaxPaymentKind(RecordKind):
    kind = TAX_PAYMENT_KIND

    def check(self, payload: dict[str, Any]) -> TaxPaymentPayload:
        try:
            checked = TaxPaymentPayload.model_validate(payload)
        except ValidationError as exc:
            raise BadPayload(readable_errors(exc.errors())) from None
        return checked

    def results(self, session: Session, checked: Sequence[TaxPaymentPayload],
                batch: BatchInfo) -> list[dict[str, Any]]:
        return [self._one(session, item) for item in checked]

    def _one(self, session: Session, pay: TaxPaymentPayload) -> dict[str, Any]:
        existing = session.get(TaxPayment, pay.order_id)
        if existing is not None:  # the same order sent again: the same answer
            if existing.tin != pay.tin:
                return {"order_id": pay.order_id, "status": "refused",
                        "reason": "order.conflict"}
            return dict(json.loads(existing.result))
        paid_on = pay.paid_at.astimezone(_CHINA).date()
        try:
            vouchers = self._book(session, pay, paid_on)
            result: dict[str, Any] = {"order_id": pay.order_id, "status": "recorded",
                                      "paid_on": paid_on.isoformat(), "vouchers": vouchers}
        except _Refused as refused:
            result = {"order_id": pay.order_id, "status": "refused",
                      "reason": refused.reason}
        session.add(TaxPayment(
            order_id=pay.order_id, tin=pay.tin, service_id=pay.service_id,
            method=pay.method, amount=(Decimal(pay.paid_fen) / 100).quantize(_FEN),
            status=result["status"], reason=result.get("reason", ""), paid_at=pay.paid_at,
            items=json.dumps([i.model_dump() for i in pay.items], ensure_ascii=False),
            business=json.dumps(pay.business, ensure_ascii=False),
            bank=json.dumps(pay.bank, ensure_ascii=False),
            result=json.dumps(result, ensure_ascii=False),
            received_at=datetime.now(UTC)))
        session.flush()
        return result

    def _book(self, session: Session, pay: TaxPaymentPayload,
              paid_on: date) -> list[dict[str, Any]]:
        taxpayer = session.get(Taxpayer, pay.tin)
        if taxpayer is None:
            raise _Refused("taxpayer.unknown")
        if pay.items_total_fen() != pay.paid_fen:
            raise _Refused("payment.amount_mismatch")
        arrears = []
        for item in pay.items:
            tax, fee = Decimal(item.tax).quantize(_FEN), Decimal(item.late_fee).quantize(_FEN)
            already = session.execute(select(TaxPaymentItem.order_id).where(
                TaxPaymentItem.tin == pay.tin, TaxPaymentItem.item_kind == item.kind,
                TaxPaymentItem.ref == item.ref, TaxPaymentItem.period == item.period)
            ).first()
            if already is not None:
                raise _Refused("payment.already_paid")
            if item.kind == "arrear":
                row = registry.open_arrear(session, pay.tin, item.ref, item.period)
                if row is None:
                    raise _Refused("payment.already_paid")
                if row.amount != tax:
                    raise _Refused("payment.amount_changed")
                if expected_late_fee(tax, row.due_on, paid_on) != fee:
                    raise _Refused("payment.late_fee_mismatch")
                arrears.append(row)
        # A 代开 application's tax (central.on_behalf): quoted, unpaid, the same tax.
        from central.on_behalf import settle as settle_on_behalf

        refusal = settle_on_behalf(session, pay.tin, pay.order_id,
                                   [i.model_dump() for i in pay.items])
        if refusal is not None:
            raise _Refused(refusal)
        for row in arrears:
            registry.settle_arrear(row)
        # Vehicle tax years and social insurance months paid (central.payment_registry).
        from central.payment_registry import settle_items

        settle_items(session, pay.tin, pay.order_id, [i.model_dump() for i in pay.items])
        vouchers: list[dict[str, Any]] = []
        line = 0
        for idx, item in enumerate(pay.items, start=1):
            tax, fee = Decimal(item.tax).quantize(_FEN), Decimal(item.late_fee).quantize(_FEN)
            line += 1
            tax_voucher = voucher_number(pay.order_id, line)
            registry.add_paid_voucher(session, tin=pay.tin, voucher_no=tax_voucher,
                                      tax_kind=item.label_zh, period=item.period,
                                      amount=tax, paid_on=paid_on,
                                      tax_office=taxpayer.tax_office)
            vouchers.append({"voucher_no": tax_voucher, "tax_kind": item.label_zh,
                             "period": item.period, "amount": str(tax)})
            if fee > 0:
                line += 1
                fee_voucher = voucher_number(pay.order_id, line)
                registry.add_paid_voucher(session, tin=pay.tin, voucher_no=fee_voucher,
                                          tax_kind=f"{item.label_zh}{LATE_FEE_LABEL}"[:50],
                                          period=item.period, amount=fee, paid_on=paid_on,
                                          tax_office=taxpayer.tax_office)
                vouchers.append({"voucher_no": fee_voucher,
                                 "tax_kind": f"{item.label_zh}{LATE_FEE_LABEL}",
                                 "period": item.period, "amount": str(fee)})
            session.add(TaxPaymentItem(order_id=pay.order_id, idx=idx, tin=pay.tin,
                                       item_kind=item.kind, ref=item.ref,
                                       period=item.period, tax=tax, late_fee=fee,
                                       voucher_no=tax_voucher))
        # TaxPayment row is added by the caller; the items reference it by key.
        return vouchers


register(TaxPaymentKind())
