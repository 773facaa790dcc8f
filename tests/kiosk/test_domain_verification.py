from datetime import date
from decimal import Decimal

import pytest

from kiosk.domain import (
    FieldProblems, InvoiceQrError, VerificationQuery, parse_invoice_qr, query_from_fields,
    query_from_qr, required_fields,
)


def test_query_for_general_invoice_uses_last_six_of_check_code() -> None:
    q = query_from_qr(parse_invoice_qr(
        "01,10,033001800111,25672225,76.72,20180610,82076771121721427121,CB32,"))
    assert q.check_code_last6 == "427121" and q.amount is None


def test_query_for_special_invoice_uses_amount_before_tax() -> None:
    q = query_from_qr(parse_invoice_qr("01,01,1200154130,03630024,94339.62,20160621,,9335,"))
    assert q.amount == Decimal("94339.62") and q.check_code_last6 is None


def test_general_invoice_qr_without_check_code_cannot_be_checked() -> None:
    with pytest.raises(InvoiceQrError):
        query_from_qr(parse_invoice_qr("01,10,033001800111,25672225,76.72,20180610,,CB32"))


def test_required_fields_by_type() -> None:
    assert [f.value for f in required_fields("32")] == ["number", "issued_on", "amount"]
    assert "check_code_last6" in [f.value for f in required_fields("04")]
    assert "amount" in [f.value for f in required_fields("01")]


def test_manual_entry_reports_every_bad_field() -> None:
    with pytest.raises(FieldProblems) as e:
        query_from_fields("04", {"code": "123", "number": "1234567", "issued_on": "20230230",
                                 "check_code_last6": "12"})
    assert e.value.problems == {"code": "code.length", "number": "number.length8",
                                "issued_on": "date.invalid", "check_code_last6": "check6.length"}


def test_manual_entry_fully_digital() -> None:
    q = query_from_fields("32", {"number": "24312000000136634917", "issued_on": "20240514",
                                 "amount": "0.01"})
    assert q == VerificationQuery("32", "", "24312000000136634917", date(2024, 5, 14),
                                  Decimal("0.01"), None)
    assert VerificationQuery.from_json(q.to_json()) == q
