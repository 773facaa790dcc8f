"""Taxpayer identity and look-ups (issue #10 §§2-3), every endpoint through a real
central service on loopback and a real enrolled, approved kiosk client's sealed
calls (kiosk.central_client.CentralClient.sealed_call); the central's clock for
logins is injected (QR expiry, session expiry, the password lock)."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from central_helpers import (
    ADMIN_TOKEN,
    DEMO_CARD,
    ENROLMENT_TOKEN,
    TODAY,
    MovableClock,
    SealingKiosk,
    enrolled_kiosk,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from central.db import Notice, NoticeRead, TaxpayerLoginState, TaxpayerSession
from central.demo_data import (
    DEMO_ENTERPRISE_NAME,
    DEMO_ENTERPRISE_TIN,
    DEMO_PASSWORD,
    DEMO_PERSON_ID,
    DEMO_PERSON_NAME,
    DEMO_SOLE_TRADER_TIN,
)
from central.server import CentralServer
from kiosk.central_client import CentralClient, CentralRejected
from offline_queue.crypto import KioskKeys
from offline_queue.payloads import residence_application_number
from offline_queue.wire import SEALED_ROUTES

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def server(db_url: str, clock: MovableClock) -> Iterator[CentralServer]:
    with CentralServer(db_url, today=lambda: TODAY, now=clock, demo_data=True,
                       admin_token=ADMIN_TOKEN, enrolment_token=ENROLMENT_TOKEN) as s:
        yield s


@pytest.fixture
def kiosk(server: CentralServer) -> Iterator[tuple[CentralClient, KioskKeys]]:
    client, keys = enrolled_kiosk(server.url)
    yield client, keys
    client.close()


def call(kiosk: tuple[CentralClient, KioskKeys], route: str,
         payload: dict[str, Any]) -> dict[str, Any]:
    """A sealed call as the kiosk makes it (purpose from wire.SEALED_ROUTES)."""
    client, keys = kiosk
    purpose = next(k for k, v in SEALED_ROUTES.items() if v == route)
    return client.sealed_call(keys, purpose, route, payload)


def rejected(kiosk: tuple[CentralClient, KioskKeys], route: str,
             payload: dict[str, Any]) -> CentralRejected:
    with pytest.raises(CentralRejected) as caught:
        call(kiosk, route, payload)
    return caught.value


def card_login(kiosk: tuple[CentralClient, KioskKeys]) -> dict[str, Any]:
    identity: dict[str, Any] = call(kiosk, "identity/id-card", DEMO_CARD)["identity"]
    return identity


def approve(server: CentralServer, token: str, tin: str) -> httpx.Response:
    return httpx.post(f"{server.url}/v1/login/qr/{token}/approve", json={"tin": tin},
                      headers=ADMIN, timeout=10)


def sessions_stored(server: CentralServer) -> int:
    with Session(server.app.state.engine) as db:
        return int(db.execute(select(func.count()).select_from(TaxpayerSession))
                   .scalar_one())


# --- ID card -------------------------------------------------------------------------

def test_id_card_identifies_the_demo_person_with_their_enterprises(kiosk: Any) -> None:
    identity = card_login(kiosk)
    assert identity["person"] == {"tin": DEMO_PERSON_ID, "name": DEMO_PERSON_NAME,
                                  "kind": "person", "id_number": DEMO_PERSON_ID}
    assert {e["tin"] for e in identity["enterprises"]} == {DEMO_ENTERPRISE_TIN,
                                                            DEMO_SOLE_TRADER_TIN}
    assert len(identity["session"]) == 43
    expires = datetime.fromisoformat(identity["expires_at"])
    assert timedelta(minutes=14) < expires - datetime.now(UTC) <= timedelta(minutes=15)


def test_unknown_or_expired_card_is_refused_and_opens_no_session(
        server: CentralServer, kiosk: Any) -> None:
    unknown = rejected(kiosk, "identity/id-card", DEMO_CARD | {"id_number":
                                                                "110105199001011234"})
    assert unknown.status == 404 and unknown.reason.startswith("taxpayer.unknown: ")
    expired = rejected(kiosk, "identity/id-card", DEMO_CARD | {"valid_until": "20200101"})
    assert expired.status == 422 and "expired" in expired.reason
    bad = rejected(kiosk, "identity/id-card", {"id_number": "12345", "name": "x",
                                               "valid_until": "长期"})
    assert bad.status == 422 and bad.reason.startswith("id_number:")
    assert sessions_stored(server) == 0


# --- look-ups ------------------------------------------------------------------------

def test_look_ups_answer_from_the_registry(kiosk: Any) -> None:
    session = card_login(kiosk)["session"]
    info = call(kiosk, "taxpayer/info", {"session": session})
    assert info["tin"] == DEMO_PERSON_ID and info["kind"] == "person"
    assert info["tax_kinds"] == ["个人所得税"] and info["status"] == "normal"
    assert call(kiosk, "taxpayer/arrears", {"session": session}) == {"items": []}
    assert call(kiosk, "taxpayer/credit", {"session": session}) == {"ratings": [],
                                                                    "consent": None}
    progress = call(kiosk, "taxpayer/progress", {"session": session})["items"]
    assert [p["status"] for p in progress] == ["refund", "done"]
    assert [s["name"] for s in progress[0]["steps"]] == ["accepted", "review",
                                                         "approval", "refund"]
    notices = call(kiosk, "taxpayer/notices", {"session": session})["items"]
    assert notices and all({"id", "title", "body", "published_on"} <= set(n)
                           for n in notices)
    payments = call(kiosk, "taxpayer/payments", {"session": session})["items"]
    assert len(payments) == 14 and payments[0]["paid_on"] >= payments[-1]["paid_on"]
    assert {"voucher_no", "tax_kind", "period", "amount", "paid_on", "tax_office",
            "printed"} == set(payments[0])
    voucher = payments[0]["voucher_no"]
    assert call(kiosk, "taxpayer/voucher-printed", {"session": session,
                                                    "voucher_no": voucher}) == {"printed": 1}
    assert call(kiosk, "taxpayer/voucher-printed", {"session": session,
                                                    "voucher_no": voucher}) == {"printed": 2}
    missing = rejected(kiosk, "taxpayer/voucher-printed", {"session": session,
                                                           "voucher_no": "0000"})
    assert missing.status == 404 and missing.reason.startswith("voucher.unknown:")


def test_acting_for_an_enterprise_answers_its_affairs(kiosk: Any) -> None:
    person = card_login(kiosk)
    acting = call(kiosk, "identity/enterprise", {"session": person["session"],
                                                 "tin": DEMO_ENTERPRISE_TIN})["identity"]
    assert acting["person"] == {"tin": DEMO_ENTERPRISE_TIN, "name": DEMO_ENTERPRISE_NAME,
                                "kind": "enterprise"}
    assert acting["agent"]["tin"] == DEMO_PERSON_ID
    assert acting["session"] != person["session"]
    # The old session ended with the switch.
    assert rejected(kiosk, "taxpayer/info", {"session": person["session"]}).status == 401
    session = acting["session"]
    credit = call(kiosk, "taxpayer/credit", {"session": session})
    assert [r["level"] for r in credit["ratings"]] == ["B", "A", "A"]
    arrears = call(kiosk, "taxpayer/arrears", {"session": session})["items"]
    assert {(a["tax_kind"], a["amount"]) for a in arrears} == {("增值税", "12800.00"),
                                                               ("印花税", "350.00")}
    assert call(kiosk, "taxpayer/info", {"session": session})["legal_rep"] == \
        DEMO_PERSON_NAME
    # Only the person's own enterprises (and themself again).
    refused = rejected(kiosk, "identity/enterprise", {"session": session,
                                                      "tin": "91110000000000000X"})
    assert refused.status == 404 and refused.reason.startswith("taxpayer.unknown:")
    back = call(kiosk, "identity/enterprise", {"session": session, "tin": DEMO_PERSON_ID})
    assert back["identity"]["person"]["kind"] == "person"


def test_a_read_notice_stays_read_for_that_taxpayer_only(server: CentralServer,
                                                         kiosk: Any) -> None:
    session = card_login(kiosk)["session"]
    notices = call(kiosk, "taxpayer/notices", {"session": session})["items"]
    assert notices and not any(n["read"] for n in notices)
    first = notices[0]["id"]
    marked = {"session": session, "notice_id": first}
    assert call(kiosk, "taxpayer/notice-read", marked) == {"read": True}
    assert call(kiosk, "taxpayer/notice-read", marked) == {"read": True}  # once is kept
    later = card_login(kiosk)["session"]  # the next visit
    read = {n["id"]: n["read"] for n in call(kiosk, "taxpayer/notices",
                                              {"session": later})["items"]}
    assert read[first] and sum(read.values()) == 1
    # The enterprise the person acts for has reads of its own.
    company = call(kiosk, "identity/enterprise", {"session": later,
                                                  "tin": DEMO_ENTERPRISE_TIN})["identity"]
    items = call(kiosk, "taxpayer/notices", {"session": company["session"]})["items"]
    assert not any(n["read"] for n in items)
    # Only a notice the taxpayer sees: not another industry's, not one that is not there.
    with Session(server.app.state.engine) as db:
        others = db.execute(select(Notice.id).where(Notice.industry == "餐饮业")).scalars()
        other = next(iter(others))
        before = db.execute(select(func.count()).select_from(NoticeRead)).scalar_one()
    for notice_id in (other, 999_999):
        refused = rejected(kiosk, "taxpayer/notice-read",
                           {"session": company["session"], "notice_id": notice_id})
        assert refused.status == 404 and refused.reason.startswith("notice.unknown:")
    with Session(server.app.state.engine) as db:
        assert db.execute(select(func.count()).select_from(NoticeRead)).scalar_one() == before


def test_logout_ends_the_session(kiosk: Any) -> None:
    session = card_login(kiosk)["session"]
    assert call(kiosk, "identity/logout", {"session": session}) == {"ended": True}
    assert call(kiosk, "identity/logout", {"session": session}) == {"ended": False}
    gone = rejected(kiosk, "taxpayer/payments", {"session": session})
    assert gone.status == 401 and gone.reason.startswith("session.expired:")


def test_session_expires_after_15_idle_minutes_and_each_look_up_extends_it(
        kiosk: Any, clock: MovableClock) -> None:
    session = card_login(kiosk)["session"]
    for _ in range(3):  # 42 minutes in all, never 15 idle
        clock.advance(minutes=14)
        assert call(kiosk, "taxpayer/info", {"session": session})["tin"] == DEMO_PERSON_ID
    clock.advance(minutes=15, seconds=1)
    expired = rejected(kiosk, "taxpayer/info", {"session": session})
    assert expired.status == 401 and expired.reason.startswith("session.expired:")


def test_another_kiosks_session_is_refused(server: CentralServer, kiosk: Any) -> None:
    session = card_login(kiosk)["session"]
    other = enrolled_kiosk(server.url)
    try:
        for route in ("taxpayer/info", "taxpayer/payments", "identity/logout"):
            if route == "identity/logout":  # another kiosk cannot end it either
                assert call(other, route, {"session": session}) == {"ended": False}
                continue
            refused = rejected(other, route, {"session": session})
            assert refused.status == 401 and refused.reason.startswith("session.expired:")
    finally:
        other[0].close()
    assert call(kiosk, "taxpayer/info", {"session": session})["tin"] == DEMO_PERSON_ID


def test_a_new_login_at_a_kiosk_ends_its_earlier_session(kiosk: Any) -> None:
    first = card_login(kiosk)["session"]
    card_login(kiosk)
    assert rejected(kiosk, "taxpayer/info", {"session": first}).status == 401


# --- scan-to-login ---------------------------------------------------------------------

def test_qr_login_long_poll_wakes_on_approval_and_answers_once(
        server: CentralServer, kiosk: Any) -> None:
    qr = call(kiosk, "identity/qr", {})
    assert qr["qr_text"] == "TAXLOGIN:" + qr["token"] and len(qr["token"]) == 43
    assert call(kiosk, "identity/qr/poll", {"token": qr["token"], "wait_s": 0}) == {
        "status": "pending"}
    approvals: list[int] = []
    timer = threading.Timer(0.5, lambda: approvals.append(
        approve(server, qr["token"], DEMO_PERSON_ID).status_code))
    started = time.monotonic()
    timer.start()
    try:
        answer = call(kiosk, "identity/qr/poll", {"token": qr["token"], "wait_s": 20})
    finally:
        timer.join()
    took = time.monotonic() - started
    assert approvals == [204]
    assert answer["status"] == "approved", answer
    assert answer["identity"]["person"]["tin"] == DEMO_PERSON_ID
    assert took < 3.0, f"the long-poll answered {took:.1f} s after it started"
    session = answer["identity"]["session"]
    assert call(kiosk, "taxpayer/info", {"session": session})["tin"] == DEMO_PERSON_ID
    # Answered once: then "used", also after waiting; approving again is refused.
    assert call(kiosk, "identity/qr/poll", {"token": qr["token"], "wait_s": 1}) == {
        "status": "used"}
    again = approve(server, qr["token"], DEMO_PERSON_ID)
    assert again.status_code == 409 and again.json()["detail"].startswith("login.qr_used:")


def test_a_pending_poll_waits_then_says_pending(kiosk: Any) -> None:
    qr = call(kiosk, "identity/qr", {})
    started = time.monotonic()
    assert call(kiosk, "identity/qr/poll", {"token": qr["token"], "wait_s": 1.5}) == {
        "status": "pending"}
    assert 1.4 <= time.monotonic() - started < 5


def test_the_qr_of_another_kiosk_never_logs_in_here(server: CentralServer,
                                                    kiosk: Any) -> None:
    qr = call(kiosk, "identity/qr", {})
    assert approve(server, qr["token"], DEMO_PERSON_ID).status_code == 204
    other = enrolled_kiosk(server.url)
    try:
        assert call(other, "identity/qr/poll", {"token": qr["token"]}) == {
            "status": "expired"}
    finally:
        other[0].close()
    assert call(kiosk, "identity/qr/poll", {"token": qr["token"]})["status"] == "approved"


def test_qr_expires_after_120_s(server: CentralServer, kiosk: Any,
                                clock: MovableClock) -> None:
    qr = call(kiosk, "identity/qr", {})
    assert datetime.fromisoformat(qr["expires_at"]) == clock.t + timedelta(seconds=120)
    clock.advance(seconds=119)
    assert call(kiosk, "identity/qr/poll", {"token": qr["token"]}) == {"status": "pending"}
    clock.advance(seconds=2)
    assert call(kiosk, "identity/qr/poll", {"token": qr["token"]}) == {"status": "expired"}
    late = approve(server, qr["token"], DEMO_PERSON_ID)
    assert late.status_code == 404 and late.json()["detail"].startswith("login.qr_expired:")
    assert call(kiosk, "identity/qr/poll", {"token": qr["token"]}) == {"status": "expired"}
    assert sessions_stored(server) == 0


def test_approving_an_unknown_token_or_tin_is_refused(server: CentralServer,
                                                      kiosk: Any) -> None:
    unknown = approve(server, "A" * 43, DEMO_PERSON_ID)
    assert unknown.status_code == 404
    qr = call(kiosk, "identity/qr", {})
    nobody = approve(server, qr["token"], "110105199001011234")
    assert nobody.status_code == 404 and nobody.json()["detail"].startswith(
        "taxpayer.unknown:")
    assert call(kiosk, "identity/qr/poll", {"token": qr["token"]}) == {"status": "pending"}
    no_token = httpx.post(f"{server.url}/v1/login/qr/{qr['token']}/approve",
                          json={"tin": DEMO_PERSON_ID}, timeout=10)
    assert no_token.status_code == 401


# --- TIN + password --------------------------------------------------------------------

def login_state(server: CentralServer, tin: str) -> TaxpayerLoginState | None:
    with Session(server.app.state.engine) as db:
        return db.get(TaxpayerLoginState, tin)


def test_password_login_lock_after_5_wrong_across_kiosks_and_reset_after_15_min(
        server: CentralServer, kiosk: Any, clock: MovableClock) -> None:
    ok = call(kiosk, "identity/password", {"tin": DEMO_PERSON_ID.lower(),
                                           "password": DEMO_PASSWORD})
    assert ok["result"] == "ok" and ok["identity"]["person"]["tin"] == DEMO_PERSON_ID
    other = enrolled_kiosk(server.url)
    try:
        answers = [call(kiosk if i % 2 else other, "identity/password",
                        {"tin": DEMO_PERSON_ID, "password": f"wrong-{i}"})
                   for i in range(5)]
        assert [a.get("tries_left") for a in answers[:4]] == [4, 3, 2, 1]
        assert answers[4]["result"] == "locked"
        until = datetime.fromisoformat(answers[4]["until"])
        assert until == clock.t + timedelta(minutes=15)
        # Locked on every kiosk, even with the right password.
        for who in (kiosk, other):
            locked = call(who, "identity/password", {"tin": DEMO_PERSON_ID,
                                                     "password": DEMO_PASSWORD})
            assert locked == {"result": "locked", "until": answers[4]["until"]}
        clock.advance(minutes=14, seconds=59)
        assert call(kiosk, "identity/password", {"tin": DEMO_PERSON_ID,
                                                 "password": DEMO_PASSWORD})["result"] == \
            "locked"
        clock.advance(seconds=2)
        again = call(other, "identity/password", {"tin": DEMO_PERSON_ID,
                                                  "password": DEMO_PASSWORD})
        assert again["result"] == "ok"
        assert login_state(server, DEMO_PERSON_ID) is None  # a fresh count
        assert call(kiosk, "identity/password", {"tin": DEMO_PERSON_ID,
                                                 "password": "nope-1"}) == {
            "result": "wrong", "tries_left": 4}
    finally:
        other[0].close()


def test_password_lock_is_per_taxpayer(kiosk: Any) -> None:
    for i in range(5):
        call(kiosk, "identity/password", {"tin": DEMO_ENTERPRISE_TIN, "password": f"x{i}xxx"})
    assert call(kiosk, "identity/password", {"tin": DEMO_PERSON_ID,
                                             "password": DEMO_PASSWORD})["result"] == "ok"
    assert call(kiosk, "identity/password", {"tin": DEMO_ENTERPRISE_TIN,
                                             "password": DEMO_PASSWORD})["result"] == "locked"


def test_password_login_of_an_enterprise_is_itself(kiosk: Any) -> None:
    ok = call(kiosk, "identity/password", {"tin": DEMO_ENTERPRISE_TIN,
                                           "password": DEMO_PASSWORD})
    assert ok["identity"]["person"]["kind"] == "enterprise"
    assert ok["identity"]["enterprises"] == []


def test_unknown_tin_and_overlong_password_are_refused_and_not_counted(
        server: CentralServer, kiosk: Any) -> None:
    unknown = rejected(kiosk, "identity/password", {"tin": "110105199001011234",
                                                    "password": "whatever"})
    assert unknown.status == 404 and unknown.reason.startswith("taxpayer.unknown:")
    long = rejected(kiosk, "identity/password", {"tin": DEMO_PERSON_ID,
                                                 "password": "7" * 200})
    assert long.status == 422 and long.reason.startswith("password:")
    assert login_state(server, DEMO_PERSON_ID) is None
    assert login_state(server, "110105199001011234") is None
    assert sessions_stored(server) == 0


# --- queued records: consent and residence applications -----------------------------

def test_consent_and_residence_records_reach_the_registry(server: CentralServer) -> None:
    sealing = SealingKiosk(f"K-records-{time.monotonic_ns() % 10**8}")
    with httpx.Client(base_url=server.url, timeout=10) as http:
        assert http.post("/v1/kiosks/enroll", json=sealing.enrol_body()).status_code == 200
        at = datetime.now(UTC).isoformat()
        residence = {"tin": DEMO_PERSON_ID, "year": 2025, "country": "新加坡",
                     "reason": "享受税收协定待遇", "income_types": ["工资薪金"], "at": at}
        records = [
            sealing.record("credit.consent", {"tin": DEMO_ENTERPRISE_TIN, "bank": "建设银行",
                                              "granted": True, "at": at}),
            sealing.record("credit.consent", {"tin": DEMO_SOLE_TRADER_TIN,  # rated M
                                              "bank": "建设银行", "granted": True,
                                              "at": at}),
            sealing.record("residence.application", residence),
            sealing.record("credit.consent", {"tin": DEMO_ENTERPRISE_TIN, "bank": "x",
                                              "granted": "maybe", "at": at}),
        ]
        ack = http.post("/v1/sync/batch", json=sealing.batch(*records)).json()
    results = ack["results"]
    assert [r["status"] for r in results] == ["accepted", "accepted", "accepted",
                                              "rejected"]
    assert results[0]["result"] == {"status": "recorded", "granted": True}
    assert results[1]["result"]["status"] == "refused"
    number = residence_application_number(residence)
    assert results[2]["result"]["number"] == number
    assert results[2]["result"]["status"] == "recorded"
    assert results[3]["reason"].startswith("bad payload: granted")

    kiosk = enrolled_kiosk(server.url)
    try:
        person = card_login(kiosk)
        progress = call(kiosk, "taxpayer/progress", {"session": person["session"]})
        mine = [p for p in progress["items"] if p["number"] == number]
        assert mine and mine[0]["status"] == "accepted"
        acting = call(kiosk, "identity/enterprise", {"session": person["session"],
                                                     "tin": DEMO_ENTERPRISE_TIN})
        credit = call(kiosk, "taxpayer/credit", {"session": acting["identity"]["session"]})
        assert credit["consent"]["bank"] == "建设银行"
    finally:
        kiosk[0].close()
