"""Starts the GUI kiosk: platform choice, simulators, core, main window, signals."""
from __future__ import annotations

import os
import signal
import socket
import sys
import tempfile
from pathlib import Path

from . import log
from .config import KioskConfig

_log = log.get("init")
VNC_PORT = 5900


def _has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _free_port(preferred: int) -> int:
    for port in (preferred, 0):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise OSError("no free port")


def choose_platform() -> str | None:
    """With no display and no explicit QT_QPA_PLATFORM, serve the UI over VNC."""
    if os.environ.get("QT_QPA_PLATFORM") or _has_display():
        return None
    port = _free_port(VNC_PORT)
    os.environ["QT_QPA_PLATFORM"] = f"vnc:size=1080x1920:port={port}"
    print(f"No display found: the kiosk UI is served by Qt's VNC platform plugin on port "
          f"{port}.\nConnect with a VNC viewer: `vncviewer 127.0.0.1:{port}` on this machine, "
          f"or `ssh -L {port}:127.0.0.1:{port} HOST` first from another one.", flush=True)
    return os.environ["QT_QPA_PLATFORM"]


def run_kiosk(config: KioskConfig, *, simulate: bool, windowed: bool) -> int:
    choose_platform()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ui.core_loader import CoreLoader
    from ui.i18n import Translations
    from ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    hall = None
    if simulate:
        from .simulation import SimulatedHall

        hall = SimulatedHall(Path(tempfile.mkdtemp(prefix="kiosk-hall-"))).start()
        config = hall.kiosk_config(config)
        print(f"Simulated hall: central service {hall.central_url}, scanner "
              f"{hall.scanner.port}, receipt printer {hall.printer.connection}", flush=True)
    translations = Translations(app, default_language=config.ui.language)
    translations.reset()
    # The attract screen is painted (and READY=1 goes out) before the heavy core loads;
    # the core starts on a thread and is handed to the window on the GUI thread.
    window = MainWindow(config, translations, kiosk_mode=not windowed)
    if windowed:
        window.resize(1080 // 2, 1920 // 2)
        window.show()
    else:
        window.showFullScreen()
    loader = CoreLoader(config)
    loader.loaded.connect(window.attach_core)
    loader.failed.connect(lambda message: (print(f"kiosk: cannot start: {message}",
                                                 file=sys.stderr), app.exit(3)))
    # After the first paint: the loader's imports would hold the GIL against it. The
    # timer covers a window that is never exposed (hidden on a desktop).
    window.ready.connect(loader.start)
    QTimer.singleShot(3000, loader.start)
    if simulate and hall is not None:
        from ui.dev_panel import DeveloperPanel

        panel = DeveloperPanel(hall, window)
        panel.show()
    # SIGTERM from systemd must reach Python while Qt's loop runs: a short timer lets
    # the interpreter run its signal handlers; shutdown is deferred to the loop.
    signal.signal(signal.SIGTERM, lambda *_: QTimer.singleShot(0, app.quit))
    signal.signal(signal.SIGINT, lambda *_: QTimer.singleShot(0, app.quit))
    heartbeat = QTimer()
    heartbeat.timeout.connect(lambda: None)
    heartbeat.start(200)
    try:
        return int(app.exec())
    finally:
        loader.stop()
        if hall is not None:
            hall.stop()
