"""Secrets as stored: scrypt hashes. Staff PINs are checked by the kiosk (offline) and
by the central service (online, where failures are counted per card across the
fleet); taxpayers' passwords by the central service only.

Shared by both sides, so Qt-free and free of kiosk imports. Encoding:
`scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>`. The parameters travel with the hash (so
they can be raised later), but they may come from reference data: `check_secret`
refuses parameters that would make the checker hash for long or exhaust memory.
`hash_secret` / `check_secret` take any text (UTF-8, at most SECRET_MAX characters);
`hash_pin` / `check_pin` add the PIN's format (6 to 8 digits).
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
PIN_RE = re.compile(f"[0-9]{{{PIN_MIN},{PIN_MAX}}}")

SCHEME = "scrypt"
N, R, P = 2 ** 14, 8, 1  # 16 MiB, some tens of milliseconds
SALT_BYTES, DKLEN = 16, 32
# Refused above these (a hostile or broken reference item must not hang the checker).
MAX_N, MAX_R, MAX_P = 2 ** 17, 16, 2
MAX_MEM = 128 * 2 ** 20  # scrypt needs about 128 * n * r bytes
_MAX_ENCODED = 300
SECRET_MAX = 128  # characters of a password; longer is refused before any hashing


def pin_format_ok(pin: object) -> bool:
    """Whether `pin` is 6 to 8 ASCII digits."""
    return isinstance(pin, str) and PIN_RE.fullmatch(pin) is not None


def _b64e(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(secret: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    return hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen,
                          maxmem=MAX_MEM + 2 ** 20)


def secret_ok(secret: object) -> bool:
    """Whether `secret` is text this module hashes: 1 to SECRET_MAX characters that
    encode as UTF-8 (no lone surrogates)."""
    if not isinstance(secret, str) or not 0 < len(secret) <= SECRET_MAX:
        return False
    try:
        secret.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def hash_secret(secret: str) -> str:
    """The stored form of any secret text (a password), with a fresh random salt;
    ValueError if it is empty, longer than SECRET_MAX or not encodable."""
    if not secret_ok(secret):
        raise ValueError(f"a secret is 1 to {SECRET_MAX} characters of text")
    salt = os.urandom(SALT_BYTES)
    digest = _scrypt(secret, salt, N, R, P, DKLEN)
    return f"{SCHEME}${N}${R}${P}${_b64e(salt)}${_b64e(digest)}"


def hash_pin(pin: str) -> str:
    """The stored form of a PIN, with a fresh random salt; ValueError if `pin` is not
    6 to 8 digits."""
    if not pin_format_ok(pin):
        raise ValueError(f"a PIN is {PIN_MIN} to {PIN_MAX} digits")
    return hash_secret(pin)


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


def check_secret(secret: str, encoded: str, *, what: str = "secret") -> bool:
    """Whether `secret` matches the stored `encoded` hash. A malformed or
    over-expensive encoding is False (logged, naming `what`, without its value), never
    an exception; so is a secret `secret_ok` refuses."""
    parsed = _parse(encoded)
    if parsed is None:
        _log.warning("a %s hash is malformed or its parameters are refused", what)
        return False
    if not secret_ok(secret):
        return False
    n, r, p, salt, digest = parsed
    try:
        candidate = _scrypt(secret, salt, n, r, p, len(digest))
    except (ValueError, MemoryError) as exc:  # OpenSSL refused the parameters
        _log.warning("a %s hash could not be checked: %s", what, type(exc).__name__)
        return False
    return hmac.compare_digest(candidate, digest)


def check_pin(pin: str, encoded: str) -> bool:
    """Whether `pin` (6 to 8 digits) matches the stored `encoded` hash (see
    `check_secret`)."""
    if _parse(encoded) is not None and not pin_format_ok(pin):
        return False
    return check_secret(pin, encoded, what="staff PIN")
