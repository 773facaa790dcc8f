"""Helpers shared by the central tests (a module, so tests can import it)."""
from __future__ import annotations

import uuid as uuid_mod
from datetime import UTC, date, datetime, timedelta
from typing import Any

from central.demo_data import demo_invoices
from offline_queue.crypto import (
    GENESIS_HASH,
    KioskKeys,
    b64e,
    encrypt_payload,
    record_hash,
)
from offline_queue.wire import SyncBatch, WireRecord

TODAY = date(2026, 6, 15)  # the service's injected clock in every test
ADMIN_TOKEN = "admin-secret-for-tests"
ENROLMENT_TOKEN = "enrol-secret-for-tests"


def demo(label_start: str) -> dict[str, Any]:
    """The demo invoice whose label starts with `label_start` (as of TODAY)."""
    matches = [row for row in demo_invoices(TODAY) if row["label"].startswith(label_start)]
    assert len(matches) == 1, (label_start, matches)
    return matches[0]


def verify_body(row: dict[str, Any], **changes: object) -> dict[str, Any]:
    """The JSON a kiosk sends to verify a registry row (fields chosen by type)."""
    fully_digital = row["type_code"] in ("31", "32", "51")
    general = row["type_code"] in ("04", "10", "11", "14")
    body = {
        "type_code": row["type_code"],
        "code": row["code"],
        "number": row["number"],
        "issued_on": row["issued_on"].isoformat(),
        "amount": None if general else str(row["total"] if fully_digital else row["amount"]),
        "check_code_last6": row["check_code"][-6:] if general else None,
    }
    body.update(changes)
    return body


_VERIFYING_KIOSKS: dict[str, tuple[str, Any]] = {}  # server URL -> (kiosk_id, keys)


def signed_verify_body(kiosk_id: str, keys: Any, query: dict[str, Any],
                       sent_at: str | None = None) -> dict[str, Any]:
    """A kiosk's signed POST /v1/kiosks/{kiosk_id}/verify body, as the kiosk client
    builds it (every model field, then the signature over their digest)."""
    from datetime import datetime

    from offline_queue.crypto import b64e, content_digest
    from offline_queue.wire import KioskVerifyRequest

    body = KioskVerifyRequest(kiosk_id=kiosk_id, sent_at=sent_at or datetime.now(
        UTC).isoformat(), **query).model_dump(mode="json")
    body["signature"] = b64e(keys.sign(content_digest(body)))
    return body


def kiosk_verify(http: Any, query: dict[str, Any]) -> Any:
    """POST `query` as an enrolled kiosk's signed verification (the kiosk's path: full
    results, counted). The kiosk is enrolled, with ENROLMENT_TOKEN, on first use per
    server URL (again after a 403: a new server may have the old one's port).
    Returns the httpx response."""
    import uuid

    from offline_queue.crypto import KioskKeys, b64e

    def post(kiosk_id: str, keys: Any) -> Any:
        return http.post(f"/v1/kiosks/{kiosk_id}/verify",
                         json=signed_verify_body(kiosk_id, keys, query))

    base = str(http.base_url)
    if base in _VERIFYING_KIOSKS:
        response = post(*_VERIFYING_KIOSKS[base])
        if response.status_code != 403:
            return response
    keys = KioskKeys.generate()
    kiosk_id = f"K-verify-{uuid.uuid4().hex[:8]}"
    enrolled = http.post("/v1/kiosks/enroll", json={
        "kiosk_id": kiosk_id, "public_key": b64e(keys.public_key),
        "data_key": b64e(keys.data_key), "token": ENROLMENT_TOKEN})
    assert enrolled.status_code == 200, enrolled.text
    _VERIFYING_KIOSKS[base] = (kiosk_id, keys)
    return post(kiosk_id, keys)


class SealingKiosk:
    """Builds records the way a kiosk's outbox does (no network, no database)."""

    def __init__(self, kiosk_id: str) -> None:
        self.kiosk_id = kiosk_id
        self.keys = KioskKeys.generate()
        self.seq = 0
        self.prev_hash = GENESIS_HASH

    def enrol_body(self, token: str | None = ENROLMENT_TOKEN) -> dict[str, Any]:
        return {"kiosk_id": self.kiosk_id, "public_key": b64e(self.keys.public_key),
                "data_key": b64e(self.keys.data_key), "token": token}

    def record(self, kind: str, payload: dict[str, Any], *, data_key: bytes | None = None,
               record_uuid: str | None = None) -> WireRecord:
        seq = self.seq + 1
        rid = record_uuid or str(uuid_mod.uuid4())
        created_at = datetime.now(UTC) - timedelta(minutes=5)
        nonce, ciphertext = encrypt_payload(data_key or self.keys.data_key, payload,
                                            self.kiosk_id, seq, rid)
        digest = record_hash(self.kiosk_id, seq, rid, kind, created_at, self.prev_hash,
                             nonce, ciphertext)
        record = WireRecord(kiosk_id=self.kiosk_id, seq=seq, uuid=rid, kind=kind,
                            created_at=created_at, nonce=b64e(nonce),
                            ciphertext=b64e(ciphertext), prev_hash=self.prev_hash,
                            hash=digest, signature=b64e(self.keys.sign(digest)))
        self.seq, self.prev_hash = seq, digest
        return record

    def verify_record(self, label: str = "genuine special (01)",
                      **changes: Any) -> WireRecord:
        payload = verify_body(demo(label), **changes) | {"reference": "REF-1"}
        return self.record("invoice.verify", payload)

    def batch(self, *records: WireRecord, kiosk_id: str | None = None) -> dict[str, Any]:
        return SyncBatch(kiosk_id=kiosk_id or self.kiosk_id,
                         records=list(records)).model_dump(mode="json")


# --- taxpayer identity (issue #10): a real kiosk client on sealed calls ---------------

class MovableClock:
    """The central's `now` for taxpayer logins, moved by the test (QR expiry, session
    expiry, the password lock); starts at the real time so sent_at windows agree."""

    def __init__(self) -> None:
        self.t = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.t

    def advance(self, **delta: float) -> None:
        self.t += timedelta(**delta)


def enrolled_kiosk(url: str, kiosk_id: str | None = None, *,
                   token: str | None = ENROLMENT_TOKEN) -> tuple[Any, KioskKeys]:
    """(kiosk.central_client.CentralClient, keys) of a kiosk enrolled on the server at
    `url` (approved when `token` is the enrolment token, pending without one)."""
    from kiosk.central_client import CentralClient

    keys = KioskKeys.generate()
    client = CentralClient((url,), kiosk_id or f"K-tp-{uuid_mod.uuid4().hex[:8]}",
                           timeout_s=10.0)
    answer = client.enroll(keys, token=token)
    assert answer["approved"] is (token is not None), answer
    return client, keys


def sealed_body(kiosk_id: str, keys: KioskKeys, purpose: str, payload: dict[str, Any],
                *, sent_at: str | None = None, data_key: bytes | None = None
                ) -> dict[str, Any]:
    """A SealedCall body as CentralClient.sealed_call builds it (for tests that send
    it by hand: replays, forgeries, tampering)."""
    from offline_queue.crypto import content_digest, seal_call
    from offline_queue.wire import SealedCall

    sent_at = sent_at or datetime.now(UTC).isoformat()
    nonce, ciphertext = seal_call(data_key or keys.data_key, payload, purpose, kiosk_id,
                                  sent_at)
    body = SealedCall(kiosk_id=kiosk_id, sent_at=sent_at, nonce=b64e(nonce),
                      ciphertext=b64e(ciphertext)).model_dump(mode="json")
    body["signature"] = b64e(keys.sign(content_digest(body)))
    return body


def open_answer(kiosk_id: str, keys: KioskKeys, body: dict[str, Any],
                answer: dict[str, Any]) -> dict[str, Any]:
    """The plaintext of a SealedAnswer to the sealed call `body`."""
    from offline_queue.crypto import b64d, decrypt_for_kiosk

    return decrypt_for_kiosk(keys.data_key, b64d(answer["nonce"]),
                             b64d(answer["ciphertext"]), kiosk_id, body["sent_at"])


DEMO_CARD = {"id_number": "11010519491231002X", "name": "买买提·艾力", "valid_until": "长期"}
