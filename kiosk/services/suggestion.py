"""Use case `suggestion.box` 意见建议 / 创意征集 (Qt-free).

Offline policy: queue. A suggestion is an outbox record of kind `suggestion`; its
receipt number ("YJ" + 11 digits + a check digit) is derived from the request id in
the payload (`offline_queue.payloads.derived_number`), the same on the central side,
so the slip prints it at once, offline too. The optional contact (a phone number)
travels in the sealed record and is shown masked (138****5678).
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from offline_queue.outbox import Outbox, OutboxError
from offline_queue.payloads import (
    SUGGESTION_CATEGORIES,
    SUGGESTION_KIND,
    SUGGESTION_TEXT_MAX,
    SuggestionPayload,
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
SERVICE_ID = "suggestion.box"

CATEGORIES: dict[str, tuple[str, str]] = {
    "service": ("服务态度与效率", "Service and waiting times"),
    "terminal": ("自助终端", "This self-service terminal"),
    "hall": ("办税环境", "The tax hall"),
    "policy": ("政策与流程", "Rules and procedures"),
    "idea": ("创意征集", "An idea for us"),
}
assert tuple(CATEGORIES) == SUGGESTION_CATEGORIES

LABELS: dict[str, tuple[str, str]] = {
    "title": ("意见建议", "Suggestions and ideas"),
    "receipt": ("受理号", "Receipt number"),
    "category": ("类别", "About"),
    "contact": ("联系电话", "Contact phone"),
    "none": ("未留", "None given"),
    "accepted": ("感谢您的意见建议，我们已收到", "Thank you: we have received your "
                                            "suggestion"),
    "reply_note": ("留有联系电话的，我们会在 5 个工作日内回复。", "If you left a phone number, "
                                                        "we reply within 5 working days."),
}


class SuggestionInvalid(DomainError):
    code = "suggestion.invalid"


@dataclass(frozen=True)
class SuggestionQueued:
    record_uuid: str
    receipt: str
    category: str
    contact: str | None = None  # for the mask only; never logged

    def __repr__(self) -> str:
        return f"SuggestionQueued(receipt={self.receipt!r}, <personal data hidden>)"


class SuggestionService:
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

    def submit(self, *, category: str, text: str, contact: str | None) -> SuggestionQueued:
        """Queue the suggestion (blocking: an fsync). SuggestionInvalid for what the
        payload model refuses; QueueLimitExceeded beyond an exposure limit."""
        try:
            payload = SuggestionPayload(request_id=str(uuid.uuid4()), category=category,
                                        text=text.strip()[:SUGGESTION_TEXT_MAX],
                                        contact=(contact or "").strip() or None,
                                        at=self._now().isoformat())
        except ValueError as exc:
            raise SuggestionInvalid(f"suggestion refused: {type(exc).__name__}") from None
        if self._limits is not None:
            check_room(self._outbox, self._limits)
        record = self._outbox.enqueue(SUGGESTION_KIND, payload.model_dump(),
                                      confirm_later=True)
        _log.info("suggestion queued as seq %s", record.seq)
        if self._on_queued is not None:
            self._on_queued()
        return SuggestionQueued(record.uuid, payload.receipt, category, payload.contact)

    def confirm_shown(self, queued: SuggestionQueued) -> Future[None]:
        reference = queued.record_uuid

        def write() -> None:
            try:
                self._outbox.mark_confirmed(reference)
            except OutboxError as exc:
                _log.warning("suggestion shown, but not recorded as shown: %s", exc)
                raise

        return self._run_io(write)

    def view(self, queued: SuggestionQueued, lang: str, surface: str = "screen") -> ResultView:
        def label(key: str) -> str:
            return pick(LABELS[key], lang)

        contact = (mask("phone", queued.contact, "paper" if surface == "paper" else "screen")
                   if queued.contact else None) or label("none")
        rows = (Row("receipt", label("receipt"), queued.receipt),
                Row("category", label("category"), pick(CATEGORIES[queued.category], lang)),
                Row("contact", label("contact"), contact))
        notes = [label("reply_note")] if queued.contact else []
        return ResultView(label("accepted"), "good", rows, tuple(notes))

    def print_slip(self, queued: SuggestionQueued, lang: str) -> None:
        view = self.view(queued, lang, "paper")
        self._slips.print_receipt(
            lang=lang, title=LABELS["title"], number_label=pick(LABELS["receipt"], lang),
            number=queued.receipt, headline=view.title,
            rows=[(r.label, r.value) for r in view.rows if r.key != "receipt"],
            notes=list(view.notes))


def build(ctx: ServiceContext) -> SuggestionService:
    """The catalogue's factory for `suggestion.box`."""
    return SuggestionService(outbox=ctx.outbox, slips=ctx.slips, now=ctx.clock.now,
                             on_queued=ctx.on_queued, limits=ctx.limits,
                             run_io=ctx.run_io)
