"""What the kiosk believes about its link to the central service.

After a failed call, taxpayers are not made to wait for another timeout: for a grace
period services go straight to their offline behaviour while the sync worker probes.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime


class Connectivity:
    def __init__(self, grace_s: float = 15.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._grace_s = grace_s
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._online = True
        self._last_failure: float | None = None
        self.offline_since: datetime | None = None
        self._listeners: list[Callable[[bool], None]] = []

    @property
    def online(self) -> bool:
        return self._online

    def subscribe(self, listener: Callable[[bool], None]) -> None:
        self._listeners.append(listener)

    def should_try(self) -> bool:
        """True when a live call is worth the taxpayer's wait."""
        with self._lock:
            if self._online or self._last_failure is None:
                return True
            return self._monotonic() - self._last_failure >= self._grace_s

    def mark_ok(self) -> None:
        self._set(True)

    def mark_down(self) -> None:
        self._set(False)

    def _set(self, online: bool) -> None:
        with self._lock:
            changed = online != self._online
            self._online = online
            if not online:
                self._last_failure = self._monotonic()
                if changed:
                    self.offline_since = datetime.now(UTC)
            else:
                self.offline_since = None
        if changed:
            for listener in list(self._listeners):
                listener(online)
