"""Invoice type codes and which fields each type needs for verification (domain.md §1)."""
from __future__ import annotations

from enum import Enum

# Type code -> (Chinese name, English name)
INVOICE_TYPES: dict[str, tuple[str, str]] = {
    "01": ("增值税专用发票", "VAT special invoice"),
    "04": ("增值税普通发票", "VAT general invoice"),
    "08": ("增值税电子专用发票", "VAT e-special invoice"),
    "10": ("增值税电子普通发票", "VAT e-general invoice"),
    "11": ("增值税普通发票（卷票）", "VAT general invoice (roll)"),
    "14": ("增值税电子普通发票（通行费）", "VAT e-general invoice (toll)"),
    "31": ("电子发票（增值税专用发票）", "Fully-digital special invoice"),
    "32": ("电子发票（普通发票）", "Fully-digital general invoice"),
    "51": ("电子发票（铁路电子客票）", "Railway e-ticket"),
}

SPECIAL_TYPES = frozenset({"01", "08"})
GENERAL_TYPES = frozenset({"04", "10", "11", "14"})
FULLY_DIGITAL_TYPES = frozenset({"31", "32", "51"})


class VerifyField(str, Enum):
    """Fields a person may have to type for a manual verification."""

    CODE = "code"
    NUMBER = "number"
    ISSUED_ON = "issued_on"
    AMOUNT = "amount"  # before tax for special, total incl. tax for fully-digital
    CHECK_CODE = "check_code_last6"


def required_fields(type_code: str) -> tuple[VerifyField, ...]:
    """What the verification service needs for this invoice type."""
    if type_code in SPECIAL_TYPES:
        return (VerifyField.CODE, VerifyField.NUMBER, VerifyField.ISSUED_ON, VerifyField.AMOUNT)
    if type_code in GENERAL_TYPES:
        return (VerifyField.CODE, VerifyField.NUMBER, VerifyField.ISSUED_ON,
                VerifyField.CHECK_CODE)
    if type_code in FULLY_DIGITAL_TYPES:
        return (VerifyField.NUMBER, VerifyField.ISSUED_ON, VerifyField.AMOUNT)
    raise KeyError(type_code)


def number_length(type_code: str) -> int:
    return 20 if type_code in FULLY_DIGITAL_TYPES else 8


def type_name(type_code: str, lang: str) -> str:
    names = INVOICE_TYPES.get(type_code)
    if names is None:
        return type_code
    return names[0] if lang == "zh" else names[1]
