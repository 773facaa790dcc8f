"""Kind `credit.consent`: a taxpayer's consent to send their credit rating to a bank
(银税互动), or its withdrawal (payload `payloads.CreditConsentPayload`). Each record is
one row of `credit_consents`; the newest per taxpayer is what `taxpayer/credit`
answers. A consent needs a newest rating of A or B (the kiosk offers it only then);
a withdrawal is always taken."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.db import CreditConsent, CreditRating, Taxpayer
from central.record_kinds import BadPayload, BatchInfo, RecordKind, register
from offline_queue.payloads import (
    CREDIT_CONSENT_KIND,
    CreditConsentPayload,
    readable_errors,
)

CONSENT_LEVELS = ("A", "B")


class CreditConsentKind(RecordKind):
    kind = CREDIT_CONSENT_KIND

    def check(self, payload: dict[str, Any]) -> CreditConsentPayload:
        try:
            return CreditConsentPayload.model_validate(payload)
        except ValidationError as exc:
            raise BadPayload(readable_errors(exc.errors())) from None

    def results(self, session: Session, checked: Sequence[CreditConsentPayload],
                batch: BatchInfo) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = []
        received = datetime.now(UTC)
        for item in checked:
            if session.get(Taxpayer, item.tin) is None:
                results.append({"status": "refused", "reason": "taxpayer.unknown"})
                continue
            if item.granted:
                level = session.execute(
                    select(CreditRating.level).where(CreditRating.tin == item.tin)
                    .order_by(CreditRating.year.desc()).limit(1)).scalar_one_or_none()
                if level not in CONSENT_LEVELS:
                    results.append({"status": "refused",
                                    "reason": "credit.level: only taxpayers rated A or B "
                                              "may share their rating"})
                    continue
            session.add(CreditConsent(tin=item.tin, bank=item.bank, granted=item.granted,
                                      at=item.at, received_at=received))
            session.flush()
            results.append({"status": "recorded", "granted": item.granted})
        return results


register(CreditConsentKind())
