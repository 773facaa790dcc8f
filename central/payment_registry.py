"""Registry sections and look-ups of the paying services (issue #11 §1): vehicles,
the province's vehicle rate table, IIT annual prefilled figures, social insurance
bases, 三方协议 (tables in central.payment_services_db).

Import format (docs/automation.md, "Taxpayer registry"), each list optional, each row
upserted by its natural key like the other sections of central.registry:

- `vehicles`: {tin, vin (17), plate, displacement_l ("1.998"), bought_on, insurer_collected
  (bool, default false), paid_through (a year, optional)}; key TIN + VIN.
- `vehicle_rates`: {bracket (VEHICLE_BRACKETS), annual}; key bracket.
- `iit_prefill`: {tin, year, wages, labour, royalties, withheld, special_additional,
  social_insurance (amounts, "0" allowed), refund_bank, refund_account (digits)};
  key TIN + year.
- `social_insurance_bases`: {year, kind (pension | medical), level ("60%"), base,
  rate ("0.20")}; key year + kind + level.
- `agreements`: {tin, protocol_no, bank, account (digits), state (verified |
  unverified | revoked, or 已验证 / 未验证 / 已撤销), signed_on}; key TIN + protocol_no.

The look-ups answer what the kiosk's services need and no more: bank accounts leave
the central service only masked to their last 4 digits.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.payment_services_db import (
    AGREEMENT_STATES,
    SOCIAL_INSURANCE_KINDS,
    Agreement,
    IitPrefill,
    SocialInsuranceBase,
    SocialInsurancePaid,
    Vehicle,
    VehicleRate,
)
from central.registry import (
    RowError,
    _amount,
    _date,
    _known_tin,
    _text,
    _year,
    parse_tin,
)

#: Displacement brackets of passenger cars, keyed as the kiosk's calculator
#: (kiosk/domain/calculators.py VEHICLE_BRACKETS), with the national range of the
#: yearly amount each province picks from (车船税法 税目税额表).
VEHICLE_BRACKETS: dict[str, tuple[Decimal, Decimal]] = {
    "up_to_1.0": (Decimal(60), Decimal(360)), "1.0-1.6": (Decimal(300), Decimal(540)),
    "1.6-2.0": (Decimal(360), Decimal(660)), "2.0-2.5": (Decimal(660), Decimal(1200)),
    "2.5-3.0": (Decimal(1200), Decimal(2400)), "3.0-4.0": (Decimal(2400), Decimal(3600)),
    "over_4.0": (Decimal(3600), Decimal(5400))}
VIN_RE = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")  # ISO 3779: no I, O or Q
PLATE_RE = re.compile(r"^[\u4e00-\u9fff][A-Z][A-Z0-9]{5,6}$")  # 京A12345, 京AD12345
ACCOUNT_RE = re.compile(r"^[0-9]{8,32}$")
PROTOCOL_RE = re.compile(r"^[0-9A-Za-z-]{1,32}$")
AGREEMENT_STATE_NAMES = {"已验证": "verified", "未验证": "unverified", "已撤销": "revoked"}
SECTIONS = ("vehicles", "vehicle_rates", "iit_prefill", "social_insurance_bases",
            "agreements")


def mask_account(account: str) -> str:
    """A bank account as it may leave the central service: only its last 4 digits."""
    return "*" * max(0, len(account) - 4) + account[-4:] if len(account) > 4 \
        else "*" * len(account)


def _litres(row: Mapping[str, Any]) -> str:
    value = row.get("displacement_l")
    if not isinstance(value, str):
        raise RowError("displacement_l: litres as text, e.g. \"1.998\"")
    try:
        litres = Decimal(value.strip())
    except InvalidOperation:
        raise RowError("displacement_l: not a number") from None
    if not litres.is_finite() or not Decimal(0) < litres <= Decimal(20) \
            or litres != litres.quantize(Decimal("0.001")):
        raise RowError("displacement_l: more than 0 up to 20 litres, at most 3 decimals")
    return str(litres)


def _vehicle(session: Session, row: Mapping[str, Any], _now: datetime) -> bool:
    tin = parse_tin(row.get("tin"))
    vin = row.get("vin")
    if not isinstance(vin, str) or not VIN_RE.fullmatch(vin.strip().upper()):
        raise RowError("vin: 17 digits or capital letters (no I, O, Q)")
    vin = vin.strip().upper()
    plate = _text(row, "plate", 16, required=False).upper()
    if plate and not PLATE_RE.fullmatch(plate):
        raise RowError("plate: a province character, a letter and 5-6 letters or digits")
    insurer = row.get("insurer_collected", False)
    if not isinstance(insurer, bool):
        raise RowError("insurer_collected: true or false")
    paid_through = row.get("paid_through")
    if paid_through is not None:
        paid_through = _year({"year": paid_through})
    fields = {"plate": plate, "displacement_l": _litres(row),
              "bought_on": _date(row, "bought_on"), "insurer_collected": insurer,
              "paid_through": paid_through}
    _known_tin(session, tin)
    existing = session.execute(select(Vehicle).where(
        Vehicle.tin == tin, Vehicle.vin == vin)).scalar_one_or_none()
    if existing is None:
        session.add(Vehicle(tin=tin, vin=vin, **fields))
        return True
    for name, value in fields.items():
        setattr(existing, name, value)
    return False


def _vehicle_rate(session: Session, row: Mapping[str, Any], _now: datetime) -> bool:
    bracket = row.get("bracket")
    if not isinstance(bracket, str) or bracket not in VEHICLE_BRACKETS:
        raise RowError(f"bracket: one of {', '.join(VEHICLE_BRACKETS)}")
    annual = _amount(row, "annual")
    low, high = VEHICLE_BRACKETS[bracket]
    if not low <= annual <= high:
        raise RowError(f"annual: within the national range {low}-{high} for {bracket}")
    existing = session.get(VehicleRate, bracket)
    if existing is None:
        session.add(VehicleRate(bracket=bracket, annual=annual))
        return True
    existing.annual = annual
    return False


def _iit_prefill(session: Session, row: Mapping[str, Any], _now: datetime) -> bool:
    tin = parse_tin(row.get("tin"))
    year = _year(row)
    fields: dict[str, Any] = {name: _amount(row, name, allow_zero=True) for name in (
        "wages", "labour", "royalties", "withheld", "special_additional",
        "social_insurance")}
    fields["refund_bank"] = _text(row, "refund_bank", 100, required=False)
    account = row.get("refund_account")
    if account is not None and (not isinstance(account, str)
                                or not ACCOUNT_RE.fullmatch(account.strip())):
        raise RowError("refund_account: 8 to 32 digits")
    fields["refund_account"] = account.strip() if isinstance(account, str) else None
    _known_tin(session, tin)
    existing = session.get(IitPrefill, (tin, year))
    if existing is None:
        session.add(IitPrefill(tin=tin, year=year, **fields))
        return True
    for name, value in fields.items():
        setattr(existing, name, value)
    return False


def _si_base(session: Session, row: Mapping[str, Any], _now: datetime) -> bool:
    year = _year(row)
    kind = row.get("kind")
    if kind not in SOCIAL_INSURANCE_KINDS:
        raise RowError(f"kind: one of {', '.join(SOCIAL_INSURANCE_KINDS)}")
    level = _text(row, "level", 16)
    base = _amount(row, "base")
    rate_text = row.get("rate")
    try:
        rate = Decimal(rate_text.strip()) if isinstance(rate_text, str) else None
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite() or not Decimal(0) < rate < Decimal(1) \
            or rate != rate.quantize(Decimal("0.0001")):
        raise RowError("rate: a fraction above 0 and below 1 as text, e.g. \"0.20\"")
    existing = session.get(SocialInsuranceBase, (year, kind, level))
    if existing is None:
        session.add(SocialInsuranceBase(year=year, kind=kind, level=level, base=base,
                                        rate=str(rate)))
        return True
    existing.base, existing.rate = base, str(rate)
    return False


def _agreement(session: Session, row: Mapping[str, Any], _now: datetime) -> bool:
    tin = parse_tin(row.get("tin"))
    number = row.get("protocol_no")
    if not isinstance(number, str) or not PROTOCOL_RE.fullmatch(number.strip()):
        raise RowError("protocol_no: 1 to 32 digits, letters or dashes")
    number = number.strip()
    state = row.get("state")
    if isinstance(state, str):
        state = AGREEMENT_STATE_NAMES.get(state, state)
    if state not in AGREEMENT_STATES:
        raise RowError(f"state: one of {', '.join(AGREEMENT_STATES)} (or 已验证, 未验证, "
                       f"已撤销)")
    account = row.get("account")
    if not isinstance(account, str) or not ACCOUNT_RE.fullmatch(account.strip()):
        raise RowError("account: 8 to 32 digits")
    fields = {"bank": _text(row, "bank", 100), "account": account.strip(),
              "state": state, "signed_on": _date(row, "signed_on")}
    _known_tin(session, tin)
    existing = session.get(Agreement, (tin, number))
    if existing is None:
        session.add(Agreement(tin=tin, protocol_no=number, **fields))
        return True
    for name, value in fields.items():
        setattr(existing, name, value)
    return False


UPSERTS = {"vehicles": _vehicle, "vehicle_rates": _vehicle_rate,
           "iit_prefill": _iit_prefill, "social_insurance_bases": _si_base,
           "agreements": _agreement}


# --- look-ups (the sealed kiosk calls of central.routes.payments) ----------------------

def vehicle_rates(session: Session) -> dict[str, str]:
    return {r.bracket: str(r.annual) for r in session.execute(select(VehicleRate)).scalars()}


def vehicles(session: Session, tin: str) -> dict[str, Any]:
    """The person's vehicles and the province's rate table (complete or empty)."""
    rows = session.execute(select(Vehicle).where(Vehicle.tin == tin)
                           .order_by(Vehicle.bought_on, Vehicle.vin)).scalars()
    rates = vehicle_rates(session)
    return {"vehicles": [{"vin": v.vin, "plate": v.plate, "displacement_l": v.displacement_l,
                          "bought_on": v.bought_on.isoformat(),
                          "insurer_collected": v.insurer_collected,
                          "paid_through": v.paid_through} for v in rows],
            "rates": rates if set(rates) == set(VEHICLE_BRACKETS) else {}}


def iit_prefill(session: Session, tin: str, year: int) -> dict[str, Any]:
    row = session.get(IitPrefill, (tin, year))
    if row is None:
        return {"year": year, "prefill": None}
    return {"year": year, "prefill": {
        name: str(getattr(row, name)) for name in (
            "wages", "labour", "royalties", "withheld", "special_additional",
            "social_insurance")},
        "refund_bank": row.refund_bank,
        "refund_account": mask_account(row.refund_account) if row.refund_account else None}


def social_insurance(session: Session, tin: str, year: int) -> dict[str, Any]:
    # Pension first, then by base (sorted here: SQLite keeps money as text).
    bases = sorted(session.execute(select(SocialInsuranceBase).where(
        SocialInsuranceBase.year == year)).scalars(),
        key=lambda b: (SOCIAL_INSURANCE_KINDS.index(b.kind), b.base, b.level))
    paid = session.execute(select(SocialInsurancePaid).where(
        SocialInsurancePaid.tin == tin, SocialInsurancePaid.month.like(f"{year:04d}%"))
        .order_by(SocialInsurancePaid.kind, SocialInsurancePaid.month)).scalars()
    return {"year": year,
            "bases": [{"kind": b.kind, "level": b.level, "base": str(b.base),
                       "rate": b.rate} for b in bases],
            "paid": [{"kind": p.kind, "month": p.month} for p in paid]}


def agreements(session: Session, tin: str) -> dict[str, Any]:
    rows = session.execute(select(Agreement).where(Agreement.tin == tin)
                           .order_by(Agreement.signed_on.desc(),
                                     Agreement.protocol_no)).scalars()
    return {"items": [{"protocol_no": a.protocol_no, "bank": a.bank,
                       "account": mask_account(a.account), "state": a.state,
                       "signed_on": a.signed_on.isoformat()} for a in rows]}


# --- what a recorded payment settles (called by the tax.payment ingest) ----------------

def settle_items(session: Session, tin: str, order_ref: str,
                 items: list[Mapping[str, Any]]) -> None:
    """Mark what a recorded payment paid beyond arrears: a vehicle's tax years
    (`kind` "vehicle", `ref` the VIN, `period` YYYY12: paid_through moves up to that
    year) and social insurance months (`kind` "social_insurance", `ref` the insurance
    kind, `period` the month). Idempotent; unknown refs are left alone."""
    for item in items:
        kind, ref, period = item.get("kind"), item.get("ref"), item.get("period")
        if not isinstance(ref, str) or not isinstance(period, str) or len(period) != 6:
            continue
        if kind == "vehicle":
            car = session.execute(select(Vehicle).where(
                Vehicle.tin == tin, Vehicle.vin == ref)).scalar_one_or_none()
            year = int(period[:4])
            if car is not None and (car.paid_through is None or car.paid_through < year):
                car.paid_through = year
        elif kind == "social_insurance" and ref in SOCIAL_INSURANCE_KINDS:
            if session.get(SocialInsurancePaid, (tin, ref, period)) is None:
                session.add(SocialInsurancePaid(tin=tin, kind=ref, month=period,
                                                order_ref=order_ref[:64]))
    session.flush()
