"""Remote assistance (issue #14 §5): a stranger can neither see a terminal's screen nor
tap on it, a kiosk reaches only its own assistance, a tap before the taxpayer's consent
is refused, and a frame is kept only while staff are assisting. Real central service
on loopback, real SQLite file, the kiosk's real client (kiosk.assistance)."""
from __future__ import annotations

import base64
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "central"))
from central_helpers import (  # noqa: E402
    ADMIN_TOKEN,
    ENROLMENT_TOKEN,
    enrolled_kiosk,
    sealed_body,
)

from central.assistance import AssistEvent, AssistSession  # noqa: E402
from central.db import make_engine  # noqa: E402
from central.server import CentralServer  # noqa: E402
from kiosk.assistance import PATHS  # noqa: E402
from offline_queue.crypto import KioskKeys  # noqa: E402

pytestmark = pytest.mark.security

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
# A tiny but real JPEG's first bytes are all the service checks; the rest is opaque.
JPEG = b"\xff\xd8\xff\xe0" + b"frame-one" * 10 + b"\xff\xd9"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[CentralServer]:
    with CentralServer(f"sqlite:///{tmp_path / 'central.db'}", admin_token=ADMIN_TOKEN,
                       enrolment_token=ENROLMENT_TOKEN) as srv:
        yield srv


@pytest.fixture
def kiosks(server: CentralServer) -> Iterator[tuple[tuple[Any, KioskKeys], ...]]:
    a = enrolled_kiosk(server.url, "K-assist-a")
    b = enrolled_kiosk(server.url, "K-assist-b")
    yield a, b
    a[0].close()
    b[0].close()


def _call(kiosk: tuple[Any, KioskKeys], purpose: str, payload: dict[str, Any]) -> Any:
    client, keys = kiosk
    return client.sealed_call(keys, purpose, PATHS[purpose], payload)


def _signed_in(server: CentralServer) -> tuple[httpx.Client, str]:
    """A browser session and its CSRF token (read from the overview's accept form)."""
    http = httpx.Client(base_url=server.url, timeout=10.0)
    answer = http.post("/fleet/login", data={"token": ADMIN_TOKEN})
    assert answer.status_code == 303
    page = http.get("/fleet").text
    marker = 'name="csrf" value="'
    csrf = page[page.index(marker) + len(marker):].split('"', 1)[0]
    return http, csrf


def _row(server: CentralServer, assist_id: int) -> AssistSession:
    engine = make_engine(server.db_url)
    try:
        with Session(engine) as session:
            return session.execute(select(AssistSession).where(
                AssistSession.id == assist_id)).scalar_one()
    finally:
        engine.dispose()


def _events(server: CentralServer, assist_id: int) -> list[tuple[str, str]]:
    engine = make_engine(server.db_url)
    try:
        with Session(engine) as session:
            return [(e.event, e.actor) for e in session.execute(
                select(AssistEvent).where(AssistEvent.assist_id == assist_id)
                .order_by(AssistEvent.id)).scalars()]
    finally:
        engine.dispose()


def test_a_stranger_cannot_see_frames_or_send_control(server: CentralServer,
                                                      kiosks: Any) -> None:
    a, _b = kiosks
    assist_id = _call(a, "assist.request", {})["assist_id"]
    assert httpx.post(f"{server.url}/fleet/assist/{assist_id}/accept", headers=ADMIN,
                      timeout=10).status_code == 303
    _call(a, "assist.poll", {"assist_id": assist_id,
                             "frame": base64.b64encode(JPEG).decode()})
    _call(a, "assist.consent", {"assist_id": assist_id, "allow": True})
    reads = ("/fleet/assist", f"/fleet/assist/{assist_id}", f"/fleet/assist/{assist_id}/frame",
             f"/fleet/assist/{assist_id}/state")
    with httpx.Client(base_url=server.url, timeout=10.0) as http:
        for headers in ({}, {"Authorization": "Basic x"},
                        {"Cookie": "fleet_session=made-up-value"},
                        {"Authorization": "Bearer not-the-token"}):
            for path in reads:
                answer = http.get(path, headers=headers)
                assert answer.status_code in (401, 403), (path, headers)
                assert b"frame-one" not in answer.content and "K-assist-a" not in answer.text
            for path, kwargs in ((f"/fleet/assist/{assist_id}/control",
                                  {"json": {"x": 0.5, "y": 0.5}}),
                                 (f"/fleet/assist/{assist_id}/end", {"data": {"csrf": "x"}}),
                                 (f"/fleet/assist/{assist_id}/accept", {"data": {"csrf": "x"}})):
                answer = http.post(path, headers=headers, **kwargs)
                assert answer.status_code in (401, 403), (path, headers)
        # The audit trail is the admin token's only.
        assert http.get("/v1/audit/kiosks/K-assist-a/assistance").status_code == 401
    row = _row(server, assist_id)
    assert row.state == "active" and row.pending_taps == "[]" and row.taps_sent == 0
    # A signed-in operator does see it (the same requests are not refused for nothing).
    http, csrf = _signed_in(server)
    try:
        assert http.get(f"/fleet/assist/{assist_id}/frame").content == JPEG
        # ... but a tap without the session's CSRF token (another site's page) is refused.
        assert http.post(f"/fleet/assist/{assist_id}/control",
                         json={"x": 0.5, "y": 0.5}).status_code == 403
        assert http.post(f"/fleet/assist/{assist_id}/control", json={"x": 0.5, "y": 0.5},
                         headers={"X-Fleet-CSRF": csrf}).status_code == 204
    finally:
        http.close()
    assert _row(server, assist_id).taps_sent == 1


def test_a_kiosk_can_only_post_its_own_frames(server: CentralServer, kiosks: Any) -> None:
    a, b = kiosks
    assist_id = _call(a, "assist.request", {})["assist_id"]
    assert httpx.post(f"{server.url}/fleet/assist/{assist_id}/accept", headers=ADMIN,
                      timeout=10).status_code == 303
    _call(a, "assist.poll", {"assist_id": assist_id,
                             "frame": base64.b64encode(JPEG).decode()})
    forged = b"\xff\xd8\xff\xe0" + b"someone-else" + b"\xff\xd9"
    from kiosk.central_client import CentralRejected

    # Kiosk B, with its own keys, names A's assistance: not found, nothing changed.
    for purpose, payload in (("assist.poll", {"assist_id": assist_id,
                                              "frame": base64.b64encode(forged).decode()}),
                             ("assist.consent", {"assist_id": assist_id, "allow": True}),
                             ("assist.end", {"assist_id": assist_id, "reason": "taxpayer"})):
        with pytest.raises(CentralRejected) as refused:
            _call(b, purpose, payload)
        assert refused.value.status == 404
    # Kiosk B signing in A's name (A's path and kiosk_id, B's keys): not A's signature.
    client_b, keys_b = b
    body = sealed_body("K-assist-a", keys_b, "assist.poll",
                       {"assist_id": assist_id, "frame": base64.b64encode(forged).decode()})
    answer = httpx.post(f"{server.url}/v1/kiosks/K-assist-a/assist/poll", json=body,
                        timeout=10)
    assert answer.status_code == 403
    row = _row(server, assist_id)
    assert row.frame == JPEG and row.frame_seq == 1 and row.state == "active"
    assert not row.control_allowed
    # Not an image, or too large: refused, the last good frame stays.
    for bad in (b"<svg/>", b"\xff\xd8\xff" + b"x" * (34 * 1024)):
        with pytest.raises(CentralRejected) as refused:
            _call(a, "assist.poll", {"assist_id": assist_id,
                                     "frame": base64.b64encode(bad).decode()})
        assert refused.value.status in (413, 422)
    assert _row(server, assist_id).frame == JPEG
    # The largest frame allowed fits one sealed call (wire.MAX_CALL_CIPHERTEXT_B64).
    from kiosk.assistance import MAX_FRAME_BYTES

    largest = b"\xff\xd8\xff" + bytes(range(256)) * (MAX_FRAME_BYTES // 256)
    largest = largest[:MAX_FRAME_BYTES]
    _call(a, "assist.poll", {"assist_id": assist_id,
                             "frame": base64.b64encode(largest).decode()})
    assert _row(server, assist_id).frame == largest


def test_control_before_consent_is_refused(server: CentralServer, kiosks: Any) -> None:
    a, _b = kiosks
    assist_id = _call(a, "assist.request", {})["assist_id"]
    tap = {"x": 0.25, "y": 0.75}
    # Not accepted yet, then accepted but the taxpayer has not agreed: 409 both times.
    answer = httpx.post(f"{server.url}/fleet/assist/{assist_id}/control", json=tap,
                        headers=ADMIN, timeout=10)
    assert answer.status_code == 409
    httpx.post(f"{server.url}/fleet/assist/{assist_id}/accept", headers=ADMIN, timeout=10)
    answer = httpx.post(f"{server.url}/fleet/assist/{assist_id}/control", json=tap,
                        headers=ADMIN, timeout=10)
    assert answer.status_code == 409 and "assist.no_consent" in answer.text
    assert _call(a, "assist.poll", {"assist_id": assist_id})["taps"] == []
    # Consent given on the terminal: the tap goes through and reaches the kiosk.
    assert _call(a, "assist.consent", {"assist_id": assist_id, "allow": True})[
        "control_allowed"] is True
    assert httpx.post(f"{server.url}/fleet/assist/{assist_id}/control", json=tap,
                      headers=ADMIN, timeout=10).status_code == 204
    assert _call(a, "assist.poll", {"assist_id": assist_id})["taps"] == [tap]
    # Withdrawn: refused again.
    _call(a, "assist.consent", {"assist_id": assist_id, "allow": False})
    assert httpx.post(f"{server.url}/fleet/assist/{assist_id}/control", json=tap,
                      headers=ADMIN, timeout=10).status_code == 409
    assert _events(server, assist_id) == [
        ("requested", "taxpayer"), ("accepted", "staff"), ("consent", "taxpayer"),
        ("control", "staff"), ("consent", "taxpayer")]


def test_frames_only_while_assisting_and_gone_at_the_end(server: CentralServer,
                                                          kiosks: Any) -> None:
    a, _b = kiosks
    assist_id = _call(a, "assist.request", {})["assist_id"]
    frame = {"assist_id": assist_id, "frame": base64.b64encode(JPEG).decode()}
    _call(a, "assist.poll", frame)  # before staff accept: not kept
    assert _row(server, assist_id).frame is None
    httpx.post(f"{server.url}/fleet/assist/{assist_id}/accept", headers=ADMIN, timeout=10)
    _call(a, "assist.poll", frame)
    assert httpx.get(f"{server.url}/fleet/assist/{assist_id}/frame", headers=ADMIN,
                     timeout=10).content == JPEG
    answer = _call(a, "assist.end", {"assist_id": assist_id, "reason": "session_end"})
    assert answer["state"] == "ended"
    assert httpx.get(f"{server.url}/fleet/assist/{assist_id}/frame", headers=ADMIN,
                     timeout=10).status_code == 404
    row = _row(server, assist_id)
    assert row.frame is None and row.ended_by == "session_end"
    # A later frame is not kept either, and the audit says who ended it.
    _call(a, "assist.poll", frame)
    assert _row(server, assist_id).frame is None
    audit = httpx.get(f"{server.url}/v1/audit/kiosks/K-assist-a/assistance", headers=ADMIN,
                      timeout=10).json()
    assert [e["event"] for e in audit] == ["ended", "accepted", "requested"]
    assert audit[0]["detail"] == "session_end"


def test_the_kiosk_client_end_to_end(server: CentralServer, kiosks: Any) -> None:
    """kiosk.assistance.Assistance against the real service: waits, sees the
    acceptance, sends frames, receives taps only after consent, ends."""
    from kiosk.assistance import Assistance

    (client, keys), _b = kiosks
    helper = Assistance(client, keys, active_poll_s=0.1, waiting_poll_s=0.1)
    states: list[str] = []
    taps: list[tuple[float, float]] = []
    helper.state_listeners.append(lambda s: states.append(s.phase))
    helper.tap_listeners.append(taps.extend)
    assert helper.call() and not helper.call()  # pressing twice calls once
    _until(lambda: helper.state.phase == "waiting")
    assist_id = helper.state.assist_id
    assert httpx.post(f"{server.url}/fleet/assist/{assist_id}/accept", headers=ADMIN,
                      timeout=10).status_code == 303
    _until(lambda: helper.state.phase == "active")
    helper.offer_frame(JPEG)
    _until(lambda: _row(server, assist_id).frame == JPEG)
    helper.consent(True)
    _until(lambda: helper.state.control_allowed)
    assert httpx.post(f"{server.url}/fleet/assist/{assist_id}/control",
                      json={"x": 0.1, "y": 0.9}, headers=ADMIN, timeout=10).status_code == 204
    _until(lambda: taps == [(0.1, 0.9)])
    # Staff end it: the kiosk learns so on its next poll and stops.
    httpx.post(f"{server.url}/fleet/assist/{assist_id}/end", headers=ADMIN, timeout=10)
    _until(lambda: helper.state.phase == "ended")
    helper.wait_stopped()
    assert helper.state.ended_by == "staff"
    assert states[:3] == ["calling", "waiting", "active"] and states[-1] == "ended"


def _until(condition: Any, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
