"""Paper-invoice pickup, stock and courier orders (issue #12, central.invoice_stock).

Who may call them: only the enrolled and approved kiosk `kiosk_id`, by a sealed call
(`wire.SealedCall`; 403 / 409 / 422 as in central.auth.open_sealed_call), under mutual
TLS only for the kiosk its client certificate names. Answers are sealed to that kiosk:
they carry personal data (TIN, name, holdings, ID number in the offline cache).
- `invoices/pickup` additionally needs a live taxpayer session opened at that kiosk
  (401 `session.expired`), and answers only that taxpayer's orders.
- `invoices/stock-check`, `invoices/courier` and `invoices/pickup-cache` concern the
  kiosk's hall (`Kiosk.hall_id`, set at approval); the kiosk asks them for signed-in
  logistics staff (stock, courier) or by itself (the offline cache, like staff
  accounts; never on the public reference feed).
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from central import invoice_stock
from central.auth import SEALED_CALL_ERRORS, open_sealed_call, seal_answer
from central.errors import WITH_BODY, error_responses
from central.identity import acting_taxpayer, coded, parse
from central.state import AppState
from offline_queue.invoice_rules import INVOICE_KINDS, METHOD_COURIER, METHOD_TERMINAL
from offline_queue.wire import SealedAnswer, SealedCall

router = APIRouter(tags=["invoices"], responses=error_responses(*WITH_BODY))

_SESSION = {401: "session.expired: unknown, expired or another kiosk's session"}


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PickupAsk(_Payload):
    session: str = Field(min_length=16, max_length=128)
    pickup_code: str | None = Field(default=None, pattern=r"^[0-9A-Za-z]{4,16}$")


class StockAsk(_Payload):
    invoice_kind: str = Field(max_length=50)
    code: str = Field(pattern=r"^([0-9]{10}|[0-9]{12})$")
    first: int = Field(ge=1, le=99_999_999)
    last: int = Field(ge=1, le=99_999_999)


class Empty(_Payload):
    pass


@router.post("/v1/kiosks/{kiosk_id}/invoices/pickup", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _SESSION, {
                 404: "pickup.unknown_code: no such pickup code for this taxpayer"}))
def pickup(kiosk_id: str, body: SealedCall, request: Request, state: AppState) -> dict[str, str]:
    """Pickup look-up (payload `{session, pickup_code?}`): with a 取票码 the one order
    (`{orders: [order]}`), else the taxpayer's pending terminal (02) orders this hall
    serves. Each order: application, remaining quantity, 验旧 rows, caps (结存,
    每次最高, 持票最高, 本月剩余, 本次最高可领 and why it is 0) and a refusal code or
    null. Caller: the approved kiosk holding the session."""
    kiosk, payload = open_sealed_call(state, kiosk_id, body, "invoices.pickup", request=request)
    asked: PickupAsk = parse(PickupAsk, payload)
    with state.sessions() as db:
        who = acting_taxpayer(db, kiosk_id, asked.session, state.now())
        today = state.clock()
        if asked.pickup_code is not None:
            order = invoice_stock.find_order(db, asked.pickup_code)
            if order is None or order.tin != who.tin or order.method != METHOD_TERMINAL:
                db.commit()  # the session's extension
                raise coded(404, "pickup.unknown_code", "no such pickup code for this taxpayer")
            item = invoice_stock.assess(db, order, today)
            if item["refusal"] is None and not invoice_stock.serves(order, kiosk.hall_id,
                                                                    METHOD_TERMINAL):
                item["refusal"] = "pickup.wrong_hall"
            orders = [item]
        else:
            orders = [invoice_stock.assess(db, o, today) for o in
                      invoice_stock.pending_orders(db, who.tin, kiosk.hall_id, METHOD_TERMINAL)]
        db.commit()
    return seal_answer(kiosk, body.sent_at, {"orders": orders})


@router.post("/v1/kiosks/{kiosk_id}/invoices/stock-check", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS))
def stock_check(kiosk_id: str, body: SealedCall, request: Request,
                state: AppState) -> dict[str, str]:
    """Is a scanned box (payload `{invoice_kind, code, first, last}`) allocated to this
    kiosk's hall and unissued? `{ok, reason}` (`stock.unknown`, `stock.issued`,
    `stock.kind`). Caller: the approved kiosk, for signed-in logistics staff."""
    kiosk, payload = open_sealed_call(state, kiosk_id, body, "invoices.stock_check",
                                      request=request)
    asked: StockAsk = parse(StockAsk, payload)
    if asked.invoice_kind not in INVOICE_KINDS or asked.last < asked.first:
        return seal_answer(kiosk, body.sent_at, {"ok": False, "reason": "stock.kind"})
    with state.sessions() as db:
        answer = invoice_stock.check_box(db, kiosk.hall_id, asked.invoice_kind, asked.code,
                                         asked.first, asked.last)
    return seal_answer(kiosk, body.sent_at, answer)


@router.post("/v1/kiosks/{kiosk_id}/invoices/courier", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS))
def courier(kiosk_id: str, body: SealedCall, request: Request,
            state: AppState) -> dict[str, str]:
    """The hall's pending courier (03) orders (payload `{}`): `{orders: [order]}`, each
    assessed like a pickup (with the taxpayer's name, masked by the kiosk). Caller: the
    approved kiosk, for signed-in logistics staff."""
    kiosk, payload = open_sealed_call(state, kiosk_id, body, "invoices.courier", request=request)
    parse(Empty, payload)
    with state.sessions() as db:
        today = state.clock()
        orders: list[dict[str, Any]] = [
            invoice_stock.assess(db, o, today)
            for o in invoice_stock.pending_orders(db, None, kiosk.hall_id, METHOD_COURIER)]
    return seal_answer(kiosk, body.sent_at, {"orders": orders})


@router.post("/v1/kiosks/{kiosk_id}/invoices/pickup-cache", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS))
def pickup_cache(kiosk_id: str, body: SealedCall, request: Request,
                 state: AppState) -> dict[str, str]:
    """The pending terminal orders of this kiosk's hall for offline pickup (payload
    `{}`): `{orders: [order + id_number], as_of}`. Caller: the approved kiosk itself
    (its sync pass)."""
    kiosk, payload = open_sealed_call(state, kiosk_id, body, "invoices.pickup_cache",
                                      request=request)
    parse(Empty, payload)
    with state.sessions() as db:
        answer = invoice_stock.hall_snapshot(db, kiosk.hall_id, state.clock())
    return seal_answer(kiosk, body.sent_at, answer)
