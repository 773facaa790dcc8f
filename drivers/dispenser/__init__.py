"""Paper-invoice dispensers on a serial line: the SEQ/CRC-16 framed protocol, the driver
and its crash-safe job journal (docs/dispenser-protocol.md). Qt-free."""
from .dispenser import (
    DispenseError,
    DispenseReconcileOutcome,
    DispenseResult,
    InvoiceDispenser,
)
from .frame import Counters, Sensors
from .journal import DispenseJob, DispenseJournal

JOURNAL_FILE_NAME = "dispenser-journal.sqlite3"  # under the kiosk's data_dir

__all__ = [
    "JOURNAL_FILE_NAME",
    "Counters",
    "DispenseError",
    "DispenseJob",
    "DispenseJournal",
    "DispenseReconcileOutcome",
    "DispenseResult",
    "InvoiceDispenser",
    "Sensors",
]
