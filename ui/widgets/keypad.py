"""In-app numeric keypad for TINs, invoice numbers, amounts and phone numbers.

Large keys (Size.KEY, 18 mm, 4 mm apart) instead of the system keyboard. Keys never
take focus, so the field keeps its cursor; typing goes through QLineEdit.insert() and
backspace(), which respect the field's validator and maxLength.

Layout:   1 2 3 [Delete]
          4 5 6 [      ]
          7 8 9 [Clear ]
          . 0 X [      ]
"." (amounts) and "X" (the check character of resident ID numbers) show only when
allowed; hidden keys keep their place so the digits never move.
"""
from __future__ import annotations

from typing import Final

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QSizePolicy, QWidget

from ui.i18n import fill
from ui.units import Size, Units, current_units
from ui.widgets.buttons import make_button

DIGITS: Final = tuple("0123456789")
DOT: Final = "."
X: Final = "X"
BACKSPACE: Final = "backspace"
CLEAR: Final = "clear"
KEYS: Final = (*DIGITS, DOT, X, BACKSPACE, CLEAR)

_OBJECT_NAMES: Final = {**{d: f"keypad.{d}" for d in DIGITS}, DOT: "keypad.dot", X: "keypad.x",
                        BACKSPACE: "keypad.backspace", CLEAR: "keypad.clear"}
# (row, column, row span, column span)
_GRID: Final = {
    "1": (0, 0, 1, 1), "2": (0, 1, 1, 1), "3": (0, 2, 1, 1),
    "4": (1, 0, 1, 1), "5": (1, 1, 1, 1), "6": (1, 2, 1, 1),
    "7": (2, 0, 1, 1), "8": (2, 1, 1, 1), "9": (2, 2, 1, 1),
    DOT: (3, 0, 1, 1), "0": (3, 1, 1, 1), X: (3, 2, 1, 1),
    BACKSPACE: (0, 3, 2, 1), CLEAR: (2, 3, 2, 1),
}
FUNCTION_KEY_WIDTH: Final = 1.6  # in key widths: room for "Delete" / "Clear"


class Keypad(QWidget):
    """A numeric keypad that types into one QLineEdit.

    Signals:
        key_pressed(str): a key was tapped ("0".."9", ".", "X", "backspace", "clear"),
            after it was applied (for speech and click sounds).
        rejected(str): the key changed nothing (validator, maxLength, empty field).
    """

    key_pressed = Signal(str)
    rejected = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, units: Units | None = None,
                 allow_dot: bool = False, allow_x: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("keypad")
        u = units or current_units()
        self._target: QLineEdit | None = None
        self._buttons: dict[str, QPushButton] = {}

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(u.px(Size.KEY_GAP))
        key_px = u.px(Size.KEY)
        for key in KEYS:
            label = key if key in DIGITS or key in (DOT, X) else ""
            button = make_button(label, _OBJECT_NAMES[key], role="key", units=u, parent=self)
            button.setMinimumSize(key_px, key_px)
            policy = button.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            button.setSizePolicy(policy)
            if key in (BACKSPACE, CLEAR):
                button.setProperty("keykind", "function")
                button.setMinimumWidth(round(key_px * FUNCTION_KEY_WIDTH))
            button.clicked.connect(lambda _=False, k=key: self.press(k))
            self._buttons[key] = button
            row, col, rows, cols = _GRID[key]
            grid.addWidget(button, row, col, rows, cols)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self._allow_dot = True
        self._allow_x = True
        self.set_allowed(dot=allow_dot, x=allow_x)
        self._retranslate()

    # -- public API ----------------------------------------------------------------

    def key_button(self, key: str) -> QPushButton:
        return self._buttons[key]

    def target(self) -> QLineEdit | None:
        if self._target is not None and not shiboken6.isValid(self._target):
            self._target = None  # the screen was rebuilt under us
        return self._target

    def set_target(self, target: QLineEdit | None) -> None:
        """The field keys type into (the screen sets it when a field gets focus)."""
        self._target = target

    @property
    def dot_allowed(self) -> bool:
        return self._allow_dot

    @property
    def x_allowed(self) -> bool:
        return self._allow_x

    def set_allowed(self, dot: bool, x: bool) -> None:
        self._allow_dot, self._allow_x = dot, x
        for key, on in ((DOT, dot), (X, x)):
            self._buttons[key].setVisible(on)
            self._buttons[key].setEnabled(on)

    def press(self, key: str) -> bool:
        """Apply one key as if tapped (also the scenario runner's way to type).
        Returns whether the field changed."""
        if key not in _OBJECT_NAMES:
            raise ValueError(f"no such key {key!r}")
        target = self.target()
        allowed = (key != DOT or self._allow_dot) and (key != X or self._allow_x)
        if target is None or not allowed or target.isReadOnly() or not target.isEnabled():
            self.rejected.emit(key)
            return False
        before = target.text()
        if key == BACKSPACE:
            target.backspace()
        elif key == CLEAR:
            target.clear()
        else:
            target.insert(key)
        if target.isVisible() and not target.hasFocus():
            target.setFocus(Qt.FocusReason.OtherFocusReason)
        changed = target.text() != before
        if changed:
            self.key_pressed.emit(key)
        else:
            self.rejected.emit(key)
        return changed

    # -- language ------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        translate = QCoreApplication.translate
        self.setAccessibleName(translate("Keypad", "Number keypad"))
        for digit in DIGITS:
            self._buttons[digit].setAccessibleName(fill(translate("Keypad", "Digit %1"), digit))
        self._buttons[DOT].setAccessibleName(translate("Keypad", "Decimal point"))
        self._buttons[X].setAccessibleName(translate("Keypad", "Letter X"))
        backspace = self._buttons[BACKSPACE]
        backspace.setText("\u232b\n" + translate("Keypad", "Delete"))
        backspace.setAccessibleName(translate("Keypad", "Delete the last character"))
        clear = self._buttons[CLEAR]
        clear.setText(translate("Keypad", "Clear"))
        clear.setAccessibleName(translate("Keypad", "Clear the whole field"))
