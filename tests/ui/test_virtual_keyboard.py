"""The on-screen keyboard (issue #13 §3): Qt Virtual Keyboard's panel docked in the
window, Pinyin with a candidate bar, English, digit fields left to the keypad."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLineEdit, QTextEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from ui.units import Units
from ui.widgets import virtual_keyboard as vk
from ui.widgets.keypad import Keypad
from ui.widgets.virtual_keyboard import VirtualKeyboard


class Host(QWidget):
    """A window like the main one: fields above, the keyboard docked below."""

    def __init__(self, units: Units) -> None:
        super().__init__()
        self.language = "zh"
        lay = QVBoxLayout(self)
        self.text = QLineEdit()
        self.text.setObjectName("field.search")
        self.note = QTextEdit()
        self.digits = QLineEdit()
        self.keypad = Keypad(units=units)
        self.keypad.set_target(self.digits)
        for w in (self.text, self.note, self.digits, self.keypad):
            lay.addWidget(w)
        lay.addStretch(1)
        self.keyboard = VirtualKeyboard(lambda: self.language, units=units)
        lay.addWidget(self.keyboard)
        self.resize(1080, 1400)


@pytest.fixture
def host(qtbot: QtBot, units: Units) -> Iterator[Host]:
    assert vk.available(), "tests/conftest.py sets QT_IM_MODULE before the QApplication"
    h = Host(units)
    qtbot.addWidget(h)
    h.show()
    qtbot.waitExposed(h)
    h.activateWindow()
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() is not None)
    yield h
    h.keyboard.close_keyboard()


def focus(qtbot: QtBot, host: Host, field: QWidget, shown: bool) -> None:
    """Focus a field, then wait for the keyboard's decision (it runs after the focus
    events; a served field is marked sensitive first)."""
    field.setFocus()
    qtbot.waitUntil(lambda: host.keyboard.isVisible() is shown and (not shown or bool(
        field.inputMethodHints() & Qt.InputMethodHint.ImhSensitiveData)))


def test_pinyin_nihao_and_the_first_candidate(qtbot: QtBot, host: Host) -> None:
    focus(qtbot, host, host.text, True)
    assert host.keyboard.window() is host  # docked, not a window of its own
    assert host.keyboard.keyboard_locale == "zh_CN"
    host.keyboard.type_letters("nihao")
    qtbot.waitUntil(lambda: host.keyboard.shows("你好"))
    assert host.keyboard.candidates()[0] == "你好"
    host.keyboard.choose("你好")
    qtbot.waitUntil(lambda: host.text.text() == "你好")
    assert host.text.hasFocus()  # taps on keys never take the focus


def test_english_typing_follows_the_session_language(qtbot: QtBot, host: Host) -> None:
    host.language = "en"
    host.keyboard.set_language("en")
    assert host.keyboard.keyboard_locale == "en_US"
    focus(qtbot, host, host.text, True)
    host.keyboard.type_letters("tax")
    qtbot.waitUntil(lambda: host.text.text().lower() == "tax")
    assert host.keyboard.candidates() == []  # no Pinyin composing in English


def test_multi_line_text_gets_the_keyboard_too(qtbot: QtBot, host: Host) -> None:
    focus(qtbot, host, host.note, True)
    host.keyboard.type_letters("shui")
    qtbot.waitUntil(lambda: host.keyboard.shows("税"))
    host.keyboard.choose("税")
    qtbot.waitUntil(lambda: host.note.toPlainText() == "税")


def test_digit_fields_keep_their_keypad(qtbot: QtBot, host: Host) -> None:
    focus(qtbot, host, host.text, True)
    focus(qtbot, host, host.digits, False)
    assert not QGuiApplication.inputMethod().isVisible()
    focus(qtbot, host, host.text, True)


def test_served_fields_keep_no_user_dictionary(qtbot: QtBot, host: Host) -> None:
    """The Pinyin engine learns nothing from a field marked sensitive."""
    focus(qtbot, host, host.text, True)
    assert host.text.inputMethodHints() & Qt.InputMethodHint.ImhSensitiveData


def test_no_top_level_window_but_ours(qtbot: QtBot, host: Host) -> None:
    focus(qtbot, host, host.text, True)
    shown = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    assert shown == [host]
