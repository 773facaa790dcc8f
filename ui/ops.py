"""Background operations with callbacks on the GUI thread (after Anki's CollectionOp).

    Op(screen, lambda: service.verify(query)) \\
        .success(screen.show_result) \\
        .failure(screen.show_error) \\
        .run_in_background()

`work` runs on a small module-level QThreadPool (4 threads); its result or exception
travels back through a queued signal to a relay QObject that lives in the GUI thread,
so callbacks may touch widgets. If `parent` was destroyed in the meantime (the session
ended and the screens were rebuilt), the callback is dropped silently. `tracker`
counts operations in flight, so tests and the scenario runner can wait for quiet.
"""
from __future__ import annotations

import logging
import threading
import traceback
import weakref
from collections.abc import Callable
from typing import Any, Final, Generic, TypeVar

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QDeadlineTimer,
    QEventLoop,
    QObject,
    QRunnable,
    Qt,
    QThread,
    QThreadPool,
    Signal,
    Slot,
)

log = logging.getLogger("kiosk.ui")

T = TypeVar("T")

POOL_THREADS: Final = 4
_pool: QThreadPool | None = None
_pool_lock = threading.Lock()


def thread_pool() -> QThreadPool:
    """The pool for service calls that do I/O (own pool, not Qt's global one)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = QThreadPool()
            _pool.setMaxThreadCount(POOL_THREADS)
            _pool.setObjectName("kiosk.ops")
        return _pool


class OpTracker(QObject):
    """Counts operations from `run_in_background()` until their callback has run.

    Signals:
        changed(int): the number in flight changed.
        idle(): the number in flight dropped to zero.
    """

    changed = Signal(int)
    idle = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Strong references: nothing else keeps an Op (and its relay) alive until its
        # queued result arrives.
        self._ops: set[Op[Any]] = set()

    def in_flight(self) -> int:
        return len(self._ops)

    def _started(self, op: Op[Any]) -> None:
        self._ops.add(op)
        self.changed.emit(len(self._ops))

    def _finished(self, op: Op[Any]) -> None:
        self._ops.discard(op)
        self.changed.emit(len(self._ops))
        if not self._ops:
            self.idle.emit()

    def wait_idle(self, timeout_s: float = 10.0) -> bool:
        """Process events until nothing is in flight (scenario runner; never call from
        a GUI callback). False on timeout."""
        deadline = QDeadlineTimer(int(timeout_s * 1000))
        while self._ops and not deadline.hasExpired():
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            if self._ops:
                QThread.msleep(1)
        return not self._ops


tracker: Final = OpTracker()


class _Relay(QObject):
    """Lives in the GUI thread; the worker emits `done`, Qt queues it to `_deliver`."""

    done = Signal(object, object)  # (result, exception)

    def __init__(self, deliver: Callable[[Any, BaseException | None], None],
                 parent: QObject) -> None:
        # A C++ parent owns it, so dropping the last Python reference inside the slot
        # cannot delete it while Qt is still delivering; deleteLater() does that.
        super().__init__(parent)
        self._deliver_cb = deliver
        self.done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @Slot(object, object)
    def _deliver(self, result: Any, exc: BaseException | None) -> None:
        self._deliver_cb(result, exc)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._work = work
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._work()
        except Exception as exc:  # delivered to the failure callback
            self._relay.done.emit(None, exc)
        else:
            self._relay.done.emit(result, None)


def _log_failure(exc: Exception) -> None:
    # Type and stack only: the exception's text may carry personal data.
    stack = "".join(traceback.format_tb(exc.__traceback__))
    log.error("background operation failed: %s\n%s", type(exc).__name__, stack)


class Op(Generic[T]):
    """One background call: `Op(parent, work).success(cb).failure(cb).run_in_background()`.

    Without `.failure(...)`, an exception is logged. Callbacks run on the GUI thread,
    in `parent`'s lifetime only.
    """

    def __init__(self, parent: QObject, work: Callable[[], T], *,
                 op_tracker: OpTracker | None = None) -> None:
        self._parent_ref = weakref.ref(parent)
        self._work = work
        self._on_success: Callable[[T], None] | None = None
        self._on_failure: Callable[[Exception], None] = _log_failure
        self._tracker = op_tracker or tracker
        self._relay: _Relay | None = None
        self._started = False

    def success(self, cb: Callable[[T], None]) -> Op[T]:
        self._on_success = cb
        return self

    def failure(self, cb: Callable[[Exception], None]) -> Op[T]:
        self._on_failure = cb
        return self

    def run_in_background(self) -> None:
        app = QCoreApplication.instance()
        if app is None or QThread.currentThread() is not app.thread():
            raise RuntimeError("run_in_background() must be called on the GUI thread")
        if self._started:
            raise RuntimeError("an Op runs once")
        self._started = True
        self._relay = _Relay(self._deliver, parent=self._tracker)
        self._tracker._started(self)
        thread_pool().start(_Job(self._work, self._relay))

    def _parent_alive(self) -> bool:
        parent = self._parent_ref()
        return parent is not None and shiboken6.isValid(parent)

    def _deliver(self, result: Any, exc: BaseException | None) -> None:
        relay, self._relay = self._relay, None
        try:
            if not self._parent_alive():
                log.debug("dropped the callback of an op whose parent is gone")
                return
            if exc is not None:
                self._on_failure(exc)  # type: ignore[arg-type]
            elif self._on_success is not None:
                self._on_success(result)
        finally:
            if relay is not None:
                relay.deleteLater()
            self._tracker._finished(self)


class LatestRead(Generic[T]):
    """Repeated background reads of one thing (a status for a banner or a screen):
    each `run()` starts a read, and only the newest one's result is delivered. Reads run
    on pool threads and may finish out of order; an older result arriving last would
    show stale figures."""

    def __init__(self, parent: QObject, deliver: Callable[[T], None]) -> None:
        self._parent = parent
        self._deliver = deliver
        self._issued = 0

    def run(self, work: Callable[[], T]) -> None:
        self._issued += 1
        token = self._issued

        def newest_only(result: T) -> None:
            if token == self._issued:
                self._deliver(result)

        Op(self._parent, work).success(newest_only).run_in_background()


def wait_for_pool(timeout_ms: int = 5000) -> bool:
    """Wait for running work at shutdown (callbacks that are still queued are not run)."""
    return _pool.waitForDone(timeout_ms) if _pool is not None else True
