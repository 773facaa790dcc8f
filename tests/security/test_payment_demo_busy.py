"""The demo acquirer's `busy` switch (POST /v1/demo/acquirer/{order}/busy: the next
reverses of a payment-code order answer USERPAYING) is the payer's side like `/pay`
and `/cancel`: it needs the admin token when one is set, is off without a demo
exposure, and changes nothing when refused. Real server on loopback, real SQLite
file, real sealed calls."""
from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
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
)
from sqlalchemy.orm import Session  # noqa: E402

from central.payment_services_db import QrOrder  # noqa: E402
from central.server import CentralServer  # noqa: E402

pytestmark = pytest.mark.security

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
WECHAT_CODE = "134567890123456789"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralServer]:
    db = tmp_path_factory.mktemp("busy") / "central.db"
    with CentralServer(f"sqlite:///{db}", today=lambda: TODAY, now=MovableClock(),
                       demo_data=True, admin_token=ADMIN_TOKEN,
                       enrolment_token=ENROLMENT_TOKEN) as s:
        yield s


def code_order(server: CentralServer) -> tuple[Any, Any, dict[str, Any]]:
    client, keys = enrolled_kiosk(server.url)
    session = client.sealed_call(keys, "identity.id_card", "identity/id-card",
                                 DEMO_CARD)["identity"]["session"]
    order = client.sealed_call(keys, "payments.code", "payments/code", {
        "session": session, "order_ref": uuid.uuid4().hex, "amount_fen": 100,
        "auth_code": WECHAT_CODE})
    assert order["state"] == "USERPAYING"
    return client, keys, dict(order)


def busy_of(server: CentralServer, order_id: str) -> int:
    with Session(server.app.state.engine) as db:
        return int(db.get(QrOrder, order_id).reverse_busy)  # type: ignore[union-attr]


def test_the_busy_switch_needs_the_admin_token(server: CentralServer) -> None:
    client, keys, order = code_order(server)
    url = f"{server.url}/v1/demo/acquirer/{order['order_id']}/busy"
    assert httpx.post(url, timeout=10).status_code == 401
    assert httpx.post(url, headers={"Authorization": "Bearer wrong"},
                      timeout=10).status_code == 403
    assert busy_of(server, order["order_id"]) == 0
    # Refused callers changed nothing: the kiosk's reverse is done at once.
    undone = client.sealed_call(keys, "payments.code_reverse", "payments/code/reverse",
                                {"order_id": order["order_id"]})
    assert undone["state"] == "REVOKED"
    client.close()


def test_with_the_token_reverses_answer_paying_then_revoke(server: CentralServer) -> None:
    client, keys, order = code_order(server)
    url = f"{server.url}/v1/demo/acquirer/{order['order_id']}/busy"
    r = httpx.post(url, params={"reverses": 1}, headers=ADMIN, timeout=10)
    assert r.status_code == 200 and r.json()["state"] == "USERPAYING"
    states = [client.sealed_call(keys, "payments.code_reverse", "payments/code/reverse",
                                 {"order_id": order["order_id"]})["state"]
              for _ in range(2)]
    assert states == ["USERPAYING", "REVOKED"]
    # A finished order cannot be made busy again.
    assert httpx.post(url, headers=ADMIN, timeout=10).status_code == 409
    client.close()


def test_the_busy_switch_is_off_without_a_demo_exposure(tmp_path: Path) -> None:
    from central.bind_rules import Exposure

    public = CentralServer(f"sqlite:///{tmp_path / 'c.db'}", admin_token=ADMIN_TOKEN,
                           enrolment_token=ENROLMENT_TOKEN)
    public.app.state.exposure = Exposure(host="192.0.2.10", loopback=False, tls=True,
                                         admin_token=True, enrolment_token=True)
    with public:
        off = httpx.post(f"{public.url}/v1/demo/acquirer/{'a' * 32}/busy", headers=ADMIN,
                         timeout=10)
    assert off.status_code == 404 and "demo endpoints are off" in off.json()["detail"]
