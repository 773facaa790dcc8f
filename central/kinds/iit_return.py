"""Kind `iit.annual_return`: an annual IIT return (综合所得年度汇算) filed at a kiosk
(payload `payloads.IitAnnualReturnPayload`). Its 申报序号 is
`payloads.iit_return_number(payload)`, which the kiosk printed on the 申报回执; the
central stores the return under it in `iit_returns` once (the same record again
answers `recorded` with the same number) and lists it in `applications`, so
`taxpayer/progress` shows it (a refund: status accepted, awaiting review; otherwise
done). A payment due is recorded separately by its `tax.payment` record."""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta, timezone
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from central.db import Application, Taxpayer
from central.payment_services_db import IitReturn
from central.record_kinds import BadPayload, BatchInfo, RecordKind, register
from offline_queue.payloads import (
    IIT_ANNUAL_RETURN_KIND,
    IitAnnualReturnPayload,
    iit_return_number,
    readable_errors,
)

APPLICATION_KINDS = {"refund": "个人所得税综合所得汇算退税",
                     "pay": "个人所得税综合所得汇算补税",
                     "nothing": "个人所得税综合所得汇算申报"}
_CHINA = timezone(timedelta(hours=8))


class IitAnnualReturnKind(RecordKind):
    kind = IIT_ANNUAL_RETURN_KIND

    def check(self, payload: dict[str, Any]) -> tuple[str, IitAnnualReturnPayload]:
        try:
            checked = IitAnnualReturnPayload.model_validate(payload)
        except ValidationError as exc:
            raise BadPayload(readable_errors(exc.errors())) from None
        return iit_return_number(payload), checked

    def results(self, session: Session,
                checked: Sequence[tuple[str, IitAnnualReturnPayload]],
                batch: BatchInfo) -> list[dict[str, Any]]:
        results = []
        for number, item in checked:
            if session.get(Taxpayer, item.tin) is None:
                results.append({"number": number, "status": "refused",
                                "reason": "taxpayer.unknown"})
                continue
            existing = session.get(IitReturn, number)
            if existing is not None:
                status = "recorded" if existing.tin == item.tin else "refused"
                results.append({"number": number, "status": status})
                continue
            filed_on = item.at.astimezone(_CHINA).date()
            session.add(IitReturn(
                number=number, tin=item.tin, year=item.year, result=item.result,
                amount=Decimal(item.amount), filed_at=item.at,
                body=json.dumps(item.model_dump(mode="json"), ensure_ascii=False)))
            if session.get(Application, number) is None:
                status = "accepted" if item.result == "refund" else "done"
                steps = [{"name": "accepted", "done_on": filed_on.isoformat()}]
                if status == "done":
                    steps.append({"name": "done", "done_on": filed_on.isoformat()})
                session.add(Application(
                    number=number, tin=item.tin, kind=APPLICATION_KINDS[item.result],
                    submitted_on=filed_on, status=status, reason="",
                    steps=json.dumps(steps)))
            session.flush()
            results.append({"number": number, "status": "recorded"})
        return results


register(IitAnnualReturnKind())
