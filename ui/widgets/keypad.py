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

Letter mode (`set_allowed(..., letters=True)`: a USCC, a password): a keyboard of
four rows, as tall as the digit block, so the keypad fits a landscape panel in simple
mode too:
          1 2 3 4 5 6 7 8 9 0 [Delete]
          q w e r t y u i o p [Clear ]
           a s d f g h j k l
          z x c v b n m [.] [shift]
The digit and function keys move into the top rows (the same buttons: automation
finds them by name either way); "X" is the letter x then, "." shows only when allowed.
A shift key (`keypad.shift`) switches between lower and upper case. The letter keys
are built the first time a field needs them.
"""
from __future__ import annotations

from typing import Final

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui.i18n import fill
from ui.theme import set_style_property
from ui.units import Size, Units, current_units
from ui.widgets.buttons import make_button

DIGITS: Final = tuple("0123456789")
DOT: Final = "."
X: Final = "X"
BACKSPACE: Final = "backspace"
CLEAR: Final = "clear"
KEYS: Final = (*DIGITS, DOT, X, BACKSPACE, CLEAR)
LETTERS: Final = tuple("abcdefghijklmnopqrstuvwxyz")
SHIFT: Final = "shift"
LETTER_ROWS: Final = ("qwertyuiop", "asdfghjkl", "zxcvbnm")

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
        self._units = u
        self._letters: QWidget | None = None  # the letter rows, built when first needed
        self._letter_rows: list[QHBoxLayout] = []
        self._keys_in_rows = False  # digit and function keys stand in the letter rows
        self._allow_letters = False
        self._upper = False

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(u.px(Size.KEY_GAP))
        self._outer = outer
        grid = QGridLayout()
        outer.addLayout(grid)
        self._grid = grid
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

    @property
    def letters_allowed(self) -> bool:
        return self._allow_letters

    @property
    def upper(self) -> bool:
        return self._upper

    def set_allowed(self, dot: bool, x: bool, letters: bool = False,
                    upper: bool = False) -> None:
        """Which keys the focused field takes; `letters` shows the letter rows, in
        upper case first when `upper` (a USCC) and lower case otherwise (a password)."""
        self._allow_dot, self._allow_x = dot, x
        for key, on in ((DOT, dot), (X, x)):
            self._buttons[key].setVisible(on)
            self._buttons[key].setEnabled(on)
        self._allow_letters = letters
        if letters and self._letters is None:
            self._build_letters()
        if self._letters is not None:
            self._place_keys(letters)
            self._letters.setVisible(letters)
            if letters:
                self.set_upper(upper)
                self._buttons[X].setVisible(False)  # the letter x types it

    def set_upper(self, upper: bool) -> None:
        """Letters in upper (True) or lower case; the shift key shows which."""
        self._upper = upper
        for letter in LETTERS:
            button = self._buttons.get(letter)
            if button is not None:
                button.setText(letter.upper() if upper else letter)
        shift = self._buttons.get(SHIFT)
        if shift is not None:
            shift.setChecked(upper)

    def _build_letters(self) -> None:
        u = self._units
        panel = QWidget(self)
        panel.setObjectName("keypad.letters")
        rows = QVBoxLayout(panel)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(u.px(Size.KEY_GAP))
        key_px = u.px(Size.LETTER_KEY)
        digits = QHBoxLayout()  # the digit keys move here in letter mode
        digits.setSpacing(u.px(Size.KEY_GAP))
        digits.addStretch(1)
        digits.addStretch(1)
        rows.addLayout(digits)
        self._letter_rows.append(digits)
        for i, keys in enumerate(LETTER_ROWS):
            row = QHBoxLayout()
            row.setSpacing(u.px(Size.KEY_GAP))
            row.addStretch(1)
            for letter in keys:
                button = make_button(letter, f"keypad.{letter}", role="key", units=u,
                                     parent=panel)
                button.setMinimumSize(key_px, key_px)
                button.clicked.connect(lambda _=False, k=letter: self.press(k))
                self._buttons[letter] = button
                row.addWidget(button)
            if i == len(LETTER_ROWS) - 1:
                shift = make_button("\u21e7", "keypad.shift", role="key", units=u,
                                    parent=panel)
                shift.setCheckable(True)
                shift.setProperty("keykind", "function")
                shift.setMinimumSize(round(key_px * FUNCTION_KEY_WIDTH), key_px)
                shift.clicked.connect(lambda _=False: self.press(SHIFT))
                self._buttons[SHIFT] = shift
                row.addWidget(shift)
            row.addStretch(1)
            rows.addLayout(row)
            self._letter_rows.append(row)
        self._outer.addWidget(panel)
        self._letters = panel
        self._retranslate()

    def _place_keys(self, letters: bool) -> None:
        """The digit, "." and function keys into the letter rows (letter mode) or back
        into the digit block; "X" stays in the block, which takes no room while every
        key left in it is hidden."""
        if letters == self._keys_in_rows:
            return
        self._keys_in_rows = letters
        # Letter mode's keys are smaller (Size.LETTER_KEY, still above the 12 mm floor).
        set_style_property(self, "keys", "letters" if letters else "digits")
        key_px = self._units.px(Size.LETTER_KEY if letters else Size.KEY)
        for key in KEYS:
            button = self._buttons[key]
            wide = key in (BACKSPACE, CLEAR)
            button.setMinimumSize(round(key_px * FUNCTION_KEY_WIDTH) if wide else key_px, key_px)
        grid = self._grid
        moving = [*"1234567890", BACKSPACE, CLEAR, DOT]
        for key in moving:
            button = self._buttons[key]
            for row in self._letter_rows:
                row.removeWidget(button)
            grid.removeWidget(button)
        for key in (DOT, X):  # in letter mode a hidden key keeps no place
            policy = self._buttons[key].sizePolicy()
            policy.setRetainSizeWhenHidden(not letters)
            self._buttons[key].setSizePolicy(policy)
        if letters:
            top, second, _middle, last = self._letter_rows
            # Before each row's closing stretch; "." before the shift key.
            for key in [*"1234567890", BACKSPACE]:
                top.insertWidget(top.count() - 1, self._buttons[key])
            second.insertWidget(second.count() - 1, self._buttons[CLEAR])
            last.insertWidget(last.count() - 2, self._buttons[DOT])
        else:
            for key in moving:
                r, c, rs, cs = _GRID[key]
                grid.addWidget(self._buttons[key], r, c, rs, cs)
        self._retranslate()

    def press(self, key: str) -> bool:
        """Apply one key as if tapped (also the scenario runner's way to type).
        Returns whether the field changed."""
        if key == SHIFT and self._allow_letters:
            self.set_upper(not self._upper)
            self.key_pressed.emit(key)
            return False
        is_letter = key in LETTERS and self._allow_letters
        if key not in _OBJECT_NAMES and not is_letter:
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
        elif is_letter:
            target.insert(key.upper() if self._upper else key)
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
        # In letter mode the key is one row high: the symbol alone, as on a keyboard.
        backspace.setText("\u232b" if self._keys_in_rows
                          else "\u232b\n" + translate("Keypad", "Delete"))
        backspace.setAccessibleName(translate("Keypad", "Delete the last character"))
        clear = self._buttons[CLEAR]
        clear.setText(translate("Keypad", "Clear"))
        clear.setAccessibleName(translate("Keypad", "Clear the whole field"))
        for letter in LETTERS:
            button = self._buttons.get(letter)
            if button is not None:
                button.setAccessibleName(fill(translate("Keypad", "Letter %1"), letter.upper()))
        shift = self._buttons.get(SHIFT)
        if shift is not None:
            shift.setAccessibleName(translate("Keypad", "Upper or lower case"))
