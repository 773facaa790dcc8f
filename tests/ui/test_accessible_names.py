"""Every interactive widget has an accessible name in the session's language (issue
#13 §4): the real main window against the simulated hall, every screen of every
catalogued service built as the window builds them, walked in Chinese and English."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QAbstractButton,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot  # noqa: E402

from kiosk.app import KioskCore  # noqa: E402
from kiosk.config import parse_config  # noqa: E402
from kiosk.services.catalogue import CATALOGUE  # noqa: E402
from kiosk.simulation import SimulatedHall  # noqa: E402
from ui.i18n import Translations  # noqa: E402
from ui.idle import ManualClock  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.ops import tracker  # noqa: E402

INTERACTIVE = (QAbstractButton, QLineEdit, QPlainTextEdit, QTextEdit, QComboBox,
               QAbstractSpinBox, QAbstractSlider)
CJK = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
# Named in their own language on purpose: whoever looks for "English" reads English.
OWN_LANGUAGE = frozenset({"action.language.zh", "action.language.en"})


def in_language(name: str, language: str) -> bool:
    """Chinese text in zh, English in en. Names without letters (a key's "7", "¥")
    and one-character key names ("X") fit both; a name in both languages (the attract
    screen's "语音 / Voice") fits either."""
    if len(name) == 1 or not (CJK.search(name) or LATIN.search(name)):
        return True
    return bool(CJK.search(name)) if language == "zh" else bool(LATIN.search(name))


@pytest.fixture
def window(qapp: QApplication, qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    hall = SimulatedHall(tmp_path / "hall").start()
    base = parse_config({"data_dir": str(tmp_path / "kiosk"), "kiosk_id": "test-kiosk",
                         "ui": {"voice_engine": "mock"}})
    base = replace(base, central=replace(base.central, offline_grace_s=0.0))
    core = KioskCore(hall.kiosk_config(base)).start(background_sync=False)
    core.drain_queue(timeout_s=30.0)  # reference data: lists and results have entries
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
        tracker.wait_idle(timeout_s=10.0)
        w.idle.uninstall()
        translations.uninstall()
        core.stop()
        hall.stop()


def settle(seconds: float = 0.05) -> None:
    """Let background loads land (lists fill in) without a fixed sleep per screen."""
    tracker.wait_idle(timeout_s=10.0)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()


def unnamed(window: MainWindow, language: str) -> list[str]:
    """'screen: widget (name)' for each shown interactive widget without a fitting name."""
    problems: list[str] = []
    screen_id = window.current_screen().screen_id
    for widget in window.findChildren(QWidget):
        # A scroll bar is part of its scroll area, which assistive tools announce.
        if not isinstance(widget, INTERACTIVE) or isinstance(widget, QScrollBar) \
                or not widget.isVisible():
            continue
        name = widget.accessibleName().strip()
        label = f"{screen_id}: {widget.objectName() or type(widget).__name__}"
        if not name:
            problems.append(f"{label} has no accessible name")
        elif widget.objectName() not in OWN_LANGUAGE and not in_language(name, language):
            problems.append(f"{label} is named {name!r}, not in {language}")
    return problems


def test_the_name_rule() -> None:
    assert in_language("确认", "zh") and not in_language("Confirm", "zh")
    assert in_language("Confirm", "en") and not in_language("确认", "en")
    assert in_language("7", "zh") and in_language("X", "zh")
    assert in_language("语音引导 / Voice guidance", "zh")
    assert in_language("语音引导 / Voice guidance", "en")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_interactive_widget_of_every_screen_is_named(window: MainWindow,
                                                           language: str) -> None:
    window.set_language(language)
    settle()
    problems = unnamed(window, language)  # the attract screen
    window.start_session(language)
    window.build_all_screens()  # screens are built on first use
    built = [s for s in CATALOGUE if any(f.service_id == s.id for f in window.flows.values())]
    assert built, "no catalogued service was built"
    for screen_id in list(window.screens):
        if screen_id == "attract" or window.screens[screen_id].staff_screen:
            continue
        window.show_screen(screen_id)
        settle()
        problems += unnamed(window, language)
    window.elderly.set_on(True)  # simple mode's "More" step names its button too
    for screen_id in list(window.screens):
        if screen_id == "attract" or window.screens[screen_id].staff_screen:
            continue
        window.show_screen(screen_id)
        settle(0.0)
        problems += unnamed(window, language)
    assert not problems, "\n".join(sorted(set(problems)))
