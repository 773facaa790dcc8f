"""The in-app numeric keypad: typing, validators, allowed keys, sizes, translations."""
from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from ui.i18n import Translations
from ui.theme import Theme
from ui.units import Units
from ui.widgets.keypad import KEYS, Keypad


@pytest.fixture
def pad(qtbot: QtBot, units: Units) -> Iterator[tuple[Keypad, QLineEdit]]:
    host = QWidget()
    qtbot.addWidget(host)
    field = QLineEdit(host)
    field.setObjectName("field.tin")
    keypad = Keypad(host, units=units)
    keypad.set_target(field)
    row = QHBoxLayout(host)
    row.addWidget(field)
    row.addWidget(keypad)
    host.show()
    qtbot.waitExposed(host)
    field.setFocus()
    yield keypad, field  # keeps `host` alive for the test


def tap(qtbot: QtBot, keypad: Keypad, object_name: str) -> None:
    button = keypad.findChild(QPushButton, object_name)
    assert button is not None, object_name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_every_key_has_a_stable_name_and_an_accessible_name(pad: tuple[Keypad, QLineEdit]) -> None:
    keypad, _ = pad
    names = {b.objectName() for b in keypad.findChildren(QPushButton)}
    assert names == {f"keypad.{d}" for d in "0123456789"} | {
        "keypad.dot", "keypad.x", "keypad.backspace", "keypad.clear"}
    for key in KEYS:
        assert keypad.key_button(key).accessibleName()


def test_tapping_digits_types_into_the_field(qtbot: QtBot, pad: tuple[Keypad, QLineEdit]) -> None:
    keypad, field = pad
    with qtbot.waitSignal(keypad.key_pressed, check_params_cb=lambda k: k == "9"):
        for d in "1239":
            tap(qtbot, keypad, f"keypad.{d}")
    assert field.text() == "1239"
    assert field.hasFocus(), "keys must not steal focus from the field"


def test_backspace_and_clear(qtbot: QtBot, pad: tuple[Keypad, QLineEdit]) -> None:
    keypad, field = pad
    field.setText("12345")
    tap(qtbot, keypad, "keypad.backspace")
    assert field.text() == "1234"
    field.setCursorPosition(2)
    tap(qtbot, keypad, "keypad.5")  # inserts at the cursor
    assert field.text() == "12534"
    tap(qtbot, keypad, "keypad.clear")
    assert field.text() == ""
    with qtbot.waitSignal(keypad.rejected, check_params_cb=lambda k: k == "backspace"):
        tap(qtbot, keypad, "keypad.backspace")


def test_x_and_dot_only_when_allowed(qtbot: QtBot, pad: tuple[Keypad, QLineEdit]) -> None:
    keypad, field = pad
    x, dot = keypad.key_button("X"), keypad.key_button(".")
    assert not x.isVisible() and not dot.isVisible()
    with qtbot.waitSignal(keypad.rejected):
        assert keypad.press("X") is False
    assert field.text() == ""
    digit_geometry = keypad.key_button("0").geometry()

    keypad.set_allowed(dot=False, x=True)
    qtbot.waitUntil(x.isVisible)
    assert not dot.isVisible()
    assert keypad.key_button("0").geometry() == digit_geometry, "digits must not move"
    for d in "11010519491231002":
        keypad.press(d)
    tap(qtbot, keypad, "keypad.x")
    assert field.text() == "11010519491231002X"

    keypad.set_allowed(dot=True, x=False)
    field.clear()
    for k in "12.5":
        keypad.press(k)
    assert field.text() == "12.5"
    assert keypad.press("X") is False


def test_validator_and_max_length_are_respected(qtbot: QtBot,
                                                pad: tuple[Keypad, QLineEdit]) -> None:
    keypad, field = pad
    field.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9]{0,12}"), field))
    field.setMaxLength(8)
    keypad.set_allowed(dot=True, x=True)
    for k in "123456789":
        keypad.press(k)
    assert field.text() == "12345678"
    field.clear()
    with qtbot.waitSignal(keypad.rejected, check_params_cb=lambda k: k == "."):
        keypad.press(".")
    assert field.text() == ""


def test_no_target_or_a_destroyed_target_is_harmless(qtbot: QtBot, units: Units) -> None:
    keypad = Keypad(units=units)
    qtbot.addWidget(keypad)
    assert keypad.press("1") is False
    field = QLineEdit()
    keypad.set_target(field)
    assert keypad.press("1") is True
    field.deleteLater()
    qtbot.waitUntil(lambda: keypad.target() is None)
    assert keypad.press("2") is False
    with pytest.raises(ValueError):
        keypad.press("A")


def _assert_sizes(keypad: Keypad, units: Units) -> None:
    buttons = [keypad.key_button(k) for k in KEYS]
    for b in buttons:
        assert units.mm(b.width()) >= 14, b.objectName()
        assert units.mm(b.height()) >= 14, b.objectName()
    # Spacing: no two keys closer than 3 mm (edge to edge) in either direction.
    for a, b in itertools.combinations(buttons, 2):
        ga, gb = a.geometry(), b.geometry()
        gap_x = max(gb.left() - ga.right() - 1, ga.left() - gb.right() - 1)
        gap_y = max(gb.top() - ga.bottom() - 1, ga.top() - gb.bottom() - 1)
        assert max(gap_x, gap_y) >= units.px(3) - 1, (a.objectName(), b.objectName())


def test_keys_are_big_and_apart_without_theme(pad: tuple[Keypad, QLineEdit], units: Units) -> None:
    keypad, _ = pad
    keypad.set_allowed(dot=True, x=True)
    _assert_sizes(keypad, units)


def test_keys_are_big_and_apart_with_theme(qtbot: QtBot, themed: Theme, units: Units) -> None:
    keypad = Keypad(units=units, allow_dot=True, allow_x=True)
    qtbot.addWidget(keypad)
    keypad.show()
    qtbot.waitExposed(keypad)
    _assert_sizes(keypad, units)


def test_key_labels_and_names_follow_the_language(qtbot: QtBot, pad: tuple[Keypad, QLineEdit],
                                                  translations: Translations,
                                                  flush_language_change: Callable[[], None]) -> None:
    keypad, _ = pad
    clear = keypad.key_button("clear")
    assert clear.text() == "Clear"
    assert keypad.key_button("7").accessibleName() == "Digit 7"
    translations.set_language("zh")
    qtbot.waitUntil(lambda: clear.text() == "清空")
    assert keypad.key_button("7").accessibleName() == "数字 7"
    assert "删除" in keypad.key_button("backspace").text()
    translations.set_language("en")
    flush_language_change()
    assert clear.text() == "Clear"
