"""Domain errors: a stable code for logs and translations, and a plain English message.

The UI maps `code` to a translated sentence; `str(error)` is the English fallback.
"""
from __future__ import annotations


class DomainError(ValueError):
    code: str = "domain.invalid"

    def __init__(self, message: str, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.field = field


class InvoiceQrError(DomainError):
    """Text that is not a well-formed invoice QR code."""

    code = "qr.invalid"


class IdentifierError(DomainError):
    """A taxpayer identifier (USCC, resident ID number) that fails its rules."""

    code = "id.invalid"


class InvoiceInputError(DomainError):
    """Invoice fields typed by a person that the verification service cannot use."""

    code = "input.invalid"
