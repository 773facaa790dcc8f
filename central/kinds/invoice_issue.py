"""Kind `invoice.issue`: a kiosk's pickup (or courier dispatch) of paper invoices. Its
payload is `payloads.InvoiceIssuePayload`; the ranges taken become the taxpayer's
holdings and count toward the application, retracted ones are kept apart
(central.invoice_stock.mark_issued). Idempotent per `pickup_id`: a record sent again
after a crash marks nothing twice. The result names what happened: `recorded` (with
the pieces issued), `overlap` (a range that another pickup already holds: stored,
flagged for the stock office) or `unknown_application`."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from central.invoice_stock import mark_issued
from central.record_kinds import BadPayload, BatchInfo, RecordKind, register
from offline_queue.payloads import INVOICE_ISSUE_KIND, InvoiceIssuePayload, readable_errors


class InvoiceIssueKind(RecordKind):
    kind = INVOICE_ISSUE_KIND

    def check(self, payload: dict[str, Any]) -> InvoiceIssuePayload:
        try:
            return InvoiceIssuePayload.model_validate(payload)
        except ValidationError as exc:
            raise BadPayload(readable_errors(exc.errors())) from None

    def results(self, session: Session, checked: Sequence[InvoiceIssuePayload],
                batch: BatchInfo) -> list[dict[str, Any]]:
        # The stock office reads from the range which terminal dispensed it: the kiosk
        # that sent (and signed) the batch, not anything the payload claims.
        return [mark_issued(session, kiosk_id=batch.kiosk_id, pickup_id=item.pickup_id,
                            application_no=item.application_no,
                            boxes=[box.model_dump() for box in item.boxes],
                            waybill=item.waybill, now=batch.received_at)
                for item in checked]


register(InvoiceIssueKind())
