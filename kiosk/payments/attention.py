"""Payment orders that need hall staff: what the maintenance screen lists. Qt-free.

An order not in a final state (kiosk.payments.orders) is "open": its outcome is not
known (`sent`, `unknown`), the money is taken but not booked (`approved`), or central
refused it and the refund is not confirmed (`voiding`). `read_attention` turns the
open orders into rows a screen may show: state, method, amount, start time, the
taxpayer masked for the screen (domain.md §9, kiosk.domain.masking) and the short
order reference; never the clear ID number or the card number. `describe_check` sums
up what one resolution pass (`PaymentCore.resolve`) changed. Blocking (SQLite reads):
call both off the GUI thread.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..domain.identifiers import USCC_ALPHABET
from ..domain.masking import mask
from .model import fen_to_yuan
from .orders import Order, OrderError

_log = logging.getLogger("kiosk.payments")

#: How many characters of an order id the screen shows: its random tail, which the
#: taxpayer's result screen and slip print at the end of the full id.
SHORT_REF_LEN = 8
#: The most rows one screen lists (open orders are rare; the count says if more).
MAX_ROWS = 50
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_USCC_SHAPE = re.compile(f"[{USCC_ALPHABET}]{{18}}")


def short_reference(order_id: str) -> str:
    """The tail of an order id ("P20260301093000a1b2c3d4" -> "a1b2c3d4")."""
    return order_id[-SHORT_REF_LEN:]


def masked_taxpayer(tin: str) -> str:
    """Whom an order pays for, as a screen may show it: a person's TIN (their resident
    ID number, 17 digits and a digit or X) first 3 and last 4; an enterprise's USCC (18
    characters of its alphabet, letters among them) in full (public register data).
    Anything else is masked like an ID number: when in doubt, hide."""
    tin = (tin or "").strip().upper()
    if not tin:
        return ""
    if _USCC_SHAPE.fullmatch(tin) and not _ID_SHAPE.fullmatch(tin):
        return mask("uscc", tin, "screen") or ""
    return mask("id_number", tin, "screen") or ""


@dataclass(frozen=True)
class AttentionRow:
    """One open order as the screen shows it (no clear personal data)."""

    order_id: str  # not personal: time and random digits (object names, the log)
    short_ref: str
    state: str  # sent, unknown, approved, voiding (or created)
    method: str  # card or qr
    amount_fen: int
    started_at: datetime  # UTC
    taxpayer: str  # masked for the screen; "" when the order names nobody
    # Why staff may have to act by hand: "manual_check" (the terminal's batch report
    # must decide), "void_refused" (the terminal refused the refund), or None.
    hint: str | None

    @property
    def amount_yuan(self) -> str:
        return f"{fen_to_yuan(self.amount_fen):,.2f}"


@dataclass(frozen=True)
class PaymentAttention:
    """The open orders, oldest first. `available` is False without a payment core;
    `unreadable` when the order store could not be read (logged without data)."""

    available: bool
    rows: tuple[AttentionRow, ...] = ()
    total: int = 0
    unreadable: bool = False


def _row(order: Order) -> AttentionRow:
    hint = None
    if order.message_code == "payment.manual_check":
        hint = "manual_check"
    elif order.state == "voiding" and order.detail.get("void_refused"):
        hint = "void_refused"
    return AttentionRow(order_id=order.id, short_ref=short_reference(order.id),
                        state=order.state, method=order.method,
                        amount_fen=order.amount_fen, started_at=order.created_at,
                        taxpayer=masked_taxpayer(order.request.tin), hint=hint)


def read_attention(payments: Any) -> PaymentAttention:
    """The open orders of `payments` (a kiosk.payments.core.PaymentCore, or None)."""
    if payments is None:
        return PaymentAttention(available=False)
    try:
        orders = payments.store.unresolved()
    except OrderError as exc:
        _log.warning("payment orders could not be read: %s", type(exc).__name__)
        return PaymentAttention(available=True, unreadable=True)
    rows = tuple(_row(o) for o in orders[:MAX_ROWS])
    return PaymentAttention(available=True, rows=rows, total=len(orders))


@dataclass(frozen=True)
class CheckSummary:
    """What one check with the terminal did, for words on the screen: (short ref,
    state reached) per changed order, how many stay open, how many could not be asked,
    and whether the terminal said it was busy."""

    changed: tuple[tuple[str, str], ...]
    still_open: int
    failed: int
    terminal_busy: bool


def describe_check(report: Any) -> CheckSummary:
    """A kiosk.payments.core.ResolveReport in the terms the screen uses."""
    changed = tuple((short_reference(order_id), state)
                    for order_id, state in report.changed.items())
    return CheckSummary(changed=changed, still_open=len(report.open),
                        failed=len(report.errors), terminal_busy=bool(report.terminal_busy))


__all__ = ["AttentionRow", "CheckSummary", "PaymentAttention", "describe_check",
           "masked_taxpayer", "read_attention", "short_reference"]
