"""Staff sign-in: the PIN screen shown after a staff card is tapped on the attract screen.

The PIN is typed on the in-app keypad into a masked field (digits only, at most 8). It
goes to `StaffMode.submit_pin` (checked in the background) and the field is emptied at
once, after every attempt, and whenever the screen is left.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QHideEvent, QRegularExpressionValidator
from PySide6.QtWidgets import QHBoxLayout, QLineEdit

from kiosk.staff.pins import PIN_MAX
from ui.widgets.buttons import make_button
from ui.widgets.keypad import Keypad

from .base import Screen

if TYPE_CHECKING:
    from ui.main_window import MainWindow
    from ui.staff_mode import StaffMode


class StaffPinScreen(Screen):
    screen_id = "staff.pin"
    staff_screen = True
    idle_kind = "reading"

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        staff = window.staff
        assert staff is not None
        self.staff: StaffMode = staff
        self.title = self.title_label("label.title")
        self.instruction = self.text_label("label.instruction")
        self.pin = QLineEdit()
        self.pin.setObjectName("field.pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(PIN_MAX)
        self.pin.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9]*"), self.pin))
        self.pin.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # No copy, paste, drag or input-method suggestions for a secret.
        self.pin.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.pin.setDragEnabled(False)
        self.pin.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly
                                     | Qt.InputMethodHint.ImhSensitiveData
                                     | Qt.InputMethodHint.ImhNoPredictiveText)
        self.pin.returnPressed.connect(self.submit)
        self.error = self.text_label("label.error", role="error")
        self.pin.textEdited.connect(lambda _t: self.error.hide())  # the next attempt
        self.error.hide()
        self._error: Callable[[], str] = lambda: ""
        self.status = self.text_label("label.status", role="subtitle")
        for label in (self.error, self.status):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)  # under the centred field
        self.keypad = Keypad(units=window.units)
        self.keypad.set_allowed(dot=False, x=False)
        self.keypad.set_target(self.pin)
        self.cancel = make_button("", "action.cancel", role="secondary")
        self.cancel.clicked.connect(self._cancel)
        self.confirm = make_button("", "action.confirm", role="primary")
        self.confirm.clicked.connect(self.submit)

        field_row = QHBoxLayout()
        field_row.addStretch(1)
        field_row.addWidget(self.pin, 3)
        field_row.addStretch(1)
        keypad_row = QHBoxLayout()
        keypad_row.addStretch(1)
        keypad_row.addWidget(self.keypad, 3)
        keypad_row.addStretch(1)
        buttons = QHBoxLayout()
        buttons.setSpacing(window.units.px(6))
        buttons.addWidget(self.cancel, 1)
        buttons.addWidget(self.confirm, 2)
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.instruction)
        self.layout_.addStretch(1)
        self.layout_.addLayout(field_row)
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(self.status)
        self.layout_.addLayout(keypad_row)
        self.layout_.addStretch(1)
        self.layout_.addLayout(buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Staff sign-in"))
        self.instruction.setText(self.tr(
            "Enter your PIN (6 to 8 digits) on the keypad, then tap Sign in. "
            "The card locks after too many wrong PINs."))
        self.pin.setAccessibleName(self.tr("PIN"))
        self.pin.setPlaceholderText(self.tr("PIN"))
        self.cancel.setText(self.tr("Cancel"))
        self.cancel.setAccessibleName(self.tr("Cancel and go back"))
        self.confirm.setText(self.tr("Sign in"))
        self.confirm.setAccessibleName(self.tr("Sign in"))
        self._busy(self.staff.busy)
        self._show_error_text()

    def start_entry(self) -> None:
        """A staff card was accepted: a fresh, empty PIN field and no old message."""
        self.pin.clear()
        self.show_error("")
        self._busy(False)
        self.pin.setFocus(Qt.FocusReason.OtherFocusReason)

    def on_enter(self) -> None:
        self.pin.clear()
        self.pin.setFocus(Qt.FocusReason.OtherFocusReason)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt naming)
        self.pin.clear()  # leaving the screen leaves no PIN behind
        super().hideEvent(event)

    def submit(self) -> None:
        pin = self.pin.text()
        self.pin.clear()  # cleared after every attempt, whatever the answer
        if self.staff.busy:
            return
        self.show_error("")
        if self.staff.submit_pin(pin):
            self._busy(True)

    def show_error(self, text: str | Callable[[], str]) -> None:
        """The answer to a refused attempt (or a card that is not a staff card); a
        callable is asked again when the language changes."""
        self._busy(False)
        self._error = text if callable(text) else (lambda: text)
        self._show_error_text()
        self.pin.clear()
        if self.isVisible():
            self.pin.setFocus(Qt.FocusReason.OtherFocusReason)  # ready for the next try

    def _show_error_text(self) -> None:
        text = self._error()
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def _busy(self, busy: bool) -> None:
        self.status.setText(self.tr("Checking the PIN…") if busy else "")
        self.status.setVisible(busy)
        self.confirm.setEnabled(not busy)

    def show_staff_notice(self, text: Callable[[], str]) -> None:
        """A card that is not a staff card was tapped while the PIN is asked for."""
        self.show_error(text)

    def _cancel(self) -> None:
        self.pin.clear()
        self.staff.cancel()
