"""Taxpayer identifiers: Unified Social Credit Code and resident identity number."""
from __future__ import annotations

from datetime import date

from .errors import IdentifierError

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def validate_uscc(text: str) -> str:
    """Return the normalised (upper-case) USCC, or raise IdentifierError (GB 32100-2015)."""
    if not isinstance(text, str):
        raise IdentifierError("the credit code must be text", "uscc.format")
    code = text.strip().upper()
    if len(code) != 18:
        raise IdentifierError("a unified social credit code has 18 characters",
                              "uscc.length")
    bad = [c for c in code if c not in USCC_ALPHABET]
    if bad:
        raise IdentifierError(f"character {bad[0]!r} cannot appear in a credit code",
                              "uscc.character")
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    if USCC_ALPHABET[(31 - total % 31) % 31] != code[17]:
        raise IdentifierError("the credit code's check character is wrong (typo?)",
                              "uscc.checksum")
    return code


def validate_resident_id(text: str, today: date | None = None) -> str:
    """Return the normalised resident ID number, or raise IdentifierError (GB 11643-1999)."""
    if not isinstance(text, str):
        raise IdentifierError("the ID number must be text", "rid.format")
    number = text.strip().upper()
    if len(number) != 18:
        raise IdentifierError("a resident ID number has 18 characters", "rid.length")
    if not (number[:17].isascii() and number[:17].isdigit()) or number[17] not in "0123456789X":
        raise IdentifierError("an ID number is 17 digits and a digit or X", "rid.character")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdentifierError("the birth date in the ID number is not a real date",
                              "rid.birth_date") from None
    if born > (today or date.today()) or born.year < 1850:
        raise IdentifierError("the birth date in the ID number is impossible",
                              "rid.birth_date")
    total = sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != number[17]:
        raise IdentifierError("the ID number's check character is wrong (typo?)",
                              "rid.checksum")
    return number
