"""The thread pool of the busiest routes (issue #14 §6): heartbeats, sync batches and
the kiosks' online verifications, ~all of a hall's steady traffic.

FastAPI runs a plain `def` route on anyio's default pool (40 threads per worker).
Under 200 kiosks that meant up to 40 threads per worker contending for one GIL, and
the switching cost more CPU than the requests' own work: with at most HOT_THREADS of
them running these routes, a request's service CPU fell from ~5 ms to ~4 ms and the
sustained rate rose by half (docs/design.md, "Central load"). The other requests wait
on the event loop, where waiting costs nothing, and each hot route still runs in a
thread: its database calls never block the loop.

The default pool is left as it is for every other route: the payment long-polls
sleep in their thread for up to 10 s, and must not take the hot routes' threads.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, TypeVarTuple

import anyio.to_thread
from anyio import CapacityLimiter
from anyio.lowlevel import RunVar

#: Threads per worker process for the hot routes. A few more than the cores: a
#: request waiting on PostgreSQL (a round trip, a kiosk's row lock) releases the GIL,
#: and the next one runs meanwhile. Measured: 4 and 8 alike, 40 ~30 % dearer.
HOT_THREADS = 8

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

# One limiter per event loop, as anyio's default one (tests run a server per thread).
_LIMITER: RunVar[CapacityLimiter] = RunVar("central_hot_path_limiter")


def hot_limiter() -> CapacityLimiter:
    """This event loop's limiter of the hot routes' threads."""
    try:
        return _LIMITER.get()
    except LookupError:
        limiter = CapacityLimiter(HOT_THREADS)
        _LIMITER.set(limiter)
        return limiter


async def run_hot(func: Callable[[*Ts], T], *args: *Ts) -> T:
    """`func(*args)` in a worker thread, at most HOT_THREADS at once per process."""
    return await anyio.to_thread.run_sync(func, *args, limiter=hot_limiter())
