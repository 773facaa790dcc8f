"""The payment-terminal interface the kiosk services program against.

Services take money through `PaymentTerminal` only, so a different terminal protocol
(a TCP pinpad, a vendor SDK) is one more class, not a change to the services. Card
numbers never leave this layer unmasked: `PaymentResult.card_masked` keeps the first
six and last four digits (the BIN identifies the bank, the tail lets a taxpayer
recognise the card), the way bank slips print them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from ..base import DeviceStatus

APPROVED = "00"
_MASKED = re.compile(r"^\d{6}\*{2,9}\d{4}$")


def mask_pan(pan: str) -> str:
    """Mask a card number to first 6 + stars + last 4 ('622848******1234').

    Already-masked input is returned unchanged; anything that is not a plausible card
    number (wrong length, other characters) becomes all stars rather than leaking.
    """
    pan = (pan or "").strip()
    if not pan:
        return ""
    if _MASKED.match(pan):
        return pan
    if pan.isdigit() and 12 <= len(pan) <= 19:
        return pan[:6] + "*" * (len(pan) - 10) + pan[-4:]
    return "*" * min(len(pan), 19)


@dataclass(frozen=True)
class PaymentResult:
    """What the terminal said about one transaction.

    `approved` is True only for response code "00"; every other code is a decline with
    the terminal's reason. `at` is the terminal's own clock (local time), as printed on
    its slip. `card_masked` is never the full card number. The MIS-POS response's other
    fields (参考号 `rrn`, 授权号, 批次号, 终端号, 商户号, 行号 `issuer`) are kept for the
    voucher and the reconciliation with the acquirer's statement.
    """

    approved: bool
    response_code: str
    message: str
    trace_no: str
    reference: str
    amount_fen: int
    card_masked: str
    at: datetime
    kind: str = "sale"  # "sale" | "void" | "sign_in" | "settlement"
    rrn: str = ""
    auth_code: str = ""
    batch_no: str = ""
    terminal_id: str = ""
    merchant_id: str = ""
    issuer: str = ""


@dataclass(frozen=True)
class ReconcileOutcome:
    """How start-up reconciliation settled one journal entry left open by a crash.

    `new_state` is one of 'approved', 'declined', 'not_performed' or 'manual_check'
    (the terminal's record cannot tell: a person has to look at its batch report).
    """

    reference: str
    kind: str
    amount_fen: int
    previous_state: str
    new_state: str
    result: PaymentResult | None
    note: str = ""


@runtime_checkable
class PaymentTerminal(Protocol):
    """A bank-card terminal. Every call blocks (run it off the GUI thread).

    Failures raise `drivers.errors.DeviceError`; a decline is not a failure but an
    answer (`PaymentResult.approved` False). A sale whose outcome is unknown (timeout,
    cable pulled) raises and stays 'unknown' in the journal until `reconcile()` asks
    the terminal: it is never sent again.
    """

    def sale(self, amount_fen: int, reference: str) -> PaymentResult:
        """Charge `amount_fen` (1 yuan = 100 fen); `reference` is unique per attempt."""
        ...

    def void(self, original_trace: str, reference: str, amount_fen: int = 0) -> PaymentResult:
        """Cancel a sale of the open batch by its trace number (撤销, same day)."""
        ...

    def query(self, reference: str) -> PaymentResult | None:
        """The terminal's transaction made under `reference`, or None when it has none."""
        ...

    def sign_in(self) -> PaymentResult:
        """签到: open the day's batch with the acquirer."""
        ...

    def settlement(self) -> PaymentResult:
        """结算: close the batch (its net total in `amount_fen`); sign in again after."""
        ...

    def status(self) -> DeviceStatus:
        """Ask the terminal whether it can take a card now; never raises."""
        ...

    def reconcile(self) -> list[ReconcileOutcome]:
        """Settle journal entries a crash left open, by asking the terminal."""
        ...
