"""Fully-digital invoices and the invoice lottery at the central service (issue #12 §3,
§4; services.md §6): the registry sections `digital_invoices` and `campaigns`, a
taxpayer's received and issued 数电票 and their print count, and the lottery entry.

The lottery is decided here only (the kiosk never draws): an entry is eligible when the
invoice is a 数电普票 (not 专票, not 代开) issued to a natural person who is the
identified person (name and number), not entered before, issued and entered within a
running campaign whose industries include the issuer's, and at least the campaign's
minimum amount (价税合计); then the person's limits (per day, per month, per campaign,
per merchant; a count equal to the limit refuses) hold. The draw is weighted by the
campaign's prize weights with the service's RNG (`CentralState.lottery_rng`, the
system's CSPRNG; tests seed their own), and the entry is stored with its result.
Tables in central.lottery_db.
"""
from __future__ import annotations

import json
import random
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central.db import Taxpayer
from central.lottery_db import DigitalInvoice, LotteryCampaign, LotteryEntry
from central.registry import (
    ID_NUMBER_RE,
    RowError,
    _amount,
    _date,
    _text,
    parse_tin,
)

_CHINA = timezone(timedelta(hours=8))
_FEN = Decimal("0.01")
NUMBER_RE = re.compile(r"^[0-9]{20}$")  # a 数电票 number
CAMPAIGN_ID_RE = re.compile(r"^[0-9A-Za-z_-]{1,32}$")
KINDS = {"普通发票": "normal", "normal": "normal", "专用发票": "special", "special": "special"}
MAX_ITEMS = 100
MAX_LIMIT = 100_000
MAX_PRIZES = 20
#: Why an entry is refused, in the order they are checked (ui/messages.py words them).
REFUSALS = ("lottery.unknown_invoice", "lottery.mismatch", "lottery.not_ordinary",
            "lottery.on_behalf", "lottery.not_person", "lottery.not_buyer",
            "lottery.already_entered", "lottery.no_campaign", "lottery.industry",
            "lottery.below_min", "lottery.limit_day", "lottery.limit_month",
            "lottery.limit_campaign", "lottery.limit_merchant")


# -- import rows ----------------------------------------------------------------------

def _decimal_text(value: Any, name: str, *, allow_zero: bool = True,
                  places: int = 2) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise RowError(f"{name}: a decimal string")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise RowError(f"{name}: not a decimal number") from None
    if not number.is_finite() or cast(int, number.as_tuple().exponent) < -places \
            or number < 0 or (number == 0 and not allow_zero) or number > Decimal("1e12"):
        raise RowError(f"{name}: a number 0..10^12 with at most {places} decimal places")
    return number


def _items(row: Mapping[str, Any]) -> list[dict[str, str]]:
    value = row.get("items")
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_ITEMS:
        raise RowError(f"items: a list of 1 to {MAX_ITEMS} lines")
    out = []
    for line in value:
        if not isinstance(line, dict):
            raise RowError("items: each line is {name, quantity, unit_price, amount, "
                           "tax_rate}")
        rate = _decimal_text(line.get("tax_rate"), "items.tax_rate", places=4)
        if rate > 1:
            raise RowError("items.tax_rate: a fraction such as \"0.13\"")
        out.append({"name": _text(line, "name", 100),
                    "quantity": str(_decimal_text(line.get("quantity"), "items.quantity",
                                                  allow_zero=False, places=6)),
                    "unit_price": str(_decimal_text(line.get("unit_price"),
                                                    "items.unit_price", places=8)),
                    "amount": str(_decimal_text(line.get("amount"), "items.amount")),
                    "tax_rate": str(rate)})
    return out


def upsert_digital_invoice(session: Session, row: Mapping[str, Any],
                           _now: datetime) -> bool:
    number = row.get("number")
    if not isinstance(number, str) or not NUMBER_RE.fullmatch(number.strip()):
        raise RowError("number: the 20 digits of a fully-digital invoice")
    number = number.strip()
    buyer_tin = row.get("buyer_tin") or ""
    if buyer_tin:
        buyer_tin = parse_tin(buyer_tin, "buyer_tin")
    raw_kind = row.get("kind", "普通发票")
    kind = KINDS.get(raw_kind) if isinstance(raw_kind, str) else None
    if kind is None:
        raise RowError("kind: 普通发票 or 专用发票 (default 普通发票)")
    on_behalf = row.get("on_behalf", False)
    if not isinstance(on_behalf, bool):
        raise RowError("on_behalf: true or false")
    amount, tax, total = (_amount(row, "amount", allow_zero=True),
                          _amount(row, "tax", allow_zero=True), _amount(row, "total"))
    if amount + tax != total:
        raise RowError("total: must be amount + tax")
    fields: dict[str, Any] = {
        "issued_on": _date(row, "issued_on"), "kind": kind,
        "seller_tin": parse_tin(row.get("seller_tin"), "seller_tin"),
        "seller_name": _text(row, "seller_name", 200), "buyer_tin": buyer_tin,
        "buyer_name": _text(row, "buyer_name", 200), "amount": amount, "tax": tax,
        "total": total, "items": json.dumps(_items(row), ensure_ascii=False),
        "on_behalf": on_behalf}
    existing = session.get(DigitalInvoice, number)
    if existing is None:  # `printed` is the kiosks' count: never reset by an import
        session.add(DigitalInvoice(number=number, printed=0, **fields))
        return True
    for name, value in fields.items():
        setattr(existing, name, value)
    return False


def _limit(row: Mapping[str, Any], name: str) -> int | None:
    value = row.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LIMIT:
        raise RowError(f"{name}: a whole number 1..{MAX_LIMIT}, or null for no limit")
    return value


def _prizes(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    value = row.get("prizes")
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_PRIZES:
        raise RowError(f"prizes: a list of 1 to {MAX_PRIZES} tiers")
    out = []
    for prize in value:
        if not isinstance(prize, dict):
            raise RowError("prizes: each tier is {tier, amount, weight}")
        weight = prize.get("weight")
        if isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight <= 10**9:
            raise RowError("prizes.weight: a whole number 0..10^9")
        claim_days = prize.get("claim_days")
        if claim_days is not None and (isinstance(claim_days, bool) or not isinstance(
                claim_days, int) or not 1 <= claim_days <= 366):
            raise RowError("prizes.claim_days: days 1..366 to claim in person, or absent")
        amount = _decimal_text(prize.get("amount"), "prizes.amount")
        if amount > 800:  # the national rule: at most 800 yuan per invoice
            raise RowError("prizes.amount: at most 800 yuan")
        out.append({"tier": _text(prize, "tier", 32), "amount": str(amount.quantize(_FEN)),
                    "weight": weight, "claim_days": claim_days})
    if not any(p["weight"] for p in out):
        raise RowError("prizes: at least one tier needs a weight above 0")
    return out


def upsert_campaign(session: Session, row: Mapping[str, Any], _now: datetime) -> bool:
    ident = row.get("id")
    if not isinstance(ident, str) or not CAMPAIGN_ID_RE.fullmatch(ident.strip()):
        raise RowError("id: 1 to 32 letters, digits, _ or -")
    ident = ident.strip()
    starts_on, ends_on = _date(row, "starts_on"), _date(row, "ends_on")
    assert starts_on is not None and ends_on is not None
    if ends_on < starts_on:
        raise RowError("ends_on: before starts_on")
    industries = row.get("industries")
    if not isinstance(industries, list) or not 1 <= len(industries) <= 200 or not all(
            isinstance(i, str) and 0 < len(i.strip()) <= 100 for i in industries):
        raise RowError("industries: a list of 1 to 200 industry codes or names (\"*\": "
                       "any; \"-904\": excluded)")
    fields: dict[str, Any] = {
        "city": _text(row, "city", 50), "starts_on": starts_on, "ends_on": ends_on,
        "min_amount": _amount(row, "min_amount", allow_zero=True),
        "per_day": _limit(row, "per_day"), "per_month": _limit(row, "per_month"),
        "per_campaign": _limit(row, "per_campaign"),
        "per_merchant": _limit(row, "per_merchant"),
        "industries": json.dumps([i.strip() for i in industries], ensure_ascii=False),
        "prizes": json.dumps(_prizes(row), ensure_ascii=False)}
    existing = session.get(LotteryCampaign, ident)
    if existing is None:
        session.add(LotteryCampaign(id=ident, **fields))
        return True
    for name, value in fields.items():
        setattr(existing, name, value)
    return False


UPSERTS: dict[str, Any] = {"digital_invoices": upsert_digital_invoice,
                           "campaigns": upsert_campaign}


# -- digital invoices -----------------------------------------------------------------

def invoice_view(row: DigitalInvoice, tin: str) -> dict[str, Any]:
    """What a kiosk gets of an invoice the taxpayer `tin` received or issued."""
    return {"number": row.number, "issued_on": row.issued_on.isoformat(),
            "kind": row.kind, "direction": "issued" if row.seller_tin == tin else "received",
            "seller_tin": row.seller_tin, "seller_name": row.seller_name,
            "buyer_tin": row.buyer_tin, "buyer_name": row.buyer_name,
            "amount": str(row.amount), "tax": str(row.tax), "total": str(row.total),
            "items": json.loads(row.items), "on_behalf": row.on_behalf,
            "printed": row.printed}


def _theirs(row: DigitalInvoice, who: Taxpayer) -> bool:
    """The taxpayer issued it, or received it (by TIN, or a person by ID number)."""
    numbers = {who.tin} | ({who.id_number} if who.id_number else set())
    return row.seller_tin in numbers or (bool(row.buyer_tin) and row.buyer_tin in numbers)


def invoices_of(session: Session, who: Taxpayer, limit: int = 200) -> list[dict[str, Any]]:
    """The taxpayer's received and issued 数电票, newest first."""
    numbers = [who.tin] + ([who.id_number] if who.id_number else [])
    rows = session.execute(select(DigitalInvoice).where(or_(
        DigitalInvoice.seller_tin.in_(numbers), DigitalInvoice.buyer_tin.in_(numbers)))
        .order_by(DigitalInvoice.issued_on.desc(), DigitalInvoice.number.desc())
        .limit(limit)).scalars()
    return [invoice_view(r, who.tin) for r in rows]


def find_invoice(session: Session, who: Taxpayer, number: str, *,
                 lock: bool = False) -> DigitalInvoice | None:
    """The invoice `number` if it is the taxpayer's own (else None, as if unknown)."""
    query = select(DigitalInvoice).where(DigitalInvoice.number == number)
    row = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    return row if row is not None and _theirs(row, who) else None


def count_print(session: Session, who: Taxpayer, number: str) -> dict[str, Any] | None:
    """Count one paper copy of the taxpayer's invoice; its view with the new count, or
    None when it is not theirs. The caller commits."""
    row = find_invoice(session, who, number, lock=True)
    if row is None:
        return None
    row.printed = (row.printed or 0) + 1
    session.flush()
    return invoice_view(row, who.tin)


# -- the lottery ----------------------------------------------------------------------

def china_day(now: datetime) -> date:
    return now.astimezone(_CHINA).date()


def is_natural_person(session: Session, buyer_tin: str) -> bool:
    """A buyer is a natural person when their number is a registered person's, or a
    resident ID number nobody registered as an enterprise."""
    if not buyer_tin:
        return False  # a real-name entry needs the buyer's ID number on the invoice
    found = session.get(Taxpayer, buyer_tin)
    if found is not None:
        return found.kind == "person"
    if session.execute(select(Taxpayer.tin).where(
            Taxpayer.kind == "person", Taxpayer.id_number == buyer_tin)).first():
        return True
    return bool(ID_NUMBER_RE.fullmatch(buyer_tin))


def industry_matches(industries: Sequence[str], industry: str) -> bool:
    """`industry` (the issuer's code or name) is in the list: equal to or starting
    with an entry, or "*"; an entry "-X" excludes what starts with X."""
    if not industry:
        return False
    if any(e.startswith("-") and industry.startswith(e[1:]) for e in industries):
        return False
    return any(e == "*" or industry.startswith(e) for e in industries
               if not e.startswith("-"))


def draw(rng: random.Random, prizes: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """One tier, chosen with probability weight / total weight."""
    total = sum(int(p["weight"]) for p in prizes)
    pick = rng.randrange(total)
    for prize in prizes:
        pick -= int(prize["weight"])
        if pick < 0:
            return prize
    raise AssertionError("unreachable: the weights add up to the total")


def _refused(code: str, **extra: Any) -> dict[str, Any]:
    return {"status": "refused", "refusal": code, **extra}


def _counts(session: Session, tin: str, campaign: LotteryCampaign, seller_tin: str,
            today: date) -> dict[str, int]:
    base = select(func.count()).select_from(LotteryEntry).where(
        LotteryEntry.tin == tin, LotteryEntry.campaign_id == campaign.id)
    month_start = today.replace(day=1)
    return {
        "day": int(session.execute(base.where(LotteryEntry.entered_on == today))
                   .scalar_one()),
        "month": int(session.execute(base.where(LotteryEntry.entered_on >= month_start,
                                                LotteryEntry.entered_on <= today))
                     .scalar_one()),
        "campaign": int(session.execute(base).scalar_one()),
        "merchant": int(session.execute(base.where(LotteryEntry.seller_tin == seller_tin))
                        .scalar_one())}


def enter(session: Session, who: Taxpayer, *, number: str, qr_total: Decimal | None,
          qr_issued_on: date | None, kiosk_id: str, today: date, now: datetime,
          rng: random.Random) -> dict[str, Any]:
    """Check the invoice `number` for the identified person `who` and draw. The answer
    is `{status: "refused", refusal, ...}` or `{status: "drawn", won, tier, amount,
    claim_by, campaign: {id, city}, counts}`. `today` is the service's date (the
    campaign's days and the day and month limits), `now` the entry's time. The caller
    commits."""
    if who.kind != "person":
        return _refused("lottery.not_person")
    # One person's entries are decided one at a time (their row locked on PostgreSQL).
    session.execute(select(Taxpayer.tin).where(Taxpayer.tin == who.tin).with_for_update())
    row = session.get(DigitalInvoice, number)
    if row is None:
        return _refused("lottery.unknown_invoice")
    # The QR's amount and date must be the invoice's (a QR made up for a real number).
    if (qr_total is not None and qr_total not in (row.total, row.amount)) or (
            qr_issued_on is not None and qr_issued_on != row.issued_on):
        return _refused("lottery.mismatch")
    if row.kind != "normal":
        return _refused("lottery.not_ordinary")
    if row.on_behalf:
        return _refused("lottery.on_behalf")
    if not is_natural_person(session, row.buyer_tin):
        return _refused("lottery.not_person")
    mine = {who.tin} | ({who.id_number} if who.id_number else set())
    if row.buyer_tin not in mine or row.buyer_name.strip() != who.name.strip():
        return _refused("lottery.not_buyer")
    if session.execute(select(LotteryEntry.id).where(
            LotteryEntry.invoice_number == number)).first() is not None:
        return _refused("lottery.already_entered")
    running = list(session.execute(select(LotteryCampaign).where(
        LotteryCampaign.starts_on <= today, LotteryCampaign.ends_on >= today,
        LotteryCampaign.starts_on <= row.issued_on, LotteryCampaign.ends_on >= row.issued_on)
        .order_by(LotteryCampaign.starts_on, LotteryCampaign.id)).scalars())
    if not running:
        return _refused("lottery.no_campaign")
    seller = session.get(Taxpayer, row.seller_tin)
    industry = (seller.industry or "") if seller is not None else ""
    campaign = next((c for c in running
                     if industry_matches(json.loads(c.industries), industry)), None)
    if campaign is None:
        return _refused("lottery.industry")
    info = {"campaign": {"id": campaign.id, "city": campaign.city,
                         "ends_on": campaign.ends_on.isoformat()}}
    if row.total < campaign.min_amount:
        return _refused("lottery.below_min", min_amount=str(campaign.min_amount), **info)
    counts = _counts(session, who.tin, campaign, row.seller_tin, today)
    for name in ("day", "month", "campaign", "merchant"):
        limit = getattr(campaign, f"per_{name}")
        if limit is not None and counts[name] >= limit:
            return _refused(f"lottery.limit_{name}", limit=limit, used=counts[name], **info)
    prize = draw(rng, json.loads(campaign.prizes))
    amount = Decimal(str(prize["amount"])).quantize(_FEN)
    won = amount > 0
    claim_by = today + timedelta(days=int(prize["claim_days"])) \
        if won and prize.get("claim_days") else None
    savepoint = session.begin_nested()
    try:
        session.add(LotteryEntry(campaign_id=campaign.id, invoice_number=number,
                                 tin=who.tin, seller_tin=row.seller_tin, kiosk_id=kiosk_id,
                                 entered_at=now.astimezone(UTC), entered_on=today,
                                 tier=str(prize["tier"]), prize=amount, claim_by=claim_by))
        session.flush()
    except IntegrityError:  # entered at another kiosk at the same instant
        savepoint.rollback()
        return _refused("lottery.already_entered")
    savepoint.commit()
    counts = {k: v + 1 for k, v in counts.items()}
    return {"status": "drawn", "won": won, "tier": str(prize["tier"]),
            "amount": str(amount), "claim_by": claim_by.isoformat() if claim_by else None,
            "invoice": {"number": row.number, "seller_name": row.seller_name,
                        "total": str(row.total), "issued_on": row.issued_on.isoformat()},
            "counts": counts, "limits": {n: getattr(campaign, f"per_{n}") for n in
                                         ("day", "month", "campaign", "merchant")},
            **info}
