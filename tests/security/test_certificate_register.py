"""Signed tax certificates end to end (issue #10 §4): a real central service on loopback
over a real SQLite file, a kiosk enrolled with real keys, the sealed issue call, the
QR verified offline with the key from the public reference feed, the public checks
(masked summary only, rate-limited), revocation behind the admin token, and the
kiosk's certificate.verify service against all of it."""
from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from central.demo_data import DEMO_ENTERPRISE_TIN, DEMO_PERSON_ID, DEMO_PERSON_NAME
from central.server import CentralServer
from kiosk.central_client import CentralClient, CentralRejected
from kiosk.connectivity import Connectivity
from kiosk.domain.masking import mask
from kiosk.services.certificate_verify import CertificateVerifyService
from offline_queue.certificates import REFERENCE_KIND, parse_qr, verify_qr
from offline_queue.crypto import KioskKeys, b64e
from offline_queue.reference import ReferenceInbox

pytestmark = pytest.mark.security

TODAY = date(2026, 6, 15)
ADMIN = "admin-token-for-certificate-tests"
ENROL = "enrol-token-for-certificate-tests"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralServer]:
    work = tmp_path_factory.mktemp("cert")
    with CentralServer(f"sqlite:///{work / 'central.db'}", today=lambda: TODAY,
                       demo_data=True, admin_token=ADMIN, enrolment_token=ENROL) as srv:
        yield srv


class Kiosk:
    def __init__(self, server: CentralServer, kiosk_id: str) -> None:
        self.keys = KioskKeys.generate()
        self.client = CentralClient((server.url,), kiosk_id, timeout_s=10.0)
        enrolled = httpx.post(server.url + "/v1/kiosks/enroll", json={
            "kiosk_id": kiosk_id, "public_key": b64e(self.keys.public_key),
            "data_key": b64e(self.keys.data_key), "token": ENROL}, timeout=10)
        assert enrolled.status_code == 200, enrolled.text

    def call(self, purpose: str, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self.client.sealed_call(self.keys, purpose, path, payload)

    def login(self, id_number: str = DEMO_PERSON_ID, name: str = DEMO_PERSON_NAME) -> str:
        answer = self.call("identity.id_card", "identity/id-card",
                           {"id_number": id_number, "name": name, "valid_until": "长期"})
        return str(answer["identity"]["session"])

    def issue(self, session: str, **payload: Any) -> dict[str, Any]:
        answer = self.call("certificate.issue", "certificate/issue",
                           {"session": session, **payload})
        return dict(answer["certificate"])


@pytest.fixture(scope="module")
def kiosk(server: CentralServer) -> Iterator[Kiosk]:
    k = Kiosk(server, "K-cert-1")
    yield k
    k.client.close()


def issuer_keys(server: CentralServer) -> dict[str, dict[str, Any]]:
    page = httpx.get(server.url + "/v1/reference", params={"cursor": 0}, timeout=10).json()
    return {item["key"]: item["body"] for item in page["items"]
            if item["kind"] == REFERENCE_KIND and not item["deleted"]}


def test_issue_a_table_certificate_and_verify_it_offline(server: CentralServer,
                                                         kiosk: Kiosk) -> None:
    cert = kiosk.issue(kiosk.login(), kind="table", period_from="202505",
                       period_to="202604")  # the demo's payments: 2 to 15 months back
    assert cert["kind"] == "table" and len(cert["rows"]) == 12
    assert len(cert["check_code"]) == 16 and len(cert["number"]) == 18
    summary = verify_qr(cert["qr_text"], issuer_keys(server))  # the public key only
    assert summary.number == cert["number"] and summary.total == cert["total"]
    # Masked per domain.md §9 (paper): the QR is read by whoever holds the paper.
    assert summary.taxpayer == mask("name", DEMO_PERSON_NAME, "paper") == "买****力"
    assert summary.taxpayer_id == mask("id_number", DEMO_PERSON_ID, "paper")
    assert DEMO_PERSON_ID not in cert["qr_text"] and summary.period == "202505-202604"


def test_public_checks_answer_the_masked_summary_only(server: CentralServer,
                                                      kiosk: Kiosk) -> None:
    cert = kiosk.issue(kiosk.login(), kind="record", period_from="202601",
                       period_to="202603")
    by_number = httpx.get(f"{server.url}/v1/certificates/{cert['number']}", timeout=10)
    assert by_number.status_code == 200
    assert by_number.json() == {"status": "valid", "summary": cert["summary"]}
    spaced = "-".join(cert["check_code"][i:i + 4] for i in range(0, 16, 4)).lower()
    by_code = httpx.post(server.url + "/v1/certificates/check-code", json={"code": spaced},
                         timeout=10)
    assert by_code.status_code == 200 and by_code.json()["summary"] == cert["summary"]
    text = by_number.text + by_code.text
    assert DEMO_PERSON_ID not in text and DEMO_PERSON_NAME not in text
    assert "voucher" not in text  # no payment rows in a public answer
    unknown = httpx.post(server.url + "/v1/certificates/check-code",
                         json={"code": "2222333344445555"}, timeout=10)
    assert unknown.status_code == 404 and unknown.json()["detail"].startswith(
        "certificate.unknown")


def test_revocation_needs_the_admin_token_and_shows_everywhere(server: CentralServer,
                                                               kiosk: Kiosk) -> None:
    session = kiosk.login()
    payments = kiosk.call("taxpayer.payments", "taxpayer/payments", {"session": session})
    voucher = payments["items"][0]["voucher_no"]
    cert = kiosk.issue(session, kind="document", voucher_no=voucher)
    assert [r["voucher_no"] for r in cert["rows"]] == [voucher]
    url = f"{server.url}/v1/admin/certificates/{cert['number']}/revoke"
    assert httpx.post(url, json={"reason": "test"}, timeout=10).status_code == 401
    assert httpx.post(url, json={}, headers={"Authorization": "Bearer wrong"},
                      timeout=10).status_code == 403
    assert httpx.get(f"{server.url}/v1/certificates/{cert['number']}",
                     timeout=10).json()["status"] == "valid"
    done = httpx.post(url, json={"reason": "issued in error"},
                      headers={"Authorization": f"Bearer {ADMIN}"}, timeout=10)
    assert done.status_code == 200 and done.json()["status"] == "revoked"
    after = httpx.get(f"{server.url}/v1/certificates/{cert['number']}", timeout=10).json()
    assert after["status"] == "revoked" and after["revoked_on"]
    missing = httpx.post(f"{server.url}/v1/admin/certificates/999/revoke", json={},
                         headers={"Authorization": f"Bearer {ADMIN}"}, timeout=10)
    assert missing.status_code == 404


def test_issue_refuses_bad_requests_with_codes(server: CentralServer, kiosk: Kiosk) -> None:
    session = kiosk.login()
    for payload, status, code in (
            ({"kind": "table", "period_from": "202605", "period_to": "202501"}, 422,
             "period.invalid"),
            ({"kind": "table", "period_from": "2025-1", "period_to": "202601"}, 422,
             "period.invalid"),
            ({"kind": "table", "period_from": "202601", "period_to": "202612"}, 422,
             "period.invalid"),  # ends after this month
            ({"kind": "record", "period_from": "201001", "period_to": "201012"}, 404,
             "certificate.no_payments"),
            ({"kind": "document", "voucher_no": "NOPE"}, 404, "certificate.no_payments")):
        with pytest.raises(CentralRejected) as info:
            kiosk.issue(session, **payload)
        assert info.value.status == status and code in info.value.reason, payload
    # Another kiosk cannot use this kiosk's session.
    other = Kiosk(server, "K-cert-2")
    try:
        with pytest.raises(CentralRejected) as info:
            other.issue(session, kind="table", period_from="202601", period_to="202603")
    finally:
        other.client.close()
    assert info.value.status == 401 and "session.expired" in info.value.reason


def test_a_record_is_for_natural_persons_only(server: CentralServer, kiosk: Kiosk) -> None:
    session = kiosk.login()
    acting = kiosk.call("identity.enterprise", "identity/enterprise",
                        {"session": session, "tin": DEMO_ENTERPRISE_TIN})
    company = acting["identity"]["session"]
    with pytest.raises(CentralRejected) as info:
        kiosk.issue(company, kind="record", period_from="202601", period_to="202603")
    assert "certificate.person_only" in info.value.reason
    cert = kiosk.issue(company, kind="table", period_from="202601", period_to="202603")
    # An enterprise's name and USCC are public register data: in full.
    assert cert["summary"]["taxpayer_id"] == DEMO_ENTERPRISE_TIN


def test_public_checks_are_rate_limited(server: CentralServer) -> None:
    statuses = [httpx.get(f"{server.url}/v1/certificates/1234567890", timeout=10).status_code
                for _ in range(14)]
    assert statuses[0] == 404 and statuses[-1] == 429


def test_kiosk_verify_service_offline_online_and_revoked(server: CentralServer,
                                                         kiosk: Kiosk, tmp_path: Path) -> None:
    inbox = ReferenceInbox(tmp_path / "reference.sqlite3")
    inbox.apply(kiosk.client.reference(0))
    online = Connectivity(grace_s=0.0)
    online.mark_ok()
    service = CertificateVerifyService(central=kiosk.client, reference=inbox,
                                       connectivity=online)
    server.app.state.central.certificates.public_checks.take = lambda _key: 0.0
    cert = kiosk.issue(kiosk.login(), kind="table", period_from="202601", period_to="202604")
    genuine = service.check_qr(cert["qr_text"])
    assert genuine.genuine and genuine.checked_online
    assert genuine.summary == cert["summary"]
    assert service.check_code(cert["check_code"]).genuine
    # Altered amount: the body changes, the signature no longer matches.
    summary, body, signature = parse_qr(cert["qr_text"])
    altered = json.loads(body)
    altered["a"] = "1.00"
    from offline_queue.certificates import b64url, canonical_body
    forged = f"CERT1:{b64url(canonical_body(altered))}.{b64url(signature)}"
    verdict = service.check_qr(forged)
    assert not verdict.genuine and verdict.reason == "certificate.bad_signature"
    assert verdict.summary is None  # nothing of the forged paper is echoed
    # Revoked: the signature alone would say genuine; the register says no.
    httpx.post(f"{server.url}/v1/admin/certificates/{cert['number']}/revoke", json={},
               headers={"Authorization": f"Bearer {ADMIN}"}, timeout=10)
    revoked = service.check_qr(cert["qr_text"])
    assert not revoked.genuine and revoked.reason == "certificate.revoked"
    # Offline: the signature alone; a 验证码 needs the network.
    offline = CertificateVerifyService(
        central=CentralClient(("http://127.0.0.1:9",), "K-cert-1", timeout_s=1.0),
        reference=inbox, connectivity=online)
    assert offline.check_qr(cert["qr_text"]).genuine
    assert not offline.check_qr(cert["qr_text"]).checked_online
    assert offline.check_code(cert["check_code"]).reason == "certificate.needs_network"
    offline.central.close()
    inbox.close()


def test_generated_issuer_key_is_owner_only_and_survives_a_restart(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    with CentralServer(db, today=lambda: TODAY) as first:
        key_one = first.app.state.central.certificates.key_id
    key_file = tmp_path / "c.db.certificate-key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    with CentralServer(db, today=lambda: TODAY) as second:
        assert second.app.state.central.certificates.key_id == key_one
        assert list(issuer_keys(second)) == [key_one]


def test_a_new_issuer_key_retires_the_old_one(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from central.certificates import key_text

    db = f"sqlite:///{tmp_path / 'c.db'}"
    with CentralServer(db, today=lambda: TODAY) as first:
        old = first.app.state.central.certificates.key_id
    new_file = tmp_path / "new.key"
    new_file.write_text(key_text(Ed25519PrivateKey.generate()) + "\n")
    with CentralServer(db, today=lambda: TODAY, certificate_key_file=new_file) as second:
        new = second.app.state.central.certificates.key_id
        keys = issuer_keys(second)
    assert new != old and set(keys) == {old, new}
    assert keys[old]["valid_until"] == TODAY.isoformat() and "valid_until" not in keys[new]
