"""个人所得税综合所得年度汇算, the simple path (issue #11 §1, `tax.iit_annual`). Pure
and Qt-free.

The prefilled figures (wages, labour remuneration, royalties, tax withheld, special
additional deductions, social insurance) give the year's 综合所得收入额: wages in full,
labour remuneration and royalties at 80 % (个人所得税法 第六条: 劳务报酬所得、特许权使用费
所得以收入减除百分之二十后的余额为收入额). The computation itself and the exemption (annual
income ≤ 120,000, or an amount due ≤ 400) are kiosk.domain.calculators.iit_annual.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from .calculators import IitAnnualResult, iit_annual

FEN = Decimal("0.01")
EIGHTY_PERCENT = Decimal("0.80")
Outcome = Literal["pay", "refund", "nothing"]


@dataclass(frozen=True)
class Prefill:
    wages: Decimal
    labour: Decimal
    royalties: Decimal
    withheld: Decimal
    special_additional: Decimal
    social_insurance: Decimal

    @property
    def income(self) -> Decimal:
        """综合所得收入额: wages + 80 % of labour remuneration and of royalties."""
        return (self.wages + ((self.labour + self.royalties) * EIGHTY_PERCENT)
                ).quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class AnnualReturn:
    year: int
    prefill: Prefill
    special_additional: Decimal  # as confirmed or edited by the taxpayer
    result: IitAnnualResult

    @property
    def outcome(self) -> Outcome:
        if self.result.to_pay > 0:
            return "pay"
        if self.result.refund > 0:
            return "refund"
        return "nothing"

    @property
    def amount(self) -> Decimal:
        return self.result.to_pay if self.outcome == "pay" else self.result.refund


def compute(year: int, prefill: Prefill,
            special_additional: Decimal | None = None) -> AnnualReturn:
    """The return as the taxpayer confirms it (`special_additional`: the edited
    deductions; None keeps the prefilled ones). CalculatorInputError on bad input."""
    special = prefill.special_additional if special_additional is None else special_additional
    result = iit_annual(income=prefill.income, social_insurance=prefill.social_insurance,
                        special_additional=special, withheld=prefill.withheld)
    return AnnualReturn(year=year, prefill=prefill, special_additional=result.special_additional,
                        result=result)
