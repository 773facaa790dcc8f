"""Kind `residence.application`: an application for the 中国税收居民身份证明 (payload
`payloads.ResidenceApplicationPayload`). Its number is
`payloads.residence_application_number(payload)`, which the kiosk printed on the
receipt already; the central registers it under that number in `applications` (so
`taxpayer/progress` lists it, status accepted) with its details in
`residence_applications`. The result echoes the number and the expected date."""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta, timezone
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from central.db import Application, ResidenceApplication, Taxpayer
from central.record_kinds import BadPayload, BatchInfo, RecordKind, register
from offline_queue.payloads import (
    RESIDENCE_APPLICATION_KIND,
    ResidenceApplicationPayload,
    readable_errors,
    residence_application_number,
    residence_expected_on,
)

APPLICATION_KIND = "中国税收居民身份证明"
_CHINA = timezone(timedelta(hours=8))


class ResidenceApplicationKind(RecordKind):
    kind = RESIDENCE_APPLICATION_KIND

    def check(self, payload: dict[str, Any]) -> tuple[str, ResidenceApplicationPayload]:
        try:
            checked = ResidenceApplicationPayload.model_validate(payload)
        except ValidationError as exc:
            raise BadPayload(readable_errors(exc.errors())) from None
        return residence_application_number(payload), checked

    def results(self, session: Session,
                checked: Sequence[tuple[str, ResidenceApplicationPayload]],
                batch: BatchInfo) -> list[dict[str, Any]]:
        results = []
        for number, item in checked:
            submitted = item.at.astimezone(_CHINA).date()
            answer = {"number": number,
                      "expected_on": residence_expected_on(submitted).isoformat()}
            if session.get(Taxpayer, item.tin) is None:
                results.append(answer | {"status": "refused",
                                         "reason": "taxpayer.unknown"})
                continue
            existing = session.get(Application, number)
            if existing is not None:  # the same application sent again
                status = "recorded" if existing.tin == item.tin else "refused"
                results.append(answer | {"status": status})
                continue
            session.add(Application(
                number=number, tin=item.tin, kind=APPLICATION_KIND, submitted_on=submitted,
                status="accepted", reason="",
                steps=json.dumps([{"name": "accepted", "done_on": submitted.isoformat()}])))
            session.flush()
            session.add(ResidenceApplication(
                number=number, tin=item.tin, year=item.year, country=item.country,
                reason=item.reason,
                income_types=json.dumps(item.income_types, ensure_ascii=False), at=item.at))
            session.flush()
            results.append(answer | {"status": "recorded"})
        return results


register(ResidenceApplicationKind())
