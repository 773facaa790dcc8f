"""Maintenance mode for hall staff: card + PIN login, lockout, audit (Qt-free).

- `pins`: PIN format and the scrypt encoding stored in the reference data.
- `accounts`: staff accounts as reference data (kind "staff", keyed by a digest of the
  card UID: a UID is a credential, never stored in clear nor logged).
- `auth`: `StaffAuth` (login, logout, audited maintenance actions) and its errors.
- `lockout`: the per-card failure counters, persisted across restarts (fail closed).
- `roles`: which role may do which maintenance action (`allowed(roles, action)`).
"""
from __future__ import annotations

from .accounts import ROLES, STAFF_KIND, StaffAccount, card_key, staff_reference_item
from .auth import AUDIT_KIND, StaffAuth, StaffAuthError, StaffSession
from .pins import PIN_MAX, PIN_MIN, check_pin, hash_pin, validate_pin

__all__ = ["AUDIT_KIND", "PIN_MAX", "PIN_MIN", "ROLES", "STAFF_KIND", "StaffAccount",
           "StaffAuth", "StaffAuthError", "StaffSession", "card_key", "check_pin",
           "hash_pin", "staff_reference_item", "validate_pin"]
