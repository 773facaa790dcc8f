"""The invoice verification rule of the reference central service.

It copies the national platform's behaviour (domain.md section 1): which fields each
invoice type needs, at most 5 checks per invoice per day, invoices issued today or
more than 5 years ago are out of range.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, tuple_, update
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Row
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


# A declarative class's __table__ is a Table (SQLAlchemy types it as any FromClause).
_LOG = cast(Table, VerificationLog.__table__)
_INVOICES = cast(Table, Invoice.__table__)
# Built once: building a statement can cost more than running it (drain rate).
_STORE_COUNT = (update(_LOG).where(_LOG.c.code == bindparam("k_code"),
                                   _LOG.c.number == bindparam("k_number"),
                                   _LOG.c.day == bindparam("k_day"))
                .values(count=bindparam("k_count")))
_UPSERTS: dict[str, Callable[[Table], PgInsert | SqliteInsert]] = {
    "postgresql": pg_insert, "sqlite": sqlite_insert}


def _lock_statement(insert: Callable[[Table], PgInsert | SqliteInsert]) -> Any:
    return insert(_LOG).on_conflict_do_update(
        index_elements=[_LOG.c.code, _LOG.c.number, _LOG.c.day],
        set_={"count": _LOG.c.count},
    ).returning(_LOG.c.code, _LOG.c.number, _LOG.c.count)


# One row's statement, run with a list of rows: SQLAlchemy's "insertmanyvalues" sends
# them as one multi-row INSERT in the list's order, from a cached compilation (a
# statement with the rows inside it, `.values([...])`, is compiled on every call).
_LOCK_COUNTS = {name: _lock_statement(insert) for name, insert in _UPSERTS.items()}

Key = tuple[str, str]  # (code, number) of an invoice


def _lock_counts(conn: Connection, keys: Collection[Key], today: date) -> dict[Key, int]:
    """Lock each key's verification_log row for `today` (created at 0 if missing) and
    return its count, in one statement.

    The no-op DO UPDATE is what locks an existing row and returns its current count.
    Rows are taken in sorted key order, so concurrent batches (other kiosks, other
    worker processes) that share invoices wait for each other instead of deadlocking.
    """
    if not keys:
        return {}
    statement = _LOCK_COUNTS.get(conn.dialect.name)
    if statement is None:
        raise NotImplementedError(f"verification needs SQLite or PostgreSQL, "
                                  f"not {conn.dialect.name}")
    rows = [{"code": code, "number": number, "day": today, "count": 0}
            for code, number in sorted(keys)]
    return {(code, number): int(count)
            for code, number, count in conn.execute(statement, rows)}


def _read_counts(conn: Connection, keys: Collection[Key], today: date) -> dict[Key, int]:
    """Today's counts of `keys`, without locking (0 for a key never checked today)."""
    if not keys:
        return {}
    found = conn.execute(
        select(_LOG.c.code, _LOG.c.number, _LOG.c.count)
        .where(_LOG.c.day == today, tuple_(_LOG.c.code, _LOG.c.number).in_(list(keys))))
    counts = dict.fromkeys(keys, 0)
    counts.update({(code, number): int(count) for code, number, count in found})
    return counts


def _read_invoices(conn: Connection, keys: Collection[Key]) -> dict[Key, Row[Any]]:
    """The registry rows of `keys` (Core rows with Invoice's attribute names)."""
    if not keys:
        return {}
    rows = conn.execute(select(_INVOICES).where(
        tuple_(_INVOICES.c.code, _INVOICES.c.number).in_(list(keys))))
    return {(row.code, row.number): row for row in rows}


def _store_counts(conn: Connection, counts: Mapping[Key, int], today: date) -> None:
    """Write the new counts of rows locked by _lock_counts (one executemany)."""
    if counts:
        conn.execute(_STORE_COUNT, [
            {"k_code": code, "k_number": number, "k_day": today, "k_count": count}
            for (code, number), count in sorted(counts.items())])


def invoice_view(invoice: Invoice | Row[Any]) -> dict[str, Any]:
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


def _mismatch(query: VerifyQuery, invoice: Invoice | Row[Any]) -> str | None:
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


def _result(outcome: str, checks_today: int) -> dict[str, Any]:
    return {"outcome": outcome, "mismatch_field": None, "invoice": None,
            "checks_today": checks_today}


def _judge(query: VerifyQuery, invoice: Row[Any] | None, count: int) -> dict[str, Any]:
    """The result of a counted check (`count`: the checks today including this one)."""
    if invoice is None:
        return _result("not_found", count)
    field = _mismatch(query, invoice)
    if field is not None:
        return _result("mismatch", count) | {"mismatch_field": field}
    result = _result("genuine" if invoice.status == "normal" else invoice.status, count)
    result["invoice"] = invoice_view(invoice)
    return result


def verify_queries(session: Session, queries: Sequence[VerifyQuery],
                   today: date) -> list[dict[str, Any]]:
    """Check validated queries against the registry and count the checks: the same
    results, in order, as checking them one after another, but in a constant number
    of statements (a sync batch holds up to 500 verification requests).

    Writes to verification_log in the caller's transaction and keeps the rows it
    counts on locked until the caller commits.
    """
    conn = session.connection()  # Core statements: no ORM layer per query
    in_period = [not is_out_of_period(q.issued_on, today) for q in queries]
    checked = {(q.code, q.number) for q, ok in zip(queries, in_period, strict=True) if ok}
    counts = _lock_counts(conn, checked, today)
    # Out-of-period queries take no check; they report the count as it stands.
    counts |= _read_counts(conn, {(q.code, q.number) for q in queries} - checked, today)
    before = dict(counts)
    invoices = _read_invoices(conn, {k for k in checked if counts[k] < MAX_CHECKS_PER_DAY})

    results: list[dict[str, Any]] = []
    for query, ok in zip(queries, in_period, strict=True):
        key = (query.code, query.number)
        if not ok:
            results.append(_result("out_of_period", counts[key]))
        elif counts[key] >= MAX_CHECKS_PER_DAY:
            results.append(_result("too_many_checks", MAX_CHECKS_PER_DAY))
        else:
            counts[key] += 1
            results.append(_judge(query, invoices.get(key), counts[key]))
    _store_counts(conn, {k: n for k, n in counts.items() if n != before[k]}, today)
    return results


def verify_invoice(session: Session, query: VerifyQuery | Mapping[str, Any],
                   today: date) -> dict[str, Any]:
    """Check one invoice against the registry and count the check.

    Writes to verification_log in the caller's transaction; the caller commits.
    Raises QueryError for a malformed query (nothing is counted then).
    """
    return verify_queries(session, [parse_query(query)], today)[0]


# --- what callers other than enrolled kiosks may learn --------------------------------

# The public endpoint's coarse outcomes. "mismatch" and "not_found" both read
# "no_match": an anonymous caller learns neither which field is wrong nor whether an
# invoice with that code and number exists. The status outcomes (void, red_flushed,
# abnormal) come only when every field matches, i.e. to someone who holds the invoice.
PUBLIC_OUTCOMES = ("genuine", "void", "red_flushed", "abnormal", "no_match",
                   "out_of_period")


def coarse_outcome(outcome: str) -> str:
    """An OUTCOMES value as a PUBLIC_OUTCOMES one."""
    return "no_match" if outcome in ("mismatch", "not_found") else outcome


def check_without_counting(session: Session, query: VerifyQuery | Mapping[str, Any],
                           today: date) -> str:
    """The public check: the coarse outcome (PUBLIC_OUTCOMES) of a query, read from the
    registry without counting it toward the invoice's 5 checks a day, so strangers
    cannot use those up. Raises QueryError for a malformed query."""
    parsed = parse_query(query)
    if is_out_of_period(parsed.issued_on, today):
        return "out_of_period"
    key = (parsed.code, parsed.number)
    invoice = _read_invoices(session.connection(), {key}).get(key)
    return coarse_outcome(_judge(parsed, invoice, 0)["outcome"])


# The invoice fields a kiosk shows for a queued check (result screen and slip).
QUEUED_INVOICE_FIELDS = ("amount", "total", "seller_name")


def queued_result_view(result: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A stored verification result as `GET /v1/verifications/{uuid}` answers it to
    whoever holds the UUID (it is printed on the taxpayer's slip): what the kiosk
    shows, never the buyer's name or the invoice's other details."""
    if not isinstance(result, Mapping):
        return None
    invoice = result.get("invoice")
    return {
        "outcome": result.get("outcome"),
        "mismatch_field": result.get("mismatch_field"),
        "checks_today": result.get("checks_today"),
        "invoice": ({name: invoice.get(name) for name in QUEUED_INVOICE_FIELDS}
                    if isinstance(invoice, Mapping) else None),
    }
