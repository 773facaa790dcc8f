"""Enrolment and the outbox sync protocol against a real server.

Records are sealed exactly as a kiosk seals them (offline_queue.crypto): AES-GCM bound
to kiosk/seq/uuid, a hash chain, Ed25519 signatures.
"""
from __future__ import annotations

import base64
import os
import random
import socket
import threading
import uuid as uuid_mod
from collections import Counter
from typing import Any

import httpx
import pytest
from central_helpers import (
    ADMIN_TOKEN,
    TODAY,
    SealingKiosk,
    demo,
    kiosk_verify,
    verify_body,
)

from central.server import CentralServer
from offline_queue.crypto import b64e
from offline_queue.wire import WireRecord

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def tampered(record: WireRecord, **fields: str) -> WireRecord:
    return record.model_copy(update=fields)


@pytest.fixture
def kiosk(client: httpx.Client) -> SealingKiosk:
    sim = SealingKiosk("K-0001")
    assert client.post("/v1/kiosks/enroll", json=sim.enrol_body()).status_code == 200
    return sim


def post(client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/sync/batch", json=body)
    assert response.status_code == 200, response.text
    return response.json()


# --- enrolment -------------------------------------------------------------------

def test_enrolment_token_and_idempotence(client: httpx.Client) -> None:
    sim = SealingKiosk("K-enrol")
    # Without the token: stored, but pending an operator's approval (nothing granted).
    pending = client.post("/v1/kiosks/enroll", json=sim.enrol_body(None))
    assert pending.status_code == 200 and pending.json()["approved"] is False
    assert client.post("/v1/kiosks/enroll",
                       json=sim.enrol_body("wrong-ü")).status_code == 403
    first = client.post("/v1/kiosks/enroll", json=sim.enrol_body())
    assert first.status_code == 200 and first.json()["approved"] is True
    assert first.json()["kiosk_id"] == "K-enrol" and first.json()["acked_through"] == 0
    again = client.post("/v1/kiosks/enroll", json=sim.enrol_body())
    assert again.status_code == 200 and again.json() == first.json()
    impostor = SealingKiosk("K-enrol")
    response = client.post("/v1/kiosks/enroll", json=impostor.enrol_body())
    assert response.status_code == 409


def test_enrolment_rejects_bad_keys(client: httpx.Client) -> None:
    body = SealingKiosk("K-bad").enrol_body()
    body["public_key"] = base64.b64encode(os.urandom(31)).decode() + "A="
    response = client.post("/v1/kiosks/enroll", json=body)
    assert response.status_code == 422 and "public_key" in response.json()["detail"]
    body = SealingKiosk("K-bad").enrol_body() | {"kiosk_id": "has space"}
    assert client.post("/v1/kiosks/enroll", json=body).status_code == 422


def test_open_enrolment_without_token(db_url: str) -> None:
    with CentralServer(db_url) as server, httpx.Client(base_url=server.url) as http:
        response = http.post("/v1/kiosks/enroll", json=SealingKiosk("K-open").enrol_body(None))
        assert response.status_code == 200


# --- accepted, duplicate, cumulative ack ------------------------------------------

def test_accept_then_resend_is_duplicate_with_the_same_result(
        client: httpx.Client, kiosk: SealingKiosk) -> None:
    records = [kiosk.verify_record(), kiosk.record("dispense.record", {"n": 1}),
               kiosk.verify_record("void (04)")]
    ack = post(client, kiosk.batch(*records))
    assert ack["kiosk_id"] == kiosk.kiosk_id and ack["acked_through"] == 3
    assert [r["status"] for r in ack["results"]] == ["accepted"] * 3
    first = ack["results"][0]["result"]
    assert first["outcome"] == "genuine" and first["checks_today"] == 1
    assert first["reference"] == "REF-1"
    assert ack["results"][1]["result"] is None
    assert ack["results"][2]["result"]["outcome"] == "void"

    again = post(client, kiosk.batch(*records))
    assert again["acked_through"] == 3
    assert [r["status"] for r in again["results"]] == ["duplicate"] * 3
    assert [r["result"] for r in again["results"]] == [r["result"] for r in ack["results"]]
    assert [r["uuid"] for r in again["results"]] == [r.uuid for r in records]

    # The resend was not counted as another check of the invoice.
    online = kiosk_verify(client, verify_body(demo("genuine special (01)")))
    assert online.json()["checks_today"] == 2

    # Anyone holding the UUID sees what the kiosk shows, never the buyer.
    lookup = client.get(f"/v1/verifications/{records[0].uuid}")
    assert lookup.status_code == 200
    assert lookup.json()["status"] == "accepted"
    assert lookup.json()["result"] == {
        "outcome": "genuine", "mismatch_field": None, "checks_today": 1,
        "invoice": {k: first["invoice"][k] for k in ("amount", "total", "seller_name")}}
    assert client.get(f"/v1/verifications/{records[0].uuid.upper()}").status_code == 200
    assert client.get(f"/v1/verifications/{records[1].uuid}").status_code == 404  # not a check
    assert client.get(f"/v1/verifications/{uuid_mod.uuid4()}").status_code == 404


def test_ack_is_cumulative_across_batches(client: httpx.Client, kiosk: SealingKiosk) -> None:
    one = [kiosk.record("k", {"i": i}) for i in range(3)]
    two = [kiosk.record("k", {"i": i}) for i in range(3, 5)]
    assert post(client, kiosk.batch(*one))["acked_through"] == 3
    ack = post(client, kiosk.batch(*reversed(two)))  # any order within a batch
    assert ack["acked_through"] == 5
    assert [r["seq"] for r in ack["results"]] == [4, 5]
    # Overlapping resend: old ones are duplicates, the new one is accepted.
    three = kiosk.record("k", {"i": 5})
    ack = post(client, kiosk.batch(two[1], three))
    assert [r["status"] for r in ack["results"]] == ["duplicate", "accepted"]
    assert ack["acked_through"] == 6
    # An empty batch just reports the ack; re-enrolment reports it too.
    assert post(client, kiosk.batch())["acked_through"] == 6
    assert client.post("/v1/kiosks/enroll",
                       json=kiosk.enrol_body()).json()["acked_through"] == 6


# --- unauthenticated records leave no trace; rejected ones never block the queue --

def test_tampered_ciphertext_hash_and_signature_are_refused_unstored(
        client: httpx.Client, kiosk: SealingKiosk) -> None:
    """Anyone can send a record with a kiosk's id: one that fails its hash or signature
    claims no seq and no UUID and does not move the ack, and a record after it in the
    same batch is left unanswered (it would be a gap)."""
    good1 = kiosk.record("k", {"i": 1})
    genuine2 = kiosk.record("k", {"i": 2})
    raw = bytearray(base64.b64decode(genuine2.ciphertext))
    raw[0] ^= 1
    bad_ct = tampered(genuine2, ciphertext=b64e(bytes(raw)))
    bad_sig = tampered(genuine2, signature=b64e(os.urandom(64)))
    forged_hash = tampered(genuine2, hash="f" * 64)
    genuine3 = kiosk.record("k", {"i": 3})
    for bad, reason in ((bad_ct, "signature: the record does not match its hash"),
                        (bad_sig, "signature: not signed by this kiosk's key"),
                        (forged_hash, "signature: the record does not match its hash")):
        ack = post(client, kiosk.batch(good1, bad, genuine3))
        assert [(r["seq"], r["status"], r["reason"]) for r in ack["results"]] == [
            (1, "accepted" if bad is bad_ct else "duplicate", None), (2, "rejected", reason)]
        assert ack["acked_through"] == 1
        rows = client.get(f"/v1/audit/kiosks/{kiosk.kiosk_id}/records", headers=ADMIN).json()
        assert [r["seq"] for r in rows] == [1]
    # The genuine records still land, in their own slots and under their own UUIDs.
    ack = post(client, kiosk.batch(genuine2, genuine3))
    assert [r["status"] for r in ack["results"]] == ["accepted", "accepted"]
    assert ack["acked_through"] == 3
    # Once stored, a copy with the stored hash but another signature learns nothing.
    ack = post(client, kiosk.batch(bad_sig))
    assert ack["results"][0]["status"] == "rejected" and ack["results"][0]["result"] is None
    assert ack["results"][0]["reason"].startswith("signature")


def test_forged_record_cannot_burn_or_probe_a_uuid(client: httpx.Client,
                                                  kiosk: SealingKiosk) -> None:
    first = kiosk.record("k", {"i": 1})
    post(client, kiosk.batch(first))
    stranger = SealingKiosk(kiosk.kiosk_id)
    stranger.seq, stranger.prev_hash = 1, first.hash
    for rid in (first.uuid, str(uuid_mod.uuid4())):
        forged = stranger.record("k", {"i": "forged"}, record_uuid=rid)
        stranger.seq, stranger.prev_hash = 1, first.hash
        ack = post(client, kiosk.batch(forged))
        assert ack["results"][0]["reason"] == "signature: not signed by this kiosk's key"
        assert ack["acked_through"] == 1
    mine = kiosk.record("k", {"i": 2})
    assert post(client, kiosk.batch(mine))["results"][0]["status"] == "accepted"


def test_authenticated_records_that_fail_are_stored_and_do_not_block(
        client: httpx.Client, kiosk: SealingKiosk) -> None:
    """Signed by the kiosk but refused (here: a broken chain link): stored as rejected,
    counted in the ack, and resending it gets the same rejection (it must be parked)."""
    good1 = kiosk.record("k", {"i": 1})
    kiosk.prev_hash = "e" * 64
    unlinked = kiosk.record("k", {"i": 2})
    after = kiosk.record("k", {"i": 3})
    ack = post(client, kiosk.batch(good1, unlinked, after))
    statuses = [(r["status"], (r["reason"] or "").split(":")[0]) for r in ack["results"]]
    assert statuses == [("accepted", ""), ("rejected", "chain"), ("accepted", "")]
    assert ack["acked_through"] == 3  # rejected records count toward the ack
    again = post(client, kiosk.batch(unlinked))
    assert again["results"][0]["status"] == "rejected"
    assert again["results"][0]["reason"] == ack_reason(client, kiosk.kiosk_id, 2)


def test_void_tombstone_takes_a_seq_and_the_chain_goes_on(
        client: httpx.Client, kiosk: SealingKiosk) -> None:
    """A kiosk whose copy of seq 2 is damaged voids it: the void links to seq 1, and
    its payload names the hash seq 3 links to."""
    r1 = kiosk.record("k", {"i": 1})
    lost = kiosk.record("k", {"i": 2})
    r3 = kiosk.record("k", {"i": 3})
    kiosk.seq, kiosk.prev_hash = 1, r1.hash
    void = kiosk.record("void", {"reason": "damaged locally: seq 2: hash does not match",
                                 "voided_uuid": lost.uuid, "next_hash": r3.prev_hash})
    ack = post(client, kiosk.batch(r1, void))
    assert [r["status"] for r in ack["results"]] == ["accepted", "accepted"]
    ack = post(client, kiosk.batch(r3))  # links through the stored void
    assert ack["results"][0]["status"] == "accepted" and ack["acked_through"] == 3
    rows = client.get(f"/v1/audit/kiosks/{kiosk.kiosk_id}/records", headers=ADMIN).json()
    assert [(r["seq"], r["uuid"], r["status"]) for r in rows] == [
        (1, r1.uuid, "accepted"), (2, void.uuid, "accepted"), (3, r3.uuid, "accepted")]
    # A void without the link it must name is refused like any bad payload.
    kiosk.seq, kiosk.prev_hash = 3, r3.hash
    bad = kiosk.record("void", {"reason": "x", "voided_uuid": lost.uuid})
    ack = post(client, kiosk.batch(bad))
    assert ack["results"][0]["reason"] == "bad payload: a void needs next_hash, 64 hex digits"


def ack_reason(client: httpx.Client, kiosk_id: str, seq: int) -> str:
    rows = client.get(f"/v1/audit/kiosks/{kiosk_id}/records", headers=ADMIN).json()
    return next(r["reason"] for r in rows if r["seq"] == seq)


def test_wrong_data_key_and_bad_payload_are_rejected(client: httpx.Client,
                                                     kiosk: SealingKiosk) -> None:
    wrong_key = kiosk.record("k", {"i": 1}, data_key=os.urandom(32))
    bad_payload = kiosk.verify_record(amount=None)
    ack = post(client, kiosk.batch(wrong_key, bad_payload))
    assert ack["results"][0]["status"] == "rejected"
    assert ack["results"][0]["reason"].startswith("decrypt")
    assert ack["results"][1]["status"] == "rejected"
    assert ack["results"][1]["reason"].startswith("bad payload: amount")
    assert ack["acked_through"] == 2
    lookup = client.get(f"/v1/verifications/{bad_payload.uuid}").json()
    assert lookup["status"] == "rejected" and lookup["result"] is None


def test_checks_in_one_batch_count_in_seq_order(client: httpx.Client,
                                               kiosk: SealingKiosk) -> None:
    special = "genuine special (01)"
    records = [kiosk.verify_record(special) for _ in range(3)]
    records.append(kiosk.verify_record(special, amount=None))  # rejected: counts nothing
    records.append(kiosk.verify_record(special, issued_on=TODAY.isoformat()))
    records.append(kiosk.verify_record("void (04)"))  # another invoice, its own count
    records += [kiosk.verify_record(special) for _ in range(3)]
    ack = post(client, kiosk.batch(*records))
    got = [(r["status"], (r["result"] or {}).get("outcome"),
            (r["result"] or {}).get("checks_today")) for r in ack["results"]]
    assert got == [("accepted", "genuine", 1), ("accepted", "genuine", 2),
                   ("accepted", "genuine", 3), ("rejected", None, None),
                   ("accepted", "out_of_period", 3),  # the count as it stands
                   ("accepted", "void", 1),
                   ("accepted", "genuine", 4), ("accepted", "genuine", 5),
                   ("accepted", "too_many_checks", 5)]  # the 6th check of the day
    assert ack["results"][6]["result"]["invoice"]["number"] == demo(special)["number"]
    assert post(client, kiosk.batch(*records))["results"] == [
        dict(r, status="duplicate") if r["status"] == "accepted" else r
        for r in ack["results"]]  # a resend counts nothing
    online = kiosk_verify(client, verify_body(demo(special))).json()
    assert online["outcome"] == "too_many_checks"


def test_concurrent_batches_of_kiosks_share_the_daily_limit(
        client: httpx.Client, central: CentralServer) -> None:
    """Kiosks whose batches verify the same invoices at the same moment (in different
    orders) get at most 5 checks per invoice in total, and none of them fails."""
    labels = ["genuine special (01)", "genuine general (04)",
              "genuine fully-digital general (32)"]
    bodies = []
    for k in range(4):
        sim = SealingKiosk(f"K-CONC-{k}")
        assert client.post("/v1/kiosks/enroll", json=sim.enrol_body()).status_code == 200
        order = labels * 3
        random.Random(k).shuffle(order)
        bodies.append(sim.batch(*(sim.verify_record(label) for label in order)))
    answers: list[dict[str, Any]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(bodies))

    def send(body: dict[str, Any]) -> None:
        try:
            with httpx.Client(base_url=central.url, timeout=60) as http:
                start.wait(30)
                answers.append(post(http, body))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(answers) == len(bodies)
    counted: dict[str, list[int]] = {}
    too_many: Counter[int] = Counter()
    for result in (r["result"] for a in answers for r in a["results"]):
        number = result["invoice"]["number"] if result["invoice"] else None
        if result["outcome"] == "too_many_checks":
            too_many[result["checks_today"]] += 1
        else:
            assert result["outcome"] == "genuine", result
            counted.setdefault(number, []).append(result["checks_today"])
    assert {n: sorted(c) for n, c in counted.items()} == {
        demo(label)["number"]: [1, 2, 3, 4, 5] for label in labels}
    assert too_many == {5: len(bodies) * 9 - 15}


def test_gap_is_rejected_and_filled_later(client: httpx.Client, kiosk: SealingKiosk) -> None:
    r1, r2, r3 = (kiosk.record("k", {"i": i}) for i in range(3))
    ack = post(client, kiosk.batch(r1, r3))
    assert ack["results"][1] == {"seq": 3, "uuid": r3.uuid, "status": "rejected",
                                 "reason": "gap: expected seq 2", "result": None}
    assert ack["acked_through"] == 1
    ack = post(client, kiosk.batch(r2, r3))
    assert [r["status"] for r in ack["results"]] == ["accepted", "rejected"]
    assert ack["acked_through"] == 3


def test_same_seq_other_content_and_reused_uuid_are_conflicts(
        client: httpx.Client, kiosk: SealingKiosk) -> None:
    first = kiosk.record("k", {"i": 1})
    post(client, kiosk.batch(first))
    # Another record claiming seq 1.
    other = SealingKiosk(kiosk.kiosk_id)
    other.keys = kiosk.keys
    impostor = other.record("k", {"i": "other"})
    ack = post(client, kiosk.batch(impostor))
    assert ack["results"][0]["status"] == "rejected"
    assert ack["results"][0]["reason"].startswith("replay/conflict")
    # A new seq reusing the UUID of seq 1: rejected, stored without the UUID.
    reuse = kiosk.record("k", {"i": 2}, record_uuid=first.uuid)
    ack = post(client, kiosk.batch(reuse))
    assert ack["results"][0]["status"] == "rejected"
    assert "replay/conflict" in ack["results"][0]["reason"]
    assert ack["acked_through"] == 2
    again = post(client, kiosk.batch(reuse))
    assert again["results"][0]["status"] == "rejected" and again["acked_through"] == 2
    rows = client.get(f"/v1/audit/kiosks/{kiosk.kiosk_id}/records", headers=ADMIN).json()
    assert [(r["seq"], r["uuid"]) for r in rows] == [(1, first.uuid), (2, None)]
    # The queue goes on after the rejected record.
    assert post(client, kiosk.batch(kiosk.record("k", {"i": 3})))["acked_through"] == 3


def test_records_of_another_kiosk_are_rejected(client: httpx.Client,
                                               kiosk: SealingKiosk) -> None:
    other = SealingKiosk("K-0002")
    assert client.post("/v1/kiosks/enroll", json=other.enrol_body()).status_code == 200
    theirs = other.record("k", {"i": 1})
    # Relabelled as ours: the hash no longer matches.
    relabelled = tampered(theirs, kiosk_id=kiosk.kiosk_id)
    ack = post(client, kiosk.batch(relabelled))
    assert ack["results"][0]["status"] == "rejected"
    assert ack["results"][0]["reason"] == "signature: the record does not match its hash"
    # Sealed for our kiosk_id but signed with the other kiosk's key.
    forger = SealingKiosk(kiosk.kiosk_id)
    forger.keys = other.keys
    forged = forger.record("k", {"i": 2})
    ack = post(client, kiosk.batch(forged))
    assert ack["results"][0]["reason"] == "signature: not signed by this kiosk's key"
    assert ack["acked_through"] == 0
    # A batch mixing kiosks is malformed as a whole.
    response = client.post("/v1/sync/batch",
                           json=kiosk.batch(other.record("k", {}), kiosk_id=kiosk.kiosk_id))
    assert response.status_code == 422
    assert "kiosk_id" in response.json()["detail"]


def test_unknown_kiosk_is_403(client: httpx.Client) -> None:
    stranger = SealingKiosk("K-stranger")
    response = client.post("/v1/sync/batch", json=stranger.batch(stranger.record("k", {})))
    assert response.status_code == 403


def test_malformed_and_oversized_batches(client: httpx.Client, kiosk: SealingKiosk) -> None:
    record = kiosk.record("k", {}).model_dump(mode="json")
    too_many = {"kiosk_id": kiosk.kiosk_id, "records": [record] * 501}
    assert client.post("/v1/sync/batch", json=too_many).status_code == 422
    broken = dict(record, hash="xyz")
    response = client.post("/v1/sync/batch",
                           json={"kiosk_id": kiosk.kiosk_id, "records": [broken]})
    assert response.status_code == 422 and "hash" in response.json()["detail"]
    huge_seq = dict(record, seq=2**64)
    response = client.post("/v1/sync/batch",
                           json={"kiosk_id": kiosk.kiosk_id, "records": [huge_seq]})
    assert response.status_code == 422 and "seq" in response.json()["detail"]
    far_future = dict(record, created_at="9999-12-31T23:59:59-23:00")
    response = client.post("/v1/sync/batch",
                           json={"kiosk_id": kiosk.kiosk_id, "records": [far_future]})
    assert response.status_code == 422 and "created_at" in response.json()["detail"]
    bad_b64 = dict(record, signature="!" * 88)
    ack = post(client, {"kiosk_id": kiosk.kiosk_id, "records": [bad_b64]})
    assert ack["results"][0]["reason"] == ("signature: cannot be checked, the signature "
                                           "is not base64")
    assert ack["acked_through"] == 0  # not stored: the genuine record still fits
    assert post(client, kiosk.batch(WireRecord.model_validate(record)))["acked_through"] == 1


def test_huge_body_is_refused_before_reading(central: CentralServer) -> None:
    with socket.create_connection(("127.0.0.1", central.port), timeout=5) as sock:
        sock.sendall(b"POST /v1/sync/batch HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/json\r\nContent-Length: 900000000\r\n\r\n{")
        reply = sock.recv(4096)
    assert reply.startswith(b"HTTP/1.1 413")


def test_concurrent_resends_store_once(client: httpx.Client, kiosk: SealingKiosk,
                                       central: CentralServer) -> None:
    records = [kiosk.verify_record("genuine fully-digital general (32)") for _ in range(2)]
    records += [kiosk.record("k", {"i": i}) for i in range(10)]
    body = kiosk.batch(*records)
    answers: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def send() -> None:
        try:
            with httpx.Client(base_url=central.url, timeout=30) as http:
                response = http.post("/v1/sync/batch", json=body)
                assert response.status_code == 200, response.text
                answers.append(response.json())
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(answers) == 6
    accepted = [sum(r["status"] == "accepted" for r in a["results"]) for a in answers]
    assert sorted(accepted) == [0] * 5 + [12]
    assert all(a["acked_through"] == 12 for a in answers)
    results = {str(a["results"][1]["result"]) for a in answers}
    assert len(results) == 1  # every answer carries the one stored result
    assert answers[0]["results"][1]["result"]["checks_today"] == 2


# --- audit ------------------------------------------------------------------------

def test_audit_requires_the_admin_token(client: httpx.Client, kiosk: SealingKiosk) -> None:
    post(client, kiosk.batch(kiosk.record("k", {}), kiosk.record("note", {})))
    url = f"/v1/audit/kiosks/{kiosk.kiosk_id}/records"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Basic abc"}).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer nope"}).status_code == 403
    rows = client.get(url, headers=ADMIN).json()
    assert [(r["seq"], r["kind"], r["status"]) for r in rows] == [
        (1, "k", "accepted"), (2, "note", "accepted")]
    assert all(r["received_at"] for r in rows)
    assert client.get("/v1/audit/kiosks/nobody/records", headers=ADMIN).json() == []
