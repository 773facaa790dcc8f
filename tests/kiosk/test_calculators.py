"""The 税款计算 calculators (issue #13 §2): domain.md §3/§4 vectors, every bracket edge,
the exemption and refund rules, input refusal and properties of the tables."""
from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, localcontext
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from kiosk.domain import calculators as calc
from kiosk.domain.calculators import (
    CalcStep, CalculatorInputError, bonus_tax, bonus_tax_detail, compare_bonus_taxation,
    iit_annual, iit_cumulative_month, iit_cumulative_month_detail, labour_withholding,
    labour_withholding_detail, vehicle_bracket, vehicle_tax, vehicle_tax_detail,
)

D = Decimal


def is_fen(value: Decimal) -> bool:
    return isinstance(value, Decimal) and value.as_tuple().exponent == -2


def annual_tax_on(taxable: str) -> Any:
    # No deductions besides the basic 60,000: income = taxable + 60,000.
    return iit_annual(income=D(taxable) + 60000)


# --- domain.md vectors ---------------------------------------------------------------


def test_domain_vectors() -> None:
    assert annual_tax_on("120000").tax == D("9480.00")
    assert annual_tax_on("300000").tax == D("43080.00")
    assert bonus_tax(D(36000)) == D("1080.00")
    assert vehicle_tax(D("2.0"), acquired_month=10) == D("90.00")


def test_salary_10000_withholds_75_every_month() -> None:
    withheld = D(0)
    for month in range(1, 13):
        tax = iit_cumulative_month(
            month=month, cumulative_income=D(10000) * month,
            cumulative_social_insurance=D(1500) * month,
            cumulative_special_additional=D(1000) * month, withheld_before=withheld)
        assert tax == D("75.00"), month
        withheld += tax
    assert withheld == iit_annual(income=120000, social_insurance=18000,
                                  special_additional=12000).tax == D("900.00")


def test_cumulative_method_crosses_into_10_percent() -> None:
    # 15,000 taxable a month: month 3 reaches 45,000 cumulative -> 10 % row.
    taxes: list[Decimal] = []
    for month in (1, 2, 3):
        taxes.append(iit_cumulative_month(month=month, cumulative_income=D(20000) * month,
                                          withheld_before=sum(taxes, D(0))))
    assert taxes == [D("450.00"), D("450.00"), D("1080.00")]
    detail = iit_cumulative_month_detail(month=3, cumulative_income=60000,
                                         withheld_before=900)
    assert (detail.cumulative_taxable, detail.rate, detail.cumulative_tax) == (
        D("45000.00"), D("0.10"), D("1980.00"))


def test_cumulative_withholding_is_never_negative() -> None:
    detail = iit_cumulative_month_detail(month=2, cumulative_income=12000,
                                         withheld_before=500)
    assert detail.cumulative_tax == D("60.00") and detail.tax == D("0.00")
    assert any(step.label_en == "Note" for step in detail.steps)
    assert iit_cumulative_month(month=12, cumulative_income=50000) == D("0.00")


# --- every bracket edge --------------------------------------------------------------


@pytest.mark.parametrize("taxable, tax, rate", [
    ("0", "0.00", "0.03"),
    ("36000.00", "1080.00", "0.03"), ("36000.01", "1080.00", "0.10"),
    ("144000.00", "11880.00", "0.10"), ("144000.01", "11880.00", "0.20"),
    ("300000.00", "43080.00", "0.20"), ("300000.01", "43080.00", "0.25"),
    ("420000.00", "73080.00", "0.25"), ("420000.01", "73080.00", "0.30"),
    ("660000.00", "145080.00", "0.30"), ("660000.01", "145080.00", "0.35"),
    ("960000.00", "250080.00", "0.35"), ("960000.01", "250080.00", "0.45"),
    ("1000000.00", "268080.00", "0.45"),
    # 3,600.005 − 2,520 = 1,080.005: half up gives 1,080.01 (banker's rounding 1,080.00)
    ("36000.05", "1080.01", "0.10"),
])
def test_annual_table_edges(taxable: str, tax: str, rate: str) -> None:
    result = annual_tax_on(taxable)
    assert result.taxable == D(taxable).quantize(D("0.01"))
    assert (result.tax, result.rate) == (D(tax), D(rate))
    assert is_fen(result.tax) and is_fen(result.taxable)


@pytest.mark.parametrize("month", [1, 6, 12])
@pytest.mark.parametrize("taxable, tax", [("36000.00", "1080.00"), ("36000.01", "1080.00"),
                                          ("144000.01", "11880.00"), ("960000.01", "250080.00")])
def test_cumulative_method_uses_the_annual_table(month: int, taxable: str, tax: str) -> None:
    assert iit_cumulative_month(month=month,
                                cumulative_income=D(taxable) + 5000 * month) == D(tax)


@pytest.mark.parametrize("bonus, tax, rate", [
    ("36000.00", "1080.00", "0.03"), ("36000.01", "3390.00", "0.10"),
    ("144000.00", "14190.00", "0.10"), ("144000.01", "27390.00", "0.20"),
    ("300000.00", "58590.00", "0.20"), ("300000.01", "72340.00", "0.25"),
    ("420000.00", "102340.00", "0.25"), ("420000.01", "121590.00", "0.30"),
    ("660000.00", "193590.00", "0.30"), ("660000.01", "223840.00", "0.35"),
    ("960000.00", "328840.00", "0.35"), ("960000.01", "416840.00", "0.45"),
    ("0", "0.00", "0.03"),
])
def test_bonus_table_edges(bonus: str, tax: str, rate: str) -> None:
    result = bonus_tax_detail(bonus)
    assert (result.tax, result.rate) == (D(tax), D(rate))
    assert bonus_tax(D(bonus)) == D(tax)


def test_bonus_blind_zone_one_yuan_more_costs_2310_10() -> None:
    # The known 盲区: bonus / 12 passes 3,000, the whole bonus moves to 10 % with the
    # quick deduction taken once. 36,001 × 10 % − 210 = 3,390.10; 3,390.10 − 1,080.00.
    assert bonus_tax(36001) == D("3390.10")
    assert bonus_tax(36001) - bonus_tax(36000) == D("2310.10")
    # Net of tax the taxpayer keeps 2,309.10 less for one yuan more.
    assert (D(36000) - bonus_tax(36000)) - (D(36001) - bonus_tax(36001)) == D("2309.10")


def test_bonus_monthly_average_never_hides_the_bound() -> None:
    steps = dict(s.render("en") for s in bonus_tax_detail("36000.01").steps)
    assert steps["Monthly average (bonus ÷ 12)"] == "3,000.0008…"
    steps = dict(s.render("en") for s in bonus_tax_detail("36000").steps)
    assert steps["Monthly average (bonus ÷ 12)"] == "3,000.00"


@pytest.mark.parametrize("amount, deduction, taxable, tax, rate", [
    ("0", "800.00", "0.00", "0.00", "0.20"),
    ("500", "800.00", "0.00", "0.00", "0.20"),  # taxable never below 0
    ("800.00", "800.00", "0.00", "0.00", "0.20"),
    ("800.01", "800.00", "0.01", "0.00", "0.20"),
    ("1000", "800.00", "200.00", "40.00", "0.20"),
    ("4000.00", "800.00", "3200.00", "640.00", "0.20"),
    ("4000.01", "800.00", "3200.01", "640.00", "0.20"),  # 4,000.01 × 80 % = 3,200.008
    ("25000.00", "5000.00", "20000.00", "4000.00", "0.20"),
    ("25000.01", "5000.00", "20000.01", "4000.00", "0.30"),
    ("62500.00", "12500.00", "50000.00", "13000.00", "0.30"),
    ("62500.01", "12500.00", "50000.01", "13000.00", "0.40"),
    ("100000", "20000.00", "80000.00", "25000.00", "0.40"),
])
def test_labour_withholding_edges(amount: str, deduction: str, taxable: str, tax: str,
                                  rate: str) -> None:
    result = labour_withholding_detail(amount)
    assert (result.deduction, result.taxable, result.tax, result.rate) == (
        D(deduction), D(taxable), D(tax), D(rate))
    assert labour_withholding(D(amount)) == D(tax)


@pytest.mark.parametrize("litres, key", [
    ("0.001", "up_to_1.0"), ("1.0", "up_to_1.0"), ("1.001", "1.0-1.6"), ("1.6", "1.0-1.6"),
    ("1.601", "1.6-2.0"), ("2.0", "1.6-2.0"), ("2.001", "2.0-2.5"), ("2.5", "2.0-2.5"),
    ("2.501", "2.5-3.0"), ("3", "2.5-3.0"), ("3.001", "3.0-4.0"), ("4.0", "3.0-4.0"),
    ("4.001", "over_4.0"), ("8.4", "over_4.0"), (2, "1.6-2.0"),
])
def test_vehicle_brackets_upper_bounds_inclusive(litres: str | int, key: str) -> None:
    assert vehicle_bracket(litres).key == key


@pytest.mark.parametrize("kwargs, months, tax", [
    ({}, 12, "360.00"), ({"acquired_month": 1}, 12, "360.00"),
    ({"acquired_month": 10}, 3, "90.00"), ({"acquired_month": "12"}, 1, "30.00"),
    ({"months": 3}, 3, "90.00"), ({"months": 12}, 12, "360.00"),
])
def test_vehicle_proration_counts_the_month_of_acquisition(kwargs: dict[str, Any],
                                                            months: int, tax: str) -> None:
    result = vehicle_tax_detail("1.998", **kwargs)
    assert (result.months, result.annual, result.tax) == (months, D("360.00"), D(tax))


def test_vehicle_demo_table_is_each_range_lower_bound() -> None:
    assert [vehicle_tax(litres) for litres in ("1.0", "1.6", "2.0", "2.5", "3.0", "4.0", "5")] \
        == [D(x).quantize(D("0.01")) for x in (60, 300, 360, 660, 1200, 2400, 3600)]


PROVINCE = {"up_to_1.0": 250, "1.0-1.6": "420", "1.6-2.0": D(480), "2.0-2.5": 900,
            "2.5-3.0": 1920, "3.0-4.0": 3480, "over_4.0": 5280}


def test_vehicle_province_table_and_rounding() -> None:
    assert vehicle_tax("1.5", annual_amounts=PROVINCE) == D("420.00")
    assert vehicle_tax("1.5", acquired_month=6, annual_amounts=PROVINCE) == D("245.00")
    # 250 × 1 ÷ 12 = 20.833… and 250 × 5 ÷ 12 = 104.166…: rounded half up to the fen
    assert vehicle_tax("0.998", months=1, annual_amounts=PROVINCE) == D("20.83")
    assert vehicle_tax("0.998", months=5, annual_amounts=PROVINCE) == D("104.17")


@pytest.mark.parametrize("table", [
    {**PROVINCE, "1.6-2.0": 700},  # above the national 360-660
    {**PROVINCE, "up_to_1.0": 59},
    {k: v for k, v in PROVINCE.items() if k != "over_4.0"},
    {**PROVINCE, "electric": 0},
    {**PROVINCE, "2.0-2.5": 900.0},
])
def test_vehicle_province_table_outside_the_law_is_refused(table: dict[str, Any]) -> None:
    with pytest.raises(CalculatorInputError) as e:
        vehicle_tax("2.2", annual_amounts=table)
    assert e.value.field == "annual_amounts"


@pytest.mark.parametrize("kwargs, field", [
    ({"acquired_month": 0}, "acquired_month"), ({"acquired_month": 13}, "acquired_month"),
    ({"months": 0}, "months"), ({"months": "13"}, "months"), ({"months": 1.0}, "months"),
    ({"acquired_month": 10, "months": 3}, "months"),
])
def test_vehicle_months_refused(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ValueError) as e:
        vehicle_tax("2.0", **kwargs)
    assert e.value.field == field  # type: ignore[attr-defined]


@pytest.mark.parametrize("litres", ["0", "-1.6", "20.001", "100", 1.6, "1.6L", "1.0005", None])
def test_vehicle_displacement_refused(litres: Any) -> None:
    with pytest.raises(CalculatorInputError) as e:
        vehicle_tax(litres)
    assert e.value.field == "displacement_l"


# --- exemption and refunds -----------------------------------------------------------


def test_exempt_when_income_at_most_120000() -> None:
    at = iit_annual(income="120000")
    assert (at.taxable, at.tax, at.balance) == (D("60000.00"), D("3480.00"), D("3480.00"))
    assert at.exempt and at.exempt_reason == "income" and at.to_pay == D("0.00")
    above = iit_annual(income="120000.01")
    assert above.balance == D("3480.00") and not above.exempt and above.to_pay == D("3480.00")


def test_exempt_when_balance_at_most_400() -> None:
    # income 200,000 -> taxable 140,000 -> tax 11,480
    at = iit_annual(income=200000, withheld="11080")
    assert at.balance == D("400.00") and at.exempt and at.exempt_reason == "balance"
    assert at.to_pay == D("0.00")
    above = iit_annual(income=200000, withheld="11079.99")
    assert above.balance == D("400.01") and not above.exempt and above.exempt_reason is None
    assert above.to_pay == D("400.01")
    assert [s.label_en for s in at.steps][-3:] == ["Tax due", "Exempt from paying",
                                                   "Amount to pay"]


def test_refund_is_a_negative_balance_and_never_exempt() -> None:
    result = iit_annual(income=100000, social_insurance=0, withheld=2000)
    assert (result.tax, result.balance, result.refund, result.to_pay) == (
        D("1480.00"), D("-520.00"), D("520.00"), D("0.00"))
    assert not result.exempt and result.steps[-1] == CalcStep("应退税额", "Refund due",
                                                              D("520.00"))
    low = iit_annual(income=50000, withheld="123.45")  # below 60,000: everything back
    assert (low.taxable, low.tax, low.refund, low.exempt) == (
        D("0.00"), D("0.00"), D("123.45"), False)
    even = iit_annual(income=100000, withheld=1480)
    assert even.balance == D("0.00") and not even.exempt


def test_deductions_lower_the_taxable_income_but_not_below_zero() -> None:
    result = iit_annual(income=300000, social_insurance="24000.50", special_additional=36000,
                        other=12000)
    assert result.taxable == D("167999.50")
    assert iit_annual(income=70000, social_insurance=9000, special_additional=24000
                      ).taxable == D("0.00")


# --- separate vs combined bonus ------------------------------------------------------


def test_bonus_comparison_names_the_cheaper_way() -> None:
    separate = compare_bonus_taxation(bonus=36001, income=100000)
    assert (separate.separate_tax, separate.combined_tax) == (D("4870.10"), D("5080.10"))
    assert (separate.cheaper, separate.saving) == ("separate", D("210.00"))
    # Income under the basic deduction: combining lets the unused deduction absorb it.
    combined = compare_bonus_taxation(bonus=20000, income=30000)
    assert (combined.separate_tax, combined.combined_tax, combined.cheaper, combined.saving) \
        == (D("600.00"), D("0.00"), "combined", D("600.00"))
    equal = compare_bonus_taxation(bonus=0, income=100000)
    assert (equal.cheaper, equal.saving) == ("equal", D("0.00"))
    assert dict(s.render("zh") for s in combined.steps)["结论"] == "并入综合所得更省"


def test_bonus_comparison_refuses_bad_input_per_field() -> None:
    with pytest.raises(CalculatorInputError) as e:
        compare_bonus_taxation(bonus=1000, income=100000, special_additional="-1")
    assert e.value.field == "special_additional"
    with pytest.raises(CalculatorInputError) as e:
        compare_bonus_taxation(bonus="999999999999", income="999999999999")
    assert e.value.code == "calc.too_large"


# --- steps ---------------------------------------------------------------------------


def _all_results() -> list[Any]:
    return [iit_annual(income=180000, social_insurance=20000, withheld=5000),
            iit_annual(income=100000, withheld=2000),
            iit_cumulative_month_detail(month=5, cumulative_income=80000, withheld_before=300),
            bonus_tax_detail("36001"), compare_bonus_taxation(bonus=50000, income=200000),
            labour_withholding_detail("30000"), vehicle_tax_detail("2.0", acquired_month=10)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_steps_render_and_print_in_both_languages(lang: str) -> None:
    for result in _all_results():
        assert result.steps
        for step in result.steps:
            label_zh, label_en, value = step  # a plain 3-tuple
            assert label_zh and label_en and label_zh != label_en
            if isinstance(value, Decimal):
                assert is_fen(value)
            label, text = step.render(lang)
            assert label and text and "Decimal" not in text
    assert _all_results()[0].steps[-1].render("zh") == ("实际应补税额", "2,480.00")


def test_steps_show_the_computation_that_gives_the_result() -> None:
    result = annual_tax_on("120000")
    rendered = dict(step.render("en") for step in result.steps)
    assert rendered["Computation"] == "120,000.00 × 10 % − 2,520.00 = 9,480.00"
    assert rendered["Taxable income (not below 0)"] == "120,000.00"
    vehicle = dict(s.render("zh") for s in vehicle_tax_detail("2.0", acquired_month=10).steps)
    assert vehicle["计算"] == "360.00 × 3 ÷ 12 = 90.00"
    assert vehicle["税额档次"] == "1.6升以上至2.0升（含）" and vehicle["排气量"] == "2.0 L"


# --- bad input -----------------------------------------------------------------------


BAD_MONEY = [
    (-1, "calc.negative"), ("-0.01", "calc.negative"), (D("-5"), "calc.negative"),
    ("1" * 20, "calc.too_large"), (10 ** 20, "calc.too_large"), ("1000000000000", "calc.too_large"),
    ("1.001", "calc.decimals"), (D("0.005"), "calc.decimals"),
    ("abc", "calc.not_a_number"), ("", "calc.not_a_number"), ("1e5", "calc.not_a_number"),
    ("12,000", "calc.not_a_number"), ("NaN", "calc.not_a_number"), (D("NaN"), "calc.not_a_number"),
    (D("Infinity"), "calc.not_a_number"), ("３６０００", "calc.not_a_number"),
    (0.1, "calc.float"), (36000.0, "calc.float"), (True, "calc.type"), (None, "calc.type"),
    ([1], "calc.type"),
]


@pytest.mark.parametrize("value, code", BAD_MONEY)
@pytest.mark.parametrize("call, field", [
    (lambda v: iit_annual(income=v), "income"),
    (lambda v: iit_annual(income=200000, social_insurance=v), "social_insurance"),
    (lambda v: iit_annual(income=200000, withheld=v), "withheld"),
    (lambda v: iit_cumulative_month(month=3, cumulative_income=v), "cumulative_income"),
    (lambda v: iit_cumulative_month(month=3, cumulative_income=9, withheld_before=v),
     "withheld_before"),
    (bonus_tax, "bonus"),
    (labour_withholding, "amount"),
])
def test_bad_money_is_refused_with_its_field(call: Any, field: str, value: Any,
                                             code: str) -> None:
    with pytest.raises(ValueError) as e:
        call(value)
    assert isinstance(e.value, CalculatorInputError)
    assert (e.value.code, e.value.field) == (code, field)
    assert field in str(e.value)


@pytest.mark.parametrize("month", [0, 13, -1, "13", "0", 1.0, 2.5, D("2.5"), True, "May", None])
def test_bad_month_is_refused(month: Any) -> None:
    with pytest.raises(CalculatorInputError) as e:
        iit_cumulative_month(month=month, cumulative_income=10000)
    assert e.value.field == "month"


def test_good_input_forms_give_the_same_answer() -> None:
    answers = {bonus_tax(v) for v in (36000, "36000", " 36000.00 ", D("36000"), D("3.6E+4"),
                                      "+36000", D("-0") + 36000)}
    assert answers == {D("1080.00")}
    assert iit_cumulative_month(month="3", cumulative_income=30000,
                                cumulative_social_insurance=4500,
                                cumulative_special_additional=3000,
                                withheld_before=150) == D("75.00")
    assert bonus_tax("0") == D("0.00") and str(bonus_tax(D("-0"))) == "0.00"


def test_results_do_not_depend_on_the_callers_decimal_context() -> None:
    with localcontext() as ctx:
        ctx.prec, ctx.rounding = 4, ROUND_DOWN
        assert iit_annual(income="96000.05").tax == D("1080.01")
        assert bonus_tax("960000.01") == D("416840.00")
        assert vehicle_tax("0.998", months=5, annual_amounts=PROVINCE) == D("104.17")
        steps = calc.render_steps(iit_annual(income="1960000.05").steps, "en")
        assert ("Tax for the year", "673,080.02") in steps  # 1,900,000.05 × 45 % − 181,920


def test_results_are_frozen() -> None:
    result = iit_annual(income=100000)
    with pytest.raises(AttributeError):
        result.tax = D(0)  # type: ignore[misc]


# --- properties ----------------------------------------------------------------------

fen = st.integers(min_value=0, max_value=int(calc.MAX_AMOUNT * 100)).map(
    lambda n: Decimal(n).scaleb(-2))
small_fen = st.integers(min_value=0, max_value=300_000_000).map(lambda n: Decimal(n).scaleb(-2))


@settings(max_examples=300, deadline=None)
@given(fen, fen)
def test_annual_tax_is_monotone_never_negative_and_in_fen(a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    tax_low = iit_annual(income=low).tax
    tax_high = iit_annual(income=high).tax
    assert D(0) <= tax_low <= tax_high
    assert is_fen(tax_low) and is_fen(tax_high)
    assert tax_high <= max(high - 60000, D(0)) * D("0.45")


@settings(max_examples=200, deadline=None)
@given(small_fen, small_fen)
def test_labour_withholding_is_monotone_and_in_fen(a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    assert D(0) <= labour_withholding(low) <= labour_withholding(high)
    assert is_fen(labour_withholding(high))


@settings(max_examples=200, deadline=None)
@given(small_fen, small_fen, small_fen)
def test_bonus_and_annual_balance_in_fen(bonus: Decimal, income: Decimal,
                                         withheld: Decimal) -> None:
    assert bonus_tax(bonus) >= 0 and is_fen(bonus_tax(bonus))
    result = iit_annual(income=income, withheld=withheld)
    assert result.balance == result.tax - result.withheld and is_fen(result.balance)
    assert result.exempt == (result.balance > 0 and (
        income <= 120000 or result.balance <= 400))
    assert result.to_pay >= 0 and result.refund >= 0


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=20_000_000), st.integers(min_value=0, max_value=500_000),
       st.integers(min_value=0, max_value=500_000))
def test_twelve_monthly_withholdings_add_up_to_the_annual_tax(
        salary_fen: int, si_fen: int, special_fen: int) -> None:
    # Equal months make the cumulative tax non-decreasing, so nothing is withheld in
    # excess and December's running total is the annual tax on the year's figures.
    salary, si, special = (Decimal(x).scaleb(-2) for x in (salary_fen, si_fen, special_fen))
    withheld = D(0)
    for month in range(1, 13):
        tax = iit_cumulative_month(month=month, cumulative_income=salary * month,
                                   cumulative_social_insurance=si * month,
                                   cumulative_special_additional=special * month,
                                   withheld_before=withheld)
        assert tax >= 0 and is_fen(tax)
        withheld += tax
    assert withheld == iit_annual(income=salary * 12, social_insurance=si * 12,
                                  special_additional=special * 12).tax


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=20_000).map(lambda n: Decimal(n).scaleb(-3)),
       st.integers(min_value=1, max_value=12))
def test_vehicle_tax_is_within_the_national_range_prorated(litres: Decimal, month: int) -> None:
    result = vehicle_tax_detail(litres, acquired_month=month)
    assert result.bracket.minimum <= result.annual <= result.bracket.maximum
    assert result.months == 13 - month and is_fen(result.tax)
    assert result.tax <= result.annual
