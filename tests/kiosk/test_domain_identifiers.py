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
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert mask_name("张三") == "*三"
    assert mask_phone("13812345678") == "138****5678"


@pytest.mark.parametrize("field, value, surface, shown", [
    # The vectors of domain.md §9, every surface.
    ("id_number", "110105199001011234", "screen", "110***********1234"),
    ("id_number", "110105199001011234", "paper", "1****************4"),
    ("id_number", "110105199001011234", "log", None),
    ("name", "张三丰", "screen", "张*丰"), ("name", "张三", "paper", "*三"),
    ("name", "欧阳娜娜", "screen", "欧**娜"), ("name", "张三丰", "log", None),
    ("phone", "13812345678", "screen", "138****5678"), ("phone", "13812345678", "log", None),
    ("bank_card", "6214830000009012", "paper", "621483******9012"),
    ("bank_card", "6214830000009012", "screen", "尾号 9012"),
    ("bank_card", "6214830000009012", "log", "9012"),
    ("uscc", "91350100M000100Y43", "log", "91350100M000100Y43"),
    ("address", "北京市朝阳区建国路1号", "screen", "北京市朝阳区***"),
    ("address", "北京市朝阳区建国路1号", "log", None),
])
def test_one_masking_table_for_every_surface(field: str, value: str, surface: str,
                                             shown: str | None) -> None:
    from kiosk.domain.masking import mask

    assert mask(field, value, surface) == shown  # type: ignore[arg-type]
