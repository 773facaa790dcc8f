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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from offline_queue.reference import ReferenceInbox
from offline_queue.wire import PinVerdict

from .accounts import STAFF_KIND, StaffAccount, card_key
from .errors import BAD_PIN, KIOSK_LOCKED, LOCKED, NOT_ALLOWED, UNKNOWN_CARD, StaffAuthError
from .lockout import KIOSK_WIDE, CardState, LockoutStore, LockoutUnavailable
from .pins import check_pin, validate_pin
from .roles import allowed

_log = logging.getLogger("kiosk.staff")

AUDIT_KIND = "staff.audit"
#: Asks the central service to check a PIN (card key, PIN): its verdict, or None when
#: it gave none (unreachable, refused the request); then the local hash decides.
CentralCheck = Callable[[str, str], "PinVerdict | None"]
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
CARD_REF_CHARS = 12  # card_key prefix that identifies a card in the audit trail
LOGOUT_REASONS = ("staff", "idle")


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class StaffSession:
    staff_id: str
    roles: tuple[str, ...]
    started_at: datetime


class StaffAuth:
    """Card + PIN login against the staff accounts in the reference inbox."""

    def __init__(self, inbox: ReferenceInbox, state_path: Path,
                 audit: Callable[[str, dict[str, Any]], None],
                 clock: Callable[[], datetime] = _utc_now,
                 central_check: CentralCheck | None = None) -> None:
        """`central_check`: while the central service answers, it checks every PIN
        and counts wrong ones per card across the fleet; its verdict is final (a
        PIN the local hash would accept is still refused when the central service
        says wrong or locked), and it is mirrored into the local lockout so that
        going offline right after does not start a fresh count."""
        self._central_check = central_check
        self._inbox = inbox
        self._store = LockoutStore(state_path, lock_for=LOCK_FOR, clock=clock)
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
            states = self._load_states(now, account.staff_id, card)
            state = states.get(key, CardState())
            if state.locked_until is not None:
                if now < state.locked_until:
                    self._emit("locked", account.staff_id, {
                        "card": card, "locked_until": state.locked_until.isoformat()})
                    raise StaffAuthError("this card is locked", LOCKED, attempts_left=0,
                                         locked_until=state.locked_until)
                state = CardState()  # the lock has expired: a fresh start
            validate_pin(pin)  # a typing slip, not an attempt: no count, no audit
            verdict = self._central_check(key, pin) if self._central_check else None
            if verdict is not None:
                return self._central_verdict(verdict, key, account, states, now)
            if check_pin(pin, account.pin_hash):  # offline: the local hash and lockout
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

    def _central_verdict(self, verdict: PinVerdict, key: str, account: StaffAccount,
                         states: dict[str, CardState], now: datetime) -> StaffSession:
        """Apply the central service's verdict (audited, mirrored locally)."""
        card = key[:CARD_REF_CHARS]
        detail: dict[str, Any] = {"card": card, "checked": "central"}
        if verdict.result == "ok":
            if key in states:
                del states[key]
                self._store.save(states)
            # The central account is the current one (the inbox may lag a minute).
            current = StaffAccount.from_body({"staff_id": verdict.staff_id,
                                              "roles": verdict.roles,
                                              "pin": account.pin_hash}) or account
            self._emit("login", current.staff_id, detail | {"roles": list(current.roles)})
            return StaffSession(current.staff_id, current.roles, now)
        if verdict.result == "unknown":  # no account for this card in this kiosk's hall
            self._emit("unknown_card", None, detail)
            raise StaffAuthError("this card has no staff account", UNKNOWN_CARD)
        local = states.get(key, CardState())
        if verdict.result == "wrong":
            left = max(int(verdict.attempts_left or 0), 1)
            # The higher count of both: failures typed offline still count.
            states[key] = CardState(max(local.failures if local.locked_until is None else 0,
                                        MAX_FAILURES - left), None)
            self._store.save(states)
            self._emit("wrong_pin", account.staff_id, detail | {"attempts_left": left})
            raise StaffAuthError("wrong PIN", BAD_PIN, attempts_left=left)
        until = _parse_time(verdict.locked_until) or now + LOCK_FOR
        states[key] = CardState(0, until)
        self._store.save(states)
        self._emit("locked", account.staff_id, detail | {"locked_until": until.isoformat()})
        _log.warning("staff card %s… is locked at the central service", card)
        raise StaffAuthError("too many wrong PINs: this card is locked", LOCKED,
                             attempts_left=0, locked_until=until)

    def _load_states(self, now: datetime, staff_id: str, card: str) -> dict[str, CardState]:
        """The lockout counters, or StaffAuthError(staff.kiosk_locked), audited, while
        a damaged state keeps sign-in locked on this kiosk (LockoutStore fails closed)."""
        try:
            states = self._store.load()
        except LockoutUnavailable:
            self._emit("locked", staff_id, {"card": card, "kiosk_wide": True,
                                            "locked_until": None})
            raise StaffAuthError("staff sign-in is locked on this kiosk: its lockout "
                                 "state cannot be read", KIOSK_LOCKED, attempts_left=0
                                 ) from None
        kiosk = states.pop(KIOSK_WIDE, None)  # dropped from the next save once expired
        if kiosk is not None and kiosk.locked_until is not None and now < kiosk.locked_until:
            self._emit("locked", staff_id, {"card": card, "kiosk_wide": True,
                                            "locked_until": kiosk.locked_until.isoformat()})
            raise StaffAuthError("staff sign-in is locked on this kiosk: its lockout "
                                 "state was damaged", KIOSK_LOCKED, attempts_left=0,
                                 locked_until=kiosk.locked_until)
        return states

    def logout(self, session: StaffSession, reason: str) -> None:
        """End a session; `reason` "staff" (the staff member left) or "idle"."""
        if reason not in LOGOUT_REASONS:
            raise ValueError(f"logout reason must be one of {', '.join(LOGOUT_REASONS)}")
        seconds = max(0.0, (self._clock() - session.started_at).total_seconds())
        self._emit("logout", session.staff_id, {"reason": reason,
                                                "duration_s": round(seconds, 1)})

    def authorize(self, session: StaffSession, action: str) -> None:
        """Return if one of the session's roles may do `action` (kiosk.staff.roles);
        else audit the attempt (event "refused") and raise
        StaffAuthError(staff.not_allowed). Call it before the action's work."""
        if allowed(session.roles, action):
            return
        self._emit("refused", session.staff_id, {"action": action,
                                                 "roles": list(session.roles)})
        _log.warning("staff action %s refused for role(s) %s", action,
                     ",".join(session.roles))
        raise StaffAuthError(f"the role(s) {', '.join(session.roles)} may not do "
                             f"{action}", NOT_ALLOWED)

    def record(self, session: StaffSession, action: str,
               detail: dict[str, Any] | None = None) -> None:
        """Audit one maintenance action ("sync", "test_print", ...) of a session,
        after `authorize` (so an action a role may not do is refused, not recorded).
        `detail` must be JSON-serialisable and hold no personal data."""
        self.authorize(session, action)
        self._emit("action", session.staff_id, {**(detail or {}), "action": action})

    def _emit(self, event: str, staff_id: str | None, detail: dict[str, Any]) -> None:
        payload = {"event": event, "staff_id": staff_id,
                   "at": self._clock().astimezone(UTC).isoformat(),
                   "detail": detail}
        self._audit(event, payload)


def _parse_time(text: str | None) -> datetime | None:
    """An aware ISO time from the central service, or None if absent or unusable."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
