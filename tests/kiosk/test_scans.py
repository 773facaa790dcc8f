"""A scan is classified once (kiosk.services.scans): one vector set per kind, the public
invoice QR vectors of domain.md §1, damaged texts of each kind, and junk."""
from __future__ import annotations

from datetime import date

import pytest

from kiosk.domain import VerificationOutcome, VerificationQuery, VerificationResult
from kiosk.services.catalogue import ScanKind
from kiosk.services.scans import Scan, classify, s10_check_digit
from kiosk.services.slips import result_qr

K = ScanKind

# domain.md §1, public vectors: all are invoice QRs (the version-02 one is damaged: the
# verification screen says "version not supported", as before the router existed).
DOMAIN_VECTORS = [
    ("01,10,033001800111,25672225,76.72,20180610,82076771121721427121,CB32,",
     {"type_code": "10", "number": "25672225"}),
    ("01,01,1200154130,03630024,94339.62,20160621,,9335,",
     {"type_code": "01", "number": "03630024"}),
    ("01,32,,24312000000136634917,0.01,20240514,,1DD6",
     {"type_code": "32", "number": "24312000000136634917"}),
    ("01,31,,24922000000012341234,666.00,20240208,,76A1",
     {"type_code": "31", "number": "24922000000012341234"}),  # CRC warning, still a QR
    ("02,10,011001605111,80100798,64.9,20161018", {"error": "qr.version"}),
]


@pytest.mark.parametrize(("text", "detail"), DOMAIN_VECTORS)
def test_domain_md_invoice_vectors(text: str, detail: dict[str, str]) -> None:
    scan = classify(text)
    assert scan.kind is K.INVOICE_QR
    assert scan.detail == detail
    assert scan.text == text


@pytest.mark.parametrize(("text", "error"), [
    ("01,10,033001800111,2567222,76.72,20180610,82076771121721427121", "qr.number"),
    ("01,10,033001800111", "qr.truncated"),
    ("01,99,033001800111,25672225,76.72,20180610,82076771121721427121", "qr.type"),
    ("01,10,033001800111,25672225,76.72,20180631,82076771121721427121", "qr.date"),
])
def test_damaged_invoice_qrs_stay_invoice_qrs_with_the_reason(text: str, error: str) -> None:
    scan = classify(text)
    assert (scan.kind, scan.error) == (K.INVOICE_QR, error)


def test_slip_qrs_both_kinds_and_damaged() -> None:
    queued = classify("TAXKIOSK:VERIFY:7B616AFB-B95E-4182-AF0D-375C960DB43B")
    assert queued.kind is K.SLIP_QR
    assert queued.detail == {"slip": "queued",
                             "reference": "7b616afb-b95e-4182-af0d-375c960db43b"}
    query = VerificationQuery("04", "044032600104", "00012345", date(2026, 11, 16), None,
                              "235148")
    result = classify(result_qr(query, VerificationResult(VerificationOutcome.GENUINE)))
    assert result.kind is K.SLIP_QR
    assert result.detail == {"slip": "result", "type_code": "04", "number": "00012345"}
    for damaged in ("TAXKIOSK:VERIFY:not-a-uuid", "taxkiosk:check:99:1:2:3:4:5"):
        scan = classify(damaged)
        assert (scan.kind, scan.error) == (K.SLIP_QR, "qr.slip_damaged")


def test_certificate_qr() -> None:
    scan = classify("CERT1:eyJubyI6IjEyMyJ9.c2lnbmF0dXJlLWJ5dGVz")
    assert (scan.kind, scan.detail) == (K.CERTIFICATE_QR, {"version": "1"})
    for damaged in ("CERT1:", "CERT1:only-a-body", "CERT1:a.b.c", "CERT1:a+b.c/d"):
        assert (classify(damaged).kind, classify(damaged).error) == (
            K.CERTIFICATE_QR, "certificate.damaged")


def test_pickup_code() -> None:
    scan = classify("PICKUP:ab12cd34")
    assert (scan.kind, scan.detail) == (K.PICKUP_CODE, {"code": "AB12CD34"})
    for damaged in ("PICKUP:", "PICKUP:12345", "PICKUP:AB-12-CD", "pickup:" + "9" * 33):
        assert (classify(damaged).kind, classify(damaged).error) == (
            K.PICKUP_CODE, "pickup.damaged")


def test_box_label() -> None:
    scan = classify("FPBOX,04,144031900111,00012001,00012100")
    assert scan.kind is K.BOX_LABEL
    assert scan.detail == {"invoice_kind": "04", "code": "144031900111", "first": "00012001",
                           "last": "00012100", "count": "100"}
    # Paper fully-digital invoices have no code and 20-digit numbers.
    digital = classify("FPBOX,85,,24440000000000000001,24440000000000000050")
    assert digital.detail["count"] == "50" and digital.detail["code"] == ""
    for damaged in ("FPBOX,04,144031900111,00012100,00012001",  # last before first
                    "FPBOX,04,1440319,00012001,00012100",  # code length
                    "FPBOX,04,144031900111,0001200,00012100",  # lengths differ
                    "FPBOX,04,144031900111,00012001",  # a field missing
                    "FPBOX,,144031900111,00012001,00012100"):  # no kind
        assert (classify(damaged).kind, classify(damaged).error) == (
            K.BOX_LABEL, "box_label.damaged"), damaged


def test_s10_check_digit_of_the_upu_standard() -> None:
    # UPU S10: weights 8 6 4 2 3 5 9 7; 11 - sum mod 11; 10 -> 0, 11 -> 5.
    assert s10_check_digit("12345678") == 5
    assert s10_check_digit("10000014") == 0  # 11 - 1 = 10 -> 0
    assert s10_check_digit("00000000") == 5  # 11 - 0 = 11 -> 5


@pytest.mark.parametrize(("text", "carrier"), [
    ("SF1234567890123", "sf"),
    ("sf123456789012", "sf"),
    ("EA123456785CN", "ems"),
    ("RR473124829CN", "chinapost"),
    ("JDVA12345678901", "jd"),
    ("YT1234567890123", "yto"),
])
def test_waybills(text: str, carrier: str) -> None:
    scan = classify(text)
    assert scan.kind is K.WAYBILL
    assert scan.detail == {"carrier": carrier, "number": text.upper()}


@pytest.mark.parametrize(("text", "wallet"), [
    ("134567890123456789", "wechat"),  # 18 digits, 10-15
    ("101234567890123456", "wechat"),
    ("28763443825664394", "alipay"),  # Alipay's own sample: 25-30, 16-24 digits
    ("300000000000000000000000", "alipay"),
    ("6212345678901234567", "unionpay"),  # 19 digits, 62
])
def test_payment_codes_and_their_text_stays_out_of_repr(text: str, wallet: str) -> None:
    scan = classify(text)
    assert (scan.kind, scan.detail) == (K.PAYMENT_CODE, {"wallet": wallet})
    assert text not in repr(scan)


@pytest.mark.parametrize(("text", "error"), [
    ("", "qr.empty"),
    ("   \r\n", "qr.empty"),
    ("hello world", "qr.not_invoice"),
    ("https://inv-veri.chinatax.gov.cn/", "qr.url"),
    ("x" * 5000, "qr.too_long"),
    ("6901234567892", "qr.not_invoice"),  # a product's EAN-13
    ("EA123456789CN", "qr.not_invoice"),  # S10 shape, wrong check digit
    ("164567890123456789", "qr.not_invoice"),  # 18 digits, but 16 is no WeChat prefix
    ("621234567890123456", "qr.not_invoice"),  # 62 but 18 digits
    ("24312000000136634917", "qr.not_invoice"),  # a bare 20-digit invoice number
    ("TAXKIOSK:OTHER:1", "qr.not_invoice"),
    ("01,10,1,2,3,4,5,6,7,8,9", "qr.not_invoice"),  # more fields than an invoice QR
])
def test_junk_is_unknown_with_the_message_code(text: str, error: str) -> None:
    scan = classify(text)
    assert (scan.kind, scan.error) == (K.UNKNOWN, error)


def test_non_text_never_raises() -> None:
    assert classify(None).kind is K.UNKNOWN  # type: ignore[arg-type]
    assert classify(b"01,10").kind is K.UNKNOWN  # type: ignore[arg-type]


def test_every_kind_has_a_vector_here() -> None:
    texts = ["01,10,033001800111,25672225,76.72,20180610,82076771121721427121,CB32,",
             "TAXKIOSK:VERIFY:7B616AFB-B95E-4182-AF0D-375C960DB43B",
             "CERT1:eyJubyI6IjEyMyJ9.c2ln", "PICKUP:AB12CD34",
             "FPBOX,04,144031900111,00012001,00012100", "SF1234567890123",
             "134567890123456789", "hello"]
    assert {classify(t).kind for t in texts} == set(ScanKind)
    assert isinstance(classify(texts[0]), Scan)
