"""The on-screen keyboard is mounted when the first text field needs it (#9: its QML
engine is ~24 MiB), in the real main window against the simulated hall: not at start,
not for a digit field its keypad serves, and at once for a text field."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from kiosk.simulation import SimulatedHall
from tests.ui.test_voice import make_window
from ui.main_window import MainWindow
from ui.widgets.keypad import Keypad


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[SimulatedHall]:
    h = SimulatedHall(tmp_path / "hall").start()
    yield h
    h.stop()


@pytest.fixture
def window(qapp: QApplication, qtbot: QtBot, hall: SimulatedHall,
           tmp_path: Path) -> Iterator[MainWindow]:
    yield from make_window(qapp, qtbot, hall, tmp_path, "")


def test_the_keyboard_is_mounted_by_the_first_text_field(window: MainWindow,
                                                          qtbot: QtBot) -> None:
    dock = window._keyboard_dock
    assert dock is not None and not dock.mounted  # nothing typed yet: no QML engine
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    window.start_session("zh")
    window.activateWindow()
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() is not None)
    screen = window.current_screen()
    digits = QLineEdit(screen)  # a digit field: its keypad types into it
    keypad = Keypad(screen)
    keypad.set_target(digits)
    for w in (digits, keypad):
        w.show()
    digits.setFocus()
    qtbot.waitUntil(lambda: digits.hasFocus())
    qtbot.wait(50)  # the decision runs on a zero timer after the focus events
    assert not dock.mounted
    text = QLineEdit(screen)
    text.show()
    text.setFocus()
    qtbot.waitUntil(lambda: dock.mounted)
    keyboard = window.keyboard
    assert keyboard is not None and keyboard.window() is window
    qtbot.waitUntil(lambda: keyboard.isVisible())  # shown for the field that mounted it
    window.end_session("finish")
    qtbot.waitUntil(lambda: not keyboard.isVisible())
