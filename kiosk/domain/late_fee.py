"""滞纳金 (late fee) on unpaid tax: 0.05 % of the unpaid tax per day, counted from the
day after the due date up to and including the day of payment (征管法 第32条;
services.md "滞纳金"). Pure and Qt-free: the arrears look-up (#10) shows it and the
payment flow (#11) charges it, so both must agree to the fen.

A tax paid on or before its due date has no late fee. The fee is rounded half up to
the fen once, on the total (never day by day), as the bureau's levy lines do.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .errors import DomainError

DAILY_RATE = Decimal("0.0005")
FEN = Decimal("0.01")


class LateFeeInputError(DomainError):
    """The tax amount or the dates cannot be a late-fee computation."""

    code = "late_fee.invalid"


@dataclass(frozen=True, slots=True)
class LateFee:
    """One unpaid item's late fee on a given payment day."""

    tax: Decimal
    days: int       # 滞纳天数: days past the due date, 0 when not overdue
    fee: Decimal    # 滞纳金, to the fen
    total: Decimal  # tax + fee


def late_days(due_on: date, paid_on: date) -> int:
    """Days overdue: the day after `due_on` is day 1; 0 when paid by the due date."""
    return max(0, (paid_on - due_on).days)


def late_fee(tax: Decimal, due_on: date, paid_on: date) -> LateFee:
    """The late fee on `tax` (a non-negative Decimal amount in yuan) paid on `paid_on`."""
    if isinstance(tax, bool) or not isinstance(tax, Decimal) or not tax.is_finite():
        raise LateFeeInputError("the tax amount must be a finite Decimal")
    if tax < 0:
        raise LateFeeInputError("the tax amount must not be negative")
    if not isinstance(due_on, date) or not isinstance(paid_on, date):
        raise LateFeeInputError("the due and payment dates must be dates")
    days = late_days(due_on, paid_on)
    fee = (tax * DAILY_RATE * days).quantize(FEN, rounding=ROUND_HALF_UP)
    tax_fen = tax.quantize(FEN, rounding=ROUND_HALF_UP)
    return LateFee(tax=tax_fen, days=days, fee=fee, total=tax_fen + fee)
