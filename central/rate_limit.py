"""In-process guards of the central service: a token bucket per client address for
the public endpoints, and a replay guard for kiosks' signed verification requests.

Each address holds up to `burst` tokens and gains `per_minute` tokens a minute; a
request takes one or is refused (HTTP 429 with Retry-After). State lives in the
process: with `--workers N` each worker keeps its own buckets (the limit is N times
looser), and a restart forgets them. Behind a reverse proxy every request comes from
the proxy's address: rate-limit at the proxy instead, or all clients share one bucket.
"""
from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

MAX_TRACKED = 10_000  # addresses remembered; the least recently seen are dropped first


@dataclass
class _Bucket:
    tokens: float
    at: float  # monotonic time `tokens` was computed


class TokenBucket:
    """Per-key token buckets; thread-safe (FastAPI runs `def` handlers on a pool)."""

    def __init__(self, burst: int, per_minute: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if burst < 1 or per_minute <= 0:
            raise ValueError("burst must be >= 1 and per_minute > 0")
        self.burst = burst
        self.rate = per_minute / 60.0  # tokens per second
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def take(self, key: str) -> float:
        """Take a token for `key`: 0.0 if granted, else the seconds until one is due."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.pop(key, None)
            if bucket is None:
                bucket = _Bucket(float(self.burst), now)
            else:
                bucket.tokens = min(float(self.burst),
                                    bucket.tokens + (now - bucket.at) * self.rate)
                bucket.at = now
            self._buckets[key] = bucket  # most recently seen last
            while len(self._buckets) > MAX_TRACKED:
                # A forgotten address starts again with a full bucket: bounded memory
                # matters more than exactness for addresses not seen for a while.
                self._buckets.popitem(last=False)
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate

    @staticmethod
    def retry_after(wait_s: float) -> str:
        """The Retry-After header value (whole seconds, at least 1)."""
        return str(max(1, math.ceil(wait_s)))


class ReplayGuard:
    """Remembers signed requests (by a key, e.g. kiosk id and signature) until their
    sent_at window has passed, so each is answered once. In-process like the buckets:
    with `--workers N` a replay that reaches another worker within the window is not
    caught (the sent_at window still bounds it)."""

    def __init__(self, max_entries: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._max = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._until: OrderedDict[str, float] = OrderedDict()  # key -> forget after

    def first_use(self, key: str, keep_s: float, session: object = None) -> bool:
        """True the first time `key` is seen (and remember it for `keep_s`). `session`
        is for central.replay_db.DbReplayGuard's sake (ignored here)."""
        now = self._clock()
        with self._lock:
            while self._until and next(iter(self._until.values())) <= now:
                self._until.popitem(last=False)  # entries are added with one keep_s
            if key in self._until:
                return False
            self._until[key] = now + keep_s
            while len(self._until) > self._max:
                self._until.popitem(last=False)
            return True
