"""Paper-invoice pickup at the central service (issue #12, services.md §1): the registry
sections `approvals`, `holdings`, `pickup_orders`, `allocations` (import rows), the
pickup look-up with 验旧, caps and refusals, the stock allocation check of a box, the
hall's courier orders, the pickup-order snapshot a kiosk caches for offline pickup, and
marking a pickup's ranges as issued (record kind `invoice.issue`). Tables in
central.invoice_stock_db; rules shared with the kiosk in offline_queue.invoice_rules.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from central.db import Arrear, Taxpayer
from central.invoice_stock_db import (
    InvoiceApproval,
    InvoiceHolding,
    IssuedRange,
    PickupOrder,
    StockAllocation,
)
from central.registry import RowError, parse_tin
from offline_queue.invoice_rules import (
    INVOICE_KINDS,
    METHOD_COURIER,
    METHOD_TERMINAL,
    Holding,
    balance,
    cap_reason,
    max_now,
    verified,
    within,
)

CODE_RE = re.compile(r"^[0-9]{10}$|^[0-9]{12}$")
PICKUP_CODE_RE = re.compile(r"^[0-9A-Za-z]{4,16}$")
APPLICATION_NO_RE = re.compile(r"^[0-9A-Za-z-]{1,32}$")
HALL_RE = re.compile(r"^[0-9A-Za-z_.-]{0,64}$")
MAX_NUMBER = 99_999_999  # 8-digit invoice numbers
MAX_PIECES = 100_000


class StockRowError(RowError):
    """One import row is refused; the registry reports it with its list and index."""


# -- import rows ----------------------------------------------------------------------


def _kind(row: Mapping[str, Any]) -> str:
    kind = row.get("invoice_kind")
    if kind not in INVOICE_KINDS:
        raise StockRowError(f"invoice_kind: one of {', '.join(INVOICE_KINDS)}")
    return str(kind)


def _count(row: Mapping[str, Any], name: str, *, low: int = 0) -> int:
    value = row.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_PIECES:
        raise StockRowError(f"{name}: a whole number {low}..{MAX_PIECES}")
    return value


def _code(row: Mapping[str, Any]) -> str:
    code = row.get("code")
    if not isinstance(code, str) or not CODE_RE.fullmatch(code):
        raise StockRowError("code: 10 or 12 digits")
    return code


def _range(row: Mapping[str, Any]) -> tuple[int, int]:
    numbers = []
    for name in ("first", "last"):
        value = row.get(name)
        text = value if isinstance(value, str) else None
        if text is None or not text.isdigit() or len(text) > 8 or not 0 < int(text) <= MAX_NUMBER:
            raise StockRowError(f"{name}: an invoice number of up to 8 digits, as a string")
        numbers.append(int(text))
    if numbers[0] > numbers[1]:
        raise StockRowError("last: must not be below first")
    if numbers[1] - numbers[0] + 1 > MAX_PIECES:
        raise StockRowError(f"a range holds at most {MAX_PIECES} pieces")
    return numbers[0], numbers[1]


def _day(row: Mapping[str, Any], name: str) -> date:
    value = row.get(name)
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else _bad_day(name)
    except ValueError:
        return _bad_day(name)


def _bad_day(name: str) -> date:
    raise StockRowError(f"{name}: a date YYYY-MM-DD")


def _known(session: Session, tin: str) -> None:
    if session.get(Taxpayer, tin) is None:
        raise StockRowError("tin: not a registered taxpayer (import it under taxpayers first)")


def upsert_approval(session: Session, row: Mapping[str, Any], tin: str) -> bool:
    kind = _kind(row)
    caps = {name: _count(row, name) for name in ("per_pickup_max", "monthly_max", "holding_max")}
    _known(session, tin)
    existing = session.get(InvoiceApproval, (tin, kind))
    if existing is None:
        session.add(InvoiceApproval(tin=tin, invoice_kind=kind, **caps))
        return True
    for name, value in caps.items():
        setattr(existing, name, value)
    return False


def _range_taken(session: Session, model: Any, code: str, first: int, last: int,
                 exclude_id: int | None = None) -> bool:
    query = select(model.id).where(model.code == code, model.first_no <= last,
                                   model.last_no >= first)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return session.execute(query.limit(1)).first() is not None


def upsert_holding(session: Session, row: Mapping[str, Any], tin: str) -> bool:
    kind, code = _kind(row), _code(row)
    first, last = _range(row)
    picked = _day(row, "picked_up_on")
    used, uploaded = _count(row, "used"), _count(row, "uploaded")
    if used > last - first + 1:
        raise StockRowError("used: more than the range holds")
    _known(session, tin)
    existing = session.execute(select(InvoiceHolding).where(
        InvoiceHolding.code == code, InvoiceHolding.first_no == first)).scalar_one_or_none()
    if _range_taken(session, InvoiceHolding, code, first, last,
                    existing.id if existing is not None else None):
        raise StockRowError("first/last: overlaps another holding of this code")
    fields = {"tin": tin, "invoice_kind": kind, "last_no": last, "picked_up_on": picked,
              "used": used, "uploaded": uploaded}
    if existing is None:
        session.add(InvoiceHolding(code=code, first_no=first, **fields))
        return True
    if existing.tin != tin:
        raise StockRowError("first: this range is held by another taxpayer")
    for name, value in fields.items():
        setattr(existing, name, value)
    return False


def upsert_order(session: Session, row: Mapping[str, Any], tin: str) -> bool:
    number = row.get("application_no")
    if not isinstance(number, str) or not APPLICATION_NO_RE.fullmatch(number):
        raise StockRowError("application_no: 1 to 32 digits, letters or dashes")
    code = row.get("pickup_code")
    if not isinstance(code, str) or not PICKUP_CODE_RE.fullmatch(code):
        raise StockRowError("pickup_code: 4 to 16 digits or letters")
    method = row.get("method")
    if method not in (METHOD_TERMINAL, METHOD_COURIER):
        raise StockRowError("method: \"02\" (terminal) or \"03\" (courier)")
    hall = row.get("hall", "")
    if not isinstance(hall, str) or not HALL_RE.fullmatch(hall):
        raise StockRowError("hall: a hall id (letters, digits, - _ .), empty for any hall")
    fields = {"tin": tin, "pickup_code": code.upper(), "invoice_kind": _kind(row),
              "quantity": _count(row, "quantity", low=1), "method": method, "hall": hall,
              "applied_on": _day(row, "applied_on")}
    _known(session, tin)
    clash = session.execute(select(PickupOrder.application_no).where(
        PickupOrder.pickup_code == fields["pickup_code"],
        PickupOrder.application_no != number)).first()
    if clash is not None:
        raise StockRowError("pickup_code: already used by another application")
    existing = session.get(PickupOrder, number)
    if existing is None:
        session.add(PickupOrder(application_no=number, **fields))
        return True
    if existing.tin != tin:
        raise StockRowError("application_no: already registered for another taxpayer")
    for name, value in fields.items():
        setattr(existing, name, value)
    return False


def upsert_allocation(session: Session, row: Mapping[str, Any]) -> bool:
    hall = row.get("hall")
    if not isinstance(hall, str) or not hall or not HALL_RE.fullmatch(hall):
        raise StockRowError("hall: a hall id (letters, digits, - _ .)")
    kind, code = _kind(row), _code(row)
    first, last = _range(row)
    existing = session.execute(select(StockAllocation).where(
        StockAllocation.code == code, StockAllocation.first_no == first)).scalar_one_or_none()
    if _range_taken(session, StockAllocation, code, first, last,
                    existing.id if existing is not None else None):
        raise StockRowError("first/last: overlaps another allocation of this code")
    if existing is None:
        session.add(StockAllocation(hall=hall, invoice_kind=kind, code=code, first_no=first,
                                    last_no=last))
        return True
    existing.hall, existing.invoice_kind, existing.last_no = hall, kind, last
    return False


def _with_tin(upsert: Any) -> Any:
    def run(session: Session, row: Mapping[str, Any], _now: datetime) -> bool:
        return bool(upsert(session, row, parse_tin(row.get("tin"))))
    return run


#: The registry sections this module imports (central.registry.import_registry).
UPSERTS: dict[str, Any] = {
    "approvals": _with_tin(upsert_approval),
    "holdings": _with_tin(upsert_holding),
    "pickup_orders": _with_tin(upsert_order),
    "allocations": lambda session, row, _now: upsert_allocation(session, row),
}


# -- look-ups -------------------------------------------------------------------------


def holdings(session: Session, tin: str, kind: str) -> list[Holding]:
    rows = session.execute(select(InvoiceHolding).where(
        InvoiceHolding.tin == tin, InvoiceHolding.invoice_kind == kind).order_by(
        InvoiceHolding.picked_up_on, InvoiceHolding.code, InvoiceHolding.first_no)).scalars()
    return [Holding(r.invoice_kind, r.code, r.first_no, r.last_no, r.used, r.uploaded)
            for r in rows]


def picked_up_this_month(session: Session, tin: str, kind: str, today: date) -> int:
    start = today.replace(day=1)
    total = session.execute(select(func.coalesce(func.sum(
        InvoiceHolding.last_no - InvoiceHolding.first_no + 1), 0)).where(
        InvoiceHolding.tin == tin, InvoiceHolding.invoice_kind == kind,
        InvoiceHolding.picked_up_on >= start, InvoiceHolding.picked_up_on <= today)).scalar_one()
    return int(total)


def _pieces(h: Holding) -> dict[str, Any]:
    return {"invoice_kind": h.invoice_kind, "code": h.code, "first": f"{h.first:08d}",
            "last": f"{h.last:08d}", "count": h.count, "used": h.used, "uploaded": h.uploaded,
            "verified": h.verified}


def assess(session: Session, order: PickupOrder, today: date) -> dict[str, Any]:
    """An order as the kiosk shows it: the application, 验旧 rows, the caps and the
    refusal (code) if the taxpayer cannot collect now. `quantity` is what is left."""
    left = order.quantity - order.issued
    answer: dict[str, Any] = {
        "application_no": order.application_no, "pickup_code": order.pickup_code,
        "invoice_kind": order.invoice_kind, "quantity": left, "method": order.method,
        "hall": order.hall, "applied_on": order.applied_on.isoformat(), "tin": order.tin,
        "verify_rows": [], "caps": None, "refusal": None}
    taxpayer = session.get(Taxpayer, order.tin)
    answer["name"] = taxpayer.name if taxpayer is not None else ""
    if order.status == "done" or left <= 0:
        answer["refusal"] = "pickup.done"
        return answer
    if taxpayer is None or taxpayer.status != "normal":
        answer["refusal"] = "pickup.no_eligibility"
        return answer
    approval = session.get(InvoiceApproval, (order.tin, order.invoice_kind))
    if approval is None:
        answer["refusal"] = "pickup.no_approval"
        return answer
    held = holdings(session, order.tin, order.invoice_kind)
    answer["verify_rows"] = [_pieces(h) for h in held]
    month_left = max(0, approval.monthly_max
                     - picked_up_this_month(session, order.tin, order.invoice_kind, today))
    bal = balance(held)
    answer["caps"] = {"balance": bal, "per_pickup_max": approval.per_pickup_max,
                      "holding_max": approval.holding_max, "monthly_max": approval.monthly_max,
                      "month_left": month_left,
                      "max_now": max_now(approval.per_pickup_max, approval.holding_max, bal,
                                         month_left),
                      "reason": cap_reason(approval.per_pickup_max, approval.holding_max, bal,
                                           month_left)}
    other = session.execute(select(PickupOrder.application_no).where(
        PickupOrder.tin == order.tin, PickupOrder.invoice_kind == order.invoice_kind,
        PickupOrder.status == "pending", PickupOrder.issued > 0,
        PickupOrder.application_no != order.application_no).limit(1)).first()
    if other is not None:
        answer["refusal"] = "pickup.pending_application"
    elif session.execute(select(Arrear.tin).where(Arrear.tin == order.tin).limit(1)).first():
        answer["refusal"] = "pickup.arrears"
    elif not verified(held):
        answer["refusal"] = "pickup.not_verified"
    elif left > answer["caps"]["max_now"]:
        answer["refusal"] = "pickup.over_cap"
    return answer


def find_order(session: Session, pickup_code: str) -> PickupOrder | None:
    return session.execute(select(PickupOrder).where(
        PickupOrder.pickup_code == pickup_code.upper())).scalar_one_or_none()


def serves(order: PickupOrder, hall: str | None, method: str) -> bool:
    return order.method == method and (order.hall == "" or order.hall == (hall or ""))


def pending_orders(session: Session, tin: str | None, hall: str | None, method: str
                   ) -> list[PickupOrder]:
    """Pending orders of one taxpayer (or all) a kiosk of `hall` serves by `method`."""
    query = select(PickupOrder).where(PickupOrder.status == "pending",
                                      PickupOrder.method == method,
                                      or_(PickupOrder.hall == "", PickupOrder.hall == (hall or "")))
    if tin is not None:
        query = query.where(PickupOrder.tin == tin)
    return list(session.execute(query.order_by(PickupOrder.applied_on,
                                               PickupOrder.application_no)).scalars())


def check_box(session: Session, hall: str | None, kind: str, code: str, first: int,
              last: int) -> dict[str, Any]:
    """Is this box allocated to the hall, and were none of its numbers issued yet?
    `{ok, reason}`: reason `stock.unknown` (no allocation of the hall holds it),
    `stock.issued` (some numbers already left a dispenser)."""
    rows = session.execute(select(StockAllocation).where(
        StockAllocation.hall == (hall or ""), StockAllocation.code == code,
        StockAllocation.invoice_kind == kind)).scalars()
    if not any(within(first, last, r.first_no, r.last_no) for r in rows):
        return {"ok": False, "reason": "stock.unknown"}
    if _range_taken(session, IssuedRange, code, first, last):
        return {"ok": False, "reason": "stock.issued"}
    return {"ok": True, "reason": None}


def hall_snapshot(session: Session, hall: str | None, today: date) -> dict[str, Any]:
    """What a kiosk of `hall` caches for offline pickup: every pending terminal order it
    serves, assessed as of today, with the holder's ID number hash-free: the kiosk
    matches the ID card it reads against `id_number` (personal data: sealed)."""
    items = []
    for order in pending_orders(session, None, hall, METHOD_TERMINAL):
        item = assess(session, order, today)
        taxpayer = session.get(Taxpayer, order.tin)
        item["id_number"] = taxpayer.id_number if taxpayer is not None else None
        items.append(item)
    return {"orders": items, "as_of": today.isoformat()}


def mark_issued(session: Session, *, kiosk_id: str, pickup_id: str, application_no: str,
                boxes: Sequence[Mapping[str, Any]], waybill: str, now: datetime
                ) -> dict[str, Any]:
    """Record a pickup's ranges (idempotent per pickup id): taken boxes become the
    taxpayer's holdings and count toward the order, retracted ones are kept apart. A
    range that overlaps one already recorded by another pickup is refused whole."""
    done = session.execute(select(IssuedRange).where(
        IssuedRange.pickup_id == pickup_id)).scalars().all()
    order = session.get(PickupOrder, application_no)
    if order is None:
        return {"status": "unknown_application"}
    if done:
        return {"status": "recorded", "issued": sum(r.last_no - r.first_no + 1 for r in done
                                                    if r.status == "issued")}
    for box in boxes:
        if _range_taken(session, IssuedRange, box["code"], box["first"], box["last"]):
            return {"status": "overlap", "code": box["code"]}
    taken = 0
    for box in boxes:
        status = "issued" if box["taken"] else "retracted"
        session.add(IssuedRange(code=box["code"], first_no=box["first"], last_no=box["last"],
                                invoice_kind=box["invoice_kind"], tin=order.tin,
                                application_no=application_no, kiosk_id=kiosk_id,
                                pickup_id=pickup_id, status=status, at=now))
        if box["taken"]:
            taken += box["last"] - box["first"] + 1
            session.add(InvoiceHolding(tin=order.tin, invoice_kind=box["invoice_kind"],
                                       code=box["code"], first_no=box["first"],
                                       last_no=box["last"], picked_up_on=now.date(), used=0,
                                       uploaded=0))
    order.issued += taken
    if waybill:
        order.waybill = waybill
    if order.issued >= order.quantity:
        order.status = "done"
    session.flush()
    return {"status": "recorded", "issued": taken}
