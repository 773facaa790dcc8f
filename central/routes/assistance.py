"""Remote assistance (issue #14 §5): the kiosk's calls and the hall staff's live view.

Who may call them:
- `/v1/kiosks/{kiosk_id}/assist/...` (request, poll with a frame, consent, end): the
  enrolled and approved kiosk itself, as sealed calls (`wire.SealedCall`: signed by its
  key, the frame encrypted under its data key; under mutual TLS only for the kiosk its
  client certificate names). A kiosk reaches only its own assistances: another kiosk's
  id is "not found".
- `/fleet/assist...` (the list, accept, the live view, its frames and state, taps,
  end): operators signed in to the fleet page (session cookie, or the admin token as a
  bearer header), like the fleet page itself. Forms and the view's taps carry the
  session's CSRF token (form field `csrf`, or header `X-Fleet-CSRF`). A tap is refused
  (409) until the taxpayer has agreed on the terminal's screen.
- `/v1/audit/kiosks/{kiosk_id}/assistance`: the admin token (the audit trail).
"""
from __future__ import annotations

import base64
import binascii
import secrets
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from central import assistance
from central.assistance import AssistError, Frame
from central.auth import SEALED_CALL_ERRORS, open_sealed_call, require_admin, seal_answer
from central.errors import ADMIN, WITH_BODY, WITH_INPUT, error_responses
from central.fleet import pages
from central.fleet.pages import SectionContext, esc
from central.fleet.session import check_csrf
from central.identity import parse
from central.routes.fleet import fleet_user, read_form
from central.state import AppState
from offline_queue.wire import SealedAnswer, SealedCall

router = APIRouter(tags=["assistance"])

#: Sealed-call purposes and their paths under /v1/kiosks/{kiosk_id}/ (kiosk/assistance.py).
PURPOSES = {"assist.request": "assist/request", "assist.poll": "assist/poll",
            "assist.consent": "assist/consent", "assist.end": "assist/end"}

# A frame's base64 in the sealed payload: at most MAX_FRAME_BYTES once decoded.
_FRAME_B64 = (assistance.MAX_FRAME_BYTES + 2) // 3 * 4


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RequestAsk(_Payload):
    pass


class PollAsk(_Payload):
    assist_id: int = Field(ge=1)
    frame: str | None = Field(default=None, max_length=_FRAME_B64)


class ConsentAsk(_Payload):
    assist_id: int = Field(ge=1)
    allow: bool


class EndAsk(_Payload):
    assist_id: int = Field(ge=1)
    reason: Literal["taxpayer", "session_end"]


def _fail(exc: AssistError) -> HTTPException:
    return HTTPException(exc.status, exc.message)


def _now() -> datetime:
    return datetime.now(UTC)


def _frame(encoded: str | None) -> Frame | None:
    """The poll's frame, checked: base64 of a JPEG or PNG within the size limit."""
    if encoded is None:
        return None
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise HTTPException(422, "frame: not base64") from None
    media_type = assistance.frame_type_of(data)
    if media_type is None:
        raise HTTPException(422, "frame: only JPEG or PNG images")
    if len(data) > assistance.MAX_FRAME_BYTES:
        raise HTTPException(413, f"frame: larger than {assistance.MAX_FRAME_BYTES} bytes")
    return Frame(data, media_type)


# -- the kiosk's calls ----------------------------------------------------------------------

_KIOSK_ERRORS = error_responses(SEALED_CALL_ERRORS, {
    404: "assist.unknown: no such assistance for this kiosk"})


@router.post("/v1/kiosks/{kiosk_id}/assist/request", response_model=SealedAnswer,
             responses=error_responses(*WITH_BODY, SEALED_CALL_ERRORS))
def kiosk_request(kiosk_id: str, body: SealedCall, request: Request,
                  state: AppState) -> dict[str, str]:
    """The taxpayer pressed "Call staff": a new request (or the kiosk's open one)."""
    kiosk, payload = open_sealed_call(state, kiosk_id, body, "assist.request", request=request)
    parse(RequestAsk, payload)
    with state.sessions() as db:
        row = assistance.request(db, kiosk_id, _now())
        db.commit()
        answer = assistance.kiosk_view(row)
    return seal_answer(kiosk, body.sent_at, answer)


@router.post("/v1/kiosks/{kiosk_id}/assist/poll", response_model=SealedAnswer,
             responses={**error_responses(*WITH_BODY), **_KIOSK_ERRORS})
def kiosk_poll(kiosk_id: str, body: SealedCall, request: Request,
               state: AppState) -> dict[str, str]:
    """The kiosk's regular call: its latest frame (kept only while staff are
    assisting), and back the state and the taps waiting (only with consent)."""
    kiosk, payload = open_sealed_call(state, kiosk_id, body, "assist.poll", request=request)
    asked: PollAsk = parse(PollAsk, payload)
    frame = _frame(asked.frame)
    with state.sessions() as db:
        try:
            answer = assistance.poll(db, kiosk_id, asked.assist_id, _now(), frame)
        except AssistError as exc:
            raise _fail(exc) from None
        db.commit()
    return seal_answer(kiosk, body.sent_at, answer)


@router.post("/v1/kiosks/{kiosk_id}/assist/consent", response_model=SealedAnswer,
             responses={**error_responses(*WITH_BODY), **_KIOSK_ERRORS})
def kiosk_consent(kiosk_id: str, body: SealedCall, request: Request,
                  state: AppState) -> dict[str, str]:
    """The taxpayer allowed (or withdrew) staff's taps on the terminal's screen."""
    kiosk, payload = open_sealed_call(state, kiosk_id, body, "assist.consent", request=request)
    asked: ConsentAsk = parse(ConsentAsk, payload)
    with state.sessions() as db:
        try:
            answer = assistance.consent(db, kiosk_id, asked.assist_id, asked.allow, _now())
        except AssistError as exc:
            raise _fail(exc) from None
        db.commit()
    return seal_answer(kiosk, body.sent_at, answer)


@router.post("/v1/kiosks/{kiosk_id}/assist/end", response_model=SealedAnswer,
             responses={**error_responses(*WITH_BODY), **_KIOSK_ERRORS})
def kiosk_end(kiosk_id: str, body: SealedCall, request: Request,
              state: AppState) -> dict[str, str]:
    """The taxpayer ended the assistance, or the session ended (privacy reset)."""
    kiosk, payload = open_sealed_call(state, kiosk_id, body, "assist.end", request=request)
    asked: EndAsk = parse(EndAsk, payload)
    with state.sessions() as db:
        try:
            answer = assistance.end_by_kiosk(db, kiosk_id, asked.assist_id, asked.reason,
                                             _now())
        except AssistError as exc:
            raise _fail(exc) from None
        db.commit()
    return seal_answer(kiosk, body.sent_at, answer)


# -- the staff's side -------------------------------------------------------------------------

class AssistOut(BaseModel):
    assist_id: int
    kiosk_id: str
    state: str
    requested_at: datetime
    accepted_at: datetime | None
    control_allowed: bool
    frame_seq: int


def _out(row: assistance.AssistSession) -> dict[str, Any]:
    return {"assist_id": row.id, "kiosk_id": row.kiosk_id, "state": row.state,
            "requested_at": row.requested_at, "accepted_at": row.accepted_at,
            "control_allowed": row.control_allowed, "frame_seq": row.frame_seq}


_NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


@router.get("/fleet/assist", response_model=list[AssistOut],
            responses=error_responses(*ADMIN))
def open_list(request: Request, state: AppState) -> list[dict[str, Any]]:
    """Open requests and active assistances, oldest first (fleet session or token)."""
    fleet_user(request, state)
    with state.sessions() as db:
        rows = assistance.open_requests(db, _now())
        db.commit()
        return [_out(row) for row in rows]


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang", "zh")
    return lang if lang in ("zh", "en") else "zh"


@router.post("/fleet/assist/{assist_id}/accept", include_in_schema=False)
async def accept(assist_id: int, request: Request, state: AppState) -> Response:
    """Take the request (form with the session's CSRF token): 303 to the live view."""
    user = fleet_user(request, state)
    form = await read_form(request)
    check_csrf(user, form.get("csrf"))
    with state.sessions() as db:
        try:
            assistance.accept(db, assist_id, _now())
        except AssistError as exc:
            raise _fail(exc) from None
        db.commit()
    return RedirectResponse(f"/fleet/assist/{assist_id}?lang={_lang(request)}",
                            status_code=303, headers={"Cache-Control": "no-store"})


@router.post("/fleet/assist/{assist_id}/end", include_in_schema=False)
async def end(assist_id: int, request: Request, state: AppState) -> Response:
    """End the assistance from the staff's side (form with the CSRF token)."""
    user = fleet_user(request, state)
    form = await read_form(request)
    check_csrf(user, form.get("csrf"))
    with state.sessions() as db:
        try:
            assistance.end_by_staff(db, assist_id, _now())
        except AssistError as exc:
            raise _fail(exc) from None
        db.commit()
    return RedirectResponse(f"/fleet?lang={_lang(request)}", status_code=303,
                            headers={"Cache-Control": "no-store"})


class AssistState(BaseModel):
    assist_id: int
    kiosk_id: str
    state: str
    control_allowed: bool
    frame_seq: int
    ended_by: str | None


@router.get("/fleet/assist/{assist_id}/state", response_model=AssistState,
            responses=error_responses(*ADMIN, {404: "no such assistance"}))
def view_state(assist_id: int, request: Request, state: AppState) -> Response:
    """What the live view polls: the state, consent, and the latest frame's number."""
    fleet_user(request, state)
    with state.sessions() as db:
        assistance.expire(db, _now())
        db.commit()
        try:
            row = assistance.staff_row(db, assist_id)
        except AssistError as exc:
            raise _fail(exc) from None
        body = AssistState(assist_id=row.id, kiosk_id=row.kiosk_id, state=row.state,
                           control_allowed=row.control_allowed, frame_seq=row.frame_seq,
                           ended_by=row.ended_by)
    return Response(body.model_dump_json(), media_type="application/json", headers=_NO_STORE)


@router.get("/fleet/assist/{assist_id}/frame", include_in_schema=False)
def frame(assist_id: int, request: Request, state: AppState) -> Response:
    """The latest frame (JPEG or PNG, masked on the kiosk) while the assistance is
    active; 404 before the first frame or after the end."""
    fleet_user(request, state)
    with state.sessions() as db:
        try:
            row = assistance.staff_row(db, assist_id)
        except AssistError as exc:
            raise _fail(exc) from None
        if row.state != "active" or row.frame is None:
            raise HTTPException(404, "no frame (not accepted yet, none sent yet, or ended)")
        return Response(row.frame, media_type=row.frame_type or "image/jpeg",
                        headers=_NO_STORE)


class Tap(BaseModel):
    model_config = ConfigDict(extra="forbid")
    x: float = Field(ge=0.0, le=1.0)
    y: float = Field(ge=0.0, le=1.0)


@router.post("/fleet/assist/{assist_id}/control", status_code=204,
             responses=error_responses(*ADMIN, *WITH_BODY, {
                 404: "no such assistance",
                 409: "assist.no_consent (the taxpayer has not agreed) or not active",
                 429: "assist.busy: the terminal has not taken the earlier taps"}))
def control(assist_id: int, tap: Tap, request: Request, state: AppState) -> Response:
    """A tap at (x, y), fractions of the frame; header `X-Fleet-CSRF` with a session."""
    user = fleet_user(request, state)
    check_csrf(user, request.headers.get("x-fleet-csrf"))
    with state.sessions() as db:
        try:
            assistance.tap(db, assist_id, tap.x, tap.y, _now())
        except AssistError as exc:
            raise _fail(exc) from None
        db.commit()
    return Response(status_code=204, headers=_NO_STORE)


class AssistEventOut(BaseModel):
    assist_id: int
    at: datetime
    event: str
    actor: str
    detail: str


@router.get("/v1/audit/kiosks/{kiosk_id}/assistance", response_model=list[AssistEventOut],
            dependencies=[Depends(require_admin)],
            responses=error_responses(*ADMIN, *WITH_INPUT))
def audit(kiosk_id: str, state: AppState,
          limit: int = Query(default=200, ge=1, le=1000)) -> list[dict[str, Any]]:
    """The kiosk's assistance audit events, newest first (who did what when; never
    what the screen showed)."""
    with state.sessions() as db:
        return [{"assist_id": e.assist_id, "at": e.at, "event": e.event, "actor": e.actor,
                 "detail": e.detail} for e in assistance.events(db, kiosk_id, limit)]


# -- HTML: the overview's list, the terminal page's audit, the live view -----------------------

TEXT: dict[str, tuple[str, str]] = {
    "requests": ("远程协助请求", "Assistance requests"),
    "none": ("暂无请求", "No requests"),
    "requested": ("等待接入", "Waiting"),
    "active": ("协助中", "Assisting"),
    "ended": ("已结束", "Ended"),
    "accept": ("接入协助", "Accept"),
    "open": ("查看屏幕", "View screen"),
    "since": ("请求时间", "Requested"),
    "end": ("结束协助", "End assistance"),
    "view_only": ("仅查看（纳税人未同意操作）", "View only (the taxpayer has not allowed control)"),
    "control": ("纳税人已同意：点击画面即可点按终端", "The taxpayer allowed control: click the picture to tap"),
    "waiting": ("等待终端画面…", "Waiting for the terminal's screen…"),
    "ended_note": ("协助已结束", "This assistance has ended"),
    "history": ("远程协助记录", "Assistance audit"),
    "title": ("远程协助", "Remote assistance"),
    "back": ("返回总览", "Back to the fleet"),
    "ev_requested": ("呼叫工作人员", "called staff"),
    "ev_accepted": ("工作人员接入", "staff accepted"),
    "ev_consent": ("纳税人授权", "taxpayer consent"),
    "ev_control": ("远程点按", "remote tap"),
    "ev_ended": ("结束", "ended"),
    # Who (the audit's actor) and the details the audit keeps.
    "who_taxpayer": ("纳税人", "taxpayer"),
    "who_staff": ("工作人员", "staff"),
    "who_service": ("系统", "service"),
    "who_kiosk": ("终端", "terminal"),
    "why_taxpayer": ("纳税人结束", "by the taxpayer"),
    "why_staff": ("工作人员结束", "by staff"),
    "why_session_end": ("办理结束（隐私清理）", "the session ended (privacy reset)"),
    "why_unanswered": ("无人接入", "nobody accepted"),
    "why_kiosk_gone": ("终端失去连接", "the terminal went silent"),
    "why_allowed": ("允许操作", "control allowed"),
    "why_withdrawn": ("撤回操作授权", "control withdrawn"),
    "why_tap": ("点按", "tap"),
}


def _word(lang: str, prefix: str, value: str) -> str:
    """A known audit value in the page's language, else the value itself (escaped)."""
    return t(lang, prefix + value) if prefix + value in TEXT else esc(value)


def t(lang: str, key: str) -> str:
    zh, en = TEXT[key]
    return esc(zh if lang == "zh" else en)


def _overview_section(ctx: SectionContext) -> str:
    """Open requests with an Accept button (or View for an active one)."""
    now = _now()
    with ctx.state.sessions() as db:
        rows = assistance.open_requests(db, now)
        db.commit()
        items = [(r.id, r.kiosk_id, r.state, r.requested_at) for r in rows]
    if not items:
        return (f'<div class="panel" id="assist-requests"><h2>{t(ctx.lang, "requests")}</h2>'
                f'<p class="muted">{t(ctx.lang, "none")}</p></div>')
    page = pages.Page(ctx.lang)
    body = []
    for assist_id, kiosk_id, row_state, since in items:
        if row_state == "requested":
            action = (f'<form method="post" action="/fleet/assist/{assist_id}/accept?lang={ctx.lang}">'
                      f'<input type="hidden" name="csrf" value="{esc(ctx.user.csrf)}">'
                      f'<button type="submit" data-assist="{assist_id}">{t(ctx.lang, "accept")}'
                      f'</button></form>')
        else:
            action = (f'<a href="/fleet/assist/{assist_id}?lang={ctx.lang}">'
                      f'{t(ctx.lang, "open")}</a>')
        body.append(f'<tr class="assist-{esc(row_state)}"><td><a href="/fleet/kiosks/{esc(kiosk_id)}'
                    f'?lang={ctx.lang}">{esc(kiosk_id)}</a></td>'
                    f'<td class="tag bad">{t(ctx.lang, row_state)}</td>'
                    f'<td>{page.when(since)}</td><td>{action}</td></tr>')
    return (f'<div class="panel alerts" id="assist-requests"><h2>{t(ctx.lang, "requests")}</h2>'
            f'<table><tbody>{"".join(body)}</tbody></table></div>')


def _kiosk_section(ctx: SectionContext) -> str:
    """The terminal's recent assistance audit events (no screen content)."""
    if ctx.kiosk_id is None:
        return ""
    with ctx.state.sessions() as db:
        rows = [(e.assist_id, e.at, e.event, e.actor, e.detail)
                for e in assistance.events(db, ctx.kiosk_id, 20)]
    if not rows:
        return ""
    page = pages.Page(ctx.lang)
    lang = ctx.lang
    body = "".join(f'<tr><td>#{a}</td><td>{page.when(at)}</td><td>{_word(lang, "ev_", ev)}'
                   f'</td><td>{_word(lang, "who_", actor)}</td>'
                   f'<td>{_word(lang, "why_", detail) if detail else ""}</td></tr>'
                   for a, at, ev, actor, detail in rows)
    return (f'<div class="panel" id="assist-audit"><h2>{t(ctx.lang, "history")}</h2>'
            f'<table><tbody>{body}</tbody></table></div>')


pages.add_section(_overview_section)
pages.add_kiosk_section(_kiosk_section)

VIEW_CSS = """
.assist{display:flex;flex-direction:column;gap:10px;align-items:flex-start}
.assist img{max-width:100%;max-height:80vh;border:2px solid #1f4e79;background:#222}
.assist img.control{cursor:crosshair;border-color:#d9534f}
.assist .note{font-weight:600}.assist .bar{display:flex;gap:16px;align-items:center}
.assist .bar form{margin:0}.assist .bar button{font-size:14px;padding:4px 14px}
"""

VIEW_SCRIPT = """
(function(){
  var root = document.getElementById("assist");
  var id = root.dataset.id, csrf = root.dataset.csrf;
  var img = document.getElementById("assist-frame"), note = document.getElementById("assist-note");
  var seq = 0, control = false, done = false;
  function show(s){
    control = s.control_allowed;
    img.classList.toggle("control", control);
    note.textContent = s.state === "ended" ? root.dataset.ended
      : (control ? root.dataset.control : root.dataset.viewOnly);
    if (s.state === "ended") { done = true; img.removeAttribute("src"); return; }
    if (s.frame_seq !== seq && s.frame_seq > 0) {
      seq = s.frame_seq;
      img.src = "/fleet/assist/" + id + "/frame?seq=" + seq;
    }
  }
  function tick(){
    if (done) { return; }
    fetch("/fleet/assist/" + id + "/state", {credentials: "same-origin", cache: "no-store"})
      .then(function(r){ if (r.status === 401) { location.reload(); return null; } return r.ok ? r.json() : null; })
      .then(function(s){ if (s) { show(s); } }).catch(function(){});
  }
  img.addEventListener("click", function(e){
    if (!control) { return; }
    var box = img.getBoundingClientRect();
    var x = (e.clientX - box.left) / box.width, y = (e.clientY - box.top) / box.height;
    fetch("/fleet/assist/" + id + "/control", {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-Fleet-CSRF": csrf},
      body: JSON.stringify({x: Math.min(1, Math.max(0, x)), y: Math.min(1, Math.max(0, y))})}).catch(function(){});
  });
  tick(); setInterval(tick, 1000);
})();
"""


@router.get("/fleet/assist/{assist_id}", include_in_schema=False)
def live_view(assist_id: int, request: Request, state: AppState) -> Response:
    """The live view: the terminal's latest frame, refreshed every second; a click
    taps the terminal once the taxpayer has allowed control."""
    from central.routes.fleet import _headers, _user_or_page  # the fleet pages' own

    nonce = secrets.token_urlsafe(16)
    user = _user_or_page(request, state, nonce)  # the sign-in form when signed out
    if isinstance(user, Response):
        return user
    lang = _lang(request)
    with state.sessions() as db:
        try:
            row = assistance.staff_row(db, assist_id)
        except AssistError as exc:
            raise _fail(exc) from None
        kiosk_id = row.kiosk_id
    page = pages.Page(lang)
    title = f'{t(lang, "title")} · {esc(kiosk_id)}'
    body = (f'<style nonce="{esc(nonce)}">{VIEW_CSS}</style>'
            f'<main><div class="panel"><h2>{title}</h2>'
            f'<div class="assist" id="assist" data-id="{assist_id}" data-csrf="{esc(user.csrf)}" '
            f'data-view-only="{t(lang, "view_only")}" data-control="{t(lang, "control")}" '
            f'data-ended="{t(lang, "ended_note")}">'
            f'<span class="note" id="assist-note">{t(lang, "waiting")}</span>'
            f'<div class="bar"><form method="post" action="/fleet/assist/{assist_id}/end?lang={lang}">'
            f'<input type="hidden" name="csrf" value="{esc(user.csrf)}">'
            f'<button type="submit" id="assist-end">{t(lang, "end")}</button></form>'
            f'<a href="/fleet?lang={lang}">{t(lang, "back")}</a></div>'
            f'<img id="assist-frame" alt="{t(lang, "waiting")}"></div></div></main>'
            f'<script nonce="{esc(nonce)}">{VIEW_SCRIPT}</script>')
    text = pages.document(page, f'{TEXT["title"][0 if lang == "zh" else 1]} {kiosk_id}', body,
                          nonce, header=pages.header_bar(page, user, None, {}))
    return HTMLResponse(text, headers=_headers(nonce))
