"""灵活就业社保费 (flexible-employment social insurance, issue #11 §1,
`tax.social_insurance`). Pure and Qt-free.

The taxpayer picks a contribution level from the province's list (reference data:
monthly base and rate per insurance kind and year) and the months to pay; each month
costs base × rate, rounded half up to the fen once per month (the bureau's levy lines
are per month), and the amount due is their sum.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .errors import DomainError

FEN = Decimal("0.01")
KINDS: dict[str, tuple[str, str]] = {
    "pension": ("基本养老保险费", "Basic pension insurance"),
    "medical": ("基本医疗保险费", "Basic medical insurance"),
}


class SocialInsuranceError(DomainError):
    code = "social_insurance.invalid"


@dataclass(frozen=True)
class Contribution:
    kind: str
    base: Decimal
    rate: Decimal
    months: tuple[str, ...]  # YYYYMM, ascending
    monthly: Decimal

    @property
    def total(self) -> Decimal:
        return self.monthly * len(self.months)


def month_range(year: int, first: int, last: int) -> tuple[str, ...]:
    """YYYYMM for the months first..last of `year` (1-12, first <= last)."""
    if not 1 <= first <= last <= 12:
        raise SocialInsuranceError("months must be 1-12, the first not after the last")
    return tuple(f"{year:04d}{m:02d}" for m in range(first, last + 1))


def contribution(kind: str, base: Decimal, rate: Decimal, months: tuple[str, ...],
                 paid: frozenset[str] = frozenset()) -> Contribution:
    """What paying `months` at this level costs; months already paid are refused."""
    if kind not in KINDS:
        raise SocialInsuranceError(f"kind must be one of {', '.join(KINDS)}")
    if not isinstance(base, Decimal) or not base.is_finite() or base <= 0:
        raise SocialInsuranceError("the base must be a positive amount")
    if not isinstance(rate, Decimal) or not Decimal(0) < rate < Decimal(1):
        raise SocialInsuranceError("the rate must be a fraction between 0 and 1")
    if not months:
        raise SocialInsuranceError("choose at least one month")
    twice = sorted(set(months) & paid)
    if twice:
        raise SocialInsuranceError(f"already paid: {', '.join(twice)}", "social_insurance.paid")
    monthly = (base * rate).quantize(FEN, rounding=ROUND_HALF_UP)
    return Contribution(kind=kind, base=base, rate=rate, months=tuple(sorted(months)),
                        monthly=monthly)
