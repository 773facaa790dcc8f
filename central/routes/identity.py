"""Taxpayer identification at a kiosk: ID card, scan-to-login QR (with its long-poll)
and TIN + password; acting for an enterprise; logout (central.identity).

Who may call them: `/v1/kiosks/{kiosk_id}/identity/...` only the enrolled and
approved kiosk `kiosk_id`, by a sealed call (`wire.SealedCall`: signed with its key,
the request sealed to its data key, sent_at within 300 s, each signature answered
once; under mutual TLS only with a client certificate naming it); every answer is
sealed to that kiosk. `POST /v1/login/qr/{token}/approve` stands in for the tax app
and is a demo endpoint (central.bind_rules.demo_refusal: off unless the service runs
on loopback or with --insecure-demo, and behind the admin token when one is set).
"""
from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Header, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from central.auth import SEALED_CALL_ERRORS, open_sealed_call, seal_answer
from central.bind_rules import demo_refusal, exposure_of
from central.errors import WITH_BODY, error_responses
from central.identity import (
    ActFor,
    IdCardLogin,
    PasswordLogin,
    QrPoll,
    QrWaiters,
    SessionOnly,
    act_for,
    approve_qr,
    create_qr,
    end_session,
    id_card_login,
    parse,
    password_login,
    poll_qr,
    token_hash,
)
from central.state import AppState, CentralState
from offline_queue.wire import SealedAnswer, SealedCall

router = APIRouter(tags=["identity"], responses=error_responses(*WITH_BODY))

#: How often a long-poll looks at the database when no in-process approval wakes it
#: (an approval that reached another worker process).
POLL_CHECK_S = 1.0


def _waiters(state: CentralState) -> QrWaiters:
    if state.qr_waiters is None:
        state.qr_waiters = QrWaiters()
    waiters: QrWaiters = state.qr_waiters
    return waiters


@router.post("/v1/kiosks/{kiosk_id}/identity/id-card", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, {
                 404: "taxpayer.unknown: no registered taxpayer for this ID card",
                 422: "invalid request, an expired card, or a sealed call that does "
                      "not open"}))
def id_card(kiosk_id: str, body: SealedCall, request: Request,
            state: AppState) -> dict[str, str]:
    """Identify the natural person whose ID card the kiosk read (payload `{id_number,
    name, valid_until}`; the kiosk checked GB 11643 and expiry): answer `{identity}`.
    Caller: the approved kiosk (sealed call)."""
    kiosk, payload = open_sealed_call(state, kiosk_id, body, "identity.id_card",
                                      request=request)
    card: IdCardLogin = parse(IdCardLogin, payload)
    with state.sessions() as db:
        identity = id_card_login(db, kiosk_id, card, state.clock(), state.now())
        db.commit()
    return seal_answer(kiosk, body.sent_at, {"identity": identity})


@router.post("/v1/kiosks/{kiosk_id}/identity/qr", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS))
def qr(kiosk_id: str, body: SealedCall, request: Request, state: AppState) -> dict[str, str]:
    """A new one-time login QR for the kiosk's screen (payload `{}`): answer `{token,
    qr_text, expires_at}`, valid 120 s. Caller: the approved kiosk (sealed call)."""
    kiosk, _payload = open_sealed_call(state, kiosk_id, body, "identity.qr",
                                       request=request)
    with state.sessions() as db:
        answer = create_qr(db, kiosk_id, state.now())
        db.commit()
    return seal_answer(kiosk, body.sent_at, answer)


@router.post("/v1/kiosks/{kiosk_id}/identity/qr/poll", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS))
async def qr_poll(kiosk_id: str, body: SealedCall, request: Request,
                  state: AppState) -> dict[str, str]:
    """Whether the tax app approved the kiosk's login QR (payload `{token, wait_s}`,
    wait_s 0-25): answer `{status: pending | approved | expired | used, identity?}`,
    waiting up to wait_s while it is pending. Approved is answered once, to the kiosk
    that created the QR. The wait holds neither a database connection nor a worker
    thread: short checks in the thread pool, and an in-process wake-up on approval.
    Caller: the approved kiosk (sealed call)."""
    kiosk, payload = await run_in_threadpool(open_sealed_call, state, kiosk_id, body,
                                             "identity.qr_poll", request=request)
    poll: QrPoll = parse(QrPoll, payload)

    def check() -> dict[str, Any]:
        with state.sessions() as db:
            answer = poll_qr(db, kiosk_id, poll.token, state.now())
            db.commit()
        return answer

    loop = asyncio.get_running_loop()
    deadline = loop.time() + poll.wait_s
    waiters = _waiters(state)
    key = token_hash(poll.token)
    event = waiters.subscribe(key)
    try:
        while True:
            answer = await run_in_threadpool(check)
            remaining = deadline - loop.time()
            if answer["status"] != "pending" or remaining <= 0:
                break
            try:
                await asyncio.wait_for(event.wait(), timeout=min(POLL_CHECK_S, remaining))
            except TimeoutError:
                pass
            event.clear()
    finally:
        waiters.unsubscribe(key, event)
    return seal_answer(kiosk, body.sent_at, answer)


class QrApproval(BaseModel):
    """The tax app's approval of a login QR: the TIN of the taxpayer who scanned it."""

    model_config = ConfigDict(extra="forbid")

    tin: str = Field(min_length=1, max_length=20)


@router.post("/v1/login/qr/{token}/approve", status_code=204,
             responses=error_responses({
                 401: "admin token required (Authorization: Bearer ...)",
                 403: "wrong admin token",
                 404: "demo endpoints are off on this service; login.qr_expired: the "
                      "QR is unknown or expired; taxpayer.unknown: no such TIN",
                 409: "login.qr_used: the QR was already approved"}))
def approve(token: str, body: QrApproval, request: Request, state: AppState,
            authorization: str | None = Header(default=None)) -> None:
    """The tax app's side of scan-to-login, for demonstrations: approve the login QR
    `token` for taxpayer `tin`. Caller: demo only (central.bind_rules.demo_refusal:
    loopback or --insecure-demo, and the admin token when one is set)."""
    refusal = demo_refusal(exposure_of(request.app), state.admin_token, authorization)
    if refusal is not None:
        raise HTTPException(*refusal)
    if len(token) > 64:
        raise HTTPException(422, "token: at most 64 characters")
    with state.sessions() as db:
        approve_qr(db, token, body.tin, state.now())
        db.commit()
    _waiters(state).notify(token_hash(token))


@router.post("/v1/kiosks/{kiosk_id}/identity/password", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, {
                 404: "taxpayer.unknown: no taxpayer with this TIN has a password "
                      "login",
                 422: "invalid request (e.g. a password over 64 characters: not "
                      "counted), or a sealed call that does not open"}))
def password(kiosk_id: str, body: SealedCall, request: Request,
             state: AppState) -> dict[str, str]:
    """TIN + password (payload `{tin, password}`): answer `{result: "ok", identity}` |
    `{result: "wrong", tries_left}` | `{result: "locked", until}`. 5 wrong passwords
    lock the TIN for 15 minutes, counted across every kiosk. Caller: the approved
    kiosk (sealed call)."""
    kiosk, payload = open_sealed_call(state, kiosk_id, body, "identity.password",
                                      request=request)
    login: PasswordLogin = parse(PasswordLogin, payload)
    answer = password_login(state.sessions, kiosk_id, login, state.now())
    return seal_answer(kiosk, body.sent_at, answer)


@router.post("/v1/kiosks/{kiosk_id}/identity/enterprise", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, {
                 401: "session.expired: unknown, expired or another kiosk's session",
                 404: "taxpayer.unknown: not an enterprise this taxpayer acts for"}))
def enterprise(kiosk_id: str, body: SealedCall, request: Request,
               state: AppState) -> dict[str, str]:
    """Act for one of the identified person's enterprises (payload `{session, tin}`;
    the person's own TIN acts for themself again): answer `{identity}` with a new
    session (the old one ends). Caller: the approved kiosk holding the session."""
    kiosk, payload = open_sealed_call(state, kiosk_id, body, "identity.enterprise",
                                      request=request)
    wanted: ActFor = parse(ActFor, payload)
    with state.sessions() as db:
        identity = act_for(db, kiosk_id, wanted.session, wanted.tin, state.now())
        db.commit()
    return seal_answer(kiosk, body.sent_at, {"identity": identity})


@router.post("/v1/kiosks/{kiosk_id}/identity/logout", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS))
def logout(kiosk_id: str, body: SealedCall, request: Request,
           state: AppState) -> dict[str, str]:
    """End a session (payload `{session}`): answer `{ended}` (false when it had
    already ended). Caller: the approved kiosk holding the session."""
    kiosk, payload = open_sealed_call(state, kiosk_id, body, "identity.logout",
                                      request=request)
    ending: SessionOnly = parse(SessionOnly, payload)
    with state.sessions() as db:
        ended = end_session(db, kiosk_id, ending.session)
        db.commit()
    return seal_answer(kiosk, body.sent_at, {"ended": ended})
