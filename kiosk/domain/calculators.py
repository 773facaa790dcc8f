"""Tax calculators for the hall's 税款计算 tools (issue #13 §2): pure, Qt-free, no I/O.

Rules and public vectors: design domain.md §3 (individual income tax) and §4 (vehicle
and vessel tax). Every result carries its computation as `steps`, a tuple of `CalcStep`
(label_zh, label_en, value) that the screen shows line by line and a printout prints.

What each public name returns:
- `iit_annual(...)` -> `IitAnnualResult` (taxable, tax, balance, exempt, steps, ...).
- `iit_cumulative_month(...)` -> `Decimal`, this month's withholding (never negative);
  `iit_cumulative_month_detail(...)` -> `IitMonthResult` with the steps.
- `bonus_tax(bonus)` -> `Decimal`; `bonus_tax_detail(bonus)` -> `BonusTaxResult`;
  `compare_bonus_taxation(...)` -> `BonusComparison` (separate vs combined).
- `labour_withholding(amount)` -> `Decimal`; `labour_withholding_detail(amount)` ->
  `LabourResult`.
- `vehicle_tax(displacement_l, ...)` -> `Decimal`; `vehicle_tax_detail(...)` ->
  `VehicleTaxResult`.

Input rules (one set for every argument, so a screen can check a field before asking):
money is a `Decimal`, an `int` or a numeric `str` of ASCII digits ("36000", "36000.5");
at most 2 decimal places, not negative, at most 999,999,999,999.99 (a 20-digit figure is
a typing slip, not an income). `float` is refused: 0.1 as a float is not the amount the
taxpayer typed, and silently rounding it would hide that. `bool` is refused too. Months
are whole numbers 1-12. Bad input raises `CalculatorInputError`, a `ValueError` whose
`field` is the keyword argument's name (the screen shows the reason beside that field)
and whose `code` is stable for translation.

Output: every money value is a `Decimal` quantized to 0.01, rounded half up. Taxable
income is computed to the fen first, then taxed, so each printed line follows from the
lines above it.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Context, Decimal, localcontext
from functools import wraps
from typing import Literal, NamedTuple, ParamSpec, TypeVar

from .errors import DomainError

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("999999999999.99")
MAX_DISPLACEMENT_L = Decimal(20)

ANNUAL_BASIC_DEDUCTION = Decimal("60000.00")  # 基本减除费用, 5,000 a month
MONTHLY_BASIC_DEDUCTION = Decimal("5000.00")
EXEMPT_INCOME_LIMIT = Decimal("120000.00")  # 综合所得年收入不超过12万元
EXEMPT_BALANCE_LIMIT = Decimal("400.00")  # 补税金额不超过400元
LABOUR_FLAT_LIMIT = Decimal("4000.00")  # up to here 800 is deducted, above it 20 %
LABOUR_FLAT_DEDUCTION = Decimal("800.00")
LABOUR_DEDUCTION_RATE = Decimal("0.20")


class CalculatorInputError(DomainError):
    """An argument a calculator cannot use; `field` names the keyword argument.

    Codes: calc.float, calc.type, calc.not_a_number, calc.negative, calc.too_large,
    calc.decimals, calc.month, calc.displacement, calc.amounts, calc.arguments.
    """

    code = "calc.invalid"


_T = TypeVar("_T")
_P = ParamSpec("_P")


def _exact(func: Callable[_P, _T]) -> Callable[_P, _T]:
    """Run with a known decimal context, whatever the caller set globally: every amount
    here (at most 15 digits times a rate) is then exact until we quantize it."""

    @wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        with localcontext(Context(prec=34, rounding=ROUND_HALF_UP)):
            return func(*args, **kwargs)

    return wrapper


# --- steps ---------------------------------------------------------------------------

StepValue = Decimal | str | tuple[str, str]


class CalcStep(NamedTuple):
    """One line of a computation: a plain (label_zh, label_en, value) tuple.

    `value` is a money `Decimal` (0.01), a language-neutral text such as "10 %" or
    "120,000.00 × 10 % − 2,520.00 = 9,480.00", or a (zh, en) pair for a sentence.
    """

    label_zh: str
    label_en: str
    value: StepValue

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en

    def value_text(self, lang: str) -> str:
        if isinstance(self.value, Decimal):
            return format_money(self.value)
        if isinstance(self.value, tuple):
            return self.value[0] if lang == "zh" else self.value[1]
        return self.value

    def render(self, lang: str) -> tuple[str, str]:
        """(label, value) as the screen and the printout show them in `lang`."""
        return self.label(lang), self.value_text(lang)


@_exact
def format_money(amount: Decimal) -> str:
    """9480 -> '9,480.00' (thousands separated, two decimals)."""
    return f"{amount.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


@_exact
def format_rate(rate: Decimal) -> str:
    """Decimal('0.10') -> '10 %'."""
    return f"{(rate * 100).normalize():f} %"


def render_steps(steps: tuple[CalcStep, ...], lang: str) -> list[tuple[str, str]]:
    return [step.render(lang) for step in steps]


# --- input checking ------------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def _number(value: object, field: str) -> Decimal:
    if isinstance(value, float):
        raise CalculatorInputError(
            f"{field} must be a Decimal, an int or a numeric string, not a float",
            "calc.float", field)
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise CalculatorInputError(f"{field} must be a number", "calc.type", field)
    if isinstance(value, str):
        text = value.strip()
        if not _NUMBER.fullmatch(text):
            # The typed text is not echoed: messages may reach a log.
            raise CalculatorInputError(f"{field} is not a number", "calc.not_a_number", field)
        number = Decimal(text)
    else:
        number = Decimal(value)
    if not number.is_finite():
        raise CalculatorInputError(f"{field} is not a number", "calc.not_a_number", field)
    return number


def _money(value: object, field: str) -> Decimal:
    number = _number(value, field)
    if number < 0:
        raise CalculatorInputError(f"{field} must not be negative", "calc.negative", field)
    if number > MAX_AMOUNT:
        raise CalculatorInputError(f"{field} is too large (at most {format_money(MAX_AMOUNT)})",
                                   "calc.too_large", field)
    amount = number.quantize(CENT)
    if amount != number:
        raise CalculatorInputError(f"{field} has more than 2 decimal places",
                                   "calc.decimals", field)
    return abs(amount)  # abs turns Decimal('-0.00') into 0.00


def _month(value: object, field: str) -> int:
    if isinstance(value, float):
        raise CalculatorInputError(f"{field} must be a whole number, not a float",
                                   "calc.float", field)
    number = _number(value, field)
    if number != number.to_integral_value() or not 1 <= number <= 12:
        raise CalculatorInputError(f"{field} must be a whole number from 1 to 12",
                                   "calc.month", field)
    return int(number)


def _q(amount: Decimal) -> Decimal:
    result = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    return abs(result) if result == 0 else result


# --- progressive tables --------------------------------------------------------------


@dataclass(frozen=True)
class TaxBracket:
    """`upper` is the inclusive upper bound of the amount taxed (None: no limit)."""

    upper: Decimal | None
    rate: Decimal
    quick_deduction: Decimal


def _table(rows: list[tuple[str | None, str, str]]) -> tuple[TaxBracket, ...]:
    return tuple(TaxBracket(None if u is None else Decimal(u), Decimal(r), Decimal(q))
                 for u, r, q in rows)


# 综合所得税率表 (annual), also 预扣率表一 for the cumulative withholding method.
ANNUAL_TABLE = _table([
    ("36000", "0.03", "0"), ("144000", "0.10", "2520"), ("300000", "0.20", "16920"),
    ("420000", "0.25", "31920"), ("660000", "0.30", "52920"), ("960000", "0.35", "85920"),
    (None, "0.45", "181920"),
])
# 按月换算后的综合所得税率表: the year-end bonus divided by 12 picks the row.
MONTHLY_TABLE = _table([
    ("3000", "0.03", "0"), ("12000", "0.10", "210"), ("25000", "0.20", "1410"),
    ("35000", "0.25", "2660"), ("55000", "0.30", "4410"), ("80000", "0.35", "7160"),
    (None, "0.45", "15160"),
])
# 预扣率表二 for one 劳务报酬 payment.
LABOUR_TABLE = _table([("20000", "0.20", "0"), ("50000", "0.30", "2000"),
                       (None, "0.40", "7000")])


def _bracket(table: tuple[TaxBracket, ...], amount: Decimal, scale: int = 1) -> TaxBracket:
    # `scale` compares amount/scale with the bounds without dividing (bonus / 12).
    for row in table:
        if row.upper is None or amount <= row.upper * scale:
            return row
    raise AssertionError("the last row has no upper bound")  # pragma: no cover


def _tax_steps(base: Decimal, row: TaxBracket, tax: Decimal, result_zh: str,
               result_en: str) -> list[CalcStep]:
    return [
        CalcStep("适用税率", "Tax rate", format_rate(row.rate)),
        CalcStep("速算扣除数", "Quick deduction", _q(row.quick_deduction)),
        CalcStep("计算", "Computation", f"{format_money(base)} × {format_rate(row.rate)} − "
                                      f"{format_money(row.quick_deduction)} = {format_money(tax)}"),
        CalcStep(result_zh, result_en, tax),
    ]


def _progressive(table: tuple[TaxBracket, ...], taxable: Decimal) -> tuple[TaxBracket, Decimal]:
    row = _bracket(table, taxable)
    return row, _q(max(taxable * row.rate - row.quick_deduction, ZERO))


# --- 综合所得年度汇算 ------------------------------------------------------------------

ExemptReason = Literal["income", "balance"]


@dataclass(frozen=True)
class IitAnnualResult:
    income: Decimal
    social_insurance: Decimal
    special_additional: Decimal
    other: Decimal
    withheld: Decimal
    taxable: Decimal
    rate: Decimal
    quick_deduction: Decimal
    tax: Decimal
    balance: Decimal  # tax - withheld: positive to pay, negative refunded
    exempt: bool  # a balance to pay that the law waives
    exempt_reason: ExemptReason | None  # "income" (<= 120,000) or "balance" (<= 400)
    steps: tuple[CalcStep, ...]

    @property
    def to_pay(self) -> Decimal:
        """What the taxpayer actually pays: 0 when exempt or refunded."""
        return ZERO if self.exempt or self.balance <= 0 else self.balance

    @property
    def refund(self) -> Decimal:
        return -self.balance if self.balance < 0 else ZERO


@_exact
def iit_annual(*, income: Decimal | int | str, social_insurance: Decimal | int | str = 0,
               special_additional: Decimal | int | str = 0, other: Decimal | int | str = 0,
               withheld: Decimal | int | str = 0) -> IitAnnualResult:
    """Estimate the 综合所得年度汇算: tax on the year's comprehensive income and the
    balance against what was withheld. Raises CalculatorInputError on bad input."""
    income_ = _money(income, "income")
    si = _money(social_insurance, "social_insurance")
    special = _money(special_additional, "special_additional")
    other_ = _money(other, "other")
    withheld_ = _money(withheld, "withheld")

    taxable = max(income_ - ANNUAL_BASIC_DEDUCTION - si - special - other_, ZERO)
    row, tax = _progressive(ANNUAL_TABLE, taxable)
    balance = tax - withheld_
    reason: ExemptReason | None = None
    if balance > 0:
        if income_ <= EXEMPT_INCOME_LIMIT:
            reason = "income"
        elif balance <= EXEMPT_BALANCE_LIMIT:
            reason = "balance"

    steps = [
        CalcStep("综合所得收入额", "Annual comprehensive income", income_),
        CalcStep("减：基本减除费用", "Less: basic deduction", ANNUAL_BASIC_DEDUCTION),
        CalcStep("减：专项扣除（社保、公积金）", "Less: social insurance and housing fund", si),
        CalcStep("减：专项附加扣除", "Less: special additional deductions", special),
        CalcStep("减：其他扣除", "Less: other deductions", other_),
        CalcStep("应纳税所得额（不低于0）", "Taxable income (not below 0)", taxable),
        *_tax_steps(taxable, row, tax, "应纳税额", "Tax for the year"),
        CalcStep("减：已预缴税额", "Less: tax already withheld", withheld_),
    ]
    if balance > 0:
        steps.append(CalcStep("应补税额", "Tax due", balance))
        if reason == "income":
            steps.append(CalcStep("免于补税", "Exempt from paying", (
                "综合所得年收入不超过12万元，依法免于补税",
                "Annual income is at most 120,000, so the law waives the payment")))
        elif reason == "balance":
            steps.append(CalcStep("免于补税", "Exempt from paying", (
                "补税金额不超过400元，依法免于补税",
                "The amount due is at most 400, so the law waives the payment")))
        steps.append(CalcStep("实际应补税额", "Amount to pay", ZERO if reason else balance))
    elif balance < 0:
        steps.append(CalcStep("应退税额", "Refund due", -balance))
    else:
        steps.append(CalcStep("无需补税或退税", "Nothing to pay or refund", ZERO))
    return IitAnnualResult(
        income=income_, social_insurance=si, special_additional=special, other=other_,
        withheld=withheld_, taxable=taxable, rate=row.rate,
        quick_deduction=_q(row.quick_deduction), tax=tax, balance=balance,
        exempt=reason is not None, exempt_reason=reason, steps=tuple(steps))


# --- 累计预扣法 (one month of wages) ---------------------------------------------------


@dataclass(frozen=True)
class IitMonthResult:
    month: int
    cumulative_income: Decimal
    cumulative_basic_deduction: Decimal
    cumulative_social_insurance: Decimal
    cumulative_special_additional: Decimal
    cumulative_other: Decimal
    cumulative_taxable: Decimal
    rate: Decimal
    quick_deduction: Decimal
    cumulative_tax: Decimal
    withheld_before: Decimal
    tax: Decimal  # this month's withholding, never negative
    steps: tuple[CalcStep, ...]


@_exact
def iit_cumulative_month_detail(
        *, month: int | str | Decimal, cumulative_income: Decimal | int | str,
        cumulative_social_insurance: Decimal | int | str = 0,
        cumulative_special_additional: Decimal | int | str = 0,
        cumulative_other: Decimal | int | str = 0,
        withheld_before: Decimal | int | str = 0) -> IitMonthResult:
    """This month's wage withholding by the cumulative method, with its computation.
    All cumulative figures run from January up to and including `month`."""
    month_ = _month(month, "month")
    income = _money(cumulative_income, "cumulative_income")
    si = _money(cumulative_social_insurance, "cumulative_social_insurance")
    special = _money(cumulative_special_additional, "cumulative_special_additional")
    other = _money(cumulative_other, "cumulative_other")
    before = _money(withheld_before, "withheld_before")

    basic = MONTHLY_BASIC_DEDUCTION * month_
    taxable = max(income - basic - si - special - other, ZERO)
    row, cumulative_tax = _progressive(ANNUAL_TABLE, taxable)
    tax = max(cumulative_tax - before, ZERO)
    steps = [
        CalcStep("月份", "Month", str(month_)),
        CalcStep("累计收入", "Cumulative income", income),
        CalcStep(f"减：累计减除费用（5,000 × {month_}个月）",
                 f"Less: cumulative basic deduction (5,000 × {month_} months)", basic),
        CalcStep("减：累计专项扣除（社保、公积金）",
                 "Less: cumulative social insurance and housing fund", si),
        CalcStep("减：累计专项附加扣除", "Less: cumulative special additional deductions",
                 special),
        CalcStep("减：累计其他扣除", "Less: cumulative other deductions", other),
        CalcStep("累计应纳税所得额（不低于0）", "Cumulative taxable income (not below 0)",
                 taxable),
        *_tax_steps(taxable, row, cumulative_tax, "累计应预扣税额", "Cumulative tax"),
        CalcStep("减：以前月份已预扣税额", "Less: withheld in earlier months", before),
    ]
    if cumulative_tax < before:
        steps.append(CalcStep("说明", "Note", (
            "计算结果为负数，本月不预扣；多预扣的税款在年度汇算时退还",
            ("The result is negative, so nothing is withheld this month; the excess is "
             "refunded at the annual settlement"))))
    steps.append(CalcStep("本月应预扣税额", "Withholding this month", tax))
    return IitMonthResult(
        month=month_, cumulative_income=income, cumulative_basic_deduction=basic,
        cumulative_social_insurance=si, cumulative_special_additional=special,
        cumulative_other=other, cumulative_taxable=taxable, rate=row.rate,
        quick_deduction=_q(row.quick_deduction), cumulative_tax=cumulative_tax,
        withheld_before=before, tax=tax, steps=tuple(steps))


def iit_cumulative_month(
        *, month: int | str | Decimal, cumulative_income: Decimal | int | str,
        cumulative_social_insurance: Decimal | int | str = 0,
        cumulative_special_additional: Decimal | int | str = 0,
        cumulative_other: Decimal | int | str = 0,
        withheld_before: Decimal | int | str = 0) -> Decimal:
    """This month's withholding (Decimal, never negative); see the _detail variant."""
    return iit_cumulative_month_detail(
        month=month, cumulative_income=cumulative_income,
        cumulative_social_insurance=cumulative_social_insurance,
        cumulative_special_additional=cumulative_special_additional,
        cumulative_other=cumulative_other, withheld_before=withheld_before).tax


# --- 全年一次性奖金 ---------------------------------------------------------------------


@dataclass(frozen=True)
class BonusTaxResult:
    bonus: Decimal
    rate: Decimal
    quick_deduction: Decimal
    tax: Decimal
    steps: tuple[CalcStep, ...]


def _monthly_average_text(bonus: Decimal) -> str:
    # Shown to 4 decimals, truncated, when not a whole fen: a bonus one fen above a
    # bound (36,000.01 / 12 = 3,000.0008...) must not print as exactly 3,000.00.
    average = bonus / 12
    if average == average.quantize(CENT):
        return format_money(average)
    return f"{average.quantize(Decimal('0.0001'), rounding=ROUND_DOWN):,.4f}…"


@_exact
def bonus_tax_detail(bonus: Decimal | int | str) -> BonusTaxResult:
    """The year-end bonus taxed separately: bonus / 12 picks the monthly-table row,
    tax = bonus × rate − quick deduction (the deduction is taken once, not 12 times)."""
    bonus_ = _money(bonus, "bonus")
    row = _bracket(MONTHLY_TABLE, bonus_, scale=12)
    tax = _q(max(bonus_ * row.rate - row.quick_deduction, ZERO))
    steps = (
        CalcStep("全年一次性奖金", "Year-end bonus", bonus_),
        CalcStep("月均额（奖金 ÷ 12）", "Monthly average (bonus ÷ 12)",
                 _monthly_average_text(bonus_)),
        *_tax_steps(bonus_, row, tax, "应纳税额", "Tax on the bonus"),
    )
    return BonusTaxResult(bonus=bonus_, rate=row.rate, quick_deduction=_q(row.quick_deduction),
                          tax=tax, steps=steps)


def bonus_tax(bonus: Decimal | int | str) -> Decimal:
    """Tax on a separately taxed year-end bonus (Decimal)."""
    return bonus_tax_detail(bonus).tax


Cheaper = Literal["separate", "combined", "equal"]


@dataclass(frozen=True)
class BonusComparison:
    """Separate taxation (bonus alone by the monthly table, the rest by the annual
    table) against combining the bonus into the year's comprehensive income. The
    separate option is allowed until 31 Dec 2027 (services.md §5.1)."""

    separate_tax: Decimal
    combined_tax: Decimal
    cheaper: Cheaper
    saving: Decimal  # how much less the cheaper way costs
    separate_income: IitAnnualResult  # the other income without the bonus
    separate_bonus: BonusTaxResult
    combined: IitAnnualResult
    steps: tuple[CalcStep, ...]


@_exact
def compare_bonus_taxation(*, bonus: Decimal | int | str, income: Decimal | int | str,
                           social_insurance: Decimal | int | str = 0,
                           special_additional: Decimal | int | str = 0,
                           other: Decimal | int | str = 0) -> BonusComparison:
    """`income` is the year's comprehensive income without the bonus."""
    bonus_ = _money(bonus, "bonus")
    income_ = _money(income, "income")
    rest = iit_annual(income=income_, social_insurance=social_insurance,
                      special_additional=special_additional, other=other)
    alone = bonus_tax_detail(bonus_)
    combined_income = income_ + bonus_
    if combined_income > MAX_AMOUNT:
        raise CalculatorInputError("income plus bonus is too large", "calc.too_large", "bonus")
    combined = iit_annual(income=combined_income, social_insurance=social_insurance,
                          special_additional=special_additional, other=other)
    separate_tax = rest.tax + alone.tax
    cheaper: Cheaper = ("equal" if separate_tax == combined.tax
                        else "separate" if separate_tax < combined.tax else "combined")
    saving = abs(separate_tax - combined.tax)
    verdict = {
        "separate": ("单独计税更省", "Separate taxation costs less"),
        "combined": ("并入综合所得更省", "Combining costs less"),
        "equal": ("两种方式税额相同", "Both ways cost the same"),
    }[cheaper]
    steps = (
        CalcStep("单独计税：其他综合所得应纳税额", "Separate: tax on the other income",
                 rest.tax),
        CalcStep("单独计税：奖金应纳税额", "Separate: tax on the bonus", alone.tax),
        CalcStep("单独计税合计", "Separate taxation, total", separate_tax),
        CalcStep("并入综合所得：应纳税所得额", "Combined: taxable income", combined.taxable),
        CalcStep("并入综合所得：应纳税额", "Combined: tax", combined.tax),
        CalcStep("结论", "Result", verdict),
        CalcStep("节省税额", "Saving", saving),
    )
    return BonusComparison(separate_tax=separate_tax, combined_tax=combined.tax,
                           cheaper=cheaper, saving=saving, separate_income=rest,
                           separate_bonus=alone, combined=combined, steps=steps)


# --- 劳务报酬 --------------------------------------------------------------------------


@dataclass(frozen=True)
class LabourResult:
    amount: Decimal
    deduction: Decimal  # 800, or 20 % of a payment above 4,000
    taxable: Decimal
    rate: Decimal
    quick_deduction: Decimal
    tax: Decimal
    steps: tuple[CalcStep, ...]


@_exact
def labour_withholding_detail(amount: Decimal | int | str) -> LabourResult:
    """Withholding on one 劳务报酬 payment (预扣率表二)."""
    amount_ = _money(amount, "amount")
    if amount_ <= LABOUR_FLAT_LIMIT:
        deduction = LABOUR_FLAT_DEDUCTION
        deduction_step = CalcStep("减：费用（收入不超过4,000元，减800元）",
                                  "Less: expenses (800 for a payment up to 4,000)", deduction)
    else:
        deduction = _q(amount_ * LABOUR_DEDUCTION_RATE)
        deduction_step = CalcStep("减：费用（收入超过4,000元，减20 %）",
                                  "Less: expenses (20 % of a payment above 4,000)", deduction)
    # amount × 20 % never ends in a half fen (its third decimal is even), so
    # amount − deduction equals amount × 80 % rounded half up.
    taxable = max(amount_ - deduction, ZERO)
    row, tax = _progressive(LABOUR_TABLE, taxable)
    steps = (
        CalcStep("劳务报酬收入", "Labour remuneration", amount_),
        deduction_step,
        CalcStep("应纳税所得额（不低于0）", "Taxable income (not below 0)", taxable),
        *_tax_steps(taxable, row, tax, "应预扣税额", "Withholding"),
    )
    return LabourResult(amount=amount_, deduction=deduction, taxable=taxable, rate=row.rate,
                        quick_deduction=_q(row.quick_deduction), tax=tax, steps=steps)


def labour_withholding(amount: Decimal | int | str) -> Decimal:
    """Withholding on one 劳务报酬 payment (Decimal)."""
    return labour_withholding_detail(amount).tax


# --- 车船税 (passenger cars) -----------------------------------------------------------


@dataclass(frozen=True)
class VehicleBracket:
    """A displacement bracket: over `lower_l` (exclusive) up to `upper_l` (inclusive,
    None: no limit), with the national range each province picks its amount from."""

    key: str
    lower_l: Decimal | None
    upper_l: Decimal | None
    minimum: Decimal
    maximum: Decimal
    label_zh: str
    label_en: str


def _vb(key: str, lower: str | None, upper: str | None, minimum: int, maximum: int,
        zh: str, en: str) -> VehicleBracket:
    return VehicleBracket(key, None if lower is None else Decimal(lower),
                          None if upper is None else Decimal(upper),
                          Decimal(minimum).quantize(CENT), Decimal(maximum).quantize(CENT), zh, en)


VEHICLE_BRACKETS: tuple[VehicleBracket, ...] = (
    _vb("up_to_1.0", None, "1.0", 60, 360, "1.0升（含）以下", "up to 1.0 L"),
    _vb("1.0-1.6", "1.0", "1.6", 300, 540, "1.0升以上至1.6升（含）", "over 1.0 L up to 1.6 L"),
    _vb("1.6-2.0", "1.6", "2.0", 360, 660, "1.6升以上至2.0升（含）", "over 1.6 L up to 2.0 L"),
    _vb("2.0-2.5", "2.0", "2.5", 660, 1200, "2.0升以上至2.5升（含）", "over 2.0 L up to 2.5 L"),
    _vb("2.5-3.0", "2.5", "3.0", 1200, 2400, "2.5升以上至3.0升（含）", "over 2.5 L up to 3.0 L"),
    _vb("3.0-4.0", "3.0", "4.0", 2400, 3600, "3.0升以上至4.0升（含）", "over 3.0 L up to 4.0 L"),
    _vb("over_4.0", "4.0", None, 3600, 5400, "4.0升以上", "over 4.0 L"),
)

# The demo's yearly amounts: each national range's lower bound (domain.md §4), so a
# 2.0 L car pays 360 a year as in the domain vector. A real hall passes its province's
# table (reference data) as `annual_amounts`, keyed like VEHICLE_BRACKETS.
DEMO_VEHICLE_AMOUNTS: Mapping[str, Decimal] = {b.key: b.minimum for b in VEHICLE_BRACKETS}


@_exact
def vehicle_bracket(displacement_l: Decimal | int | str) -> VehicleBracket:
    """The bracket of an engine displacement in litres (upper bounds inclusive)."""
    litres = _displacement(displacement_l)
    for bracket in VEHICLE_BRACKETS:
        if bracket.upper_l is None or litres <= bracket.upper_l:
            return bracket
    raise AssertionError("the last bracket has no upper bound")  # pragma: no cover


def _displacement(value: object) -> Decimal:
    field = "displacement_l"
    litres = _number(value, field)
    if litres <= 0 or litres > MAX_DISPLACEMENT_L:
        raise CalculatorInputError(
            f"{field} must be more than 0 and at most {MAX_DISPLACEMENT_L} litres",
            "calc.displacement", field)
    if litres != litres.quantize(Decimal("0.001")):
        raise CalculatorInputError(f"{field} has more than 3 decimal places (1 ml)",
                                   "calc.decimals", field)
    return litres


def _litres_text(litres: Decimal) -> str:
    # 2 -> "2.0 L", 1.998 -> "1.998 L": at least one decimal, as a registration shows it.
    exponent = litres.normalize().as_tuple().exponent
    places = max(1, -exponent) if isinstance(exponent, int) else 1
    return f"{litres:.{places}f} L"


@_exact
def check_vehicle_amounts(annual_amounts: Mapping[str, object]) -> dict[str, Decimal]:
    """A province table checked against the national ranges; returns it as Decimals."""
    field = "annual_amounts"
    if not isinstance(annual_amounts, Mapping):
        raise CalculatorInputError(f"{field} must map bracket keys to amounts",
                                   "calc.amounts", field)
    keys = {b.key for b in VEHICLE_BRACKETS}
    if set(annual_amounts) != keys:
        missing = sorted(keys - set(annual_amounts))
        extra = sorted(str(k) for k in set(annual_amounts) - keys)
        raise CalculatorInputError(f"{field} must have exactly the keys {sorted(keys)} "
                                   f"(missing {missing}, unknown {extra})", "calc.amounts", field)
    table: dict[str, Decimal] = {}
    for bracket in VEHICLE_BRACKETS:
        amount = _money(annual_amounts[bracket.key], field)
        if not bracket.minimum <= amount <= bracket.maximum:
            raise CalculatorInputError(
                f"{field}[{bracket.key!r}] must be within {format_money(bracket.minimum)}-"
                f"{format_money(bracket.maximum)}", "calc.amounts", field)
        table[bracket.key] = amount
    return table


@dataclass(frozen=True)
class VehicleTaxResult:
    displacement_l: Decimal
    bracket: VehicleBracket
    annual: Decimal
    months: int  # months taxed this year, the month of acquisition counted
    tax: Decimal
    steps: tuple[CalcStep, ...]


@_exact
def vehicle_tax_detail(displacement_l: Decimal | int | str, *,
                       acquired_month: int | str | Decimal | None = None,
                       months: int | str | Decimal | None = None,
                       annual_amounts: Mapping[str, object] | None = None) -> VehicleTaxResult:
    """车船税 for a passenger car for one year: the bracket's yearly amount, prorated
    when the car was acquired this year (annual × months ÷ 12, the month of acquisition
    counted: bought in October -> 3 months). Give `acquired_month` or `months` (owned
    this year), not both; neither means the whole year. `annual_amounts` is the
    province's table keyed like VEHICLE_BRACKETS (default DEMO_VEHICLE_AMOUNTS)."""
    litres = _displacement(displacement_l)
    table = check_vehicle_amounts(DEMO_VEHICLE_AMOUNTS if annual_amounts is None
                                  else annual_amounts)
    if acquired_month is not None and months is not None:
        raise CalculatorInputError("give acquired_month or months, not both",
                                   "calc.arguments", "months")
    acquisition: list[CalcStep] = []
    if acquired_month is not None:
        first = _month(acquired_month, "acquired_month")
        taxed = 13 - first
        acquisition.append(CalcStep("购置月份", "Month acquired", str(first)))
    else:
        taxed = 12 if months is None else _month(months, "months")
    bracket = vehicle_bracket(litres)
    annual = table[bracket.key]
    tax = _q(annual * taxed / 12)
    steps = (
        CalcStep("排气量", "Engine displacement", _litres_text(litres)),
        CalcStep("税额档次", "Bracket", (bracket.label_zh, bracket.label_en)),
        CalcStep("年税额", "Annual amount", annual),
        *acquisition,
        CalcStep("应纳税月份数", "Months taxed", str(taxed)),
        CalcStep("计算", "Computation",
                 f"{format_money(annual)} × {taxed} ÷ 12 = {format_money(tax)}"),
        CalcStep("应纳税额", "Tax", tax),
    )
    return VehicleTaxResult(displacement_l=litres, bracket=bracket, annual=annual,
                            months=taxed, tax=tax, steps=steps)


def vehicle_tax(displacement_l: Decimal | int | str, *,
                acquired_month: int | str | Decimal | None = None,
                months: int | str | Decimal | None = None,
                annual_amounts: Mapping[str, object] | None = None) -> Decimal:
    """车船税 for the year (Decimal); see vehicle_tax_detail."""
    return vehicle_tax_detail(displacement_l, acquired_month=acquired_month, months=months,
                              annual_amounts=annual_amounts).tax


# Bilingual names of every keyword argument, for the screens' field labels and printouts.
INPUT_LABELS: Mapping[str, tuple[str, str]] = {
    "income": ("综合所得收入额", "Annual comprehensive income"),
    "social_insurance": ("专项扣除（社保、公积金）", "Social insurance and housing fund"),
    "special_additional": ("专项附加扣除", "Special additional deductions"),
    "other": ("其他扣除", "Other deductions"),
    "withheld": ("已预缴税额", "Tax already withheld"),
    "month": ("月份", "Month"),
    "cumulative_income": ("累计收入", "Cumulative income"),
    "cumulative_social_insurance": ("累计专项扣除", "Cumulative social insurance"),
    "cumulative_special_additional": ("累计专项附加扣除",
                                      "Cumulative special additional deductions"),
    "cumulative_other": ("累计其他扣除", "Cumulative other deductions"),
    "withheld_before": ("以前月份已预扣税额", "Withheld in earlier months"),
    "bonus": ("全年一次性奖金", "Year-end bonus"),
    "amount": ("劳务报酬收入", "Labour remuneration"),
    "displacement_l": ("排气量（升）", "Engine displacement (L)"),
    "acquired_month": ("购置月份", "Month acquired"),
    "months": ("应纳税月份数", "Months taxed"),
    "annual_amounts": ("年税额表", "Annual amounts"),
}

__all__ = [
    "ANNUAL_TABLE",
    "CENT",
    "DEMO_VEHICLE_AMOUNTS",
    "INPUT_LABELS",
    "LABOUR_TABLE",
    "MONTHLY_TABLE",
    "VEHICLE_BRACKETS",
    "BonusComparison",
    "BonusTaxResult",
    "CalcStep",
    "CalculatorInputError",
    "IitAnnualResult",
    "IitMonthResult",
    "LabourResult",
    "TaxBracket",
    "VehicleBracket",
    "VehicleTaxResult",
    "bonus_tax",
    "bonus_tax_detail",
    "check_vehicle_amounts",
    "compare_bonus_taxation",
    "format_money",
    "format_rate",
    "iit_annual",
    "iit_cumulative_month",
    "iit_cumulative_month_detail",
    "labour_withholding",
    "labour_withholding_detail",
    "render_steps",
    "vehicle_bracket",
    "vehicle_tax",
    "vehicle_tax_detail",
]
