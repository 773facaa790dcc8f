"""Import of the invoice registry from CSV (the public import format).

Header, exactly: `type_code,code,number,issued_on,amount,total,check_code,status`,
optionally followed by `seller_name` and/or `buyer_name`. Bad rows are reported with
their line number and skipped; good rows are upserted on (code, number). A quote never
closed refuses the whole file with the line of the row where it opened (the rows after
it would otherwise vanish into one field); a refused row that runs over several lines
names them all. The caller owns the transaction (commit after a successful import; an
ImportFileError means nothing may be stored).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.db import INVOICE_STATUSES, Invoice
from central.verification import (
    FULLY_DIGITAL_TYPES,
    GENERAL_TYPES,
    KNOWN_TYPES,
    QueryError,
    parse_money,
)

REQUIRED_COLUMNS = ("type_code", "code", "number", "issued_on", "amount", "total",
                    "check_code", "status")
OPTIONAL_COLUMNS = ("seller_name", "buyer_name")
HEADER_TEXT = ",".join(REQUIRED_COLUMNS)
MAX_NAME = 200


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (unreadable, wrong header)."""


@dataclass
class ImportReport:
    imported: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"imported": self.imported, "updated": self.updated,
                "errors": [{"line": line, "reason": reason} for line, reason in self.errors]}


class _RowError(ValueError):
    pass


def _digits(value: str, lengths: tuple[int, ...], what: str) -> str:
    if not value.isascii() or not value.isdigit() or len(value) not in lengths:
        wanted = " or ".join(str(n) for n in lengths)
        raise _RowError(f"{what} {value!r} must have {wanted} digits")
    return value


def _parse_row(row: dict[str, str]) -> dict[str, Any]:
    type_code = row["type_code"]
    if type_code not in KNOWN_TYPES:
        raise _RowError(f"unknown invoice type {type_code!r} "
                        f"(expected one of {', '.join(sorted(KNOWN_TYPES))})")
    fully_digital = type_code in FULLY_DIGITAL_TYPES
    code = row["code"]
    if fully_digital:
        if code:
            raise _RowError(f"code must be empty for fully-digital type {type_code}")
        number = _digits(row["number"], (20,), "number")
    else:
        if not code:
            raise _RowError(f"code is required for type {type_code}")
        code = _digits(code, (10, 12), "code")
        number = _digits(row["number"], (8,), "number")

    text = row["issued_on"]
    try:
        if len(text) != 10:
            raise ValueError
        issued_on = date.fromisoformat(text)
    except ValueError:
        raise _RowError(f"bad date {text!r} (expected a real date as YYYY-MM-DD)") from None

    try:
        amount = parse_money(row["amount"], "amount")
        total = parse_money(row["total"], "total")
    except QueryError as exc:
        raise _RowError(f"bad {exc}") from None

    check_code = row["check_code"]
    if check_code:
        _digits(check_code, (20,), "check_code")
    elif type_code in GENERAL_TYPES:
        raise _RowError(f"check_code (20 digits) is required for type {type_code}")

    status = row["status"]
    if status not in INVOICE_STATUSES:
        raise _RowError(f"unknown status {status!r} "
                        f"(expected one of {', '.join(INVOICE_STATUSES)})")

    names: dict[str, str | None] = {}
    for column in OPTIONAL_COLUMNS:
        value = row.get(column) or None
        if value is not None and len(value) > MAX_NAME:
            raise _RowError(f"{column} longer than {MAX_NAME} characters")
        names[column] = value

    return {"type_code": type_code, "code": code, "number": number,
            "issued_on": issued_on, "amount": amount, "total": total,
            "check_code": check_code, "status": status, **names}


def _open_text(source: str | Path | IO[str]) -> IO[str]:
    if isinstance(source, (str, Path)):
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise ImportFileError(f"cannot read {source}: {exc.strerror or exc}") from exc
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportFileError(f"{source} is not UTF-8 text") from exc
        return io.StringIO(text, newline="")
    return source


def _open_quote(line: int) -> ImportFileError:
    """The file-level refusal for a quote opened on `line` and never closed: the rows
    after it were read as one field, so nothing is imported."""
    return ImportFileError(f"line {line}: a quote opened in this row is never closed, so "
                           f"every row after it would be lost; nothing imported (fix the "
                           f"quote and import the file again)")


def import_invoices_csv(session: Session, source: str | Path | IO[str]) -> ImportReport:
    """Upsert invoices from a CSV file path or text stream.

    Raises ImportFileError when the file cannot be read, its header is wrong or a
    quote is left open (rows may have been added to the session: roll back);
    otherwise returns counts and one (line, reason) per rejected row.
    """
    stream = _open_text(source)
    reader = csv.reader(stream, strict=True)
    try:
        header = next(reader, None)
    except (csv.Error, UnicodeDecodeError) as exc:
        raise ImportFileError(f"unreadable CSV: {exc}") from exc
    if header is None:
        raise ImportFileError("empty file: expected the header "
                              + ",".join(REQUIRED_COLUMNS))
    columns = [name.strip().lstrip("\ufeff") for name in header]
    extra = columns[len(REQUIRED_COLUMNS):]
    if (tuple(columns[:len(REQUIRED_COLUMNS)]) != REQUIRED_COLUMNS
            or any(name not in OPTIONAL_COLUMNS for name in extra)
            or len(set(extra)) != len(extra)):
        raise ImportFileError(
            "wrong header: expected " + ",".join(REQUIRED_COLUMNS)
            + " optionally followed by seller_name,buyer_name; got " + ",".join(columns))

    report = ImportReport()
    while True:
        start_line = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except (csv.Error, UnicodeDecodeError) as exc:
            if "end of data" in str(exc):
                # A quote never closed: every row after it was read into one field.
                raise _open_quote(start_line) from None
            report.errors.append((start_line, f"unreadable row: {exc}"))
            continue
        # A quoted field may hold a line break (e.g. a two-line name), but a refused
        # row that ran over several lines names them all: a stray quote may have
        # swallowed rows.
        spans = (f" (this row runs over lines {start_line}-{reader.line_num}: a quote "
                 f"may be misplaced)" if reader.line_num > start_line else "")
        if not values or all(not v.strip() for v in values):
            continue  # blank line
        if len(values) != len(columns):
            report.errors.append((start_line, f"expected {len(columns)} fields, "
                                              f"found {len(values)}{spans}"))
            continue
        row = {name: value.strip() for name, value in zip(columns, values, strict=True)}
        try:
            fields = _parse_row(row)
        except _RowError as exc:
            report.errors.append((start_line, f"{exc}{spans}"))
            continue
        existing = session.execute(
            select(Invoice).where(Invoice.code == fields["code"],
                                  Invoice.number == fields["number"])
        ).scalar_one_or_none()
        if existing is None:
            session.add(Invoice(**fields))
            session.flush()
            report.imported += 1
        else:
            for name, value in fields.items():
                setattr(existing, name, value)
            report.updated += 1
    return report
