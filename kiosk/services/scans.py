"""What a scanned text is, decided once for every screen (Qt-free, pure).

`classify(text)` returns a `Scan`: its `ScanKind`, the text, and `detail` (a few
non-secret facts per kind; `detail["error"]`, a ui/messages code, when the text carries
a kind's marks but is damaged, so the service that takes it can say so). The core then
routes it (`KioskCore.route_scan`): to the current service if it claims the kind, else
to the first taxpayer service of the catalogue that does.

Formats, in the order they are tried:

- slip_qr: `TAXKIOSK:VERIFY:<uuid>` (queued slip), `TAXKIOSK:CHECK:...` (result slip),
  both printed by this system (kiosk.services.slips)
- certificate_qr: `CERT1:<body>.<signature>`, both base64url without padding; the
  body (the certified summary) and its Ed25519 signature are defined by the
  certificate service (issue #10); `1` is the format's version
- pickup_code: `PICKUP:<取票码>`, 6-32 letters and digits (case-insensitive, kept in
  upper case); printed by this system and the tax app
- box_label: `FPBOX,<invoice kind>,<code>,<first>,<last>` (issue #12): kind 1-12
  letters/digits, code 10 or 12 digits (empty for paper fully-digital invoices),
  first and last the same number of digits (8-20), first <= last
- invoice_qr: the invoice QR (domain.md §1, kiosk.domain.parse_invoice_qr); a text
  shaped like one (a two-digit version and commas) that breaks a rule is still an
  invoice QR, with the parser's error, so the verification screen explains it
- waybill: SF Express `SF` + 12-13 digits; China Post and EMS `AA123456785CN`
  (UPU standard S10: 2 letters, 8 digits, the S10 check digit, 2 letters; EMS
  numbers start with E); JD Logistics `JD` + 13 letters/digits; YTO `YT` + 13
  digits. Sources: UPU S10 for the check digit; the others are the carriers'
  published number shapes [MEMORY]
- payment_code: WeChat Pay 18 digits starting 10-15 (WeChat Pay micropay API,
  `auth_code`: "18位纯数字，以10、11、12、13、14、15开头"); Alipay 16-24 digits starting
  25-30 (`alipay.trade.pay`, `auth_code`: "25~30开头的长度为16~24位的数字"); UnionPay
  (云闪付) 19 digits starting 62 (UnionPay QR payment code [MEMORY])
- unknown: anything else; `detail["error"]` is qr.empty, qr.too_long, qr.url or
  qr.not_invoice (the messages the verification screen has always shown)

Waybills of carriers whose numbers are digits only (ZTO, STO, Yunda, EMS domestic) are
not recognised: those shapes collide with product barcodes and payment codes.

A payment code is a one-time credential of the payer: `Scan`'s repr leaves the text
out, and nothing here logs it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..domain import InvoiceQrError, parse_invoice_qr
from .catalogue import ScanKind
from .slips import RESULT_SLIP_PREFIX, SLIP_REFERENCE_PREFIX, parse_result_qr, parse_slip_reference

CERTIFICATE_PREFIX = "CERT1:"
PICKUP_PREFIX = "PICKUP:"
BOX_LABEL_PREFIX = "FPBOX,"
MAX_SCAN_LENGTH = 4096  # a certificate QR is the longest this system prints

# The invoice parser's verdicts that mean "not an invoice QR at all".
_NOT_INVOICE = frozenset({"qr.not_invoice", "qr.url", "qr.empty", "qr.too_long"})
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+$")
_PICKUP = re.compile(r"^[A-Za-z0-9]{6,32}$")
_BOX_KIND = re.compile(r"^[A-Za-z0-9]{1,12}$")

_WAYBILLS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("sf", re.compile(r"^SF\d{12,13}$")),
    ("jd", re.compile(r"^JD[A-Z0-9]{13}$")),
    ("yto", re.compile(r"^YT\d{13}$")),
)
_S10 = re.compile(r"^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$")
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)

_PAYMENT_CODES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("wechat", re.compile(r"^1[0-5]\d{16}$")),
    ("alipay", re.compile(r"^(?:2[5-9]|30)\d{14,22}$")),
    ("unionpay", re.compile(r"^62\d{17}$")),
)


@dataclass(frozen=True)
class Scan:
    kind: ScanKind
    text: str = field(repr=False)  # may be a payer's payment code: never in logs
    detail: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def error(self) -> str | None:
        """The message code when the text has this kind's marks but is damaged."""
        return self.detail.get("error")


def s10_check_digit(serial: str) -> int:
    """The UPU S10 check digit of an 8-digit serial number."""
    total = sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check)


def classify(text: object) -> Scan:
    """What `text` is (never raises)."""
    if not isinstance(text, str):
        return Scan(ScanKind.UNKNOWN, "", {"error": "qr.not_invoice"})
    raw = text.strip()
    if not raw:
        return Scan(ScanKind.UNKNOWN, text, {"error": "qr.empty"})
    if len(raw) > MAX_SCAN_LENGTH:
        return Scan(ScanKind.UNKNOWN, text, {"error": "qr.too_long"})
    upper = raw.upper()
    for prefix, parse in ((SLIP_REFERENCE_PREFIX, _queued_slip), (RESULT_SLIP_PREFIX, _result_slip),
                          (CERTIFICATE_PREFIX, _certificate), (PICKUP_PREFIX, _pickup),
                          (BOX_LABEL_PREFIX, _box_label)):
        if upper.startswith(prefix):
            return parse(text, raw)
    invoice = _invoice(text)
    if invoice is not None:
        return invoice
    compact = upper.replace(" ", "")
    for carrier, pattern in _WAYBILLS:
        if pattern.match(compact):
            return Scan(ScanKind.WAYBILL, text, {"carrier": carrier, "number": compact})
    s10 = _S10.match(compact)
    if s10 is not None and s10_check_digit(s10[2]) == int(s10[3]):
        carrier = "ems" if compact.startswith("E") else "chinapost"
        return Scan(ScanKind.WAYBILL, text, {"carrier": carrier, "number": compact})
    for wallet, pattern in _PAYMENT_CODES:
        if pattern.match(raw):
            return Scan(ScanKind.PAYMENT_CODE, text, {"wallet": wallet})
    lowered = raw.lower()
    error = "qr.url" if lowered.startswith(("http://", "https://", "www.")) else "qr.not_invoice"
    return Scan(ScanKind.UNKNOWN, text, {"error": error})


def _queued_slip(text: str, raw: str) -> Scan:
    try:
        return Scan(ScanKind.SLIP_QR, text, {"slip": "queued",
                                             "reference": parse_slip_reference(raw)})
    except InvoiceQrError as exc:
        return Scan(ScanKind.SLIP_QR, text, {"slip": "queued", "error": exc.code})


def _result_slip(text: str, raw: str) -> Scan:
    try:
        query = parse_result_qr(raw)
    except InvoiceQrError as exc:
        return Scan(ScanKind.SLIP_QR, text, {"slip": "result", "error": exc.code})
    return Scan(ScanKind.SLIP_QR, text, {"slip": "result", "type_code": query.type_code,
                                         "number": query.number})


def _certificate(text: str, raw: str) -> Scan:
    parts = raw[len(CERTIFICATE_PREFIX):].split(".")
    if len(parts) != 2 or not all(_BASE64URL.match(p) for p in parts):
        return Scan(ScanKind.CERTIFICATE_QR, text, {"error": "certificate.damaged"})
    return Scan(ScanKind.CERTIFICATE_QR, text, {"version": "1"})


def _pickup(text: str, raw: str) -> Scan:
    code = raw[len(PICKUP_PREFIX):].strip()
    if not _PICKUP.match(code):
        return Scan(ScanKind.PICKUP_CODE, text, {"error": "pickup.damaged"})
    return Scan(ScanKind.PICKUP_CODE, text, {"code": code.upper()})


def _box_label(text: str, raw: str) -> Scan:
    parts = [p.strip() for p in raw.split(",")]
    damaged = Scan(ScanKind.BOX_LABEL, text, {"error": "box_label.damaged"})
    if len(parts) != 5:
        return damaged
    _, kind, code, first, last = parts
    if not _BOX_KIND.match(kind) or not (code == "" or (code.isascii() and code.isdigit()
                                                        and len(code) in (10, 12))):
        return damaged
    if not (first.isascii() and first.isdigit() and last.isascii() and last.isdigit()
            and len(first) == len(last) and 8 <= len(first) <= 20 and first <= last):
        return damaged
    return Scan(ScanKind.BOX_LABEL, text, {
        "invoice_kind": kind, "code": code, "first": first, "last": last,
        "count": str(int(last) - int(first) + 1)})


def _invoice(text: str) -> Scan | None:
    try:
        qr = parse_invoice_qr(text)
    except InvoiceQrError as exc:
        if exc.code in _NOT_INVOICE:
            return None
        return Scan(ScanKind.INVOICE_QR, text, {"error": exc.code})
    return Scan(ScanKind.INVOICE_QR, text, {"type_code": qr.type_code, "number": qr.number})
