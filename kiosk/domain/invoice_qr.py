"""Parser for the QR code printed on Chinese invoices (domain.md §1).

Layout: version, type, code, number, amount, date, check code, CRC (optional), with an
optional trailing comma. Anything else is rejected with an InvoiceQrError whose `code`
names what is wrong, so the screen can say it in the taxpayer's language.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from .crc import crc16_umts
from .errors import InvoiceQrError
from .invoice_types import FULLY_DIGITAL_TYPES, INVOICE_TYPES, number_length

MAX_QR_LENGTH = 512
_AMOUNT = re.compile(r"^-?\d{1,12}(\.\d{1,2})?$")
_HEX4 = re.compile(r"^[0-9A-Fa-f]{4}$")


@dataclass(frozen=True)
class InvoiceQr:
    type_code: str
    code: str  # "" for fully-digital invoices
    number: str
    amount: Decimal
    issued_on: date
    check_code: str  # "" when absent
    crc: str | None  # upper-case hex, None when absent
    crc_valid: bool | None  # None when absent

    @property
    def is_fully_digital(self) -> bool:
        return self.type_code in FULLY_DIGITAL_TYPES

    @property
    def check_code_last6(self) -> str:
        return self.check_code[-6:]


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def parse_date(text: str) -> date:
    """YYYYMMDD -> date; InvoiceQrError when it is not a real calendar date."""
    if len(text) != 8 or not _digits(text):
        raise InvoiceQrError(f"the issue date must be 8 digits (YYYYMMDD), got {text!r}",
                             "qr.date", "issued_on")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise InvoiceQrError(f"{text} is not a real date", "qr.date", "issued_on") from None


def parse_amount(text: str) -> Decimal:
    if not _AMOUNT.match(text):
        raise InvoiceQrError(f"the amount {text!r} is not a number with at most 2 decimals",
                             "qr.amount", "amount")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex already guards this
        raise InvoiceQrError("bad amount", "qr.amount", "amount") from None


def _crc_matches(raw: str, fields: list[str], crc: int) -> bool:
    # The CRC covers the text before F7 including the comma that ends F6; one real
    # sample matched only without that comma, so accept either (domain.md §1).
    cut = _nth_comma(raw, 7)
    candidates = []
    if cut is not None:
        candidates += [raw[: cut + 1], raw[:cut]]
    joined = ",".join(fields[:7])
    candidates += [joined + ",", joined]
    return any(crc16_umts(c.encode("utf-8")) == crc for c in candidates)


def _nth_comma(text: str, n: int) -> int | None:
    pos = -1
    for _ in range(n):
        pos = text.find(",", pos + 1)
        if pos < 0:
            return None
    return pos


def parse_invoice_qr(text: str) -> InvoiceQr:
    """Parse invoice QR text; raise InvoiceQrError for anything not a well-formed one."""
    if not isinstance(text, str):
        raise InvoiceQrError("the QR content is not text", "qr.not_invoice")
    if len(text) > MAX_QR_LENGTH:
        raise InvoiceQrError("the scanned content is far too long for an invoice QR code",
                             "qr.too_long")
    raw = text.strip()
    if not raw:
        raise InvoiceQrError("nothing was scanned", "qr.empty")
    lowered = raw.lower()
    if lowered.startswith(("http://", "https://", "www.")):
        raise InvoiceQrError("this is a web address, not an invoice QR code", "qr.url")
    if "," not in raw:
        raise InvoiceQrError("this is not an invoice QR code", "qr.not_invoice")

    fields = [f.strip() for f in raw.split(",")]
    if fields[-1] == "" and len(fields) > 6:
        fields = fields[:-1]  # optional trailing comma
    if fields[0] != "01":
        if fields[0].isascii() and fields[0].isdigit() and len(fields[0]) == 2:
            raise InvoiceQrError(f"QR code version {fields[0]} is not supported (only 01)",
                                 "qr.version")
        raise InvoiceQrError("this is not an invoice QR code", "qr.not_invoice")
    if len(fields) < 6:
        raise InvoiceQrError("the QR code is incomplete (was the scan cut short?)",
                             "qr.truncated")
    if len(fields) > 8:
        raise InvoiceQrError("the QR code has more fields than an invoice QR code",
                             "qr.not_invoice")
    while len(fields) < 7:
        fields.append("")

    type_code, code, number, amount_text, date_text, check_code = fields[1:7]
    if type_code not in INVOICE_TYPES:
        raise InvoiceQrError(f"invoice type {type_code!r} is not supported", "qr.type", "type")
    if type_code in FULLY_DIGITAL_TYPES:
        if code:
            raise InvoiceQrError("a fully-digital invoice has no invoice code",
                                 "qr.code", "code")
    elif not (_digits(code) and len(code) in (10, 12)):
        raise InvoiceQrError("the invoice code must be 10 or 12 digits", "qr.code", "code")
    expected = number_length(type_code)
    if not (_digits(number) and len(number) == expected):
        raise InvoiceQrError(f"the invoice number must be {expected} digits",
                             "qr.number", "number")
    amount = parse_amount(amount_text)
    issued_on = parse_date(date_text)
    if check_code and not (_digits(check_code) and len(check_code) == 20):
        raise InvoiceQrError("the check code must be 20 digits", "qr.check_code", "check_code")

    crc: str | None = None
    crc_valid: bool | None = None
    if len(fields) == 8 and fields[7]:
        if not _HEX4.match(fields[7]):
            raise InvoiceQrError("the last field of the QR code is damaged", "qr.crc_format")
        crc = fields[7].upper()
        crc_valid = _crc_matches(raw, fields, int(crc, 16))
    return InvoiceQr(type_code, code, number, amount, issued_on, check_code, crc, crc_valid)
