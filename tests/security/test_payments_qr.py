"""Payment QR orders (issue #11 §3, central.routes.payments) belong to the kiosk that
made them and the taxpayer identified there: a stranger cannot pay, cancel, poll,
close or reverse someone's order; the payer's side (demo acquirer) needs a demo
exposure and the admin token; a payment code is never stored or answered in clear;
bank accounts leave the central service masked. Real server on loopback, real
SQLite file, real sealed calls."""
from __future__ import annotations

import hashlib
import json
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
    sealed_body,
)
from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from central.payment_services_db import QrOrder  # noqa: E402
from central.server import CentralServer  # noqa: E402
from kiosk.central_client import CentralRejected  # noqa: E402
from offline_queue.crypto import KioskKeys  # noqa: E402

pytestmark = pytest.mark.security

WECHAT_CODE = "134567890123456789"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralServer]:
    db = tmp_path_factory.mktemp("payqr") / "central.db"
    with CentralServer(f"sqlite:///{db}", today=lambda: TODAY, now=MovableClock(),
                       demo_data=True, admin_token=ADMIN_TOKEN,
                       enrolment_token=ENROLMENT_TOKEN) as s:
        yield s


def login(client: Any, keys: KioskKeys) -> str:
    answer = client.sealed_call(keys, "identity.id_card", "identity/id-card", DEMO_CARD)
    return str(answer["identity"]["session"])


@pytest.fixture(scope="module")
def owner(server: CentralServer) -> Iterator[tuple[Any, KioskKeys, str]]:
    client, keys = enrolled_kiosk(server.url, "K-pay-owner")
    yield client, keys, login(client, keys)
    client.close()


@pytest.fixture(scope="module")
def stranger(server: CentralServer) -> Iterator[tuple[Any, KioskKeys, str]]:
    client, keys = enrolled_kiosk(server.url, "K-pay-stranger")
    yield client, keys, login(client, keys)
    client.close()


def new_order(owner: tuple[Any, KioskKeys, str], amount_fen: int = 36000) -> dict[str, Any]:
    client, keys, session = owner
    return dict(client.sealed_call(keys, "payments.qr", "payments/qr", {
        "session": session, "order_ref": uuid.uuid4().hex, "amount_fen": amount_fen}))


def state_of(server: CentralServer, order_id: str) -> str:
    with Session(server.app.state.engine) as db:
        return str(db.get(QrOrder, order_id).state)  # type: ignore[union-attr]


def test_another_kiosk_cannot_poll_close_or_reverse_an_order(
        server: CentralServer, owner: Any, stranger: Any) -> None:
    order = new_order(owner)
    assert order["state"] == "NOTPAY" and order["qr_text"] == "TAXPAY:" + order["order_id"]
    client, keys, _session = stranger
    for purpose, path in (("payments.qr_poll", "payments/qr/poll"),
                          ("payments.qr_close", "payments/qr/close"),
                          ("payments.code_query", "payments/code/query"),
                          ("payments.code_reverse", "payments/code/reverse")):
        with pytest.raises(CentralRejected) as caught:
            client.sealed_call(keys, purpose, path, {"order_id": order["order_id"]})
        assert caught.value.status == 404 and caught.value.reason.startswith(
            "order.unknown"), (path, caught.value.reason)
    assert state_of(server, order["order_id"]) == "NOTPAY"
    # Its owner still can.
    c, k, _s = owner
    assert c.sealed_call(k, "payments.qr_close", "payments/qr/close",
                         {"order_id": order["order_id"]})["state"] == "CLOSED"


def test_an_order_needs_the_creating_kiosks_session(
        server: CentralServer, owner: Any, stranger: Any) -> None:
    client, keys, _session = owner
    _c, _k, their_session = stranger
    for session in (their_session, "A" * 43):
        with pytest.raises(CentralRejected) as caught:
            client.sealed_call(keys, "payments.qr", "payments/qr", {
                "session": session, "order_ref": uuid.uuid4().hex, "amount_fen": 100})
        assert caught.value.status == 401 and "session.expired" in caught.value.reason
    with Session(server.app.state.engine) as db:
        assert not db.execute(select(QrOrder).where(QrOrder.amount_fen == 100)).first()


def test_unsigned_forged_and_pending_callers_are_refused(server: CentralServer,
                                                         owner: Any) -> None:
    order = new_order(owner)
    client, keys, _session = owner
    forged = sealed_body(client.kiosk_id, KioskKeys.generate(), "payments.qr_close",
                         {"order_id": order["order_id"]}, data_key=keys.data_key)
    answer = httpx.post(f"{server.url}/v1/kiosks/{client.kiosk_id}/payments/qr/close",
                        json=forged, timeout=10)
    assert answer.status_code == 403
    plain = httpx.post(f"{server.url}/v1/kiosks/{client.kiosk_id}/payments/qr/close",
                       json={"order_id": order["order_id"]}, timeout=10)
    assert plain.status_code == 422
    pending, pkeys = enrolled_kiosk(server.url, token=None)
    try:
        answer = httpx.post(
            f"{server.url}/v1/kiosks/{pending.kiosk_id}/payments/qr/close",
            json=sealed_body(pending.kiosk_id, pkeys, "payments.qr_close",
                             {"order_id": order["order_id"]}), timeout=10)
        assert answer.status_code == 403
    finally:
        pending.close()
    assert state_of(server, order["order_id"]) == "NOTPAY"


def test_the_payers_side_needs_the_admin_token(server: CentralServer, owner: Any) -> None:
    order = new_order(owner)
    pay = f"{server.url}/v1/demo/acquirer/{order['order_id']}/pay"
    cancel = f"{server.url}/v1/demo/acquirer/{order['order_id']}/cancel"
    for url in (pay, cancel):
        assert httpx.post(url, timeout=10).status_code == 401
        assert httpx.post(url, headers={"Authorization": "Bearer wrong"},
                          timeout=10).status_code == 403
    assert state_of(server, order["order_id"]) == "NOTPAY"
    unknown = httpx.post(f"{server.url}/v1/demo/acquirer/{'0' * 32}/pay", headers=ADMIN,
                         timeout=10)
    assert unknown.status_code == 404
    paid = httpx.post(pay, headers=ADMIN, timeout=10)
    assert paid.status_code == 200 and paid.json()["state"] == "SUCCESS"
    # Paid once: paying or cancelling again changes nothing.
    assert httpx.post(pay, headers=ADMIN, timeout=10).status_code == 409
    assert httpx.post(cancel, headers=ADMIN, timeout=10).status_code == 409
    client, keys, _session = owner
    polled = client.sealed_call(keys, "payments.qr_poll", "payments/qr/poll",
                                {"order_id": order["order_id"]})
    assert polled["state"] == "SUCCESS" and polled["transaction_id"]
    # A paid order is never closed, only reversed (refunded).
    closed = client.sealed_call(keys, "payments.qr_close", "payments/qr/close",
                                {"order_id": order["order_id"]})
    assert closed["state"] == "SUCCESS"
    reversed_ = client.sealed_call(keys, "payments.code_reverse", "payments/code/reverse",
                                   {"order_id": order["order_id"]})
    assert reversed_["state"] == "REVOKED"


def test_the_payers_side_is_off_without_a_demo_exposure(server: CentralServer,
                                                        owner: Any, tmp_path: Path) -> None:
    from central.bind_rules import Exposure

    public = CentralServer(f"sqlite:///{tmp_path / 'c.db'}", admin_token=ADMIN_TOKEN,
                           enrolment_token=ENROLMENT_TOKEN)
    public.app.state.exposure = Exposure(host="192.0.2.10", loopback=False, tls=True,
                                         admin_token=True, enrolment_token=True)
    with public:
        off = httpx.post(f"{public.url}/v1/demo/acquirer/{'a' * 32}/pay", headers=ADMIN,
                         timeout=10)
    assert off.status_code == 404 and "demo endpoints are off" in off.json()["detail"]


def test_a_payment_code_is_kept_only_as_a_hash_and_never_answered(
        server: CentralServer, owner: Any) -> None:
    client, keys, session = owner
    body = sealed_body(client.kiosk_id, keys, "payments.code", {
        "session": session, "order_ref": uuid.uuid4().hex, "amount_fen": 4200,
        "auth_code": WECHAT_CODE})
    assert WECHAT_CODE not in json.dumps(body)
    answer = httpx.post(f"{server.url}/v1/kiosks/{client.kiosk_id}/payments/code",
                        json=body, timeout=10)
    assert answer.status_code == 200 and WECHAT_CODE not in answer.text
    with Session(server.app.state.engine) as db:
        row = db.execute(select(QrOrder).where(QrOrder.amount_fen == 4200)).scalar_one()
        assert row.auth_code_sha256 == hashlib.sha256(WECHAT_CODE.encode()).hexdigest()
        assert row.state == "USERPAYING"
    # Not a payment code: refused, nothing stored.
    with pytest.raises(CentralRejected) as caught:
        client.sealed_call(keys, "payments.code", "payments/code", {
            "session": session, "order_ref": uuid.uuid4().hex, "amount_fen": 4300,
            "auth_code": "9" * 18})
    assert caught.value.status == 422 and "payment_code.invalid" in caught.value.reason
    with Session(server.app.state.engine) as db:
        assert not db.execute(select(QrOrder).where(QrOrder.amount_fen == 4300)).first()


def test_an_order_reference_makes_one_order_and_cannot_be_reused(owner: Any) -> None:
    client, keys, session = owner
    ref = uuid.uuid4().hex
    ask = {"session": session, "order_ref": ref, "amount_fen": 1234}
    first = client.sealed_call(keys, "payments.qr", "payments/qr", ask)
    again = client.sealed_call(keys, "payments.qr", "payments/qr", ask)
    assert first["order_id"] == again["order_id"]
    with pytest.raises(CentralRejected) as caught:
        client.sealed_call(keys, "payments.qr", "payments/qr", ask | {"amount_fen": 1})
    assert caught.value.status == 409 and "order.conflict" in caught.value.reason


def test_bank_accounts_leave_the_central_service_masked(server: CentralServer,
                                                         owner: Any) -> None:
    from sqlalchemy.orm import Session as S

    from central.registry import import_registry

    account = "6222020200112233445"
    with S(server.app.state.engine) as db:
        report = import_registry(db, {
            "iit_prefill": [{"tin": DEMO_CARD["id_number"], "year": 2025, "wages": "1",
                             "labour": "0", "royalties": "0", "withheld": "0",
                             "special_additional": "0", "social_insurance": "0",
                             "refund_bank": "中国工商银行", "refund_account": account}],
            "agreements": [{"tin": DEMO_CARD["id_number"], "protocol_no": "P-1",
                            "bank": "中国工商银行", "account": account, "state": "verified",
                            "signed_on": "2024-01-02"}]})
        db.commit()
    assert not report.errors, report.errors
    client, keys, session = owner
    prefill = client.sealed_call(keys, "taxpayer.iit_prefill", "taxpayer/iit-prefill",
                                 {"session": session, "year": 2025})
    agreements = client.sealed_call(keys, "taxpayer.agreements", "taxpayer/agreements",
                                    {"session": session})
    assert prefill["refund_account"] == "*" * 15 + "3445"
    imported = [a for a in agreements["items"] if a["protocol_no"] == "P-1"]
    assert [a["account"] for a in imported] == ["*" * 15 + "3445"]
    assert account not in json.dumps([prefill, agreements])
