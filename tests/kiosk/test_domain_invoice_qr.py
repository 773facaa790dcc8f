"""Public vectors of domain.md §1 plus the bad-input cases taxpayers will produce."""
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from kiosk.domain import InvoiceQrError, crc16_umts, invoice_code_info, parse_invoice_qr


def test_crc16_umts_check_value() -> None:
    assert crc16_umts(b"123456789") == 0xFEE8


def test_e_general_vector() -> None:
    qr = parse_invoice_qr("01,10,033001800111,25672225,76.72,20180610,82076771121721427121,CB32,")
    assert (qr.type_code, qr.code, qr.number) == ("10", "033001800111", "25672225")
    assert qr.amount == Decimal("76.72") and isinstance(qr.amount, Decimal)
    assert qr.issued_on == date(2018, 6, 10)
    assert qr.check_code[-6:] == "427121" and qr.check_code_last6 == "427121"
    assert (qr.crc, qr.crc_valid) == ("CB32", True)


def test_special_vector_without_check_code() -> None:
    qr = parse_invoice_qr("01,01,1200154130,03630024,94339.62,20160621,,9335,")
    assert qr.type_code == "01" and len(qr.code) == 10 and qr.check_code == ""
    assert invoice_code_info(qr.code) == ("01", "1200")
    assert qr.crc_valid is True


def test_fully_digital_vector() -> None:
    qr = parse_invoice_qr("01,32,,24312000000136634917,0.01,20240514,,1DD6")
    assert qr.code == "" and qr.number == "24312000000136634917"
    assert qr.issued_on == date(2024, 5, 14) and qr.crc == "1DD6" and qr.crc_valid is True


def test_crc_mismatch_is_a_warning_not_a_rejection() -> None:
    qr = parse_invoice_qr("01,31,,24922000000012341234,666.00,20240208,,76A1")
    assert qr.crc_valid is False and qr.type_code == "31"


def test_lower_case_crc_and_whitespace_accepted() -> None:
    qr = parse_invoice_qr(" 01, 10 ,033001800111,25672225,76.72,20180610,82076771121721427121,cb32 ")
    assert qr.crc == "CB32" and qr.crc_valid is True


def test_crc_absent_gives_none() -> None:
    qr = parse_invoice_qr("01,10,033001800111,25672225,76.72,20180610,82076771121721427121")
    assert qr.crc is None and qr.crc_valid is None


def test_crc_over_text_without_the_comma_is_accepted() -> None:
    body = "01,10,033001800111,25672225,76.72,20180610,82076771121721427121"
    crc = f"{crc16_umts(body.encode()):04X}"
    assert parse_invoice_qr(f"{body},{crc},").crc_valid is True


@pytest.mark.parametrize("text, code", [
    ("02,10,011001605111,80100798,64.9,20161018", "qr.version"),
    ("https://inv-veri.chinatax.gov.cn/", "qr.url"),
    ("hello world", "qr.not_invoice"),
    ("01,10,033001800111,2567", "qr.truncated"),
    ("01,10,033001800111,25672225,76.72,20180231,82076771121721427121,CB32,", "qr.date"),
    ("01,10,033001800111,25672225,76.72,20181310,82076771121721427121", "qr.date"),
    ("01,10,033001800111,25672225,76.72,20180610,8207677112172142712", "qr.check_code"),
    ("01,10,0330018001,2567222,76.72,20180610,82076771121721427121", "qr.number"),
    ("01,10,03300180011,25672225,76.72,20180610,82076771121721427121", "qr.code"),
    ("01,32,011001605111,24312000000136634917,0.01,20240514,,1DD6", "qr.code"),
    ("01,32,,2431200000013663491,0.01,20240514,,1DD6", "qr.number"),
    ("01,10,033001800111,25672225,7a.72,20180610,82076771121721427121", "qr.amount"),
    ("01,77,033001800111,25672225,76.72,20180610,82076771121721427121", "qr.type"),
    ("01,10,033001800111,25672225,76.72,20180610,82076771121721427121,ZZZZ", "qr.crc_format"),
    ("9" * 5000, "qr.too_long"),
    ("", "qr.empty"),
])
def test_bad_input_gets_a_clear_error(text: str, code: str) -> None:
    with pytest.raises(InvoiceQrError) as err:
        parse_invoice_qr(text)
    assert err.value.code == code
    assert isinstance(err.value, ValueError) and str(err.value)


@pytest.mark.parametrize("code, expected", [
    ("011002000113", ("08", "1100")), ("044031900112", ("14", "4403")),
    ("3502171320", ("04", "3502")), ("1200154130", ("01", "1200")),
    ("033001800111", ("10", "3300")), ("144031900112", ("99", "4403")),
    ("1100170200", ("02", "1100")), ("1100174000", ("99", "1100")),
    # The platform's named exceptions: e-general invoices whatever their digits say.
    ("144031539110", ("10", "4403")), ("131001570151", ("10", "3100")),
    ("133011501118", ("10", "3300")), ("111001571071", ("10", "1100")),
    # First digit not 0 and eighth digit 2: 机动车销售统一发票 (type 03).
    ("144031721234", ("03", "4403")), ("132001820011", ("03", "3200")),
    # ...but only when the first digit is not 0, and not with another eighth digit.
    ("044031720199", ("99", "4403")), ("144031731234", ("99", "4403")),
    ("031001800513", ("08", "3100")), ("031001800517", ("15", "3100")),
    ("031001800504", ("04", "3100")), ("031001800505", ("04", "3100")),
    ("031001800506", ("11", "3100")), ("031001800507", ("11", "3100")),
])
def test_invoice_code_info(code: str, expected: tuple[str, str]) -> None:
    assert invoice_code_info(code) == expected


@pytest.mark.parametrize("code", ["", "abc", "12345", "0110020001131"])
def test_invoice_code_info_rejects_non_codes(code: str) -> None:
    with pytest.raises(ValueError):
        invoice_code_info(code)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=600))
def test_parser_never_crashes_on_noise(text: str) -> None:
    try:
        parse_invoice_qr(text)
    except InvoiceQrError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["01", "10", "", "033001800111", "25672225", "76.72",
                                 "20180610", "CB32", "x", "-1", "中文", "1" * 20]),
                max_size=10))
def test_parser_never_crashes_on_field_soup(parts: list[str]) -> None:
    try:
        parse_invoice_qr(",".join(parts))
    except InvoiceQrError:
        pass
