"""Live pieces of the flow kit: what arrives from worker threads, what runs only while
certain screens show, and a countdown that ticks on screen.

- `Relay`: a worker thread (a device watch, a long poll, a payment wait) hands values
  to a GUI-thread slot. The value crosses through a queued signal; one that arrives
  after the owner went with its session is dropped instead of raising on the worker
  thread (an uncaught error there would end the kiosk).
- `Poll`: one long-running worker at a time (a QR login's long poll), its reports on
  the GUI thread, those of a worker stopped or replaced since dropped;
- `WhileShown`: `start` when one of a set of screens is shown, `stop` when any other
  is (the ID card reader is watched only while the gate's screens show; a QR login
  stops when its screen is left).
- `Countdown`: re-renders one label every second while its screen is visible, for
  a code that runs out (`clock_left` gives the "m:ss").
"""
from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel

if TYPE_CHECKING:
    from ui.main_window import MainWindow

    from .base import FlowScreen, Provider


class Relay(QObject):
    """Carries values from any thread to `slot` on the GUI thread."""

    arrived = Signal(object)

    def __init__(self, parent: QObject, slot: Callable[[Any], None]) -> None:
        super().__init__(parent)  # deleted with its owner: late values go nowhere
        self.arrived.connect(slot, Qt.ConnectionType.QueuedConnection)

    def send(self, value: object) -> None:
        """Safe from any thread, also after the owner was deleted."""
        try:
            self.arrived.emit(value)
        except RuntimeError:  # the owner went with its session
            pass


class Stoppable(Protocol):
    def stop(self) -> None: ...


class Poll(QObject):
    """`start(begin)`: `begin(report)` starts a worker and returns it; each
    `report(value)` from the worker's thread reaches `slot(value)` on the GUI thread,
    unless that worker was stopped or replaced since."""

    def __init__(self, parent: QObject, slot: Callable[[Any], None]) -> None:
        super().__init__(parent)
        self.slot = slot
        self.worker: Stoppable | None = None
        self._relay = Relay(self, self._arrived)

    @property
    def running(self) -> bool:
        return self.worker is not None

    def start(self, begin: Callable[[Callable[[Any], None]], Stoppable]) -> None:
        started: list[Stoppable] = []  # a first report may come before begin returns

        def report(value: object) -> None:
            self._relay.send((started[0] if started else None, value))

        started.append(begin(report))
        self.worker = started[0]

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker = None

    def ended(self) -> None:
        """The worker finished by itself (nothing left to stop)."""
        self.worker = None

    def _arrived(self, payload: tuple[Stoppable | None, Any]) -> None:
        worker, value = payload
        if worker is not None and worker is not self.worker:
            return  # from an earlier worker, stopped since
        self.slot(value)


class WhileShown(QObject):
    """Calls `start` each time one of `screens` is shown (also when moving between
    two of them: `start` must be idempotent) and `stop` each time another is."""

    def __init__(self, window: MainWindow, screens: Collection[str],
                 start: Callable[[], None] | None, stop: Callable[[], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.screens = frozenset(screens)
        self.start = start
        self.stop = stop
        window.screen_changed.connect(self._screen_changed)

    def _screen_changed(self, screen_id: str) -> None:
        if screen_id not in self.screens:
            self.stop()
        elif self.start is not None:
            self.start()


def clock_left(deadline: float, now: Callable[[], float] = time.monotonic) -> str:
    """Whole seconds until the monotonic `deadline`, as "m:ss" (never negative)."""
    left = max(0, int(deadline - now()))
    return f"{left // 60}:{left % 60:02d}"


class Countdown(QObject):
    """Every second while it runs, `label` says `provider()` again. With
    `stop_hidden` it stops itself once the screen is no longer visible (the screen
    starts it again in on_enter); otherwise the screen stops it."""

    def __init__(self, screen: FlowScreen, label: QLabel, provider: Provider, *,
                 stop_hidden: bool = False) -> None:
        super().__init__(screen)
        self.screen = screen
        self.label = label
        self.provider = provider
        self.stop_hidden = stop_hidden
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        if not self.screen.isVisible():
            if self.stop_hidden:
                self.timer.stop()
            return
        self.label.setText(self.screen.say(self.provider()))


__all__ = ["Countdown", "Poll", "Relay", "WhileShown", "clock_left"]
