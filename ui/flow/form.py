"""The form screen: fields built from a spec (ui.flow.fields), each with its error
message beside it, the in-app keypad below them and one confirm button.

Field kinds decide what can be typed and which keypad keys show for the focused field;
`check(name, value)` (kind rules by default; a service adds its own) runs as the person
types and again on confirm. Errors are kept as message codes and rendered on every
refresh, so they follow a language switch. A service subclass sets `fields`, returns
its texts (`title_text`, `field_text`, `choice_text`, `prompt_text`, `confirm_text`),
may narrow `visible_fields()` and sends the values on in `submit(values)`, which
returns the problems (field -> message code) to show, empty when the form went out.

Layout: standing (portrait), the choices and fields, then the keypad under them and
the confirm button at the bottom; lying (landscape), the keypad and the confirm button
stand beside the fields, each label left of its field, so the form fits 1080 px high.
When the keypad's wide letter rows (a USCC, a password) and the fields are wider
together than the panel (simple mode, larger text), the keypad goes under the fields
in landscape too; that is decided again whenever the texts' sizes change. The
choices and fields scroll (`area.fields`) when they are taller than the room left by
the keypad (many fields, simple mode's larger text); a focused field scrolls into view.
"""
from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QObject, QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator, QResizeEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.layout import Orientation
from ui.theme import Space
from ui.widgets.adaptive import ColumnsLayout, OrientationBox, panel_orientation
from ui.widgets.buttons import make_button
from ui.widgets.keypad import Keypad
from ui.widgets.scroll_column import ScrollColumn

from .base import FlowScreen, Said
from .fields import FieldSpec, Kind, check_kind
from .flow import ServiceFlow
from .text import Msg, Tr

if TYPE_CHECKING:
    from ui.main_window import MainWindow

_CTX = "FormScreen"
CONFIRM = QT_TRANSLATE_NOOP("FormScreen", "Confirm")
# What of the fields stays in view at least while the rest scrolls: about two rows.
FIELDS_MIN_MM = 45.0


class FormScreen(FlowScreen):
    idle_kind = "form"
    fields: ClassVar[tuple[FieldSpec, ...]] = ()

    def __init__(self, window: MainWindow, flow: ServiceFlow) -> None:
        super().__init__(window, flow)
        self.specs = {f.name: f for f in self.fields}
        self.choices: dict[str, str] = {f.name: f.choices[0] for f in self.fields
                                        if f.kind is Kind.CHOICE}
        self.errors: dict[str, str] = {}  # field -> message code shown beside it
        self.inputs: dict[str, QLineEdit] = {}
        self.error_labels: dict[str, QLabel] = {}
        self.row_labels: dict[str, QLabel] = {}
        self.choice_buttons: dict[str, dict[str, QPushButton]] = {}
        self.title = self.bind(self.title_label("label.title"), self.title_text)
        self.layout_.addWidget(self.title)
        gap = window.units.px(Space.M)
        # Fields on one side, keypad and confirm on the other (beside or below).
        self.body = OrientationBox()
        self.body.setSpacing(window.units.px(Space.XL))
        self._fields_column = QVBoxLayout()
        self._fields_column.setContentsMargins(0, 0, 0, 0)
        self._fields_column.setSpacing(gap)
        self._keys_column = QVBoxLayout()
        self._keys_column.setSpacing(gap)
        form_host = QWidget()
        self.form = QFormLayout(form_host)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setVerticalSpacing(gap)
        for spec in self.fields:
            if spec.kind is Kind.CHOICE:
                self._add_choice(spec)
            else:
                self._add_input(spec)
        self._fields_column.addWidget(form_host)
        self._fields_column.addStretch(1)
        self.fields_area = ScrollColumn("area.fields", layout=self._fields_column,
                                        min_height=window.units.px(FIELDS_MIN_MM))
        self._laid_out: tuple[Orientation, bool] | None = None
        self.keypad = Keypad(units=window.units)
        self._keypad_row = QHBoxLayout()
        self._keypad_row.addStretch(1)
        self._keypad_row.addWidget(self.keypad, 3)
        self._keypad_row.addStretch(1)
        self._keys_column.addLayout(self._keypad_row)
        self._keys_column.addStretch(1)
        self.confirm = self.bind(make_button("", "action.confirm", role="primary"),
                                 self.confirm_text)
        self.confirm.clicked.connect(self.submit_form)
        self._keys_column.addWidget(self.confirm)
        self.body.addWidget(self.fields_area, 3)
        self.body.addLayout(self._keys_column, 2)
        self.layout_.addLayout(self.body, 1)
        self._lay_out(panel_orientation(self.window_), force=True)
        self._show_fields()
        self.refresh()

    # -- layout ------------------------------------------------------------------------
    def _lay_out(self, orientation: Orientation, *, force: bool = False) -> None:
        """Keypad beside the fields (landscape, digits only) or under them (portrait,
        or the letter rows)."""
        lying = orientation == "landscape"
        beside = lying and self._fits_beside()
        if self._laid_out == (orientation, beside) and not force:
            return
        self._laid_out = (orientation, beside)
        self.body.set_orientation("landscape" if beside else "portrait")
        # Lying, each label stands left of its field: four rows fit 1080 px.
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows if lying
                                   else QFormLayout.RowWrapPolicy.WrapAllRows)
        # The keypad fills its column beside the fields; under them it keeps to the middle.
        self._keypad_row.setStretch(0, 0 if beside else 1)
        self._keypad_row.setStretch(2, 0 if beside else 1)
        self.body.setStretch(0, 3 if beside else 0)
        self.body.setStretch(1, 2 if beside else 1)

    def _fits_beside(self) -> bool:
        """The fields and the keypad's column fit side by side in the window's width
        (the window's, not this screen's: a hidden screen may not have its size yet)."""
        margins = self.layout_.contentsMargins()
        room = self.window_.width() - margins.left() - margins.right()
        need = (self.fields_area.minimumSizeHint().width() + self.body.spacing()
                + self._keys_column.minimumSize().width())
        return need <= room

    def event(self, event: QEvent) -> bool:
        # A relayout (texts, fonts, simple mode, the letter rows shown) may change
        # whether the columns fit side by side: decided before the layout runs.
        if event.type() == QEvent.Type.LayoutRequest and not self.retired:
            self._lay_out(panel_orientation(self.window_))
        return super().event(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._lay_out(panel_orientation(self.window_))
        super().resizeEvent(event)

    # -- building ----------------------------------------------------------------------
    def _add_choice(self, spec: FieldSpec) -> None:
        prompt = self.bind(self.text_label(f"label.{spec.name}_prompt"),
                           lambda: self.prompt_text(spec.name))
        self._fields_column.addWidget(prompt)
        # As many of the spec's columns as the labels allow (fewer in English, with
        # larger text, standing): the buttons never widen the window.
        grid = ColumnsLayout(spec.columns)
        grid.setSpacing(self.window_.units.px(Space.S))
        buttons: dict[str, QPushButton] = {}
        for value in spec.choices:
            button = make_button("", f"{spec.name}.{value}", role="secondary")
            button.setCheckable(True)
            button.clicked.connect(lambda _=False, n=spec.name, v=value: self.choose(n, v))
            self.bind(button, partial(self.choice_text, spec.name, value))
            grid.addWidget(button)
            buttons[value] = button
        self.choice_buttons[spec.name] = buttons
        self._fields_column.addLayout(grid)

    def _add_input(self, spec: FieldSpec) -> None:
        edit = QLineEdit()
        edit.setObjectName(f"field.{spec.name}")
        if spec.rule.pattern is not None:
            edit.setValidator(QRegularExpressionValidator(
                QRegularExpression(spec.rule.pattern), edit))
        edit.setMaxLength(spec.length)
        if spec.rule.secret:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.textEdited.connect(partial(self._edited, spec.name))
        edit.installEventFilter(self)
        label = self.bind(QLabel(), partial(self.field_text, spec.name))
        error = self.bind(self.text_label(f"error.{spec.name}", role="error"),
                          partial(self._error_text, spec.name), hide_empty=True)
        column = QWidget()
        lay = QVBoxLayout(column)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(edit)
        lay.addWidget(error)
        self.form.addRow(label, column)
        self.inputs[spec.name] = edit
        self.error_labels[spec.name] = error
        self.row_labels[spec.name] = label

    # -- hooks -------------------------------------------------------------------------
    def title_text(self) -> Said:
        return None

    def prompt_text(self, name: str) -> Said:
        return None

    def choice_text(self, name: str, value: str) -> Said:
        return value

    def field_text(self, name: str) -> Said:
        return name

    def confirm_text(self) -> Said:
        return Tr(_CTX, CONFIRM)

    def visible_fields(self) -> set[str]:
        return set(self.inputs)

    def check(self, name: str, value: str) -> str | None:
        return check_kind(self.specs[name], value)

    def submit(self, values: dict[str, str]) -> dict[str, str]:
        """Send the values on; the problems to show (empty: sent)."""
        return {}

    # -- behaviour ---------------------------------------------------------------------
    def choose(self, name: str, value: str) -> None:
        self.choices[name] = value
        self._show_fields()
        self.refresh()

    def values(self) -> dict[str, str]:
        """What is typed in the visible fields, and each choice."""
        shown = self.visible_fields()
        typed = {n: e.text() for n, e in self.inputs.items() if n in shown}
        return {**typed, **self.choices}

    def _show_fields(self) -> None:
        shown = self.visible_fields()
        for name, edit in self.inputs.items():
            visible = name in shown
            row = edit.parentWidget()
            assert row is not None  # the field's column in the form
            self.form.setRowVisible(row, visible)
            if not visible:
                edit.clear()
                self.errors.pop(name, None)
        first = next((n for n in self.inputs if n in shown), None)
        if first is not None:
            self.inputs[first].setFocus()
            self._target(first)

    def _target(self, name: str) -> None:
        rule = self.specs[name].rule
        self.keypad.set_target(self.inputs[name] if rule.keypad else None)
        self.keypad.set_allowed(dot=rule.dot, x=rule.x, letters=rule.letters,
                                upper=self.specs[name].kind is Kind.CODE)

    def eventFilter(self, obj: QObject, event: Any) -> bool:
        if event.type() == QEvent.Type.FocusIn and isinstance(obj, QLineEdit):
            name = obj.objectName().removeprefix("field.")
            if name in self.inputs:
                self._target(name)
                self.fields_area.ensure_visible(obj)
        return False

    def _error_text(self, name: str) -> Said:
        code = self.errors.get(name)
        return Msg(code) if code else None

    def _edited(self, name: str, _text: str) -> None:
        self._check_one(name)

    def _check_one(self, name: str) -> None:
        text = self.inputs[name].text()
        code = self.check(name, text) if text else None
        self._set_error(name, code)

    def _set_error(self, name: str, code: str | None) -> None:
        if code:
            self.errors[name] = code
        else:
            self.errors.pop(name, None)
        self.refresh()

    def submit_form(self) -> None:
        if self.flow.busy:
            return
        values = self.values()
        problems = {n: c for n in self.visible_fields()
                    if (c := self.check(n, values.get(n, ""))) is not None}
        if not problems:
            problems = self.submit(values)
        self.errors = {n: c for n, c in problems.items() if n in self.inputs}
        self.refresh()

    def refresh(self) -> None:
        super().refresh()
        # A field is named by its row's label (screen readers, automation), in the
        # current language; its error, when there is one, follows the name.
        for name, edit in self.inputs.items():
            label = self.row_labels[name].text().replace("\n", " ").rstrip(":：")
            error = self.error_labels[name].text() if self.errors.get(name) else ""
            edit.setAccessibleName(label)
            edit.setAccessibleDescription(error)

    def update_state(self) -> None:
        for name, buttons in self.choice_buttons.items():
            for value, button in buttons.items():
                button.setChecked(self.choices.get(name) == value)
        self.confirm.setEnabled(not self.flow.busy)
