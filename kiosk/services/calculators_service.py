"""Use cases `calc.iit_annual`, `calc.iit_monthly`, `calc.bonus`, `calc.labour` and
`calc.vehicle`: the tax calculators of kiosk.domain.calculators behind one service
(policy `local`: no network, no reference data). Each catalogue entry builds a
`Calculator` for its own id: its inputs (the keyword arguments, `field.<name>` on
screen), the computation, the headline and the lines (CalcStep.render), and the
printout. Bad input raises CalculatorInputError, whose `field` and `code` the screen
shows beside that field. Qt-free.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from ..domain.calculators import (
    INPUT_LABELS,
    BonusComparison,
    CalcStep,
    CalculatorInputError,
    IitAnnualResult,
    IitMonthResult,
    LabourResult,
    VehicleTaxResult,
    compare_bonus_taxation,
    format_money,
    iit_annual,
    iit_cumulative_month_detail,
    labour_withholding_detail,
    vehicle_tax_detail,
)
from ..hall_time import to_hall
from .guidance import guidance_page, pick
from .views import ResultView, Row, Tone

if TYPE_CHECKING:
    from .context import ServiceContext

InputKind = Literal["amount", "month", "litres"]


@dataclass(frozen=True)
class Input:
    name: str  # the calculator's keyword argument
    kind: InputKind
    required: bool = False

    def label(self, lang: str) -> str:
        return pick(lang, *INPUT_LABELS[self.name])

    @property
    def probe(self) -> str:
        """A harmless value for checking another field alone."""
        return {"amount": "0", "month": "1", "litres": "1.0"}[self.kind]


@dataclass(frozen=True)
class Outcome:
    """A computation's headline (zh, en), tone and lines."""

    headline: tuple[str, str]
    tone: Tone
    steps: tuple[CalcStep, ...]

    def view(self, lang: str) -> ResultView:
        rows = tuple(Row(f"step.{n}", *step.render(lang)) for n, step in enumerate(self.steps, 1))
        return ResultView(pick(lang, *self.headline), self.tone, rows)


def _yuan(amount: Decimal) -> tuple[str, str]:
    return f"{format_money(amount)} 元", f"CNY {format_money(amount)}"


def _annual(r: IitAnnualResult) -> Outcome:
    if r.balance > 0 and r.exempt:
        zh, en = _yuan(r.balance)
        head = (f"应补税额 {zh}，依法免于补税", f"Tax due {en}, waived by law")
    elif r.balance > 0:
        zh, en = _yuan(r.balance)
        head = (f"应补税额 {zh}", f"Tax to pay: {en}")
    elif r.balance < 0:
        zh, en = _yuan(-r.balance)
        head = (f"可申请退税 {zh}", f"Refund due: {en}")
    else:
        head = ("无需补税或退税", "Nothing to pay or refund")
    return Outcome(head, "warning" if r.to_pay > 0 else "good", r.steps)


def _month(r: IitMonthResult) -> Outcome:
    zh, en = _yuan(r.tax)
    return Outcome((f"本月应预扣税额 {zh}", f"Withholding this month: {en}"), "neutral", r.steps)


def _bonus(r: BonusComparison) -> Outcome:
    zh, en = _yuan(r.saving)
    head = {
        "separate": (f"单独计税更省，少缴 {zh}", f"Separate taxation costs less, by {en}"),
        "combined": (f"并入综合所得更省，少缴 {zh}", f"Combining costs less, by {en}"),
        "equal": ("两种方式税额相同", "Both ways cost the same"),
    }[r.cheaper]
    return Outcome(head, "good", r.steps + r.separate_bonus.steps)


def _labour(r: LabourResult) -> Outcome:
    zh, en = _yuan(r.tax)
    return Outcome((f"应预扣税额 {zh}", f"Withholding: {en}"), "neutral", r.steps)


def _vehicle(r: VehicleTaxResult) -> Outcome:
    zh, en = _yuan(r.tax)
    return Outcome((f"应纳车船税 {zh}", f"Vehicle tax: {en}"), "neutral", r.steps)


@dataclass(frozen=True)
class Calculator:
    service_id: str
    title: tuple[str, str]
    inputs: tuple[Input, ...]
    compute: Callable[[dict[str, str]], Outcome]
    note: tuple[str, str] = ("", "")


def _given(values: Mapping[str, str], *names: str) -> dict[str, str]:
    """The typed values; an empty optional field is left out (its default: 0)."""
    return {n: values[n].strip() for n in names if values.get(n, "").strip()}


CALCULATORS: dict[str, Calculator] = {c.service_id: c for c in (
    Calculator("calc.iit_annual", ("个人所得税年度汇算估算", "IIT annual reconciliation estimate"),
               (Input("income", "amount", True), Input("social_insurance", "amount"),
                Input("special_additional", "amount"), Input("other", "amount"),
                Input("withheld", "amount")),
               lambda v: _annual(iit_annual(**_given(
                   v, "income", "social_insurance", "special_additional", "other", "withheld")))),
    Calculator("calc.iit_monthly", ("工资薪金个税（累计预扣法）", "Monthly wage withholding"),
               (Input("month", "month", True), Input("cumulative_income", "amount", True),
                Input("cumulative_social_insurance", "amount"),
                Input("cumulative_special_additional", "amount"),
                Input("cumulative_other", "amount"), Input("withheld_before", "amount")),
               lambda v: _month(iit_cumulative_month_detail(**_given(
                   v, "month", "cumulative_income", "cumulative_social_insurance",
                   "cumulative_special_additional", "cumulative_other", "withheld_before"))),
               ("累计数均为1月至本月（含）合计", "Cumulative figures run from January to this month")),
    Calculator("calc.bonus", ("全年一次性奖金计税比较", "Year-end bonus: separate or combined"),
               (Input("bonus", "amount", True), Input("income", "amount", True),
                Input("social_insurance", "amount"), Input("special_additional", "amount"),
                Input("other", "amount")),
               lambda v: _bonus(compare_bonus_taxation(**_given(
                   v, "bonus", "income", "social_insurance", "special_additional", "other"))),
               ("综合所得收入额不含奖金；单独计税政策执行至2027年12月31日",
                "Income without the bonus; separate taxation is allowed until 31 Dec 2027")),
    Calculator("calc.labour", ("劳务报酬预扣个税", "Labour remuneration withholding"),
               (Input("amount", "amount", True),),
               lambda v: _labour(labour_withholding_detail(v.get("amount", "").strip()))),
    Calculator("calc.vehicle", ("乘用车车船税", "Vehicle tax for a passenger car"),
               (Input("displacement_l", "litres", True), Input("months", "month")),
               lambda v: _vehicle(vehicle_tax_detail(
                   v.get("displacement_l", "").strip(), months=v.get("months", "").strip() or None)),
               ("年税额为演示税额表（各省在全国幅度内确定）；不填月份按全年计算",
                "Yearly amounts from a demo table (each province sets its own); no months: the whole year")),
)}


class CalculatorService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self.calculator = CALCULATORS[ctx.spec.id]

    @property
    def inputs(self) -> tuple[Input, ...]:
        return self.calculator.inputs

    def compute(self, values: Mapping[str, str]) -> Outcome:
        """The computation of the typed values; CalculatorInputError when one is bad
        (its `field` names it). A required field left empty is the caller's check."""
        return self.calculator.compute(dict(values))

    def check(self, name: str, value: str) -> str | None:
        """The message code for one typed value judged alone (the others harmless),
        so the reason shows beside that field while typing; None when fine."""
        values = {i.name: i.probe for i in self.inputs}
        values[name] = value
        try:
            self.compute(values)
        except CalculatorInputError as exc:
            return exc.code if exc.field == name else None
        return None

    def print_result(self, values: Mapping[str, str], lang: str) -> None:
        """The computation on a receipt slip, line by line (blocking; PrintFailed)."""
        outcome = self.compute(values)
        view = outcome.view(lang)
        note = pick(lang, *self.calculator.note)
        doc = guidance_page(
            lang=lang, title_zh="税款计算", title_en="Tax calculation",
            sections=[(pick(lang, *self.calculator.title), []),
                      (view.title, [(r.label, r.value) for r in view.rows])],
            printed_at=to_hall(self._ctx.clock.now()), kiosk_id=self._ctx.kiosk_id,
            source=note)
        self._ctx.slips.print_document(doc)


def build(ctx: ServiceContext) -> CalculatorService:
    return CalculatorService(ctx)

