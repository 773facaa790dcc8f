"""车船税 filing of a natural person's car (issue #11 §1, `tax.vehicle`). Pure and
Qt-free.

A vehicle owes tax for every year from the later of its purchase year and the year
after the last year paid, up to the current year. Each year is the province's annual
amount for the car's displacement bracket (reference data, checked against the
national ranges by kiosk.domain.calculators), prorated in the purchase year: annual ×
months owned ÷ 12, the month of purchase counted (bought in October: 3 months). A
year is due on its 31 December; a year paid later carries the 滞纳金 of
kiosk.domain.late_fee from 1 January on. A vehicle whose tax an insurer collects
(with the 交强险) owes nothing here.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .calculators import VehicleTaxResult, vehicle_tax_detail
from .errors import DomainError
from .late_fee import late_fee

#: How many past years a kiosk files at most (older ones go to the window).
MAX_YEARS = 5


class VehicleFilingError(DomainError):
    code = "vehicle.invalid"


@dataclass(frozen=True)
class VehicleYear:
    """One tax year of one vehicle: the computation, the due date and the late fee."""

    year: int
    detail: VehicleTaxResult
    due_on: date
    late_days: int
    late_fee: Decimal

    @property
    def tax(self) -> Decimal:
        return self.detail.tax

    @property
    def total(self) -> Decimal:
        return self.detail.tax + self.late_fee

    @property
    def period(self) -> str:
        return f"{self.year:04d}12"


def due_on(year: int) -> date:
    return date(year, 12, 31)


def years_owed(bought_on: date, paid_through: int | None, today: date) -> list[int]:
    """The tax years still unpaid, oldest first (at most MAX_YEARS, the newest)."""
    first = bought_on.year if paid_through is None else max(bought_on.year, paid_through + 1)
    years = list(range(first, today.year + 1))
    return years[-MAX_YEARS:]


def vehicle_years(*, displacement_l: str | Decimal, bought_on: date,
                  paid_through: int | None, today: date,
                  annual_amounts: Mapping[str, object],
                  insurer_collected: bool = False) -> list[VehicleYear]:
    """Every unpaid year of a vehicle with its tax and late fee as of `today`
    (CalculatorInputError for a displacement or a table out of range)."""
    if bought_on > today:
        raise VehicleFilingError("the purchase date is after today")
    if insurer_collected:
        return []
    out = []
    for year in years_owed(bought_on, paid_through, today):
        month = bought_on.month if year == bought_on.year else None
        detail = vehicle_tax_detail(displacement_l, acquired_month=month,
                                    annual_amounts=annual_amounts)
        fee = late_fee(detail.tax, due_on(year), today)
        out.append(VehicleYear(year=year, detail=detail, due_on=due_on(year),
                               late_days=fee.days, late_fee=fee.fee))
    return out
