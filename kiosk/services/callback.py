"""Use case `consult.callback`: ask the 12366 service to call back (Qt-free).

Offline policy: queue. The request is always an outbox record of kind
`consult.callback` (offline and online alike: it reaches the central service with the
next sync pass, within seconds while online), and its 工单号 is derived from the
request id in the payload (`offline_queue.payloads.derived_number`: "GD" + 11 digits +
a check digit), the same function the central service applies when the record
arrives. So the slip prints the number at once, even offline, and `consult.ticket`
finds it once the kiosk has synced. Success is reported only after the outbox commit.

The phone number travels in full inside the sealed record (staff must call it); the
screen and the slip show it masked (138****5678).
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from offline_queue.outbox import Outbox, OutboxError
from offline_queue.payloads import (
    CALLBACK_TEXT_MAX,
    CALLBACK_TOPICS,
    CALLBACK_WINDOWS,
    CONSULT_CALLBACK_KIND,
    PHONE_PATTERN,
    TICKET_PREFIX,
    CallbackPayload,
)

from .. import log
from ..config import LimitsConfig
from ..domain.errors import DomainError
from ..domain.masking import mask
from .context import run_inline
from .exposure import check_room
from .slips import SlipPrinter
from .views import ResultView, Row, pick

if TYPE_CHECKING:
    from datetime import datetime

    from .context import ServiceContext

_log = log.get("session")
SERVICE_ID = "consult.callback"
#: Scanning a callback slip's QR opens `consult.ticket` with its number.
TICKET_QR_PREFIX = "TAXKIOSK:TICKET:"

TOPICS: dict[str, tuple[str, str]] = {
    "iit": ("个人所得税", "Individual income tax"),
    "invoice": ("发票", "Invoices"),
    "vat": ("增值税", "VAT"),
    "social_insurance": ("社会保险费", "Social insurance"),
    "property": ("房产和车辆", "Property and vehicles"),
    "other": ("其他", "Something else"),
}
WINDOWS: dict[str, tuple[str, str]] = {
    "morning": ("上午 9:00-12:00", "Morning 9:00-12:00"),
    "afternoon": ("下午 14:00-17:30", "Afternoon 14:00-17:30"),
    "any": ("工作时间均可", "Any time in office hours"),
}
assert tuple(TOPICS) == CALLBACK_TOPICS and tuple(WINDOWS) == CALLBACK_WINDOWS

LABELS: dict[str, tuple[str, str]] = {
    "ticket": ("工单号", "Ticket number"),
    "topic": ("咨询类别", "Topic"),
    "phone": ("回电号码", "Phone"),
    "window": ("回电时段", "When to call"),
    "text": ("问题描述", "Your question"),
    "title": ("12366 预约回电", "12366 callback request"),
    "accepted": ("已受理，12366 将在您选择的时段回电", "Accepted: 12366 will call you back "
                                                  "in the time you chose"),
    "lookup_note": ("凭工单号可在本机“工单查询”查看回复。", "Look up the replies with this "
                                                     "number under \"Ticket look-up\"."),
}


class CallbackInvalid(DomainError):
    """A field the form should have refused (kept for callers other than the form)."""

    code = "callback.invalid"


@dataclass(frozen=True)
class CallbackQueued:
    """A callback request committed to the outbox: its record and its 工单号."""

    record_uuid: str
    ticket: str
    topic: str
    window: str
    phone: str = ""  # the full number, for the slip's mask only; never logged
    text: str = ""

    def __repr__(self) -> str:
        return f"CallbackQueued(ticket={self.ticket!r}, <personal data hidden>)"


def phone_ok(phone: str) -> bool:
    return re.fullmatch(PHONE_PATTERN, phone) is not None


class CallbackService:
    service_id = SERVICE_ID

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

    def submit(self, *, topic: str, phone: str, window: str, text: str,
               lang: str) -> CallbackQueued:
        """Queue the request (blocking: an fsync). Raises CallbackInvalid for a field
        the payload model refuses, QueueLimitExceeded beyond an exposure limit."""
        try:
            payload = CallbackPayload(request_id=str(uuid.uuid4()), topic=topic,
                                      phone=phone, window=window,
                                      text=text.strip()[:CALLBACK_TEXT_MAX],
                                      lang="en" if lang == "en" else "zh",
                                      at=self._now().isoformat())
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            raise CallbackInvalid(f"callback request refused: {type(exc).__name__}") from None
        if self._limits is not None:
            check_room(self._outbox, self._limits)
        record = self._outbox.enqueue(CONSULT_CALLBACK_KIND, payload.model_dump(),
                                      confirm_later=True)
        _log.info("callback request queued as seq %s", record.seq)
        if self._on_queued is not None:
            self._on_queued()
        return CallbackQueued(record.uuid, payload.ticket, topic, window, phone,
                              payload.text)

    def confirm_shown(self, queued: CallbackQueued) -> Future[None]:
        """The taxpayer saw the 工单号 on screen (written on the I/O worker)."""
        reference = queued.record_uuid

        def write() -> None:
            try:
                self._outbox.mark_confirmed(reference)
            except OutboxError as exc:
                _log.warning("callback shown, but not recorded as shown: %s", exc)
                raise

        return self._run_io(write)

    def view(self, queued: CallbackQueued, lang: str, surface: str = "screen") -> ResultView:
        """What the screen and the slip say about a queued request."""
        def label(key: str) -> str:
            return pick(LABELS[key], lang)

        rows = [Row("ticket", label("ticket"), queued.ticket),
                Row("topic", label("topic"), pick(TOPICS[queued.topic], lang)),
                Row("phone", label("phone"),
                    mask("phone", queued.phone, "paper" if surface == "paper" else "screen")
                    or ""),
                Row("window", label("window"), pick(WINDOWS[queued.window], lang))]
        notes = [label("lookup_note")]
        return ResultView(label("accepted"), "good", tuple(rows), tuple(notes))

    def print_slip(self, queued: CallbackQueued, lang: str) -> None:
        """The slip with the 工单号 (PrintFailed when it cannot print; the request
        stays queued either way). Its QR opens `consult.ticket` at any terminal."""
        view = self.view(queued, lang, "paper")
        self._slips.print_receipt(
            lang=lang, title=LABELS["title"], number_label=pick(LABELS["ticket"], lang),
            number=queued.ticket, headline=view.title,
            rows=[(r.label, r.value) for r in view.rows if r.key != "ticket"],
            notes=list(view.notes), qr_data=TICKET_QR_PREFIX + queued.ticket)


def build(ctx: ServiceContext) -> CallbackService:
    """The catalogue's factory for `consult.callback`."""
    return CallbackService(outbox=ctx.outbox, slips=ctx.slips, now=ctx.clock.now,
                           on_queued=ctx.on_queued, limits=ctx.limits,
                           run_io=ctx.run_io)


__all__ = ["TICKET_PREFIX", "CallbackQueued", "CallbackService", "build", "phone_ok"]
