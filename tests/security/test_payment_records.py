"""Payments (issue #11): what a payment order and its record may reveal. The full card
number never travels (only the terminal's mask), and the order's request and bank
answer are sealed at rest in the outbox file like other personal data."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk.payments.model import PaymentItem, PaymentRequest
from kiosk.payments.orders import OrderError, OrderStore
from offline_queue.crypto import KioskKeys
from offline_queue.outbox import Outbox
from offline_queue.payloads import TaxPaymentPayload

pytestmark = pytest.mark.security

TIN = "11010519491231002X"
CARD = "6214830000069012"


def _request() -> PaymentRequest:
    return PaymentRequest("tax.pay", (PaymentItem("arrear", "个人所得税", "个人所得税", "IIT",
                                                  "202601", Decimal("100.00")),),
                          {"kind": "arrears"}, tin=TIN)


def _payload(card: str) -> dict:
    return {"order_id": "P20260101000000abcd1234", "tin": TIN, "service_id": "tax.pay",
            "method": "card", "paid_fen": 10000, "paid_at": datetime.now(UTC).isoformat(),
            "items": [{"kind": "arrear", "ref": "个人所得税", "period": "202601",
                       "tax": "100.00", "label_zh": "个人所得税"}],
            "bank": {"card_masked": card}}


def test_a_record_with_a_full_card_number_is_refused() -> None:
    TaxPaymentPayload.model_validate(_payload("621483******9012"))
    with pytest.raises(ValueError):
        TaxPaymentPayload.model_validate(_payload(CARD))


def test_orders_are_sealed_at_rest(tmp_path: Path) -> None:
    keys = KioskKeys.generate()
    outbox = Outbox(tmp_path / "outbox.sqlite3", "k1", keys)
    store = OrderStore.for_outbox(outbox, keys)
    try:
        order = store.create(_request(), "card")
        store.transition(order.id, "sent", reference=f"{order.id}-1", next_attempt=True)
        store.transition(order.id, "approved", trace_no="000001",
                         detail={"bank": {"card_masked": "621483******9012"}})
        assert store.get(order.id).request.tin == TIN
    finally:
        store.close()
        outbox.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert TIN.encode() not in raw and b"621483******9012" not in raw
    assert "个人所得税".encode() not in raw
    # Another kiosk's key cannot open (nor silently misread) the orders.
    other = KioskKeys.generate()
    store = OrderStore(tmp_path / "outbox.sqlite3", "k1", other.data_key)
    try:
        with pytest.raises(OrderError):
            store.get(order.id)
    finally:
        store.close()
