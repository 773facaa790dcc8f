"""What the core hands each service when it builds it from the catalogue.

A catalogue entry's `factory` ("module:callable") is called with one `ServiceContext`
and returns the service object (`KioskCore.services[id]`). The context holds the core's
shared parts; a service takes what it needs and keeps no reference to the core itself,
so it stays testable with a context built by hand.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # the core's parts; imported for the types only
    from drivers.base import DeviceStatus
    from offline_queue.crypto import KioskKeys
    from offline_queue.outbox import Outbox
    from offline_queue.reference import ReferenceInbox

    from ..central_client import CentralClient
    from ..clock import SystemClock
    from ..config import KioskConfig, LimitsConfig
    from ..connectivity import Connectivity
    from .catalogue import ServiceSpec
    from .identity import SessionIdentity
    from .slips import SlipPrinter

_T = TypeVar("_T")


def run_inline(work: Callable[[], _T]) -> Future[_T]:
    """`run_io` for a context without a core worker (tests, tools): runs `work` now and
    returns its settled future."""
    future: Future[_T] = Future()
    try:
        future.set_result(work())
    except BaseException as exc:  # noqa: BLE001 - handed to whoever reads the future
        future.set_exception(exc)
    return future


@dataclass(frozen=True)
class ServiceContext:
    """The core's shared parts, for one service.

    - `central`, `keys`: the central service client and the kiosk's keys (sign requests)
    - `outbox`, `on_queued`: the offline queue, and what to call after enqueueing
      (wakes the sync worker, refreshes the queue banner)
    - `connectivity`: what the kiosk believes about its link
    - `slips`: the receipt printer's slips
    - `limits`: [limits], the offline exposure limits
    - `reference`: the reference-data inbox (tables synced from the central service)
    - `as_enrolled`: wraps an online call (enrols on a 403 where that is allowed)
    - `run_io`: hands a short disk write to the core's I/O worker thread and returns at
      once (a Future); for work that must not run on the GUI thread yet needs no result
    - `device_status`: the status of the first configured device of a kind (or None)
    - `driver`: the first configured driver of a kind (the identity gate's ID card
      reader), or None
    - `identity`: who the session has identified (`core.identity`), for services that
      act for a taxpayer
    - `clock`, `config`, `spec`: injectable time, the kiosk's config, the service's own
      catalogue entry
    """

    spec: ServiceSpec
    config: KioskConfig
    clock: SystemClock
    central: CentralClient
    keys: KioskKeys
    outbox: Outbox
    connectivity: Connectivity
    slips: SlipPrinter
    limits: LimitsConfig
    reference: ReferenceInbox
    as_enrolled: Callable[[Callable[[], Any]], Any]
    on_queued: Callable[[], None]
    run_io: Callable[[Callable[[], Any]], Future[Any]] = run_inline
    device_status: Callable[[str], DeviceStatus | None] = lambda _kind: None
    # The first configured driver of a kind (None: none), and who the session has
    # identified (`core.identity`; kiosk.services.identity).
    driver: Callable[[str], Any] = lambda _kind: None
    identity: SessionIdentity | None = None

    @property
    def kiosk_id(self) -> str:
        return self.config.kiosk_id


def load_factory(reference: str) -> Callable[[ServiceContext], object]:
    """The callable named by a catalogue `factory` ("module:callable")."""
    module_name, _, name = reference.partition(":")
    factory = getattr(importlib.import_module(module_name), name, None)
    if not callable(factory):
        raise ImportError(f"service factory {reference!r}: {name!r} is not a callable "
                          f"of {module_name}")
    return factory


def build_service(ctx: ServiceContext) -> object | None:
    """The service object of `ctx.spec` (None for a screen-only service)."""
    if ctx.spec.factory is None:
        return None
    return load_factory(ctx.spec.factory)(ctx)
