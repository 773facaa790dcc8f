"""The outbox sync protocol (POST /v1/sync/batch: records authenticate themselves,
central.ingest), the lookup of a queued verification's result (whoever holds its UUID,
printed on the taxpayer's slip) and the audit of what a kiosk sent (admin token)."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query
from sqlalchemy import bindparam, select

from central.auth import require_admin
from central.db import KIOSKS_TABLE as _KIOSKS
from central.db import MAX_SEQ, Record
from central.errors import ADMIN, WITH_BODY, WITH_INPUT, error_responses
from central.hot_path import run_hot
from central.ingest import BatchError, UnknownKioskError
from central.schemas import AuditRecord, VerificationStatus
from central.state import AppState
from central.verification import queued_result_view
from offline_queue.payloads import INVOICE_VERIFY_KIND
from offline_queue.wire import SyncAck, SyncBatch

router = APIRouter(tags=["sync"])

# Built once, run as Core on the session's connection: the ORM's statement compile
# was ~5 % of a batch's CPU (#14 §6). None: no such kiosk (the ingest answers 403).
_PENDING = (select(_KIOSKS.c.approved_at.is_(None))
            .where(_KIOSKS.c.kiosk_id == bindparam("k_kiosk")))


@router.post("/v1/sync/batch", response_model=SyncAck,
             responses=error_responses(*WITH_BODY, {
                 403: "the kiosk is not enrolled, or not approved yet"}))
async def sync_batch(batch: SyncBatch, state: AppState) -> SyncAck:
    """Store a batch of outbox records, then answer with a cumulative ack."""
    return await run_hot(_sync_batch, batch, state)


def _sync_batch(batch: SyncBatch, state: AppState) -> SyncAck:
    with state.sessions() as session:
        pending = session.connection().execute(
            _PENDING, {"k_kiosk": batch.kiosk_id}).scalar_one_or_none()
        if pending:
            raise HTTPException(403, f"kiosk {batch.kiosk_id!r} is not approved yet "
                                     f"(an operator must approve its enrolment)")
        try:
            return state.ingest(session, batch, datetime.now(UTC), state.clock())
        except UnknownKioskError:
            raise HTTPException(403, f"kiosk {batch.kiosk_id!r} is not enrolled") from None
        except BatchError as exc:
            raise HTTPException(422, str(exc)) from None


@router.get("/v1/verifications/{uuid}", response_model=VerificationStatus,
            responses=error_responses(*WITH_INPUT, {
                404: "no processed verification with this uuid"}))
def verification(uuid: str, state: AppState) -> dict[str, Any]:
    """The result of a queued verification, looked up by its record UUID: only
    what a kiosk shows (outcome, mismatched field, checks today, amounts and
    seller), never the buyer's name."""
    if len(uuid) > 36:
        raise HTTPException(404, "unknown verification")
    with state.sessions() as session:
        row = session.execute(select(Record).where(
            Record.uuid.in_({uuid, uuid.lower()}), Record.kind == INVOICE_VERIFY_KIND)
        ).scalar_one_or_none()
        if row is None:
            raise HTTPException(404, "unknown verification")
        # Whoever holds the UUID (it is on the slip) sees what the kiosk shows, no
        # more: no buyer, no invoice details beyond amounts and seller.
        return {"uuid": row.uuid, "status": row.status, "reason": row.reason,
                "result": queued_result_view(json.loads(row.result) if row.result
                                             else None),
                "received_at": row.received_at}


@router.get("/v1/audit/kiosks/{kiosk_id}/records", response_model=list[AuditRecord],
            dependencies=[Depends(require_admin)],
            responses=error_responses(*ADMIN, *WITH_INPUT))
def audit(kiosk_id: str, state: AppState,
          after_seq: int = Query(default=0, ge=0, le=MAX_SEQ),
          limit: int = Query(default=1000, ge=1, le=10_000)) -> list[dict[str, Any]]:
    """What a kiosk has sent, in seq order (admin token)."""
    with state.sessions() as session:
        rows = session.execute(
            select(Record).where(Record.kiosk_id == kiosk_id, Record.seq > after_seq)
            .order_by(Record.seq).limit(limit)).scalars().all()
        return [{"seq": r.seq, "uuid": r.uuid, "kind": r.kind,
                 "received_at": r.received_at, "status": r.status,
                 "reason": r.reason} for r in rows]
