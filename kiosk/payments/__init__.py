"""Taking money at the kiosk (issue #11): the payment request a service builds, the
durable order store on the outbox database, the card path over the payment terminal,
the record that tells the central service what was paid (`tax.payment`), and the
start-up resolution of orders a crash left open. Qt-free; the screens live in
ui/flow/payment.py. See docs/payment-protocol.md ("Orders")."""
from .model import (
    FINAL_STATES,
    ORDER_STATES,
    PaymentItem,
    PaymentOutcome,
    PaymentRequest,
    yuan_to_fen,
)

__all__ = ["FINAL_STATES", "ORDER_STATES", "PaymentItem", "PaymentOutcome",
           "PaymentRequest", "yuan_to_fen"]
