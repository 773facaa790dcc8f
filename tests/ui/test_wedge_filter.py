"""Keyboard-wedge scanner through real Qt key events: bursts are scans, typing types."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from ui.idle import ManualClock
from ui.wedge_filter import WedgeScannerFilter


def _press(widget: QLineEdit, char: str) -> None:
    key = Qt.Key.Key_Return if char == "\r" else Qt.Key.Key_unknown
    QApplication.sendEvent(widget, QKeyEvent(QEvent.Type.KeyPress, key,
                                             Qt.KeyboardModifier.NoModifier, char))


def _setup(qtbot):  # type: ignore[no-untyped-def]
    clock = ManualClock()
    wedge = WedgeScannerFilter(clock=clock)
    wedge.install()
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    edit.setFocus()
    return clock, wedge, edit


def test_fast_burst_with_suffix_is_a_scan_and_types_nothing(qtbot) -> None:  # type: ignore[no-untyped-def]
    clock, wedge, edit = _setup(qtbot)
    try:
        with qtbot.waitSignal(wedge.scanned) as blocker:
            for char in "01,10,033001800111\r":
                clock.advance(0.005)
                _press(edit, char)
        assert blocker.args == ["01,10,033001800111"]
        assert edit.text() == ""
    finally:
        wedge.uninstall()


def test_slow_typing_reaches_the_field_in_order(qtbot) -> None:  # type: ignore[no-untyped-def]
    clock, wedge, edit = _setup(qtbot)
    try:
        with qtbot.assertNotEmitted(wedge.scanned):
            for char in "1234":
                clock.advance(0.2)
                _press(edit, char)
            clock.advance(0.2)
            qtbot.waitUntil(lambda: edit.text() == "1234", timeout=2000)
    finally:
        wedge.uninstall()
