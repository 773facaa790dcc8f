"""The device manager against simulators on real transports (pty pairs, TCP sockets):
status publishing, faults, unplug and replug without a restart, bounded backoff, and
health checks that never hang."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from drivers.base import DeviceState, DeviceStatus
from drivers.errors import DeviceCondition, DeviceErrorCode
from drivers.manager import Backoff, DefaultDriverFactory, DeviceManager, Phase
from drivers.receipt_printer import ReceiptPrinter
from drivers.serial_scanner import SerialScanner
from drivers.simulators.escpos_printer_sim import SimulatedReceiptPrinter
from drivers.simulators.serial_scanner_sim import SimulatedSerialScanner
from kiosk.config import DeviceConfig


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


class Recorder:
    """Collects published statuses (they arrive on device threads)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: list[DeviceStatus] = []

    def __call__(self, status: DeviceStatus) -> None:
        with self.lock:
            self.seen.append(status)

    def states(self, name: str) -> list[DeviceState]:
        with self.lock:
            return [s.state for s in self.seen if s.device == name]


@pytest.fixture
def scanner_sim() -> Iterator[SimulatedSerialScanner]:
    sim = SimulatedSerialScanner(stable_link=True)
    yield sim
    sim.close()


def printer_cfg(sim: SimulatedReceiptPrinter, **options: object) -> DeviceConfig:
    return DeviceConfig("receipt_printer", "receipt_printer", sim.connection,
                        {"profile": "default80", "timeout_s": 0.5, **options})


def manager(devices: list[DeviceConfig], on_scan: Callable[[str], None] | None = None,
            **kw: float) -> DeviceManager:
    kw.setdefault("health_interval_s", 0.1)
    kw.setdefault("health_timeout_s", 2.0)
    kw.setdefault("backoff_start_s", 0.05)
    kw.setdefault("backoff_max_s", 0.2)
    factory = DefaultDriverFactory(on_scan=on_scan, backoff_start_s=kw["backoff_start_s"],
                                   backoff_max_s=kw["backoff_max_s"])
    return DeviceManager(devices, factory, **kw)


def test_opens_every_device_and_publishes_their_status(printer_sim, scanner_sim) -> None:  # type: ignore[no-untyped-def]
    scans: list[str] = []
    recorder = Recorder()
    devices = [printer_cfg(printer_sim),
               DeviceConfig("scanner", "serial_scanner", scanner_sim.connection, {"suffix": "\r\n"}),
               DeviceConfig("wedge", "wedge_scanner"),
               DeviceConfig("camera", "camera_scanner")]
    mgr = manager(devices, on_scan=scans.append)
    mgr.subscribe(recorder)
    with mgr:
        assert isinstance(mgr.get("receipt_printer"), ReceiptPrinter)  # built by start()
        assert isinstance(mgr.get("scanner"), SerialScanner)
        assert mgr.wait_settled(5.0)
        assert wait_for(lambda: mgr.status("receipt_printer").state is DeviceState.IDLE)
        statuses = mgr.statuses()
        assert statuses["scanner"].state is DeviceState.IDLE
        assert statuses["wedge"].ok
        # No kiosk window here, so no frames: offline, never "ok", and never fatal.
        assert wait_for(lambda: mgr.status("camera").error is DeviceErrorCode.NO_HARDWARE)
        assert mgr.status("camera").state is DeviceState.OFFLINE and not mgr.status("camera").ok
        camera = mgr.report("camera")
        assert camera.supervised and camera.read_by_ui and mgr.report("wedge").read_by_ui
        assert mgr.report("scanner").supervised and not mgr.report("scanner").read_by_ui
        assert DeviceState.IDLE in recorder.states("receipt_printer")
        assert DeviceState.IDLE in recorder.states("scanner")
        scanner_sim.scan("01,10,033002600111,31415926,88.50,20240101,1234,")
        assert wait_for(lambda: scans == ["01,10,033002600111,31415926,88.50,20240101,1234,"])
        report = mgr.report("receipt_printer")
        assert report.phase is Phase.ENABLED and report.counters.opens >= 1  # one per check
        assert report.counters.health_checks >= 1 and report.driver_statistics["status_queries"] >= 3
        assert mgr.report("scanner").counters.opens == 1
        data = report.to_json_dict()
        assert data["state"] == "idle" and data["ok"] is True and data["kind"] == "receipt_printer"
    assert mgr.status("scanner").state is DeviceState.CLOSED
    assert mgr.status("receipt_printer").state is DeviceState.CLOSED


def test_printer_paper_out_is_an_error_with_its_condition_then_recovers(printer_sim) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder()
    with manager([printer_cfg(printer_sim)]) as mgr:
        mgr.subscribe(recorder)
        assert wait_for(lambda: mgr.status("receipt_printer").ok)
        printer_sim.paper = "empty"
        assert wait_for(lambda: mgr.status("receipt_printer").state is DeviceState.ERROR)
        status = mgr.status("receipt_printer")
        assert status.error is DeviceErrorCode.FAILURE
        assert status.condition is DeviceCondition.PAPER_EMPTY and not status.ok
        printer_sim.cover_open = True  # first, so no check sees a healthy printer between
        printer_sim.paper = "ok"
        assert wait_for(lambda: mgr.status("receipt_printer").condition
                        is DeviceCondition.COVER_OPEN)
        printer_sim.cover_open = False
        assert wait_for(lambda: mgr.status("receipt_printer").ok)
        counters = mgr.report("receipt_printer").counters
        assert counters.failures == 2 and counters.last_error is not None
        assert "cover_open" in counters.last_error
        assert recorder.states("receipt_printer")[-3:] == [DeviceState.ERROR, DeviceState.ERROR,
                                                          DeviceState.IDLE]
        assert counters.reconnects == 0  # a fault is not a disconnection


def test_scanner_unplug_goes_offline_and_comes_back_without_restart(scanner_sim) -> None:  # type: ignore[no-untyped-def]
    scans: list[str] = []
    cfg = DeviceConfig("scanner", "serial_scanner", scanner_sim.connection, {})
    with manager([cfg], on_scan=scans.append) as mgr:
        assert wait_for(lambda: mgr.status("scanner").state is DeviceState.IDLE)
        driver = mgr.get("scanner")
        scanner_sim.unplug()
        assert wait_for(lambda: mgr.status("scanner").state is DeviceState.OFFLINE)
        assert mgr.status("scanner").error is DeviceErrorCode.OFFLINE
        time.sleep(0.3)  # a few failed reopen attempts
        scanner_sim.replug()
        assert wait_for(lambda: mgr.status("scanner").state is DeviceState.IDLE, 3.0)
        assert mgr.get("scanner") is driver  # the same driver: no restart
        assert mgr.report("scanner").counters.reconnects == 1
        scanner_sim.scan("AFTER-REPLUG")
        assert wait_for(lambda: scans == ["AFTER-REPLUG"])


def test_backoff_doubles_and_is_bounded() -> None:
    b = Backoff(0.5, 30.0)
    delays = [b.next() for _ in range(10)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0, 30.0]
    b.reset()
    assert b.next() == 0.5
    with pytest.raises(ValueError):
        Backoff(0, 1)
    manager_defaults = DeviceManager([])
    assert (manager_defaults.backoff_start_s, manager_defaults.backoff_max_s) == (0.5, 30.0)


def test_powered_off_printer_is_retried_with_bounded_backoff_and_reconnects(printer_sim) -> None:  # type: ignore[no-untyped-def]
    with manager([printer_cfg(printer_sim)], health_interval_s=5.0) as mgr:
        assert wait_for(lambda: mgr.status("receipt_printer").ok)
        printer_sim.offline = True  # power off: connections refused
        mgr.check_now("receipt_printer")
        assert mgr.status("receipt_printer").state is DeviceState.OFFLINE
        retries: list[float] = []
        checks_before = mgr.report("receipt_printer").counters.health_checks
        end = time.monotonic() + 1.2
        while time.monotonic() < end:
            retry = mgr.report("receipt_printer").retry_in_s
            if retry is not None:
                retries.append(retry)
            time.sleep(0.01)
        assert retries and max(retries) <= 0.2 and min(retries) >= 0.05
        # Bounded at 0.2 s: at least five more attempts in 1.2 s (the interval is 5 s).
        assert mgr.report("receipt_printer").counters.health_checks - checks_before >= 5
        printer_sim.offline = False
        assert wait_for(lambda: mgr.status("receipt_printer").ok, 2.0)
        assert mgr.report("receipt_printer").counters.reconnects == 1


def test_a_mute_printer_is_a_timeout_within_the_deadline(printer_sim) -> None:  # type: ignore[no-untyped-def]
    printer_sim.mute = True
    started = time.monotonic()
    with manager([printer_cfg(printer_sim, timeout_s=0.3)]) as mgr:
        assert wait_for(lambda: mgr.status("receipt_printer").error is DeviceErrorCode.TIMEOUT, 2.0)
        assert time.monotonic() - started < 2.0
        assert mgr.status("receipt_printer").state is DeviceState.OFFLINE


def test_the_manager_deadline_holds_even_when_the_driver_waits_longer(printer_sim) -> None:  # type: ignore[no-untyped-def]
    # The driver would wait 30 s for an answer; the manager gives it 0.5 s.
    printer_sim.mute = True
    mgr = manager([printer_cfg(printer_sim, timeout_s=30.0)], health_timeout_s=0.5)
    started = time.monotonic()
    mgr.start()
    try:
        assert wait_for(lambda: mgr.status("receipt_printer").error is DeviceErrorCode.TIMEOUT, 2.0)
        assert time.monotonic() - started < 2.0
        status = mgr.check_now("receipt_printer", timeout=1.0)  # the driver is still stuck
        assert status.error is DeviceErrorCode.TIMEOUT
    finally:
        t = time.monotonic()
        mgr.close_all(timeout=1.0)
        assert time.monotonic() - t < 2.0


def test_configuration_mistakes_are_reported_not_retried(tmp_path) -> None:  # type: ignore[no-untyped-def]
    devices = [DeviceConfig("bad_conn", "serial_scanner", "tcp://127.0.0.1:1"),
               DeviceConfig("bad_profile", "receipt_printer", "tcp://127.0.0.1:1",
                            {"profile": "nonsense"}),
               DeviceConfig("mystery", "fax_machine", "serial:///dev/null")]
    with manager(devices) as mgr:
        assert mgr.wait_settled(2.0)
        for name in ("bad_conn", "bad_profile", "mystery"):
            status = mgr.status(name)
            assert status.error is DeviceErrorCode.ILLEGAL and not status.ok, name
            assert mgr.get(name) is None
        assert "fax_machine" in mgr.status("mystery").message


def test_a_missing_serial_printer_is_offline_and_keeps_trying(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cfg = DeviceConfig("receipt_printer", "receipt_printer", f"serial://{tmp_path}/ttyNONE",
                       {"timeout_s": 0.2})
    with manager([cfg]) as mgr:
        assert wait_for(lambda: mgr.status("receipt_printer").state is DeviceState.OFFLINE)
        first = mgr.report("receipt_printer").counters.health_checks
        assert wait_for(lambda: mgr.report("receipt_printer").counters.health_checks >= first + 3)


def test_a_listener_that_raises_does_not_stop_the_device(printer_sim) -> None:  # type: ignore[no-untyped-def]
    def broken(_status: DeviceStatus) -> None:
        raise RuntimeError("listener bug")

    recorder = Recorder()
    with manager([printer_cfg(printer_sim)]) as mgr:
        mgr.subscribe(broken)
        unsubscribe = mgr.subscribe(recorder)
        assert wait_for(lambda: mgr.status("receipt_printer").ok)
        assert wait_for(lambda: DeviceState.IDLE in recorder.states("receipt_printer"))
        unsubscribe()
        printer_sim.paper = "empty"
        assert wait_for(lambda: mgr.status("receipt_printer").state is DeviceState.ERROR)
        assert DeviceState.ERROR not in recorder.states("receipt_printer")
