"""Vectors of the paying services' domain (issue #11 §6): vehicle tax proration and
late fee per unpaid year, the IIT annual return's income and its exemption edge
(400.00 vs 400.01), and the social insurance amount."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kiosk.domain.calculators import DEMO_VEHICLE_AMOUNTS, CalculatorInputError
from kiosk.domain.iit_return import Prefill, compute
from kiosk.domain.social_insurance import SocialInsuranceError, contribution, month_range
from kiosk.domain.vehicle_filing import VehicleFilingError, vehicle_years, years_owed

D = Decimal


def test_a_car_bought_in_october_pays_three_twelfths_the_month_of_purchase_counted() -> None:
    years = vehicle_years(displacement_l="1.998", bought_on=date(2026, 10, 8),
                          paid_through=None, today=date(2026, 12, 20),
                          annual_amounts=DEMO_VEHICLE_AMOUNTS)
    assert [(y.year, y.detail.months, y.tax, y.late_fee) for y in years] == [
        (2026, 3, D("90.00"), D("0.00"))]
    # Bought on 1 December: one month; in January: the whole year.
    for day, months, tax in ((date(2026, 12, 1), 1, D("30.00")),
                             (date(2026, 1, 31), 12, D("360.00"))):
        (year,) = vehicle_years(displacement_l="2.0", bought_on=day, paid_through=None,
                                today=date(2026, 12, 20), annual_amounts=DEMO_VEHICLE_AMOUNTS)
        assert (year.detail.months, year.tax) == (months, tax)


def test_an_unpaid_past_year_carries_the_late_fee_from_1_january() -> None:
    table = dict(DEMO_VEHICLE_AMOUNTS) | {"1.6-2.0": "420"}
    years = vehicle_years(displacement_l="1.8", bought_on=date(2025, 10, 8),
                          paid_through=None, today=date(2026, 6, 15), annual_amounts=table)
    assert [(y.year, y.tax, y.due_on, y.late_days, y.late_fee, y.period) for y in years] == [
        (2025, D("105.00"), date(2025, 12, 31), 166, D("8.72"), "202512"),  # 105×0.0005×166
        (2026, D("420.00"), date(2026, 12, 31), 0, D("0.00"), "202612")]
    assert years[0].total == D("113.72")


def test_paid_years_insurer_collection_and_bad_input() -> None:
    assert years_owed(date(2019, 5, 1), 2025, date(2026, 3, 1)) == [2026]
    assert years_owed(date(2015, 5, 1), None, date(2026, 3, 1)) == [2022, 2023, 2024, 2025,
                                                                   2026]
    assert vehicle_years(displacement_l="1.5", bought_on=date(2020, 1, 1), paid_through=None,
                         today=date(2026, 3, 1), annual_amounts=DEMO_VEHICLE_AMOUNTS,
                         insurer_collected=True) == []
    with pytest.raises(VehicleFilingError):
        vehicle_years(displacement_l="1.5", bought_on=date(2027, 1, 1), paid_through=None,
                      today=date(2026, 3, 1), annual_amounts=DEMO_VEHICLE_AMOUNTS)
    with pytest.raises(CalculatorInputError):  # a table outside the national range
        vehicle_years(displacement_l="1.5", bought_on=date(2026, 1, 1), paid_through=None,
                      today=date(2026, 3, 1),
                      annual_amounts=dict(DEMO_VEHICLE_AMOUNTS) | {"1.0-1.6": "9999"})


def prefill(withheld: str, **changes: str) -> Prefill:
    values = {"wages": "150000.00", "labour": "0", "royalties": "0", "withheld": withheld,
              "special_additional": "0", "social_insurance": "0"} | changes
    return Prefill(**{k: D(v) for k, v in values.items()})


def test_iit_exemption_edge_400_00_is_waived_400_01_is_paid() -> None:
    # 150,000 - 60,000 = 90,000 taxable: 10 % - 2,520 = 6,480 tax for the year.
    waived = compute(2025, prefill("6080.00"))
    assert waived.result.balance == D("400.00") and waived.result.exempt
    assert (waived.outcome, waived.amount) == ("nothing", D("0.00"))
    paid = compute(2025, prefill("6079.99"))
    assert paid.result.balance == D("400.01") and not paid.result.exempt
    assert (paid.outcome, paid.amount) == ("pay", D("400.01"))


def test_iit_income_counts_labour_and_royalties_at_80_percent_and_edits_deductions() -> None:
    p = prefill("9000.00", wages="100000.00", labour="10000.00", royalties="5000.00")
    assert p.income == D("112000.00")
    # Income of at most 120,000: any balance due is waived.
    assert compute(2025, prefill("0", wages="120000.00")).outcome == "nothing"
    refund = compute(2025, prefill("9000.00"), special_additional=D("24000.00"))
    # 150,000 - 60,000 - 24,000 = 66,000 -> 10 % - 2,520 = 4,080; 9,000 withheld.
    assert (refund.result.tax, refund.outcome, refund.amount) == (
        D("4080.00"), "refund", D("4920.00"))


def test_social_insurance_months_times_base_times_rate() -> None:
    months = month_range(2026, 1, 3)
    assert months == ("202601", "202602", "202603")
    c = contribution("pension", D("4000.00"), D("0.20"), months)
    assert (c.monthly, c.total) == (D("800.00"), D("2400.00"))
    assert contribution("medical", D("3333.33"), D("0.20"), ("202604",)).monthly == D("666.67")
    with pytest.raises(SocialInsuranceError) as caught:
        contribution("pension", D("4000.00"), D("0.20"), months, frozenset({"202602"}))
    assert caught.value.code == "social_insurance.paid"
    for bad in (lambda: month_range(2026, 3, 1), lambda: contribution(
            "dental", D("1"), D("0.2"), months), lambda: contribution(
            "pension", D("1"), D("2"), months)):
        with pytest.raises(SocialInsuranceError):
            bad()
