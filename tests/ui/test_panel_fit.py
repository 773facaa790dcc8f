"""Every screen fits the panel in both orientations (`[ui] orientation`: portrait
1080x1920, landscape 1920x1080), in both languages, with larger text and in simple
mode (长辈模式: larger text and targets still): the window keeps the panel's size (a
screen whose minimum size does not fit would grow it, and on the real panel be cut
off) and no visible widget lies outside it, long detail rows included (they scroll).
The header above the screens names the hall and the terminal and shows the time in
the hall's zone.

The real main window with a real core against the simulated hall (central service on
loopback, pty scanner, TCP printer), offscreen."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator  # noqa: E402
from dataclasses import replace  # noqa: E402
from datetime import datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QPoint, QRect  # noqa: E402
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QLabel, QWidget  # noqa: E402

from kiosk.app import KioskCore  # noqa: E402
from kiosk.config import parse_config  # noqa: E402
from kiosk.simulation import SimulatedHall  # noqa: E402
from ui.i18n import Translations  # noqa: E402
from ui.idle import ManualClock  # noqa: E402
from ui.layout import window_size  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.ops import tracker  # noqa: E402

HALL = ("国家税务总局深圳市南山区税务局 第一办税服务厅", "Nanshan District Tax Service Hall 1")
# (larger text, simple mode): the display modes a taxpayer can choose.
DISPLAYS = ((False, False), (True, False), (False, True))
# Detail rows longer than any panel (a certificate's, a year of payments).
LONG_DETAILS = "\n".join(f"第 {i} 行 Row {i}: 应纳税额 Tax payable ¥1,234,567.89" for i in range(60))
ZONE = "Asia/Shanghai"


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[SimulatedHall]:
    h = SimulatedHall(tmp_path / "hall").start()
    yield h
    h.stop()


def make_window(qapp: QApplication, qtbot, hall: SimulatedHall, tmp_path: Path,  # type: ignore[no-untyped-def]
                orientation: str) -> Iterator[tuple[MainWindow, KioskCore]]:
    base = parse_config({
        "data_dir": str(tmp_path / "kiosk"), "kiosk_id": "NS-01-03", "hall_id": "sz-ns-1",
        "ui": {"orientation": orientation, "hall_name": HALL[0], "hall_name_en": HALL[1],
               "time_zone": ZONE}})
    base = replace(base, central=replace(base.central, offline_grace_s=0.0))
    core = KioskCore(hall.kiosk_config(base)).start(background_sync=False)
    translations = Translations(qapp, default_language="zh")
    translations.reset()
    window = MainWindow(core.config, translations, core=core, idle_clock=ManualClock(),
                        kiosk_mode=False)
    qtbot.addWidget(window)
    window.show()  # at the size the window gave itself for the orientation
    qtbot.waitExposed(window)
    try:
        yield window, core
    finally:
        tracker.wait_idle(timeout_s=10.0)
        window.idle.uninstall()
        translations.uninstall()
        core.stop()


@pytest.fixture(params=["portrait", "landscape"])
def panel(request, qapp, qtbot, hall, tmp_path) -> Iterator[tuple[MainWindow, KioskCore]]:  # type: ignore[no-untyped-def]
    yield from make_window(qapp, qtbot, hall, tmp_path, request.param)


def outside(window: MainWindow) -> list[str]:
    """Visible widgets of the current screen, header and bars that do not lie inside
    the window (what a scroll area holds may scroll: only the area itself counts)."""
    bounds = window.rect()
    problems = []
    roots: list[QWidget] = [window.current_screen(), window.header]
    for root in roots:
        for widget in [root, *root.findChildren(QWidget)]:
            if not widget.isVisible() or _in_scroll_area(widget):
                continue
            rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
            if not bounds.contains(rect):
                problems.append(f"{widget.objectName() or type(widget).__name__} at "
                                f"{rect.getRect()}")
    return problems


def _in_scroll_area(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def settle(qapp: QApplication) -> None:
    for _ in range(3):
        qapp.processEvents()


def test_every_screen_fits_the_panel(panel, qapp) -> None:  # type: ignore[no-untyped-def]
    window, _core = panel
    orientation = window.config.ui.orientation
    want = window_size(orientation)
    assert window.size() == want  # the window sized itself for the orientation
    window.start_session()
    window.build_all_screens()  # screens are built on first use
    screens = [sid for sid, s in window.screens.items() if not s.staff_screen]
    assert {"attract", "home", "invoice.verify", "invoice.verify.manual"} <= set(screens)
    for language in ("zh", "en"):
        window.set_language(language)
        for large, simple in DISPLAYS:
            window.elderly.set_on(simple)
            window.set_display(large_text=large)
            for sid in screens:
                window.show_screen(sid, remember=False)
                settle(qapp)
                where = f"{sid} ({orientation}, {language}, large text {large}, simple {simple})"
                assert window.size() == want, f"{where} grew the window to {window.size()}"
                assert window.current_screen().screen_id == sid
                assert outside(window) == [], where
                details = window.current_screen().findChild(QLabel, "label.details")
                if details is not None and details.isVisible():
                    shown = details.text()
                    details.setText(LONG_DETAILS)
                    settle(qapp)
                    assert window.size() == want, f"{where}: long details grew the window"
                    assert outside(window) == [], f"{where}, long details"
                    details.setText(shown)
    window.elderly.set_on(False)
    window.set_display(large_text=False)


def test_the_header_names_the_hall_and_shows_the_halls_time(panel, qapp) -> None:  # type: ignore[no-untyped-def]
    window, _core = panel
    header = window.header
    assert header.isVisible() and header.band.isVisible()
    window.set_language("zh")
    settle(qapp)
    assert HALL[0] in header.hall.text() and "NS-01-03" in header.hall.text()
    window.set_language("en")
    settle(qapp)
    assert HALL[1] in header.hall.text() and "NS-01-03" in header.hall.text()
    # The hall's clock, not the machine's (the test machines run in UTC).
    header.refresh_time()
    before = datetime.now(ZoneInfo(ZONE))
    shown = header.clock.text()
    after = datetime.now(ZoneInfo(ZONE))
    assert shown in {before.strftime("%H:%M"), after.strftime("%H:%M")}
    assert str(after.year) in header.date.text()
    # The header stays above every screen, the attract screen included.
    window.show_screen("attract", remember=False)
    settle(qapp)
    assert header.band.isVisible()
