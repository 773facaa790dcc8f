"""What a paying service hands the payment core, and what it gets back. Qt-free.

A service (tax.pay, tax.vehicle, tax.iit_annual, tax.social_insurance) builds a
`PaymentRequest`: the items it charges (each with its tax and 滞纳金, computed with
kiosk.domain.late_fee) and `business`, the facts central records with the payment
(the return, the vehicle filing, the social insurance months). The core turns it into
an order (kiosk.payments.orders), takes the money by card or QR, records it at central
(kind `tax.payment`) and answers a `PaymentOutcome`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

#: Every state an order can be in (docs/payment-protocol.md, "Orders").
ORDER_STATES = ("created", "sent", "approved", "declined", "recorded", "voiding",
                "voided", "unknown")
#: States an order never leaves: money taken and recorded, never taken, or given back.
FINAL_STATES = frozenset({"recorded", "declined", "voided"})
#: Item kinds central knows how to record (central/kinds/tax_payment.py).
ITEM_KINDS = ("arrear", "vehicle", "iit_annual", "social_insurance",
              "on_behalf")  # on_behalf: a 代开 application's tax (ref: its number)
METHODS = ("card", "qr")

_FEN = Decimal("0.01")
#: One order at most this much (the terminal's amount field holds 10 digits of fen).
MAX_AMOUNT_FEN = 10**10 - 1


def yuan_to_fen(amount: Decimal) -> int:
    """Yuan (a Decimal with at most 2 places) to integer fen; ValueError otherwise."""
    if isinstance(amount, bool) or not isinstance(amount, Decimal) or not amount.is_finite():
        raise ValueError("an amount must be a finite Decimal")
    if amount != amount.quantize(_FEN, rounding=ROUND_HALF_UP):
        raise ValueError("an amount has at most 2 decimal places (fen)")
    return int((amount * 100).to_integral_value())


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(_FEN)


@dataclass(frozen=True)
class PaymentItem:
    """One line the taxpayer pays.

    - `kind`: one of ITEM_KINDS; `ref`: the item's key within its kind, what central
      marks paid (for an arrear: its tax kind, e.g. "个人所得税", with `period`; for a
      vehicle: the plate or VIN; for social insurance: the insurance kind)
    - `label_zh` / `label_en`: what the screen and the voucher call it (税(品)目)
    - `period`: 所属时期, YYYYMM (a year's return: YYYY12)
    - `tax`, `late_fee`: yuan, at most 2 places; `late_fee` from kiosk.domain.late_fee
    - `due_on`: the due date (None for an item without one)
    """

    kind: str
    ref: str
    label_zh: str
    label_en: str
    period: str
    tax: Decimal
    late_fee: Decimal = Decimal("0.00")
    due_on: date | None = None

    def __post_init__(self) -> None:
        if self.kind not in ITEM_KINDS:
            raise ValueError(f"item kind must be one of {', '.join(ITEM_KINDS)}")
        if not self.ref or len(self.ref) > 64:
            raise ValueError("item ref: 1-64 characters")
        if not (len(self.period) == 6 and self.period.isdigit()
                and 1 <= int(self.period[4:]) <= 12):
            raise ValueError("item period: YYYYMM")
        for name in ("tax", "late_fee"):
            value = getattr(self, name)
            if yuan_to_fen(value) < 0:
                raise ValueError(f"item {name} must not be negative")

    @property
    def total(self) -> Decimal:
        return (self.tax + self.late_fee).quantize(_FEN)

    @property
    def total_fen(self) -> int:
        return yuan_to_fen(self.total)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "ref": self.ref, "label_zh": self.label_zh,
                "label_en": self.label_en, "period": self.period, "tax": str(self.tax),
                "late_fee": str(self.late_fee),
                "due_on": None if self.due_on is None else self.due_on.isoformat()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PaymentItem:
        due = data.get("due_on")
        return cls(kind=data["kind"], ref=data["ref"], label_zh=data["label_zh"],
                   label_en=data["label_en"], period=data["period"],
                   tax=Decimal(data["tax"]), late_fee=Decimal(data.get("late_fee", "0")),
                   due_on=None if not due else date.fromisoformat(due))


@dataclass(frozen=True)
class PaymentRequest:
    """What one payment charges: `service_id` (the catalogue id of the paying service),
    the `items` (at least one, total above 0) and `business`: a JSON object central
    stores with the payment, e.g. {"kind": "arrears"}, {"kind": "vehicle", "plate":
    ...}, {"kind": "iit_annual", "return": {...}}. `tin` is whom it is paid for (the
    identified taxpayer), filled by begin_payment when the service leaves it empty."""

    service_id: str
    items: tuple[PaymentItem, ...]
    business: dict[str, Any] = field(default_factory=dict)
    tin: str = ""

    def __post_init__(self) -> None:
        if not self.items:
            raise ValueError("a payment needs at least one item")
        amount = self.amount_fen
        if not 1 <= amount <= MAX_AMOUNT_FEN:
            raise ValueError(f"a payment's amount must be 1..{MAX_AMOUNT_FEN} fen")
        if not isinstance(self.business, dict):
            raise ValueError("business must be a JSON object")

    @property
    def amount_fen(self) -> int:
        return sum(item.total_fen for item in self.items)

    @property
    def total(self) -> Decimal:
        return fen_to_yuan(self.amount_fen)

    def to_json(self) -> dict[str, Any]:
        return {"service_id": self.service_id, "tin": self.tin,
                "items": [item.to_json() for item in self.items],
                "business": self.business}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PaymentRequest:
        return cls(service_id=data["service_id"], tin=data.get("tin", ""),
                   items=tuple(PaymentItem.from_json(i) for i in data["items"]),
                   business=dict(data.get("business") or {}))


@dataclass(frozen=True)
class PaymentOutcome:
    """What a payment came to, for the result screen and the printouts.

    `state` is the order's state when the flow ends: `recorded` (paid and recorded),
    `approved` (paid, awaiting the tax office's confirmation: the link dropped),
    `declined` (not charged), `voided` (charged, then given back), `unknown` (the
    terminal did not answer: resolved before the next payment). `message_code`: a
    ui.messages code or a `bank.<rc>` response code (kiosk.payments.codes).
    """

    order_id: str
    state: str
    method: str
    amount_fen: int
    message_code: str
    card_last4: str | None = None
    voucher_no: str | None = None
    response_code: str | None = None
    vouchers: tuple[dict[str, Any], ...] = ()

    @property
    def charged(self) -> bool:
        """Money is (still) taken: recorded, or approved and awaiting confirmation."""
        return self.state in ("recorded", "approved")
