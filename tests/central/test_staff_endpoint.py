"""Staff accounts (PIN hashes) stay out of the public reference feed and reach only
enrolled kiosks: `POST /v1/kiosks/{id}/staff`, signed, answered encrypted under the
asking kiosk's data key. Real server on loopback, real databases."""
from __future__ import annotations

from contextlib import closing
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from central.server import CentralServer
from central_helpers import ADMIN_TOKEN, ENROLMENT_TOKEN
from kiosk.central_client import CentralClient, CentralRejected, CentralUnavailable
from offline_queue.crypto import (
    KioskKeys,
    RecordIntegrityError,
    b64d,
    b64e,
    content_digest,
    decrypt_for_kiosk,
)

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
PIN_HASH = "scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA=="


def staff(key: str, staff_id: str) -> dict[str, Any]:
    return {"kind": "staff", "key": key,
            "body": {"staff_id": staff_id, "roles": ["hall"], "pin": PIN_HASH}}


def add(client: httpx.Client, items: Any) -> list[int]:
    response = client.post("/v1/admin/reference", json=items, headers=ADMIN)
    assert response.status_code == 200, response.text
    return response.json()["updated_seq"]


def page(client: httpx.Client, cursor: int, **params: Any) -> dict[str, Any]:
    response = client.get("/v1/reference", params={"cursor": cursor, **params})
    assert response.status_code == 200, response.text
    return response.json()


def enrolled(central: CentralServer, kiosk_id: str) -> tuple[KioskKeys, CentralClient]:
    keys = KioskKeys.generate()
    kiosk = CentralClient((central.url,), kiosk_id)
    kiosk.enroll(keys, ENROLMENT_TOKEN)
    return keys, kiosk


def request(keys: KioskKeys, kiosk_id: str, sent_at: datetime | str | None = None,
            **extra: Any) -> dict[str, Any]:
    """A signed staff request (sent now unless told)."""
    when = sent_at if sent_at is not None else datetime.now(timezone.utc)
    body = {"kiosk_id": kiosk_id,
            "sent_at": when if isinstance(when, str) else when.isoformat(), **extra}
    return body | {"signature": b64e(keys.sign(content_digest(body)))}


def test_the_reference_feed_never_carries_staff_items(client: httpx.Client) -> None:
    # The service seeds items of its own at start (its certificate key; demo courses):
    # everything below is relative to the feed's position before this test's items.
    base = page(client, 0)["next_cursor"]
    while page(client, base)["more"]:
        base = page(client, base)["next_cursor"]
    assert add(client, [{"kind": "announcement", "key": "a1", "body": {"zh": "通知"}},
                        staff("card-1", "S001"),
                        {"kind": "policy", "key": "p1", "body": {"rate": "1%"}}]) == [
        base + 1, base + 2, base + 3]
    assert add(client, [{"kind": "staff", "key": "card-1", "deleted": True},
                        {"kind": "announcement", "key": "a2", "body": {"zh": "通知二"}},
                        staff("card-2", "S002")]) == [base + 4, base + 5, base + 6]
    full = page(client, base)
    assert [(i["kind"], i["key"], i["updated_seq"]) for i in full["items"]] == [
        ("announcement", "a1", base + 1), ("policy", "p1", base + 3),
        ("announcement", "a2", base + 5)]
    assert full["next_cursor"] == base + 5 and full["more"] is False
    assert "staff" not in str(full) and PIN_HASH not in str(full)
    # Page by page, the cursor steps over the staff seqs like every kiosk's does.
    cursor, seen = base, []
    while True:
        one = page(client, cursor, limit=1)
        seen += [i["key"] for i in one["items"]]
        assert one["next_cursor"] >= cursor
        cursor = one["next_cursor"]
        if not one["more"]:
            break
    assert (seen, cursor) == (["a1", "p1", "a2"], base + 5)
    assert page(client, base + 5) == {"items": [], "next_cursor": base + 5, "more": False}


def test_an_enrolled_kiosk_gets_the_snapshot_sealed_to_its_own_key(
        central: CentralServer, client: httpx.Client) -> None:
    keys_a, kiosk_a = enrolled(central, "K-a")
    keys_b, kiosk_b = enrolled(central, "K-b")
    try:
        assert kiosk_a.staff_accounts(keys_a) == {}
        add(client, [staff("card-1", "S001"), staff("card-2", "S002"),
                     staff("card-3", "S003"),
                     {"kind": "announcement", "key": "a1", "body": {"zh": "通知"}}])
        add(client, {"kind": "staff", "key": "card-3", "deleted": True})
        expected = {f"card-{i}": staff(f"card-{i}", f"S00{i}")["body"] for i in (1, 2)}
        assert kiosk_a.staff_accounts(keys_a) == expected
        assert kiosk_b.staff_accounts(keys_b) == expected

        body = request(keys_a, "K-a")
        response = client.post("/v1/kiosks/K-a/staff", json=body)
        assert response.status_code == 200, response.text
        assert PIN_HASH not in response.text and "S001" not in response.text
        sealed = response.json()
        nonce, ciphertext = b64d(sealed["nonce"]), b64d(sealed["ciphertext"])
        plain = decrypt_for_kiosk(keys_a.data_key, nonce, ciphertext, "K-a", body["sent_at"])
        assert plain["sent_at"] == body["sent_at"]
        assert {a["key"]: a["body"] for a in plain["accounts"]} == expected
        # Another kiosk's key, another kiosk id or another request: it does not open.
        for data_key, kiosk_id, sent_at in (
                (keys_b.data_key, "K-a", body["sent_at"]),
                (keys_a.data_key, "K-b", body["sent_at"]),
                (keys_a.data_key, "K-a", datetime.now(timezone.utc).isoformat())):
            with pytest.raises(RecordIntegrityError):
                decrypt_for_kiosk(data_key, nonce, ciphertext, kiosk_id, sent_at)

        # A kiosk whose local data key is not the enrolled one cannot read its answer.
        wrong = KioskKeys(keys_a.signing_key, KioskKeys.generate().data_key)
        with pytest.raises(CentralUnavailable, match="unreadable staff accounts answer"):
            kiosk_a.staff_accounts(wrong)
    finally:
        kiosk_a.close()
        kiosk_b.close()


def test_bad_staff_requests_are_refused_with_a_reason(central: CentralServer,
                                                     client: httpx.Client) -> None:
    keys, kiosk = enrolled(central, "K-s")
    add(client, staff("card-1", "S001"))
    url = "/v1/kiosks/K-s/staff"
    now = datetime.now(timezone.utc)

    def refused(status: int, json: Any = None, content: bytes | None = None,
                path: str = url, reason: str = "") -> None:
        response = (client.post(path, content=content,
                                headers={"Content-Type": "application/json"})
                    if content is not None else client.post(path, json=json))
        assert response.status_code == status, response.text
        detail = response.json()["detail"]
        assert detail and reason in detail
        assert PIN_HASH not in response.text

    refused(403, request(keys, "K-nobody"), path="/v1/kiosks/K-nobody/staff",
            reason="not enrolled")
    refused(403, request(KioskKeys.generate(), "K-s"), reason="bad signature")
    edited = request(keys, "K-s") | {"sent_at": (now + timedelta(seconds=1)).isoformat()}
    refused(403, edited, reason="bad signature")
    for skew in (timedelta(seconds=-301), timedelta(seconds=400), timedelta(days=-3650)):
        refused(409, request(keys, "K-s", now + skew), reason="clock")
    for far in ("0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-23:00"):
        refused(409, request(keys, "K-s", far), reason="clock")
    good = request(keys, "K-s")
    refused(422, good, path="/v1/kiosks/K-other/staff", reason="differ")
    refused(422, request(keys, "K-s", "2026-06-15T10:00:00"), reason="UTC offset")
    refused(422, request(keys, "K-s", "yesterday at noon, Beijing"), reason="ISO 8601")
    refused(422, good | {"signature": "!!!"}, reason="not base64")
    refused(422, good | {"surprise": 1})
    refused(422, {"kiosk_id": "K-s", "signature": good["signature"]}, reason="sent_at")
    refused(422, [good])
    refused(422, content=b"{not json")
    refused(422, content=b"")
    assert client.post(url, json=good).status_code == 200  # the good one still works
    with closing(CentralClient((central.url,), "K-unknown")) as unknown, \
            pytest.raises(CentralRejected) as info:
        unknown.staff_accounts(keys)
    assert info.value.status == 403
    kiosk.close()
