"""Staff login (card + PIN), lockout and the audit trail of maintenance mode.

Every outcome is audited through `audit(event, payload)`, which the kiosk wires to its
outbox (kind "staff.audit": append-only, hash-chained, signed, synced). Payloads carry
the staff id and a short card-key prefix at most: never the PIN, never the UID. An
audit that cannot be written fails the login (fail closed).
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from offline_queue.reference import ReferenceInbox

from .accounts import STAFF_KIND, StaffAccount, card_key
from .errors import BAD_PIN, LOCKED, UNKNOWN_CARD, StaffAuthError
from .lockout import CardState, LockoutStore
from .pins import check_pin, validate_pin

_log = logging.getLogger("kiosk.staff")

AUDIT_KIND = "staff.audit"
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
CARD_REF_CHARS = 12  # card_key prefix that identifies a card in the audit trail
LOGOUT_REASONS = ("staff", "idle")


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class StaffSession:
    staff_id: str
    roles: tuple[str, ...]
    started_at: datetime


class StaffAuth:
    """Card + PIN login against the staff accounts in the reference inbox."""

    def __init__(self, inbox: ReferenceInbox, state_path: Path,
                 audit: Callable[[str, dict[str, Any]], None],
                 clock: Callable[[], datetime] = _utc_now) -> None:
        self._inbox = inbox
        self._store = LockoutStore(state_path)
        self._audit = audit
        self._clock = clock
        self._lock = threading.Lock()  # one login at a time: counters stay exact

    # -- accounts ----------------------------------------------------------------------
    def _account(self, key: str) -> StaffAccount | None:
        entry = self._inbox.get(STAFF_KIND, key)
        return StaffAccount.from_body(entry.body) if entry is not None else None

    def knows_card(self, uid: str) -> bool:
        """Whether the card has an account (no audit, no lockout change)."""
        try:
            return self._account(card_key(uid)) is not None
        except StaffAuthError:
            return False

    # -- login -------------------------------------------------------------------------
    def login(self, uid: str, pin: str) -> StaffSession:
        """A session for the card's account; StaffAuthError otherwise (unknown_card,
        locked, pin_format, bad_pin). Audits every outcome but a PIN format error."""
        with self._lock:
            try:
                key = card_key(uid)
            except StaffAuthError:
                self._emit("unknown_card", None, {"card": None})
                raise
            card = key[:CARD_REF_CHARS]
            account = self._account(key)
            if account is None:
                self._emit("unknown_card", None, {"card": card})
                raise StaffAuthError("this card has no staff account", UNKNOWN_CARD)
            now = self._clock()
            states = self._store.load()
            state = states.get(key, CardState())
            if state.locked_until is not None:
                if now < state.locked_until:
                    self._emit("locked", account.staff_id, {
                        "card": card, "locked_until": state.locked_until.isoformat()})
                    raise StaffAuthError("this card is locked", LOCKED, attempts_left=0,
                                         locked_until=state.locked_until)
                state = CardState()  # the lock has expired: a fresh start
            validate_pin(pin)  # a typing slip, not an attempt: no count, no audit
            if check_pin(pin, account.pin_hash):
                if key in states:
                    del states[key]
                    self._store.save(states)
                session = StaffSession(account.staff_id, account.roles, now)
                self._emit("login", account.staff_id, {"card": card,
                                                       "roles": list(account.roles)})
                return session
            state.failures += 1
            left = MAX_FAILURES - state.failures
            if left <= 0:
                state = CardState(0, now + LOCK_FOR)
            states[key] = state
            self._store.save(states)  # before the audit: a crash must not undo a count
            self._emit("wrong_pin", account.staff_id, {"card": card,
                                                       "attempts_left": max(left, 0)})
            if state.locked_until is not None:
                self._emit("lockout", account.staff_id, {
                    "card": card, "locked_until": state.locked_until.isoformat()})
                _log.warning("staff card %s… locked after %d wrong PINs", card, MAX_FAILURES)
                raise StaffAuthError("too many wrong PINs: this card is locked", LOCKED,
                                     attempts_left=0, locked_until=state.locked_until)
            raise StaffAuthError("wrong PIN", BAD_PIN, attempts_left=left)

    def logout(self, session: StaffSession, reason: str) -> None:
        """End a session; `reason` "staff" (the staff member left) or "idle"."""
        if reason not in LOGOUT_REASONS:
            raise ValueError(f"logout reason must be one of {', '.join(LOGOUT_REASONS)}")
        seconds = max(0.0, (self._clock() - session.started_at).total_seconds())
        self._emit("logout", session.staff_id, {"reason": reason,
                                                "duration_s": round(seconds, 1)})

    def record(self, session: StaffSession, action: str,
               detail: dict[str, Any] | None = None) -> None:
        """Audit one maintenance action ("sync", "test_print", ...) of a session.
        `detail` must be JSON-serialisable and hold no personal data."""
        self._emit("action", session.staff_id, {**(detail or {}), "action": action})

    def _emit(self, event: str, staff_id: str | None, detail: dict[str, Any]) -> None:
        payload = {"event": event, "staff_id": staff_id,
                   "at": self._clock().astimezone(timezone.utc).isoformat(),
                   "detail": detail}
        self._audit(event, payload)
