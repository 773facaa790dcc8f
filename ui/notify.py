"""systemd notifications (Type=notify, WatchdogSec=) without libsystemd.

The kiosk sends READY=1 once the main window has been painted (`FirstPaint`) and
WATCHDOG=1 from a timer on the GUI thread: if the event loop freezes, the pings stop and
systemd restarts the kiosk.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer

from kiosk.watchdog import sd_notify, watchdog_interval_ms

# The protocol itself is Qt-free (the supervisor's end too): kiosk/watchdog.py.
__all__ = ["FirstPaint", "Watchdog", "sd_notify", "watchdog_interval_ms"]


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
