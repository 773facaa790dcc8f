from __future__ import annotations

from enum import Enum


class OfflinePolicy(str, Enum):
    """How a service behaves while the central service is unreachable (architecture.md)."""

    ONLINE_ONLY = "online-only"
    QUEUE = "queue"
    CACHE = "cache"
