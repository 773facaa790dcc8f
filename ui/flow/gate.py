"""The identity gate, one more piece of the flow kit: a service whose catalogue entry
needs identity (`ServiceSpec.identity` not NONE) opens the gate first, and the gate
continues with the service once the taxpayer is identified.

The main window asks `redirect(window, service_id)` before it shows a service's entry
screen; no service handles identification itself. The gate's own screens and flow are
`ui/screens/identity_login.py` (service `identity.login`, which is also a tile on the
home screen): its flow's `begin(target)` starts a gate for `target`, and on success it
opens `target` again, which then passes.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.services.catalogue import Identity, UnknownService, spec
from kiosk.services.identity import satisfies

if TYPE_CHECKING:
    from ui.main_window import MainWindow

GATE_SERVICE = "identity.login"
GATE_SCREEN = "identity.login"
DONE_SCREEN = "identity.login.done"


def redirect(window: MainWindow, service_id: str) -> str | None:
    """The screen to show instead of `service_id`'s entry screen (a gate screen),
    or None when the service may start now."""
    core = window.core
    flow = window.flows.get(GATE_SERVICE)
    if core is None or flow is None:
        return None
    try:
        wanted = spec(service_id)
    except UnknownService:
        return None
    if service_id == GATE_SERVICE:
        return flow.begin(None)  # type: ignore[attr-defined]
    if wanted.identity is Identity.NONE or satisfies(core.identity.current, wanted):
        return None
    return flow.begin(service_id)  # type: ignore[attr-defined]
