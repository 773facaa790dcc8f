"""Paper-invoice pickup, stock and courier endpoints (issue #12) on a real central
service over loopback HTTP: only an approved kiosk's sealed call gets an answer, the
pickup look-up answers only the session's own taxpayer, the hall's orders and stock go
only to kiosks of that hall, nothing personal crosses the wire readable, and the
rules (TS4 caps, 验旧, refusals, allocation, overlap, idempotent issue) hold."""
from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "central"))

from central_helpers import (  # noqa: E402
    ADMIN_TOKEN,
    DEMO_CARD,
    ENROLMENT_TOKEN,
    TODAY,
    MovableClock,
    enrolled_kiosk,
    open_answer,
    sealed_body,
)
from sqlalchemy.orm import Session  # noqa: E402

from central.invoice_stock import mark_issued  # noqa: E402
from central.server import CentralServer  # noqa: E402
from kiosk.central_client import CentralRejected  # noqa: E402
from offline_queue.invoice_rules import max_now  # noqa: E402

pytestmark = pytest.mark.security

PERSON = DEMO_CARD["id_number"]
OTHER = "91440300MA5FXXXX1A"
CODE = "144031900111"
REGISTRY: dict[str, Any] = {
    "taxpayers": [{"tin": OTHER, "kind": "enterprise", "name": "深圳某某有限公司",
                   "status": "normal", "registered_on": "2020-01-01"}],
    "approvals": [
        {"tin": PERSON, "invoice_kind": "增值税普通发票", "per_pickup_max": 10,
         "monthly_max": 30, "holding_max": 10},
        {"tin": PERSON, "invoice_kind": "通用机打发票", "per_pickup_max": 20,
         "monthly_max": 20, "holding_max": 20},
        {"tin": OTHER, "invoice_kind": "增值税普通发票", "per_pickup_max": 10,
         "monthly_max": 25, "holding_max": 25}],
    "holdings": [
        # 6 unused of 10 -> 结存 6; all used uploaded -> 验旧 passes
        {"tin": PERSON, "invoice_kind": "增值税普通发票", "code": "144031900001",
         "first": "00000001", "last": "00000010", "picked_up_on": "2026-05-02", "used": 4,
         "uploaded": 4},
        # 20 held, 20 unused -> 结存 20 = 持票最高 -> 0, and 2 used not uploaded
        {"tin": PERSON, "invoice_kind": "通用机打发票", "code": "244031900001",
         "first": "00000101", "last": "00000122", "picked_up_on": "2026-06-01", "used": 2,
         "uploaded": 0}],
    "pickup_orders": [
        {"tin": PERSON, "application_no": "SQ-0001", "pickup_code": "A1B2C3", "method": "02",
         "invoice_kind": "增值税普通发票", "quantity": 4, "hall": "", "applied_on": "2026-06-10"},
        {"tin": PERSON, "application_no": "SQ-0002", "pickup_code": "D4E5F6", "method": "02",
         "invoice_kind": "通用机打发票", "quantity": 5, "hall": "demo-hall",
         "applied_on": "2026-06-11"},
        {"tin": PERSON, "application_no": "SQ-0003", "pickup_code": "G7H8J9", "method": "02",
         "invoice_kind": "增值税普通发票", "quantity": 2, "hall": "north-hall",
         "applied_on": "2026-06-11"},
        {"tin": OTHER, "application_no": "SQ-0004", "pickup_code": "K1L2M3", "method": "02",
         "invoice_kind": "增值税普通发票", "quantity": 3, "hall": "",
         "applied_on": "2026-06-12"},
        {"tin": OTHER, "application_no": "SQ-0005", "pickup_code": "N4P5Q6", "method": "03",
         "invoice_kind": "增值税普通发票", "quantity": 5, "hall": "demo-hall",
         "applied_on": "2026-06-12"}],
    "allocations": [
        {"hall": "demo-hall", "invoice_kind": "增值税普通发票", "code": CODE,
         "first": "00012001", "last": "00012300"},
        {"hall": "north-hall", "invoice_kind": "增值税普通发票", "code": CODE,
         "first": "00020001", "last": "00020100"}],
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralServer]:
    db = tmp_path_factory.mktemp("pickup") / "central.db"
    with CentralServer(f"sqlite:///{db}", today=lambda: TODAY, now=MovableClock(),
                       demo_data=True, admin_token=ADMIN_TOKEN,
                       enrolment_token=ENROLMENT_TOKEN) as s:
        answer = httpx.post(f"{s.url}/v1/admin/registry", content=json.dumps(REGISTRY),
                            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=30)
        assert answer.status_code == 200, answer.text
        assert not answer.json().get("errors"), answer.text
        yield s


def _kiosk(server: CentralServer, hall: str) -> tuple[Any, Any]:
    """An approved kiosk of `hall` (enrolled with the enrolment token)."""
    from kiosk.central_client import CentralClient
    from offline_queue.crypto import KioskKeys

    keys = KioskKeys.generate()
    client = CentralClient((server.url,), f"K-pickup-{uuid.uuid4().hex[:6]}", timeout_s=10.0)
    assert client.enroll(keys, token=ENROLMENT_TOKEN, hall_id=hall)["approved"] is True
    return client, keys


@pytest.fixture(scope="module")
def demo_kiosk(server: CentralServer) -> Iterator[tuple[Any, Any]]:
    client, keys = _kiosk(server, "demo-hall")
    yield client, keys
    client.close()


ROUTES = {"invoices.courier": "invoices/courier",
          "invoices.pickup_cache": "invoices/pickup-cache"}


def call(kiosk: tuple[Any, Any], purpose: str, payload: dict[str, Any]) -> dict[str, Any]:
    from offline_queue.wire import SEALED_ROUTES
    client, keys = kiosk
    return client.sealed_call(keys, purpose, {**SEALED_ROUTES, **ROUTES}[purpose], payload)


def session_of(kiosk: tuple[Any, Any]) -> str:
    return call(kiosk, "identity.id_card", DEMO_CARD)["identity"]["session"]


def test_ts4_caps_vectors() -> None:
    assert max_now(10, 10, 6, 10) == 4
    assert max_now(20, 20, 20, 20) == 0
    assert max_now(10, 25, 3, 99) == 10


def test_pickup_by_code_shows_caps_and_verify_rows(demo_kiosk: Any) -> None:
    session = session_of(demo_kiosk)
    [order] = call(demo_kiosk, "invoices.pickup", {"session": session,
                                                   "pickup_code": "a1b2c3"})["orders"]
    assert order["application_no"] == "SQ-0001" and order["refusal"] is None
    caps = order["caps"]
    # 结存 6; min(per pickup 10, holding 10 - 6, month 30 - 0 picked up in June) = 4
    assert (caps["balance"], caps["max_now"], caps["month_left"]) == (6, 4, 30)
    assert [r["verified"] for r in order["verify_rows"]] == [True]


def test_refusals_name_their_reason(demo_kiosk: Any) -> None:
    session = session_of(demo_kiosk)
    [order] = call(demo_kiosk, "invoices.pickup", {"session": session,
                                                   "pickup_code": "D4E5F6"})["orders"]
    # 2 used not uploaded -> 未验旧 (checked before the caps, which are 0 as well)
    assert order["refusal"] == "pickup.not_verified"
    assert order["caps"]["max_now"] == 0 and order["caps"]["reason"] == "holding"
    [north] = call(demo_kiosk, "invoices.pickup", {"session": session,
                                                   "pickup_code": "G7H8J9"})["orders"]
    assert north["refusal"] == "pickup.wrong_hall"
    # without a code: the taxpayer's pending terminal orders this hall serves
    listed = call(demo_kiosk, "invoices.pickup", {"session": session})["orders"]
    # (the demo data's own order FPSQ2026000101, any hall, is listed too)
    assert [o["application_no"] for o in listed
            if o["application_no"].startswith("SQ-")] == ["SQ-0001", "SQ-0002"]


def test_another_taxpayers_code_is_unknown(demo_kiosk: Any) -> None:
    session = session_of(demo_kiosk)
    for code in ("K1L2M3", "N4P5Q6", "ZZZZ99"):  # another's, a courier order, nobody's
        with pytest.raises(CentralRejected) as exc:
            call(demo_kiosk, "invoices.pickup", {"session": session, "pickup_code": code})
        assert exc.value.status == 404 and "pickup.unknown_code" in exc.value.reason
    with pytest.raises(CentralRejected) as exc:
        call(demo_kiosk, "invoices.pickup", {"session": "A" * 43, "pickup_code": "A1B2C3"})
    assert exc.value.status == 401


def test_stock_check_is_the_hall_allocation(server: CentralServer, demo_kiosk: Any) -> None:
    def check(kiosk: Any, first: int, last: int, kind: str = "增值税普通发票") -> Any:
        return call(kiosk, "invoices.stock_check", {"invoice_kind": kind, "code": CODE,
                                                    "first": first, "last": last})
    assert check(demo_kiosk, 12001, 12100) == {"ok": True, "reason": None}
    assert check(demo_kiosk, 12250, 12350)["reason"] == "stock.unknown"  # runs past it
    assert check(demo_kiosk, 20001, 20050)["reason"] == "stock.unknown"  # north's stock
    assert check(demo_kiosk, 12001, 12100, "通用机打发票")["reason"] == "stock.unknown"
    north = _kiosk(server, "north-hall")
    try:
        assert check(north, 20001, 20050)["ok"] is True
    finally:
        north[0].close()


def _ours(orders: list[dict[str, Any]]) -> list[str]:
    """This test's applications (the demo data's FPSQ2026… orders are there too)."""
    return [o["application_no"] for o in orders if o["application_no"].startswith("SQ-")]


def test_courier_orders_and_cache_go_only_to_the_hall(server: CentralServer,
                                                      demo_kiosk: Any) -> None:
    orders = call(demo_kiosk, "invoices.courier", {})["orders"]
    assert _ours(orders) == ["SQ-0005"]
    cache = call(demo_kiosk, "invoices.pickup_cache", {})
    assert set(_ours(cache["orders"])) == {"SQ-0001", "SQ-0002", "SQ-0004"}
    north = _kiosk(server, "north-hall")
    try:
        assert _ours(call(north, "invoices.courier", {})["orders"]) == []
        assert set(_ours(call(north, "invoices.pickup_cache", {})["orders"])
                   ) == {"SQ-0001", "SQ-0003", "SQ-0004"}
    finally:
        north[0].close()


def test_the_cache_is_sealed_and_refused_to_strangers(server: CentralServer,
                                                      demo_kiosk: Any) -> None:
    client, keys = demo_kiosk
    body = sealed_body(client.kiosk_id, keys, "invoices.pickup_cache", {})
    response = httpx.post(f"{server.url}/v1/kiosks/{client.kiosk_id}/invoices/pickup-cache",
                          json=body, timeout=10)
    assert response.status_code == 200
    for secret in (PERSON, "A1B2C3", "深圳某某"):
        assert secret not in response.text
    assert any(o["id_number"] == PERSON for o in
               open_answer(client.kiosk_id, keys, body, response.json())["orders"])
    # a pending (unapproved) kiosk and a forged signature get nothing
    pending, pending_keys = enrolled_kiosk(server.url, f"K-pend-{uuid.uuid4().hex[:6]}",
                                           token=None)
    for kiosk_id, k in ((pending.kiosk_id, pending_keys), (client.kiosk_id, pending_keys)):
        body = sealed_body(kiosk_id, k, "invoices.pickup_cache", {})
        response = httpx.post(f"{server.url}/v1/kiosks/{kiosk_id}/invoices/pickup-cache",
                              json=body, timeout=10)
        assert response.status_code in (403, 422), response.text
        assert PERSON not in response.text
    pending.close()
    # the public reference feed never carries pickup orders
    feed = httpx.get(f"{server.url}/v1/reference?cursor=0", timeout=10).text
    assert "A1B2C3" not in feed and "SQ-0001" not in feed


def test_issue_is_idempotent_and_ranges_never_overlap(server: CentralServer) -> None:
    now = datetime(2026, 6, 15, 10, tzinfo=UTC)
    box = {"invoice_kind": "增值税普通发票", "code": CODE, "first": 12001, "last": 12002,
           "taken": True, "cassette": 1}
    with Session(server.app.state.engine) as db:
        first = mark_issued(db, kiosk_id="K", pickup_id="a" * 32, application_no="SQ-0004",
                            boxes=[box], waybill="", now=now)
        again = mark_issued(db, kiosk_id="K", pickup_id="a" * 32, application_no="SQ-0004",
                            boxes=[box], waybill="", now=now)
        clash = mark_issued(db, kiosk_id="K", pickup_id="b" * 32, application_no="SQ-0004",
                            boxes=[{**box, "first": 12002, "last": 12003}], waybill="", now=now)
        db.rollback()
    assert first == {"status": "recorded", "issued": 2}
    assert again == {"status": "recorded", "issued": 2}
    assert clash == {"status": "overlap", "code": CODE}


def test_import_refuses_overlapping_allocations(server: CentralServer) -> None:
    doc = {"allocations": [{"hall": "demo-hall", "invoice_kind": "增值税普通发票", "code": CODE,
                            "first": "00012200", "last": "00012400"}],
           "pickup_orders": [{"tin": PERSON, "application_no": "SQ-X", "pickup_code": "A1B2C3",
                              "method": "02", "invoice_kind": "增值税普通发票", "quantity": 1,
                              "hall": "", "applied_on": "2026-06-10"}]}
    answer = httpx.post(f"{server.url}/v1/admin/registry", content=json.dumps(doc),
                        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=30).json()
    text = json.dumps(answer, ensure_ascii=False)
    assert "overlaps another allocation" in text and "already used by another" in text
