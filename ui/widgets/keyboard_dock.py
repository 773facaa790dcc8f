"""When the on-screen keyboard is needed, without loading it before then.

The keyboard (ui/widgets/virtual_keyboard.py) is a QQuickWidget with a QML engine:
~24 MiB of resident memory and ~70 ms to build. Most sessions type nothing (a scan, a
look-up by ID card), so the main window does not mount it at start: `KeyboardDock`
watches the focus and mounts it when the first text field that needs it is focused.
After that the keyboard watches the focus itself, for the rest of the process (its QML
engine is shared and never dropped, see `_shared_engine` there).

This module imports neither Qt Quick nor QML: what decides whether a field needs the
keyboard (`wants_keyboard`) lives here so that the decision costs nothing.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Final

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from kiosk import log

if TYPE_CHECKING:
    from ui.widgets.virtual_keyboard import VirtualKeyboard

IM_MODULE: Final = "qtvirtualkeyboard"
TEXT_WIDGETS: Final = (QLineEdit, QTextEdit, QPlainTextEdit)

_log = log.get("keyboard")


def available() -> bool:
    """Whether this process runs with the virtual keyboard as its input method."""
    return os.environ.get("QT_IM_MODULE") == IM_MODULE


def keypad_serves(field: QWidget) -> bool:
    """Whether a visible in-app keypad of the field's window types into it."""
    from ui.widgets.keypad import Keypad

    return any(k.target() is field and k.isVisible()
               for k in field.window().findChildren(Keypad))


def wants_keyboard(widget: QWidget | None) -> bool:
    """A focused widget the on-screen keyboard should serve."""
    if widget is None or not isinstance(widget, TEXT_WIDGETS):
        return False
    if widget.isReadOnly() or not widget.isEnabled() or not widget.isVisible():
        return False
    if not widget.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled):
        return False
    return not keypad_serves(widget)


class KeyboardDock(QObject):
    """The window's on-screen keyboard, mounted on first need: the first focused text
    field of `window` that `wants_keyboard`, or the first call to `keyboard`."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._keyboard: VirtualKeyboard | None = None
        self._watching = available()
        if not self._watching:
            _log.info("on-screen keyboard off: QT_IM_MODULE is not %s", IM_MODULE)
            return
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        # Only wants_keyboard() decides, from the start: no panel request on a tap of a
        # digit field before the keyboard exists (the keyboard sets this again).
        app.setAutoSipEnabled(False)
        app.focusChanged.connect(self._focus_changed)
        window.installEventFilter(self)  # Close / Hide: see eventFilter

    @property
    def mounted(self) -> bool:
        return self._keyboard is not None

    @property
    def keyboard(self) -> VirtualKeyboard | None:
        """The keyboard, mounted now if it is not yet; None without the input method."""
        if self._keyboard is None and self._watching:
            self._mount()
        return self._keyboard

    def close_keyboard(self) -> None:
        """Hide the keyboard and drop half-typed Pinyin, if it was ever mounted."""
        if self._keyboard is not None:
            self._keyboard.close_keyboard()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        # A window closing (shutdown; a test's window) hides its keyboard first, so the
        # panel's QML animations stop before the widget goes. A Qt Quick widget deleted
        # while they ran left Qt's animation timer in a state that made the next window
        # mounting its keyboard warn ("QUnifiedTimer::stopAnimationDriver: driver is not
        # running").
        if watched is self._window and event.type() in (QEvent.Type.Close,
                                                        QEvent.Type.Hide):
            self.close_keyboard()
        return False

    def _focus_changed(self, _old: QWidget | None, _now: QWidget | None) -> None:
        # Decide after the focus events have run, as the keyboard itself does: a form
        # sets its keypad's target on FocusIn, which tells digit fields from text.
        QTimer.singleShot(0, self, self._check_focus)

    def _check_focus(self) -> None:
        if self._keyboard is not None or not shiboken6.isValid(self._window):
            return
        field = QApplication.focusWidget()
        if field is None or field.window() is not self._window or not wants_keyboard(field):
            return
        keyboard = self.keyboard
        if keyboard is not None:
            keyboard.update_for_focus()  # it missed this focus change: show it now

    def _mount(self) -> None:
        from ui.widgets.virtual_keyboard import mount_keyboard

        app = QApplication.instance()
        if app is not None:  # from now on the keyboard follows the focus itself
            app.focusChanged.disconnect(self._focus_changed)  # type: ignore[attr-defined]
        self._watching = False
        self._keyboard = mount_keyboard(self._window)
