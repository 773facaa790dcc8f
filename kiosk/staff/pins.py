"""Staff PINs: 6 to 8 digits, stored only as scrypt hashes.

The hashing itself lives in `offline_queue.pins`, shared with the central service
(which checks PINs online and counts failures across the fleet); this module adds the
kiosk's typed error for a malformed PIN.
"""
from __future__ import annotations

from offline_queue.pins import PIN_MAX, PIN_MIN, check_pin, pin_format_ok
from offline_queue.pins import hash_pin as _hash_pin

from .errors import PIN_FORMAT, StaffAuthError

__all__ = ["PIN_MAX", "PIN_MIN", "check_pin", "hash_pin", "validate_pin"]


def validate_pin(pin: str) -> str:
    """The PIN if it is 6 to 8 ASCII digits; StaffAuthError(staff.pin_format) if not."""
    if not pin_format_ok(pin):
        raise StaffAuthError(f"a PIN is {PIN_MIN} to {PIN_MAX} digits", PIN_FORMAT)
    return pin


def hash_pin(pin: str) -> str:
    """The stored form of a (valid) PIN, with a fresh random salt."""
    validate_pin(pin)
    return _hash_pin(pin)
