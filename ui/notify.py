"""systemd notifications (Type=notify, WatchdogSec=) without libsystemd.

The kiosk sends READY=1 once the main window has been painted (`FirstPaint`) and
WATCHDOG=1 from a timer on the GUI thread: if the event loop freezes, the pings stop and
systemd restarts the kiosk.
"""
from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Mapping

from PySide6.QtCore import QEvent, QObject, QTimer

log = logging.getLogger("kiosk.init")


def _address(env: Mapping[str, str]) -> str | None:
    addr = env.get("NOTIFY_SOCKET", "")
    if addr.startswith("@"):
        return "\0" + addr[1:]  # abstract namespace
    if addr.startswith("/"):
        return addr
    return None  # unset, or a kind we do not speak (vsock:)


def sd_notify(message: str, env: Mapping[str, str] | None = None) -> bool:
    """Send `message` ("READY=1", "WATCHDOG=1", "STATUS=...") to $NOTIFY_SOCKET.

    Returns False without doing anything when not started by systemd, and False
    (logged) when the send fails; never raises, because a notification must not take
    the kiosk down.
    """
    addr = _address(os.environ if env is None else env)
    if addr is None:
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(addr)
            sock.sendall(message.encode("utf-8"))
    except OSError as exc:
        log.warning("sd_notify(%s) failed: %s", message.split("=", 1)[0], exc)
        return False
    return True


def watchdog_interval_ms(env: Mapping[str, str] | None = None) -> int | None:
    """Half of WatchdogSec in ms, if systemd asked this process for watchdog pings."""
    env = os.environ if env is None else env
    usec = env.get("WATCHDOG_USEC")
    pid = env.get("WATCHDOG_PID")
    if not usec or (pid and pid != str(os.getpid())):
        return None
    try:
        value = int(usec)
    except ValueError:
        return None
    return max(1, value // 2000) if value > 0 else None


class Watchdog(QObject):
    """Sends WATCHDOG=1 from a GUI-thread timer (so it proves the event loop runs)."""

    def __init__(self, parent: QObject | None = None, interval_ms: int | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.ping)
        self._interval = interval_ms if interval_ms is not None else watchdog_interval_ms()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def start(self) -> bool:
        """Start pinging; False when systemd asked for no watchdog."""
        if not self._interval:
            return False
        self._timer.start(self._interval)
        self.ping()
        return True

    def stop(self) -> None:
        self._timer.stop()

    def ping(self) -> None:
        sd_notify("WATCHDOG=1")


class FirstPaint(QObject):
    """Calls `callback` once, after `widget` has first been painted and the event loop has
    come round again: the screen shows it and input is being handled (READY=1). A
    0-timer from show() would fire before the platform's expose event, i.e. unpainted."""

    def __init__(self, widget: QObject, callback: Callable[[], None]) -> None:
        super().__init__(widget)
        self._callback = callback
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._callback)  # after the rest of this paint and flush
        return False
