"""Use case `consult.callback`: ask the 12366 service to call back (Qt-free).

Offline policy: queue (the kit's kiosk.services.queued_form). The request is an
outbox record of kind `consult.callback`; its 工单号 ("GD" + 11 digits + a check
digit) is derived from the request id in the payload, the same on the central side,
so the slip prints the number at once, even offline, and `consult.ticket` finds it
once the kiosk has synced.

The phone number travels in full inside the sealed record (staff must call it); the
screen and the slip show it masked (138****5678).
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from offline_queue.payloads import (
    CALLBACK_TEXT_MAX,
    CALLBACK_TOPICS,
    CALLBACK_WINDOWS,
    CONSULT_CALLBACK_KIND,
    PHONE_PATTERN,
    TICKET_PREFIX,
    CallbackPayload,
)

from ..domain.errors import DomainError
from ..domain.masking import mask
from .queued_form import QueuedFormService
from .views import ResultView, Row, labeller, pick, surface_of

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

    @property
    def number(self) -> str:
        return self.ticket

    def __repr__(self) -> str:
        return f"CallbackQueued(ticket={self.ticket!r}, <personal data hidden>)"


def phone_ok(phone: str) -> bool:
    return re.fullmatch(PHONE_PATTERN, phone) is not None


class CallbackService(QueuedFormService):
    service_id = SERVICE_ID
    kind = CONSULT_CALLBACK_KIND
    what = "callback request"
    slip_title = LABELS["title"]
    number_label = LABELS["ticket"]
    number_row = "ticket"
    invalid = CallbackInvalid

    def submit(self, *, topic: str, phone: str, window: str, text: str,
               lang: str) -> CallbackQueued:
        """Queue the request (blocking: an fsync). Raises CallbackInvalid for a field
        the payload model refuses, QueueLimitExceeded beyond an exposure limit."""
        payload = self._payload(lambda: CallbackPayload(
            request_id=str(uuid.uuid4()), topic=topic, phone=phone, window=window,
            text=text.strip()[:CALLBACK_TEXT_MAX], lang="en" if lang == "en" else "zh",
            at=self._now().isoformat()))
        record_uuid = self._enqueue(payload)
        return CallbackQueued(record_uuid, payload.ticket, topic, window, phone,
                              payload.text)

    def view(self, queued: CallbackQueued, lang: str, surface: str = "screen") -> ResultView:
        """What the screen and the slip say about a queued request."""
        label = labeller(LABELS, lang)
        rows = [Row("ticket", label("ticket"), queued.ticket),
                Row("topic", label("topic"), pick(TOPICS[queued.topic], lang)),
                Row("phone", label("phone"),
                    mask("phone", queued.phone, surface_of(surface))
                    or ""),
                Row("window", label("window"), pick(WINDOWS[queued.window], lang))]
        notes = [label("lookup_note")]
        return ResultView(label("accepted"), "good", tuple(rows), tuple(notes))

    def slip_qr(self, queued: CallbackQueued) -> str:
        """The slip's QR opens `consult.ticket` at any terminal."""
        return TICKET_QR_PREFIX + queued.ticket


build = CallbackService.build  # the catalogue's factory for `consult.callback`


__all__ = ["TICKET_PREFIX", "CallbackQueued", "CallbackService", "build", "phone_ok"]
