"""Kind `consult.callback`: a 12366 callback request a kiosk queued (online or not).
Its payload is `payloads.CallbackPayload`; each accepted record registers one ticket
under the 工单号 the kiosk already printed (`payloads.derived_number` of the payload's
request id), and the result names the ticket. A request id seen before (a payload
sent again in a new record) answers the existing ticket instead of a second one."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.guidance_db import ConsultTicket
from central.record_kinds import BadPayload, BatchInfo, RecordKind, register
from offline_queue.payloads import CONSULT_CALLBACK_KIND, CallbackPayload, readable_errors


class ConsultCallbackKind(RecordKind):
    kind = CONSULT_CALLBACK_KIND

    def check(self, payload: dict[str, Any]) -> CallbackPayload:
        try:
            return CallbackPayload.model_validate(payload)
        except ValidationError as exc:
            raise BadPayload(readable_errors(exc.errors())) from None

    def results(self, session: Session, checked: Sequence[CallbackPayload],
                batch: BatchInfo) -> list[dict[str, Any]]:
        now = datetime.now(UTC)
        ids = [c.request_id for c in checked]
        known = {t.request_id: t for t in session.execute(
            select(ConsultTicket).where(ConsultTicket.request_id.in_(ids))).scalars()}
        out = []
        for request in checked:
            ticket = known.get(request.request_id)
            if ticket is None:
                ticket = ConsultTicket(
                    number=request.ticket, request_id=request.request_id,
                    topic=request.topic, phone=request.phone, window=request.window,
                    text=request.text, lang=request.lang, asked_at=request.at,
                    created_at=now, status="open")
                session.add(ticket)
                known[request.request_id] = ticket
            out.append({"ticket": ticket.number, "status": ticket.status})
        session.flush()
        return out


register(ConsultCallbackKind())
