"""Staff PINs as stored: scrypt hashes, checked by the kiosk (offline) and by the
central service (online, where failures are counted per card across the fleet).

Shared by both sides, so Qt-free and free of kiosk imports. Encoding:
`scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>`. The parameters travel with the hash (so
they can be raised later), but they come from reference data: `check_pin` refuses
parameters that would make the checker hash for long or exhaust memory.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import re

_log = logging.getLogger("offline_queue.pins")

PIN_MIN, PIN_MAX = 6, 8
PIN_RE = re.compile(r"[0-9]{%d,%d}" % (PIN_MIN, PIN_MAX))

SCHEME = "scrypt"
N, R, P = 2 ** 14, 8, 1  # 16 MiB, some tens of milliseconds
SALT_BYTES, DKLEN = 16, 32
# Refused above these (a hostile or broken reference item must not hang the checker).
MAX_N, MAX_R, MAX_P = 2 ** 17, 16, 2
MAX_MEM = 128 * 2 ** 20  # scrypt needs about 128 * n * r bytes
_MAX_ENCODED = 300


def pin_format_ok(pin: object) -> bool:
    """Whether `pin` is 6 to 8 ASCII digits."""
    return isinstance(pin, str) and PIN_RE.fullmatch(pin) is not None


def _b64e(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    return hashlib.scrypt(pin.encode("ascii"), salt=salt, n=n, r=r, p=p, dklen=dklen,
                          maxmem=MAX_MEM + 2 ** 20)


def hash_pin(pin: str) -> str:
    """The stored form of a PIN, with a fresh random salt; ValueError if `pin` is not
    6 to 8 digits."""
    if not pin_format_ok(pin):
        raise ValueError(f"a PIN is {PIN_MIN} to {PIN_MAX} digits")
    salt = os.urandom(SALT_BYTES)
    digest = _scrypt(pin, salt, N, R, P, DKLEN)
    return f"{SCHEME}${N}${R}${P}${_b64e(salt)}${_b64e(digest)}"


def _parse(encoded: str) -> tuple[int, int, int, bytes, bytes] | None:
    """(n, r, p, salt, hash) if `encoded` is a well-formed, affordable encoding."""
    if not isinstance(encoded, str) or len(encoded) > _MAX_ENCODED:
        return None
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        return None
    try:
        if not all(x.isascii() and x.isdigit() for x in parts[1:4]):
            return None
        n, r, p = (int(x) for x in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        digest = base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error):
        return None
    if not (2 <= n <= MAX_N and n & (n - 1) == 0 and 1 <= r <= MAX_R and 1 <= p <= MAX_P
            and 128 * n * r <= MAX_MEM):
        return None
    if not (8 <= len(salt) <= 64 and 16 <= len(digest) <= 64):
        return None
    return n, r, p, salt, digest


def check_pin(pin: str, encoded: str) -> bool:
    """Whether `pin` matches the stored `encoded` hash. A malformed or over-expensive
    encoding is False (logged without its value), never an exception."""
    parsed = _parse(encoded)
    if parsed is None:
        _log.warning("a staff PIN hash is malformed or its parameters are refused")
        return False
    if not pin_format_ok(pin):
        return False
    n, r, p, salt, digest = parsed
    try:
        candidate = _scrypt(pin, salt, n, r, p, len(digest))
    except (ValueError, MemoryError) as exc:  # OpenSSL refused the parameters
        _log.warning("a staff PIN hash could not be checked: %s", type(exc).__name__)
        return False
    return hmac.compare_digest(candidate, digest)
