"""Tables of the payments taken at the kiosks (issue #11), on the one `central.db.Base`
(migration 0007).

- `tax_payments`: one row per kiosk payment order (record kind `tax.payment`), keyed by
  the kiosk's order id: a second record for the same order gets the stored answer, so
  an order is recorded at most once whatever the outbox delivers. `status` recorded
  (the items are paid, `payments` rows carry the vouchers) or refused (nothing was
  booked; the kiosk gives the money back by voiding the sale). `items`, `business` and
  `bank` are JSON as the kiosk sent them; the bank fields hold only the masked card.
- `tax_payment_items`: the items a recorded payment settled, unique per taxpayer, item
  kind, item key and period, so the same debt is never booked as paid twice.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from central.db import Base, Money, UtcDateTime

PAYMENT_STATUSES = ("recorded", "refused")


class TaxPayment(Base):
    __tablename__ = "tax_payments"
    __table_args__ = (
        CheckConstraint("status IN ('recorded', 'refused')", name="ck_tax_payments_status"),
        CheckConstraint("method IN ('card', 'qr')", name="ck_tax_payments_method"),
    )

    order_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tin: Mapped[str] = mapped_column(String(20), index=True)
    service_id: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(8))
    amount: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(64), default="")
    paid_at: Mapped[datetime] = mapped_column(UtcDateTime)
    items: Mapped[str] = mapped_column(Text)
    business: Mapped[str] = mapped_column(Text)
    bank: Mapped[str] = mapped_column(Text)
    # The answer the kiosk got (JSON), repeated for a record sent again.
    result: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TaxPaymentItem(Base):
    __tablename__ = "tax_payment_items"
    __table_args__ = (
        UniqueConstraint("tin", "item_kind", "ref", "period", name="uq_tax_payment_items_debt"),
    )

    order_id: Mapped[str] = mapped_column(String(32), ForeignKey("tax_payments.order_id"),
                                          primary_key=True)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True)
    tin: Mapped[str] = mapped_column(String(20))
    item_kind: Mapped[str] = mapped_column(String(32))
    ref: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(6))
    tax: Mapped[Decimal] = mapped_column(Money)
    late_fee: Mapped[Decimal] = mapped_column(Money)
    voucher_no: Mapped[str] = mapped_column(String(32))
