"""Online staff PIN checks: one wrong-PIN count per card for the whole fleet.

A kiosk that reaches the central service asks it to check a PIN (`POST
/v1/kiosks/{id}/staff/pin`); the count lives in the central database
(`staff_pin_state`), so taking a stolen card from terminal to terminal, or restarting
one, starts no fresh count. The numbers match the kiosk's own lockout
(kiosk.staff.auth, used only offline): 5 wrong PINs lock the card for 15 minutes. On
top, each further lock without a good PIN in between lasts twice as long as the one
before (15 min, 30 min, 1 h, ... at most 24 h), so a card can be tried about 35
times in its first day and 5 a day after that, instead of 480 a day.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central.db import StaffPinState
from offline_queue.pins import check_pin

log = logging.getLogger(__name__)

MAX_FAILURES = 5  # wrong PINs in a row that lock a card (as kiosk.staff.auth)
LOCK_FOR = timedelta(minutes=15)  # the first lock (as kiosk.staff.auth)
MAX_LOCK = timedelta(hours=24)  # the longest lock, however often the card was locked
_ATTEMPTS = 3


def lock_duration(lockouts: int) -> timedelta:
    """How long the `lockouts`-th lock since the last good PIN lasts (1: the first)."""
    if lockouts >= 8:  # 15 min * 2**7 is already beyond the cap
        return MAX_LOCK
    return min(LOCK_FOR * 2 ** max(lockouts - 1, 0), MAX_LOCK)


def check_staff_pin(new_session: Callable[[], Session], card: str, pin: str,
                    account: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The verdict on `pin` for the account of `card` (its body, with the scrypt hash
    in "pin"): {"result": "ok", staff_id, roles} | {"result": "wrong",
    attempts_left} | {"result": "locked", locked_until}. Counts and locks are
    committed before the verdict is returned; concurrent checks of one card from
    several kiosks are serialised on its row, so every wrong PIN counts once."""
    with new_session() as session:
        state = session.get(StaffPinState, card)
        if state is not None and state.locked_until is not None and now < state.locked_until:
            return _locked(state.locked_until)
    # scrypt (tens of ms) outside any transaction; the row is re-read under its lock.
    good = check_pin(pin, str(account.get("pin", "")))
    for attempt in range(_ATTEMPTS):
        with new_session() as session:
            try:
                verdict = _count(session, card, good, now)
                session.commit()
            except IntegrityError:  # another kiosk created the card's row first
                session.rollback()
                if attempt == _ATTEMPTS - 1:
                    raise
                continue
        if verdict["result"] == "ok":
            return verdict | {"staff_id": account.get("staff_id"),
                              "roles": account.get("roles")}
        return verdict
    raise AssertionError("unreachable")  # pragma: no cover


def _count(session: Session, card: str, good: bool, now: datetime) -> dict[str, Any]:
    state = session.execute(select(StaffPinState).where(StaffPinState.card_key == card)
                            .with_for_update()).scalar_one_or_none()
    if state is not None and state.locked_until is not None:
        if now < state.locked_until:  # locked by another kiosk while we hashed
            return _locked(state.locked_until)
        state.locked_until = None  # the lock is over: a fresh count, the lockouts stay
        state.failures = 0
    if good:
        if state is not None:
            session.execute(delete(StaffPinState).where(StaffPinState.card_key == card))
        return {"result": "ok"}
    if state is None:
        state = StaffPinState(card_key=card, failures=0, lockouts=0, locked_until=None,
                              updated_at=now)
        session.add(state)
    state.failures += 1
    state.updated_at = now
    left = MAX_FAILURES - state.failures
    if left > 0:
        session.flush()
        return {"result": "wrong", "attempts_left": left}
    state.failures = 0
    state.lockouts += 1
    state.locked_until = now + lock_duration(state.lockouts)
    session.flush()
    log.warning("staff card %s… locked until %s after %d wrong PINs (lock %d)",
                card[:12], state.locked_until.isoformat(), MAX_FAILURES, state.lockouts)
    return _locked(state.locked_until)


def _locked(until: datetime) -> dict[str, Any]:
    return {"result": "locked", "attempts_left": 0, "locked_until": until.isoformat()}
