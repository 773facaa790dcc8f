"""Reusable kiosk widgets: buttons, numeric keypad, idle overlay, offline banner.

The names are loaded on first use, so importing one widget module (the attract screen
at boot) does not import the others.
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ui.widgets.buttons import make_button
    from ui.widgets.idle_overlay import IdleOverlay
    from ui.widgets.keypad import Keypad
    from ui.widgets.offline_banner import OfflineBanner

__all__ = ["IdleOverlay", "Keypad", "OfflineBanner", "make_button"]
_MODULES = {"IdleOverlay": "idle_overlay", "Keypad": "keypad",
            "OfflineBanner": "offline_banner", "make_button": "buttons"}


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_MODULES[name]}"), name)
