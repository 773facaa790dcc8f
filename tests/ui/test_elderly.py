"""Simple mode 长辈模式 (issue #13 §4) in the real main window against the simulated
hall: chosen on the attract screen, larger text and targets, one action per screen,
no countdown under 120 s, reset at session end; and the guide's materials checklist
printed on A4 (the A4 printer driver writing PDFs), not on the receipt printer."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QPushButton  # noqa: E402
from pytestqt.qtbot import QtBot  # noqa: E402

from kiosk.app import KioskCore  # noqa: E402
from kiosk.config import parse_config  # noqa: E402
from kiosk.simulation import SimulatedHall  # noqa: E402
from ui.i18n import Translations  # noqa: E402
from ui.idle import SIMPLE_FLOOR_S, IdleWatcher, ManualClock  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.ops import tracker  # noqa: E402


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[SimulatedHall]:
    h = SimulatedHall(tmp_path / "hall").start()
    yield h
    h.stop()


@pytest.fixture
def window(qapp: QApplication, qtbot: QtBot, hall: SimulatedHall,
           tmp_path: Path) -> Iterator[MainWindow]:
    base = parse_config({"data_dir": str(tmp_path / "kiosk"), "kiosk_id": "test-kiosk",
                         "ui": {"voice_engine": "mock"}})
    base = replace(base, central=replace(base.central, offline_grace_s=0.0))
    core = KioskCore(hall.kiosk_config(base)).start(background_sync=False)
    core.drain_queue(timeout_s=30.0)  # the guide's reference data
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


def start_simple(window: MainWindow, qtbot: QtBot) -> None:
    attract = window.current_screen()
    assert attract.screen_id == "attract"
    qtbot.mouseClick(attract.simple, Qt.MouseButton.LeftButton)
    assert window.in_session and window.simple


def open_matter(window: MainWindow, qtbot: QtBot, pinyin: str = "wszm") -> QPushButton:
    """The guide's page of the first matter found by `pinyin`; its print button."""
    window.open_service("guide.catalogue")
    flow = window.flows["guide.catalogue"]
    qtbot.waitUntil(lambda: flow.snapshot is not None, timeout=10_000)
    search = window.current_screen()
    search.search.setText(pinyin)
    search._typed(pinyin)
    qtbot.waitUntil(lambda: search.result_buttons[0].isVisible(), timeout=5000)
    qtbot.mouseClick(search.result_buttons[0], Qt.MouseButton.LeftButton)
    assert window.current_screen().screen_id == "guide.catalogue.matter"
    return window.current_screen().print_button


def test_attract_button_starts_a_session_in_simple_mode(window: MainWindow,
                                                        qtbot: QtBot) -> None:
    attract = window.current_screen()
    normal_font = window.theme.units.body_font_px
    normal_primary = window.theme.content_height(19.0)
    assert attract.simple.objectName() == "action.start_simple"
    assert "长辈模式" in attract.simple.text() and "Simple mode" in attract.simple.text()
    assert attract.simple.property("role") == "primary"  # a large button
    start_simple(window, qtbot)
    assert window.current_screen().screen_id == "home"
    assert window.units.simple and window.theme.simple
    assert window.theme.units.body_font_px >= normal_font * 1.4 - 1
    assert window.theme.content_height(19.0) > normal_primary
    assert f"font-size: {window.units.body_font_px}px" in QApplication.instance().styleSheet()
    assert window.elderly.button.isChecked() and window.elderly.button.isVisible()
    # Simple mode's text is larger already; high contrast stays one tap away.
    assert not window.large_text_button.isVisible()
    assert window.contrast_button.isVisible()
    qtbot.mouseClick(window.contrast_button, Qt.MouseButton.LeftButton)
    assert window.theme.high_contrast and window.theme.simple


def test_no_countdown_shorter_than_two_minutes(window: MainWindow, qtbot: QtBot) -> None:
    start_simple(window, qtbot)
    assert window.idle.effective_limit_s >= 120 and window.idle.effective_countdown_s >= 120
    window.idle.advance(100)  # past the 90 s reading limit of normal mode
    assert not window.overlay.isVisible()
    window.idle.advance(21)
    assert window.overlay.isVisible() and window.idle.seconds_left >= 119
    window.idle.advance(110)
    assert window.in_session  # the countdown runs 120 s, not 30
    window.idle.advance(11)
    assert not window.in_session and not window.simple


def test_idle_floor_lengthens_limit_and_countdown(qapp: QApplication) -> None:
    clock = ManualClock()
    watcher = IdleWatcher(clock=clock, limit_s=90, countdown_s=30)
    warned: list[int] = []
    expired: list[bool] = []
    watcher.warn.connect(warned.append)
    watcher.expired.connect(lambda: expired.append(True))
    watcher.set_floor(SIMPLE_FLOOR_S)
    watcher.enabled = True
    watcher.advance(119)
    assert not warned
    watcher.advance(1)
    assert warned == [120]
    watcher.advance(119)
    assert not expired
    watcher.advance(1)
    assert expired
    with pytest.raises(ValueError):
        watcher.set_floor(-1)
    watcher.set_floor(0)
    assert watcher.effective_countdown_s == 30 and watcher.effective_limit_s == 90


def test_one_action_per_screen_with_the_rest_behind_more(window: MainWindow,
                                                         qtbot: QtBot) -> None:
    # Normal mode: the matter page offers all its actions.
    window.start_session()
    open_matter(window, qtbot, "wszm")
    page = window.current_screen()
    assert page.open_here.isVisible() and page.print_button.isVisible()
    assert page.again.isVisible()
    assert page.more_button is None or not page.more_button.isVisible()
    # Simple mode, switched on from the top bar: one action, the rest behind "More".
    qtbot.mouseClick(window.elderly.button, Qt.MouseButton.LeftButton)
    assert window.simple
    assert page.open_here.isVisible()
    assert not page.print_button.isVisible() and not page.again.isVisible()
    assert page.more_button is not None and page.more_button.isVisible()
    assert page.more_button.objectName() == "action.more"
    assert page.more_button.text() and page.more_button.accessibleName()
    qtbot.mouseClick(page.more_button, Qt.MouseButton.LeftButton)
    assert page.print_button.isVisible() and not page.more_button.isVisible()
    assert not page.again.isVisible()  # dropped: the top bar's Back does the same
    # A new visit starts with the one action again.
    window.show_screen("home")
    open_matter(window, qtbot, "wszm")
    assert not page.print_button.isVisible() and page.more_button.isVisible()
    # A matter done at a counter has no other action: print is the one, no "More".
    window.show_screen("guide.catalogue")
    open_matter(window, qtbot, "dkfp")
    if not page.open_here.isVisible():
        assert page.print_button.isVisible() and not page.more_button.isVisible()
    # Switched off, everything is back.
    qtbot.mouseClick(window.elderly.button, Qt.MouseButton.LeftButton)
    assert not window.simple and page.again.isVisible() and page.print_button.isVisible()


def test_session_end_resets_simple_mode(window: MainWindow, qtbot: QtBot) -> None:
    start_simple(window, qtbot)
    qtbot.mouseClick(window.finish_button, Qt.MouseButton.LeftButton)
    assert window.current_screen().screen_id == "attract"
    assert not window.simple and not window.units.simple and not window.theme.simple
    assert window.idle.floor_s == 0
    assert not window.elderly.button.isChecked()
    # The next taxpayer's session starts with the normal screens.
    window.start_session()
    assert not window.simple and window.large_text_button.isVisible()


def test_materials_checklist_prints_on_a4_not_on_the_receipt(window: MainWindow,
                                                             hall: SimulatedHall,
                                                             qtbot: QtBot) -> None:
    window.start_session()
    receipts_before = hall.printer.all_text()
    pages_before = list(hall.a4.documents())
    button = open_matter(window, qtbot, "wszm")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    page = window.current_screen()
    qtbot.waitUntil(lambda: page.print_state == "printed", timeout=15_000)
    pages = [p for p in hall.a4.documents() if p not in pages_before]
    assert len(pages) == 1 and pages[0].read_bytes().startswith(b"%PDF")
    text = hall.a4.all_text()
    assert "办税资料清单" in text and "开具税收完税证明" in text and "[ ]" in text
    assert hall.printer.all_text() == receipts_before  # nothing on the till roll
    assert "A4" in page.print_status.text()
    assert not page.slip.isVisible()  # no receipt slip sliding out of the slot
