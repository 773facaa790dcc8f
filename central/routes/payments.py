"""Payment QR (聚合支付) through the central service's demo acquirer, and the look-ups
of the paying services (issue #11 §1, §3; services.md §4.4 and TS7).

Who may call what:
- every `/v1/kiosks/{kiosk_id}/payments/*` route: only the enrolled and approved kiosk
  `kiosk_id`, by a sealed call (`wire.SealedCall`, central.auth.open_sealed_call:
  signed, sealed to its data key, bound to the route, each signature answered once).
  Creating an order also needs a live taxpayer session opened at that kiosk (the
  order is that taxpayer's); polling, closing and reversing an order need no session
  (a kiosk resolves the orders a crash left open at its next start, when nobody is
  identified) but only ever reach the orders that kiosk created: another kiosk's
  order id answers 404 `order.unknown`, exactly as an id that does not exist.
- the look-ups `/v1/kiosks/{kiosk_id}/taxpayer/{vehicles,iit-prefill,social-insurance,
  agreements}`: the approved kiosk holding the taxpayer's session (as
  central.routes.taxpayer).
- `/v1/demo/acquirer/{order_id}/pay`, `/cancel` and `/busy` (the payer's side, for
  demonstrations): demo only (central.bind_rules.demo_refusal: loopback or
  --insecure-demo, and the admin token when one is set).

Order states (WeChat Pay's names): NOTPAY (a QR shown, not paid), USERPAYING (a
payment code charged, the payer is entering their password), PAYERROR (the payer
cancelled; the kiosk still closes or reverses it), and the final SUCCESS, CLOSED,
REVOKED (reversed: given back if it had been paid). Order ids are 128-bit random
hex; the payer's payment code is kept only as its SHA-256 and never answered.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request
from pydantic import Field, model_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central import payment_registry
from central.auth import SEALED_CALL_ERRORS, open_sealed_call, seal_answer
from central.bind_rules import demo_refusal, exposure_of
from central.db import Taxpayer
from central.errors import WITH_BODY, error_responses
from central.identity import SessionOnly, _Payload, acting_taxpayer, coded, parse
from central.payment_services_db import QR_FINAL_STATES, QrOrder
from central.state import AppState, CentralState
from offline_queue.wire import SealedAnswer, SealedCall

router = APIRouter(tags=["payments"], responses=error_responses(*WITH_BODY))

#: How long a shown QR may be paid unless the kiosk asks otherwise ([payment]
#: qr_timeout_s), and the longest it may ask for.
DEFAULT_EXPIRES_S = 120
MAX_EXPIRES_S = 600
MAX_WAIT_S = 10.0
POLL_STEP_S = 0.25
MAX_AMOUNT_FEN = 10**10 - 1
ORDER_ID_PATTERN = r"^[0-9a-f]{32}$"
ORDER_REF_PATTERN = r"^[0-9A-Za-z_-]{1,64}$"
#: A payer's payment code (付款码): WeChat Pay, Alipay, UnionPay (kiosk.services.scans).
PAYMENT_CODE_RE = re.compile(r"^(?:1[0-5][0-9]{16}|(?:2[5-9]|30)[0-9]{14,22}|62[0-9]{17})$")
QR_PREFIX = "TAXPAY:"

_SESSION = {401: "session.expired: unknown, expired or another kiosk's session"}
_UNKNOWN = {404: "order.unknown: no such order of this kiosk"}


class CreateQr(SessionOnly):
    order_ref: str = Field(pattern=ORDER_REF_PATTERN)
    amount_fen: int = Field(ge=1, le=MAX_AMOUNT_FEN)
    expires_in_s: int = Field(default=DEFAULT_EXPIRES_S, ge=10, le=MAX_EXPIRES_S)


class ChargeCode(SessionOnly):
    order_ref: str = Field(pattern=ORDER_REF_PATTERN)
    amount_fen: int = Field(ge=1, le=MAX_AMOUNT_FEN)
    auth_code: str = Field(min_length=16, max_length=24, repr=False)


class OrderCall(_Payload):
    """An order of the calling kiosk, by the acquirer's `order_id` or by the kiosk's
    own `order_ref` (a kiosk that crashed before the create's answer arrived)."""

    order_id: str | None = Field(default=None, pattern=ORDER_ID_PATTERN)
    order_ref: str | None = Field(default=None, pattern=ORDER_REF_PATTERN)
    wait_s: float = Field(default=0, ge=0, le=MAX_WAIT_S)

    @model_validator(mode="after")
    def _one_key(self) -> OrderCall:
        if (self.order_id is None) == (self.order_ref is None):
            raise ValueError("give order_id or order_ref (one of them)")
        return self


class YearCall(SessionOnly):
    year: int | None = Field(default=None, ge=1990, le=2100)


def order_view(order: QrOrder) -> dict[str, Any]:
    """What a kiosk learns about its order (never the payment code)."""
    return {"order_id": order.order_id, "order_ref": order.order_ref, "mode": order.mode,
            "state": order.state, "amount_fen": order.amount_fen,
            "qr_text": QR_PREFIX + order.order_id if order.mode == "native" else None,
            "expires_at": order.expires_at.isoformat(),
            "transaction_id": order.transaction_id,
            "paid_at": order.paid_at.isoformat() if order.paid_at else None}


def _own_order(db: Session, kiosk_id: str, asked: OrderCall, *,
               lock: bool = False) -> QrOrder:
    query = select(QrOrder).where(QrOrder.kiosk_id == kiosk_id)
    query = query.where(QrOrder.order_id == asked.order_id) if asked.order_id is not None \
        else query.where(QrOrder.order_ref == asked.order_ref)
    order = db.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    if order is None:
        raise coded(404, "order.unknown", "no such order of this kiosk")
    return order


def _create(state: CentralState, kiosk_id: str, who: Taxpayer, *, order_ref: str,
            amount_fen: int, mode: str, expires_in_s: int,
            auth_code: str | None = None) -> dict[str, Any]:
    """A new order, or the one this kiosk already made under `order_ref` (a create
    sent again after a lost answer); 409 `order.conflict` if that one differs."""
    now = state.now()
    digest = hashlib.sha256(auth_code.encode()).hexdigest() if auth_code else None
    with state.sessions() as db:
        existing = db.execute(select(QrOrder).where(
            QrOrder.kiosk_id == kiosk_id, QrOrder.order_ref == order_ref)
        ).scalar_one_or_none()
        if existing is None:
            existing = QrOrder(
                order_id=secrets.token_hex(16), kiosk_id=kiosk_id, order_ref=order_ref,
                mode=mode, amount_fen=amount_fen,
                state="NOTPAY" if mode == "native" else "USERPAYING", tin=who.tin,
                auth_code_sha256=digest, created_at=now,
                expires_at=now + timedelta(seconds=expires_in_s), updated_at=now)
            db.add(existing)
            try:
                db.commit()
            except IntegrityError:  # the same create raced itself: answer the winner
                db.rollback()
                existing = db.execute(select(QrOrder).where(
                    QrOrder.kiosk_id == kiosk_id, QrOrder.order_ref == order_ref)
                ).scalar_one()
        if (existing.mode, existing.amount_fen, existing.tin) != (mode, amount_fen, who.tin) \
                or existing.auth_code_sha256 != digest:
            raise coded(409, "order.conflict", "this order reference was used for "
                                               "another order")
        return order_view(existing)


def _session_call(state: CentralState, kiosk_id: str, body: SealedCall, request: Request,
                  purpose: str, model: type[SessionOnly],
                  act: Callable[[Any, Taxpayer], dict[str, Any]]) -> dict[str, str]:
    kiosk, payload = open_sealed_call(state, kiosk_id, body, purpose, request=request)
    asked = parse(model, payload)
    with state.sessions() as db:
        who = acting_taxpayer(db, kiosk_id, asked.session, state.now())
        db.commit()  # the session's extension
        db.expunge(who)
    return seal_answer(kiosk, body.sent_at, act(asked, who))


@router.post("/v1/kiosks/{kiosk_id}/payments/qr", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _SESSION, {
                 409: "order.conflict: this order_ref was used for another order"}))
def create_qr(kiosk_id: str, body: SealedCall, request: Request,
              state: AppState) -> dict[str, str]:
    """A payment QR for the identified taxpayer (payload `{session, order_ref,
    amount_fen, expires_in_s}`; `order_ref` is the kiosk's order id, so a create sent
    twice makes one order): `{order_id, order_ref, mode: "native", state: "NOTPAY",
    amount_fen, qr_text, expires_at, ...}`. Caller: the approved kiosk holding the
    session."""
    return _session_call(state, kiosk_id, body, request, "payments.qr", CreateQr,
                         lambda asked, who: _create(
                             state, kiosk_id, who, order_ref=asked.order_ref,
                             amount_fen=asked.amount_fen, mode="native",
                             expires_in_s=asked.expires_in_s))


@router.post("/v1/kiosks/{kiosk_id}/payments/code", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _SESSION, {
                 409: "order.conflict: this order_ref was used for another order",
                 422: "payment_code.invalid: not a WeChat Pay, Alipay or UnionPay "
                      "payment code"}))
def charge_code(kiosk_id: str, body: SealedCall, request: Request,
                state: AppState) -> dict[str, str]:
    """Charge the payer's payment code (付款码) the kiosk scanned (payload `{session,
    order_ref, amount_fen, auth_code}`): the order, usually USERPAYING (the payer
    confirms on their phone; poll with `payments/code/query`). Caller: the approved
    kiosk holding the session."""
    def charge(asked: ChargeCode, who: Taxpayer) -> dict[str, Any]:
        if not PAYMENT_CODE_RE.fullmatch(asked.auth_code):
            raise coded(422, "payment_code.invalid", "not a payment code")
        return _create(state, kiosk_id, who, order_ref=asked.order_ref,
                       amount_fen=asked.amount_fen, mode="code",
                       expires_in_s=DEFAULT_EXPIRES_S, auth_code=asked.auth_code)

    return _session_call(state, kiosk_id, body, request, "payments.code", ChargeCode,
                         charge)


def _query(state: CentralState, kiosk_id: str, body: SealedCall, request: Request,
           purpose: str) -> dict[str, str]:
    kiosk, payload = open_sealed_call(state, kiosk_id, body, purpose, request=request)
    asked: OrderCall = parse(OrderCall, payload)
    deadline = time.monotonic() + asked.wait_s
    while True:  # a long-poll: the answer comes when the state moves or wait_s ends
        with state.sessions() as db:
            order = _own_order(db, kiosk_id, asked)
            view = order_view(order)
        if view["state"] not in ("NOTPAY", "USERPAYING") or time.monotonic() >= deadline:
            return seal_answer(kiosk, body.sent_at, view)
        time.sleep(min(POLL_STEP_S, max(0.0, deadline - time.monotonic())))


@router.post("/v1/kiosks/{kiosk_id}/payments/qr/poll", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _UNKNOWN))
def poll_qr(kiosk_id: str, body: SealedCall, request: Request,
            state: AppState) -> dict[str, str]:
    """An order's state (payload `{order_id | order_ref, wait_s}`; with wait_s up to 10 the answer
    waits until the order leaves NOTPAY/USERPAYING or wait_s ends). Caller: the
    approved kiosk that created the order."""
    return _query(state, kiosk_id, body, request, "payments.qr_poll")


@router.post("/v1/kiosks/{kiosk_id}/payments/code/query", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _UNKNOWN))
def query_code(kiosk_id: str, body: SealedCall, request: Request,
               state: AppState) -> dict[str, str]:
    """查询订单 for a payment-code order (as `payments/qr/poll`). Caller: the approved
    kiosk that created the order."""
    return _query(state, kiosk_id, body, request, "payments.code_query")


def _change(state: CentralState, kiosk_id: str, body: SealedCall, request: Request,
            purpose: str, move: Callable[[QrOrder, datetime], None]) -> dict[str, str]:
    kiosk, payload = open_sealed_call(state, kiosk_id, body, purpose, request=request)
    asked: OrderCall = parse(OrderCall, payload)
    with state.sessions() as db:
        order = _own_order(db, kiosk_id, asked, lock=True)
        now = state.now()
        move(order, now)
        db.commit()
        view = order_view(order)
    return seal_answer(kiosk, body.sent_at, view)


def _close(order: QrOrder, now: datetime) -> None:
    # A paid order is not closed: the answer says SUCCESS and the kiosk records the
    # payment (or reverses it if the tax office refuses it).
    if order.state in ("NOTPAY", "PAYERROR"):
        order.state, order.updated_at = "CLOSED", now


def _reverse(order: QrOrder, now: datetime) -> None:
    # 撤销: an unpaid order is cancelled, a paid one refunded; both end REVOKED. While
    # the (demo) payer is entering their password the acquirer answers USERPAYING and
    # does nothing: the kiosk keeps querying and reverses again (TS7).
    if order.state == "USERPAYING" and order.reverse_busy > 0:
        order.reverse_busy, order.updated_at = order.reverse_busy - 1, now
        return
    if order.state not in QR_FINAL_STATES or order.state == "SUCCESS":
        order.state, order.updated_at = "REVOKED", now


@router.post("/v1/kiosks/{kiosk_id}/payments/qr/close", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _UNKNOWN))
def close_qr(kiosk_id: str, body: SealedCall, request: Request,
             state: AppState) -> dict[str, str]:
    """关闭订单 (payload `{order_id | order_ref}`): an unpaid order ends CLOSED; the answer is the
    order, whose state may be SUCCESS (paid just before: not closed). Caller: the
    approved kiosk that created the order."""
    return _change(state, kiosk_id, body, request, "payments.qr_close", _close)


@router.post("/v1/kiosks/{kiosk_id}/payments/code/reverse", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _UNKNOWN))
def reverse_code(kiosk_id: str, body: SealedCall, request: Request,
                 state: AppState) -> dict[str, str]:
    """撤销订单 (payload `{order_id | order_ref}`), for either kind of order: unpaid, it is
    cancelled; paid, it is refunded; either way it ends REVOKED (CLOSED and REVOKED
    orders stay as they are). Caller: the approved kiosk that created the order."""
    return _change(state, kiosk_id, body, request, "payments.code_reverse", _reverse)


# --- the payer's side (demo acquirer) ---------------------------------------------------

def _demo(request: Request, state: CentralState, authorization: str | None,
          order_id: str, move: Callable[[QrOrder, datetime], None]) -> dict[str, Any]:
    refusal = demo_refusal(exposure_of(request.app), state.admin_token, authorization)
    if refusal is not None:
        raise HTTPException(*refusal)
    with state.sessions() as db:
        order = db.execute(select(QrOrder).where(QrOrder.order_id == order_id)
                           .with_for_update()).scalar_one_or_none()
        if order is None:
            raise coded(404, "order.unknown", "no such order")
        move(order, state.now())
        db.commit()
        return {"order_id": order.order_id, "state": order.state}


def _pay(order: QrOrder, now: datetime) -> None:
    if order.state not in ("NOTPAY", "USERPAYING"):
        raise coded(409, "order.not_payable", f"the order is {order.state}")
    if order.mode == "native" and now > order.expires_at:
        raise coded(409, "order.expired", "the QR code has expired")
    order.state, order.updated_at, order.paid_at = "SUCCESS", now, now
    order.transaction_id = "4200" + now.strftime("%Y%m%d") + secrets.token_hex(10)


def _payer_cancel(order: QrOrder, now: datetime) -> None:
    if order.state not in ("NOTPAY", "USERPAYING"):
        raise coded(409, "order.not_payable", f"the order is {order.state}")
    order.state, order.updated_at = "PAYERROR", now


def _payer_busy(reverses: int) -> Callable[[QrOrder, datetime], None]:
    def busy(order: QrOrder, now: datetime) -> None:
        if order.mode != "code" or order.state != "USERPAYING":
            raise coded(409, "order.not_paying", "only a payment-code order the payer is "
                                                 f"confirming can be busy; it is {order.state}")
        order.reverse_busy, order.updated_at = reverses, now

    return busy


# The path parameter is checked before any look-up: a malformed id (or a NUL, which
# PostgreSQL text cannot hold) is a 422, never a database error or a 404.
OrderIdPath = Annotated[str, Path(pattern=ORDER_ID_PATTERN,
                                  description="the acquirer's order id (32 hex)")]

_DEMO = error_responses({401: "admin token required (Authorization: Bearer ...)",
                         403: "wrong admin token",
                         404: "demo endpoints are off on this service; order.unknown",
                         409: "order.not_payable / order.expired / order.not_paying"})


@router.post("/v1/demo/acquirer/{order_id}/pay", responses=_DEMO)
def demo_pay(request: Request, state: AppState,
             order_id: OrderIdPath,
             authorization: str | None = Header(default=None)) -> dict[str, Any]:
    """The payer pays an order (scanned the QR, or confirmed the payment code):
    `{order_id, state: "SUCCESS"}`. Caller: demo only (demo_refusal: loopback or
    --insecure-demo, and the admin token when one is set)."""
    return _demo(request, state, authorization, order_id, _pay)


@router.post("/v1/demo/acquirer/{order_id}/cancel", responses=_DEMO)
def demo_cancel(request: Request, state: AppState,
                order_id: OrderIdPath,
                authorization: str | None = Header(default=None)) -> dict[str, Any]:
    """The payer cancels on their phone: `{order_id, state: "PAYERROR"}` (the kiosk
    then closes or reverses the order). Caller: demo only, as `/pay`."""
    return _demo(request, state, authorization, order_id, _payer_cancel)


@router.post("/v1/demo/acquirer/{order_id}/busy", responses=_DEMO)
def demo_busy(request: Request, state: AppState,
              order_id: OrderIdPath,
              reverses: int = Query(default=1, ge=1, le=10),
              authorization: str | None = Header(default=None)) -> dict[str, Any]:
    """The payer is still entering their password: the next `reverses` (1-10) reverses
    of this payment-code order answer USERPAYING and change nothing, as WeChat Pay's
    撤销 does, so a kiosk's retried reverse (services.md TS7) runs against this server:
    `{order_id, state: "USERPAYING"}`; 409 `order.not_paying` for any other order.
    Caller: demo only, as `/pay`."""
    return _demo(request, state, authorization, order_id, _payer_busy(reverses))


# --- look-ups of the paying services ----------------------------------------------------

def _tax_year(state: CentralState, asked: YearCall, default: Callable[[date], int]) -> int:
    return asked.year if asked.year is not None else default(state.clock())


@router.post("/v1/kiosks/{kiosk_id}/taxpayer/vehicles", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _SESSION))
def vehicles(kiosk_id: str, body: SealedCall, request: Request,
             state: AppState) -> dict[str, str]:
    """车船税: the taxpayer's vehicles and the province's rate table (payload
    `{session}`): `{vehicles: [{vin, plate, displacement_l, bought_on,
    insurer_collected, paid_through}], rates: {bracket: annual} (empty until the
    whole table is imported)}`. Caller: the approved kiosk holding the session."""
    def answer(_asked: SessionOnly, who: Taxpayer) -> dict[str, Any]:
        with state.sessions() as db:
            return payment_registry.vehicles(db, who.tin)

    return _session_call(state, kiosk_id, body, request, "taxpayer.vehicles",
                         SessionOnly, answer)


@router.post("/v1/kiosks/{kiosk_id}/taxpayer/iit-prefill", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _SESSION))
def iit_prefill(kiosk_id: str, body: SealedCall, request: Request,
                state: AppState) -> dict[str, str]:
    """年度汇算 prefilled figures (payload `{session, year}`, default last year):
    `{year, prefill: {wages, labour, royalties, withheld, special_additional,
    social_insurance} | null, refund_bank, refund_account (last 4 digits only)}`.
    Caller: the approved kiosk holding the session."""
    def answer(asked: YearCall, who: Taxpayer) -> dict[str, Any]:
        with state.sessions() as db:
            return payment_registry.iit_prefill(
                db, who.tin, _tax_year(state, asked, lambda today: today.year - 1))

    return _session_call(state, kiosk_id, body, request, "taxpayer.iit_prefill",
                         YearCall, answer)


@router.post("/v1/kiosks/{kiosk_id}/taxpayer/social-insurance",
             response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _SESSION))
def social_insurance(kiosk_id: str, body: SealedCall, request: Request,
                     state: AppState) -> dict[str, str]:
    """灵活就业社保费 (payload `{session, year}`, default this year): `{year, bases:
    [{kind, level, base, rate}], paid: [{kind, month}]}`. Caller: the approved kiosk
    holding the session."""
    def answer(asked: YearCall, who: Taxpayer) -> dict[str, Any]:
        with state.sessions() as db:
            return payment_registry.social_insurance(
                db, who.tin, _tax_year(state, asked, lambda today: today.year))

    return _session_call(state, kiosk_id, body, request, "taxpayer.social_insurance",
                         YearCall, answer)


@router.post("/v1/kiosks/{kiosk_id}/taxpayer/agreements", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _SESSION))
def agreements(kiosk_id: str, body: SealedCall, request: Request,
               state: AppState) -> dict[str, str]:
    """三方协议 (payload `{session}`): `{items: [{protocol_no, bank, account (last 4
    digits only), state, signed_on}]}`, newest first. Caller: the approved kiosk
    holding the session."""
    def answer(_asked: SessionOnly, who: Taxpayer) -> dict[str, Any]:
        with state.sessions() as db:
            return payment_registry.agreements(db, who.tin)

    return _session_call(state, kiosk_id, body, request, "taxpayer.agreements",
                         SessionOnly, answer)

