"""USB keyboard-wedge barcode scanners: an application event filter that tells a
scanner's fast burst of key presses from a person typing (drivers.wedge.WedgeDetector).

A scan is swallowed and emitted as `scanned(text)`; typing is held back at most
`max_interkey_ms` and then delivered, in order, to the widget that had the focus.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from drivers.wedge import WedgeAction, WedgeDetector, WedgeResult

_SUFFIX_KEYS = {"\r": Qt.Key.Key_Return, "\n": Qt.Key.Key_Enter, "\t": Qt.Key.Key_Tab}


class WedgeScannerFilter(QObject):
    """Signals: scanned(str) for each complete scan."""

    scanned = Signal(str)

    def __init__(self, parent: QObject | None = None, *, max_interkey_ms: float = 35,
                 suffix: str = "\r", min_length: int = 4,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self.detector = WedgeDetector(max_interkey_ms, suffix, min_length)
        self._clock = clock
        self._target: QObject | None = None
        self._replaying = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(int(max_interkey_ms) + 5)
        self._timer.timeout.connect(self._flush)

    def install(self) -> None:
        app = QApplication.instance()
        assert app is not None, "install the filter once the QApplication exists"
        app.installEventFilter(self)

    def uninstall(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def reset(self) -> None:
        """Session end: drop anything held back (it may be half a scan)."""
        self.detector.reset()
        self._timer.stop()

    def _now_ms(self) -> float:
        return self._clock() * 1000.0

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if self._replaying or event.type() != QEvent.Type.KeyPress:
            return False
        assert isinstance(event, QKeyEvent)
        text = event.text()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            text = "\r" if self.detector.suffix == "\r" else "\n"
        mods = event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier \
            & ~Qt.KeyboardModifier.KeypadModifier
        if len(text) != 1 or mods != Qt.KeyboardModifier.NoModifier:
            return False  # shortcuts, arrows, backspace: never part of a scan
        if not obj.isWidgetType():
            return False  # the same press arrives at the window too; act once
        self._target = QApplication.focusWidget() or obj
        self._act(self.detector.feed(text, self._now_ms()))
        self._timer.start()
        return True

    def _flush(self) -> None:
        self._act(self.detector.poll(self._now_ms()))

    def _act(self, result: WedgeResult) -> None:
        if result.action is WedgeAction.SCAN:
            self.scanned.emit(result.text)
        elif result.action is WedgeAction.PASSTHROUGH and self._target is not None:
            self._deliver(self._target, result.text)

    def _deliver(self, target: QObject, text: str) -> None:
        self._replaying = True
        try:
            for char in text:
                key = _SUFFIX_KEYS.get(char, Qt.Key.Key_unknown)
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    QApplication.sendEvent(target, QKeyEvent(
                        kind, key, Qt.KeyboardModifier.NoModifier, char))
        finally:
            self._replaying = False
