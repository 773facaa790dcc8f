"""Paper-invoice dispensers on a serial line: the SEQ/CRC-16 framed protocol, the driver
and its crash-safe job journal (docs/dispenser-protocol.md). Qt-free."""
from .dispenser import (
    DispenseError,
    DispenseReconcileOutcome,
    DispenseResult,
    InvoiceDispenser,
    IssueResult,
)
from .frame import INVOICE_KINDS, CassetteState, Counters, PresenterState, Sensors
from .journal import CassetteBlock, CassetteLoad, DispenseJob, DispenseJournal

JOURNAL_FILE_NAME = "dispenser-journal.sqlite3"  # under the kiosk's data_dir

__all__ = [
    "INVOICE_KINDS",
    "JOURNAL_FILE_NAME",
    "CassetteBlock",
    "CassetteLoad",
    "CassetteState",
    "Counters",
    "DispenseError",
    "DispenseJob",
    "DispenseJournal",
    "DispenseReconcileOutcome",
    "DispenseResult",
    "InvoiceDispenser",
    "IssueResult",
    "PresenterState",
    "Sensors",
]
