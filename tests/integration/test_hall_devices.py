"""Every simulated device of the hall is opened and supervised by the kiosk's device
manager, and comes back after an unplug without a restart (real pty pairs)."""
from __future__ import annotations

import time

from drivers.base import DeviceState
from drivers.errors import DeviceCondition

OPTIONAL = ("id_card_reader", "payment_terminal", "invoice_dispenser", "staff_card_reader")


def wait_for(predicate, timeout: float = 8.0) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_every_simulated_device_is_supervised_and_survives_an_unplug(hall, core) -> None:  # type: ignore[no-untyped-def]
    present = [d for d in OPTIONAL if d in hall.devices()]
    assert present == list(OPTIONAL)  # every simulator ships with the project
    devices = core.devices
    # Plus the A4 printer: the real driver writing PDFs to a folder, nothing to unplug.
    assert set(devices.names()) == set(hall.devices()) | {"a4_printer"}
    assert wait_for(lambda: all(devices.status(d).ok for d in hall.devices())), \
        devices.statuses()
    drivers = {d: devices.get(d) for d in present}
    for d in present:
        hall.set_fault(d, "unplug")
    assert wait_for(lambda: all(devices.status(d).state is DeviceState.OFFLINE for d in present)), \
        devices.statuses()
    for d in present:
        hall.restore(d)
    assert wait_for(lambda: all(devices.status(d).ok for d in present)), devices.statuses()
    for d in present:
        assert devices.get(d) is drivers[d]  # the same driver object: no restart
        assert devices.report(d).counters.reconnects == 1, d


def test_dispenser_stock_and_door_faults_reach_the_status(hall, core) -> None:  # type: ignore[no-untyped-def]
    assert "invoice_dispenser" in hall.devices()
    status = lambda: core.devices.status("invoice_dispenser")  # noqa: E731
    assert wait_for(lambda: status().ok)
    hall.set_fault("invoice_dispenser", "paper_out")
    assert wait_for(lambda: status().condition is DeviceCondition.STOCK_EMPTY), status()
    assert status().state is DeviceState.ERROR
    hall.restore("invoice_dispenser")
    assert wait_for(lambda: status().ok), status()
    # What a technician must see on the status page: stock running low, the door open.
    hall.set_fault("invoice_dispenser", "paper_near_end")
    assert wait_for(lambda: status().condition is DeviceCondition.STOCK_LOW), status()
    hall.restore("invoice_dispenser")
    assert wait_for(lambda: status().condition is None and status().ok), status()
    hall.set_fault("invoice_dispenser", "cover_open")
    assert wait_for(lambda: status().condition is DeviceCondition.DOOR_OPEN), status()
    assert status().state is DeviceState.ERROR
    hall.restore("invoice_dispenser")
    assert wait_for(lambda: status().ok), status()
