"""Amounts in Chinese capitals (大写金额) as printed on invoices."""
from decimal import Decimal

import pytest

from printing.chinese_amount import amount_in_chinese_capitals as capitals


@pytest.mark.parametrize("amount, expected", [
    ("1130.00", "壹仟壹佰叁拾元整"),
    ("0.05", "伍分"),
    ("100.10", "壹佰元零壹角"),
    ("0", "零元整"),
    ("0.50", "伍角"),
    ("1", "壹元整"),
    ("10", "壹拾元整"),
    ("12.30", "壹拾贰元叁角"),
    ("1.05", "壹元零伍分"),
    ("10.05", "壹拾元零伍分"),
    ("10.50", "壹拾元零伍角"),
    ("105.25", "壹佰零伍元贰角伍分"),
    ("1001", "壹仟零壹元整"),
    ("1010", "壹仟零壹拾元整"),
    ("10010", "壹万零壹拾元整"),
    ("11000", "壹万壹仟元整"),
    ("100000", "壹拾万元整"),
    ("1000001", "壹佰万零壹元整"),
    ("20000.01", "贰万元零壹分"),
    ("100010000", "壹亿零壹万元整"),
    ("100000001", "壹亿零壹元整"),
    ("1234567890123.45", "壹万亿贰仟叁佰肆拾伍亿陆仟柒佰捌拾玖万零壹佰贰拾叁元肆角伍分"),
    ("-113.00", "负壹佰壹拾叁元整"),
])
def test_capitals(amount, expected):
    assert capitals(Decimal(amount)) == expected


def test_accepts_int_and_str_and_the_yuan_character():
    assert capitals(1130) == "壹仟壹佰叁拾元整"
    assert capitals("1130.00", yuan="圆") == "壹仟壹佰叁拾圆整"


@pytest.mark.parametrize("bad", [Decimal("1.005"), "abc", "NaN", "Infinity", 1.5,
                                 Decimal("10000000000000000")])
def test_refuses_what_is_not_an_exact_amount(bad):
    with pytest.raises(ValueError):
        capitals(bad)
