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

from .connection import Connection, parse_connection
from .errors import DeviceCondition, DeviceErrorCode

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


class DeviceBase:
    """State keeping, status reporting and statistics for one device.

    Subclasses call `_set_status()` when something changes and `_count()` for their
    statistics. Callbacks run on the calling thread; an exception in a callback is
    logged and swallowed so a faulty listener cannot kill a reader thread.
    """

    kind: str = "device"

    def __init__(
        self,
        connection: str,
        *,
        name: str | None = None,
        on_status: StatusCallback | None = None,
    ) -> None:
        self.connection: Connection = parse_connection(connection)
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
