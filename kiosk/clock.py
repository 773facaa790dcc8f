"""Injectable time, so idle timeouts and retries are testable without sleeping."""
from __future__ import annotations

import time
from datetime import UTC, date, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...
    def monotonic(self) -> float: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    def today(self) -> date:
        """Today in the hall's time zone (not the machine's)."""
        from .hall_time import today

        return today()
