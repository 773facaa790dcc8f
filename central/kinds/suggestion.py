"""Kind `suggestion`: a suggestion or idea (意见建议 / 创意征集) a kiosk queued. Its
payload is `payloads.SuggestionPayload`; each accepted record is stored once (by its
request id) under the receipt number the kiosk printed, which the result names."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.guidance_db import Suggestion
from central.record_kinds import BadPayload, BatchInfo, RecordKind, register
from offline_queue.payloads import SUGGESTION_KIND, SuggestionPayload, readable_errors


class SuggestionKind(RecordKind):
    kind = SUGGESTION_KIND

    def check(self, payload: dict[str, Any]) -> SuggestionPayload:
        try:
            return SuggestionPayload.model_validate(payload)
        except ValidationError as exc:
            raise BadPayload(readable_errors(exc.errors())) from None

    def results(self, session: Session, checked: Sequence[SuggestionPayload],
                batch: BatchInfo) -> list[dict[str, Any]]:
        now = datetime.now(UTC)
        ids = [c.request_id for c in checked]
        known = set(session.execute(select(Suggestion.request_id).where(
            Suggestion.request_id.in_(ids))).scalars())
        for item in checked:
            if item.request_id not in known:
                session.add(Suggestion(number=item.receipt, request_id=item.request_id,
                                       category=item.category, text=item.text,
                                       contact=item.contact, asked_at=item.at,
                                       created_at=now))
                known.add(item.request_id)
        session.flush()
        return [{"receipt": item.receipt} for item in checked]


register(SuggestionKind())
