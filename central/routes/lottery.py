"""The invoice lottery (有奖发票, issue #12 §3; central.lottery).

Who may call it: only the enrolled and approved kiosk `kiosk_id`, by a sealed call
(`wire.SealedCall`; 403 / 409 / 422 as in central.auth.open_sealed_call), under mutual
TLS only for the kiosk its client certificate names, and only with a live taxpayer
session opened at that kiosk by an ID card (401 `session.expired`; 403
`lottery.id_card_needed` for a session opened by QR or password: the entry is bound
to a real-name identity). The entry is the session's person's: an invoice bought by
someone else answers `lottery.not_buyer` and reveals nothing about it. The answer is
sealed to the kiosk. The draw happens here and nowhere else.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from fastapi import APIRouter, Request
from pydantic import Field

from central import lottery
from central.auth import SEALED_CALL_ERRORS, open_sealed_call, seal_answer
from central.errors import WITH_BODY, error_responses
from central.identity import SessionOnly, acting_taxpayer, coded, parse, resolve_session
from central.state import AppState
from offline_queue.wire import SealedAnswer, SealedCall

router = APIRouter(tags=["lottery"], responses=error_responses(*WITH_BODY))

_SESSION = {401: "session.expired: unknown, expired or another kiosk's session",
            403: "lottery.id_card_needed: the session was not opened by an ID card"}


class EnterAsk(SessionOnly):
    number: str = Field(pattern=r"^[0-9]{20}$")
    # What the scanned QR says (checked against the invoice); optional for a typed entry.
    total: Decimal | None = Field(default=None, ge=0, le=Decimal("1e12"), decimal_places=2)
    issued_on: date | None = None


@router.post("/v1/kiosks/{kiosk_id}/lottery/enter", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _SESSION))
def enter(kiosk_id: str, body: SealedCall, request: Request,
          state: AppState) -> dict[str, str]:
    """Enter an invoice in the lottery (payload `{session, number, total?,
    issued_on?}`): `{status: "refused", refusal, ...}` (central.lottery.REFUSALS) or
    `{status: "drawn", won, tier, amount, claim_by, campaign, invoice, counts,
    limits}`. Caller: the approved kiosk holding an ID-card session."""
    kiosk, payload = open_sealed_call(state, kiosk_id, body, "lottery.enter", request=request)
    asked: EnterAsk = parse(EnterAsk, payload)
    now = state.now()
    with state.sessions() as db:
        who = acting_taxpayer(db, kiosk_id, asked.session, now)
        if resolve_session(db, kiosk_id, asked.session, now, extend=False).method != "id_card":
            db.commit()
            raise coded(403, "lottery.id_card_needed", "identify with your ID card")
        answer = lottery.enter(db, who, number=asked.number, qr_total=asked.total,
                               qr_issued_on=asked.issued_on, kiosk_id=kiosk_id,
                               today=state.clock(), now=now,
                               rng=state.lottery_rng)
        db.commit()
    return seal_answer(kiosk, body.sent_at, answer)
