"""Tables of fully-digital invoices, the invoice lottery and invoices issued on behalf
(issue #12 §3, §4), on the one `central.db.Base` (migration 0011).

- `digital_invoices`: 数电票 as imported (`digital_invoices`) or issued here on behalf
  of a natural person (`on_behalf` 1); `printed` counts the paper copies made.
- `lottery_campaigns`: a city's 有奖发票 campaign: dates, minimum amount, limits per
  person (day, month, campaign, merchant), industries and prize tiers (reference data).
- `lottery_entries`: one per invoice ever entered (unique number), with the person, the
  merchant, the prize drawn here and, for a prize claimed in person, the deadline.
- `address_book`: buyers a natural person issued to before (购买方通讯录).
- `on_behalf_applications`: a 代开 application: buyer, lines, the tax central computed,
  then paid (by the kiosk's payment order) and issued (the invoice's number).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from central.db import Base, BigId, Money, UtcDateTime

APPLICATION_STATUSES = ("quoted", "paid", "issued")


class DigitalInvoice(Base):
    __tablename__ = "digital_invoices"
    __table_args__ = (Index("ix_digital_invoices_seller", "seller_tin"),
                      Index("ix_digital_invoices_buyer", "buyer_tin"))

    number: Mapped[str] = mapped_column(String(20), primary_key=True)
    issued_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))  # "normal" 普票 | "special" 专票
    seller_tin: Mapped[str] = mapped_column(String(20))
    seller_name: Mapped[str] = mapped_column(String(200))
    buyer_tin: Mapped[str] = mapped_column(String(20))  # '' for a person without one
    buyer_name: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Money)  # 金额 (before tax)
    tax: Mapped[Decimal] = mapped_column(Money)
    total: Mapped[Decimal] = mapped_column(Money)  # 价税合计
    items: Mapped[str] = mapped_column(Text)  # JSON list of lines
    on_behalf: Mapped[bool] = mapped_column(Boolean)
    printed: Mapped[int] = mapped_column(Integer)


class LotteryCampaign(Base):
    __tablename__ = "lottery_campaigns"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    city: Mapped[str] = mapped_column(String(50))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    min_amount: Mapped[Decimal] = mapped_column(Money)
    # None: no such limit in this campaign
    per_day: Mapped[int | None] = mapped_column(Integer, nullable=True)
    per_month: Mapped[int | None] = mapped_column(Integer, nullable=True)
    per_campaign: Mapped[int | None] = mapped_column(Integer, nullable=True)
    per_merchant: Mapped[int | None] = mapped_column(Integer, nullable=True)
    industries: Mapped[str] = mapped_column(Text)  # JSON list of industry codes/names
    prizes: Mapped[str] = mapped_column(Text)  # JSON list of {tier, amount, weight, ...}


class LotteryEntry(Base):
    __tablename__ = "lottery_entries"
    __table_args__ = (UniqueConstraint("invoice_number", name="uq_lottery_entries_invoice"),
                      Index("ix_lottery_entries_person", "tin", "campaign_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    campaign_id: Mapped[str] = mapped_column(String(32))
    invoice_number: Mapped[str] = mapped_column(String(20))
    tin: Mapped[str] = mapped_column(String(20))
    seller_tin: Mapped[str] = mapped_column(String(20))
    kiosk_id: Mapped[str] = mapped_column(String(64))
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    entered_on: Mapped[date] = mapped_column(Date)  # China date: the day and month limits
    tier: Mapped[str] = mapped_column(String(32))
    prize: Mapped[Decimal] = mapped_column(Money)
    claim_by: Mapped[date | None] = mapped_column(Date, nullable=True)


class AddressBookEntry(Base):
    __tablename__ = "address_book"
    __table_args__ = (UniqueConstraint("owner_tin", "buyer_name", "buyer_tin",
                                       name="uq_address_book_buyer"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    owner_tin: Mapped[str] = mapped_column(String(20))
    buyer_name: Mapped[str] = mapped_column(String(200))
    buyer_tin: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20))
    used_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OnBehalfApplication(Base):
    __tablename__ = "on_behalf_applications"
    __table_args__ = (Index("ix_on_behalf_applications_tin", "tin"),
                      CheckConstraint("status IN ('quoted', 'paid', 'issued')",
                                      name="ck_on_behalf_applications_status"))

    application_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    tin: Mapped[str] = mapped_column(String(20))  # the seller: the identified person
    kiosk_id: Mapped[str] = mapped_column(String(64))
    buyer_tin: Mapped[str] = mapped_column(String(20))
    buyer_name: Mapped[str] = mapped_column(String(200))
    lines: Mapped[str] = mapped_column(Text)  # JSON
    total: Mapped[Decimal] = mapped_column(Money)  # 价税合计 of the lines
    vat: Mapped[Decimal] = mapped_column(Money)
    surcharges: Mapped[Decimal] = mapped_column(Money)
    iit: Mapped[Decimal] = mapped_column(Money)
    tax_due: Mapped[Decimal] = mapped_column(Money)
    breakdown: Mapped[str] = mapped_column(Text)  # JSON: each tax with base and rate
    status: Mapped[str] = mapped_column(String(16))
    order_id: Mapped[str] = mapped_column(String(64))
    invoice_number: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
