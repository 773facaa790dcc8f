"""Supervision of one device: its lifecycle, health checks with deadlines, reconnects.

A `Supervisor` owns one configured device. Its long-lived thread walks the driver
through the UnifiedPOS lifecycle (open -> claim -> enable, and disable -> release ->
close on the way down), runs the driver's `check()` every `health_interval_s`, and
after an unplug or a power-cycle brings the device back with exponential backoff
(0.5 s .. 30 s by default) without restarting the application. Every command it sends
to the driver (claim, check) runs on the device's own I/O thread with a deadline, so a
driver that never answers shows up as `timeout`, never as a hung manager.

The driver is reached only through the `drivers.device.Device` protocol; how the
supervisor treats it (does it reopen its port itself, does it hold a transport
between jobs) comes from its `drivers.kinds.DeviceKind`.
"""
from __future__ import annotations

import concurrent.futures
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, Protocol

from .base import DeviceState, DeviceStatus, StatusCallback, status_state
from .device import Device
from .errors import DeviceError, DeviceErrorCode
from .kinds import DeviceKind

_log = logging.getLogger("drivers.manager")

BACKOFF_START_S = 0.5
BACKOFF_MAX_S = 30.0
HEALTH_INTERVAL_S = 5.0
HEALTH_TIMEOUT_S = 10.0

# Exceptions a driver may leak when its port vanishes (pyserial's SerialException is an
# OSError; tcflush on a dead pty raises termios.error): the device is offline.
try:
    import termios

    _TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (OSError, termios.error)
except ImportError:  # not POSIX
    _TRANSPORT_ERRORS = (OSError,)


class DeviceConfigLike(Protocol):
    """What the manager needs of a device's configuration (kiosk.config.DeviceConfig);
    read-only, so a frozen dataclass with a plain dict of options fits."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def connection(self) -> str: ...

    @property
    def options(self) -> Mapping[str, Any]: ...


class Phase(str, Enum):
    """How far up the lifecycle a supervised device is."""

    CLOSED = "closed"  # no driver object (or closed again)
    OPENED = "opened"  # driver object built from the config, no I/O yet
    CLAIMED = "claimed"  # transport opened, the device is ours
    ENABLED = "enabled"  # delivering events (scans, cards) and accepting jobs

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class DeviceCounters:
    """Supervision statistics of one device (the driver's own counters are apart)."""

    # Transport opened: successful claims, or the driver's own count when it opens
    # the transport itself (a scanner reopening its port, a printer's per-job links).
    opens: int = 0
    failures: int = 0  # failed claims plus transitions into an error status
    reconnects: int = 0  # back to ready after having been offline
    health_checks: int = 0
    last_error: str | None = None  # "code[/condition]: message"
    last_error_at: float | None = None  # time.time()


class Backoff:
    """Exponential backoff between `start` and `maximum` seconds (doubling)."""

    def __init__(self, start: float = BACKOFF_START_S, maximum: float = BACKOFF_MAX_S) -> None:
        if not 0 < start <= maximum:
            raise ValueError("need 0 < start <= maximum")
        self.start = start
        self.maximum = maximum
        self._next = start

    def next(self) -> float:
        """The delay before the next attempt; each call doubles the following one."""
        delay = self._next
        self._next = min(self._next * 2, self.maximum)
        return delay

    def reset(self) -> None:
        self._next = self.start


class BuiltDevice:
    """A driver as the factory built it for the supervisor: the `Device`, its kind
    (supervision policy), whether it is enabled (events reach the application only
    then), and resources built for it (job journals) that `dispose` closes."""

    def __init__(self, kind: DeviceKind, device: Device | None = None,
                 owned: Sequence[Any] = ()) -> None:
        self.kind = kind
        self.device = device  # set once built (the scan gate needs this object first)
        self.enabled = False
        self.owned = list(owned)

    @property
    def reconnects_itself(self) -> bool:
        return self.kind.reconnects_itself

    @property
    def holds_transport(self) -> bool:
        return self.kind.holds_transport

    def dispose(self) -> None:
        for resource in self.owned:
            close = getattr(resource, "close", None)
            if callable(close):
                close()
        self.owned.clear()

    def statistics(self) -> dict[str, int]:
        return dict(self.device.statistics) if self.device is not None else {}


DriverFactory = Callable[[DeviceConfigLike, StatusCallback], BuiltDevice]
# A command for the I/O thread and the future its caller waits on.
_Job = tuple[Callable[[], Any], concurrent.futures.Future[Any]]


class IoThread:
    """One long-lived thread per device runs its commands one at a time; the caller
    waits with a deadline. A command that overruns keeps the thread (Python cannot
    interrupt it) and every command after it fails fast until it returns."""

    def __init__(self, name: str) -> None:
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._running: concurrent.futures.Future[Any] | None = None
        self._thread = threading.Thread(target=self._run, name=f"device-{name}-io", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            fn, future = job
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn())
                except BaseException as exc:  # noqa: BLE001 - handed to the caller
                    future.set_exception(exc)

    def call(self, fn: Callable[[], Any], timeout: float, what: str) -> Any:
        running = self._running
        if running is not None and not running.done():
            raise DeviceError(DeviceErrorCode.TIMEOUT,
                              f"{what}: the previous command has not returned yet")
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._running = future
        self._jobs.put((fn, future))
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            raise DeviceError(DeviceErrorCode.TIMEOUT,
                              f"{what}: no answer within {timeout:g} s") from None

    def stop(self, timeout: float) -> None:
        self._jobs.put(None)
        if self._thread is not threading.current_thread():
            self._thread.join(timeout)


# -- supervision of one device ---------------------------------------------------------

class Supervisor:
    """One device's supervision. `notify(status)` receives its status changes (on the
    supervisor's or the driver's threads, in order). The device's own options
    (`health_interval_s`, ...) override the defaults given here."""

    def __init__(self, config: DeviceConfigLike, notify: Callable[[DeviceStatus], None], *,
                 health_interval_s: float = HEALTH_INTERVAL_S,
                 health_timeout_s: float = HEALTH_TIMEOUT_S,
                 backoff_start_s: float = BACKOFF_START_S,
                 backoff_max_s: float = BACKOFF_MAX_S) -> None:
        self.config = config
        self.name = config.name
        self._notify = notify
        opts = config.options
        self.interval_s = float(opts.get("health_interval_s", health_interval_s))
        self.timeout_s = float(opts.get("health_timeout_s", health_timeout_s))
        self.backoff = Backoff(float(opts.get("backoff_start_s", backoff_start_s)),
                               float(opts.get("backoff_max_s", backoff_max_s)))
        self.built: BuiltDevice | None = None
        self.phase = Phase.CLOSED
        self.retryable = True
        self.retry_in_s: float | None = None
        self._lock = threading.Lock()
        self._publish_lock = threading.RLock()
        self._status = DeviceStatus(self.name, DeviceState.CLOSED)
        self._counters = DeviceCounters()
        self._was_ready = False
        self._down = False  # offline since it was last ready
        self._ignore_driver = False  # the manager itself is taking the driver down
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._checked = threading.Condition(self._lock)
        self._checks_done = 0
        self.settled = threading.Event()  # the first open attempt (and check) is over
        self._io: IoThread | None = None
        self._thread: threading.Thread | None = None

    # -- status ---------------------------------------------------------------------

    @property
    def status(self) -> DeviceStatus:
        return self._status

    @property
    def counters(self) -> DeviceCounters:
        return self._counters

    def on_driver_status(self, status: DeviceStatus) -> None:
        """The driver's `on_status` (any thread)."""
        if not self._ignore_driver:
            self.publish(status)

    def publish(self, status: DeviceStatus) -> None:
        """Record a status; tell the listeners if the state, error or condition changed."""
        if status.device != self.name:
            status = DeviceStatus(self.name, status.state, status.error, status.condition,
                                  status.message, status.at)
        # One publisher at a time per device, so listeners see its changes in order.
        with self._publish_lock:
            with self._lock:
                old = self._status
                self._status = status
                changed = (old.state, old.error, old.condition) != (
                    status.state, status.error, status.condition)
                if changed:
                    self._account(old, status)
            if changed:
                self._notify(status)

    def _account(self, old: DeviceStatus, new: DeviceStatus) -> None:
        c = self._counters
        if new.error is not None and (old.error, old.condition) != (new.error, new.condition):
            detail = new.error.value + (f"/{new.condition.value}" if new.condition else "")
            c = replace(c, failures=c.failures + 1, last_error=f"{detail}: {new.message}",
                         last_error_at=time.time())
        if new.ok:
            if self._down:
                c = replace(c, reconnects=c.reconnects + 1)
            self._down = False
            self._was_ready = True
        elif new.state is DeviceState.OFFLINE and self._was_ready:
            self._down = True
        self._counters = c

    def _count(self, **increments: int) -> None:
        with self._lock:
            c = self._counters
            self._counters = replace(c, **{k: getattr(c, k) + v for k, v in increments.items()})

    # -- lifecycle ------------------------------------------------------------------

    def open(self, factory: DriverFactory) -> None:
        """Build the driver from the config (no I/O; runs on the caller's thread so the
        driver object exists as soon as `DeviceManager.start()` returns)."""
        try:
            self.built = factory(self.config, self.on_driver_status)
            self.phase = Phase.OPENED
        except DeviceError as exc:
            self.retryable = False
            self.publish(_error_status(self.name, exc, closed=True))
            _log.warning("%s: not opened: %s", self.name, exc)
        except Exception as exc:  # noqa: BLE001 - a driver bug must not stop the others
            self.retryable = False
            _log.exception("%s: building the driver failed", self.name)
            self.publish(DeviceStatus(self.name, DeviceState.ERROR, DeviceErrorCode.FAILURE,
                                      message=f"driver failed to start: {type(exc).__name__}"))

    def start(self) -> None:
        if self.built is None:  # not built: the configuration error stands
            self.settled.set()
            return
        self._io = IoThread(self.name)
        self._thread = threading.Thread(target=self._run, name=f"device-{self.name}",
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout: float) -> None:
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        if self._io is not None:
            self._io.stop(0.2)

    def check_now(self, timeout: float) -> DeviceStatus:
        """Run a health check now (or wait for the one running); returns the status."""
        with self._lock:
            target = self._checks_done + 1
        self._wake.set()
        deadline = time.monotonic() + timeout
        with self._checked:
            while self._checks_done < target and not self._stop.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._thread is None or not self._thread.is_alive():
                    break
                self._checked.wait(remaining)
        return self._status

    # -- the supervisor thread ------------------------------------------------------

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                if self.phase is not Phase.ENABLED:
                    if not self._bring_up():
                        self._checks_finished()
                        if not self.retryable:
                            return
                        self._sleep(self.backoff.next(), retry=True)
                        continue
                status = self._health_check()
                self._checks_finished()
                assert self.built is not None
                if status.state is DeviceState.OFFLINE and not self.built.reconnects_itself:
                    if self.built.holds_transport:
                        self._take_down(status)
                    self._sleep(self.backoff.next(), retry=True)
                else:
                    self.backoff.reset()
                    self._sleep(self.interval_s)
        except Exception:  # noqa: BLE001 - logged; the device then shows as failed
            _log.exception("%s: supervisor failed", self.name)
            self.publish(DeviceStatus(self.name, DeviceState.ERROR, DeviceErrorCode.FAILURE,
                                      message="device supervision failed"))
        finally:
            self.settled.set()
            if self._stop.is_set():
                self._take_down(None)
                self._dispose()
                self.phase = Phase.CLOSED
                self.publish(DeviceStatus(self.name, DeviceState.CLOSED))

    def _dispose(self) -> None:
        if self.built is not None:
            try:
                self.built.dispose()
            except Exception:  # noqa: BLE001 - closing anyway
                _log.debug("%s: dispose failed", self.name, exc_info=True)

    def _sleep(self, seconds: float, retry: bool = False) -> None:
        self.retry_in_s = seconds if retry else None
        self._wake.wait(seconds)
        self._wake.clear()
        self.retry_in_s = None

    def _checks_finished(self) -> None:
        self.settled.set()
        with self._checked:
            self._checks_done += 1
            self._checked.notify_all()

    def _io_call(self, fn: Callable[[], Any], what: str) -> Any:
        assert self._io is not None
        return self._io.call(fn, self.timeout_s, what)

    def _bring_up(self) -> bool:
        """claim (the driver's open) -> enable; False (with the status published) when
        it did not work."""
        built = self.built
        assert built is not None and built.device is not None
        device = built.device
        failures_before = self._counters.failures
        try:
            if self.phase is Phase.OPENED:
                self._io_call(device.open, "claim")
                self.phase = Phase.CLAIMED
                if built.holds_transport and not built.reconnects_itself:
                    self._count(opens=1)
            built.enabled = True  # events (scans, cards) reach the application from now
            self.phase = Phase.ENABLED
            return True
        except DeviceError as exc:
            self.retryable = exc.code is not DeviceErrorCode.ILLEGAL
            status = _error_status(self.name, exc)
        except Exception as exc:  # noqa: BLE001 - OSError, SerialException, driver bugs
            _log.warning("%s: claim failed: %s", self.name, exc)
            status = DeviceStatus(self.name, DeviceState.OFFLINE, DeviceErrorCode.OFFLINE,
                                  message=f"cannot open: {exc}")
        # The same failure again: publish() does not count it (unless the driver already
        # published it during this attempt, which publish() counted).
        if self._status.error is not None and self._counters.failures == failures_before and \
                (self._status.error, self._status.condition) == (status.error, status.condition):
            self._count(failures=1)
        self.publish(status)
        return False

    def _health_check(self) -> DeviceStatus:
        built = self.built
        assert built is not None and built.device is not None
        device = built.device
        self._count(health_checks=1)
        try:
            result = self._io_call(lambda: device.check(self.timeout_s), "health check")
            if isinstance(result, DeviceStatus):
                status = result
            else:  # a driver bug: the protocol promises a DeviceStatus
                status = DeviceStatus(self.name, DeviceState.ERROR, DeviceErrorCode.FAILURE,
                                      message=f"health check returned {type(result).__name__}")
        except DeviceError as exc:
            status = _error_status(self.name, exc)
        except _TRANSPORT_ERRORS as exc:  # the port went away under the driver
            _log.info("%s: transport lost during the health check: %s", self.name, exc)
            status = DeviceStatus(self.name, DeviceState.OFFLINE, DeviceErrorCode.OFFLINE,
                                  message=f"connection lost: {exc}")
        except Exception as exc:  # noqa: BLE001
            _log.warning("%s: health check failed: %s", self.name, exc)
            status = DeviceStatus(self.name, DeviceState.ERROR, DeviceErrorCode.FAILURE,
                                  message=f"health check failed: {type(exc).__name__}")
        self.publish(status)
        return status

    def _take_down(self, keep: DeviceStatus | None) -> None:
        """disable -> release (the driver's close), ignoring what the driver reports
        meanwhile; `keep` is the status that stays published (the fault that made us
        take it down)."""
        built = self.built
        if built is None or built.device is None or self.phase in (Phase.CLOSED, Phase.OPENED):
            return
        built.enabled = False
        self._ignore_driver = True
        try:
            try:
                if keep is not None:
                    self._io_call(built.device.close, "release")
                else:
                    built.device.close()  # at shutdown: directly, the I/O thread may be stuck
            except Exception as exc:  # noqa: BLE001 - going down anyway
                _log.debug("%s: release failed: %s", self.name, exc)
        finally:
            self._ignore_driver = False
        self.phase = Phase.OPENED
        if keep is not None:
            self.publish(keep)

    def wake(self) -> None:
        """Retry or check now instead of after the current wait (no waiting here)."""
        self._wake.set()

    def request_stop(self) -> None:
        self._stop.set()
        self._wake.set()


def _error_status(name: str, exc: DeviceError, closed: bool = False) -> DeviceStatus:
    state = DeviceState.CLOSED if closed else status_state(exc.code)
    if exc.code is DeviceErrorCode.ILLEGAL and not closed:
        state = DeviceState.ERROR
    return DeviceStatus(name, state, exc.code, exc.extended, exc.message)
