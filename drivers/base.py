"""What every device driver shares: a state, a status callback and statistics.

Modelled on UnifiedPOS (states closed / idle / busy / error / offline, an error code
plus an extended, device-specific code, statistics counters). Drivers report through
`on_status` from whatever thread noticed the change; the ui layer re-emits it as a Qt
signal over a queued connection, so callbacks must be quick and must not touch widgets.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import ClassVar

from .connection import Connection, parse_connection
from .device import Capability
from .errors import DeviceCondition, DeviceError, DeviceErrorCode

_log = logging.getLogger("drivers")


class DeviceState(str, Enum):
    CLOSED = "closed"  # not started / stopped
    IDLE = "idle"  # open and ready
    BUSY = "busy"  # a job is running
    ERROR = "error"  # open but the device reports a fault (paper empty, jam, ...)
    OFFLINE = "offline"  # not reachable; a driver with a reader thread retries

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class DeviceStatus:
    """One status report; `error`/`condition` are None when all is well."""

    device: str
    state: DeviceState
    error: DeviceErrorCode | None = None
    condition: DeviceCondition | None = None
    message: str = ""
    at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        return self.state in (DeviceState.IDLE, DeviceState.BUSY) and self.error is None


StatusCallback = Callable[[DeviceStatus], None]

# Errors that mean "not reachable": the device is offline (and retried with backoff).
OFFLINE_CODES = (DeviceErrorCode.OFFLINE, DeviceErrorCode.TIMEOUT, DeviceErrorCode.NO_HARDWARE)


def status_state(error: DeviceErrorCode | None) -> DeviceState:
    """The state that goes with an error code (None: ready)."""
    if error is None:
        return DeviceState.IDLE
    return DeviceState.OFFLINE if error in OFFLINE_CODES else DeviceState.ERROR


class DeviceBase:
    """State keeping, status reporting and statistics for one device.

    Subclasses call `_set_status()` when something changes and `_count()` for their
    statistics. Callbacks run on the calling thread; an exception in a callback is
    logged and swallowed so a faulty listener cannot kill a reader thread.
    """

    kind: str = "device"
    capabilities: ClassVar[frozenset[Capability]] = frozenset()

    def __init__(
        self,
        connection: str | Connection,
        *,
        name: str | None = None,
        on_status: StatusCallback | None = None,
    ) -> None:
        """`connection`: a byte transport's connection string, or a Connection the
        driver parsed itself (camera://, keyboard://)."""
        self.connection: Connection = connection if isinstance(connection, Connection) \
            else parse_connection(connection)
        self.name = name or self.kind
        self.on_status = on_status
        self._stats_lock = threading.Lock()
        self._stats: dict[str, int] = {}
        self._status = DeviceStatus(self.name, DeviceState.CLOSED)

    @property
    def state(self) -> DeviceState:
        return self._status.state

    @property
    def last_status(self) -> DeviceStatus:
        return self._status

    @property
    def statistics(self) -> dict[str, int]:
        """A snapshot of the counters (opens, reconnects, errors, device-specific ones)."""
        with self._stats_lock:
            return dict(self._stats)

    def _report_answer(self, error: DeviceErrorCode | None, condition: DeviceCondition | None,
                       message: str) -> DeviceStatus:
        """Record what the device answered to a status query (a PrinterStatus's fields,
        say) as the driver's status, and return it."""
        self._set_status(status_state(error), error, condition, message)
        return self._status

    def _report_error(self, exc: DeviceError) -> DeviceStatus:
        """Record a failed exchange as the driver's status, and return it."""
        return self._report_answer(exc.code, exc.extended, exc.message)

    def _count(self, counter: str, n: int = 1) -> None:
        with self._stats_lock:
            self._stats[counter] = self._stats.get(counter, 0) + n

    def _set_status(
        self,
        state: DeviceState,
        error: DeviceErrorCode | None = None,
        condition: DeviceCondition | None = None,
        message: str = "",
    ) -> None:
        """Record the new status and tell the listener if anything but the time changed."""
        old = self._status
        new = DeviceStatus(self.name, state, error, condition, message)
        self._status = new
        if (old.state, old.error, old.condition) == (new.state, new.error, new.condition):
            return
        if error is not None:
            self._count("errors")
        _log.info("%s: %s%s", self.name, state.value,
                  f" ({error.value}{'/' + condition.value if condition else ''})" if error else "")
        callback = self.on_status
        if callback is not None:
            try:
                callback(new)
            except Exception:  # a listener's bug must not break the device
                _log.exception("%s: status callback failed", self.name)
