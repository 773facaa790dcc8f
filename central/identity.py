"""Who a taxpayer at a kiosk is: ID card, scan-to-login QR and TIN + password logins,
the sessions they open, and the wrong-password count per taxpayer.

- A session is an opaque random token (32 bytes, base64url) handed to one kiosk only
  (inside a sealed answer); the database keeps its SHA-256, the kiosk it is bound to,
  who logged in (`person_tin`) and whom the look-ups concern (`acting_tin`). It
  expires SESSION_IDLE after its last use; each look-up extends it. A new login at a
  kiosk ends that kiosk's other sessions (one taxpayer at a terminal at a time).
- A login QR token (32 bytes, base64url; shown as `TAXLOGIN:<token>`) is valid
  QR_VALID, is stored as its SHA-256, and is answered "approved" once, to the kiosk
  that created it; then "used".
- Wrong passwords are counted per TIN across every kiosk (`taxpayer_login_state`):
  MAX_FAILURES lock the TIN for LOCK_FOR; the count starts again after the lock or a
  good password.

Errors the kiosk shows in words are HTTPExceptions whose detail is
"<code>: <english text>" (`coded`).
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import secrets
import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from fastapi import HTTPException
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central.db import QrLogin, Taxpayer, TaxpayerLoginState, TaxpayerSession
from central.registry import (
    ID_NUMBER_RE,
    TIN_RE,
    enterprises_of,
    person_by_id_number,
    taxpayer,
)
from offline_queue.payloads import readable_errors
from offline_queue.pins import SECRET_MAX, check_secret

log = logging.getLogger(__name__)

SESSION_IDLE = timedelta(minutes=15)
QR_VALID = timedelta(seconds=120)
#: How long after its expiry an approved QR is still answered "approved" to its kiosk
#: (approved in time, the kiosk's poll came a little late).
QR_ANSWER_GRACE = timedelta(seconds=60)
QR_PREFIX = "TAXLOGIN:"
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
MAX_WAIT_S = 25
PASSWORD_MAX = 64  # characters a password field takes; longer is refused, not counted
_ATTEMPTS = 3

# Machine codes of the answers a kiosk shows in words (ui/messages.py maps them).
TAXPAYER_UNKNOWN = "taxpayer.unknown"
LOGIN_WRONG_PASSWORD = "login.wrong_password"
LOGIN_LOCKED = "login.locked"
LOGIN_QR_EXPIRED = "login.qr_expired"
LOGIN_QR_USED = "login.qr_used"
SESSION_EXPIRED = "session.expired"


def coded(status: int, code: str, text: str) -> HTTPException:
    """A 4xx whose detail the kiosk maps to words by its code."""
    return HTTPException(status, f"{code}: {text}")


def session_expired() -> HTTPException:
    return coded(401, SESSION_EXPIRED, "the session is unknown, has expired or belongs "
                                       "to another kiosk; identify again")


def new_token() -> str:
    """32 random bytes, base64url without padding (43 characters)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode("ascii")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


# --- the sealed calls' payloads --------------------------------------------------------

TOKEN_PATTERN = r"^[A-Za-z0-9_-]{43}$"


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class IdCardLogin(_Payload):
    id_number: str = Field(max_length=18)
    name: str = Field(min_length=1, max_length=60)
    valid_until: str = Field(max_length=16, description="YYYYMMDD, YYYY-MM-DD or 长期")

    @field_validator("id_number")
    @classmethod
    def _id_number(cls, value: str) -> str:
        value = value.upper()
        if not ID_NUMBER_RE.fullmatch(value):
            raise ValueError("18 characters: 17 digits and a digit or X")
        return value


class QrPoll(_Payload):
    token: str = Field(pattern=TOKEN_PATTERN)
    wait_s: float = Field(default=0, ge=0, le=MAX_WAIT_S)


class PasswordLogin(_Payload):
    tin: str = Field(max_length=20)
    password: str = Field(min_length=1, max_length=PASSWORD_MAX)

    @field_validator("tin")
    @classmethod
    def _tin(cls, value: str) -> str:
        value = value.upper()
        if not TIN_RE.fullmatch(value):
            raise ValueError("15 to 20 digits or capital letters")
        return value


class SessionOnly(_Payload):
    session: str = Field(pattern=TOKEN_PATTERN)


class ActFor(SessionOnly):
    tin: str = Field(max_length=20)


class VoucherPrinted(SessionOnly):
    voucher_no: str = Field(min_length=1, max_length=32)


class NoticeOpened(SessionOnly):
    notice_id: int = Field(ge=1, le=2**31 - 1)


def parse(model: type[BaseModel], payload: dict[str, Any]) -> Any:
    """The payload as `model`, or 422 naming each problem (values never echoed)."""
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        errors = [{"loc": e.get("loc", ()), "msg": e.get("msg", "")} for e in exc.errors()]
        raise HTTPException(422, readable_errors(errors)) from None


assert PASSWORD_MAX <= SECRET_MAX


# --- identity objects and sessions ----------------------------------------------------

def _who(row: Taxpayer) -> dict[str, Any]:
    who: dict[str, Any] = {"tin": row.tin, "name": row.name, "kind": row.kind}
    if row.kind == "person":
        number = row.id_number or (row.tin if ID_NUMBER_RE.fullmatch(row.tin) else None)
        if number:
            who["id_number"] = number
    return who


def open_session(db: Session, kiosk_id: str, person: Taxpayer, acting: Taxpayer,
                 method: str, now: datetime) -> dict[str, Any]:
    """A new session at `kiosk_id` (its other sessions end) and its identity object:
    `{session, expires_at, person, enterprises}` (+ `agent`, the person who logged in,
    when acting for an enterprise). The caller commits."""
    db.execute(delete(TaxpayerSession).where(TaxpayerSession.kiosk_id == kiosk_id))
    token = new_token()
    expires_at = now + SESSION_IDLE
    db.add(TaxpayerSession(token_hash=token_hash(token), kiosk_id=kiosk_id,
                           person_tin=person.tin, acting_tin=acting.tin, method=method,
                           created_at=now, expires_at=expires_at))
    db.flush()
    identity: dict[str, Any] = {
        "session": token, "expires_at": expires_at.isoformat(), "person": _who(acting),
        "enterprises": [{"tin": e.tin, "name": e.name}
                        for e in enterprises_of(db, person.tin)]}
    if acting.tin != person.tin:
        identity["agent"] = _who(person)
    return identity


def resolve_session(db: Session, kiosk_id: str, token: str, now: datetime, *,
                    extend: bool = True) -> TaxpayerSession:
    """The live session `token` at `kiosk_id`, extended by SESSION_IDLE from `now`
    (the caller commits); 401 `session.expired` when it is unknown, expired or
    another kiosk's."""
    row = db.get(TaxpayerSession, token_hash(token))
    if row is None or row.kiosk_id != kiosk_id:
        raise session_expired()
    if now >= row.expires_at:  # the row goes at the kiosk's next login
        raise session_expired()
    if extend:
        row.expires_at = now + SESSION_IDLE
    return row


def acting_taxpayer(db: Session, kiosk_id: str, token: str, now: datetime) -> Taxpayer:
    """The taxpayer a live session's look-ups concern (session extended; the caller
    commits); 401 `session.expired` also when that taxpayer left the registry."""
    row = resolve_session(db, kiosk_id, token, now)
    found = db.get(Taxpayer, row.acting_tin)
    if found is None:
        raise session_expired()
    return found


def act_for(db: Session, kiosk_id: str, token: str, tin: str, now: datetime
            ) -> dict[str, Any]:
    """A new identity acting for `tin` (one of the person's enterprises, or the person
    again); the old session ends. 404 `taxpayer.unknown` if the person may not act
    for it. The caller commits."""
    current = resolve_session(db, kiosk_id, token, now, extend=False)
    person = db.get(Taxpayer, current.person_tin)
    if person is None:
        raise session_expired()
    wanted = tin.strip().upper()
    acting: Taxpayer | None = person if wanted == person.tin else next(
        (e for e in enterprises_of(db, person.tin) if e.tin == wanted), None)
    if acting is None:
        raise coded(404, TAXPAYER_UNKNOWN, "this taxpayer may not act for that enterprise")
    return open_session(db, kiosk_id, person, acting, current.method, now)


def end_session(db: Session, kiosk_id: str, token: str) -> bool:
    """End a session of this kiosk (the caller commits); False if there was none."""
    row = db.get(TaxpayerSession, token_hash(token))
    if row is None or row.kiosk_id != kiosk_id:
        return False
    db.delete(row)
    return True


# --- ID card ------------------------------------------------------------------------

def card_expired(valid_until: str, today: date) -> bool:
    """Whether the card's validity (YYYYMMDD, YYYY-MM-DD; 长期 never) ended before
    today. An unreadable value counts as expired."""
    text = valid_until.strip()
    if text in ("长期", "long-term"):
        return False
    digits = text.replace("-", "")
    if len(digits) != 8 or not digits.isdigit():
        return True
    try:
        until = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return True
    return until < today


def id_card_login(db: Session, kiosk_id: str, card: IdCardLogin, today: date,
                  now: datetime) -> dict[str, Any]:
    if card_expired(card.valid_until, today):
        raise HTTPException(422, "valid_until: the ID card has expired")
    person = person_by_id_number(db, card.id_number)
    if person is None:
        raise coded(404, TAXPAYER_UNKNOWN, "no registered taxpayer for this ID card")
    return open_session(db, kiosk_id, person, person, "id_card", now)


# --- TIN + password --------------------------------------------------------------------

def password_login(new_session: Callable[[], Session], kiosk_id: str,
                   login: PasswordLogin, now: datetime) -> dict[str, Any]:
    """`{result: "ok", identity}` | `{result: "wrong", tries_left}` | `{result:
    "locked", until}`; 404 `taxpayer.unknown` for a TIN with no password login.
    Counts and locks are committed before the verdict; concurrent attempts on one TIN
    from several kiosks are serialised on its row, so each wrong password counts."""
    with new_session() as db:
        row = taxpayer(db, login.tin)
        if row is None or not row.password_hash:
            raise coded(404, TAXPAYER_UNKNOWN, "no taxpayer with this TIN has a password "
                                               "login")
        stored = row.password_hash
        state = db.get(TaxpayerLoginState, row.tin)
        if state is not None and state.locked_until is not None and now < state.locked_until:
            return _locked(state.locked_until)
    # scrypt (tens of ms) outside any transaction; the row is re-read under its lock.
    good = check_secret(login.password, stored, what="taxpayer password")
    for attempt in range(_ATTEMPTS):
        with new_session() as db:
            try:
                verdict = _count(db, login.tin, good, now)
                if verdict["result"] == "ok":
                    person = db.get(Taxpayer, login.tin)
                    if person is None:  # removed while we hashed
                        raise coded(404, TAXPAYER_UNKNOWN, "no taxpayer with this TIN")
                    verdict["identity"] = open_session(db, kiosk_id, person, person,
                                                       "password", now)
                db.commit()
                return verdict
            except IntegrityError:  # another kiosk created the TIN's row first
                db.rollback()
                if attempt == _ATTEMPTS - 1:
                    raise
    raise AssertionError("unreachable")  # pragma: no cover


def _count(db: Session, tin: str, good: bool, now: datetime) -> dict[str, Any]:
    state = db.execute(select(TaxpayerLoginState).where(TaxpayerLoginState.tin == tin)
                       .with_for_update()).scalar_one_or_none()
    if state is not None and state.locked_until is not None:
        if now < state.locked_until:  # locked by another kiosk while we hashed
            return _locked(state.locked_until)
        state.locked_until = None  # the lock is over: a fresh count
        state.failures = 0
    if good:
        if state is not None:
            db.delete(state)
            db.flush()
        return {"result": "ok"}
    if state is None:
        state = TaxpayerLoginState(tin=tin, failures=0, locked_until=None, updated_at=now)
        db.add(state)
    state.failures += 1
    state.updated_at = now
    left = MAX_FAILURES - state.failures
    if left > 0:
        db.flush()
        return {"result": "wrong", "tries_left": left}
    state.failures = 0
    state.locked_until = now + LOCK_FOR
    db.flush()
    log.warning("a taxpayer login was locked for %d minutes after %d wrong passwords",
                LOCK_FOR.seconds // 60, MAX_FAILURES)  # never the TIN: personal data
    return _locked(state.locked_until)


def _locked(until: datetime) -> dict[str, Any]:
    return {"result": "locked", "until": until.isoformat()}


# --- scan-to-login QR ------------------------------------------------------------------

def create_qr(db: Session, kiosk_id: str, now: datetime) -> dict[str, Any]:
    """A new login QR for `kiosk_id` (expired tokens are swept). The caller commits."""
    db.execute(delete(QrLogin).where(QrLogin.expires_at < now - QR_ANSWER_GRACE))
    token = new_token()
    expires_at = now + QR_VALID
    db.add(QrLogin(token_hash=token_hash(token), kiosk_id=kiosk_id, created_at=now,
                   expires_at=expires_at))
    db.flush()
    return {"token": token, "qr_text": QR_PREFIX + token, "expires_at": expires_at.isoformat()}


def poll_qr(db: Session, kiosk_id: str, token: str, now: datetime) -> dict[str, Any]:
    """`{status}`: pending, approved (once, with the identity), expired or used. A
    token that is unknown or another kiosk's is "expired": it never logs anyone in
    here. The caller commits."""
    row = db.execute(select(QrLogin).where(QrLogin.token_hash == token_hash(token))
                     .with_for_update()).scalar_one_or_none()
    if row is None or row.kiosk_id != kiosk_id:
        return {"status": "expired"}
    if row.answered_at is not None:
        return {"status": "used"}
    if row.approved_tin is None:
        return {"status": "pending" if now < row.expires_at else "expired"}
    if now >= row.expires_at + QR_ANSWER_GRACE:
        return {"status": "expired"}
    person = db.get(Taxpayer, row.approved_tin)
    row.answered_at = now
    if person is None:  # left the registry since the approval
        return {"status": "expired"}
    return {"status": "approved",
            "identity": open_session(db, kiosk_id, person, person, "qr", now)}


def approve_qr(db: Session, token: str, tin: str, now: datetime) -> None:
    """The tax app's approval of a login QR for `tin` (the caller commits): 404
    `login.qr_expired` unknown or expired token, 409 `login.qr_used` already approved,
    404 `taxpayer.unknown`."""
    row = db.execute(select(QrLogin).where(QrLogin.token_hash == token_hash(token))
                     .with_for_update()).scalar_one_or_none()
    if row is None or now >= row.expires_at:
        raise coded(404, LOGIN_QR_EXPIRED, "this login QR is unknown or has expired")
    if row.approved_tin is not None:
        raise coded(409, LOGIN_QR_USED, "this login QR was already approved")
    found = taxpayer(db, tin)
    if found is None:
        raise coded(404, TAXPAYER_UNKNOWN, "no taxpayer with this TIN")
    row.approved_tin = found.tin
    row.approved_at = now


class QrWaiters:
    """Wakes the long-polls waiting on a login QR when it is approved in this process
    (other worker processes are seen by the polls' periodic database checks)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}

    def subscribe(self, key: str) -> asyncio.Event:
        event = asyncio.Event()
        with self._lock:
            self._waiting.setdefault(key, set()).add((asyncio.get_running_loop(), event))
        return event

    def unsubscribe(self, key: str, event: asyncio.Event) -> None:
        with self._lock:
            waiters = self._waiting.get(key, set())
            for item in [w for w in waiters if w[1] is event]:
                waiters.discard(item)
            if not waiters:
                self._waiting.pop(key, None)

    def notify(self, key: str) -> None:
        """Callable from any thread (the approving request runs in the thread pool)."""
        with self._lock:
            waiters = list(self._waiting.get(key, ()))
        for loop, event in waiters:
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # that loop has closed
                pass
