"""Tables of paper-invoice pickup and stock (issue #12 §1, §2, §5), on the one
`central.db.Base` (migration 0009).

- `invoice_approvals`: 票种核定 caps per taxpayer and invoice kind.
- `invoice_holdings`: ranges a taxpayer holds, with used / uploaded counts (验旧, 结存,
  本月剩余); a pickup marked issued adds one.
- `pickup_orders`: applications with 取票码 and 领取方式 (02 terminal, 03 courier),
  the hall that serves them ('' = any), how many pieces were issued, the waybill.
- `stock_allocations`: ranges allocated to a hall's terminals; a box loaded into a
  dispenser must lie inside one.
- `issued_ranges`: every range that left a dispenser, to whom, by which record; a
  number is in at most one row (checked before insert), so nothing is issued twice.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from central.db import Base, BigId, UtcDateTime

ORDER_STATUSES = ("pending", "done")
ISSUE_STATUSES = ("issued", "retracted")


class InvoiceApproval(Base):
    __tablename__ = "invoice_approvals"

    tin: Mapped[str] = mapped_column(String(20), primary_key=True)
    invoice_kind: Mapped[str] = mapped_column(String(50), primary_key=True)
    per_pickup_max: Mapped[int] = mapped_column(Integer)
    monthly_max: Mapped[int] = mapped_column(Integer)
    holding_max: Mapped[int] = mapped_column(Integer)


class InvoiceHolding(Base):
    __tablename__ = "invoice_holdings"
    __table_args__ = (UniqueConstraint("code", "first_no", name="uq_invoice_holdings_range"),
                      Index("ix_invoice_holdings_tin", "tin"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tin: Mapped[str] = mapped_column(String(20))
    invoice_kind: Mapped[str] = mapped_column(String(50))
    code: Mapped[str] = mapped_column(String(12))
    first_no: Mapped[int] = mapped_column(Integer)
    last_no: Mapped[int] = mapped_column(Integer)
    picked_up_on: Mapped[date] = mapped_column(Date)
    used: Mapped[int] = mapped_column(Integer, default=0)
    uploaded: Mapped[int] = mapped_column(Integer, default=0)


class PickupOrder(Base):
    __tablename__ = "pickup_orders"
    __table_args__ = (UniqueConstraint("pickup_code", name="uq_pickup_orders_code"),
                      Index("ix_pickup_orders_tin", "tin"),
                      Index("ix_pickup_orders_hall", "hall"),
                      CheckConstraint("method IN ('02', '03')", name="ck_pickup_orders_method"),
                      CheckConstraint("status IN ('pending', 'done')",
                                      name="ck_pickup_orders_status"))

    application_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    tin: Mapped[str] = mapped_column(String(20))
    pickup_code: Mapped[str] = mapped_column(String(16))
    invoice_kind: Mapped[str] = mapped_column(String(50))
    quantity: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(2))
    hall: Mapped[str] = mapped_column(String(64), default="")
    applied_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    issued: Mapped[int] = mapped_column(Integer, default=0)
    waybill: Mapped[str] = mapped_column(String(40), default="")


class StockAllocation(Base):
    __tablename__ = "stock_allocations"
    __table_args__ = (UniqueConstraint("code", "first_no", name="uq_stock_allocations_range"),
                      Index("ix_stock_allocations_hall", "hall"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    hall: Mapped[str] = mapped_column(String(64))
    invoice_kind: Mapped[str] = mapped_column(String(50))
    code: Mapped[str] = mapped_column(String(12))
    first_no: Mapped[int] = mapped_column(Integer)
    last_no: Mapped[int] = mapped_column(Integer)


class IssuedRange(Base):
    __tablename__ = "issued_ranges"
    __table_args__ = (UniqueConstraint("code", "first_no", name="uq_issued_ranges_range"),
                      Index("ix_issued_ranges_pickup", "pickup_id"),
                      CheckConstraint("status IN ('issued', 'retracted')",
                                      name="ck_issued_ranges_status"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(12))
    first_no: Mapped[int] = mapped_column(Integer)
    last_no: Mapped[int] = mapped_column(Integer)
    invoice_kind: Mapped[str] = mapped_column(String(50))
    tin: Mapped[str] = mapped_column(String(20))
    application_no: Mapped[str] = mapped_column(String(32))
    kiosk_id: Mapped[str] = mapped_column(String(64))
    pickup_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
