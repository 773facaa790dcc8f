"""A kiosk's own signed requests: its heartbeat, its hall's staff accounts and the
check of a staff PIN. Who may call them: the enrolled and approved kiosk that signs the
request (central.auth.signed_by) and, under mutual TLS, whose client certificate names
it (the staff endpoints)."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy import bindparam, update

from central.auth import (
    clock_skew_error,
    near,
    require_kiosk_certificate,
    signed_by,
    signed_row,
)
from central.db import KIOSKS_TABLE as _KIOSKS
from central.errors import WITH_BODY, error_responses
from central.fleet.history import record_heartbeat
from central.fleet.reported import devices_problem
from central.hot_path import run_hot
from central.out_of_service import notice_on
from central.reference import staff_account, staff_accounts
from central.schemas import HeartbeatAck
from central.staff_pins import check_staff_pin
from central.state import AppState
from offline_queue import bounded_json
from offline_queue.crypto import b64d, b64e, decrypt_for_kiosk, encrypt_for_kiosk
from offline_queue.pins import pin_format_ok
from offline_queue.wire import (
    STAFF_WINDOW_S,
    Heartbeat,
    PinCheckRequest,
    PinVerdict,
    SealedAnswer,
    StaffRequest,
    StaffSnapshot,
    pin_request_label,
    pin_verdict_label,
)

router = APIRouter(tags=["kiosks"], responses=error_responses(*WITH_BODY))

_SEEN = (update(_KIOSKS).where(_KIOSKS.c.kiosk_id == bindparam("k_kiosk"))
         .values(last_seen=bindparam("k_seen"), last_heartbeat=bindparam("k_report")))

_NOT_THIS_KIOSK = ("not enrolled, not approved, bad signature, or (mutual TLS) a client "
                   "certificate that does not name the kiosk")


@router.post("/v1/kiosks/{kiosk_id}/heartbeat", response_model=HeartbeatAck,
             responses=error_responses({403: "not enrolled, or bad signature",
                                        409: "stale or replayed heartbeat, or sent_at too "
                                             "far from the service's clock"}))
async def heartbeat(kiosk_id: str, body: Heartbeat, state: AppState) -> dict[str, Any]:
    """A kiosk's signed health report (devices, queue depth, oldest pending age,
    software version); kept as the kiosk's last_seen / last_heartbeat. A device report
    the fleet page cannot read (central.fleet.reported) is refused (422), nothing kept."""
    return await run_hot(_heartbeat, kiosk_id, body, state)  # the busiest route


def _heartbeat(kiosk_id: str, body: Heartbeat, state: AppState) -> dict[str, Any]:
    if bounded_json.depth_of(body.devices) > bounded_json.MAX_DEPTH:
        # Before any serialisation: pydantic and json.dumps give up on deep values.
        raise HTTPException(422, f"devices: nested more than {bounded_json.MAX_DEPTH} "
                                 f"levels deep")
    problem = devices_problem(body.devices)
    if problem:  # the fleet page's stock per cassette: a bad shape is kept nowhere
        raise HTTPException(422, problem)
    report = body.model_dump(mode="json")
    now = datetime.now(UTC)
    # Core statements on the session's connection: the busiest route (one a minute per
    # kiosk) skips the ORM's identity map and unit of work. The kiosk's row stays
    # locked from the signature check to the commit, as before.
    with state.sessions() as session:
        conn = session.connection()
        kiosk = signed_row(conn, kiosk_id, body, "last_heartbeat", lock=True,
                           content=report)
        # Bounded like /staff: a sent_at far in the future (a kiosk clock set to
        # 9999) would otherwise make every later heartbeat "stale" for good.
        if not near(body.sent_at_time, now):
            raise clock_skew_error()
        previous = json.loads(kiosk.last_heartbeat) if kiosk.last_heartbeat else {}
        last = previous.get("sent_at")
        last_time = datetime.fromisoformat(last) if isinstance(last, str) else None
        # A stored sent_at beyond the window (kept before it was bounded) is ignored.
        if last_time is not None and near(last_time, now) \
                and last_time >= body.sent_at_time:
            raise HTTPException(409, "stale or replayed heartbeat (sent_at is not "
                                     "newer than the last one)")
        report.pop("signature", None)
        conn.execute(_SEEN, {"k_kiosk": kiosk_id, "k_seen": now,
                             "k_report": json.dumps(report, ensure_ascii=False)})
        # The fleet page's history and device faults, in the same transaction.
        record_heartbeat(conn, kiosk_id, report, now, state.fleet.history_keep)
        # Read before the commit, in the same transaction: no second one afterwards.
        notice = notice_on(conn, kiosk_id)
        session.commit()
    return {"kiosk_id": kiosk_id, "received_at": now, "out_of_service": notice}


@router.post("/v1/kiosks/{kiosk_id}/staff", response_model=SealedAnswer,
             dependencies=[Depends(require_kiosk_certificate)],
             responses=error_responses({403: _NOT_THIS_KIOSK,
                                        409: "sent_at too far from the service's clock"}))
def staff(kiosk_id: str, body: StaffRequest, state: AppState) -> dict[str, str]:
    """The current staff accounts (PIN hashes) valid in the kiosk's hall, for one
    enrolled and approved kiosk: the signed request proves who asks, and the
    answer is a `wire.StaffSnapshot` encrypted under that kiosk's data key, bound
    to its kiosk_id and sent_at."""
    with state.sessions() as session:
        kiosk = signed_by(session, kiosk_id, body)
        # Only the kiosk can read the answer, so a replay leaks nothing; the window
        # just keeps old captured requests from being answered forever.
        try:
            skew = abs(datetime.now(UTC) - body.sent_at_time)
        except OverflowError:  # a date near year 1 or 9999 with an offset
            skew = timedelta.max
        if skew > timedelta(seconds=STAFF_WINDOW_S):
            raise clock_skew_error()
        snapshot = StaffSnapshot(accounts=staff_accounts(session, kiosk.hall_id),
                                 sent_at=body.sent_at)
        data_key = kiosk.data_key
    nonce, ciphertext = encrypt_for_kiosk(data_key, snapshot.model_dump(mode="json"),
                                          kiosk_id, body.sent_at)
    return {"nonce": b64e(nonce), "ciphertext": b64e(ciphertext)}


@router.post("/v1/kiosks/{kiosk_id}/staff/pin", response_model=SealedAnswer,
             dependencies=[Depends(require_kiosk_certificate)],
             responses=error_responses({403: _NOT_THIS_KIOSK,
                                        409: "sent_at too far from the service's clock, "
                                             "or not newer than the last PIN check",
                                        422: "invalid request, or the sealed PIN does not "
                                             "open"}))
def staff_pin(kiosk_id: str, body: PinCheckRequest, state: AppState) -> dict[str, str]:
    """Check a staff PIN typed at a kiosk (signed request, the PIN sealed under the
    kiosk's data key). Wrong PINs are counted per card across every kiosk
    (central.staff_pins: 5 lock the card for 15 min, longer each time); the
    answer, a `wire.PinVerdict` sealed for the kiosk, is ok / wrong (attempts
    left) / locked (until when) / unknown (no account for the card in this
    kiosk's hall)."""
    now = datetime.now(UTC)
    with state.sessions() as session:
        kiosk = signed_by(session, kiosk_id, body, lock=True)
        if not near(body.sent_at_time, now):
            raise clock_skew_error()
        # One check per request: a captured wrong-PIN request replayed would
        # otherwise count again (and lock the card).
        if kiosk.pin_checked_at is not None and body.sent_at_time <= kiosk.pin_checked_at:
            raise HTTPException(409, "replayed PIN check (sent_at is not newer than the "
                                     "last one)")
        try:
            sealed = decrypt_for_kiosk(kiosk.data_key, b64d(body.nonce),
                                       b64d(body.ciphertext), kiosk_id,
                                       pin_request_label(body.card, body.sent_at))
        except ValueError:  # base64, RecordIntegrityError
            raise HTTPException(422, "the sealed PIN does not open under this kiosk's "
                                     "data key") from None
        pin = sealed.get("pin")
        if not isinstance(pin, str) or not pin_format_ok(pin):
            raise HTTPException(422, "pin: must be 6 to 8 digits")
        kiosk.pin_checked_at = body.sent_at_time
        account = staff_account(session, body.card, kiosk.hall_id)
        data_key = kiosk.data_key
        session.commit()
    verdict = ({"result": "unknown"} if account is None
               else check_staff_pin(state.sessions, body.card, pin, account, now))
    answer = PinVerdict(card=body.card, sent_at=body.sent_at, **verdict)
    nonce, ciphertext = encrypt_for_kiosk(data_key, answer.model_dump(mode="json"),
                                          kiosk_id,
                                          pin_verdict_label(body.card, body.sent_at))
    return {"nonce": b64e(nonce), "ciphertext": b64e(ciphertext)}
