"""Who may see the fleet page: an operator with the admin token, as a bearer header
(scripts) or through a browser session started by `POST /fleet/login`.

The session cookie carries 32 random bytes; the database keeps only their SHA-256 (a
copy of the table signs nobody in), with an expiry and a CSRF token for the page's
forms. The cookie is HttpOnly, SameSite=Strict, limited to /fleet, Secure over HTTPS,
and expires with the session. Sessions live in the database, so every worker process
knows them. Without an admin token (loopback demos only, central.bind_rules) the
pages are open, like the admin API.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import HTTPException, Request
from sqlalchemy import delete, select

from central.auth import same_secret
from central.fleet.models import FleetSession
from central.state import CentralState

COOKIE = "fleet_session"
COOKIE_PATH = "/fleet"


@dataclass(frozen=True)
class FleetUser:
    """Who the request is: `csrf` is the token forms must carry ("" for a bearer
    caller, who sends no cookie and so cannot be tricked by another site)."""

    via: str  # "bearer" | "session" | "open"
    csrf: str = ""
    token_hash: str = ""


class SignInRequired(Exception):
    """No valid sign-in: pages answer with the sign-in form (401), APIs with 401."""


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def current_user(request: Request, state: CentralState) -> FleetUser:
    """The signed-in operator, or SignInRequired. A bearer header, when present, must
    be the admin token (a wrong one is 403, never a fall-back to the cookie)."""
    if state.admin_token is None:
        return FleetUser(via="open")
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise SignInRequired()
        if not same_secret(token.strip(), state.admin_token):
            raise HTTPException(403, "wrong admin token")
        return FleetUser(via="bearer")
    cookie = request.cookies.get(COOKIE)
    if not cookie or len(cookie) > 128:
        raise SignInRequired()
    now = state.now()
    with state.sessions() as session:
        row = session.get(FleetSession, _digest(cookie))
        if row is None or row.expires_at <= now:
            raise SignInRequired()
        return FleetUser(via="session", csrf=row.csrf, token_hash=row.token_hash)


def check_csrf(user: FleetUser, given: str | None) -> None:
    """403 unless a session's form carries its CSRF token (bearer callers need none:
    a browser never adds an Authorization header on another site's behalf)."""
    if user.via != "session":
        return
    if not given or not same_secret(given, user.csrf):
        raise HTTPException(403, "the form's CSRF token is missing or wrong (reload the page)")


def sign_in(state: CentralState, token: str) -> tuple[str, int] | None:
    """A new session's cookie value and lifetime (s) if `token` is the admin token,
    else None (and nothing stored). Expired sessions are deleted on the way."""
    if state.admin_token is None or not same_secret(token, state.admin_token):
        return None
    cookie = secrets.token_urlsafe(32)
    now = state.now()
    ttl = int(state.fleet.session_ttl_s)
    with state.sessions() as session:
        session.execute(delete(FleetSession).where(FleetSession.expires_at <= now))
        session.add(FleetSession(token_hash=_digest(cookie), csrf=secrets.token_urlsafe(24),
                                 created_at=now, expires_at=now + timedelta(seconds=ttl)))
        session.commit()
    return cookie, ttl


def sign_out(state: CentralState, user: FleetUser) -> None:
    """End the session (a bearer or open caller has none)."""
    if user.via != "session":
        return
    with state.sessions() as session:
        session.execute(delete(FleetSession).where(FleetSession.token_hash == user.token_hash))
        session.commit()


def live_sessions(state: CentralState, now: datetime) -> int:
    """How many sessions have not expired (the page's footer; tests)."""
    with state.sessions() as session:
        return len(session.execute(select(FleetSession.token_hash).where(
            FleetSession.expires_at > now)).all())
