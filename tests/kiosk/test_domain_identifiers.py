from datetime import date

import pytest
from hypothesis import given, strategies as st

from kiosk.domain import (
    IdentifierError, mask_id_number, mask_name, mask_phone, validate_resident_id, validate_uscc,
)


@pytest.mark.parametrize("code", ["91350100M000100Y43", "911100001000128855", " 91350100m000100y43 "])
def test_valid_uscc_is_normalised(code: str) -> None:
    assert validate_uscc(code) == code.strip().upper()


@pytest.mark.parametrize("code, err", [
    ("91350100M000100Y42", "uscc.checksum"), ("91350100M000100Y4", "uscc.length"),
    ("91350100M000I00Y43", "uscc.character"), ("", "uscc.length"),
])
def test_invalid_uscc(code: str, err: str) -> None:
    with pytest.raises(IdentifierError) as e:
        validate_uscc(code)
    assert e.value.code == err and isinstance(e.value, ValueError)


def test_resident_id_vectors() -> None:
    assert validate_resident_id("11010519491231002X") == "11010519491231002X"
    assert validate_resident_id("11010519491231002x") == "11010519491231002X"
    with pytest.raises(IdentifierError) as e:
        validate_resident_id("110101199003074478")
    assert e.value.code == "rid.checksum"


@pytest.mark.parametrize("number, err", [
    ("110105194902300025", "rid.birth_date"), ("11010519491231002", "rid.length"),
    ("1101051949123100AX", "rid.character"),
])
def test_resident_id_rules(number: str, err: str) -> None:
    with pytest.raises(IdentifierError) as e:
        validate_resident_id(number, today=date(2026, 1, 1))
    assert e.value.code == err


@given(st.text(max_size=40))
def test_identifier_validators_never_crash(text: str) -> None:
    for fn in (validate_uscc, validate_resident_id):
        try:
            fn(text)
        except IdentifierError:
            pass


def test_masking() -> None:
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_name("张三") == "张*"
    assert mask_phone("13812345678") == "138****5678"
