"""Kiosk enrolment (anyone may ask; without the enrolment token the kiosk waits for an
operator) and its approval and inspection (admin token)."""
from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from central.auth import require_admin, same_secret
from central.db import Kiosk
from central.errors import ADMIN, WITH_BODY, WITH_INPUT, error_responses
from central.schemas import ApproveRequest, EnrolResponse, KioskView
from central.state import AppState
from offline_queue.wire import EnrolRequest, key_fingerprint, same_fingerprint

log = logging.getLogger(__name__)

#: Enrolments without the token waiting for an operator's approval: beyond this many,
#: more are refused (429), so strangers cannot fill the database with them.
MAX_PENDING_KIOSKS = 1000

router = APIRouter(tags=["enrolment"])


@router.post("/v1/kiosks/enroll", response_model=EnrolResponse,
             responses=error_responses(*WITH_BODY, {
                 403: "wrong enrolment token",
                 409: "kiosk_id already enrolled with other keys",
                 429: "too many enrolments wait for approval"}))
def enroll(body: EnrolRequest, state: AppState) -> dict[str, Any]:
    """Register a kiosk's keys and hall; repeating the same enrolment is harmless.

    With the enrolment token (or on a service without one: loopback demos) the
    kiosk is approved at once for the hall it names. Without the token it is
    stored pending (`approved` false) and gets nothing (no staff accounts, no sync,
    no heartbeat) until an operator approves it; a pending enrolment may be
    replaced by a later one with other keys, since nothing was granted to it. A
    wrong token is refused (403). An approved kiosk's keys and hall never change
    here (409 for other keys; the hall changes only through an approval)."""
    if state.enrolment_token is None:
        trusted = True
    elif body.token is None:
        trusted = False
    elif same_secret(body.token, state.enrolment_token):
        trusted = True
    else:
        raise HTTPException(403, "wrong or missing enrolment token")
    public_key = _key(body.public_key, "public_key")
    data_key = _key(body.data_key, "data_key")
    for _ in range(2):
        now = datetime.now(UTC)
        with state.sessions() as session:
            kiosk = session.execute(select(Kiosk).where(Kiosk.kiosk_id == body.kiosk_id)
                                    .with_for_update()).scalar_one_or_none()
            same_keys = kiosk is not None and \
                hmac.compare_digest(kiosk.public_key, public_key) and \
                hmac.compare_digest(kiosk.data_key, data_key)
            if kiosk is None:
                if not trusted and session.execute(select(func.count()).where(
                        Kiosk.approved_at.is_(None))).scalar_one() >= MAX_PENDING_KIOSKS:
                    raise HTTPException(429, "too many enrolments wait for approval; "
                                             "enrol with the enrolment token")
                kiosk = Kiosk(kiosk_id=body.kiosk_id, public_key=public_key,
                              data_key=data_key, enrolled_at=now, acked_through=0,
                              approved_at=now if trusted else None,
                              hall_id=body.hall_id)
                session.add(kiosk)
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()
                    continue  # enrolled concurrently: compare keys on the next pass
                if not trusted:
                    log.info("kiosk %s enrolled without the token: waits for approval",
                             body.kiosk_id)
            elif kiosk.approved and not same_keys:
                raise HTTPException(409, "kiosk_id already enrolled with other keys")
            elif not kiosk.approved and (trusted or not same_keys
                                         or kiosk.hall_id != body.hall_id):
                if not same_keys:  # nothing was granted to the pending enrolment
                    kiosk.public_key, kiosk.data_key = public_key, data_key
                    kiosk.enrolled_at = now
                kiosk.hall_id = body.hall_id
                if trusted:
                    kiosk.approved_at = now
                session.commit()
            return _enrolment(kiosk)
    raise HTTPException(409, "kiosk_id already enrolled with other keys")


@router.post("/v1/admin/kiosks/{kiosk_id}/approve", response_model=KioskView,
             dependencies=[Depends(require_admin)],
             responses=error_responses(*ADMIN, *WITH_BODY, {
                 404: "unknown kiosk", 409: "the key fingerprint does not match"}))
def approve(kiosk_id: str, body: ApproveRequest, state: AppState) -> dict[str, Any]:
    """Approve an enrolled kiosk for a hall (admin token), or move an approved one
    to another hall: from now on it syncs and receives that hall's staff
    accounts. The fingerprint must be the one `kiosk enroll` printed."""
    with state.sessions() as session:
        kiosk = session.execute(select(Kiosk).where(Kiosk.kiosk_id == kiosk_id)
                                .with_for_update()).scalar_one_or_none()
        if kiosk is None:
            raise HTTPException(404, "unknown kiosk")
        if not same_fingerprint(body.key_fingerprint, kiosk.public_key):
            raise HTTPException(409, "key_fingerprint is not this kiosk's key: compare "
                                     "with what `kiosk enroll` printed on the terminal")
        if "hall_id" in body.model_fields_set:
            kiosk.hall_id = body.hall_id
        if kiosk.approved_at is None:
            kiosk.approved_at = datetime.now(UTC)
        session.commit()
        log.info("kiosk %s approved for hall %s", kiosk_id, kiosk.hall_id or "(none)")
        return _kiosk_view(kiosk)


@router.get("/v1/admin/kiosks/{kiosk_id}", response_model=KioskView,
            dependencies=[Depends(require_admin)],
            responses=error_responses(*ADMIN, *WITH_INPUT, {404: "unknown kiosk"}))
def kiosk_view(kiosk_id: str, state: AppState) -> dict[str, Any]:
    """An enrolled kiosk with its last heartbeat (admin token)."""
    with state.sessions() as session:
        kiosk = session.get(Kiosk, kiosk_id)
        if kiosk is None:
            raise HTTPException(404, "unknown kiosk")
        return _kiosk_view(kiosk)


def _key(text_b64: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text_b64.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise HTTPException(422, f"{what}: not base64") from None
    if len(raw) != 32:
        raise HTTPException(422, f"{what}: must be 32 bytes")
    return raw


def _enrolment(kiosk: Kiosk) -> dict[str, Any]:
    return {"kiosk_id": kiosk.kiosk_id, "enrolled_at": kiosk.enrolled_at,
            "acked_through": kiosk.acked_through, "approved": kiosk.approved,
            "hall_id": kiosk.hall_id, "key_fingerprint": key_fingerprint(kiosk.public_key)}


def _kiosk_view(kiosk: Kiosk) -> dict[str, Any]:
    return _enrolment(kiosk) | {
        "last_seen": kiosk.last_seen,
        "last_heartbeat": json.loads(kiosk.last_heartbeat) if kiosk.last_heartbeat else None,
        "approved_at": kiosk.approved_at}
