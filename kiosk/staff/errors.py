"""The staff login error (its own module: pins, accounts and auth all raise it)."""
from __future__ import annotations

from datetime import datetime

from kiosk.domain.errors import DomainError

# Stable codes, mapped to translated sentences by the UI.
UNKNOWN_CARD = "staff.unknown_card"
PIN_FORMAT = "staff.pin_format"
BAD_PIN = "staff.bad_pin"
LOCKED = "staff.locked"
# Sign-in locked for every card: the lockout state was damaged (fails closed).
KIOSK_LOCKED = "staff.kiosk_locked"
# A signed-in role may not do this action (kiosk.staff.roles).
NOT_ALLOWED = "staff.not_allowed"


class StaffAuthError(DomainError):
    """A refused staff login. `attempts_left`: wrong PINs left before the card locks
    (bad_pin); `locked_until`: when a locked card unlocks (locked, UTC)."""

    code = UNKNOWN_CARD

    def __init__(self, message: str, code: str | None = None, *,
                 attempts_left: int | None = None,
                 locked_until: datetime | None = None) -> None:
        super().__init__(message, code)
        self.attempts_left = attempts_left
        self.locked_until = locked_until
