"""Telling the central service what a payment paid: the queued record `tax.payment`.

One way for both methods: once the money is taken (card approved, QR order SUCCESS),
the order's record is queued in the outbox, which delivers it exactly once (the
central also books each order id once). It is not an offline risk (the money is
already taken), so the exposure limits leave it out (kiosk.services.exposure), and it
is never refused for them. Qt-free.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from offline_queue.outbox import Outbox
from offline_queue.payloads import TAX_PAYMENT_KIND, TaxPaymentPayload

from .model import PaymentRequest
from .orders import Order

#: The bank fields a record may carry (anything else is dropped): never a full card.
BANK_FIELDS = ("card_masked", "trace_no", "reference", "rrn", "auth_code", "batch_no",
               "terminal_id", "merchant_id", "terminal_time", "issuer", "acquirer_order_id",
               "channel")


def build_payload(order: Order, request: PaymentRequest, method: str,
                  bank_fields: dict[str, Any], paid_at: datetime | None = None
                  ) -> dict[str, Any]:
    """The record's payload, validated with the central's own model."""
    bank = {k: (None if bank_fields.get(k) is None else str(bank_fields[k]))
            for k in BANK_FIELDS if k in bank_fields}
    items = [{"kind": i.kind, "ref": i.ref, "period": i.period, "tax": str(i.tax),
              "late_fee": str(i.late_fee), "label_zh": i.label_zh, "label_en": i.label_en,
              "due_on": None if i.due_on is None else i.due_on.isoformat()}
             for i in request.items]
    payload = {"order_id": order.id, "tin": request.tin, "service_id": request.service_id,
               "method": method, "paid_fen": request.amount_fen,
               "paid_at": (paid_at or datetime.now(UTC)).astimezone(UTC).isoformat(),
               "items": items, "business": request.business, "bank": bank}
    TaxPaymentPayload.model_validate(payload)  # ValueError now, not a parked record later
    return payload


def queue_payment_record(ctx_or_outbox: Any, order: Order, request: PaymentRequest,
                         method: str, bank_fields: dict[str, Any],
                         paid_at: datetime | None = None) -> str:
    """Queue the `tax.payment` record of `order` (money taken) and wake the sync
    worker; returns the record's uuid. The caller stores it on the order
    (`OrderStore.transition(..., record_uuid=...)` or `annotate`). Accepts a
    ServiceContext (uses its outbox and on_queued) or a bare Outbox."""
    outbox: Outbox = ctx_or_outbox if isinstance(ctx_or_outbox, Outbox) \
        else ctx_or_outbox.outbox
    payload = build_payload(order, request, method, bank_fields, paid_at)
    record = outbox.enqueue(TAX_PAYMENT_KIND, payload)
    on_queued = getattr(ctx_or_outbox, "on_queued", None)
    if callable(on_queued):
        on_queued()
    return record.uuid


def record_outcome(outbox: Outbox, record_uuid: str) -> tuple[str, dict[str, Any]]:
    """What central made of a queued `tax.payment` record: ("pending", {}) until it
    answered, ("recorded", result) when booked, ("refused", result) when central
    refused it (the result's `reason`) or parked the record (bad payload)."""
    view = outbox.result_for(record_uuid)
    if view is None:
        return "pending", {}
    state = getattr(view, "state", "pending")
    if state == "rejected":
        return "refused", {"reason": f"record.rejected: {getattr(view, 'reason', '')}"[:64]}
    result = getattr(view, "result", None)
    if state != "acked" or not isinstance(result, dict):
        return "pending", {}
    status = result.get("status")
    if status == "recorded":
        return "recorded", result
    if status == "refused":
        return "refused", result
    return "pending", {}
