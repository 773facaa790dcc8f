"""Who may call what: the admin token, the kiosk's client certificate (mutual TLS) and
its signature on a request (docs/security.md, the threat model).

`require_admin` and `require_kiosk_certificate` are FastAPI dependencies: a route lists
them in `dependencies=[Depends(...)]`, and they run before its body is read.
"""
from __future__ import annotations

import functools
import hmac
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import Header, HTTPException, Request
from sqlalchemy import Connection, Row, Select, bindparam, select
from sqlalchemy.orm import Session

from central.db import KIOSKS_TABLE as _KIOSKS
from central.db import Kiosk
from central.state import AppState, CentralState
from central.tls_peer import client_identities
from offline_queue.crypto import (
    RecordIntegrityError,
    b64d,
    b64e,
    content_digest,
    encrypt_for_kiosk,
    open_call,
    verify_signature,
)
from offline_queue.wire import (
    STAFF_WINDOW_S,
    Heartbeat,
    KioskVerifyRequest,
    PinCheckRequest,
    SealedCall,
    StaffRequest,
)

SignedRequest = Heartbeat | StaffRequest | PinCheckRequest | KioskVerifyRequest | SealedCall


def same_secret(given: str | None, expected: str) -> bool:
    if given is None:
        return False
    # compare_digest refuses non-ASCII str: compare the UTF-8 bytes instead.
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"),
                               expected.encode("utf-8", "surrogatepass"))


def require_admin(state: AppState,
                  authorization: str | None = Header(default=None)) -> None:
    """The admin routes: 401 without a bearer token, 403 with a wrong one (open when
    the service has no admin token: loopback only, central.bind_rules)."""
    if state.admin_token is None:
        return
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(401, "admin token required (Authorization: Bearer ...)",
                            headers={"WWW-Authenticate": "Bearer"})
    if not same_secret(token.strip(), state.admin_token):
        raise HTTPException(403, "wrong admin token")


async def require_kiosk_certificate(request: Request, kiosk_id: str,
                                    state: AppState) -> None:
    """With mutual TLS: 403 unless the client certificate names `kiosk_id` (the path's;
    a kiosk holding another kiosk's signing key still cannot ask in its name).
    async: the check reads only the connection's scope, so it runs on the event loop
    rather than costing a thread-pool hand-off per request."""
    check_kiosk_certificate(request, kiosk_id, state)


def check_kiosk_certificate(request: Request, kiosk_id: str, state: CentralState) -> None:
    """require_kiosk_certificate's check, for code that is not a dependency."""
    names = client_identities(request.scope)
    if names is None and not state.kiosk_certificates:
        return  # no mutual TLS (plain HTTP, or TLS without client certificates)
    if names is None:
        raise HTTPException(403, "a client certificate naming this kiosk is required "
                                 "(mutual TLS)")
    if kiosk_id not in names:
        raise HTTPException(403, f"the client certificate does not name kiosk "
                                 f"{kiosk_id!r}")


def _signature_of(kiosk_id: str, body: SignedRequest) -> bytes:
    """The request's signature bytes; 422 when the path and body disagree or it is not
    base64 (checked before any database access)."""
    if body.kiosk_id != kiosk_id:
        raise HTTPException(422, "kiosk_id in the path and the body differ")
    try:
        return b64d(body.signature)
    except ValueError:
        raise HTTPException(422, "signature: not base64") from None


def _check_signed(kiosk_id: str, body: SignedRequest, signature: bytes,
                  public_key: bytes, approved: bool,
                  content: dict[str, Any] | None) -> None:
    try:
        verify_signature(public_key,
                         content_digest(content if content is not None
                                        else body.model_dump(mode="json")),
                         signature)
    except RecordIntegrityError:
        raise HTTPException(403, "bad signature: not signed by this kiosk's key") from None
    if not approved:
        raise HTTPException(403, f"kiosk {kiosk_id!r} is not approved yet (an operator must "
                                 f"approve its enrolment)")


def signed_by(session: Session, kiosk_id: str, body: SignedRequest, *,
              lock: bool = False) -> Kiosk:
    """The enrolled and approved kiosk that signed `body` (every field but the
    signature), or the 4xx that says why not: 422 malformed, 403 unknown kiosk, bad
    signature or not approved yet. `lock`: hold the kiosk's row for an update."""
    signature = _signature_of(kiosk_id, body)
    query = select(Kiosk).where(Kiosk.kiosk_id == kiosk_id)
    kiosk = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    if kiosk is None:
        raise HTTPException(403, f"kiosk {kiosk_id!r} is not enrolled")
    _check_signed(kiosk_id, body, signature, kiosk.public_key, kiosk.approved, None)
    return kiosk



@functools.cache
def _kiosk_query(columns: tuple[str, ...], lock: bool) -> Select[Any]:
    """Built once per shape: a statement object memoises its cache key."""
    query = (select(_KIOSKS.c.public_key, _KIOSKS.c.approved_at,
                    *(_KIOSKS.c[name] for name in columns))
             .where(_KIOSKS.c.kiosk_id == bindparam("k_kiosk")))
    return query.with_for_update() if lock else query


def signed_row(conn: Connection, kiosk_id: str, body: SignedRequest,
               *columns: str, lock: bool = False,
               content: dict[str, Any] | None = None) -> Row[Any]:
    """`signed_by` for the hot paths (heartbeat, online verification): the same checks
    in the same order, on a Core connection, returning only the kiosk's `columns` (a
    Core row) instead of loading an ORM object. `content`: body.model_dump(mode="json")
    when the caller already has it (the digest is the same; it is not made twice)."""
    signature = _signature_of(kiosk_id, body)
    row = conn.execute(_kiosk_query(columns, lock), {"k_kiosk": kiosk_id}).one_or_none()
    if row is None:
        raise HTTPException(403, f"kiosk {kiosk_id!r} is not enrolled")
    _check_signed(kiosk_id, body, signature, row.public_key, row.approved_at is not None,
                  content)
    return row


def near(moment: datetime, now: datetime) -> bool:
    """Whether a signed request's sent_at is within STAFF_WINDOW_S of `now`."""
    try:
        return abs(now - moment) <= timedelta(seconds=STAFF_WINDOW_S)
    except OverflowError:  # a date near year 1 or 9999 with an offset
        return False


def clock_skew_error() -> HTTPException:
    """409 for a signed request whose sent_at is outside the window."""
    return HTTPException(409, f"sent_at is more than {STAFF_WINDOW_S} s from the "
                              f"service's clock (check the kiosk's clock)")


#: What a route that takes a SealedCall declares (central.errors.error_responses).
SEALED_CALL_ERRORS: dict[int, str] = {
    403: "not enrolled, not approved, bad signature, or (mutual TLS) a client "
         "certificate that does not name the kiosk",
    409: "sent_at too far from the service's clock, or a replayed call",
    422: "invalid request, or the sealed call does not open under this kiosk's data "
         "key for this route",
}


def open_sealed_call(state: CentralState, kiosk_id: str, body: SealedCall, purpose: str,
                     *, request: Request | None = None) -> tuple[Kiosk, dict[str, Any]]:
    """The kiosk that sent a sealed call and the call's decrypted request object, or
    the 4xx saying why not, in this order: 403 (mutual TLS) a client certificate not
    naming the kiosk (when `request` is given), unknown kiosk, bad signature or not
    approved; 409 sent_at more than STAFF_WINDOW_S from the clock, or a signature
    already answered; 422 a call that does not open under the kiosk's data key for
    `purpose` (the route's name, e.g. "identity.id_card") or is not a JSON object.
    Nothing is stored by this check; the replay guard remembers only signatures that
    verified."""
    if request is not None:
        check_kiosk_certificate(request, kiosk_id, state)
    with state.sessions() as session:
        kiosk = signed_by(session, kiosk_id, body)
    if not near(body.sent_at_time, datetime.now(UTC)):
        raise clock_skew_error()
    # Past the window the sent_at check refuses a replay; within it, this does.
    if not state.sealed_call_replays.first_use(f"{kiosk_id}|{body.signature}",
                                               2 * STAFF_WINDOW_S):
        raise HTTPException(409, "replayed call (this signature was already answered)")
    try:
        payload = open_call(kiosk.data_key, b64d(body.nonce), b64d(body.ciphertext),
                            purpose, kiosk_id, body.sent_at)
    except ValueError as exc:  # base64, RecordIntegrityError
        raise HTTPException(422, f"the sealed call does not open for {purpose!r}: "
                                 f"{exc}") from None
    return kiosk, payload


def seal_answer(kiosk: Kiosk, sent_at: str, payload: dict[str, Any]) -> dict[str, str]:
    """A `wire.SealedAnswer` (as a dict) of `payload` for the kiosk that sent a sealed
    call, bound to its kiosk_id and the call's sent_at."""
    nonce, ciphertext = encrypt_for_kiosk(kiosk.data_key, payload, kiosk.kiosk_id, sent_at)
    return {"nonce": b64e(nonce), "ciphertext": b64e(ciphertext)}
