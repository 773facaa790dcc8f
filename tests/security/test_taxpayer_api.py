"""Taxpayer identity and look-ups are reachable only by an approved kiosk's sealed call
(issue #10, docs/security.md): forged signatures, another kiosk's keys, replays,
tampered or re-routed ciphertext and pending kiosks are refused with nothing stored;
personal data never crosses the wire readable; bad input gets a 4xx with a reason,
never a 5xx; the demo approval stays behind the admin token."""
from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
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
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from central.db import QrLogin, TaxpayerLoginState, TaxpayerSession  # noqa: E402
from central.demo_data import DEMO_PASSWORD, DEMO_PERSON_ID, DEMO_PERSON_NAME  # noqa: E402
from central.server import CentralServer  # noqa: E402
from offline_queue.crypto import KioskKeys, b64d, b64e  # noqa: E402
from offline_queue.wire import SEALED_ROUTES  # noqa: E402

pytestmark = pytest.mark.security

ROUTES = {purpose: path for purpose, path in SEALED_ROUTES.items()
          if not purpose.startswith("certificate.")}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralServer]:
    db = tmp_path_factory.mktemp("taxpayer") / "central.db"
    with CentralServer(f"sqlite:///{db}", today=lambda: TODAY, now=MovableClock(),
                       demo_data=True, admin_token=ADMIN_TOKEN,
                       enrolment_token=ENROLMENT_TOKEN) as s:
        yield s


@pytest.fixture(scope="module")
def kiosk(server: CentralServer) -> Iterator[tuple[Any, KioskKeys]]:
    client, keys = enrolled_kiosk(server.url, "K-security-tp")
    yield client, keys
    client.close()


def stored(server: CentralServer) -> tuple[int, int, int]:
    """(sessions, QR tokens, login-state rows): what a refused call must not add."""
    with Session(server.app.state.engine) as db:
        return tuple(int(db.execute(select(func.count()).select_from(m)).scalar_one())
                     for m in (TaxpayerSession, QrLogin, TaxpayerLoginState))  # type: ignore[return-value]


def post(server: CentralServer, kiosk_id: str, path: str, body: Any) -> httpx.Response:
    return httpx.post(f"{server.url}/v1/kiosks/{kiosk_id}/{path}", json=body, timeout=30)


def test_a_valid_sealed_call_works_and_carries_no_readable_personal_data(
        server: CentralServer, kiosk: Any) -> None:
    client, keys = kiosk
    body = sealed_body(client.kiosk_id, keys, "identity.id_card", DEMO_CARD)
    assert DEMO_PERSON_ID not in json.dumps(body)
    response = post(server, client.kiosk_id, "identity/id-card", body)
    assert response.status_code == 200, response.text
    for secret in (DEMO_PERSON_ID, DEMO_PERSON_NAME, json.dumps(DEMO_PERSON_NAME)[1:-1]):
        assert secret not in response.text
    identity = open_answer(client.kiosk_id, keys, body, response.json())["identity"]
    assert identity["person"]["tin"] == DEMO_PERSON_ID
    # The database keeps only the session token's hash.
    with Session(server.app.state.engine) as db:
        hashes = db.execute(select(TaxpayerSession.token_hash)).scalars().all()
    assert identity["session"] not in hashes and len(hashes) == 1


def test_forged_wrong_key_replayed_tampered_and_rerouted_calls_are_refused(
        server: CentralServer, kiosk: Any) -> None:
    client, keys = kiosk
    kid = client.kiosk_id
    card_login = sealed_body(kid, keys, "identity.id_card", DEMO_CARD)
    assert post(server, kid, "identity/id-card", card_login).status_code == 200
    before = stored(server)

    stranger = KioskKeys.generate()
    forged = sealed_body(kid, stranger, "identity.id_card", DEMO_CARD,
                         data_key=keys.data_key)  # the data key leaked, not the signing key
    answer = post(server, kid, "identity/id-card", forged)
    assert answer.status_code == 403 and "bad signature" in answer.json()["detail"]

    wrong_data_key = sealed_body(kid, keys, "identity.id_card", DEMO_CARD,
                                 data_key=stranger.data_key)
    answer = post(server, kid, "identity/id-card", wrong_data_key)
    assert answer.status_code == 422 and "does not open" in answer.json()["detail"]

    replay = post(server, kid, "identity/id-card", card_login)
    assert replay.status_code == 409 and "replayed" in replay.json()["detail"]

    tampered = sealed_body(kid, keys, "identity.id_card", DEMO_CARD)
    raw = bytearray(b64d(tampered["ciphertext"]))
    raw[0] ^= 1
    tampered["ciphertext"] = b64e(bytes(raw))
    assert post(server, kid, "identity/id-card", tampered).status_code == 403

    # Signed for the password route, sent to the ID card route: does not open.
    rerouted = sealed_body(kid, keys, "identity.password",
                           {"tin": DEMO_PERSON_ID, "password": DEMO_PASSWORD})
    answer = post(server, kid, "identity/id-card", rerouted)
    assert answer.status_code == 422

    # Another kiosk's path with this kiosk's body; a body naming another kiosk.
    other_path = post(server, "K-someone-else", "identity/id-card",
                      sealed_body(kid, keys, "identity.id_card", DEMO_CARD))
    assert other_path.status_code == 422
    unknown = sealed_body("K-nobody", stranger, "identity.id_card", DEMO_CARD)
    assert post(server, "K-nobody", "identity/id-card", unknown).status_code == 403

    old = sealed_body(kid, keys, "identity.id_card", DEMO_CARD,
                      sent_at=(datetime.now(UTC) - timedelta(minutes=10)).isoformat())
    answer = post(server, kid, "identity/id-card", old)
    assert answer.status_code == 409 and "sent_at" in answer.json()["detail"]
    assert stored(server) == before


def test_a_pending_kiosk_gets_nothing_from_any_route(server: CentralServer) -> None:
    client, keys = enrolled_kiosk(server.url, token=None)
    try:
        before = stored(server)
        for purpose, path in ROUTES.items():
            payload: dict[str, Any] = DEMO_CARD if purpose == "identity.id_card" else {}
            answer = post(server, client.kiosk_id, path,
                          sealed_body(client.kiosk_id, keys, purpose, payload))
            assert answer.status_code == 403, (path, answer.text)
            assert "not approved" in answer.json()["detail"]
        assert stored(server) == before
    finally:
        client.close()


def test_bad_input_gets_a_4xx_with_a_reason_stores_nothing_and_never_a_5xx(
        server: CentralServer, kiosk: Any) -> None:
    client, keys = kiosk
    kid = client.kiosk_id
    before = stored(server)
    nested: Any = "x"
    for _ in range(200):
        nested = [nested]
    payloads: list[Any] = [
        {}, {"session": "x" * 42}, {"session": 5}, {"tin": None, "password": None},
        {"tin": DEMO_PERSON_ID, "password": "7" * 200},
        {"tin": "1" * 300, "password": "x"}, {"token": "../../etc", "wait_s": 99},
        {"token": "A" * 43, "wait_s": -1}, {"id_number": "\x00" * 18, "name": "",
                                            "valid_until": "x"},
        {"session": nested}, {"deep": nested},
    ]
    for purpose, path in ROUTES.items():
        for payload in payloads if purpose != "identity.qr" else ():  # takes no input
            answer = post(server, kid, path, sealed_body(kid, keys, purpose, payload))
            assert 400 <= answer.status_code < 500, (path, payload, answer.text)
            detail = answer.json()["detail"]
            assert isinstance(detail, str) and detail
            assert "7777777" not in detail  # the password is never echoed
        for garbage in ([1, 2], "text", None, {"kiosk_id": kid}, {"nested": nested}):
            answer = post(server, kid, path, garbage)
            assert answer.status_code == 422, (path, garbage, answer.text)
    # Not a JSON object inside the seal.
    not_object = sealed_body(kid, keys, "identity.qr", [1, 2])  # type: ignore[arg-type]
    answer = post(server, kid, "identity/qr", not_object)
    assert answer.status_code == 422 and "not a JSON object" in answer.json()["detail"]
    assert stored(server) == before


def test_a_password_field_of_200_characters_is_refused_without_counting(
        server: CentralServer, kiosk: Any) -> None:
    client, keys = kiosk
    from kiosk.central_client import CentralRejected

    with pytest.raises(CentralRejected) as caught:
        client.sealed_call(keys, "identity.password", "identity/password",
                           {"tin": DEMO_PERSON_ID, "password": "x" * 200})
    assert caught.value.status == 422 and "password" in caught.value.reason
    with Session(server.app.state.engine) as db:
        assert db.get(TaxpayerLoginState, DEMO_PERSON_ID) is None


def test_the_demo_approval_needs_the_admin_token_and_a_demo_exposure(
        server: CentralServer, kiosk: Any, tmp_path: Path) -> None:
    client, keys = kiosk
    qr = client.sealed_call(keys, "identity.qr", "identity/qr", {})
    url = f"{server.url}/v1/login/qr/{qr['token']}/approve"
    assert httpx.post(url, json={"tin": DEMO_PERSON_ID}).status_code == 401
    assert httpx.post(url, json={"tin": DEMO_PERSON_ID},
                      headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.sealed_call(keys, "identity.qr_poll", "identity/qr/poll",
                              {"token": qr["token"]}) == {"status": "pending"}
    # A service exposed off loopback without --insecure-demo: the endpoint is off,
    # whatever the token.
    from central.bind_rules import Exposure

    public = CentralServer(f"sqlite:///{tmp_path / 'c.db'}", admin_token=ADMIN_TOKEN,
                           enrolment_token=ENROLMENT_TOKEN)
    public.app.state.exposure = Exposure(host="192.0.2.10", loopback=False, tls=True,
                                         admin_token=True, enrolment_token=True)
    with public:
        off = httpx.post(f"{public.url}/v1/login/qr/{qr['token']}/approve",
                         json={"tin": DEMO_PERSON_ID},
                         headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert off.status_code == 404 and "demo endpoints are off" in off.json()["detail"]
