"""Use cases, one module each. Services are Qt-free and do blocking I/O: the UI runs
them off the GUI thread (ui.ops.Op).

The names below load on first use (PEP 562): `kiosk.config` checks the service hours
(kiosk.services.hours) while the kiosk boots, before its first paint, and must not
build the whole catalogue for that (cold start, #9)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .catalogue import Policy
    from .policy import OfflinePolicy

__all__ = ["OfflinePolicy", "Policy"]


def __getattr__(name: str) -> Any:
    if name == "Policy":
        from .catalogue import Policy

        return Policy
    if name == "OfflinePolicy":
        from .policy import OfflinePolicy

        return OfflinePolicy
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
