"""Online invoice verification: the public check (anyone, coarse answer, rate-limited,
not counted) and the kiosk's signed check (an enrolled, approved kiosk: the full result,
counted toward the invoice's 5 checks a day)."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request

from central.auth import clock_skew_error, near, require_kiosk_certificate, signed_row
from central.errors import WITH_BODY, error_responses
from central.hot_path import run_hot
from central.rate_limit import TokenBucket
from central.schemas import PublicVerifyResponse, VerifyRequest, VerifyResponse
from central.state import AppState
from central.verification import check_without_counting, verify_invoice
from offline_queue.wire import STAFF_WINDOW_S, KioskVerifyRequest

router = APIRouter(tags=["verify"], responses=error_responses(*WITH_BODY))


@router.post("/v1/invoices/verify", response_model=PublicVerifyResponse,
             responses=error_responses({429: "too many checks from this client address "
                                             "(see Retry-After)"}))
def verify(body: VerifyRequest, request: Request, state: AppState) -> dict[str, Any]:
    """Public check of one invoice, open to anyone: the coarse outcome only (no
    mismatched field, no invoice details; "no_match" for a wrong field and for an
    unknown invoice alike). It does not count toward the invoice's 5 checks a day
    (strangers must not use those up) and is rate-limited per client address (a
    burst of PUBLIC_VERIFY_LIMIT[0], then PUBLIC_VERIFY_LIMIT[1] a minute, per
    process). Kiosks use the signed POST /v1/kiosks/{kiosk_id}/verify."""
    wait_s = state.public_checks.take(request.client.host if request.client else "")
    if wait_s:
        raise HTTPException(429, "too many checks from this address: try again later",
                            headers={"Retry-After": TokenBucket.retry_after(wait_s)})
    with state.sessions() as session:
        outcome = check_without_counting(session, body.model_dump(), state.clock())
    return {"outcome": outcome}


@router.post("/v1/kiosks/{kiosk_id}/verify", response_model=VerifyResponse,
             dependencies=[Depends(require_kiosk_certificate)],
             responses=error_responses({403: "not enrolled, not approved, bad signature, "
                                              "or (mutual TLS) a client certificate that "
                                              "does not name the kiosk",
                                        409: "sent_at too far from the service's clock, "
                                             "or a replayed request"}))
async def kiosk_verify(kiosk_id: str, body: KioskVerifyRequest,
                       state: AppState) -> dict[str, Any]:
    """Verify one invoice for an enrolled kiosk (a `wire.KioskVerifyRequest`,
    signed with its key): the full result (mismatched field, registry details),
    counted toward the invoice's 5 checks a day. Nothing is counted for a request
    that fails its signature, its sent_at window or the replay check."""
    return await run_hot(_kiosk_verify, kiosk_id, body, state)


def _kiosk_verify(kiosk_id: str, body: KioskVerifyRequest,
                  state: AppState) -> dict[str, Any]:
    with state.sessions() as session:
        signed_row(session.connection(), kiosk_id, body)  # Core: no ORM object needed
        if not near(body.sent_at_time, datetime.now(UTC)):
            raise clock_skew_error()
        # Past the window the sent_at check refuses it; within, this does.
        if not state.kiosk_verify_replays.first_use(f"{kiosk_id}|{body.signature}",
                                                    2 * STAFF_WINDOW_S, session=session):
            raise HTTPException(409, "replayed verification request")
        result = verify_invoice(session, body.query_fields, state.clock())
        session.commit()
    return result
