"""Use case `suggestion.box` 意见建议 / 创意征集 (Qt-free).

Offline policy: queue (the kit's kiosk.services.queued_form). A suggestion is an
outbox record of kind `suggestion`; its receipt number ("YJ" + 11 digits + a check
digit) is derived from the request id in the payload, the same on the central side,
so the slip prints it at once, offline too. The optional contact (a phone number)
travels in the sealed record and is shown masked (138****5678).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from offline_queue.payloads import (
    SUGGESTION_CATEGORIES,
    SUGGESTION_KIND,
    SUGGESTION_TEXT_MAX,
    SuggestionPayload,
)

from ..domain.errors import DomainError
from ..domain.masking import mask
from .queued_form import QueuedFormService
from .views import ResultView, Row, labeller, pick, surface_of

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

    @property
    def number(self) -> str:
        return self.receipt

    def __repr__(self) -> str:
        return f"SuggestionQueued(receipt={self.receipt!r}, <personal data hidden>)"


class SuggestionService(QueuedFormService):
    service_id = SERVICE_ID
    kind = SUGGESTION_KIND
    what = "suggestion"
    slip_title = LABELS["title"]
    number_label = LABELS["receipt"]
    number_row = "receipt"
    invalid = SuggestionInvalid

    def submit(self, *, category: str, text: str, contact: str | None) -> SuggestionQueued:
        """Queue the suggestion (blocking: an fsync). SuggestionInvalid for what the
        payload model refuses; QueueLimitExceeded beyond an exposure limit."""
        payload = self._payload(lambda: SuggestionPayload(
            request_id=str(uuid.uuid4()), category=category,
            text=text.strip()[:SUGGESTION_TEXT_MAX], contact=(contact or "").strip() or None,
            at=self._now().isoformat()))
        record_uuid = self._enqueue(payload)
        return SuggestionQueued(record_uuid, payload.receipt, category, payload.contact)

    def view(self, queued: SuggestionQueued, lang: str, surface: str = "screen") -> ResultView:
        label = labeller(LABELS, lang)
        contact = (mask("phone", queued.contact, surface_of(surface))
                   if queued.contact else None) or label("none")
        rows = (Row("receipt", label("receipt"), queued.receipt),
                Row("category", label("category"), pick(CATEGORIES[queued.category], lang)),
                Row("contact", label("contact"), contact))
        notes = [label("reply_note")] if queued.contact else []
        return ResultView(label("accepted"), "good", rows, tuple(notes))


build = SuggestionService.build  # the catalogue's factory for `suggestion.box`
