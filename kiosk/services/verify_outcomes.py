"""What an invoice verification can end in. Light on purpose (no I/O imports): the
screens import these types at start-up, before the core has loaded."""
from __future__ import annotations

from dataclasses import dataclass

from ..domain import InvoiceQr, VerificationQuery, VerificationResult


@dataclass(frozen=True)
class ScannedInvoice:
    qr: InvoiceQr
    query: VerificationQuery

    @property
    def crc_warning(self) -> bool:
        return self.qr.crc_valid is False


@dataclass(frozen=True)
class ScannedReference:
    """The QR of a slip printed for a queued verification."""

    reference: str


@dataclass(frozen=True)
class ScannedResultSlip:
    """The QR of a result slip: it carries the query, so the invoice is checked again."""

    query: VerificationQuery


Scan = ScannedInvoice | ScannedReference | ScannedResultSlip


@dataclass(frozen=True)
class Verified:
    query: VerificationQuery
    result: VerificationResult
    reference: str | None = None  # set when the result came back through the queue


@dataclass(frozen=True)
class Queued:
    query: VerificationQuery
    reference: str
    seq: int


@dataclass(frozen=True)
class StillPending:
    reference: str
    query: VerificationQuery | None


@dataclass(frozen=True)
class UnknownReference:
    reference: str


@dataclass(frozen=True)
class ResultNotKept:
    """The slip's result came back, was kept for [privacy] result_retention_days and
    has been deleted from this terminal (the central service could not be asked)."""

    reference: str


class VerifyRejected(Exception):
    """The central service refused the query itself (a 4xx): show the reason, queue nothing."""
