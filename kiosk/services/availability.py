"""Whether a service may start now, and why not: judged from its catalogue entry.

One function, `judge`, decides for the home screen, the core (`KioskCore.availability`)
and `kiosk services`. Its reason codes, in the order they are checked:

- `staff_only`: a staff service, asked for a taxpayer
- `hours`: outside `[ui] hours` (taxpayer services only)
- `device:<code>`: a device the service cannot work without is down; `<code>` is a
  device condition when there is one (paper_empty, cover_open, jam), else the error
  code (offline, timeout, failure, no_hardware, ...): `device_problem` below
- `devices_unknown`: the device states are not known (`kiosk services` without a fresh
  state file from a running kiosk) and the service needs a device
- `offline`: an online-only service while the central service is unreachable, or a
  service whose identification methods all need the network (QR and password logins
  do; the ID card works offline, with its reader)

Device codes are message codes (ui/messages.py turns them into sentences). Qt-free and
pure, so the rules are tested without a screen or a device.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from drivers.base import DeviceState, DeviceStatus
from drivers.errors import DeviceCondition

from .catalogue import CATALOGUE, Group, Identity, IdentityMethod, Policy, ServiceSpec, spec
from .hours import ServiceHours

# `problem_of` answers this when nobody knows the device states.
DEVICES_UNKNOWN = "unknown"
ID_CARD_READER = "id_card_reader"
# Identification methods that need the central service (the others work offline).
NETWORK_METHODS = frozenset({IdentityMethod.QR, IdentityMethod.PASSWORD})

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
                    status_of: Callable[[str], DeviceStatus | None],
                    catalogue: tuple[ServiceSpec, ...] = CATALOGUE) -> str | None:
    """Why `service_id` cannot be offered now (the first problem of a device its
    catalogue entry needs), or None."""
    for kind in spec(service_id, catalogue).devices:
        problem = device_problem(status_of(kind))
        if problem is not None:
            return problem
    return None


@dataclass(frozen=True)
class Availability:
    """`reason` is None when available; `device` names the device kind behind a
    `device:` reason."""

    available: bool
    reason: str | None = None
    device: str | None = None

    def to_json_dict(self) -> dict[str, object]:
        return {"available": self.available, "reason": self.reason}


AVAILABLE = Availability(True)


def identity_methods_now(service: ServiceSpec, online: bool,
                         problem_of: Callable[[str], str | None]) -> tuple[IdentityMethod, ...]:
    """The service's identification methods usable now: the network ones while the
    central service is reachable, the ID card while its reader works."""
    usable = []
    for method in service.identity_methods:
        if method in NETWORK_METHODS:
            if online:
                usable.append(method)
        elif method is IdentityMethod.ID_CARD:
            if problem_of(ID_CARD_READER) is None:
                usable.append(method)
        else:
            usable.append(method)
    return tuple(usable)


def judge(service: ServiceSpec, *, online: bool, problem_of: Callable[[str], str | None],
          now: datetime | None = None, hours: ServiceHours | None = None,
          staff: bool = False) -> Availability:
    """Whether `service` may start now. `problem_of(kind)` is `device_problem` of the
    first device of that kind (DEVICES_UNKNOWN when unknown); `now` is the hall's time,
    needed only with `hours`; `staff` says a staff member asks (maintenance mode)."""
    is_staff_service = service.group is Group.STAFF or service.staff_role is not None
    if is_staff_service and not staff:
        return Availability(False, "staff_only")
    if hours is not None and not is_staff_service and now is not None \
            and not hours.is_open(now):
        return Availability(False, "hours")
    for kind in service.devices:
        problem = problem_of(kind)
        if problem == DEVICES_UNKNOWN:
            return Availability(False, "devices_unknown", kind)
        if problem is not None:
            return Availability(False, f"device:{problem}", kind)
    if service.policy is Policy.ONLINE_ONLY and not online:
        return Availability(False, "offline")
    if service.identity is not Identity.NONE and service.identity_methods \
            and not identity_methods_now(service, online, problem_of):
        if not online and any(m in NETWORK_METHODS for m in service.identity_methods):
            return Availability(False, "offline")
        problem = problem_of(ID_CARD_READER)
        if problem == DEVICES_UNKNOWN:
            return Availability(False, "devices_unknown", ID_CARD_READER)
        return Availability(False, f"device:{problem}", ID_CARD_READER)
    return AVAILABLE
