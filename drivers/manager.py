"""The device manager: opens what the configuration lists and keeps it working.

The facade over three parts: `drivers.kinds` (which kinds exist and how each is
built), `drivers.factory.DefaultDriverFactory` (a configured device -> its driver) and
`drivers.supervisor.Supervisor` (one thread per device: open, health checks with
deadlines, reconnects with backoff). The manager builds every configured driver at
`start()`, supervises each, publishes status changes to `subscribe()`d listeners and
reports statistics.

Listeners are called from supervisor and driver threads: they must return quickly
and must not touch widgets (the ui layer re-emits them as Qt signals). Qt-free.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .base import DeviceStatus, status_state
from .device import Device
from .factory import DefaultDriverFactory
from .kinds import KINDS, KNOWN_KINDS, MANAGER_OPTIONS, SCANNER_KINDS
from .supervisor import (
    BACKOFF_MAX_S,
    BACKOFF_START_S,
    HEALTH_INTERVAL_S,
    HEALTH_TIMEOUT_S,
    Backoff,
    BuiltDevice,
    DeviceConfigLike,
    DeviceCounters,
    DriverFactory,
    Phase,
    Supervisor,
)

_log = logging.getLogger("drivers.manager")

__all__ = [
    "BACKOFF_MAX_S", "BACKOFF_START_S", "HEALTH_INTERVAL_S", "HEALTH_TIMEOUT_S", "KNOWN_KINDS",
    "MANAGER_OPTIONS", "SCANNER_KINDS", "Backoff", "BuiltDevice", "DefaultDriverFactory",
    "DeviceConfigLike", "DeviceCounters", "DeviceListener", "DeviceManager", "DeviceReport",
    "DriverFactory", "Phase", "status_state",
]


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
    supervised: bool = True  # False: the driver could not be built (see the status)
    # Read through the kiosk window (wedge, camera): a tool without the window, such as
    # `kiosk devices check`, lists it but cannot judge it.
    read_by_ui: bool = False

    @property
    def ok(self) -> bool:
        return self.status.ok

    def to_json_dict(self) -> dict[str, Any]:
        s, c = self.status, self.counters
        return {
            "name": self.name, "kind": self.kind, "connection": self.connection,
            "ok": self.ok, "supervised": self.supervised, "read_by_ui": self.read_by_ui,
            "state": s.state.value,
            "error": s.error.value if s.error else None,
            "condition": s.condition.value if s.condition else None,
            "message": s.message, "phase": self.phase.value, "retry_in_s": self.retry_in_s,
            "counters": {"opens": c.opens, "failures": c.failures, "reconnects": c.reconnects,
                         "health_checks": c.health_checks, "last_error": c.last_error},
            "driver_statistics": dict(self.driver_statistics),
        }


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
        self._supervisors = {
            d.name: Supervisor(d, self._notify, health_interval_s=health_interval_s,
                               health_timeout_s=health_timeout_s,
                               backoff_start_s=backoff_start_s, backoff_max_s=backoff_max_s)
            for d in devices}
        self._listeners: list[DeviceListener] = []
        self._listeners_lock = threading.Lock()
        self._started = False

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> DeviceManager:
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
            sup.request_stop()
        for sup in self._supervisors.values():
            sup.stop(max(0.05, deadline - time.monotonic()))

    def __enter__(self) -> DeviceManager:
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
        built = sup.built
        stats = built.statistics() if built is not None else {}
        counters = sup.counters
        # A driver that opens its transport itself (a scanner reopening its port, a
        # printer's per-job connections) counts its opens.
        if built is not None and (built.reconnects_itself or not built.holds_transport):
            counters = replace(counters, opens=stats.get("opens", 0))
        kind = KINDS.get(cfg.kind)
        return DeviceReport(name, cfg.kind, cfg.connection, sup.status, counters,
                            sup.phase, sup.retry_in_s, stats,
                            supervised=built is not None,
                            read_by_ui=kind is not None and kind.read_by_ui)

    def reports(self) -> dict[str, DeviceReport]:
        return {name: self.report(name) for name in self._supervisors}

    # -- lookup ----------------------------------------------------------------------

    def get(self, name: str) -> Device | None:
        """The driver object of device `name` (None if it could not be built)."""
        built = self._supervisor(name).built
        return built.device if built is not None else None

    def names(self, kind: str | None = None) -> list[str]:
        return [n for n, c in self._configs.items() if kind is None or c.kind == kind]

    def kind_of(self, name: str) -> str:
        return self._supervisor(name).config.kind

    def _supervisor(self, name: str) -> Supervisor:
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

    def wake(self, name: str) -> None:
        """Retry opening (or check) device `name` now rather than after its backoff or
        interval; returns at once (the kiosk window calls it after attaching a camera)."""
        self._supervisor(name).wake()

    def check_now(self, name: str, timeout: float | None = None) -> DeviceStatus:
        """Run a health check of `name` now; the status it produced (or the current one
        when it did not finish within `timeout`)."""
        sup = self._supervisor(name)
        return sup.check_now(sup.timeout_s + 1.0 if timeout is None else timeout)
