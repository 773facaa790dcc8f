"""Consultation tickets, suggestions and the tax school (issue #13 §3) on a real central
service on loopback: queued records synced as a kiosk sends them, the public 工单号
look-up, the admin reply and listings, and bookings through a real enrolled kiosk
client's sealed calls with a real taxpayer session."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
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

from central.demo_data import DEMO_ENTERPRISE_TIN, DEMO_PASSWORD
from central.rate_limit import TokenBucket
from central.server import CentralServer
from kiosk.central_client import CentralClient, CentralRejected
from offline_queue.crypto import KioskKeys
from offline_queue.payloads import (
    CONSULT_CALLBACK_KIND,
    SUGGESTION_KIND,
    TICKET_PREFIX,
    CallbackPayload,
    SuggestionPayload,
    derived_number,
    number_shape_ok,
)

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
PHONE = "13812345678"


@pytest.fixture
def server(db_url: str) -> Iterator[CentralServer]:
    with CentralServer(db_url, today=lambda: TODAY, now=MovableClock(), demo_data=True,
                       admin_token=ADMIN_TOKEN, enrolment_token=ENROLMENT_TOKEN) as s:
        yield s


@pytest.fixture
def opened() -> Iterator[list[CentralClient]]:
    """Kiosk clients a test opened, closed after it."""
    clients: list[CentralClient] = []
    yield clients
    for client in clients:
        client.close()


@pytest.fixture
def http(server: CentralServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30.0) as client:
        yield client


def callback(**changes: Any) -> dict[str, Any]:
    return CallbackPayload(request_id=str(uuid.uuid4()), topic="iit", phone=PHONE,
                           window="morning", text="退税进度", at="2026-12-07T09:00:00+08:00"
                           ).model_dump() | changes


def synced(http: httpx.Client, kiosk: SealingKiosk, *records: Any) -> list[dict[str, Any]]:
    """Send the records as the kiosk's sync pass does; their results."""
    answer = http.post("/v1/sync/batch", json=kiosk.batch(*records))
    assert answer.status_code == 200, answer.text
    results: list[dict[str, Any]] = answer.json()["results"]
    return results


@pytest.fixture
def sealing(http: httpx.Client) -> SealingKiosk:
    kiosk = SealingKiosk(f"K-consult-{uuid.uuid4().hex[:6]}")
    assert http.post("/v1/kiosks/enroll", json=kiosk.enrol_body()).status_code == 200
    return kiosk


# --- tickets ------------------------------------------------------------------------------

def test_the_derived_number_has_a_check_digit_and_is_the_same_on_both_sides() -> None:
    request_id = str(uuid.uuid4())
    number = derived_number(TICKET_PREFIX, request_id)
    assert number.startswith("GD") and len(number) == 14 and number_shape_ok("GD", number)
    assert derived_number(TICKET_PREFIX, request_id.upper()) == number
    assert derived_number("YJ", request_id)[2:] != number[2:]
    for i in range(2, 14):  # every single-digit typo is caught by the check digit
        typo = number[:i] + str((int(number[i]) + 3) % 10) + number[i + 1:]
        assert not number_shape_ok("GD", typo)


def test_a_synced_callback_registers_its_ticket_under_the_printed_number(
        http: httpx.Client, sealing: SealingKiosk) -> None:
    payload = callback()
    printed = CallbackPayload.model_validate(payload).ticket
    assert http.get(f"/v1/tickets/{printed}").status_code == 404  # not synced yet
    [result] = synced(http, sealing, sealing.record(CONSULT_CALLBACK_KIND, payload))
    assert result["status"] == "accepted" and result["result"] == {
        "ticket": printed, "status": "open"}
    answer = http.get(f"/v1/tickets/{printed}")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"number": printed, "status": "open", "topic": "iit",
                             "window": "morning", "asked_on": "2026-12-07", "replies": []}
    # The bearer of the number never sees the phone number or the question's text.
    assert PHONE not in answer.text and "退税" not in answer.text
    # Digits alone (as typed on the keypad) find it too.
    assert http.get(f"/v1/tickets/{printed[2:]}").json()["number"] == printed


def test_the_same_request_sent_again_in_a_new_record_is_one_ticket(
        http: httpx.Client, sealing: SealingKiosk) -> None:
    payload = callback()
    synced(http, sealing, sealing.record(CONSULT_CALLBACK_KIND, payload),
           sealing.record(CONSULT_CALLBACK_KIND, payload))
    tickets = http.get("/v1/admin/tickets", headers=ADMIN).json()
    assert [t["number"] for t in tickets].count(CallbackPayload.model_validate(
        payload).ticket) == 1


def test_a_bad_callback_payload_is_stored_rejected_and_registers_nothing(
        http: httpx.Client, sealing: SealingKiosk) -> None:
    [bad] = synced(http, sealing, sealing.record(CONSULT_CALLBACK_KIND,
                                                 callback(phone="12345")))
    assert bad["status"] == "rejected" and bad["reason"].startswith("bad payload: phone")
    [bad] = synced(http, sealing, sealing.record(CONSULT_CALLBACK_KIND,
                                                 callback(topic="weather")))
    assert bad["status"] == "rejected"
    assert http.get("/v1/admin/tickets", headers=ADMIN).json() == []


def test_an_admin_reply_reaches_the_holder_of_the_number(
        http: httpx.Client, sealing: SealingKiosk) -> None:
    payload = callback()
    number = CallbackPayload.model_validate(payload).ticket
    synced(http, sealing, sealing.record(CONSULT_CALLBACK_KIND, payload))
    [listed] = http.get("/v1/admin/tickets?status=open", headers=ADMIN).json()
    assert listed["phone"] == PHONE  # the back office calls it
    reply = {"body": "您的退税已于今日办结。"}
    assert http.post(f"/v1/tickets/{number}/replies", json=reply).status_code in (404, 405)
    assert http.post(f"/v1/admin/tickets/{number}/replies", json=reply).status_code == 401
    answer = http.post(f"/v1/admin/tickets/{number}/replies", json=reply, headers=ADMIN)
    assert answer.status_code == 200, answer.text
    seen = http.get(f"/v1/tickets/{number}").json()
    assert seen["status"] == "answered"
    assert [r["body"] for r in seen["replies"]] == ["您的退税已于今日办结。"]
    closed = http.post(f"/v1/admin/tickets/{number}/replies", headers=ADMIN,
                       json={"body": "已办结", "status": "closed"}).json()
    assert closed["status"] == "closed" and len(closed["replies"]) == 2
    assert http.post(f"/v1/admin/tickets/{number}/replies", headers=ADMIN,
                     json={"body": ""}).status_code == 422


def test_the_public_look_up_is_rate_limited_per_address(
        server: CentralServer, http: httpx.Client) -> None:
    server.app.state.central.ticket_lookups = TokenBucket(3, 0.001)
    codes = [http.get("/v1/tickets/GD000000000000").status_code for _ in range(3)]
    assert codes == [422 if not number_shape_ok("GD", "GD000000000000") else 404] * 3
    refused = http.get("/v1/tickets/GD000000000000")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert http.get("/v1/tickets/GD12").status_code == 429  # bad shapes count too


def test_two_requests_with_the_same_number_are_answered_as_ambiguous(
        server: CentralServer, http: httpx.Client, sealing: SealingKiosk) -> None:
    first, second = callback(), callback()
    synced(http, sealing, sealing.record(CONSULT_CALLBACK_KIND, first),
           sealing.record(CONSULT_CALLBACK_KIND, second))
    from sqlalchemy import update
    from sqlalchemy.orm import Session

    from central.guidance_db import ConsultTicket

    number = CallbackPayload.model_validate(first).ticket
    with Session(server.app.state.engine) as db:  # a collision, made by hand
        db.execute(update(ConsultTicket).values(number=number))
        db.commit()
    answer = http.get(f"/v1/tickets/{number}")
    assert answer.status_code == 409 and answer.json()["detail"].startswith(
        "ticket.ambiguous")


# --- suggestions ----------------------------------------------------------------------

def test_a_synced_suggestion_is_stored_and_listed_for_the_admin_only(
        http: httpx.Client, sealing: SealingKiosk) -> None:
    payload = SuggestionPayload(request_id=str(uuid.uuid4()), category="terminal",
                                text="屏幕字再大一点", contact=PHONE,
                                at="2026-12-07T09:00:00+08:00").model_dump()
    anonymous = SuggestionPayload(request_id=str(uuid.uuid4()), category="idea",
                                  text="增加预约叫号", at="2026-12-07T09:01:00+08:00"
                                  ).model_dump()
    results = synced(http, sealing, sealing.record(SUGGESTION_KIND, payload),
                     sealing.record(SUGGESTION_KIND, anonymous),
                     sealing.record(SUGGESTION_KIND, payload | {"text": "  "}))
    assert [r["status"] for r in results] == ["accepted", "accepted", "rejected"]
    assert results[0]["result"] == {
        "receipt": SuggestionPayload.model_validate(payload).receipt}
    assert http.get("/v1/admin/suggestions").status_code == 401
    listed = http.get("/v1/admin/suggestions", headers=ADMIN).json()
    assert [(s["category"], s["contact"]) for s in listed] == [("terminal", PHONE),
                                                              ("idea", None)]
    after = http.get(f"/v1/admin/suggestions?after_id={listed[0]['id']}",
                     headers=ADMIN).json()
    assert [s["text"] for s in after] == ["增加预约叫号"]


# --- the tax school ----------------------------------------------------------------------

def kiosk(server: CentralServer, opened: list[CentralClient]
          ) -> tuple[CentralClient, KioskKeys]:
    client, keys = enrolled_kiosk(server.url)
    opened.append(client)
    return client, keys


def login(server: CentralServer, opened: list[CentralClient], *,
          card: bool = True) -> tuple[CentralClient, KioskKeys, str]:
    """An enrolled kiosk and a live session on it: the demo person by ID card, or the
    demo enterprise by password (another taxpayer)."""
    client, keys = kiosk(server, opened)
    if card:
        identity = client.sealed_call(keys, "identity.id_card", "identity/id-card",
                                      DEMO_CARD)["identity"]
    else:
        answer = client.sealed_call(keys, "identity.password", "identity/password",
                                    {"tin": DEMO_ENTERPRISE_TIN, "password": DEMO_PASSWORD})
        identity = answer["identity"]
    return client, keys, str(identity["session"])


def school(who: tuple[CentralClient, KioskKeys, str], action: str,
           **payload: Any) -> dict[str, Any]:
    client, keys, session = who
    return client.sealed_call(keys, f"school.{action}", f"school/{action}",
                              {"session": session} | payload)


def refused(who: tuple[CentralClient, KioskKeys, str], action: str,
            **payload: Any) -> CentralRejected:
    with pytest.raises(CentralRejected) as caught:
        school(who, action, **payload)
    return caught.value


def add_course(http: httpx.Client, key: str, day: Any, seats: int) -> None:
    item = {"kind": "course", "key": key, "body": {
        "title_zh": "测试课程", "title_en": "Test course", "date": day.isoformat(),
        "start": "09:00", "end": "10:00", "seats": seats}}
    assert http.post("/v1/admin/reference", json=item, headers=ADMIN).status_code == 200


def test_demo_courses_are_published_with_their_seats(
        server: CentralServer, opened: list[CentralClient]) -> None:
    client, keys = kiosk(server, opened)
    seats = client.sealed_call(keys, "school.seats", "school/seats", {})["seats"]
    assert len(seats) >= 10
    assert seats["c-export-refund"] == {"capacity": 3, "taken": 2, "left": 1}
    assert seats["c-rd-deduction"]["left"] == 0
    page = httpx.get(f"{server.url}/v1/reference?cursor=0").json()
    courses = [i for i in page["items"] if i["kind"] == "course"]
    assert len(courses) >= 10 and all(c["body"]["title_en"] for c in courses)


def test_booking_until_full_then_refused_one_seat_per_person_and_cancel_frees_it(
        server: CentralServer, http: httpx.Client, opened: list[CentralClient]) -> None:
    add_course(http, "c-test-two", TODAY + timedelta(days=3), seats=2)
    person, company = login(server, opened), login(server, opened, card=False)
    booked = school(person, "book", course="c-test-two")
    assert booked["seats"] == {"capacity": 2, "taken": 1, "left": 1}
    assert booked["booking"]["number"].startswith("KC")
    again = refused(person, "book", course="c-test-two")
    assert again.status == 409 and again.reason.startswith("course.booked")
    assert school(company, "book", course="c-test-two")["seats"]["left"] == 0
    # The demo course with one seat left, then full: a third taxpayer is refused.
    assert school(person, "book", course="c-export-refund")["seats"]["left"] == 0
    full = refused(company, "book", course="c-export-refund")
    assert full.status == 409 and full.reason.startswith("course.full")
    assert refused(person, "book", course="c-rd-deduction").reason.startswith("course.full")
    # Cancelling gives the seat back; booking again keeps the same number.
    number = booked["booking"]["number"]
    freed = school(person, "cancel", course="c-test-two")
    assert freed["seats"]["left"] == 1 and freed["booking"]["cancelled"] is True
    assert refused(person, "cancel", course="c-test-two").reason.startswith(
        "booking.unknown")
    assert school(person, "book", course="c-test-two")["booking"]["number"] == number
    mine = school(person, "bookings")["bookings"]
    assert {b["course"] for b in mine} == {"c-test-two", "c-export-refund"}
    assert refused(person, "book", course="c-nowhere").status == 404


def test_the_last_seat_goes_to_exactly_one_of_two_kiosks_at_once(
        server: CentralServer, http: httpx.Client, opened: list[CentralClient]) -> None:
    import threading

    add_course(http, "c-test-one", TODAY + timedelta(days=3), seats=1)
    people = [login(server, opened), login(server, opened, card=False)]
    outcomes: list[str] = []

    def book(who: tuple[CentralClient, KioskKeys, str]) -> None:
        try:
            school(who, "book", course="c-test-one")
            outcomes.append("booked")
        except CentralRejected as exc:
            outcomes.append(exc.reason.split(":")[0])

    threads = [threading.Thread(target=book, args=(who,)) for who in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["booked", "course.full"]


def test_evaluation_only_after_the_course_day_and_only_with_a_booking(
        server: CentralServer, http: httpx.Client, opened: list[CentralClient]) -> None:
    add_course(http, "c-test-today", TODAY, seats=5)
    person, company = login(server, opened), login(server, opened, card=False)
    school(person, "book", course="c-test-today")
    early = refused(person, "evaluate", course="c-test-today", score=5)
    assert early.status == 409 and early.reason.startswith("course.not_yet")
    server.app.state.central.clock = lambda: TODAY + timedelta(days=1)
    assert refused(company, "evaluate", course="c-test-today",
                   score=4).reason.startswith("booking.unknown")
    assert refused(person, "evaluate", course="c-test-today", score=6).status == 422
    assert school(person, "evaluate", course="c-test-today", score=4) == {
        "course": "c-test-today", "score": 4}
    [mine] = [b for b in school(person, "bookings")["bookings"]
              if b["course"] == "c-test-today"]
    assert mine["score"] == 4
    # Over now: no booking, no cancelling.
    assert refused(company, "book", course="c-test-today").reason.startswith("course.over")
    assert refused(person, "cancel", course="c-test-today").reason.startswith("course.over")


def test_school_calls_need_a_live_session_of_this_kiosk(
        server: CentralServer, opened: list[CentralClient]) -> None:
    person = login(server, opened)
    client, keys = kiosk(server, opened)
    stolen = (client, keys, person[2])  # another kiosk presenting the session
    assert refused(stolen, "book", course="c-iit-annual").status == 401
    assert refused((client, keys, "A" * 43), "bookings").reason.startswith("session.expired")
