"""Online verification through a real server: every outcome and every rule, as kiosks
ask (signed, full results); the public endpoint's coarse answer at the end."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy.orm import Session

from central.verification import (
    QueryError,
    VerifyQuery,
    five_years_before,
    verify_invoice,
)
from central_helpers import TODAY, demo, kiosk_verify, verify_body


@pytest.mark.parametrize("label", [
    "genuine special (01)", "genuine e-special (08)", "genuine general (04)",
    "genuine e-general (10)", "genuine roll (11)", "genuine toll (14)",
    "genuine fully-digital general (32)", "genuine fully-digital special (31)",
    "public QR vector (type 32)", "public QR vector (type 31",
])
def test_genuine_for_every_type(shared_client: httpx.Client, label: str) -> None:
    row = demo(label)
    response = kiosk_verify(shared_client, verify_body(row))
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["outcome"] == "genuine"
    assert data["mismatch_field"] is None
    assert data["checks_today"] == 1
    invoice = data["invoice"]
    assert invoice["number"] == row["number"] and invoice["code"] == row["code"]
    assert invoice["issued_on"] == row["issued_on"].isoformat()
    assert Decimal(invoice["amount"]) == row["amount"]
    assert Decimal(invoice["total"]) == row["total"]
    assert invoice["seller_name"] == row["seller_name"]


@pytest.mark.parametrize("label,outcome", [
    ("void (04)", "void"), ("red-flushed (01)", "red_flushed"), ("abnormal (32)", "abnormal"),
])
def test_status_outcomes_carry_the_invoice(shared_client: httpx.Client, label: str,
                                           outcome: str) -> None:
    data = kiosk_verify(shared_client, verify_body(demo(label))).json()
    assert data["outcome"] == outcome
    assert data["invoice"]["number"] == demo(label)["number"]


@pytest.mark.parametrize("label,changes,field", [
    ("genuine special (01)", {"amount": "999.99"}, "amount"),
    ("genuine fully-digital general (32)", {"amount": "100.00"}, "amount"),  # not the total
    ("genuine general (04)", {"check_code_last6": "000000"}, "check_code"),
    ("genuine e-general (10)", {"issued_on": (TODAY - timedelta(days=8)).isoformat()},
     "issued_on"),
])
def test_mismatch_names_the_field(client: httpx.Client, label: str, changes: dict,
                                  field: str) -> None:
    data = kiosk_verify(client, verify_body(demo(label), **changes)).json()
    assert data == {"outcome": "mismatch", "mismatch_field": field, "invoice": None,
                    "checks_today": 1}


def test_general_invoice_ignores_amount_and_accepts_full_check_code(
        client: httpx.Client) -> None:
    row = demo("genuine general (04)")
    body = verify_body(row, amount="1.00", check_code_last6=row["check_code"])
    assert kiosk_verify(client, body).json()["outcome"] == "genuine"


def test_wrong_type_family_is_a_mismatch_on_the_missing_field(client: httpx.Client) -> None:
    # Registry says general (04); the caller claims special and sends only an amount.
    row = demo("genuine general (04)")
    body = verify_body(row, type_code="01", amount=str(row["amount"]), check_code_last6=None)
    data = kiosk_verify(client, body).json()
    assert (data["outcome"], data["mismatch_field"]) == ("mismatch", "check_code")


def test_not_found(client: httpx.Client) -> None:
    body = verify_body(demo("genuine special (01)"), number="99999999")
    data = kiosk_verify(client, body).json()
    assert data == {"outcome": "not_found", "mismatch_field": None, "invoice": None,
                    "checks_today": 1}


def test_sixth_check_of_the_day_is_refused(client: httpx.Client) -> None:
    body = verify_body(demo("genuine e-general (10)"))
    for n in range(1, 6):
        data = kiosk_verify(client, body).json()
        assert (data["outcome"], data["checks_today"]) == ("genuine", n)
    data = kiosk_verify(client, body).json()
    assert data["outcome"] == "too_many_checks"
    assert data["invoice"] is None and data["checks_today"] == 5
    # Other invoices are not affected.
    other = verify_body(demo("genuine general (04)"))
    assert kiosk_verify(client, other).json()["outcome"] == "genuine"


def test_failed_checks_count_too(client: httpx.Client) -> None:
    row = demo("genuine special (01)")
    for _ in range(3):
        kiosk_verify(client, verify_body(row, amount="1.00"))
    for _ in range(2):
        kiosk_verify(client, verify_body(row, number="12121212"))
    assert kiosk_verify(client, verify_body(row)).json()["checks_today"] == 4
    assert kiosk_verify(client, verify_body(row)).json()["checks_today"] == 5
    assert kiosk_verify(client, verify_body(row)).json()["outcome"] == "too_many_checks"


def test_limit_is_per_day(session: Session) -> None:
    row = demo("genuine fully-digital special (31)")
    query = verify_body(row)
    for _ in range(5):
        assert verify_invoice(session, query, TODAY)["outcome"] == "genuine"
    assert verify_invoice(session, query, TODAY)["outcome"] == "too_many_checks"
    tomorrow = verify_invoice(session, query, TODAY + timedelta(days=1))
    assert (tomorrow["outcome"], tomorrow["checks_today"]) == ("genuine", 1)


def test_issued_today_is_out_of_period(client: httpx.Client) -> None:
    row = demo("issued today")
    assert row["issued_on"] == TODAY
    data = kiosk_verify(client, verify_body(row)).json()
    assert data["outcome"] == "out_of_period"
    assert data["invoice"] is None
    future = verify_body(row, issued_on=(TODAY + timedelta(days=3)).isoformat())
    assert kiosk_verify(client, future).json()["outcome"] == "out_of_period"


def test_older_than_five_years_is_out_of_period(client: httpx.Client) -> None:
    # The public QR vector of 2018 is in the registry but too old to verify.
    row = demo("public QR vector (type 10")
    assert row["issued_on"] == date(2018, 6, 10)
    data = kiosk_verify(client, verify_body(row)).json()
    assert (data["outcome"], data["checks_today"]) == ("out_of_period", 0)


def test_five_year_boundary(session: Session) -> None:
    row = demo("genuine special (01)")
    limit = five_years_before(TODAY)
    assert limit == date(2021, 6, 15)
    inside = verify_invoice(session, verify_body(row, issued_on=limit.isoformat()), TODAY)
    assert inside["outcome"] == "mismatch"  # in range: reaches the registry (wrong date)
    outside = verify_invoice(
        session, verify_body(row, issued_on=(limit - timedelta(days=1)).isoformat()), TODAY)
    assert outside["outcome"] == "out_of_period"
    assert five_years_before(date(2028, 2, 29)) == date(2023, 2, 28)


def test_yesterday_is_in_period(session: Session) -> None:
    row = demo("issued today")
    result = verify_invoice(session, verify_body(row), TODAY + timedelta(days=1))
    assert result["outcome"] == "genuine"


@pytest.mark.parametrize("changes,needle", [
    ({"type_code": "99"}, "type_code"),
    ({"code": "12345"}, "code"),
    ({"code": ""}, "code"),
    ({"number": "1234567"}, "number"),
    ({"number": "1234567a"}, "number"),
    ({"issued_on": "2026-02-30"}, "issued_on"),
    ({"issued_on": "20260210"}, "issued_on"),
    ({"amount": None}, "amount"),
    ({"amount": "12.345"}, "amount"),
    ({"amount": "abc"}, "amount"),
    ({"amount": "1e5"}, "amount"),
])
def test_bad_special_requests_are_422(shared_client: httpx.Client, changes: dict,
                                      needle: str) -> None:
    body = verify_body(demo("genuine special (01)"), **changes)
    response = kiosk_verify(shared_client, body)
    assert response.status_code == 422, response.text
    assert needle in response.json()["detail"]


@pytest.mark.parametrize("label,changes,needle", [
    ("genuine general (04)", {"check_code_last6": None}, "check_code_last6"),
    ("genuine general (04)", {"check_code_last6": "12345"}, "check_code_last6"),
    ("genuine fully-digital general (32)", {"code": "033001800111"}, "code"),
    ("genuine fully-digital general (32)", {"number": "12345678"}, "number"),
    ("genuine fully-digital general (32)", {"amount": ""}, "amount"),
])
def test_bad_requests_by_type_are_422(shared_client: httpx.Client, label: str,
                                      changes: dict, needle: str) -> None:
    body = verify_body(demo(label), **changes)
    response = kiosk_verify(shared_client, body)
    assert response.status_code == 422, response.text
    assert needle in response.json()["detail"]


def test_missing_fields_and_bad_json_are_422(shared_client: httpx.Client) -> None:
    response = shared_client.post("/v1/invoices/verify", json={"type_code": "10"})
    assert response.status_code == 422
    assert "number" in response.json()["detail"] and "issued_on" in response.json()["detail"]
    response = shared_client.post("/v1/invoices/verify", content=b"{not json",
                           headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str)


def test_bad_requests_are_not_counted(session: Session) -> None:
    row = demo("genuine special (01)")
    with pytest.raises(QueryError):
        verify_invoice(session, verify_body(row, amount=None), TODAY)
    assert verify_invoice(session, verify_body(row), TODAY)["checks_today"] == 1


def test_numbers_are_accepted_as_amounts(client: httpx.Client) -> None:
    row = demo("public QR vector (type 32)")
    body = verify_body(row, amount=0.01)
    assert client.post("/v1/invoices/verify", json=body).json()["outcome"] == "genuine"


def test_kiosk_id_and_unknown_fields_are_tolerated(client: httpx.Client) -> None:
    body = verify_body(demo("genuine special (01)"), kiosk_id="K-1", reference="x")
    assert client.post("/v1/invoices/verify", json=body).json()["outcome"] == "genuine"


def test_typed_queries_are_accepted(session: Session) -> None:
    row = demo("genuine special (01)")
    query = VerifyQuery(type_code="01", code=row["code"], number=row["number"],
                        issued_on=row["issued_on"], amount=row["amount"])
    assert verify_invoice(session, query, TODAY)["outcome"] == "genuine"
    as_mapping = {"type_code": "32", "code": "", "number": "24312000000136634917",
                  "issued_on": date(2024, 5, 14), "amount": Decimal("0.01")}
    assert verify_invoice(session, as_mapping, TODAY)["outcome"] == "genuine"
