"""The invoice verification rule of the reference central service.

It copies the national platform's behaviour (domain.md section 1): which fields each
invoice type needs, at most 5 checks per invoice per day, invoices issued today or
more than 5 years ago are out of range.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central.db import Invoice, VerificationLog

SPECIAL_TYPES = frozenset({"01", "08"})
GENERAL_TYPES = frozenset({"04", "10", "11", "14"})
FULLY_DIGITAL_TYPES = frozenset({"31", "32", "51"})
KNOWN_TYPES = SPECIAL_TYPES | GENERAL_TYPES | FULLY_DIGITAL_TYPES

MAX_CHECKS_PER_DAY = 5
MAX_AGE_YEARS = 5
OUTCOMES = ("genuine", "mismatch", "not_found", "void", "red_flushed", "abnormal",
            "too_many_checks", "out_of_period")
# |amount| below 10^12 fits NUMERIC(14,2).
MAX_ABS_AMOUNT = Decimal("999999999999.99")

# The platform's calendar: China has one time zone (UTC+8) and no daylight saving.
CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")

_DIGITS = re.compile(r"[0-9]+")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CENT = Decimal("0.01")


class QueryError(ValueError):
    """A verification query is malformed; the message says which field and why."""


@dataclass(frozen=True)
class VerifyQuery:
    """A validated verification request; `code` is "" for fully-digital invoices."""

    type_code: str
    code: str
    number: str
    issued_on: date
    amount: Decimal | None = None
    check_code_last6: str | None = None


def family(type_code: str) -> str:
    """'special', 'general' or 'fully_digital': decides which fields are compared."""
    if type_code in SPECIAL_TYPES:
        return "special"
    if type_code in GENERAL_TYPES:
        return "general"
    if type_code in FULLY_DIGITAL_TYPES:
        return "fully_digital"
    raise QueryError(f"type_code: unsupported invoice type {type_code!r}")


def parse_money(value: Any, field: str = "amount") -> Decimal:
    """Parse a money value exactly (str, int, Decimal; float via its shortest repr)."""
    if isinstance(value, bool):
        raise QueryError(f"{field}: not a number")
    if isinstance(value, (int, float, Decimal)):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise QueryError(f"{field}: not a number")
    if not text or len(text) > 24 or not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text):
        raise QueryError(f"{field}: {text[:30]!r} is not a decimal amount like 123.45")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern rules this out
        raise QueryError(f"{field}: not a decimal amount") from exc
    if amount != amount.quantize(_CENT, rounding="ROUND_DOWN"):
        raise QueryError(f"{field}: more than 2 decimal places")
    if abs(amount) > MAX_ABS_AMOUNT:
        raise QueryError(f"{field}: out of range")
    return amount.quantize(_CENT)


def parse_iso_date(value: Any, field: str = "issued_on") -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value.strip()):
        raise QueryError(f"{field}: expected a date as YYYY-MM-DD")
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise QueryError(f"{field}: {value.strip()!r} is not a real date") from exc


def _text(value: Any, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise QueryError(f"{field}: must be a string of digits")
    return value.strip()


def parse_query(data: Mapping[str, Any] | VerifyQuery) -> VerifyQuery:
    """Validate a query from JSON-like values (or typed ones) for its invoice type.

    Fields the type does not need are accepted and ignored, so a kiosk may always send
    what the QR code gave it.
    """
    if isinstance(data, VerifyQuery):
        data = asdict(data)
    type_code = _text(data.get("type_code"), "type_code")
    kind = family(type_code)
    code = _text(data.get("code"), "code")
    number = _text(data.get("number"), "number")

    if kind == "fully_digital":
        if code:
            raise QueryError("code: must be empty for a fully-digital invoice")
        if len(number) != 20 or not _DIGITS.fullmatch(number):
            raise QueryError("number: a fully-digital invoice number has 20 digits")
    else:
        if not code:
            raise QueryError("code: the invoice code is required for this invoice type")
        if len(code) not in (10, 12) or not _DIGITS.fullmatch(code):
            raise QueryError("code: the invoice code has 10 or 12 digits")
        if len(number) != 8 or not _DIGITS.fullmatch(number):
            raise QueryError("number: the invoice number has 8 digits")

    if data.get("issued_on") is None:
        raise QueryError("issued_on: the issue date is required")
    issued_on = parse_iso_date(data.get("issued_on"))

    raw_amount = data.get("amount")
    if isinstance(raw_amount, str) and not raw_amount.strip():
        raw_amount = None
    amount = None if raw_amount is None else parse_money(raw_amount)
    if amount is None and kind in ("special", "fully_digital"):
        what = "amount before tax" if kind == "special" else "total including tax"
        raise QueryError(f"amount: the {what} is required for this invoice type")

    check = _text(data.get("check_code_last6"), "check_code_last6") or None
    if check is not None:
        # The full 20-digit check code is accepted too: only its last 6 digits count.
        if len(check) not in (6, 20) or not _DIGITS.fullmatch(check):
            raise QueryError("check_code_last6: expected the last 6 digits of the check code")
        check = check[-6:]
    if check is None and kind == "general":
        raise QueryError(
            "check_code_last6: the last 6 digits of the check code are required "
            "for this invoice type")

    return VerifyQuery(type_code, code, number, issued_on, amount, check)


def china_today() -> date:
    """Today's date in China, the day the 5-per-day and period rules count in."""
    return datetime.now(CHINA_TZ).date()


def five_years_before(today: date) -> date:
    try:
        return today.replace(year=today.year - MAX_AGE_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - MAX_AGE_YEARS, day=28)


def is_out_of_period(issued_on: date, today: date) -> bool:
    """Issued today or later (verifiable from the next day), or older than 5 years."""
    return issued_on >= today or issued_on < five_years_before(today)


def _count_today(session: Session, code: str, number: str, today: date) -> int:
    count = session.connection().execute(
        _EXISTS, {"k_code": code, "k_number": number, "k_day": today}).scalar_one_or_none()
    return int(count) if count is not None else 0


_LOG = VerificationLog.__table__
_LOG_KEY = (_LOG.c.code == bindparam("k_code"), _LOG.c.number == bindparam("k_number"),
            _LOG.c.day == bindparam("k_day"))
# Built once: constructing these per record cost more than running them (drain rate).
_INCREMENT = (update(_LOG).where(*_LOG_KEY, _LOG.c.count < MAX_CHECKS_PER_DAY)
              .values(count=_LOG.c.count + 1).returning(_LOG.c.count))
_EXISTS = select(_LOG.c.count).where(*_LOG_KEY)
_FIRST = insert(_LOG).values(code=bindparam("k_code"), number=bindparam("k_number"),
                             day=bindparam("k_day"), count=1)
_INVOICE = select(Invoice.__table__).where(Invoice.code == bindparam("code"),
                                           Invoice.number == bindparam("number"))


def _take_check(session: Session, code: str, number: str, today: date) -> int | None:
    """Count one check atomically; None when the day's limit is already used up."""
    key = {"k_code": code, "k_number": number, "k_day": today}
    conn = session.connection()  # Core statements: no ORM layer per record
    for _ in range(3):
        count = conn.execute(_INCREMENT, key).scalar_one_or_none()
        if count is not None:
            return int(count)
        if conn.execute(_EXISTS, key).first() is not None:
            return None  # the row exists and is at the limit
        try:
            with session.begin_nested():
                session.execute(_FIRST, key)
            return 1
        except IntegrityError:
            continue  # a concurrent first check inserted the row: count again
    return None


def invoice_view(invoice: "Invoice | Row[Any]") -> dict[str, Any]:
    return {
        "type_code": invoice.type_code,
        "code": invoice.code,
        "number": invoice.number,
        "issued_on": invoice.issued_on.isoformat(),
        "amount": str(invoice.amount),
        "total": str(invoice.total),
        "seller_name": invoice.seller_name,
        "buyer_name": invoice.buyer_name,
    }


def _mismatch(query: VerifyQuery, invoice: "Invoice | Row[Any]") -> str | None:
    """The first field that disagrees with the registry, judged by the stored type.

    The stored type decides what must match: a caller who picked the wrong type and so
    did not send the field that type needs gets a mismatch on that field.
    """
    if query.issued_on != invoice.issued_on:
        return "issued_on"
    kind = family(invoice.type_code)
    if kind == "special":
        return None if query.amount == invoice.amount else "amount"
    if kind == "fully_digital":
        return None if query.amount == invoice.total else "amount"
    stored = (invoice.check_code or "")[-6:]
    return None if stored and query.check_code_last6 == stored else "check_code"


def verify_invoice(session: Session, query: VerifyQuery | Mapping[str, Any],
                   today: date) -> dict[str, Any]:
    """Check one invoice against the registry and count the check.

    Writes to verification_log in the caller's transaction; the caller commits.
    Raises QueryError for a malformed query (nothing is counted then).
    """
    q = parse_query(query)
    result: dict[str, Any] = {"outcome": "", "mismatch_field": None, "invoice": None,
                              "checks_today": 0}
    if is_out_of_period(q.issued_on, today):
        result.update(outcome="out_of_period",
                      checks_today=_count_today(session, q.code, q.number, today))
        return result

    count = _take_check(session, q.code, q.number, today)
    if count is None:
        result.update(outcome="too_many_checks", checks_today=MAX_CHECKS_PER_DAY)
        return result
    result["checks_today"] = count

    # A Core row (same attribute names as Invoice): no ORM identity map per record.
    invoice = session.connection().execute(
        _INVOICE, {"code": q.code, "number": q.number}).first()
    if invoice is None:
        result["outcome"] = "not_found"
        return result
    field = _mismatch(q, invoice)
    if field is not None:
        result.update(outcome="mismatch", mismatch_field=field)
        return result
    result["outcome"] = "genuine" if invoice.status == "normal" else invoice.status
    result["invoice"] = invoice_view(invoice)
    return result
