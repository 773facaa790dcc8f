"""The larger-text and high-contrast switches (ux.md): any screen of a session, the
whole window at once, reset for the next taxpayer."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from ui.theme import HIGH_CONTRAST, NORMAL


def _tap(window, qtbot, name: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(window.findChild(object, name), Qt.MouseButton.LeftButton)


def _window_colour() -> QColor:
    return QApplication.instance().palette().color(QPalette.ColorRole.Window)  # type: ignore[union-attr]


def test_switches_apply_at_once_and_reset_at_session_end(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    _tap(window, qtbot, "action.start")
    window.open_service("invoice.verify")
    title = window.current_screen().findChild(object, "label.title")
    normal_px = title.fontInfo().pixelSize()
    large = window.findChild(object, "action.large_text")
    contrast = window.findChild(object, "action.high_contrast")
    assert large.accessibleName() == "大字" and contrast.accessibleName() == "高对比度配色"
    assert not large.isChecked() and _window_colour() == QColor(NORMAL.background)

    _tap(window, qtbot, "action.large_text")
    qtbot.waitUntil(lambda: title.fontInfo().pixelSize() >= normal_px * 1.2)
    assert large.isChecked() and window.units.large_text
    _tap(window, qtbot, "action.high_contrast")
    assert contrast.isChecked() and _window_colour() == QColor(HIGH_CONTRAST.background)
    # Still on for the rest of the session, on every screen.
    window.show_screen("home")
    tile = window.findChild(object, "service.invoice.verify")
    assert tile.isVisible() and large.isChecked() and contrast.isChecked()

    window.end_session("finish")
    assert not large.isChecked() and not contrast.isChecked()
    assert not window.units.large_text and _window_colour() == QColor(NORMAL.background)
    _tap(window, qtbot, "action.start")
    window.open_service("invoice.verify")
    title = window.current_screen().findChild(object, "label.title")
    qtbot.waitUntil(lambda: title.fontInfo().pixelSize() == normal_px)


def test_switching_off_again_restores_the_sizes(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    _tap(window, qtbot, "action.start")
    home_title = window.current_screen().findChild(object, "label.title")
    before = home_title.fontInfo().pixelSize()
    _tap(window, qtbot, "action.large_text")
    qtbot.waitUntil(lambda: home_title.fontInfo().pixelSize() > before)
    _tap(window, qtbot, "action.large_text")
    qtbot.waitUntil(lambda: home_title.fontInfo().pixelSize() == before)
    assert not window.findChild(object, "action.large_text").isChecked()
