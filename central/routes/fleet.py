"""The fleet page (issue #14 §4): every terminal on one server-rendered page, a page
per terminal, alerts, and the operators' sign-in.

Who may call them: operators only. Either the admin bearer token (scripts; a wrong
one is 403) or a browser session from `POST /fleet/login` with the admin token as the
form field `token` (303 to /fleet and an HttpOnly, SameSite=Strict session cookie; 401
for a wrong token, nothing stored). Without either: 401 (pages answer with the sign-in
form). Forms that change something (sign out, out of service) carry the session's
CSRF token. Without an admin token (loopback demos only) the pages are open, like the
admin API. Every answer is `no-store`, may not be framed, and runs only its own
nonce'd script and style (Content-Security-Policy).
"""
from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy import select

from central.db import Kiosk, Record
from central.errors import ADMIN, error_responses
from central.fleet import pages
from central.fleet.alerts import sync_occurrences
from central.fleet.models import FleetAlert
from central.fleet.session import (
    COOKIE,
    COOKIE_PATH,
    FleetUser,
    SignInRequired,
    check_csrf,
    current_user,
    sign_in,
    sign_out,
)
from central.fleet.status import PROBLEMS, fleet_view
from central.out_of_service import MAX_TEXT, clear_out_of_service, set_out_of_service
from central.state import AppState, CentralState
from offline_queue.redact import redact

router = APIRouter(tags=["fleet"])

MAX_FORM_BYTES = 8192
RECENT_RECORDS = 50
RECENT_OCCURRENCES = 30


def _headers(nonce: str) -> dict[str, str]:
    return {
        "Cache-Control": "no-store",
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Content-Security-Policy": (
            f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
            f"img-src 'self' data:; connect-src 'self'; form-action 'self'; "
            f"frame-ancestors 'none'; base-uri 'none'"),
    }


def _html(text: str, nonce: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers=_headers(nonce))


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang", "zh")
    return lang if lang in ("zh", "en") else "zh"


def _sign_in_answer(request: Request, nonce: str, *, error: bool = False) -> HTMLResponse:
    response = _html(pages.sign_in_page(pages.Page(_lang(request)), nonce, error), nonce, 401)
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


def _user_or_page(request: Request, state: CentralState,
                  nonce: str) -> FleetUser | HTMLResponse:
    try:
        return current_user(request, state)
    except SignInRequired:
        return _sign_in_answer(request, nonce)


def fleet_user(request: Request, state: AppState) -> FleetUser:
    """Dependency for fleet APIs (JSON): the signed-in operator, or 401/403. Other
    areas' fleet routes use it (remote assistance)."""
    try:
        return current_user(request, state)
    except SignInRequired:
        raise HTTPException(401, "sign in on /fleet/login or send the admin token "
                                 "(Authorization: Bearer ...)",
                            headers={"WWW-Authenticate": "Bearer"}) from None


async def read_form(request: Request) -> dict[str, str]:
    """An application/x-www-form-urlencoded body (first value of each field); 422 for
    another type, 413 for a long one."""
    body = await request.body()
    if not body:
        return {}  # an empty form (a bare POST): every field missing
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise HTTPException(422, "send the form as application/x-www-form-urlencoded")
    if len(body) > MAX_FORM_BYTES:
        raise HTTPException(413, f"form larger than {MAX_FORM_BYTES} bytes")
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(422, "the form is not valid UTF-8 form encoding") from None
    return {name: values[0] for name, values in fields.items()}


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


@router.get("/fleet", include_in_schema=False)
def overview(request: Request, state: AppState, hall: str = "",
             problem: str = "") -> Response:
    nonce = secrets.token_urlsafe(16)
    user = _user_or_page(request, state, nonce)
    if isinstance(user, Response):
        return user
    if problem not in ("", "any", *PROBLEMS):
        problem = ""
    now = datetime.now(UTC)
    sync_occurrences(state.sessions, state.fleet, now)
    with state.sessions() as session:
        view = fleet_view(session, state.fleet, now)
    page = pages.Page(_lang(request))
    ctx = pages.SectionContext(lang=page.lang, user=user, nonce=nonce, state=state)
    if request.headers.get("x-fleet-partial") == "1":
        return _html(pages.overview_main(page, view, state.fleet, hall, problem, ctx), nonce)
    return _html(pages.overview(page, view, state.fleet, hall, problem, ctx), nonce)


@router.get("/fleet/kiosks/{kiosk_id}", include_in_schema=False)
def kiosk_page(kiosk_id: str, request: Request, state: AppState) -> Response:
    nonce = secrets.token_urlsafe(16)
    user = _user_or_page(request, state, nonce)
    if isinstance(user, Response):
        return user
    now = datetime.now(UTC)
    sync_occurrences(state.sessions, state.fleet, now)
    with state.sessions() as session:
        view = fleet_view(session, state.fleet, now, kiosk_id=kiosk_id, bucket_min=10)
        if not view.terminals:
            raise HTTPException(404, f"no kiosk {kiosk_id!r}")
        occurrences = session.execute(
            select(FleetAlert).where(FleetAlert.kiosk_id == kiosk_id)
            .order_by(FleetAlert.id.desc()).limit(RECENT_OCCURRENCES)).scalars().all()
        rows = session.execute(
            select(Record).where(Record.kiosk_id == kiosk_id)
            .order_by(Record.seq.desc()).limit(RECENT_RECORDS)).scalars().all()
        # What was sent and how it fared, never what it said: no payloads, no UUIDs
        # (bearer references on slips), reasons redacted (offline_queue.redact).
        records = [{"seq": r.seq, "kind": r.kind, "status": r.status,
                    "received_at": r.received_at,
                    "reason": redact(r.reason) if r.reason else ""} for r in rows]
    page = pages.Page(_lang(request))
    ctx = pages.SectionContext(lang=page.lang, user=user, nonce=nonce, state=state,
                               kiosk_id=kiosk_id)
    if request.headers.get("x-fleet-partial") == "1":
        return _html(pages.kiosk_main(page, view, state.fleet, list(occurrences), records,
                                      ctx), nonce)
    return _html(pages.kiosk_page(page, view, state.fleet, list(occurrences), records, ctx),
                 nonce)


class FleetAlertOut(BaseModel):
    kiosk_id: str
    kind: str
    subject: str
    detail: str
    since: datetime


@router.get("/fleet/alerts", response_model=list[FleetAlertOut],
            responses=error_responses(*ADMIN))
def alerts(request: Request, state: AppState) -> list[dict[str, Any]]:
    """The alerts that hold now (admin token or a fleet session): terminals silent for
    3 heartbeat intervals, queues older than the exposure limit, devices in error for
    10 minutes."""
    fleet_user(request, state)
    now = datetime.now(UTC)
    return [a.to_json() for a in sync_occurrences(state.sessions, state.fleet, now)]


@router.get("/fleet/login", include_in_schema=False)
def login_form(request: Request) -> Response:
    nonce = secrets.token_urlsafe(16)
    return _html(pages.sign_in_page(pages.Page(_lang(request)), nonce), nonce)


@router.post("/fleet/login", include_in_schema=False)
async def login(request: Request, state: AppState) -> Response:
    """The admin token as the form field `token`: 303 to /fleet with a session cookie,
    or 401 and nothing stored. Attempts per address are limited like the public
    checks (10, then 6 a minute: 429)."""
    nonce = secrets.token_urlsafe(16)
    wait = state.fleet_logins.take(_client(request))
    if wait > 0:
        raise HTTPException(429, "too many sign-in attempts; try again later",
                            headers={"Retry-After": state.fleet_logins.retry_after(wait)})
    form = await read_form(request)
    token = form.get("token", "").strip()
    started = sign_in(state, token) if token else None
    if started is None:
        return _sign_in_answer(request, nonce, error=True)
    cookie, ttl = started
    response = RedirectResponse(f"/fleet?lang={_lang(request)}", status_code=303,
                                headers={"Cache-Control": "no-store"})
    response.set_cookie(COOKIE, cookie, max_age=ttl, path=COOKIE_PATH, httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")
    return response


@router.post("/fleet/logout", include_in_schema=False)
async def logout(request: Request, state: AppState) -> Response:
    """End the session (its form's CSRF token required) and drop the cookie."""
    user = fleet_user(request, state)
    form = await read_form(request)
    check_csrf(user, form.get("csrf"))
    sign_out(state, user)
    response = RedirectResponse("/fleet/login", status_code=303,
                                headers={"Cache-Control": "no-store"})
    response.delete_cookie(COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict",
                           secure=request.url.scheme == "https")
    return response


def _known(state: CentralState, kiosk_id: str) -> None:
    with state.sessions() as session:
        if session.get(Kiosk, kiosk_id) is None:
            raise HTTPException(404, f"no kiosk {kiosk_id!r}")


@router.post("/fleet/kiosks/{kiosk_id}/out-of-service", include_in_schema=False)
async def put_out_of_service(kiosk_id: str, request: Request, state: AppState) -> Response:
    """The terminal page's form: out of service with the notice in both languages."""
    user = fleet_user(request, state)
    form = await read_form(request)
    check_csrf(user, form.get("csrf"))
    texts = {}
    for name in ("reason_zh", "reason_en", "alternative_zh", "alternative_en"):
        value = form.get(name, "").strip()
        if not value or len(value) > MAX_TEXT or any(not c.isprintable() for c in value):
            raise HTTPException(422, f"{name}: one line of 1 to {MAX_TEXT} printable "
                                     f"characters")
        texts[name] = value
    _known(state, kiosk_id)
    with state.sessions() as session:
        set_out_of_service(session, kiosk_id, texts)
        session.commit()
    return RedirectResponse(f"/fleet/kiosks/{kiosk_id}?lang={_lang(request)}", status_code=303)


@router.post("/fleet/kiosks/{kiosk_id}/in-service", include_in_schema=False)
async def back_in_service(kiosk_id: str, request: Request, state: AppState) -> Response:
    user = fleet_user(request, state)
    form = await read_form(request)
    check_csrf(user, form.get("csrf"))
    _known(state, kiosk_id)
    with state.sessions() as session:
        clear_out_of_service(session, kiosk_id)
        session.commit()
    return RedirectResponse(f"/fleet/kiosks/{kiosk_id}?lang={_lang(request)}", status_code=303)

