"""The taxpayer registry: its import format, the import itself, and the look-ups the
kiosk's taxpayer services and certificates read (models in central.db).

Import format (docs/automation.md, "Taxpayer registry"): one JSON object with the
optional lists `taxpayers`, `credit`, `arrears`, `payments`, `applications`,
`notices`. Each row is upserted by its natural key (taxpayers: TIN; credit: TIN +
year; arrears: TIN + tax kind + period; payments: TIN + voucher number;
applications: number; notices: industry + title + published_on); keys the format does
not name are ignored. Dates are YYYY-MM-DD, periods YYYYMM, amounts decimal strings
in yuan; nothing in the file is expanded. A bad row is reported with its list and
index and skipped; good rows are kept. Passwords are hashed at import (scrypt,
offline_queue.pins) and never stored or reported as given.

The caller owns the transaction: `import_registry` flushes, the caller commits.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from central.db import (
    APPLICATION_STATUSES,
    CREDIT_LEVELS,
    TAXPAYER_KINDS,
    Application,
    Arrear,
    CreditConsent,
    CreditRating,
    Notice,
    NoticeRead,
    Payment,
    Taxpayer,
    TaxpayerAgent,
)
from offline_queue import bounded_json
from offline_queue.pins import SECRET_MAX, check_secret, hash_secret

#: The lists of a registry document, in the order they are imported (taxpayers first:
#: the other rows name a TIN that must be registered).
SECTIONS = ("taxpayers", "credit", "arrears", "payments", "applications", "notices",
            # The paying services (central.payment_registry, issue #11).
            "vehicles", "vehicle_rates", "iit_prefill", "social_insurance_bases",
            "agreements",
            # Paper-invoice pickup and stock (central.invoice_stock, issue #12).
            "approvals", "holdings", "pickup_orders", "allocations",
            # Fully-digital invoices and the invoice lottery (central.lottery, #12).
            "digital_invoices", "campaigns")
#: A TIN: a USCC (18), a resident ID number used as TIN (18), or an older 15/20-char TIN.
TIN_RE = re.compile(r"^[0-9A-Z]{15,20}$")
ID_NUMBER_RE = re.compile(r"^[0-9]{17}[0-9X]$")
VOUCHER_RE = re.compile(r"^[0-9A-Za-z-]{1,32}$")
APPLICATION_NUMBER_RE = re.compile(r"^[0-9A-Za-z-]{1,32}$")
PASSWORD_MIN = 6
#: Taxpayer status codes (Chinese names accepted at import).
TAXPAYER_STATUSES = {"normal": "正常", "abnormal": "非正常", "suspended": "停业",
                     "cancelled": "注销"}
#: Application status names accepted at import, and their codes.
APPLICATION_STATUS_NAMES = {"受理": "accepted", "审核": "review", "审批": "approval",
                            "退库": "refund", "办结": "done", "不予受理": "refused"}
ALL_INDUSTRIES = "*"  # a notice for every taxpayer
MAX_AMOUNT = Decimal("999999999999.99")
MAX_ROWS = 100_000  # per list: a registry larger than this is imported in parts


class RegistryFileError(ValueError):
    """The document as a whole cannot be imported (unreadable, not JSON, not an
    object, a section that is not a list): nothing is stored."""


class RowError(ValueError):
    """One row is refused; the message says which field and why."""


@dataclass
class RegistryReport:
    """Per section: rows added and rows updated; one error per refused row."""

    imported: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    errors: list[tuple[str, int, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"imported": dict(self.imported), "updated": dict(self.updated),
                "errors": [{"section": s, "index": i, "reason": r}
                           for s, i, r in self.errors]}

    def summary(self) -> str:
        parts = [f"{name} {self.imported[name]} new, {self.updated[name]} updated"
                 for name in SECTIONS if self.imported[name] or self.updated[name]]
        return "imported: " + ("; ".join(parts) or "nothing") + (
            f"; {len(self.errors)} row(s) refused" if self.errors else "")


# --- field parsers (each raises RowError naming the field) -----------------------------

def _text(row: Mapping[str, Any], name: str, max_len: int, *, required: bool = True,
          default: str = "") -> str:
    value = row.get(name)
    if value is None:
        if required:
            raise RowError(f"{name}: required")
        return default
    if not isinstance(value, str):
        raise RowError(f"{name}: must be text")
    value = value.strip()
    if required and not value:
        raise RowError(f"{name}: must not be empty")
    if len(value) > max_len:
        raise RowError(f"{name}: longer than {max_len} characters")
    if "\x00" in value:
        raise RowError(f"{name}: contains a NUL character")
    return value


def parse_tin(value: Any, name: str = "tin") -> str:
    """A TIN as stored (upper case); RowError if it is not one."""
    if not isinstance(value, str):
        raise RowError(f"{name}: required, as text")
    tin = value.strip().upper()
    if not TIN_RE.fullmatch(tin):
        raise RowError(f"{name}: 15 to 20 digits or capital letters")
    return tin


def _date(row: Mapping[str, Any], name: str, *, required: bool = True) -> date | None:
    value = row.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or len(value) != 10:
        raise RowError(f"{name}: a date as YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RowError(f"{name}: {value!r} is not a real date (YYYY-MM-DD)") from None


def parse_period(value: Any, name: str = "period") -> str:
    """A tax period YYYYMM (month 01-12); RowError otherwise."""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{6}", value) \
            or not 1 <= int(value[4:]) <= 12 or int(value[:4]) < 1900:
        raise RowError(f"{name}: a period as YYYYMM")
    return value


def _amount(row: Mapping[str, Any], name: str = "amount", *,
            allow_zero: bool = False) -> Decimal:
    value = row.get(name)
    if not isinstance(value, str):
        raise RowError(f"{name}: a decimal string in yuan, e.g. \"1234.50\"")
    try:
        amount = Decimal(value.strip())
    except InvalidOperation:
        raise RowError(f"{name}: {value[:40]!r} is not a decimal number") from None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise RowError(f"{name}: at most 2 decimal places")
    if amount < 0 or (amount == 0 and not allow_zero) or amount > MAX_AMOUNT:
        raise RowError(f"{name}: must be {'0' if allow_zero else 'more than 0'} up to "
                       f"{MAX_AMOUNT}")
    return amount


def _year(row: Mapping[str, Any]) -> int:
    value = row.get("year")
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 1990 <= value <= 2100:
        raise RowError("year: a year between 1990 and 2100")
    return value


def _text_list(row: Mapping[str, Any], name: str, max_items: int, max_len: int
               ) -> list[str] | None:
    value = row.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > max_items or not all(
            isinstance(v, str) and 0 < len(v.strip()) <= max_len for v in value):
        raise RowError(f"{name}: a list of at most {max_items} texts of 1-{max_len} "
                       f"characters")
    return [v.strip() for v in value]


def _known_tin(session: Session, tin: str) -> None:
    if session.get(Taxpayer, tin) is None:
        raise RowError("tin: no taxpayer with this TIN (import it under \"taxpayers\" "
                       "first)")


# --- one upsert per section ------------------------------------------------------------

def _taxpayer(session: Session, row: Mapping[str, Any], now: datetime) -> bool:
    tin = parse_tin(row.get("tin"))
    kind = row.get("kind")
    if kind not in TAXPAYER_KINDS:
        raise RowError("kind: \"person\" or \"enterprise\"")
    id_number = row.get("id_number")
    if id_number is not None:
        if not isinstance(id_number, str) or not ID_NUMBER_RE.fullmatch(
                id_number.strip().upper()):
            raise RowError("id_number: 18 characters, 17 digits and a digit or X")
        id_number = id_number.strip().upper()
    password = row.get("password")
    if password is not None and (not isinstance(password, str)
                                 or not PASSWORD_MIN <= len(password) <= SECRET_MAX):
        raise RowError(f"password: {PASSWORD_MIN} to {SECRET_MAX} characters")
    status = row.get("status", "normal")
    if isinstance(status, str):
        status = {v: k for k, v in TAXPAYER_STATUSES.items()}.get(status, status)
    if not isinstance(status, str) or status not in TAXPAYER_STATUSES:
        raise RowError(f"status: one of {', '.join(TAXPAYER_STATUSES)} (or 正常, 非正常, "
                       f"停业, 注销)")
    fields: dict[str, Any] = {
        "kind": kind,
        "name": _text(row, "name", 200),
        "id_number": id_number,
        "status": status,
        "industry": _text(row, "industry", 100, required=False),
        "registered_on": _date(row, "registered_on", required=False),
        "tax_office": _text(row, "tax_office", 200, required=False),
        "address": _text(row, "address", 500, required=False),
        "legal_rep": _text(row, "legal_rep", 100, required=False),
    }
    tax_kinds = _text_list(row, "tax_kinds", 50, 50)
    agents = row.get("agents")
    if agents is not None:
        if not isinstance(agents, list) or len(agents) > 100:
            raise RowError("agents: a list of at most 100 TINs")
        agents = sorted({parse_tin(a, "agents") for a in agents})
        if kind != "enterprise":
            raise RowError("agents: only an enterprise has agents")
    existing = session.get(Taxpayer, tin)
    if existing is None:
        existing = Taxpayer(tin=tin, updated_at=now)
        session.add(existing)
        new = True
    else:
        new = False
    for name, value in fields.items():
        setattr(existing, name, value)
    if tax_kinds is not None:
        existing.tax_kinds = json.dumps(tax_kinds, ensure_ascii=False)
    if password is not None and not (existing.password_hash and check_secret(
            password, existing.password_hash, what="taxpayer password")):
        existing.password_hash = hash_secret(password)  # a new salt only when it changed
    existing.updated_at = now
    session.flush()
    if agents is not None:
        current = {a.agent_tin: a for a in session.execute(select(TaxpayerAgent).where(
            TaxpayerAgent.enterprise_tin == tin)).scalars()}
        for agent_tin, link in current.items():
            if agent_tin not in agents:
                session.delete(link)
        for agent_tin in agents:
            if agent_tin not in current:
                session.add(TaxpayerAgent(enterprise_tin=tin, agent_tin=agent_tin))
        session.flush()
    return new


def _credit(session: Session, row: Mapping[str, Any], _now: datetime) -> bool:
    tin = parse_tin(row.get("tin"))
    year = _year(row)
    level = row.get("level")
    if level not in CREDIT_LEVELS:
        raise RowError(f"level: one of {', '.join(CREDIT_LEVELS)}")
    evaluated_on = _date(row, "evaluated_on")
    _known_tin(session, tin)
    existing = session.get(CreditRating, (tin, year))
    if existing is None:
        session.add(CreditRating(tin=tin, year=year, level=level, evaluated_on=evaluated_on))
        return True
    existing.level, existing.evaluated_on = level, evaluated_on  # type: ignore[assignment]
    return False


def _arrear(session: Session, row: Mapping[str, Any], _now: datetime) -> bool:
    tin = parse_tin(row.get("tin"))
    tax_kind = _text(row, "tax_kind", 50)
    period = parse_period(row.get("period"))
    amount = _amount(row, allow_zero=True)  # 0: settled, no longer listed
    due_on = _date(row, "due_on")
    _known_tin(session, tin)
    existing = session.get(Arrear, (tin, tax_kind, period))
    if existing is None:
        session.add(Arrear(tin=tin, tax_kind=tax_kind, period=period, amount=amount,
                           due_on=due_on))
        return True
    existing.amount, existing.due_on = amount, due_on  # type: ignore[assignment]
    return False


def _payment(session: Session, row: Mapping[str, Any], _now: datetime) -> bool:
    tin = parse_tin(row.get("tin"))
    voucher_no = row.get("voucher_no")
    if not isinstance(voucher_no, str) or not VOUCHER_RE.fullmatch(voucher_no.strip()):
        raise RowError("voucher_no: 1 to 32 digits, letters or dashes")
    voucher_no = voucher_no.strip()
    fields = {"tax_kind": _text(row, "tax_kind", 50),
              "period": parse_period(row.get("period")),
              "amount": _amount(row),
              "paid_on": _date(row, "paid_on"),
              "tax_office": _text(row, "tax_office", 200, required=False)}
    _known_tin(session, tin)
    existing = session.execute(select(Payment).where(
        Payment.tin == tin, Payment.voucher_no == voucher_no)).scalar_one_or_none()
    if existing is None:  # `printed` is the kiosk's count: never reset by an import
        session.add(Payment(tin=tin, voucher_no=voucher_no, printed=0, **fields))
        return True
    for name, value in fields.items():
        setattr(existing, name, value)
    return False


def _steps(row: Mapping[str, Any]) -> str | None:
    value = row.get("steps")
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > 20:
        raise RowError("steps: a list of at most 20 {name, done_on}")
    steps = []
    for step in value:
        if not isinstance(step, dict):
            raise RowError("steps: each step is {name, done_on}")
        name = step.get("name")
        if isinstance(name, str):
            name = APPLICATION_STATUS_NAMES.get(name, name)
        if name not in APPLICATION_STATUSES:
            raise RowError(f"steps: name one of {', '.join(APPLICATION_STATUSES)}")
        done_on = _date(step, "done_on", required=False)
        steps.append({"name": name, "done_on": done_on.isoformat() if done_on else None})
    return json.dumps(steps)


def _application(session: Session, row: Mapping[str, Any], _now: datetime) -> bool:
    tin = parse_tin(row.get("tin"))
    number = row.get("number")
    if not isinstance(number, str) or not APPLICATION_NUMBER_RE.fullmatch(number.strip()):
        raise RowError("number: 1 to 32 digits, letters or dashes")
    number = number.strip()
    status = row.get("status")
    if isinstance(status, str):
        status = APPLICATION_STATUS_NAMES.get(status, status)
    if status not in APPLICATION_STATUSES:
        raise RowError(f"status: one of {', '.join(APPLICATION_STATUSES)} (or 受理, 审核, "
                       f"审批, 退库, 办结, 不予受理)")
    fields = {"tin": tin, "kind": _text(row, "kind", 50),
              "submitted_on": _date(row, "submitted_on"), "status": status,
              "reason": _text(row, "reason", 500, required=False), "steps": _steps(row)}
    _known_tin(session, tin)
    existing = session.get(Application, number)
    if existing is None:
        session.add(Application(number=number, **fields))
        return True
    if existing.tin != tin:
        raise RowError("number: already registered for another taxpayer")
    for name, value in fields.items():
        if name != "steps" or value is not None:
            setattr(existing, name, value)
    return False


def _notice(session: Session, row: Mapping[str, Any], _now: datetime) -> bool:
    industry = _text(row, "industry", 100)
    title = _text(row, "title", 200)
    body = _text(row, "body", 10_000)
    published_on = _date(row, "published_on")
    existing = session.execute(select(Notice).where(
        Notice.industry == industry, Notice.title == title,
        Notice.published_on == published_on)).scalar_one_or_none()
    if existing is None:
        session.add(Notice(industry=industry, title=title, body=body,
                           published_on=published_on))
        return True
    existing.body = body
    return False


_UPSERTS: dict[str, Callable[[Session, Mapping[str, Any], datetime], bool]] = {
    "taxpayers": _taxpayer, "credit": _credit, "arrears": _arrear, "payments": _payment,
    "applications": _application, "notices": _notice}


def check_document(document: Any) -> dict[str, list[Any]]:
    """The document's lists; RegistryFileError if it is not an object of lists."""
    if not isinstance(document, dict):
        raise RegistryFileError("the registry document must be a JSON object with the "
                                "lists " + ", ".join(SECTIONS))
    lists: dict[str, list[Any]] = {}
    for name in SECTIONS:
        value = document.get(name)
        if value is None:
            continue
        if not isinstance(value, list):
            raise RegistryFileError(f"{name}: must be a list of rows")
        if len(value) > MAX_ROWS:
            raise RegistryFileError(f"{name}: more than {MAX_ROWS} rows; import it in "
                                    f"parts")
        lists[name] = value
    if not lists:
        raise RegistryFileError("the document has none of the lists "
                                + ", ".join(SECTIONS))
    return lists


def import_registry(session: Session, document: Any,
                    now: datetime | None = None) -> RegistryReport:
    """Upsert every good row of a registry document; RegistryFileError (nothing
    added) if the document as a whole is unusable. Each row runs in a savepoint, so a
    row the database refuses is reported like any other bad row. The caller commits."""
    # The paying services' sections (issue #11) live in their own module, which
    # reads this one's parsers (so it is imported here, not at the top).
    from central.invoice_stock import UPSERTS as invoice_stock
    from central.lottery import UPSERTS as lottery
    from central.payment_registry import UPSERTS as paying

    upserts = {**_UPSERTS, **paying, **invoice_stock, **lottery}
    lists = check_document(document)
    now = now or datetime.now(UTC)
    report = RegistryReport()
    for name in SECTIONS:
        for index, row in enumerate(lists.get(name, ())):
            if not isinstance(row, dict):
                report.errors.append((name, index, "a row must be a JSON object"))
                continue
            savepoint = session.begin_nested()
            try:
                new = upserts[name](session, row, now)
                session.flush()
            except RowError as exc:
                savepoint.rollback()
                report.errors.append((name, index, str(exc)))
                continue
            except (DataError, IntegrityError) as exc:  # the database refused the row
                savepoint.rollback()
                report.errors.append((name, index, "refused by the database "
                                                   f"({type(exc.orig).__name__})"))
                continue
            except BaseException:
                savepoint.rollback()
                raise
            savepoint.commit()
            (report.imported if new else report.updated)[name] += 1
    return report


def load_document(source: str | Path | bytes) -> Any:
    """A registry document from a file path or raw bytes (size and depth bounded:
    offline_queue.bounded_json); RegistryFileError if it cannot be read."""
    if isinstance(source, (str, Path)):
        try:
            raw = Path(source).read_bytes()
        except OSError as exc:
            raise RegistryFileError(f"cannot read {source}: {exc.strerror or exc}"
                                    ) from None
        what = str(source)
    else:
        raw, what = source, "the registry document"
    try:
        return bounded_json.loads(raw, what=what)
    except bounded_json.JsonLimitError as exc:
        raise RegistryFileError(str(exc)) from None


# --- look-ups --------------------------------------------------------------------------

def taxpayer(session: Session, tin: str) -> Taxpayer | None:
    """The registered taxpayer with this TIN (any case), or None."""
    return session.get(Taxpayer, tin.strip().upper()) if isinstance(tin, str) else None


def person_by_id_number(session: Session, id_number: str) -> Taxpayer | None:
    """The natural person whose resident ID number this is (as `id_number`, or as the
    TIN when none is recorded), or None."""
    number = id_number.strip().upper()
    return session.execute(select(Taxpayer).where(
        Taxpayer.kind == "person",
        or_(Taxpayer.id_number == number, Taxpayer.tin == number)
    ).order_by(Taxpayer.tin).limit(1)).scalar_one_or_none()


def enterprises_of(session: Session, person_tin: str) -> list[Taxpayer]:
    """The enterprises this taxpayer may act for, by name."""
    return list(session.execute(
        select(Taxpayer).join(TaxpayerAgent, TaxpayerAgent.enterprise_tin == Taxpayer.tin)
        .where(TaxpayerAgent.agent_tin == person_tin).order_by(Taxpayer.name, Taxpayer.tin)
    ).scalars())


def tax_kinds(session: Session, row: Taxpayer) -> list[str]:
    """The taxpayer's tax kinds: as imported, else those of its payments and arrears."""
    if row.tax_kinds:
        kinds = json.loads(row.tax_kinds)
        return [str(k) for k in kinds] if isinstance(kinds, list) else []
    found = set(session.execute(select(Payment.tax_kind).where(
        Payment.tin == row.tin).distinct()).scalars())
    found |= set(session.execute(select(Arrear.tax_kind).where(
        Arrear.tin == row.tin).distinct()).scalars())
    return sorted(found)


def info(session: Session, row: Taxpayer) -> dict[str, Any]:
    return {"tin": row.tin, "name": row.name, "kind": row.kind, "status": row.status,
            "registered_on": row.registered_on.isoformat() if row.registered_on else None,
            "tax_office": row.tax_office, "industry": row.industry,
            "address": row.address, "legal_rep": row.legal_rep,
            "tax_kinds": tax_kinds(session, row)}


def credit(session: Session, tin: str) -> dict[str, Any]:
    ratings = session.execute(select(CreditRating).where(CreditRating.tin == tin)
                              .order_by(CreditRating.year.desc())).scalars()
    latest = session.execute(select(CreditConsent).where(CreditConsent.tin == tin)
                             .order_by(CreditConsent.at.desc(), CreditConsent.id.desc())
                             .limit(1)).scalar_one_or_none()
    consent = ({"bank": latest.bank, "granted_at": latest.at.isoformat()}
               if latest is not None and latest.granted else None)
    return {"ratings": [{"year": r.year, "level": r.level,
                         "evaluated_on": r.evaluated_on.isoformat()} for r in ratings],
            "consent": consent}


def arrears(session: Session, tin: str) -> dict[str, Any]:
    rows = session.execute(select(Arrear).where(Arrear.tin == tin)
                           .order_by(Arrear.due_on, Arrear.tax_kind, Arrear.period)).scalars()
    return {"items": [{"tax_kind": r.tax_kind, "period": r.period, "amount": str(r.amount),
                       "due_on": r.due_on.isoformat()} for r in rows if r.amount > 0]}


def progress(session: Session, tin: str) -> dict[str, Any]:
    rows = session.execute(select(Application).where(Application.tin == tin).order_by(
        Application.submitted_on.desc(), Application.number)).scalars()
    items = []
    for r in rows:
        steps = json.loads(r.steps) if r.steps else [
            {"name": "accepted", "done_on": r.submitted_on.isoformat()}]
        items.append({"number": r.number, "kind": r.kind,
                      "submitted_on": r.submitted_on.isoformat(), "status": r.status,
                      "reason": r.reason, "steps": steps})
    return {"items": items}


def _notices_for(row: Taxpayer) -> Any:
    """The notices `row` sees: its industry's and everyone's."""
    industries = [ALL_INDUSTRIES] + ([row.industry] if row.industry else [])
    return select(Notice).where(Notice.industry.in_(industries))


def notices(session: Session, row: Taxpayer) -> dict[str, Any]:
    """`{items: [{id, title, body, published_on, read}]}`, newest first; `read`: the
    taxpayer has opened it at a kiosk (mark_notice_read)."""
    rows = list(session.execute(_notices_for(row)
                                .order_by(Notice.published_on.desc(), Notice.id.desc())
                                .limit(200)).scalars())
    read = set(session.execute(
        select(NoticeRead.notice_id).where(NoticeRead.tin == row.tin,
                                           NoticeRead.notice_id.in_([n.id for n in rows]))
    ).scalars()) if rows else set()
    return {"items": [{"id": n.id, "title": n.title, "body": n.body,
                       "published_on": n.published_on.isoformat(), "read": n.id in read}
                      for n in rows]}


def mark_notice_read(session: Session, row: Taxpayer, notice_id: int,
                     now: datetime) -> bool:
    """Record that `row` has read notice `notice_id` (once: again changes nothing).
    False when `row` does not see that notice (another industry's, or none)."""
    if session.execute(_notices_for(row).where(Notice.id == notice_id)).first() is None:
        return False
    if session.get(NoticeRead, (row.tin, notice_id)) is None:
        session.add(NoticeRead(tin=row.tin, notice_id=notice_id, read_at=now))
    return True


def payments_for(session: Session, tin: str, *, voucher_no: str | None = None,
                 period_from: str | None = None, period_to: str | None = None
                 ) -> list[Payment]:
    """The taxpayer's payments, oldest period first: one voucher (`voucher_no`), or
    those whose period (YYYYMM) lies within period_from..period_to (each bound
    optional, inclusive). Rows carry voucher_no, tax_kind, period, amount (Decimal),
    paid_on (date), tax_office and printed. Certificates (central.certificates) read
    this."""
    query = select(Payment).where(Payment.tin == tin)
    if voucher_no is not None:
        query = query.where(Payment.voucher_no == voucher_no)
    if period_from is not None:
        query = query.where(Payment.period >= period_from)
    if period_to is not None:
        query = query.where(Payment.period <= period_to)
    return list(session.execute(query.order_by(Payment.period, Payment.paid_on,
                                               Payment.voucher_no)).scalars())


def payments(session: Session, tin: str) -> dict[str, Any]:
    rows = payments_for(session, tin)
    rows.sort(key=lambda p: (p.paid_on, p.voucher_no), reverse=True)
    return {"items": [{"voucher_no": p.voucher_no, "tax_kind": p.tax_kind,
                       "period": p.period, "amount": str(p.amount),
                       "paid_on": p.paid_on.isoformat(), "tax_office": p.tax_office,
                       "printed": p.printed} for p in rows]}


def count_voucher_printed(session: Session, tin: str, voucher_no: str) -> int | None:
    """Add one print to the taxpayer's voucher; its new count, or None if the taxpayer
    has no such voucher. The caller commits."""
    row = session.execute(select(Payment).where(
        Payment.tin == tin, Payment.voucher_no == voucher_no).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        return None
    row.printed = (row.printed or 0) + 1
    session.flush()
    return row.printed


def open_arrear(session: Session, tin: str, tax_kind: str, period: str) -> Arrear | None:
    """The taxpayer's unpaid arrear of `tax_kind` for `period`, locked for the
    caller's transaction (a payment settles it); None when none is owed."""
    row = session.execute(select(Arrear).where(
        Arrear.tin == tin, Arrear.tax_kind == tax_kind, Arrear.period == period)
        .with_for_update()).scalar_one_or_none()
    return row if row is not None and row.amount > 0 else None


def settle_arrear(row: Arrear) -> None:
    """Mark an arrear paid: an amount of 0 is settled and no longer listed (the same
    convention as the import)."""
    row.amount = Decimal("0.00")


def add_paid_voucher(session: Session, *, tin: str, voucher_no: str, tax_kind: str,
                     period: str, amount: Decimal, paid_on: date,
                     tax_office: str = "") -> Payment:
    """A payment row for money paid at a kiosk (voucher.reprint and the certificates
    list it like an imported one). The caller commits."""
    row = Payment(tin=tin, voucher_no=voucher_no, tax_kind=tax_kind[:50], period=period,
                  amount=amount, paid_on=paid_on, tax_office=tax_office[:200], printed=0)
    session.add(row)
    return row


def registry_counts(session: Session) -> dict[str, int]:
    """Rows per registry table (for reports and tests)."""
    models: Iterable[Any] = (Taxpayer, CreditRating, Arrear, Payment, Application, Notice)
    return {m.__tablename__: int(session.execute(select(func.count()).select_from(m))
                                 .scalar_one()) for m in models}
