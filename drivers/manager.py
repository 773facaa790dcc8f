"""The device manager: opens what the configuration lists and keeps it working.

Each configured device gets its own supervision: a long-lived supervisor thread that
walks the driver through the UnifiedPOS lifecycle (open -> claim -> enable, and
disable -> release -> close on the way down), runs a health check on an interval, and
after an unplug or a power-cycle brings the device back with exponential backoff
(0.5 s .. 30 s by default) without restarting the application. Every command the
supervisor sends to a driver runs on the device's own I/O thread with a deadline, so a
driver that never answers shows up as `timeout`, never as a hung manager.

Status changes are published to `subscribe()`d listeners from supervisor and driver
threads: listeners must return quickly and must not touch widgets (the ui layer
re-emits them as Qt signals). Qt-free; driver modules are imported only when a device
of their kind is configured, so the manager works before every driver exists.
"""
from __future__ import annotations

import concurrent.futures
import importlib
import inspect
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Protocol

from .base import DeviceBase, DeviceState, DeviceStatus, StatusCallback
from .errors import DeviceError, DeviceErrorCode

_log = logging.getLogger("drivers.manager")

BACKOFF_START_S = 0.5
BACKOFF_MAX_S = 30.0
HEALTH_INTERVAL_S = 5.0
HEALTH_TIMEOUT_S = 10.0

# Kinds with a driver the manager supervises, and kinds it only reports: the UI reads a
# keyboard wedge scanner (a key filter) and a camera scanner (QtMultimedia) itself.
MANAGED_KINDS = ("serial_scanner", "receipt_printer", "id_card_reader", "payment_terminal",
                 "invoice_dispenser", "staff_card_reader")
REPORTED_KINDS = ("wedge_scanner", "camera_scanner")
KNOWN_KINDS = MANAGED_KINDS + REPORTED_KINDS
SCANNER_KINDS = ("serial_scanner", "wedge_scanner", "camera_scanner")

# Per-device options the manager reads itself; every other option goes to the driver.
MANAGER_OPTIONS = frozenset({"health_interval_s", "health_timeout_s", "backoff_start_s",
                             "backoff_max_s"})

# Exceptions a driver may leak when its port vanishes (pyserial's SerialException is an
# OSError; tcflush on a dead pty raises termios.error): the device is offline.
try:
    import termios

    _TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (OSError, termios.error)
except ImportError:  # not POSIX
    _TRANSPORT_ERRORS = (OSError,)

# Errors that mean "not reachable": the device is offline and is retried with backoff.
_OFFLINE_CODES = (DeviceErrorCode.OFFLINE, DeviceErrorCode.TIMEOUT, DeviceErrorCode.NO_HARDWARE)


class DeviceConfigLike(Protocol):
    """What the manager needs of a device's configuration (kiosk.config.DeviceConfig)."""

    name: str
    kind: str
    connection: str
    options: Mapping[str, Any]


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


@dataclass(frozen=True)
class DeviceReport:
    """Everything the maintenance screen and `kiosk devices check` show for a device."""

    name: str
    kind: str
    connection: str
    status: DeviceStatus
    counters: DeviceCounters
    phase: Phase
    retry_in_s: float | None = None
    driver_statistics: dict[str, int] = field(default_factory=dict)
    supervised: bool = True  # False: only reported (wedge and camera scanners)

    @property
    def ok(self) -> bool:
        return self.status.ok

    def to_json_dict(self) -> dict[str, Any]:
        s, c = self.status, self.counters
        return {
            "name": self.name, "kind": self.kind, "connection": self.connection,
            "ok": self.ok, "supervised": self.supervised, "state": s.state.value,
            "error": s.error.value if s.error else None,
            "condition": s.condition.value if s.condition else None,
            "message": s.message, "phase": self.phase.value, "retry_in_s": self.retry_in_s,
            "counters": {"opens": c.opens, "failures": c.failures, "reconnects": c.reconnects,
                         "health_checks": c.health_checks, "last_error": c.last_error},
            "driver_statistics": dict(self.driver_statistics),
        }


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


def status_state(error: DeviceErrorCode | None) -> DeviceState:
    """The state that goes with an error code (None: ready)."""
    if error is None:
        return DeviceState.IDLE
    return DeviceState.OFFLINE if error in _OFFLINE_CODES else DeviceState.ERROR


# -- adapters: how the manager drives one kind of driver ------------------------------

class ManagedDriver:
    """One driver as the manager drives it through its lifecycle.

    The base class duck-types: `claim` calls the driver's open()/start()/connect(),
    `release` its close()/stop()/disconnect(), `enable`/`disable` its methods of those
    names if it has them, `check` its health_check() or else its status() (a
    DeviceStatus, an object with `.error`/`.condition`/`.message` such as
    PrinterStatus, or None for "see last_status"). Any method may raise DeviceError.
    `dispose` runs once when the manager closes the device for good.
    """

    reconnects_itself = False  # the driver reopens a lost transport on its own
    holds_transport = True  # the transport stays open between claim and release

    def __init__(self, driver: Any, owned: Sequence[Any] = ()) -> None:
        self.driver = driver
        self.enabled = False
        self.owned = list(owned)  # resources built for the driver (closed by dispose)

    def _call_first(self, names: Sequence[str]) -> None:
        for method in names:
            fn = getattr(self.driver, method, None)
            if callable(fn):
                fn()
                return

    def claim(self) -> None:
        self._call_first(("open", "start", "connect", "claim"))

    def enable(self) -> None:
        self._call_first(("enable",))
        self.enabled = True

    def disable(self) -> None:
        self.enabled = False
        self._call_first(("disable",))

    def release(self) -> None:
        self._call_first(("close", "stop", "disconnect", "release"))

    def check(self) -> Any:
        for method in ("health_check", "status"):
            fn = getattr(self.driver, method, None)
            if callable(fn):
                return fn()
        return None

    def dispose(self) -> None:
        for resource in self.owned:
            close = getattr(resource, "close", None)
            if callable(close):
                close()
        self.owned.clear()

    def statistics(self) -> dict[str, int]:
        stats = getattr(self.driver, "statistics", None)
        return dict(stats) if isinstance(stats, Mapping) else {}


class ScannerDriver(ManagedDriver):
    """drivers.serial_scanner.SerialScanner: its reader thread reopens a lost port with
    the backoff it was built with; scans reach the listener only while enabled."""

    reconnects_itself = True

    def claim(self) -> None:
        self.driver.start()

    def release(self) -> None:
        self.driver.stop()

    def check(self) -> Any:
        return None  # the reader thread reports every change as it happens


class PrinterDriver(ManagedDriver):
    """drivers.receipt_printer.ReceiptPrinter: one connection per job, so claiming is
    the first status query and the health check is a status query that never waits
    behind a running job."""

    holds_transport = False

    def claim(self) -> None:
        pass

    def release(self) -> None:
        pass

    def check(self) -> Any:
        status = self.driver.health_check()
        if getattr(status, "error", None) is DeviceErrorCode.BUSY:
            return None  # a job is running: its own queries report, the state is BUSY
        return status


class ReportedOnly(ManagedDriver):
    """A device the manager only reports (keyboard wedge, camera scanner)."""

    holds_transport = False

    def __init__(self, status: DeviceStatus) -> None:
        super().__init__(None)
        self.fixed = status

    def claim(self) -> None:
        pass

    def release(self) -> None:
        pass

    def check(self) -> Any:
        return self.fixed


DriverFactory = Callable[[DeviceConfigLike, StatusCallback], ManagedDriver]


class DefaultDriverFactory:
    """Builds the project's driver for each kind (no I/O: `claim` opens).

    Driver modules are imported here, lazily: a kind whose module is not installed is
    reported as `no_hardware` instead of breaking the manager. `on_scan` receives the
    serial scanners' scans; `driver_kwargs[kind]` adds keyword arguments (callbacks) for
    drivers of that kind, passed only when the constructor accepts them. `data_dir`
    holds what drivers keep on disk: the job journals of the payment terminal and the
    invoice dispenser (JOURNALS), unless `driver_kwargs` brings them.
    """

    # kind -> (module, class)
    DRIVERS: dict[str, tuple[str, str]] = {
        "serial_scanner": ("drivers.serial_scanner", "SerialScanner"),
        "receipt_printer": ("drivers.receipt_printer", "ReceiptPrinter"),
        "id_card_reader": ("drivers.id_card.reader", "IdCardReader"),
        "payment_terminal": ("drivers.payment.serial_terminal", "SerialPaymentTerminal"),
        "invoice_dispenser": ("drivers.dispenser.dispenser", "InvoiceDispenser"),
        "staff_card_reader": ("drivers.staff_card", "StaffCardReader"),
    }

    # kind -> (module, class, file under data_dir) of the job journal its driver needs
    JOURNALS: dict[str, tuple[str, str, str]] = {
        "payment_terminal": ("drivers.payment.journal", "PaymentJournal",
                             "payment-journal.sqlite3"),
        "invoice_dispenser": ("drivers.dispenser.journal", "DispenseJournal",
                              "dispenser-journal.sqlite3"),
    }

    def __init__(self, *, on_scan: Callable[[str], None] | None = None,
                 driver_kwargs: Mapping[str, Mapping[str, Any]] | None = None,
                 data_dir: Path | None = None,
                 backoff_start_s: float = BACKOFF_START_S,
                 backoff_max_s: float = BACKOFF_MAX_S) -> None:
        self.on_scan = on_scan
        self.data_dir = data_dir
        self.driver_kwargs = dict(driver_kwargs or {})
        self.backoff_start_s = backoff_start_s
        self.backoff_max_s = backoff_max_s

    def __call__(self, config: DeviceConfigLike, on_status: StatusCallback) -> ManagedDriver:
        kind = config.kind
        if kind == "wedge_scanner":
            return ReportedOnly(DeviceStatus(config.name, DeviceState.IDLE,
                                             message="keyboard wedge: read by the UI"))
        if kind == "camera_scanner":  # its state is not known here: closed, not "ok"
            return ReportedOnly(DeviceStatus(config.name, DeviceState.CLOSED,
                                             message="camera: read by the UI, not supervised "
                                                     "by the device manager"))
        if kind not in self.DRIVERS:
            raise DeviceError(DeviceErrorCode.ILLEGAL,
                              f"unknown device kind {kind!r} (known: {', '.join(KNOWN_KINDS)})")
        module_name, class_name = self.DRIVERS[kind]
        try:
            cls = getattr(importlib.import_module(module_name), class_name)
        except (ImportError, AttributeError) as exc:
            raise DeviceError(DeviceErrorCode.NO_HARDWARE,
                              f"the {kind} driver is not installed: {exc}") from exc
        options = {k: v for k, v in dict(config.options).items() if k not in MANAGER_OPTIONS}
        extra = dict(self.driver_kwargs.get(kind, {}))
        from .serial_scanner import SerialScanner

        if issubclass(cls, SerialScanner):  # the scanner and the line-based card readers
            adapter = ScannerDriver(None)
            if kind == "serial_scanner":
                def deliver(text: str) -> None:
                    if adapter.enabled and self.on_scan is not None:
                        self.on_scan(text)

                extra["on_scan"] = deliver
            backoff = {"backoff_start_s": float(config.options.get("backoff_start_s",
                                                                  self.backoff_start_s)),
                       "backoff_max_s": float(config.options.get("backoff_max_s",
                                                                self.backoff_max_s))}
            adapter.driver = construct(cls, config, on_status, options, {**backoff, **extra})
            return adapter
        if kind == "receipt_printer":
            from printing.profiles import get_profile

            try:
                profile = get_profile(str(options.pop("profile", "default80")))
            except ValueError as exc:
                raise DeviceError(DeviceErrorCode.ILLEGAL, str(exc)) from exc
            if "timeout_s" in options:
                options["timeout_s"] = float(options["timeout_s"])
            return PrinterDriver(construct(cls, config, on_status, options,
                                           {"profile": profile, **extra}))
        owned: list[Any] = []
        if kind in self.JOURNALS and "journal" not in extra:
            # Card payments and dispensing are journalled before they are sent, so a
            # crash is reconciled with the device instead of replayed.
            if self.data_dir is None:
                raise DeviceError(DeviceErrorCode.ILLEGAL,
                                  f"a {kind} needs a data directory for its job journal")
            journal_module, journal_class, file_name = self.JOURNALS[kind]
            journal_cls = getattr(importlib.import_module(journal_module), journal_class)
            extra["journal"] = journal_cls(self.data_dir / file_name)
            owned.append(extra["journal"])
        try:
            return ManagedDriver(construct(cls, config, on_status, options, extra), owned)
        except BaseException:
            ManagedDriver(None, owned).dispose()
            raise


def construct(cls: type, config: DeviceConfigLike, on_status: StatusCallback,
              options: Mapping[str, Any], extra: Mapping[str, Any]) -> Any:
    """`cls(connection, name=..., on_status=..., **what it accepts)`.

    Options the constructor does not accept are logged and left out, so a driver that
    takes fewer settings than the example config still opens.
    """
    try:
        params = dict(inspect.signature(cls).parameters)
    except (TypeError, ValueError):
        params = {}
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    kwargs: dict[str, Any] = {}
    for key, value in {"name": config.name, "on_status": on_status, **extra,
                       **options}.items():
        if takes_any or key in params:
            kwargs[key] = value
        elif key in options:
            _log.warning("%s: the %s driver has no option %r; ignored", config.name,
                         config.kind, key)
    # A required event callback nobody asked for (on_card, ...): events are dropped
    # until a service attaches to the driver, but the device is still supervised.
    for key, param in list(params.items())[1:]:
        if (key.startswith("on_") and key not in kwargs and param.default is param.empty
                and param.kind is not inspect.Parameter.VAR_KEYWORD):
            kwargs[key] = _drop_event
    try:
        return cls(config.connection, **kwargs)
    except DeviceError:
        raise
    except (ValueError, TypeError) as exc:  # bad connection string or option value
        raise DeviceError(DeviceErrorCode.ILLEGAL, f"cannot configure {config.name}: {exc}") from exc


def _drop_event(*_args: Any, **_kwargs: Any) -> None:
    """The callback of a device event no service listens to (yet)."""


# -- one device's I/O thread -----------------------------------------------------------

class _IoThread:
    """One long-lived thread per device runs its commands one at a time; the caller
    waits with a deadline. A command that overruns keeps the thread (Python cannot
    interrupt it) and every command after it fails fast until it returns."""

    def __init__(self, name: str) -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], concurrent.futures.Future[Any]] | None] = queue.SimpleQueue()
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

class _Supervisor:
    def __init__(self, manager: "DeviceManager", config: DeviceConfigLike) -> None:
        self.manager = manager
        self.config = config
        self.name = config.name
        opts = config.options
        self.interval_s = float(opts.get("health_interval_s", manager.health_interval_s))
        self.timeout_s = float(opts.get("health_timeout_s", manager.health_timeout_s))
        self.backoff = Backoff(float(opts.get("backoff_start_s", manager.backoff_start_s)),
                               float(opts.get("backoff_max_s", manager.backoff_max_s)))
        self.adapter: ManagedDriver | None = None
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
        self._io: _IoThread | None = None
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
                self.manager._notify(status)

    def _account(self, old: DeviceStatus, new: DeviceStatus) -> None:
        c = self._counters
        if new.error is not None and (old.error, old.condition) != (new.error, new.condition):
            detail = new.error.value + (f"/{new.condition.value}" if new.condition else "")
            c = _replace(c, failures=c.failures + 1, last_error=f"{detail}: {new.message}",
                         last_error_at=time.time())
        if new.ok:
            if self._down:
                c = _replace(c, reconnects=c.reconnects + 1)
            self._down = False
            self._was_ready = True
        elif new.state is DeviceState.OFFLINE and self._was_ready:
            self._down = True
        self._counters = c

    def _count(self, **increments: int) -> None:
        with self._lock:
            c = self._counters
            self._counters = _replace(c, **{k: getattr(c, k) + v for k, v in increments.items()})

    # -- lifecycle ------------------------------------------------------------------

    def open(self, factory: DriverFactory) -> None:
        """Build the driver from the config (no I/O; runs on the caller's thread so the
        driver object exists as soon as `DeviceManager.start()` returns)."""
        try:
            self.adapter = factory(self.config, self.on_driver_status)
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
        adapter = self.adapter
        if isinstance(adapter, ReportedOnly):  # nothing to open or to watch
            self.phase = Phase.ENABLED if adapter.fixed.ok else Phase.OPENED
            self.publish(adapter.fixed)
        if adapter is None or isinstance(adapter, ReportedOnly):
            self.settled.set()
            return
        self._io = _IoThread(self.name)
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
                assert self.adapter is not None
                if status.state is DeviceState.OFFLINE and not self.adapter.reconnects_itself:
                    if self.adapter.holds_transport:
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
        if self.adapter is not None:
            try:
                self.adapter.dispose()
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
        """claim -> enable; False (with the status published) when it did not work."""
        adapter = self.adapter
        assert adapter is not None
        try:
            if self.phase is Phase.OPENED:
                self._io_call(adapter.claim, "claim")
                self.phase = Phase.CLAIMED
                if adapter.holds_transport and not adapter.reconnects_itself:
                    self._count(opens=1)
            self._io_call(adapter.enable, "enable")
            self.phase = Phase.ENABLED
            return True
        except DeviceError as exc:
            self.retryable = exc.code is not DeviceErrorCode.ILLEGAL
            status = _error_status(self.name, exc)
        except Exception as exc:  # noqa: BLE001 - OSError, SerialException, driver bugs
            _log.warning("%s: claim failed: %s", self.name, exc)
            status = DeviceStatus(self.name, DeviceState.OFFLINE, DeviceErrorCode.OFFLINE,
                                  message=f"cannot open: {exc}")
        if self._status.error is not None and \
                (self._status.error, self._status.condition) == (status.error, status.condition):
            self._count(failures=1)  # the same failure again: publish() does not count it
        self.publish(status)
        return False

    def _health_check(self) -> DeviceStatus:
        adapter = self.adapter
        assert adapter is not None
        self._count(health_checks=1)
        try:
            result = self._io_call(adapter.check, "health check")
            status = to_status(self.name, result, adapter.driver)
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
        """disable -> release, ignoring what the driver reports meanwhile; `keep` is the
        status that stays published (the fault that made us take it down)."""
        adapter = self.adapter
        if adapter is None or self.phase in (Phase.CLOSED, Phase.OPENED):
            return
        self._ignore_driver = True
        try:
            for step, name in ((adapter.disable, "disable"), (adapter.release, "release")):
                try:
                    if keep is not None:
                        self._io_call(step, name)
                    else:
                        step()  # at shutdown: directly, the I/O thread may be stuck
                except Exception as exc:  # noqa: BLE001 - going down anyway
                    _log.debug("%s: %s failed: %s", self.name, name, exc)
        finally:
            self._ignore_driver = False
        self.phase = Phase.OPENED
        if keep is not None:
            self.publish(keep)


def _replace(c: DeviceCounters, **changes: Any) -> DeviceCounters:
    from dataclasses import replace

    return replace(c, **changes)


def _error_status(name: str, exc: DeviceError, closed: bool = False) -> DeviceStatus:
    state = DeviceState.CLOSED if closed else status_state(exc.code)
    if exc.code is DeviceErrorCode.ILLEGAL and not closed:
        state = DeviceState.ERROR
    return DeviceStatus(name, state, exc.code, exc.extended, exc.message)


def to_status(name: str, result: Any, driver: Any) -> DeviceStatus:
    """Turn what a health check returned into a DeviceStatus (see ManagedDriver)."""
    if isinstance(result, DeviceStatus):
        return result
    if result is None:
        if isinstance(driver, DeviceBase):
            return driver.last_status
        return DeviceStatus(name, DeviceState.IDLE)
    if isinstance(result, bool):
        return DeviceStatus(name, DeviceState.IDLE) if result else DeviceStatus(
            name, DeviceState.ERROR, DeviceErrorCode.FAILURE, message="health check failed")
    error = getattr(result, "error", None)
    condition = getattr(result, "condition", None)
    message = str(getattr(result, "message", "") or "")
    if error is not None and not isinstance(error, DeviceErrorCode):
        error = DeviceErrorCode.FAILURE
    return DeviceStatus(name, status_state(error), error, condition, message)


# -- the manager -----------------------------------------------------------------------

DeviceListener = Callable[[DeviceStatus], None]


class DeviceManager:
    """Opens and supervises the configured devices; publishes their status changes.

    `start()` builds every driver at once (no I/O) and then opens each device on its
    own supervisor thread, so `get(name)` works immediately and a slow or missing
    device delays nothing else. Options per device (in its config entry):
    `health_interval_s`, `health_timeout_s`, `backoff_start_s`, `backoff_max_s`.
    """

    def __init__(self, devices: Sequence[DeviceConfigLike],
                 factory: DriverFactory | None = None, *,
                 health_interval_s: float = HEALTH_INTERVAL_S,
                 health_timeout_s: float = HEALTH_TIMEOUT_S,
                 backoff_start_s: float = BACKOFF_START_S,
                 backoff_max_s: float = BACKOFF_MAX_S) -> None:
        names = [d.name for d in devices]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"device names must be unique: {', '.join(duplicates)}")
        Backoff(backoff_start_s, backoff_max_s)  # validates the bounds
        self.health_interval_s = health_interval_s
        self.health_timeout_s = health_timeout_s
        self.backoff_start_s = backoff_start_s
        self.backoff_max_s = backoff_max_s
        self.factory: DriverFactory = factory or DefaultDriverFactory(
            backoff_start_s=backoff_start_s, backoff_max_s=backoff_max_s)
        self._configs = {d.name: d for d in devices}
        self._supervisors = {d.name: _Supervisor(self, d) for d in devices}
        self._listeners: list[DeviceListener] = []
        self._listeners_lock = threading.Lock()
        self._started = False

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> "DeviceManager":
        if self._started:
            return self
        self._started = True
        for sup in self._supervisors.values():
            sup.open(self.factory)
        for sup in self._supervisors.values():
            sup.start()
        return self

    def close_all(self, timeout: float = 2.0) -> None:
        """disable -> release -> close every device; returns within about `timeout`."""
        deadline = time.monotonic() + timeout
        for sup in self._supervisors.values():
            sup._stop.set()
            sup._wake.set()
        for sup in self._supervisors.values():
            sup.stop(max(0.05, deadline - time.monotonic()))

    def __enter__(self) -> "DeviceManager":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close_all()

    # -- status ----------------------------------------------------------------------

    def subscribe(self, listener: DeviceListener) -> Callable[[], None]:
        """Call `listener(status)` on every status change (from device threads);
        returns a function that unsubscribes it."""
        with self._listeners_lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._listeners_lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def _notify(self, status: DeviceStatus) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(status)
            except Exception:  # noqa: BLE001 - a listener's bug must not stop a device
                _log.exception("device status listener failed")

    def statuses(self) -> dict[str, DeviceStatus]:
        return {name: sup.status for name, sup in self._supervisors.items()}

    def status(self, name: str) -> DeviceStatus:
        return self._supervisor(name).status

    def report(self, name: str) -> DeviceReport:
        sup = self._supervisor(name)
        cfg = sup.config
        adapter = sup.adapter
        stats = adapter.statistics() if adapter is not None else {}
        counters = sup.counters
        if adapter is not None and (adapter.reconnects_itself or not adapter.holds_transport):
            counters = _replace(counters, opens=stats.get("opens", 0))
        return DeviceReport(name, cfg.kind, cfg.connection, sup.status, counters,
                            sup.phase, sup.retry_in_s, stats,
                            supervised=not isinstance(adapter, ReportedOnly))

    def reports(self) -> dict[str, DeviceReport]:
        return {name: self.report(name) for name in self._supervisors}

    # -- lookup ----------------------------------------------------------------------

    def get(self, name: str) -> Any | None:
        """The driver object of device `name` (None if it could not be built)."""
        adapter = self._supervisor(name).adapter
        return adapter.driver if adapter is not None else None

    def names(self, kind: str | None = None) -> list[str]:
        return [n for n, c in self._configs.items() if kind is None or c.kind == kind]

    def kind_of(self, name: str) -> str:
        return self._supervisor(name).config.kind

    def _supervisor(self, name: str) -> _Supervisor:
        try:
            return self._supervisors[name]
        except KeyError:
            raise KeyError(f"no device named {name!r}; configured: "
                           f"{', '.join(self._supervisors) or 'none'}") from None

    # -- waiting ---------------------------------------------------------------------

    def wait_settled(self, timeout: float) -> bool:
        """Wait until every device has had its first open attempt and health check."""
        deadline = time.monotonic() + timeout
        for sup in self._supervisors.values():
            if not sup.settled.wait(max(0.0, deadline - time.monotonic())):
                return False
        return True

    def check_now(self, name: str, timeout: float | None = None) -> DeviceStatus:
        """Run a health check of `name` now; the status it produced (or the current one
        when it did not finish within `timeout`)."""
        sup = self._supervisor(name)
        return sup.check_now(sup.timeout_s + 1.0 if timeout is None else timeout)
