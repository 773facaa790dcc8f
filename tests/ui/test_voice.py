"""Voice guidance (issue #13 §4) with Qt's mock speech engine, in the real main window
against the simulated hall; and the on-screen keyboard docked in that window."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QEvent, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit  # noqa: E402
from pytestqt.qtbot import QtBot  # noqa: E402

from kiosk.app import KioskCore  # noqa: E402
from kiosk.config import parse_config  # noqa: E402
from kiosk.services.speech_text import speech_text  # noqa: E402
from kiosk.simulation import SimulatedHall  # noqa: E402
from ui.i18n import Translations  # noqa: E402
from ui.idle import ManualClock  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.ops import tracker  # noqa: E402
from ui.voice import Voice, engine_unavailable  # noqa: E402


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[SimulatedHall]:
    h = SimulatedHall(tmp_path / "hall").start()
    yield h
    h.stop()


def make_window(qapp: QApplication, qtbot: QtBot, hall: SimulatedHall, tmp_path: Path,
                engine: str) -> Iterator[MainWindow]:
    base = parse_config({"data_dir": str(tmp_path / "kiosk"), "kiosk_id": "test-kiosk",
                         "ui": {"voice_engine": engine}})
    base = replace(base, central=replace(base.central, offline_grace_s=0.0))
    core = KioskCore(hall.kiosk_config(base)).start(background_sync=False)
    translations = Translations(qapp, default_language="zh")
    translations.reset()
    w = MainWindow(core.config, translations, core=core, idle_clock=ManualClock(),
                   kiosk_mode=False)
    qtbot.addWidget(w)
    w.resize(1080, 1920)
    w.show()
    qtbot.waitExposed(w)
    try:
        yield w
    finally:
        w.voice.voice.reset()
        tracker.wait_idle(timeout_s=10.0)
        w.idle.uninstall()
        translations.uninstall()
        core.stop()


@pytest.fixture
def window(qapp: QApplication, qtbot: QtBot, hall: SimulatedHall,
           tmp_path: Path) -> Iterator[MainWindow]:
    yield from make_window(qapp, qtbot, hall, tmp_path, "mock")


def said(window: MainWindow) -> list[str]:
    return [u.text for u in window.voice.voice.said]


def test_voice_button_on_attract_starts_a_speaking_session(window: MainWindow,
                                                           qtbot: QtBot) -> None:
    attract = window.current_screen()
    assert attract.screen_id == "attract"
    qtbot.mouseClick(attract.voice, Qt.MouseButton.LeftButton)
    assert window.in_session and window.voice.voice.on
    assert window.voice.button.isChecked()
    qtbot.waitUntil(lambda: bool(said(window)), timeout=5000)
    assert window.voice.voice.said[-1].language == "zh"


def test_each_screen_is_spoken_in_the_session_language(window: MainWindow,
                                                       qtbot: QtBot) -> None:
    window.voice.start_session_with_voice("en")
    qtbot.waitUntil(lambda: bool(said(window)))
    window.open_service("invoice.verify")
    screen = window.current_screen()
    title = screen.findChild(QLabel, "label.title")
    assert title is not None and title.text()
    qtbot.waitUntil(lambda: any(title.text() in s for s in said(window)))
    assert window.voice.voice.said[-1].language == "en"
    window.set_language("zh")
    qtbot.waitUntil(lambda: window.voice.voice.said[-1].language == "zh")
    assert title.text() in said(window)[-1]


def test_the_top_bar_switch_turns_voice_off_and_session_end_resets(window: MainWindow,
                                                                  qtbot: QtBot) -> None:
    window.voice.start_session_with_voice()
    qtbot.waitUntil(lambda: bool(said(window)))
    window.voice.button.click()  # off
    assert not window.voice.voice.on
    count = len(said(window))
    window.open_service("invoice.verify")
    qtbot.wait(50)
    assert len(said(window)) == count  # silent now
    window.voice.button.click()  # on again
    qtbot.waitUntil(lambda: len(said(window)) > count)
    window.end_session("finish")
    assert not window.voice.voice.on and said(window) == []
    window.start_session()  # an ordinary touch: no voice
    assert not window.voice.voice.on


def test_speaking_never_blocks_the_gui_thread(window: MainWindow) -> None:
    """speak() hands the text to the speech thread and returns at once."""
    import time

    window.voice.start_session_with_voice()
    start = time.perf_counter()
    for _ in range(50):
        window.voice.voice.speak("测试 " * 50, "zh")
    assert (time.perf_counter() - start) < 0.05


def test_codes_are_read_digit_by_digit() -> None:
    assert speech_text("发票号码 14403190", "zh") == "发票号码 一 四 四 零 三 一 九 零"
    assert speech_text("Reference 2024001", "en") == \
        "Reference two zero two four zero zero one"
    assert speech_text("税号 9144********1234", "zh") == \
        "税号 九 一 四 四 隐去8位 一 二 三 四"
    assert speech_text("Amount ¥1,234.56 in 2024", "en") == "Amount 1234.56 yuan in 2024"
    with pytest.raises(ValueError):
        speech_text("x", "fr")


def test_without_an_engine_voice_is_unavailable_and_nothing_fails(
        qapp: QApplication, qtbot: QtBot, hall: SimulatedHall, tmp_path: Path) -> None:
    for w in make_window(qapp, qtbot, hall, tmp_path, ""):
        assert engine_unavailable("") is not None
        assert not w.voice.button.isEnabled()
        w.voice.start_session_with_voice()
        assert w.in_session and not w.voice.voice.on
        assert w.voice.button.accessibleName()


def test_no_audio_output_means_no_speechd(monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.voice as voice

    monkeypatch.setattr(voice, "audio_output_present", lambda: False)
    assert voice.engine_unavailable("speechd") == "no audio output"
    assert Voice("speechd").available is False


def test_the_keyboard_is_docked_in_the_window(window: MainWindow, qtbot: QtBot) -> None:
    keyboard = window.keyboard
    assert keyboard is not None and keyboard.window() is window
    # Windows of earlier tests go first: deleting a window moves the application's
    # focus, which would hide the keyboard in the middle of this test.
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    window.start_session("en")
    window.activateWindow()
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() is not None)
    field = QLineEdit(window.current_screen())
    field.setObjectName("field.search")
    field.show()
    field.setFocus()
    qtbot.waitUntil(lambda: keyboard.isVisible())
    assert keyboard.keyboard_locale == "en_US"
    window.set_language("zh")
    qtbot.waitUntil(lambda: keyboard.keyboard_locale == "zh_CN")  # on LanguageChange
    window.end_session("finish")
    qtbot.waitUntil(lambda: not keyboard.isVisible())
