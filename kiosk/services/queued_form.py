"""Flow kit, Qt-free part: a form queued as one outbox record, with a number derived
from its request id and a slip (12366 callback, suggestions, and the next such form).

Offline policy: queue. The submission is always an outbox record (offline and online
alike: it reaches the central service with the next sync pass). Its number (工单号,
受理号) is derived from the request id in the payload
(`offline_queue.payloads.derived_number`), the same function the central service
applies when the record arrives, so the screen and the slip show it at once, even
offline. Success is reported only after the outbox commit; that the taxpayer saw the
number is recorded on the core's I/O worker.

A service subclasses `QueuedFormService`, declares its record kind, slip title and
number label, builds its payload in its own `submit` (through `_payload` and
`_enqueue`) and says what the screen and the slip show in `view`. Its queued value
carries `record_uuid` and `number` (`QueuedForm`).
"""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Self, TypeVar

from offline_queue.outbox import Outbox, OutboxError

from .. import log
from ..config import LimitsConfig
from ..domain.errors import DomainError
from .context import run_inline
from .exposure import check_room
from .slips import SlipPrinter
from .views import ResultView, pick

if TYPE_CHECKING:
    from datetime import datetime

    from pydantic import BaseModel

    from .context import ServiceContext

_log = log.get("session")
P = TypeVar("P", bound="BaseModel")


class QueuedForm(Protocol):
    """What a queued submission carries for the kit: its outbox record and number."""

    @property
    def record_uuid(self) -> str: ...

    @property
    def number(self) -> str: ...


class QueuedFormService:
    """The outbox, slip and confirmation plumbing of a queued form."""

    service_id: ClassVar[str]
    kind: ClassVar[str]  # the outbox record kind
    what: ClassVar[str]  # for log lines and refusals ("callback request")
    slip_title: ClassVar[tuple[str, str]]
    number_label: ClassVar[tuple[str, str]]  # zh, en ("工单号", "Ticket number")
    number_row: ClassVar[str]  # the view row holding the number: the slip prints it big
    invalid: ClassVar[type[DomainError]]  # raised for what the payload model refuses

    def __init__(self, *, outbox: Outbox, slips: SlipPrinter, now: Callable[[], datetime],
                 on_queued: Callable[[], None] | None = None,
                 limits: LimitsConfig | None = None,
                 run_io: Callable[[Callable[[], Any]], Future[Any]] = run_inline) -> None:
        self._outbox = outbox
        self._slips = slips
        self._now = now
        self._on_queued = on_queued
        self._limits = limits
        self._run_io = run_io

    @classmethod
    def build(cls, ctx: ServiceContext) -> Self:
        """The catalogue's factory (`module:build`)."""
        return cls(outbox=ctx.outbox, slips=ctx.slips, now=ctx.clock.now,
                   on_queued=ctx.on_queued, limits=ctx.limits, run_io=ctx.run_io)

    # -- for subclasses' submit ----------------------------------------------------------
    def _payload(self, make: Callable[[], P]) -> P:
        """The payload model `make` builds; `invalid` (no field values in the message)
        for what it refuses."""
        try:
            return make()
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            raise self.invalid(f"{self.what} refused: {type(exc).__name__}") from None

    def _enqueue(self, payload: BaseModel) -> str:
        """Commit the record (blocking: an fsync); returns its UUID. QueueLimitExceeded
        beyond an exposure limit (nothing queued)."""
        if self._limits is not None:
            check_room(self._outbox, self._limits)
        record = self._outbox.enqueue(self.kind, payload.model_dump(), confirm_later=True)
        _log.info("%s queued as seq %s", self.what, record.seq)
        if self._on_queued is not None:
            self._on_queued()
        return record.uuid

    # -- after the commit ----------------------------------------------------------------
    def confirm_shown(self, queued: QueuedForm) -> Future[None]:
        """The taxpayer saw the number on screen (written on the I/O worker)."""
        reference = queued.record_uuid

        def write() -> None:
            try:
                self._outbox.mark_confirmed(reference)
            except OutboxError as exc:
                _log.warning("%s shown, but not recorded as shown: %s", self.what, exc)
                raise

        return self._run_io(write)

    def view(self, queued: Any, lang: str, surface: str = "screen") -> ResultView:
        """What the screen (`surface` "screen") and the slip ("paper") say."""
        raise NotImplementedError

    def slip_qr(self, queued: Any) -> str | None:
        """A QR for the slip (None: none)."""
        return None

    def print_slip(self, queued: Any, lang: str) -> None:
        """The slip with the number printed large (PrintFailed when it cannot print;
        the submission stays queued either way)."""
        view = self.view(queued, lang, "paper")
        self._slips.print_receipt(
            lang=lang, title=self.slip_title, number_label=pick(self.number_label, lang),
            number=queued.number, headline=view.title,
            rows=[(r.label, r.value) for r in view.rows if r.key != self.number_row],
            notes=list(view.notes), qr_data=self.slip_qr(queued))
