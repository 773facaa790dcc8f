"""Kept for old imports: the offline policy is `kiosk.services.catalogue.Policy`, declared
per service in the catalogue and enforced by the core (`KioskCore.availability`)."""
from __future__ import annotations

from .catalogue import Policy

OfflinePolicy = Policy

__all__ = ["OfflinePolicy", "Policy"]
