"""Issue #8: open enrolment must not hand out staff PIN hashes.

A made-up kiosk enrolled without the enrolment token waits for an operator's approval
and gets nothing; staff accounts go only to enrolled and approved kiosks, and only
those of the hall the kiosk is approved for; under mutual TLS only to the kiosk its
client certificate names. While online, a kiosk has the central service check every
PIN, which counts wrong PINs per card across all terminals; the local hash decides
only offline.

Everything runs through real transports: a central service on loopback (uvicorn, a
SQLite file, real TLS with a test CA), the kiosk's real core, files and HTTP client.
"""
from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from central import cli
from central.db import create_schema, make_engine
from central.reference import parse_items, upsert_items
from central.server import CentralServer
from kiosk.app import KioskCore
from kiosk.central_client import CentralClient, CentralRejected, tls_context
from kiosk.config import parse_config
from kiosk.staff import StaffAuthError, card_key, staff_reference_item
from offline_queue.crypto import KioskKeys, b64e, content_digest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from mtls_certs import TestCA  # noqa: E402

pytestmark = pytest.mark.security

ADMIN_TOKEN = "admin-token-for-enrolment-tests"
ENROLMENT_TOKEN = "enrolment-token-for-enrolment-tests"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
HALL, OTHER_HALL = "hall-0101", "hall-0202"
# card UID -> (staff id, PIN, halls)
CARDS = {"04:11:22:33": ("S-ALL", "24681357", ()),
         "04:44:55:66": ("S-H1", "13572468", (HALL,)),
         "04:77:88:99": ("S-H2", "97531864", (OTHER_HALL,)),
         "04:AA:BB:CC": ("S-BOTH", "86420975", (HALL, OTHER_HALL))}
UID_ALL, UID_H1 = "04:11:22:33", "04:44:55:66"


def add_staff(db_url: str, uid: str, staff_id: str, pin: str, halls: tuple[str, ...],
              monkeypatch: pytest.MonkeyPatch) -> None:
    """`kiosk central --add-staff ... --hall H` (the operator's command)."""
    monkeypatch.setattr("sys.stdin", io.StringIO(pin + "\n"))
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    argv = ["--db", db_url, "--add-staff", "--staff-id", staff_id, "--role", "hall",
            "--card", uid]
    for hall in halls:
        argv += ["--hall", hall]
    assert cli.main(parser.parse_args(argv)) == 0


@pytest.fixture(scope="module")
def staff_items() -> list[dict[str, Any]]:
    """The reference items of CARDS (scrypt takes a while: hashed once)."""
    items = []
    for uid, (staff_id, pin, halls) in CARDS.items():
        item = staff_reference_item(staff_id, ["hall"], uid, pin)
        if halls:
            item["body"]["halls"] = list(halls)
        items.append(item)
    return items


@pytest.fixture
def db_url(tmp_path: Path, staff_items: list[dict[str, Any]]) -> str:
    url = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    engine = make_engine(url)
    try:
        create_schema(engine)
        with Session(engine) as session:
            upsert_items(session, parse_items(staff_items), datetime.now(timezone.utc))
    finally:
        engine.dispose()
    return url


@pytest.fixture
def central(db_url: str) -> Iterator[CentralServer]:
    with CentralServer(db_url, admin_token=ADMIN_TOKEN,
                       enrolment_token=ENROLMENT_TOKEN) as server:
        yield server


def enrol_body(kiosk_id: str, keys: KioskKeys, token: str | None = None,
               hall_id: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"kiosk_id": kiosk_id, "public_key": b64e(keys.public_key),
                            "data_key": b64e(keys.data_key)}
    if token is not None:
        body["token"] = token
    if hall_id is not None:
        body["hall_id"] = hall_id
    return body


def signed_staff_request(keys: KioskKeys, kiosk_id: str) -> dict[str, Any]:
    body = {"kiosk_id": kiosk_id, "sent_at": datetime.now(timezone.utc).isoformat()}
    return body | {"signature": b64e(keys.sign(content_digest(body)))}


def staff_ids(accounts: dict[str, dict[str, Any]]) -> set[str]:
    return {body["staff_id"] for body in accounts.values()}


# --- approval and halls ------------------------------------------------------------------

def test_made_up_kiosk_without_token_waits_for_approval_and_gets_no_staff(
        central: CentralServer) -> None:
    keys = KioskKeys.generate()
    kiosk_id = "made-up-kiosk"
    with httpx.Client(base_url=central.url, timeout=10) as http:
        enrolled = http.post("/v1/kiosks/enroll", json=enrol_body(kiosk_id, keys,
                                                                  hall_id=HALL))
        assert enrolled.status_code == 200, enrolled.text
        answer = enrolled.json()
        assert answer["approved"] is False and answer["hall_id"] == HALL
        fingerprint = answer["key_fingerprint"]

        # Pending: no staff accounts (PIN hashes), no sync, no heartbeat.
        refused = http.post(f"/v1/kiosks/{kiosk_id}/staff",
                            json=signed_staff_request(keys, kiosk_id))
        assert refused.status_code == 403 and "not approved" in refused.json()["detail"]
        batch = http.post("/v1/sync/batch", json={"kiosk_id": kiosk_id, "records": []})
        assert batch.status_code == 403 and "not approved" in batch.json()["detail"]
        with closing(CentralClient((central.url,), kiosk_id)) as pending, \
                pytest.raises(CentralRejected) as caught:
            pending.staff_accounts(keys)
        assert caught.value.status == 403

        # A wrong token is refused outright; repeating the tokenless enrolment grants
        # nothing either.
        assert http.post("/v1/kiosks/enroll",
                         json=enrol_body(kiosk_id, keys, "guess")).status_code == 403
        again = http.post("/v1/kiosks/enroll", json=enrol_body(kiosk_id, keys))
        assert again.status_code == 200 and again.json()["approved"] is False

        # The operator's approval needs the admin token and the key's fingerprint.
        url = f"/v1/admin/kiosks/{kiosk_id}/approve"
        assert http.post(url, json={"key_fingerprint": fingerprint,
                                    "hall_id": HALL}).status_code == 401
        wrong = http.post(url, json={"key_fingerprint": "0000-0000", "hall_id": HALL},
                          headers=ADMIN)
        assert wrong.status_code == 409
        view = http.get(f"/v1/admin/kiosks/{kiosk_id}", headers=ADMIN).json()
        assert view["approved"] is False and view["key_fingerprint"] == fingerprint
        approved = http.post(url, json={"key_fingerprint": fingerprint, "hall_id": HALL},
                             headers=ADMIN)
        assert approved.status_code == 200, approved.text
        assert approved.json()["approved"] is True and approved.json()["hall_id"] == HALL

    # Approved for HALL: that hall's accounts and those valid in every hall, no others.
    client = CentralClient((central.url,), kiosk_id)
    try:
        accounts = client.staff_accounts(keys)
    finally:
        client.close()
    assert staff_ids(accounts) == {"S-ALL", "S-H1", "S-BOTH"}
    assert set(accounts) == {card_key(u) for u in (UID_ALL, UID_H1, "04:AA:BB:CC")}


def test_add_staff_hall_limits_where_an_account_is_served(
        central: CentralServer, monkeypatch: pytest.MonkeyPatch) -> None:
    add_staff(central.db_url, "04:DD:EE:FF", "S-CLI", "31415926", (OTHER_HALL,),
              monkeypatch)
    served = {}
    for hall in (HALL, OTHER_HALL):
        keys, client = KioskKeys.generate(), CentralClient((central.url,), f"k-{hall}")
        try:
            client.enroll(keys, ENROLMENT_TOKEN, hall_id=hall)
            served[hall] = staff_ids(client.staff_accounts(keys))
        finally:
            client.close()
    assert "S-CLI" in served[OTHER_HALL] and "S-CLI" not in served[HALL]


def test_token_enrolment_approves_for_its_hall_and_a_stranger_cannot_take_over(
        central: CentralServer) -> None:
    real, stranger = KioskKeys.generate(), KioskKeys.generate()
    with httpx.Client(base_url=central.url, timeout=10) as http:
        # A stranger enrols a kiosk id first (ids are printed on slips): pending only.
        squat = http.post("/v1/kiosks/enroll", json=enrol_body("hall-t2", stranger,
                                                               hall_id=OTHER_HALL))
        assert squat.status_code == 200 and squat.json()["approved"] is False
        # The real kiosk with the token takes its id over, approved for its hall.
        mine = http.post("/v1/kiosks/enroll", json=enrol_body(
            "hall-t2", real, ENROLMENT_TOKEN, hall_id=OTHER_HALL))
        assert mine.status_code == 200 and mine.json()["approved"] is True
        # Now the stranger can do nothing with it, with or without a token.
        for token in (None, ENROLMENT_TOKEN):
            assert http.post("/v1/kiosks/enroll", json=enrol_body(
                "hall-t2", stranger, token, hall_id=HALL)).status_code == 409
        refused = http.post("/v1/kiosks/hall-t2/staff",
                            json=signed_staff_request(stranger, "hall-t2"))
        assert refused.status_code == 403
        # An approval naming the stranger's key fails.
        fake = http.post("/v1/kiosks/enroll", json=enrol_body("hall-t3", stranger))
        assert fake.status_code == 200
        http.post("/v1/kiosks/enroll", json=enrol_body("hall-t3", real))  # replaces it
        assert http.post("/v1/admin/kiosks/hall-t3/approve", headers=ADMIN, json={
            "key_fingerprint": fake.json()["key_fingerprint"]}).status_code == 409

    client = CentralClient((central.url,), "hall-t2")
    try:
        assert staff_ids(client.staff_accounts(real)) == {"S-ALL", "S-H2", "S-BOTH"}
    finally:
        client.close()
    # A kiosk approved for no hall gets only the accounts valid everywhere.
    nowhere = KioskKeys.generate()
    client = CentralClient((central.url,), "hall-none")
    try:
        client.enroll(nowhere, ENROLMENT_TOKEN)
        assert staff_ids(client.staff_accounts(nowhere)) == {"S-ALL"}
    finally:
        client.close()


# --- mutual TLS: the certificate must name the kiosk --------------------------------------

def test_mtls_staff_endpoint_answers_only_the_kiosk_its_certificate_names(
        tmp_path: Path, db_url: str) -> None:
    ca = TestCA(tmp_path / "pki")
    server = ca.server()
    cert_a, cert_b = ca.client("hall-a"), ca.client("hall-b")
    keys_a, keys_b = KioskKeys.generate(), KioskKeys.generate()
    with CentralServer(db_url, ssl_certfile=server.cert, ssl_keyfile=server.key,
                       ssl_ca_certs=ca.ca_file, admin_token=ADMIN_TOKEN,
                       enrolment_token=ENROLMENT_TOKEN) as central:
        def client(kiosk_id: str, cert: Any) -> CentralClient:
            return CentralClient((central.url,), kiosk_id,
                                 verify_tls=tls_context(ca.ca_file, cert.cert, cert.key))

        a, b = client("hall-a", cert_a), client("hall-b", cert_b)
        a.enroll(keys_a, ENROLMENT_TOKEN)  # for no hall: the accounts valid everywhere
        b.enroll(keys_b, ENROLMENT_TOKEN)
        # Kiosk A's signing and data keys, but kiosk B's certificate: refused.
        a_with_bs_cert = client("hall-a", cert_b)
        with pytest.raises(CentralRejected) as caught:
            a_with_bs_cert.staff_accounts(keys_a)
        assert caught.value.status == 403 and "certificate" in caught.value.reason
        assert staff_ids(a.staff_accounts(keys_a)) == {"S-ALL"}
        with pytest.raises(CentralRejected) as caught:
            a_with_bs_cert.check_pin(keys_a, card_key(UID_ALL), "24681357")
        assert caught.value.status == 403
        # A subjectAltName naming the kiosk is as good as the common name.
        by_san = client("hall-a", ca.client("hall-a", cn="terminal-7",
                                            dns_names=("hall-a",)))
        assert staff_ids(by_san.staff_accounts(keys_a)) == {"S-ALL"}
        for c in (a, b, a_with_bs_cert, by_san):
            c.close()


# --- online PIN checks: one count per card for the whole fleet ----------------------------

def test_wrong_pins_are_counted_across_kiosks_and_lock_the_card_on_all(
        central: CentralServer) -> None:
    clients = []
    for kiosk_id in ("hall-k1", "hall-k2"):
        keys = KioskKeys.generate()
        client = CentralClient((central.url,), kiosk_id)
        client.enroll(keys, ENROLMENT_TOKEN, hall_id=HALL)
        clients.append((client, keys))
    (k1, keys1), (k2, keys2) = clients
    card, pin = card_key(UID_H1), CARDS[UID_H1][1]
    try:
        ok = k1.check_pin(keys1, card, pin)
        assert ok.result == "ok" and ok.staff_id == "S-H1" and ok.roles == ["hall"]
        lefts = [k1.check_pin(keys1, card, "11111111").attempts_left for _ in range(2)]
        lefts += [k2.check_pin(keys2, card, "22222222").attempts_left for _ in range(2)]
        assert lefts == [4, 3, 2, 1]
        before = datetime.now(timezone.utc)
        locked = k2.check_pin(keys2, card, "33333333")
        assert locked.result == "locked" and locked.locked_until is not None
        until = datetime.fromisoformat(locked.locked_until)
        assert timedelta(minutes=14) < until - before <= timedelta(minutes=16)
        # Locked on every kiosk, for the right PIN too.
        for client, keys in clients:
            verdict = client.check_pin(keys, card, pin)
            assert verdict.result == "locked" and verdict.locked_until == locked.locked_until
        # Another card is not affected; a card of another hall is unknown here.
        assert k1.check_pin(keys1, card_key(UID_ALL), CARDS[UID_ALL][1]).result == "ok"
        assert k1.check_pin(keys1, card_key("04:77:88:99"), "97531864").result == "unknown"
    finally:
        k1.close()
        k2.close()


def core_for(tmp_path: Path, url: str, kiosk_id: str) -> KioskCore:
    cfg = parse_config({"data_dir": str(tmp_path / kiosk_id), "kiosk_id": kiosk_id,
                        "hall_id": HALL,
                        "central": {"urls": [url], "timeout_s": 5.0,
                                    "offline_grace_s": 0.0}})
    return KioskCore(cfg).start(background_sync=False)


def test_kiosk_online_obeys_the_central_verdict_offline_the_local_hash(
        tmp_path: Path, db_url: str) -> None:
    central = CentralServer(db_url, admin_token=ADMIN_TOKEN,
                            enrolment_token=ENROLMENT_TOKEN).start()
    core = core_for(tmp_path, central.url, "hall-core")
    sent: list[bytes] = []
    core.central._http.event_hooks["request"].append(lambda r: sent.append(r.read()))
    try:
        core.enroll(ENROLMENT_TOKEN)  # for its configured hall
        core.download_staff()
        assert core.staff.knows_card(UID_H1) and core.staff.knows_card(UID_ALL)

        # Another kiosk of the fleet locks the card at the central service.
        other_keys = KioskKeys.generate()
        other = CentralClient((central.url,), "hall-other")
        other.enroll(other_keys, ENROLMENT_TOKEN, hall_id=HALL)
        for _ in range(5):
            other.check_pin(other_keys, card_key(UID_H1), "00000000")
        other.close()

        # This kiosk's local hash would accept the PIN; the central says locked.
        with pytest.raises(StaffAuthError) as caught:
            core.staff.login(UID_H1, CARDS[UID_H1][1])
        assert caught.value.code == "staff.locked" and caught.value.locked_until is not None
        # Online, another card signs in through the central check; a wrong PIN counts
        # there (and the PIN never crossed the wire in clear).
        assert core.staff.login(UID_ALL, CARDS[UID_ALL][1]).staff_id == "S-ALL"
        with pytest.raises(StaffAuthError) as caught:
            core.staff.login(UID_ALL, "55555555")
        assert caught.value.code == "staff.bad_pin" and caught.value.attempts_left == 4
        assert not core.staff.knows_card("04:77:88:99")  # another hall's account
        pin_requests = [body for body in sent if b'"card"' in body]
        assert len(pin_requests) == 3
        assert not any(p.encode() in body for body in sent
                       for p in (CARDS[UID_H1][1], CARDS[UID_ALL][1], "55555555"))
    finally:
        central.stop()

    # Offline: the local hash decides, the central's lock stays in force locally.
    try:
        assert core.staff.login(UID_ALL, CARDS[UID_ALL][1]).staff_id == "S-ALL"
        with pytest.raises(StaffAuthError) as caught:
            core.staff.login(UID_H1, CARDS[UID_H1][1])
        assert caught.value.code == "staff.locked"
    finally:
        core.stop()
