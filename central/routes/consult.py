"""12366 consultation tickets and suggestions.

Who may call what:
- `GET /v1/tickets/{number}`: anyone holding the 工单号 (a bearer reference, like a
  slip's UUID: it is printed on the taxpayer's slip, 10^11 numbers with a check
  digit). The answer is the ticket's status, topic and the staff's replies; never the
  phone number or the taxpayer's own text. Rate-limited per client address (a burst
  of 10, then 6 a minute, per process: `CentralState.ticket_lookups`), like the public
  invoice check, so numbers cannot be tried in bulk.
- `GET /v1/admin/tickets`, `POST /v1/admin/tickets/{number}/replies`,
  `GET /v1/admin/suggestions`: the admin token (the hall's back office, who call
  taxpayers back and read suggestions): these answer phone numbers and contacts.
Tickets and suggestions themselves arrive as queued records (central/kinds/).
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.auth import require_admin
from central.errors import ADMIN, WITH_BODY, WITH_INPUT, error_responses
from central.guidance_db import ConsultReply, ConsultTicket, Suggestion
from central.rate_limit import TokenBucket
from central.state import AppState
from offline_queue.payloads import TICKET_PREFIX, normalise_number, number_shape_ok

router = APIRouter(tags=["consult"])

REPLY_MAX = 2000
LIST_MAX = 200


class TicketReply(BaseModel):
    at: str
    body: str


class TicketView(BaseModel):
    """What the holder of a 工单号 sees: no phone number, no text of theirs."""

    number: str
    status: Literal["open", "answered", "closed"]
    topic: str
    window: str
    asked_on: str
    replies: list[TicketReply]


class TicketAdminView(TicketView):
    phone: str
    text: str
    lang: str


class ReplyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=REPLY_MAX)
    status: Literal["answered", "closed"] = "answered"


class SuggestionView(BaseModel):
    id: int
    number: str
    category: str
    text: str
    contact: str | None
    asked_at: str
    received_at: str


def _one_ticket(session: Session, typed: str) -> ConsultTicket:
    number = normalise_number(TICKET_PREFIX, typed)
    if not number_shape_ok(TICKET_PREFIX, number):
        raise HTTPException(422, "ticket.invalid: a 工单号 is GD and 12 digits (the last "
                                 "is a check digit)")
    found = session.execute(select(ConsultTicket).where(ConsultTicket.number == number)
                            .limit(2)).scalars().all()
    if not found:
        raise HTTPException(404, "ticket.unknown: no ticket has this number (a request "
                                 "made offline is registered once its kiosk has synced)")
    if len(found) > 1:
        raise HTTPException(409, "ticket.ambiguous: two requests share this number; "
                                 "please ask at a counter with your slip")
    return found[0]


def _replies(session: Session, ticket: ConsultTicket) -> list[dict[str, str]]:
    rows = session.execute(select(ConsultReply).where(ConsultReply.ticket_id == ticket.id)
                           .order_by(ConsultReply.id)).scalars()
    return [{"at": r.at.isoformat(), "body": r.body} for r in rows]


def _view(session: Session, ticket: ConsultTicket) -> dict[str, Any]:
    return {"number": ticket.number, "status": ticket.status, "topic": ticket.topic,
            "window": ticket.window, "asked_on": ticket.asked_at[:10],
            "replies": _replies(session, ticket)}


@router.get("/v1/tickets/{number}", response_model=TicketView,
            responses=error_responses(*WITH_INPUT, {
                404: "ticket.unknown: no ticket has this number",
                409: "ticket.ambiguous: two requests derived the same number",
                422: "ticket.invalid: not a 工单号 (GD, 12 digits, check digit)",
                429: "too many look-ups from this client address (see Retry-After)"}))
def ticket(number: str, request: Request, state: AppState) -> dict[str, Any]:
    """A callback ticket by its 工单号 (anyone holding the slip; rate-limited per
    address): status, topic, time window, the day it was asked and the replies."""
    wait_s = state.ticket_lookups.take(request.client.host if request.client else "")
    if wait_s:
        raise HTTPException(429, "too many look-ups from this address: try again later",
                            headers={"Retry-After": TokenBucket.retry_after(wait_s)})
    with state.sessions() as session:
        return _view(session, _one_ticket(session, number))


@router.get("/v1/admin/tickets", response_model=list[TicketAdminView],
            dependencies=[Depends(require_admin)],
            responses=error_responses(*ADMIN, *WITH_INPUT))
def tickets(state: AppState,
            status: Literal["open", "answered", "closed"] | None = Query(default=None),
            limit: int = Query(default=50, ge=1, le=LIST_MAX)) -> list[dict[str, Any]]:
    """Callback tickets, oldest first, with the phone numbers to call (admin token)."""
    with state.sessions() as session:
        query = select(ConsultTicket).order_by(ConsultTicket.id).limit(limit)
        if status is not None:
            query = query.where(ConsultTicket.status == status)
        return [_view(session, t) | {"phone": t.phone, "text": t.text, "lang": t.lang}
                for t in session.execute(query).scalars()]


@router.post("/v1/admin/tickets/{number}/replies", response_model=TicketView,
             dependencies=[Depends(require_admin)],
             responses=error_responses(*ADMIN, *WITH_BODY, {
                 404: "ticket.unknown: no ticket has this number",
                 409: "ticket.ambiguous: two requests derived the same number"}))
def add_reply(number: str, body: ReplyRequest, state: AppState) -> dict[str, Any]:
    """Add a staff reply to a ticket (admin token); the ticket becomes `answered`
    (or `closed`). The holder of the 工单号 sees it at the next look-up."""
    with state.sessions() as session:
        found = _one_ticket(session, number)
        session.add(ConsultReply(ticket_id=found.id, body=body.body,
                                 at=datetime.now(UTC)))
        found.status = body.status
        session.commit()
        return _view(session, found)


@router.get("/v1/admin/suggestions", response_model=list[SuggestionView],
            dependencies=[Depends(require_admin)],
            responses=error_responses(*ADMIN, *WITH_INPUT))
def suggestions(state: AppState, after_id: int = Query(default=0, ge=0, le=2**62),
                limit: int = Query(default=50, ge=1, le=LIST_MAX)) -> list[dict[str, Any]]:
    """Suggestions and ideas after `after_id`, oldest first, with the optional contact
    (admin token)."""
    with state.sessions() as session:
        rows = session.execute(select(Suggestion).where(Suggestion.id > after_id)
                               .order_by(Suggestion.id).limit(limit)).scalars()
        return [{"id": s.id, "number": s.number, "category": s.category, "text": s.text,
                 "contact": s.contact, "asked_at": s.asked_at,
                 "received_at": s.created_at.isoformat()} for s in rows]
