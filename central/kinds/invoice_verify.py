"""Kind `invoice.verify`: a verification the kiosk queued while offline. Its payload is
`payloads.InvoiceVerifyPayload`; a batch's queries are checked against the registry
together, in seq order (the 5-per-day limit counts them one after another)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from pydantic import ValidationError
from sqlalchemy.orm import Session

from central.record_kinds import BadPayload, BatchInfo, RecordKind, register
from central.verification import QueryError, VerifyQuery, parse_query, verify_queries
from offline_queue.payloads import (
    INVOICE_VERIFY_KIND,
    REFERENCE_ECHO_MAX,
    InvoiceQueryFields,
    InvoiceVerifyPayload,
    readable_errors,
)


class _Checked(NamedTuple):
    query: VerifyQuery
    reference: str | None


class InvoiceVerifyKind(RecordKind):
    kind = INVOICE_VERIFY_KIND

    def check(self, payload: dict[str, Any]) -> _Checked:
        """The payload as a query; a bad one rejects just this record, before anything
        is counted."""
        try:
            wire = InvoiceVerifyPayload.model_validate(payload)
        except ValidationError as exc:
            raise BadPayload(readable_errors(exc.errors())) from None
        try:
            query = parse_query(wire.model_dump(include=set(InvoiceQueryFields.model_fields)))
        except QueryError as exc:
            raise BadPayload(str(exc)) from None
        return _Checked(query, wire.reference)

    def results(self, session: Session, checked: Sequence[_Checked],
                batch: BatchInfo) -> list[dict[str, Any]]:
        results = verify_queries(session, [c.query for c in checked], batch.today)
        for item, result in zip(checked, results, strict=True):
            if item.reference is not None:
                result["reference"] = item.reference[:REFERENCE_ECHO_MAX]
        return results


register(InvoiceVerifyKind())
