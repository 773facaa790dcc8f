"""Tax certificates (central.certificates): issuing for an identified taxpayer, the
public checks by number and by 验证码, and revocation.

Who may call what:
- `POST /v1/kiosks/{kiosk_id}/certificate/issue`: only the enrolled and approved kiosk
  `kiosk_id`, by a sealed call (`wire.SealedCall`) carrying a live taxpayer session
  opened at that kiosk; the certificate is issued to the session's acting taxpayer
  only, and the answer is sealed to that kiosk.
- `GET /v1/certificates/{number}` and `POST /v1/certificates/check-code`: anyone (a
  bank, a school, a kiosk's certificate.verify), rate-limited per client address;
  they answer the masked summary only (name 张*丰, ID 1****************4), never the
  payment rows.
- `POST /v1/admin/certificates/{number}/revoke`: the operator (admin token).
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from central import certificates
from central.auth import SEALED_CALL_ERRORS, open_sealed_call, require_admin, seal_answer
from central.errors import ADMIN, WITH_BODY, WITH_INPUT, error_responses
from central.identity import acting_taxpayer, parse
from central.rate_limit import TokenBucket
from central.state import AppState, CentralState
from offline_queue.certificates import CHECK_CODE_LENGTH
from offline_queue.wire import SealedAnswer, SealedCall

router = APIRouter(tags=["certificates"])

_ISSUE_ERRORS = {
    401: "session.expired: unknown, expired or another kiosk's session",
    404: "certificate.no_payments: no payment matches the certificate asked for",
    422: "invalid request, a sealed call that does not open, period.invalid, or "
         "certificate.person_only (a 纳税记录 for an enterprise)",
}
_UNKNOWN = {404: "certificate.unknown: no certificate has this number or code",
            429: "too many checks from this client address (see Retry-After)"}


class CertificateStatus(BaseModel):
    """A public check's answer: `valid` or `revoked` (with `revoked_on`) and the masked
    summary the issuer certified (number, kind, taxpayer, taxpayer_id, tax_kinds,
    period, total, issued_on, tax_office)."""

    status: str
    summary: dict[str, Any]
    revoked_on: str | None = None


class CheckCodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=4 * CHECK_CODE_LENGTH)


class RevokeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=200)


class RevokeAnswer(CertificateStatus):
    number: str


def _issuer(state: CentralState) -> certificates.CertificateIssuer:
    issuer = state.certificates
    if issuer is None:  # create_app always sets one; a hand-built state may not
        raise HTTPException(503, "certificates are not configured on this service")
    return issuer


def _limit(state: CentralState, request: Request) -> None:
    wait_s = _issuer(state).public_checks.take(request.client.host if request.client else "")
    if wait_s:
        raise HTTPException(429, "too many checks from this address: try again later",
                            headers={"Retry-After": TokenBucket.retry_after(wait_s)})


@router.post("/v1/kiosks/{kiosk_id}/certificate/issue", response_model=SealedAnswer,
             responses=error_responses(*WITH_BODY, SEALED_CALL_ERRORS, _ISSUE_ERRORS))
def issue(kiosk_id: str, body: SealedCall, request: Request,
          state: AppState) -> dict[str, str]:
    """Issue a certificate (payload `{session, kind: "document" | "table" | "record",
    voucher_no? (document), period_from?, period_to? (YYYYMM)}`) -> `{certificate:
    {number, kind, check_code, issued_on, tax_office, taxpayer, rows, total, qr_text,
    period_from, period_to, summary}}`, stored in the register. Caller: the approved
    kiosk holding the session; issued to the session's acting taxpayer only."""
    issuer = _issuer(state)
    kiosk, payload = open_sealed_call(state, kiosk_id, body, "certificate.issue",
                                      request=request)
    asked: certificates.IssueRequest = parse(certificates.IssueRequest, payload)
    with state.sessions() as db:
        now = state.now()
        who = acting_taxpayer(db, kiosk_id, asked.session, now)
        cert = certificates.issue(db, issuer, who, kiosk_id, asked, state.clock(), now)
        db.commit()
    return seal_answer(kiosk, body.sent_at, {"certificate": cert})


@router.get("/v1/certificates/{number}", response_model=CertificateStatus,
            response_model_exclude_none=True,
            responses=error_responses(*WITH_INPUT, _UNKNOWN))
def by_number(request: Request, state: AppState,
              number: str = Path(max_length=64, pattern=r"^[^\x00-\x1f]*$")
              ) -> dict[str, Any]:
    """Public check by 证明号 (anyone; rate-limited per address): the status and the
    masked summary the issuer certified."""
    _limit(state, request)
    with state.sessions() as db:
        return certificates.by_number(db, number)


@router.post("/v1/certificates/check-code", response_model=CertificateStatus,
             response_model_exclude_none=True,
             responses=error_responses(*WITH_BODY, _UNKNOWN))
def by_check_code(body: CheckCodeRequest, request: Request, state: AppState) -> dict[str, Any]:
    """Public check by 验证码 (`{code}`, spaces and dashes ignored; anyone;
    rate-limited per address): the status and the masked summary, or 404."""
    _limit(state, request)
    with state.sessions() as db:
        return certificates.by_check_code(db, body.code)


@router.post("/v1/admin/certificates/{number}/revoke", response_model=RevokeAnswer,
             response_model_exclude_none=True,
             dependencies=[Depends(require_admin)],
             responses=error_responses(*WITH_BODY, *ADMIN,
                                       {404: "certificate.unknown: no such certificate"}))
def revoke(number: str, state: AppState,
           body: RevokeRequest | None = None) -> dict[str, Any]:
    """Revoke a certificate (operator, admin token; body `{reason}` optional). The
    public checks and the kiosks' online check answer `revoked` from now on; a second
    revocation changes nothing."""
    with state.sessions() as db:
        answer = certificates.revoke(db, number, body.reason if body else "", state.now())
        db.commit()
    return answer
