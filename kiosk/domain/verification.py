"""Invoice verification: the query the central service needs, and its outcomes."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from offline_queue.payloads import InvoiceQuery

from .errors import InvoiceInputError, InvoiceQrError
from .invoice_code import invoice_code_info
from .invoice_qr import InvoiceQr, parse_amount, parse_date
from .invoice_types import (
    FULLY_DIGITAL_TYPES,
    GENERAL_TYPES,
    INVOICE_TYPES,
    SPECIAL_TYPES,
    VerifyField,
    number_length,
    required_fields,
)


class VerificationOutcome(str, Enum):
    GENUINE = "genuine"
    MISMATCH = "mismatch"
    NOT_FOUND = "not_found"
    VOID = "void"
    RED_FLUSHED = "red_flushed"
    ABNORMAL = "abnormal"
    TOO_MANY_CHECKS = "too_many_checks"
    OUT_OF_PERIOD = "out_of_period"


# The national platform's own result names (Chinese, English). Kept here, Qt-free,
# because the screen and the printed slip must say exactly the same thing.
OUTCOME_LABELS: dict[VerificationOutcome, tuple[str, str]] = {
    VerificationOutcome.GENUINE: ("查验一致", "Genuine"),
    VerificationOutcome.MISMATCH: ("不一致", "Mismatch"),
    VerificationOutcome.NOT_FOUND: ("查无此票", "Not found"),
    VerificationOutcome.VOID: ("已作废", "Void"),
    VerificationOutcome.RED_FLUSHED: ("已红冲", "Red-flushed"),
    VerificationOutcome.ABNORMAL: ("异常", "Abnormal"),
    VerificationOutcome.TOO_MANY_CHECKS: ("超过当日查验次数", "Too many checks today"),
    VerificationOutcome.OUT_OF_PERIOD: ("超出可查验期限", "Out of verification period"),
}

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "code": ("发票代码", "Invoice code"),
    "number": ("发票号码", "Invoice number"),
    "issued_on": ("开票日期", "Issue date"),
    "amount": ("金额", "Amount"),
    "check_code": ("校验码", "Check code"),
    "check_code_last6": ("校验码后6位", "Last 6 digits of check code"),
}


def outcome_label(outcome: VerificationOutcome, lang: str) -> str:
    zh, en = OUTCOME_LABELS[outcome]
    return zh if lang == "zh" else en


# What the verification service needs for one invoice: one definition, shared with the
# central service (offline_queue.payloads): fields, typed form and wire form (to_json /
# from_json, the outbox payload and the signed request's query fields).
VerificationQuery = InvoiceQuery


def query_from_qr(qr: InvoiceQr) -> VerificationQuery:
    """The query for a scanned invoice; InvoiceQrError if the QR lacks a needed field."""
    if qr.type_code in GENERAL_TYPES and len(qr.check_code) != 20:
        raise InvoiceQrError("this invoice's QR code has no check code", "qr.check_code",
                             "check_code")
    return VerificationQuery(
        type_code=qr.type_code, code=qr.code, number=qr.number, issued_on=qr.issued_on,
        amount=None if qr.type_code in GENERAL_TYPES else qr.amount,
        check_code_last6=qr.check_code_last6 if qr.type_code in GENERAL_TYPES else None,
    )


@dataclass
class FieldProblems(InvoiceInputError):
    """Every field a person typed wrongly, field id -> error code, for messages in place."""

    problems: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        InvoiceInputError.__init__(self, "; ".join(f"{k}: {v}" for k, v in self.problems.items()),
                                   "input.fields")


_DIGITS = re.compile(r"^\d+$")


def check_field(type_code: str, name: str, value: str) -> str | None:
    """Validate one typed field as the person types; returns an error code or None."""
    value = value.strip()
    if not value:
        return "required"
    if name == VerifyField.CODE:
        if not _DIGITS.match(value) or len(value) not in (10, 12):
            return "code.length"
        return None
    if name == VerifyField.NUMBER:
        if not _DIGITS.match(value) or len(value) != number_length(type_code):
            return "number.length20" if type_code in FULLY_DIGITAL_TYPES else "number.length8"
        return None
    if name == VerifyField.ISSUED_ON:
        try:
            parse_date(value)
        except InvoiceQrError:
            return "date.invalid"
        return None
    if name == VerifyField.AMOUNT:
        try:
            parse_amount(value)
        except InvoiceQrError:
            return "amount.invalid"
        return None
    if name == VerifyField.CHECK_CODE:
        if not _DIGITS.match(value) or len(value) != 6:
            return "check6.length"
        return None
    return None


def query_from_fields(type_code: str, values: dict[str, str]) -> VerificationQuery:
    """Build the query from manually typed fields; FieldProblems lists every bad field."""
    if type_code not in INVOICE_TYPES:
        raise FieldProblems({"type": "type.unknown"})
    needed = required_fields(type_code)
    problems = {}
    for f in needed:
        err = check_field(type_code, f.value, values.get(f.value, ""))
        if err:
            problems[f.value] = err
    code = values.get("code", "").strip() if VerifyField.CODE in needed else ""
    if not problems and code:
        code_type, _region = invoice_code_info(code)
        if code_type not in ("99", type_code) and {code_type, type_code} != {"04", "11"}:
            problems["code"] = "code.type_mismatch"
    if problems:
        raise FieldProblems(problems)
    amount = values.get("amount", "").strip()
    check = values.get("check_code_last6", "").strip()
    return VerificationQuery(
        type_code=type_code, code=code, number=values["number"].strip(),
        issued_on=parse_date(values["issued_on"].strip()),
        amount=parse_amount(amount) if VerifyField.AMOUNT in needed else None,
        check_code_last6=check if VerifyField.CHECK_CODE in needed else None,
    )


@dataclass(frozen=True)
class VerificationResult:
    """The central service's answer for one query."""

    outcome: VerificationOutcome
    mismatch_field: str | None = None
    invoice: dict[str, Any] | None = None
    checks_today: int | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VerificationResult:
        try:
            outcome = VerificationOutcome(data["outcome"])
        except (KeyError, ValueError) as exc:
            raise ValueError("the central service sent an unknown verification result") from exc
        return cls(outcome, data.get("mismatch_field"), data.get("invoice"),
                   data.get("checks_today"))


__all__ = [
    "FieldProblems", "OUTCOME_LABELS", "FIELD_LABELS", "VerificationOutcome",
    "VerificationQuery", "VerificationResult", "check_field", "outcome_label",
    "query_from_fields", "query_from_qr", "SPECIAL_TYPES",
]
