"""The QR codes the kiosk prints on its own slips, and how a scan of them is read."""
from datetime import date
from decimal import Decimal

import pytest

from kiosk.domain import InvoiceQrError, VerificationOutcome, VerificationQuery, VerificationResult
from kiosk.services.invoice_verify import InvoiceVerifyService
from kiosk.services.slips import parse_result_qr, result_qr
from kiosk.services.verify_outcomes import ScannedReference, ScannedResultSlip

QUERIES = [
    VerificationQuery("04", "044032600104", "00012345", date(2026, 11, 16), None, "235148"),
    VerificationQuery("01", "3302261130", "04512876", date(2026, 11, 8), Decimal("1000.00")),
    VerificationQuery("32", "", "26442000000012345678", date(2026, 11, 25), Decimal("113.00")),
]


@pytest.mark.parametrize("query", QUERIES)
def test_result_slip_code_round_trips_the_query(query: VerificationQuery) -> None:
    text = result_qr(query, VerificationResult(VerificationOutcome.GENUINE))
    assert parse_result_qr(text) == query
    scanned = InvoiceVerifyService.classify_scan(text)
    assert isinstance(scanned, ScannedResultSlip) and scanned.query == query


@pytest.mark.parametrize("text", ["TAXKIOSK:CHECK:04:x", "TAXKIOSK:CHECK:04:0440:1:20261116::1",
                                  "TAXKIOSK:CHECK:99:1:2:3:4:5", "TAXKIOSK:VERIFY:not-a-uuid"])
def test_damaged_slip_codes_get_a_clear_error(text: str) -> None:
    with pytest.raises(InvoiceQrError) as err:
        InvoiceVerifyService.classify_scan(text)
    assert err.value.code == "qr.slip_damaged"


def test_queued_slip_reference() -> None:
    scanned = InvoiceVerifyService.classify_scan(
        "TAXKIOSK:VERIFY:7B616AFB-B95E-4182-AF0D-375C960DB43B")
    assert scanned == ScannedReference("7b616afb-b95e-4182-af0d-375c960db43b")
