"""Staff PINs (scrypt encoding, refusal of bad or hostile encodings) and card keys."""
from __future__ import annotations

import base64
import hashlib
import time

import pytest

from kiosk.staff import (PIN_MAX, PIN_MIN, STAFF_KIND, StaffAuthError, card_key, check_pin,
                         hash_pin, staff_reference_item, validate_pin)


def encode(n: int, r: int, p: int, salt: bytes = b"0123456789abcdef",
           digest: bytes = b"x" * 32) -> str:
    return (f"scrypt${n}${r}${p}${base64.b64encode(salt).decode()}$"
            f"{base64.b64encode(digest).decode()}")


def test_a_pin_round_trips_and_a_wrong_one_fails() -> None:
    encoded = hash_pin("135790")
    assert encoded.startswith("scrypt$16384$8$1$") and "135790" not in encoded
    salt, digest = (base64.b64decode(x) for x in encoded.split("$")[4:])
    assert len(salt) == 16 and len(digest) == 32
    assert check_pin("135790", encoded)
    assert not check_pin("135791", encoded)
    assert not check_pin("1357900", encoded)
    assert hash_pin("135790") != encoded  # a fresh salt each time
    assert check_pin("12345678", hash_pin("12345678"))


def test_the_encoding_is_plain_scrypt() -> None:
    salt = b"s" * 16
    digest = hashlib.scrypt(b"246810", salt=salt, n=2 ** 14, r=8, p=1, dklen=32)
    assert check_pin("246810", encode(2 ** 14, 8, 1, salt, digest))


@pytest.mark.parametrize("encoded", [
    "", "plain", "scrypt$16384$8$1$AAAA", "bcrypt$16384$8$1$MDEyMzQ1Njc4OWFiY2RlZg==$eA==",
    "scrypt$x$8$1$MDEyMzQ1Njc4OWFiY2RlZg==$" + "eHh4" * 11,
    "scrypt$16384$8$1$not base64!$" + "eHh4" * 11,
    "scrypt$16384$8$1$MDEyMzQ1Njc4OWFiY2RlZg==$",  # no hash
    "scrypt$-16384$8$1$MDEyMzQ1Njc4OWFiY2RlZg==$" + "eHh4" * 11,
    encode(1000, 8, 1),  # n not a power of two
    encode(2 ** 18, 8, 1),  # n above the cap: hashing would take ages
    encode(2 ** 40, 8, 1),
    encode(2 ** 14, 64, 1), encode(2 ** 14, 8, 16), encode(2 ** 17, 16, 1),  # memory
    encode(2 ** 14, 8, 1, salt=b"short"),
    "scrypt$16384$8$1$" + "A" * 400,  # oversized
    None, 42,
])
def test_malformed_or_hostile_encodings_are_false_not_errors(encoded: object,
                                                              caplog: pytest.LogCaptureFixture
                                                              ) -> None:
    started = time.monotonic()
    assert check_pin("246810", encoded) is False  # type: ignore[arg-type]
    assert time.monotonic() - started < 2.0
    if isinstance(encoded, str) and len(encoded) > 8:  # logged without its value
        assert not any(encoded in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("pin", ["", "12345", "123456789", "12345a", " 123456", "123456\n",
                                 "１２３４５６", "12 3456", None])
def test_pin_format_errors(pin: object) -> None:
    with pytest.raises(StaffAuthError) as info:
        validate_pin(pin)  # type: ignore[arg-type]
    assert info.value.code == "staff.pin_format"
    with pytest.raises(StaffAuthError):
        hash_pin(pin)  # type: ignore[arg-type]
    assert check_pin(pin, hash_pin("123456")) is False  # type: ignore[arg-type]


def test_valid_pin_lengths() -> None:
    assert (PIN_MIN, PIN_MAX) == (6, 8)
    for pin in ("000000", "1234567", "99999999"):
        assert validate_pin(pin) == pin


def test_card_key_normalises_separators_and_case() -> None:
    key = card_key("04A2B3C4")
    assert key == hashlib.sha256(b"staff-card:04A2B3C4").hexdigest()
    assert card_key("04:a2:b3:c4") == card_key("04-A2-B3-C4") == card_key(" 04 a2 b3 c4 ") \
        == key
    assert card_key("04A2B3C4D5E6F7") != key
    assert "04A2B3C4" not in key


@pytest.mark.parametrize("uid", ["", "04A2B3", "04A2B3C", "XYZ12345", "04A2B3C4" * 3,
                                 "１２３４５６７８", None])
def test_card_key_rejects_what_is_not_a_uid(uid: object) -> None:
    with pytest.raises(StaffAuthError) as info:
        card_key(uid)  # type: ignore[arg-type]
    assert info.value.code == "staff.unknown_card"


def test_reference_item_carries_no_credential_in_clear() -> None:
    item = staff_reference_item("S001", ["hall", "technician", "hall"], "04:a2:b3:c4",
                                "135790")
    assert item["kind"] == STAFF_KIND and item["key"] == card_key("04A2B3C4")
    assert item["body"]["staff_id"] == "S001"
    assert item["body"]["roles"] == ["hall", "technician"]
    assert check_pin("135790", item["body"]["pin"])
    text = repr(item).upper()
    assert "04A2B3C4" not in text and "135790" not in text
    for bad in (("", ["hall"], "04A2B3C4", "135790"), ("S001", [], "04A2B3C4", "135790"),
                ("S001", ["boss"], "04A2B3C4", "135790"),
                ("S001", ["hall"], "nope", "135790"), ("S001", ["hall"], "04A2B3C4", "12")):
        with pytest.raises(ValueError):
            staff_reference_item(*bad)
