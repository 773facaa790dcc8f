"""The identified taxpayer's own affairs: registration, credit rating, arrears,
applications, notices, paid vouchers and their print count (central.registry).

Who may call them: only the enrolled and approved kiosk `kiosk_id`, by a sealed call
(`wire.SealedCall`, see central.routes.identity) carrying a live session that was
opened at that same kiosk (`{session, ...}`: 401 `session.expired` otherwise); each
call extends the session. Answers are sealed to that kiosk and unmasked (the kiosk
masks for screen and paper, kiosk/domain/masking.py).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session

from central import registry
from central.auth import SEALED_CALL_ERRORS, open_sealed_call, seal_answer
from central.db import Taxpayer
from central.errors import WITH_BODY, error_responses
from central.identity import (
    NoticeOpened,
    SessionOnly,
    VoucherPrinted,
    acting_taxpayer,
    coded,
    parse,
)
from central.state import AppState
from offline_queue.wire import SealedAnswer, SealedCall

router = APIRouter(tags=["taxpayer"], responses=error_responses(*WITH_BODY))

_SESSION = {401: "session.expired: unknown, expired or another kiosk's session"}


def _look_up(state: AppState, kiosk_id: str, body: SealedCall, request: Request,
             purpose: str, answer: Callable[[Session, Taxpayer], dict[str, Any]]
             ) -> dict[str, str]:
    kiosk, payload = open_sealed_call(state, kiosk_id, body, purpose, request=request)
    asked: SessionOnly = parse(SessionOnly, payload)
    with state.sessions() as db:
        who = acting_taxpayer(db, kiosk_id, asked.session, state.now())
        result = answer(db, who)
        db.commit()  # the session's extension
    return seal_answer(kiosk, body.sent_at, result)


@router.post("/v1/kiosks/{kiosk_id}/taxpayer/info", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _SESSION))
def info(kiosk_id: str, body: SealedCall, request: Request, state: AppState) -> dict[str, str]:
    """税务登记信息 (payload `{session}`): `{tin, name, kind, status, registered_on,
    tax_office, industry, address, legal_rep, tax_kinds}`. Caller: the approved kiosk
    holding the session."""
    return _look_up(state, kiosk_id, body, request, "taxpayer.info", registry.info)


@router.post("/v1/kiosks/{kiosk_id}/taxpayer/credit", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _SESSION))
def credit(kiosk_id: str, body: SealedCall, request: Request,
           state: AppState) -> dict[str, str]:
    """纳税信用等级 (payload `{session}`): `{ratings: [{year, level, evaluated_on}],
    consent: {bank, granted_at} | null}`. Caller: the approved kiosk holding the
    session."""
    return _look_up(state, kiosk_id, body, request, "taxpayer.credit",
                    lambda db, who: registry.credit(db, who.tin))


@router.post("/v1/kiosks/{kiosk_id}/taxpayer/arrears", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _SESSION))
def arrears(kiosk_id: str, body: SealedCall, request: Request,
            state: AppState) -> dict[str, str]:
    """欠税 (payload `{session}`): `{items: [{tax_kind, period, amount, due_on}]}`;
    the kiosk computes the late fee. Caller: the approved kiosk holding the session."""
    return _look_up(state, kiosk_id, body, request, "taxpayer.arrears",
                    lambda db, who: registry.arrears(db, who.tin))


@router.post("/v1/kiosks/{kiosk_id}/taxpayer/progress", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _SESSION))
def progress(kiosk_id: str, body: SealedCall, request: Request,
             state: AppState) -> dict[str, str]:
    """办理进度 (payload `{session}`): `{items: [{number, kind, submitted_on, status,
    reason, steps: [{name, done_on}]}]}`, newest first. Caller: the approved kiosk
    holding the session."""
    return _look_up(state, kiosk_id, body, request, "taxpayer.progress",
                    lambda db, who: registry.progress(db, who.tin))


@router.post("/v1/kiosks/{kiosk_id}/taxpayer/notices", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _SESSION))
def notices(kiosk_id: str, body: SealedCall, request: Request,
            state: AppState) -> dict[str, str]:
    """我的消息 (payload `{session}`): `{items: [{id, title, body, published_on}]}` for
    the taxpayer's industry and for everyone, newest first. Caller: the approved kiosk
    holding the session."""
    return _look_up(state, kiosk_id, body, request, "taxpayer.notices", registry.notices)


@router.post("/v1/kiosks/{kiosk_id}/taxpayer/notice-read", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _SESSION, {
                 404: "notice.unknown: the taxpayer sees no such notice"}))
def notice_read(kiosk_id: str, body: SealedCall, request: Request,
                state: AppState) -> dict[str, str]:
    """The taxpayer opened a notice (payload `{session, notice_id}`): `{read: true}`,
    also when it was read before. Only a notice that taxpayer sees can be marked, and
    only for the taxpayer the session acts as. Caller: the approved kiosk holding the
    session."""
    kiosk, payload = open_sealed_call(state, kiosk_id, body, "taxpayer.notice_read",
                                      request=request)
    asked: NoticeOpened = parse(NoticeOpened, payload)
    with state.sessions() as db:
        who = acting_taxpayer(db, kiosk_id, asked.session, state.now())
        known = registry.mark_notice_read(db, who, asked.notice_id, state.now())
        db.commit()  # the session's extension, and the read if known
    if not known:
        raise coded(404, "notice.unknown", "the taxpayer sees no such notice")
    return seal_answer(kiosk, body.sent_at, {"read": True})


@router.post("/v1/kiosks/{kiosk_id}/taxpayer/payments", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _SESSION))
def payments(kiosk_id: str, body: SealedCall, request: Request,
             state: AppState) -> dict[str, str]:
    """Paid vouchers (payload `{session}`): `{items: [{voucher_no, tax_kind, period,
    amount, paid_on, tax_office, printed}]}`, newest first. Caller: the approved kiosk
    holding the session."""
    return _look_up(state, kiosk_id, body, request, "taxpayer.payments",
                    lambda db, who: registry.payments(db, who.tin))


@router.post("/v1/kiosks/{kiosk_id}/taxpayer/voucher-printed", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _SESSION, {
                 404: "voucher.unknown: the taxpayer has no such voucher"}))
def voucher_printed(kiosk_id: str, body: SealedCall, request: Request,
                    state: AppState) -> dict[str, str]:
    """Count one more print of a paid voucher (payload `{session, voucher_no}`):
    `{printed}`, the new count. Caller: the approved kiosk holding the session."""
    kiosk, payload = open_sealed_call(state, kiosk_id, body, "taxpayer.voucher_printed",
                                      request=request)
    asked: VoucherPrinted = parse(VoucherPrinted, payload)
    with state.sessions() as db:
        who = acting_taxpayer(db, kiosk_id, asked.session, state.now())
        printed = registry.count_voucher_printed(db, who.tin, asked.voucher_no)
        if printed is None:
            db.commit()  # the session's extension
            raise coded(404, "voucher.unknown", "the taxpayer has no such voucher")
        db.commit()
    return seal_answer(kiosk, body.sent_at, {"printed": printed})
