"""Reusable kiosk widgets: buttons, numeric keypad, idle overlay, offline banner."""
from ui.widgets.buttons import make_button
from ui.widgets.idle_overlay import IdleOverlay
from ui.widgets.keypad import Keypad
from ui.widgets.offline_banner import OfflineBanner

__all__ = ["IdleOverlay", "Keypad", "OfflineBanner", "make_button"]
