"""Tables of the paying services (issue #11 §1, §3), on the one `central.db.Base`
(migration 0008):

- `qr_orders`: the demo acquirer's payment-QR orders (聚合支付), both directions: a QR
  the kiosk shows (`native`, the payer scans it) and a payer's payment code the kiosk
  scanned (`code`). Each belongs to the kiosk that created it (`kiosk_id`) and is
  unique per (kiosk, `order_ref`), the kiosk's own order id, so a create sent twice
  makes one order. States (WeChat Pay's names): NOTPAY, USERPAYING, PAYERROR (the
  payer cancelled: the kiosk must still close or reverse it), and the final SUCCESS,
  CLOSED, REVOKED. A payment code is kept only as its SHA-256. `reverse_busy`: the
  demo payer's side can make reverses answer USERPAYING (TS7's retried reverse).
- registry growth (central.payment_registry imports them): `vehicles` (a natural
  person's cars: plate, VIN, displacement, purchase date, whether an insurer collects
  the tax, the last tax year paid), `vehicle_rates` (the province's yearly amount per
  displacement bracket), `iit_prefill` (a year's prefilled 综合所得 figures and the
  account a refund goes to), `social_insurance_bases` (the province's contribution
  bases per year and kind) and `social_insurance_paid` (months paid), `agreements`
  (三方协议) and `iit_returns` (annual returns the kiosks queued, kind
  `iit.annual_return`).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from central.db import Base, BigId, Money, UtcDateTime

QR_MODES = ("native", "code")
QR_STATES = ("NOTPAY", "USERPAYING", "PAYERROR", "SUCCESS", "CLOSED", "REVOKED")
QR_FINAL_STATES = frozenset({"SUCCESS", "CLOSED", "REVOKED"})
AGREEMENT_STATES = ("verified", "unverified", "revoked")
SOCIAL_INSURANCE_KINDS = ("pension", "medical")


class QrOrder(Base):
    __tablename__ = "qr_orders"
    __table_args__ = (
        UniqueConstraint("kiosk_id", "order_ref", name="uq_qr_orders_kiosk_ref"),
        CheckConstraint("mode IN ('native', 'code')", name="ck_qr_orders_mode"),
        CheckConstraint("state IN ('NOTPAY', 'USERPAYING', 'PAYERROR', 'SUCCESS', "
                        "'CLOSED', 'REVOKED')", name="ck_qr_orders_state"),
        CheckConstraint("amount_fen > 0", name="ck_qr_orders_amount"),
    )

    order_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(64), index=True)
    order_ref: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(8))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(12))
    tin: Mapped[str] = mapped_column(String(20))
    auth_code_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    transaction_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # Demo only (POST /v1/demo/acquirer/{order}/busy): how many more reverses answer
    # USERPAYING (the payer is still entering their password) before one is done.
    reverse_busy: Mapped[int] = mapped_column(Integer, default=0)


class Vehicle(Base):
    """A natural person's vehicle. `displacement_l`: litres as exact text ("1.998");
    `paid_through`: the last tax year paid (None: none yet)."""

    __tablename__ = "vehicles"
    __table_args__ = (UniqueConstraint("tin", "vin", name="uq_vehicles_tin_vin"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tin: Mapped[str] = mapped_column(String(20), ForeignKey("taxpayers.tin"), index=True)
    vin: Mapped[str] = mapped_column(String(17))
    plate: Mapped[str] = mapped_column(String(16), default="")
    displacement_l: Mapped[str] = mapped_column(String(8))
    bought_on: Mapped[date] = mapped_column(Date)
    insurer_collected: Mapped[bool] = mapped_column(Boolean, default=False)
    paid_through: Mapped[int | None] = mapped_column(Integer, nullable=True)


class VehicleRate(Base):
    """The province's yearly 车船税 for one displacement bracket (keys as the kiosk's
    calculator: up_to_1.0, 1.0-1.6, ..., over_4.0)."""

    __tablename__ = "vehicle_rates"

    bracket: Mapped[str] = mapped_column(String(16), primary_key=True)
    annual: Mapped[Decimal] = mapped_column(Money)


class IitPrefill(Base):
    """A year's prefilled 综合所得 figures (yuan) and the registered refund account."""

    __tablename__ = "iit_prefill"

    tin: Mapped[str] = mapped_column(String(20), ForeignKey("taxpayers.tin"),
                                     primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    wages: Mapped[Decimal] = mapped_column(Money)
    labour: Mapped[Decimal] = mapped_column(Money)
    royalties: Mapped[Decimal] = mapped_column(Money)
    withheld: Mapped[Decimal] = mapped_column(Money)
    special_additional: Mapped[Decimal] = mapped_column(Money)
    social_insurance: Mapped[Decimal] = mapped_column(Money)
    refund_bank: Mapped[str] = mapped_column(String(100), default="")
    refund_account: Mapped[str | None] = mapped_column(String(32), nullable=True)


class SocialInsuranceBase(Base):
    """One contribution level of the province's list (灵活就业): `level` as shown
    ("60%"), the monthly `base` and the contribution `rate` (exact decimal text)."""

    __tablename__ = "social_insurance_bases"
    __table_args__ = (
        CheckConstraint("kind IN ('pension', 'medical')", name="ck_si_bases_kind"),
    )

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    level: Mapped[str] = mapped_column(String(16), primary_key=True)
    base: Mapped[Decimal] = mapped_column(Money)
    rate: Mapped[str] = mapped_column(String(8))


class SocialInsurancePaid(Base):
    """A month of social insurance paid by a person (YYYYMM), and by which order."""

    __tablename__ = "social_insurance_paid"

    tin: Mapped[str] = mapped_column(String(20), ForeignKey("taxpayers.tin"),
                                     primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    month: Mapped[str] = mapped_column(String(6), primary_key=True)
    order_ref: Mapped[str] = mapped_column(String(64))


class Agreement(Base):
    """A 三方协议 (tax–bank–taxpayer agreement); `state`: AGREEMENT_STATES."""

    __tablename__ = "agreements"
    __table_args__ = (
        CheckConstraint("state IN ('verified', 'unverified', 'revoked')",
                        name="ck_agreements_state"),
    )

    tin: Mapped[str] = mapped_column(String(20), ForeignKey("taxpayers.tin"),
                                     primary_key=True)
    protocol_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    bank: Mapped[str] = mapped_column(String(100))
    account: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(12))
    signed_on: Mapped[date] = mapped_column(Date)


class IitReturn(Base):
    """An annual IIT return a kiosk queued (`iit.annual_return`); `number` is the
    申报序号 printed on the receipt; `body`: the return as JSON."""

    __tablename__ = "iit_returns"

    number: Mapped[str] = mapped_column(String(32), primary_key=True)
    tin: Mapped[str] = mapped_column(String(20), index=True)
    year: Mapped[int] = mapped_column(Integer)
    result: Mapped[str] = mapped_column(String(8))  # pay | refund | nothing
    amount: Mapped[Decimal] = mapped_column(Money)
    body: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(UtcDateTime)
