"""Bad input never makes the service fail: random requests get 4xx, never 5xx."""
from __future__ import annotations

import base64
import csv
import io
import json
from collections.abc import Iterator
from datetime import timedelta, timezone
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from central.invoice_import import HEADER_TEXT, ImportFileError, import_invoices_csv
from central.server import CentralServer
from central_helpers import TODAY
from offline_queue.crypto import KioskKeys, b64e

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                         st.text(max_size=40))
json_values = st.recursive(json_scalars,
                           lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=10), inner, max_size=3),
                           max_leaves=8)
digits = st.text("0123456789", min_size=0, max_size=22)
plausible = st.fixed_dictionaries({
    "type_code": st.sampled_from(["01", "04", "08", "10", "11", "14", "31", "32", "51", "99",
                                  "", "1"]) | st.text(max_size=4),
    "code": st.none() | digits | st.text(max_size=14),
    "number": digits | st.text(max_size=22),
    "issued_on": st.dates().map(str) | st.text(max_size=12) | st.just("2026-02-29"),
    "amount": json_scalars | st.decimals(allow_nan=True).map(str),
    "check_code_last6": st.none() | digits | st.text(max_size=8),
}, optional={"kiosk_id": json_scalars})


@pytest.fixture(scope="module")
def fuzz_client(module_db_url: str) -> Iterator[httpx.Client]:
    # The public check's rate limit would answer 429 here: fuzzing needs every answer.
    with CentralServer(module_db_url, today=lambda: TODAY, demo_data=True,
                       admin_token="t", public_verify_limit=(10**6, 10**6)) as server:
        with httpx.Client(base_url=server.url, timeout=10) as http:
            keys = KioskKeys.generate()
            enrolled = http.post("/v1/kiosks/enroll", json={
                "kiosk_id": "K-fuzz", "public_key": b64e(keys.public_key),
                "data_key": b64e(keys.data_key)})
            assert enrolled.status_code == 200
            yield http


def _body(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


@FUZZ
@given(body=plausible | json_values)
def test_verify_never_fails_on_bad_input(fuzz_client: httpx.Client, body: Any) -> None:
    response = fuzz_client.post("/v1/invoices/verify", content=_body(body),
                                headers={"content-type": "application/json"})
    assert response.status_code < 500, (body, response.text)
    if response.status_code == 422:
        assert isinstance(response.json()["detail"], str)
    else:
        assert response.status_code == 200
        assert response.json()["outcome"]


@FUZZ
@given(raw=st.binary(max_size=200))
def test_verify_survives_garbage_bytes(fuzz_client: httpx.Client, raw: bytes) -> None:
    response = fuzz_client.post("/v1/invoices/verify", content=raw,
                                headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500


@FUZZ
@given(path=st.sampled_from(["/v1/kiosks/enroll", "/v1/sync/batch"]),
       body=json_values | st.fixed_dictionaries(
           {"kiosk_id": st.text(max_size=70)},
           optional={"records": st.lists(json_values, max_size=2),
                     "public_key": st.text(max_size=50), "data_key": st.text(max_size=50),
                     "token": json_scalars}))
def test_enrol_and_sync_never_fail_on_bad_input(fuzz_client: httpx.Client, path: str,
                                                body: Any) -> None:
    response = fuzz_client.post(path, content=_body(body),
                                headers={"content-type": "application/json"})
    assert response.status_code < 500, (body, response.text)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(st.text(max_size=25), min_size=0, max_size=11), max_size=6))
def test_import_parser_reports_rows_never_crashes(session: Session,
                                                  rows: list[list[str]]) -> None:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerows(rows)
    text = HEADER_TEXT + "\n" + out.getvalue()
    try:
        report = import_invoices_csv(session, io.StringIO(text, newline=""))
    except ImportFileError:
        return
    finally:
        session.rollback()
    assert report.imported + report.updated + len(report.errors) <= len(rows)
    assert all(line >= 2 for line, _ in report.errors)


hex64 = st.binary(min_size=32, max_size=32).map(bytes.hex)


def b64_of(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.binary(min_size=min_size, max_size=max_size).map(
        lambda b: base64.b64encode(b).decode())


offsets = st.timedeltas(min_value=-timedelta(hours=23, minutes=59),
                        max_value=timedelta(hours=23, minutes=59)).map(timezone)
wire_records = st.fixed_dictionaries({
    "kiosk_id": st.just("K-fuzz"),
    "seq": st.integers(min_value=1) | st.integers(min_value=1, max_value=5),
    "uuid": st.uuids().map(str) | st.text(min_size=32, max_size=36),
    "kind": st.sampled_from(["invoice.verify", "k"]) | st.text(min_size=1, max_size=64),
    "created_at": st.datetimes(timezones=st.none() | offsets).map(lambda d: d.isoformat()),
    "nonce": b64_of(12, 16) | st.text(min_size=16, max_size=24),
    "ciphertext": b64_of(1, 40) | st.text(min_size=1, max_size=30),
    "prev_hash": hex64 | st.just("0" * 64),
    "hash": hex64,
    "signature": st.text(min_size=80, max_size=100)
    | b64_of(64, 64),
})


@settings(FUZZ, max_examples=100)
@given(records=st.lists(wire_records, max_size=3))
def test_sync_never_fails_on_well_formed_garbage(fuzz_client: httpx.Client,
                                                 records: list[dict[str, Any]]) -> None:
    response = fuzz_client.post("/v1/sync/batch",
                                json={"kiosk_id": "K-fuzz", "records": records})
    assert response.status_code < 500, (records, response.text)
    if response.status_code == 200:
        assert all(r["status"] in ("rejected", "duplicate") for r in response.json()["results"])
