"""What the GUI thread does per frame and per screen switch stays small (issue #9 §5:
gui_max_stall_ms <= 16 ms): a switch measures the screen on show only, a busy frame
repaints only what moves, the home screen renders its tiles once when shown."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QRect, QSize
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from kiosk.app import KioskCore
from kiosk.config import parse_config
from ui.main_window import MainWindow
from ui.screens.home import HomeScreen
from ui.theme import Theme
from ui.widgets import busy

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from kiosk_ui_helpers import shown_window  # noqa: E402


@pytest.fixture
def window(qapp: QApplication, qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    """The real window with a real core, in a session with invoice verification open."""
    core = KioskCore(parse_config({"data_dir": str(tmp_path / "kiosk"),
                                   "kiosk_id": "frame-cost"})).start(background_sync=False)
    try:
        with shown_window(qapp, qtbot, core, "zh") as w:
            w.start_session()
            w.open_service("invoice.verify")
            yield w
    finally:
        core.stop()


class _Probe(QWidget):
    """A page that counts how often the layout measures it."""

    def __init__(self) -> None:
        super().__init__()
        self.measured = 0

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        self.measured += 1
        return width

    def sizeHint(self) -> QSize:
        self.measured += 1
        return QSize(100, 100)


def test_a_screen_switch_measures_only_the_screen_on_show(window: MainWindow) -> None:
    probe = _Probe()
    window.stack.addWidget(probe)  # a hidden page, like the session's other screens
    try:
        QApplication.processEvents()
        probe.measured = 0
        for screen_id in ("home", "invoice.verify", "home", "invoice.verify.queued"):
            window.show_screen(screen_id)
            QApplication.processEvents()
        assert probe.measured == 0
        # The stack's hints are the page's on show (the window never follows the others).
        assert window.stack.sizeHint() == window.current_screen().sizeHint()
    finally:
        window.stack.removeWidget(probe)
        probe.deleteLater()


class _PaintRects(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.rects: list[QRect] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.rects.append(event.rect())  # type: ignore[attr-defined]
        return False


@pytest.mark.parametrize("kind", ["scanning", "printing"])
def test_a_busy_frame_repaints_only_what_moves(qtbot: QtBot, themed: Theme, kind: str) -> None:
    view = busy.BusyAnimation(kind)  # type: ignore[arg-type]
    qtbot.addWidget(view)
    view.resize(600, 450)
    rects = _PaintRects()
    view.installEventFilter(rects)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: len(rects.rects) >= 4, timeout=3000)
    frames = rects.rects[1:]  # the first paint shows the whole scene
    whole = view.width() * view.height()
    assert all(r.width() * r.height() < whole / 4 for r in frames), frames
    assert all(view.motion_rect().contains(r) for r in frames)


def test_home_renders_its_tiles_once_when_shown(window: MainWindow) -> None:
    home = window.screens["home"]
    assert isinstance(home, HomeScreen)
    calls: list[None] = []
    render = home._render_tiles

    def counted() -> None:
        calls.append(None)
        render()

    home._render_tiles = counted  # type: ignore[method-assign]
    window.show_screen("home")
    assert len(calls) == 1
