"""Idle detection for taxpayer sessions.

`IdleWatcher` is an application-wide event filter: touches (TouchBegin/Update/End),
mouse presses and key presses count as activity. When nobody has touched the screen
for the current screen's limit (about 90 s on reading screens, 180 s on forms; doubled
in audio mode) it emits `warn`, counts down (`tick` once a second) and emits `expired`
when the countdown runs out; the main window then ends the session. In simple
(elderly) mode neither the limit nor the countdown is shorter than 120 s (`set_floor`).

The waking touch is swallowed: while the warning is up, the first press anywhere
(touch, mouse or key) only dismisses the warning. The filter returns True for it and
for the rest of that gesture (touch updates and end, mouse moves and release, the key
release), so a tap that lands on a button behind the overlay, or on the overlay's own
"continue" button, does nothing else. This mirrors how a dimmed phone screen wakes.

Time comes from an injectable monotonic clock (`Callable[[], float]`). Tests and the
scenario runner use `ManualClock` and `advance()`, which re-evaluates at once, so no
test ever sleeps.
"""
from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Final

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QKeyEvent

log = logging.getLogger("kiosk.ui")

DEFAULT_LIMIT_S: Final = 90.0
DEFAULT_COUNTDOWN_S: Final = 30
MIN_COUNTDOWN_S: Final = 20  # ux.md: a countdown of at least 20 s
# Simple (elderly) mode, issue #13: no countdown shorter than two minutes.
SIMPLE_FLOOR_S: Final = 120
TICK_MS: Final = 250

_T = QEvent.Type
_PRESSES: Final = frozenset({_T.TouchBegin, _T.MouseButtonPress, _T.KeyPress})
_ACTIVITY: Final = frozenset({_T.TouchBegin, _T.TouchUpdate, _T.TouchEnd,
                              _T.MouseButtonPress, _T.KeyPress})
# What belongs to a swallowed gesture, and which event ends it.
_GESTURE_REST: Final = {
    _T.TouchBegin: (frozenset({_T.TouchUpdate, _T.TouchEnd, _T.TouchCancel,
                               _T.MouseMove, _T.MouseButtonRelease}),
                    frozenset({_T.TouchEnd, _T.TouchCancel})),
    _T.MouseButtonPress: (frozenset({_T.MouseMove, _T.MouseButtonRelease,
                                     _T.MouseButtonDblClick}),
                          frozenset({_T.MouseButtonRelease})),
    _T.KeyPress: (frozenset({_T.KeyRelease, _T.KeyPress}), frozenset({_T.KeyRelease})),
}
_ALL_WATCHED: Final = _ACTIVITY | frozenset().union(*(rest for rest, _ in _GESTURE_REST.values()))


class ManualClock:
    """A monotonic clock that only moves when told to (tests, scenario runner)."""

    def __init__(self, start: float = 1000.0) -> None:
        self._now = float(start)

    def __call__(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a monotonic clock cannot go back")
        self._now += seconds


class IdleWatcher(QObject):
    """Watches for taxpayer inactivity and runs the "are you still there?" countdown.

    Signals:
        warn(int): the idle limit was reached; seconds left in the countdown.
        tick(int): the countdown moved on; seconds left (once per second in real time,
            the current value only after a jump of the clock).
        expired(): the countdown ran out; end the session. Quiet afterwards until
            activity or `reset()`.
        dismissed(): a warning was cancelled (by the waking touch or `reset()`).
        activity(): a touch, mouse press or key press. Qt may show one press to the
            filter twice (to the window, then to the widget): treat it as "someone is
            here", not as a count.
    """

    warn = Signal(int)
    tick = Signal(int)
    expired = Signal()
    dismissed = Signal()
    activity = Signal()

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        limit_s: float = DEFAULT_LIMIT_S,
        countdown_s: int = DEFAULT_COUNTDOWN_S,
        tick_ms: int = TICK_MS,
        min_countdown_s: int = MIN_COUNTDOWN_S,
    ) -> None:
        """`min_countdown_s` lower than ux.md's 20 s only for `[ui] test_timeouts`
        (kiosk.config): the bench's thousand idle resets."""
        super().__init__(parent)
        self._clock = clock
        self._min_countdown_s = int(min_countdown_s)
        self._limit_s = self._check_limit(limit_s)
        self._countdown_s = self._check_countdown(countdown_s)
        self._time_scale = 1.0
        self._floor_s = 0.0
        self._enabled = False
        self._installed_on: QCoreApplication | None = None
        self._last_activity = clock()
        self._warning_start: float | None = None
        self._last_left: int | None = None
        self._expired = False
        # (events to swallow, events that end the gesture, key) for the waking gesture.
        self._swallow: tuple[frozenset[QEvent.Type], frozenset[QEvent.Type], int | None] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self.evaluate)

    # -- configuration -------------------------------------------------------------

    @staticmethod
    def _check_limit(seconds: float) -> float:
        if not seconds > 0:
            raise ValueError(f"idle limit must be positive, got {seconds}")
        return float(seconds)

    def _check_countdown(self, seconds: int) -> int:
        if seconds < self._min_countdown_s:
            raise ValueError(f"countdown must be at least {self._min_countdown_s} s, "
                             f"got {seconds}")
        return int(seconds)

    @property
    def limit_s(self) -> float:
        return self._limit_s

    def set_limit(self, seconds: float) -> None:
        """The current screen's idle limit. Does not restart the idle period: a screen
        change caused by a touch already did; call `reset()` for one that was not."""
        self._limit_s = self._check_limit(seconds)
        self.evaluate()

    @property
    def countdown_s(self) -> int:
        return self._countdown_s

    @countdown_s.setter
    def countdown_s(self, seconds: int) -> None:
        self._countdown_s = self._check_countdown(seconds)

    @property
    def time_scale(self) -> float:
        return self._time_scale

    def set_time_scale(self, factor: float) -> None:
        """Multiply limit and countdown (2.0 in audio mode)."""
        if not factor >= 1.0:
            raise ValueError("time scale must be >= 1")
        self._time_scale = float(factor)

    @property
    def floor_s(self) -> float:
        return self._floor_s

    def set_floor(self, seconds: float) -> None:
        """Neither the idle limit nor the countdown is shorter than `seconds`
        (SIMPLE_FLOOR_S in simple mode; 0 for none). Applies to the running period."""
        if not seconds >= 0:
            raise ValueError(f"floor must be >= 0 s, got {seconds}")
        self._floor_s = float(seconds)

    @property
    def effective_limit_s(self) -> float:
        """The limit in force: the screen's, scaled (audio mode), at least the floor."""
        return max(self._limit_s * self._time_scale, self._floor_s)

    @property
    def effective_countdown_s(self) -> float:
        """The countdown in force: scaled (audio mode), at least the floor."""
        return max(self._countdown_s * self._time_scale, self._floor_s)

    @property
    def enabled(self) -> bool:
        return self._enabled

    @enabled.setter
    def enabled(self, on: bool) -> None:
        """Off on the attract screen and in maintenance mode; switching on starts a
        fresh idle period."""
        if on == self._enabled:
            return
        self._enabled = on
        self._clear(emit_dismissed=not on)
        if on:
            self._timer.start()
        else:
            self._timer.stop()

    # -- state ---------------------------------------------------------------------

    @property
    def warning_active(self) -> bool:
        return self._warning_start is not None

    @property
    def seconds_left(self) -> int | None:
        """Seconds left in the countdown, or None when no warning is up."""
        return self._last_left if self.warning_active else None

    @property
    def idle_for(self) -> float:
        return self._clock() - self._last_activity

    def install(self, app: QCoreApplication | None = None) -> None:
        """Start watching every event of the application."""
        app = app or QCoreApplication.instance()
        if app is None:
            raise RuntimeError("IdleWatcher.install() needs a QApplication")
        if self._installed_on is not None:
            return
        app.installEventFilter(self)
        self._installed_on = app

    def uninstall(self) -> None:
        if self._installed_on is not None:
            self._installed_on.removeEventFilter(self)
            self._installed_on = None

    def reset(self) -> None:
        """Count from now: after "continue", a screen change, or a new session."""
        self._clear(emit_dismissed=True)

    def advance(self, seconds: float) -> None:
        """Move a ManualClock forward and re-evaluate now (tests, scenario runner)."""
        if not isinstance(self._clock, ManualClock):
            raise TypeError("advance() needs the watcher to run on a ManualClock")
        self._clock.advance(seconds)
        self.evaluate()

    # -- the state machine ---------------------------------------------------------

    def _clear(self, *, emit_dismissed: bool) -> None:
        was_warning = self.warning_active
        self._last_activity = self._clock()
        self._warning_start = None
        self._last_left = None
        self._expired = False
        if was_warning and emit_dismissed:
            self.dismissed.emit()

    def evaluate(self) -> None:
        """Compare the clock with the limits; called by the timer and by `advance()`."""
        if not self._enabled or self._expired:
            return
        now = self._clock()
        limit = self.effective_limit_s
        countdown = self.effective_countdown_s
        if self._warning_start is None:
            if now - self._last_activity < limit:
                return
            # The countdown starts when the limit was reached, not when we noticed, so
            # a late timer (or a jump of a manual clock) does not stretch it.
            self._warning_start = self._last_activity + limit
            left = max(0, math.ceil(countdown - (now - self._warning_start) - 1e-9))
            self._last_left = left
            log.info("idle warning: %d s left", left)
            self.warn.emit(left)
        else:
            left = max(0, math.ceil(countdown - (now - self._warning_start) - 1e-9))
            if left != self._last_left and left > 0:
                self._last_left = left
                self.tick.emit(left)
        if left <= 0:
            self._expired = True
            self._warning_start = None
            self._last_left = None
            log.info("idle countdown expired")
            self.expired.emit()

    # -- the event filter ----------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        etype = event.type()
        if etype not in _ALL_WATCHED:
            return False
        if self._swallow is not None:
            if self._continues_gesture(etype, event):
                return True
        if etype not in _ACTIVITY:
            return False
        if self._enabled and self.warning_active and etype in _PRESSES:
            rest, ends = _GESTURE_REST[etype]
            key = event.key() if isinstance(event, QKeyEvent) else None
            self._swallow = (rest, ends, key)
            self._clear(emit_dismissed=True)
            self.activity.emit()
            event.accept()
            return True
        self._clear(emit_dismissed=True)
        self.activity.emit()
        return False

    def _continues_gesture(self, etype: QEvent.Type, event: QEvent) -> bool:
        """True if `event` is part of the swallowed waking gesture (and swallow it)."""
        assert self._swallow is not None
        rest, ends, key = self._swallow
        if etype not in rest:
            # A new press of another kind starts a new gesture: stop swallowing.
            if etype in _PRESSES:
                self._swallow = None
            return False
        if isinstance(event, QKeyEvent):
            if event.key() != key:
                self._swallow = None if etype == _T.KeyPress else self._swallow
                return False
            if etype == _T.KeyPress and not event.isAutoRepeat():
                self._swallow = None
                return False
            if etype == _T.KeyRelease and event.isAutoRepeat():
                return True
        if etype in ends:
            self._swallow = None
        event.accept()
        return True
