"""Lockdown (issue #14 §2): with mode = "production" `kiosk run` refuses the demo's
simulated hall with its developer panel, a movable window and the VNC screen (real
subprocesses of the installed `kiosk`), and no screen offers a context menu or a file
dialog (the application-wide filter, on the real main window)."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QWidget

pytestmark = pytest.mark.security


@pytest.fixture
def window(qapp: QApplication, qtbot, tmp_path: Path) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """The real main window with a started core in a simulated hall."""
    from kiosk.app import KioskCore
    from kiosk.config import parse_config
    from kiosk.simulation import SimulatedHall
    from ui.i18n import Translations
    from ui.main_window import MainWindow
    from ui.ops import tracker

    hall = SimulatedHall(tmp_path / "hall").start()
    core = KioskCore(hall.kiosk_config(parse_config(
        {"data_dir": str(tmp_path / "kiosk"), "kiosk_id": "lockdown-kiosk"}))).start(
            background_sync=False)
    translations = Translations(qapp, default_language="zh")
    translations.reset()
    w = MainWindow(core.config, translations, core=core, kiosk_mode=False)
    qtbot.addWidget(w)
    w.resize(1080, 1600)
    w.show()
    qtbot.waitExposed(w)
    yield w
    tracker.wait_idle(timeout_s=10.0)
    w.idle.uninstall()
    translations.uninstall()
    w.close()
    core.stop()
    hall.stop()

KIOSK = str(Path(sys.executable).with_name("kiosk"))


def _production_config(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'mode = "production"\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    return path


@pytest.mark.parametrize("args, env, reason", [
    (["--simulate"], {}, "--simulate"),
    (["--windowed"], {"QT_QPA_PLATFORM": "offscreen"}, "full screen"),
    ([], {"QT_QPA_PLATFORM": "vnc:size=1080x1920"}, "QT_QPA_PLATFORM=vnc"),
])
def test_production_run_refuses(tmp_path: Path, args: list[str], env: dict[str, str],
                                reason: str) -> None:
    config = _production_config(tmp_path)
    base = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY",
                                                             "QT_QPA_PLATFORM")}
    result = subprocess.run([KIOSK, "run", "--config", str(config), *args],
                            env={**base, **env}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 3, result.stderr
    assert 'mode = "production"' in result.stderr and reason in result.stderr
    assert not (tmp_path / "data").exists()  # refused before anything was opened


def test_bad_mode_is_a_configuration_error(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'mode = "prod"\ndata_dir = "{tmp_path}"\n', encoding="utf-8")
    result = subprocess.run([KIOSK, "run", "--config", str(path)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2 and "mode must be one of" in result.stderr


def test_no_context_menu_or_file_dialog_on_any_screen(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    lockdown = window.lockdown
    window.start_session("zh")
    window.build_all_screens()  # service screens are otherwise built when first opened
    fields = 0
    for screen_id in list(window.screens):
        window.show_screen(screen_id)
        screen = window.screens[screen_id]
        for widget in [screen, *screen.findChildren(QWidget)]:
            if not widget.isVisible():
                continue
            before = lockdown.blocked
            event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, QPoint(2, 2),
                                      widget.mapToGlobal(QPoint(2, 2)))
            app.sendEvent(widget, event)
            assert lockdown.blocked == before + 1, (screen_id, widget.objectName())
            fields += isinstance(widget, QLineEdit)
    assert fields > 0  # the text fields (whose menu offers Copy/Paste) were among them
    dialog = QFileDialog(window)
    dialog.show()
    assert not dialog.isVisible()
    dialog.deleteLater()
