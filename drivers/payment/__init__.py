"""Bank-card payment terminals (POS pinpads on a serial line): the driver interface,
the framed STX/ETX/LRC protocol, the serial driver and its crash-safe job journal.
See docs/payment-protocol.md. Qt-free."""
from .base import PaymentResult, PaymentTerminal, ReconcileOutcome, mask_pan
from .journal import PaymentJournal
from .serial_terminal import SerialPaymentTerminal

__all__ = [
    "PaymentJournal",
    "PaymentResult",
    "PaymentTerminal",
    "ReconcileOutcome",
    "SerialPaymentTerminal",
    "mask_pan",
]
