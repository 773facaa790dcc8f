"""The few questions the UI asks the core about services, in one place.

`availability` and `route_scan` are the catalogue-driven core's answers
(`KioskCore.availability(id)`, `KioskCore.route_scan(text, current)`); the UI reads them
only through here, so the shape of an answer is interpreted once.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kiosk.services.catalogue import CATALOGUE, Group, ServiceSpec, UnknownService, spec

if TYPE_CHECKING:
    from kiosk.app import KioskCore


@dataclass(frozen=True)
class Route:
    """Where a scan goes: `service_id` None when no service takes it; `error` the
    message code saying why a text is not usable (qr.url, qr.not_invoice, ...);
    `unavailable` the target's availability reason when it cannot start now."""

    service_id: str | None
    error: str | None = None
    unavailable: str | None = None


def availability(core: KioskCore | None, service_id: str) -> str | None:
    """Why `service_id` cannot be offered now (the core's reason code: hours, offline,
    device:<code>, ...), or None when it can. Without a core nothing is refused."""
    if core is None:
        return None
    answer = core.availability(service_id)
    return None if answer.available else (answer.reason or "unavailable")


def route_scan(core: KioskCore | None, text: str, current: str | None) -> Route:
    """The service that takes this scan: the current one if it claims the scan's kind,
    else the first service that does (KioskCore.route_scan)."""
    if core is None:
        return Route(None)
    answer = core.route_scan(text, current)
    judged = answer.availability
    unavailable = None if judged is None or judged.available else (judged.reason or "unavailable")
    return Route(answer.service_id, answer.scan.error, unavailable)


def service(core: KioskCore, service_id: str) -> Any:
    """The service object the core built from the catalogue."""
    return core.service(service_id)


def taxpayer_services() -> tuple[ServiceSpec, ...]:
    return tuple(s for s in CATALOGUE if s.group is not Group.STAFF)


def entry_screen(service_id: str) -> str | None:
    try:
        return spec(service_id).entry_screen
    except UnknownService:
        return None
