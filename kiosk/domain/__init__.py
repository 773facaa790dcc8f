"""Pure tax-domain rules: no I/O, no Qt. Safe to use from the CLI, services and tests."""
from .calculators import (
    CalcStep,
    CalculatorInputError,
    bonus_tax,
    compare_bonus_taxation,
    iit_annual,
    iit_cumulative_month,
    labour_withholding,
    vehicle_tax,
)
from .crc import crc16_umts
from .errors import DomainError, IdentifierError, InvoiceInputError, InvoiceQrError
from .identifiers import validate_resident_id, validate_uscc
from .invoice_code import invoice_code_info
from .invoice_qr import InvoiceQr, parse_invoice_qr
from .invoice_types import INVOICE_TYPES, VerifyField, required_fields, type_name
from .masking import mask_id_number, mask_name, mask_phone
from .verification import (
    FIELD_LABELS,
    OUTCOME_LABELS,
    FieldProblems,
    VerificationOutcome,
    VerificationQuery,
    VerificationResult,
    check_field,
    outcome_label,
    query_from_fields,
    query_from_qr,
)

__all__ = [
    "crc16_umts", "DomainError", "IdentifierError", "InvoiceInputError", "InvoiceQrError",
    "validate_resident_id", "validate_uscc", "invoice_code_info", "InvoiceQr",
    "parse_invoice_qr", "INVOICE_TYPES", "VerifyField", "required_fields", "type_name",
    "mask_id_number", "mask_name", "mask_phone", "FIELD_LABELS", "OUTCOME_LABELS",
    "FieldProblems", "VerificationOutcome", "VerificationQuery", "VerificationResult",
    "check_field", "outcome_label", "query_from_fields", "query_from_qr",
    "CalcStep", "CalculatorInputError", "bonus_tax", "compare_bonus_taxation", "iit_annual",
    "iit_cumulative_month", "labour_withholding", "vehicle_tax",
]
