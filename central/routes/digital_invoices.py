"""Fully-digital invoices (数电票打印) and invoices issued on behalf (代开发票), issue #12
§4 (central.lottery, central.on_behalf).

Who may call them: only the enrolled and approved kiosk `kiosk_id`, by a sealed call
(`wire.SealedCall`; 403 / 409 / 422 as in central.auth.open_sealed_call), under mutual
TLS only for the kiosk its client certificate names, with a live taxpayer session
opened at that kiosk (401 `session.expired`). Each answers only the session's
taxpayer's own invoices, address book and applications: another's invoice number or
application answers 404 exactly as one that does not exist. Answers are sealed to the
kiosk (names, TINs, amounts).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from pydantic import Field

from central import lottery, on_behalf
from central.auth import SEALED_CALL_ERRORS, open_sealed_call, seal_answer
from central.errors import WITH_BODY, error_responses
from central.identity import SessionOnly, _Payload, acting_taxpayer, coded, parse
from central.state import AppState, CentralState
from offline_queue.wire import SealedAnswer, SealedCall

router = APIRouter(tags=["digital invoices"], responses=error_responses(*WITH_BODY))

_SESSION = {401: "session.expired: unknown, expired or another kiosk's session"}
_UNKNOWN = {404: "invoice.unknown: no such invoice of this taxpayer"}
_APPLICATION = {404: "on_behalf.unknown: no such application of this taxpayer",
                409: "on_behalf.unpaid: the tax has not been paid",
                403: "on_behalf.person_only: 代开 here is for natural persons",
                422: "on_behalf.lines / on_behalf.line_amount / on_behalf.too_large"}
_TIN_OR_EMPTY = r"^([0-9A-Z]{15,20})?$"


class NumberAsk(SessionOnly):
    number: str = Field(pattern=r"^[0-9]{20}$")


class Buyer(_Payload):
    name: str = Field(min_length=1, max_length=200)
    tin: str = Field(default="", pattern=_TIN_OR_EMPTY)
    address: str = Field(default="", max_length=200)
    phone: str = Field(default="", pattern=r"^[0-9+\- ]{0,20}$")


class Line(_Payload):
    name: str = Field(min_length=1, max_length=100)
    quantity: Decimal = Field(gt=0, le=Decimal("1e9"), decimal_places=6)
    unit_price: Decimal = Field(gt=0, le=Decimal("1e9"), decimal_places=8)
    amount: Decimal = Field(gt=0, le=Decimal("1e9"), decimal_places=2)


class QuoteAsk(SessionOnly):
    buyer: Buyer
    lines: list[Line] = Field(min_length=1, max_length=on_behalf.MAX_LINES)


class IssueAsk(SessionOnly):
    application_no: str = Field(pattern=r"^DK[0-9A-F]{18}$")


def _rates(state: CentralState) -> on_behalf.OnBehalfRates:
    rates = state.on_behalf_rates
    return rates if isinstance(rates, on_behalf.OnBehalfRates) else on_behalf.OnBehalfRates()


def _open(state: CentralState, kiosk_id: str, body: SealedCall, purpose: str,
          request: Request, model: Any) -> tuple[Any, Any]:
    kiosk, payload = open_sealed_call(state, kiosk_id, body, purpose, request=request)
    return kiosk, parse(model, payload)


@router.post("/v1/kiosks/{kiosk_id}/digital-invoices/list", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _SESSION))
def list_invoices(kiosk_id: str, body: SealedCall, request: Request,
                  state: AppState) -> dict[str, str]:
    """The session taxpayer's received and issued 数电票 (payload `{session}`):
    `{items: [invoice]}`, newest first, each with its print count. Caller: the
    approved kiosk holding the session."""
    kiosk, asked = _open(state, kiosk_id, body, "digital_invoices.list", request, SessionOnly)
    with state.sessions() as db:
        who = acting_taxpayer(db, kiosk_id, asked.session, state.now())
        items = lottery.invoices_of(db, who)
        db.commit()
    return seal_answer(kiosk, body.sent_at, {"items": items})


@router.post("/v1/kiosks/{kiosk_id}/digital-invoices/print", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _SESSION, _UNKNOWN))
def print_invoice(kiosk_id: str, body: SealedCall, request: Request,
                  state: AppState) -> dict[str, str]:
    """Count one paper copy of the taxpayer's invoice (payload `{session, number}`):
    `{invoice}` with the new count. Caller: the approved kiosk holding the session."""
    kiosk, asked = _open(state, kiosk_id, body, "digital_invoices.print", request, NumberAsk)
    with state.sessions() as db:
        who = acting_taxpayer(db, kiosk_id, asked.session, state.now())
        view = lottery.count_print(db, who, asked.number)
        db.commit()
    if view is None:
        raise coded(404, "invoice.unknown", "no such invoice of this taxpayer")
    return seal_answer(kiosk, body.sent_at, {"invoice": view})


@router.post("/v1/kiosks/{kiosk_id}/on-behalf/address-book", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _SESSION))
def address_book(kiosk_id: str, body: SealedCall, request: Request,
                 state: AppState) -> dict[str, str]:
    """The session person's 购买方通讯录 (payload `{session}`): `{entries: [{name, tin,
    address, phone}]}`, most recently used first. Caller: the approved kiosk holding
    the session."""
    kiosk, asked = _open(state, kiosk_id, body, "on_behalf.address_book", request,
                         SessionOnly)
    with state.sessions() as db:
        who = acting_taxpayer(db, kiosk_id, asked.session, state.now())
        entries = on_behalf.address_book(db, who)
        db.commit()
    return seal_answer(kiosk, body.sent_at, {"entries": entries})


@router.post("/v1/kiosks/{kiosk_id}/on-behalf/applications", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _SESSION))
def applications(kiosk_id: str, body: SealedCall, request: Request,
                 state: AppState) -> dict[str, str]:
    """The session person's own 代开 applications (payload `{session}`):
    `{applications: [{application_no, status: quoted|paid|issued, created_at, buyer:
    {name, tin}, total, tax_due, invoice_number}]}`, newest first, so a paid one whose
    invoice was never issued can be issued (`on-behalf/issue`). Caller: the approved
    kiosk holding the session; never another taxpayer's applications."""
    kiosk, asked = _open(state, kiosk_id, body, "on_behalf.applications", request,
                         SessionOnly)
    with state.sessions() as db:
        who = acting_taxpayer(db, kiosk_id, asked.session, state.now())
        items = on_behalf.applications_of(db, who)
        db.commit()
    return seal_answer(kiosk, body.sent_at, {"applications": items})


def _refusal(exc: on_behalf.OnBehalfRefused) -> Exception:
    status = {"on_behalf.unknown": 404, "on_behalf.unpaid": 409,
              "on_behalf.person_only": 403}.get(exc.code, 422)
    return coded(status, exc.code, str(exc))


@router.post("/v1/kiosks/{kiosk_id}/on-behalf/quote", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _SESSION, _APPLICATION))
def quote(kiosk_id: str, body: SealedCall, request: Request,
          state: AppState) -> dict[str, str]:
    """A 代开 application with the tax computed here (payload `{session, buyer: {name,
    tin?, address?, phone?}, lines: [{name, quantity, unit_price, amount}]}`, amounts
    including tax): `{application_no, status, lines, total, amount, vat, surcharges,
    iit, tax_due, breakdown, ...}`. Caller: the approved kiosk holding a natural
    person's session."""
    kiosk, asked = _open(state, kiosk_id, body, "on_behalf.quote", request, QuoteAsk)
    now = state.now()
    with state.sessions() as db:
        who = acting_taxpayer(db, kiosk_id, asked.session, now)
        try:
            answer = on_behalf.quote(db, who, buyer=asked.buyer.model_dump(),
                                     lines=[line.model_dump() for line in asked.lines],
                                     rates=_rates(state), kiosk_id=kiosk_id, now=now)
        except on_behalf.OnBehalfRefused as exc:
            db.commit()
            raise _refusal(exc) from None
        db.commit()
    return seal_answer(kiosk, body.sent_at, answer)


@router.post("/v1/kiosks/{kiosk_id}/on-behalf/issue", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _SESSION, _APPLICATION))
def issue(kiosk_id: str, body: SealedCall, request: Request,
          state: AppState) -> dict[str, str]:
    """Issue the paid application's 数电票 (payload `{session, application_no}`; asked
    again, the same invoice): `{application, invoice, qr_text}`. Caller: the approved
    kiosk holding the applicant's session."""
    kiosk, asked = _open(state, kiosk_id, body, "on_behalf.issue", request, IssueAsk)
    now = state.now()
    with state.sessions() as db:
        who = acting_taxpayer(db, kiosk_id, asked.session, now)
        try:
            answer = on_behalf.issue(db, who, asked.application_no, now=now)
        except on_behalf.OnBehalfRefused as exc:
            db.commit()
            raise _refusal(exc) from None
        db.commit()
    return seal_answer(kiosk, body.sent_at, answer)
