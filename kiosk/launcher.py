"""Starts the GUI kiosk: platform choice, simulators, core, main window, signals."""
from __future__ import annotations

import gc
import os
import re
import signal
import socket
import stat
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import lean_imports, log
from .config import KioskConfig

if TYPE_CHECKING:
    from ui.core_loader import CoreLoader

_log = log.get("init")
VNC_PORT = 5900
VNC_START_S = 10.0  # how long Qt's VNC plugin may take to open its socket


class StartRefused(Exception):
    """`kiosk run` will not start; the message is the one-line reason."""


class VncPlan:
    """Qt's VNC platform plugin, kept to loopback.

    The plugin has one network option, `port=`: it always listens on every interface
    (qtbase src/plugins/platforms/vnc/qvnc.cpp, `listen(QHostAddress::Any, m_port)`),
    without a password. So the launcher tells it a throwaway port and, before the event
    loop can accept a connection, swaps the plugin's listening socket for `loopback`
    (bound to 127.0.0.1) under the same descriptor number (see take_over_vnc).

    A plain class, not a dataclass: making one costs ~0.5 ms of every cold start.
    """

    def __init__(self, loopback: socket.socket, qt_port: int) -> None:
        self.loopback = loopback
        self.qt_port = qt_port

    @property
    def port(self) -> int:
        return int(self.loopback.getsockname()[1])


def _has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _loopback_listener(preferred: int) -> socket.socket:
    """A listening, non-blocking TCP socket on 127.0.0.1 (`preferred` port, else any).
    Non-blocking because Qt accepts on it until EAGAIN."""
    for port in (preferred, 0):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            sock.close()
            continue
        sock.listen(8)
        sock.setblocking(False)
        return sock
    raise StartRefused("no free port on 127.0.0.1 for the VNC server")


def _free_port_everywhere() -> int:
    """A port free on every interface, for the plugin's short-lived socket."""
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind(("::", 0))
        return int(sock.getsockname()[1])


def choose_platform(simulate: bool) -> VncPlan | None:
    """The Qt platform for `kiosk run`: a display if there is one, or an explicit
    QT_QPA_PLATFORM; without either, Qt's VNC plugin, for the demo (`--simulate`) only
    and kept to loopback. StartRefused otherwise: a production kiosk never serves its
    screen over the network."""
    spec = os.environ.get("QT_QPA_PLATFORM", "").strip()
    entries = [e for e in spec.split(";") if e.strip()]
    vnc = next((e.strip() for e in entries if e.split(":")[0].strip().lower() == "vnc"), None)
    if entries and vnc is None:
        return None
    if not entries and _has_display():
        return None
    if not simulate:
        if vnc is not None:
            raise StartRefused("QT_QPA_PLATFORM=vnc serves the screen over the network "
                               "without a password: only for the demo (kiosk run --simulate)")
        raise StartRefused("no display (DISPLAY and WAYLAND_DISPLAY are unset): start the "
                           "kiosk in its compositor (deploy/systemd/kiosk.service) or set "
                           "QT_QPA_PLATFORM; the VNC screen is only for the demo "
                           "(kiosk run --simulate)")
    options = [o for o in (vnc or "vnc").split(":")[1:] if o]
    ports = [o for o in options if re.fullmatch(r"port=\d+", o)]
    options = [o for o in options if not o.startswith("port=")] or ["size=1080x1920"]
    preferred = int(ports[-1].split("=")[1]) if ports else VNC_PORT
    loopback = _loopback_listener(preferred if preferred < 65536 else VNC_PORT)
    qt_port = _free_port_everywhere()
    os.environ["QT_QPA_PLATFORM"] = ":".join(["vnc", *options, f"port={qt_port}"])
    return VncPlan(loopback, qt_port)


def _open_fds() -> list[int]:
    try:
        return sorted(int(name) for name in os.listdir("/proc/self/fd"))
    except OSError:  # no /proc: probe the usual range
        return list(range(3, 1024))


def _listening_fds(port: int) -> list[int]:
    """This process's descriptors that are TCP sockets listening on `port`."""
    found = []
    for fd in _open_fds():
        try:
            if not stat.S_ISSOCK(os.fstat(fd).st_mode):
                continue
            probe = socket.socket(fileno=os.dup(fd))
        except OSError:
            continue
        try:
            if (probe.family in (socket.AF_INET, socket.AF_INET6)
                    and probe.type == socket.SOCK_STREAM
                    and probe.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
                    and probe.getsockname()[1] == port):
                found.append(fd)
        except OSError:
            pass
        finally:
            probe.close()
    return found


def _sockname(fd: int) -> Any:
    probe = socket.socket(fileno=os.dup(fd))
    try:
        return probe.getsockname()
    finally:
        probe.close()


def take_over_vnc(app: Any, plan: VncPlan) -> int:
    """Swap Qt's VNC listening socket (every interface) for plan.loopback; returns the
    port to connect to. Call right after the QApplication exists, before anything
    else runs its event loop.

    The plugin opens its socket from a queued call: the first processEvents() runs it,
    and Qt only polls a new socket from the next iteration on, so no connection is
    accepted on the wide socket. dup2() puts the loopback socket under the plugin's
    descriptor number (Qt polls and accepts by number) and closes the wide one; any
    connection the kernel queued there meanwhile is reset unread. Then it checks the
    result and refuses to go on if anything still listens beyond loopback.
    """
    from PySide6.QtCore import qInstallMessageHandler

    def quiet(_mode: Any, _context: Any, message: str) -> None:
        # The plugin announces the throwaway port it is about to lose: not for operators.
        if not message.startswith("QVncServer created on port"):
            print(message, file=sys.stderr)

    previous = qInstallMessageHandler(quiet)
    deadline = time.monotonic() + VNC_START_S
    try:
        while not (wide := _listening_fds(plan.qt_port)):
            if time.monotonic() > deadline:
                plan.loopback.close()
                raise StartRefused(f"Qt's VNC server did not open port {plan.qt_port}")
            app.processEvents()
            time.sleep(0.01)
    finally:
        qInstallMessageHandler(previous)
    port = plan.port
    for fd in wide:
        os.dup2(plan.loopback.fileno(), fd, inheritable=False)
    plan.loopback.close()
    bound = [_sockname(fd)[:2] for fd in wide]
    if _listening_fds(plan.qt_port) or any(b != ("127.0.0.1", port) for b in bound):
        raise StartRefused("the VNC server could not be kept to 127.0.0.1")
    return port


def _announce_vnc(port: int) -> None:
    print(f"No display found: the kiosk UI is served by Qt's VNC platform plugin on port "
          f"{port} (127.0.0.1 only).\nConnect with a VNC viewer: `vncviewer "
          f"127.0.0.1:{port}` on this machine, or `ssh -L {port}:127.0.0.1:{port} HOST` "
          f"first from another one.", flush=True)
    print("warning: the VNC screen has no password: every user and program on this "
          "machine can see and use the kiosk (demo only)", file=sys.stderr, flush=True)


def refuse_unlocked(config: KioskConfig, *, simulate: bool, windowed: bool) -> None:
    """StartRefused for what a production terminal (`mode = "production"`) must never
    run: the simulated hall with its developer panel, a window a taxpayer could move
    or close, and the VNC screen (which choose_platform allows only with --simulate)."""
    if not config.production:
        return
    if simulate:
        raise StartRefused('mode = "production": --simulate (simulated devices, the '
                           'developer panel, the VNC screen) is for the demo only')
    if windowed:
        raise StartRefused('mode = "production": the kiosk runs full screen (no --windowed)')
    spec = os.environ.get("QT_QPA_PLATFORM", "")
    if any(e.split(":")[0].strip().lower() == "vnc" for e in spec.split(";")):
        raise StartRefused('mode = "production": QT_QPA_PLATFORM=vnc would serve the '
                           'screen over the network')


def run_kiosk(config: KioskConfig, *, simulate: bool, windowed: bool) -> int:
    # First: a crash on any thread or in a Qt slot from here on is logged (redacted)
    # and exits non-zero, so systemd restarts the kiosk (kiosk.service).
    log.install_crash_hooks()
    try:
        refuse_unlocked(config, simulate=simulate, windowed=windowed)
        return _run(config, simulate=simulate, windowed=windowed)
    except StartRefused as exc:
        print(f"kiosk: cannot start: {exc}", file=sys.stderr)
        return 3


def _run(config: KioskConfig, *, simulate: bool, windowed: bool) -> int:
    from ui import pyside_feature  # no PySide in it: installed once PySide is, below

    vnc = choose_platform(simulate)
    lean_imports.install()  # before anything imports httpx: dev-only extras stay out
    # Until the first paint the process makes what lives as long as it does (modules,
    # classes, the window): the collector's ~40 passes over it free nothing and cost
    # ~7 ms of the cold start. On again after the first paint (`after_first_paint`).
    gc.disable()
    from PySide6.QtCore import QTimer

    # Right after PySide's import hook exists, before the UI's and the core's imports
    # (ui/pyside_feature.py): PySide's own test reads a module's whole source through
    # inspect and linecache (typing's: ~0.5 ms).
    pyside_feature.install()
    from PySide6.QtWidgets import QApplication

    from ui.i18n import Translations
    from ui.main_window import MainWindow

    # The on-screen keyboard is Qt Virtual Keyboard, Qt's input method plugin: chosen
    # before the QApplication exists (ui/widgets/virtual_keyboard.py docks its panel).
    os.environ.setdefault("QT_IM_MODULE", "qtvirtualkeyboard")
    # Without an InputPanel of ours yet (before the core is attached) the plugin would
    # open its keyboard in a top-level window of its own ("desktop" mode): never.
    os.environ.setdefault("QT_VIRTUALKEYBOARD_DESKTOP_DISABLE", "1")
    if not windowed:
        # No title bar, no frame to grab: the full-screen window under cage gets no
        # decorations from Qt's Wayland plugin (a full-screen X11 window gets none from
        # its window manager). Not FramelessWindowHint: setting it costs PySide's whole
        # Qt namespace (~15 ms) before the first paint (cold start, #9).
        os.environ.setdefault("QT_WAYLAND_DISABLE_WINDOWDECORATION", "1")
    app = QApplication.instance() or QApplication(sys.argv)
    if vnc is not None:
        _announce_vnc(take_over_vnc(app, vnc))
    hall = None
    if simulate:
        import tempfile

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
    loaders: list[CoreLoader] = []

    def after_first_paint() -> None:
        if loaders:
            return  # READY=1 came first, then the fallback timer (or the reverse)
        gc.enable()
        # Imported and built only now: nothing of it helps the first paint.
        from ui.core_loader import CoreLoader

        loader = CoreLoader(config)
        loaders.append(loader)
        loader.loaded.connect(window.attach_core)
        loader.failed.connect(lambda message: (print(f"kiosk: cannot start: {message}",
                                                     file=sys.stderr), app.exit(3)))
        loader.start()

    # After the first paint: the loader's imports would hold the GIL against it. The
    # timer covers a window that is never exposed (hidden on a desktop).
    window.ready.connect(after_first_paint)
    QTimer.singleShot(3000, after_first_paint)
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
        window.shutdown()  # its background reads finish before the core stops
        for loader in loaders:
            loader.stop()
        if hall is not None:
            hall.stop()
