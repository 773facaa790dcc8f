"""Screens of the calculators `calc.*` (policy `local`): a form with `field.<keyword
argument>` per input (labels from kiosk.domain.calculators.INPUT_LABELS) and the
reason beside a bad value (`error.<name>`, from CalculatorInputError's field and
code), then the result: `label.result` (the headline), the computation line by line
(`label.details`, CalcStep.render) and `action.print`.

Each calculator's screen module (ui/screens/calc_<name>.py) is two lines:
`FLOW, SCREENS = calculator_screens("calc.<name>")`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP

from kiosk.domain.calculators import CalculatorInputError
from kiosk.services.calculators_service import (
    CALCULATORS,
    Calculator,
    CalculatorService,
    Input,
    Outcome,
)
from kiosk.services.views import ResultView
from ui.flow.base import Said
from ui.flow.fields import FieldSpec, Kind
from ui.flow.flow import ServiceFlow
from ui.flow.form import FormScreen
from ui.flow.outcome import OutcomeScreen
from ui.flow.text import Both, Tr

from .guidance_kit import insert_after

if TYPE_CHECKING:
    from kiosk.services.catalogue import ServiceSpec
    from ui.main_window import MainWindow

_CTX = "CalculatorScreen"
CALCULATE = QT_TRANSLATE_NOOP("CalculatorScreen", "Calculate")
OPTIONAL = QT_TRANSLATE_NOOP("CalculatorScreen", "%1 (optional)")
AGAIN = QT_TRANSLATE_NOOP("CalculatorScreen", "Change the figures")
PRINT = QT_TRANSLATE_NOOP("CalculatorScreen", "Print the calculation")
RESULT = QT_TRANSLATE_NOOP("CalculatorScreen", "Result of the calculation")
NOTE = QT_TRANSLATE_NOOP("CalculatorScreen", "An estimate for guidance: the tax office's assessment prevails.")


def field_spec(item: Input) -> FieldSpec:
    if item.kind == "month":
        return FieldSpec(item.name, Kind.DIGITS, 2, required=item.required)
    if item.kind == "litres":
        return FieldSpec(item.name, Kind.AMOUNT, 5, required=item.required)
    return FieldSpec(item.name, Kind.AMOUNT, required=item.required)


class CalculatorFlow(ServiceFlow):
    def __init__(self, window: MainWindow, spec: ServiceSpec) -> None:
        super().__init__(window, spec)
        self.values: dict[str, str] = {}
        self.outcome: Outcome | None = None

    @property
    def calculator(self) -> CalculatorService | None:
        service: CalculatorService | None = self.service
        return service

    def show(self, values: dict[str, str], outcome: Outcome) -> None:
        self.values = values
        self.outcome = outcome
        self.go(f"{self.spec.id}.result")
        self.changed.emit()


class CalculatorForm(FormScreen):
    flow: CalculatorFlow

    def calc(self) -> Calculator:
        return CALCULATORS[self.flow.service_id]

    def title_text(self) -> Said:
        return Both(*self.calc().title)

    def field_text(self, name: str) -> Said:
        item = next(i for i in self.calc().inputs if i.name == name)
        label = Both(*_labels(name))
        return label if item.required else Tr(_CTX, OPTIONAL, (label,))

    def confirm_text(self) -> Said:
        return Tr(_CTX, CALCULATE)

    def check(self, name: str, value: str) -> str | None:
        problem = super().check(name, value)
        calculator = self.flow.calculator
        if problem is None and value.strip() and calculator is not None:
            problem = calculator.check(name, value)
        return problem

    def submit(self, values: dict[str, str]) -> dict[str, str]:
        calculator = self.flow.calculator
        if calculator is None:
            return {}
        try:
            outcome = calculator.compute(values)
        except CalculatorInputError as exc:
            return {exc.field or next(iter(values)): exc.code}
        self.flow.show(dict(values), outcome)
        return {}


def _labels(name: str) -> tuple[str, str]:
    from kiosk.domain.calculators import INPUT_LABELS

    return INPUT_LABELS[name]


class CalculatorResult(OutcomeScreen):
    flow: CalculatorFlow

    def calc(self) -> Calculator:
        return CALCULATORS[self.flow.service_id]

    def __init__(self, window: MainWindow, flow: ServiceFlow) -> None:
        super().__init__(window, flow)
        self.outcome.setObjectName("label.result")
        self.note = self.bind(self.text_label("label.note", role="muted"),
                              lambda: Tr(_CTX, NOTE))
        insert_after(self.layout_, self.details, self.note)

    def title_text(self) -> Said:
        return Both(*self.calc().title)

    def again_text(self) -> Said:
        return Tr(_CTX, AGAIN)

    def print_text(self) -> Said:
        return Tr(_CTX, PRINT)

    def view(self) -> ResultView | None:
        outcome = self.flow.outcome
        if outcome is None:
            return None
        view = outcome.view(self.lang())
        note = self.calc().note
        text = note[0] if self.lang() == "zh" else note[1]
        return replace(view, notes=(text,)) if text else view

    def print_job(self) -> Callable[[], object] | None:
        calculator, values, lang = self.flow.calculator, dict(self.flow.values), self.lang()
        if calculator is None or self.flow.outcome is None:
            return None
        return lambda: calculator.print_result(values, lang)


def calculator_shots(service_id: str, **values: str) -> list[tuple[str, Any]]:
    """`make screenshots` steps (kiosk/scenario/screenshots.py): the empty form, then
    the result of `values` typed into their fields."""
    typed = [("type", {"into": f"field.{name}", "text": text}) for name, text in values.items()]
    return [("open", service_id), ("expect_screen", service_id), ("shot", service_id),
            *typed, ("tap", "action.confirm"), ("expect_screen", f"{service_id}.result"),
            ("shot", f"{service_id}.result")]


def calculator_screens(service_id: str) -> tuple[type[CalculatorFlow], tuple[type[Any], ...]]:
    """The flow and screens of one calculator (entry: the form; then the result)."""
    calc = CALCULATORS[service_id]
    suffix = service_id.split(".", 1)[1]
    form = type(f"CalculatorForm_{suffix}", (CalculatorForm,), {
        "screen_id": service_id, "fields": tuple(field_spec(i) for i in calc.inputs)})
    result = type(f"CalculatorResult_{suffix}", (CalculatorResult,), {
        "screen_id": f"{service_id}.result"})
    return CalculatorFlow, (form, result)
