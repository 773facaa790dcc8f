"""Which services cannot work without which devices, and why something is unavailable.

Answers are message codes (ui/messages.py turns them into sentences): a device
condition when there is one (paper_empty, cover_open, jam), else the error code
(offline, timeout, failure, no_hardware, ...). Qt-free and pure, so the rules are
tested without a screen.
"""
from __future__ import annotations

from collections.abc import Callable

from drivers.base import DeviceState, DeviceStatus
from drivers.errors import DeviceCondition

# service id -> device kinds it cannot work without. Invoice verification needs none:
# invoices can be typed when the scanner is down, and the result shows on screen when
# the printer is (only its print button waits for the printer).
SERVICE_DEVICES: dict[str, tuple[str, ...]] = {
    "invoice.verify": (),
}

# Warnings that do not stop a device from working.
_WARNINGS = frozenset({DeviceCondition.PAPER_NEAR_END, DeviceCondition.STOCK_LOW})


def device_problem(status: DeviceStatus | None) -> str | None:
    """Why this device cannot be used now (a message code), or None.

    A device not checked yet (closed, no error) is not a problem: the job itself asks
    the device first. No status at all means no such device is configured.
    """
    if status is None:
        return "no_hardware"
    if status.error is None and status.state is not DeviceState.ERROR:
        return None
    if status.condition is not None and status.condition not in _WARNINGS:
        return status.condition.value
    return status.error.value if status.error is not None else "failure"


def service_problem(service_id: str,
                    status_of: Callable[[str], DeviceStatus | None]) -> str | None:
    """Why `service_id` cannot be offered now (the first device problem), or None."""
    for kind in SERVICE_DEVICES.get(service_id, ()):
        problem = device_problem(status_of(kind))
        if problem is not None:
            return problem
    return None
