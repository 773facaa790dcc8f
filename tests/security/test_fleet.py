"""The fleet page (issue #14 §4): a stranger gets nothing, and a request that fails
sign-in changes nothing. Real central service on loopback, real SQLite file."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "central"))
from central_helpers import ADMIN_TOKEN, ENROLMENT_TOKEN, MovableClock  # noqa: E402
from fleet_kit import FleetKiosk  # noqa: E402

from central.db import make_engine  # noqa: E402
from central.fleet.models import FleetSession  # noqa: E402
from central.out_of_service import KioskOutOfService  # noqa: E402
from central.server import CentralServer  # noqa: E402

pytestmark = pytest.mark.security

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
PAGES = ("/fleet", "/fleet/kiosks/K-sec-1", "/fleet/alerts")


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def server(tmp_path: Path, clock: MovableClock) -> Iterator[CentralServer]:
    with CentralServer(f"sqlite:///{tmp_path / 'central.db'}", admin_token=ADMIN_TOKEN,
                       enrolment_token=ENROLMENT_TOKEN, now=clock) as srv:
        FleetKiosk(srv.url, "K-sec-1", "hall-sec", ENROLMENT_TOKEN).beat()
        yield srv


def _sessions(server: CentralServer) -> int:
    engine = make_engine(server.db_url)
    try:
        with Session(engine) as session:
            return int(session.execute(select(func.count()).select_from(FleetSession))
                       .scalar_one())
    finally:
        engine.dispose()


def _signed_in(server: CentralServer) -> httpx.Client:
    http = httpx.Client(base_url=server.url, timeout=10.0)
    answer = http.post("/fleet/login", data={"token": ADMIN_TOKEN})
    assert answer.status_code == 303 and answer.headers["location"].startswith("/fleet")
    return http


def test_a_stranger_gets_nothing(server: CentralServer) -> None:
    with httpx.Client(base_url=server.url, timeout=10.0) as http:
        for path in PAGES:
            for headers in ({}, {"Authorization": "Basic x"},
                            {"Cookie": "fleet_session=made-up-value"}):
                answer = http.get(path, headers=headers)
                assert answer.status_code == 401, (path, headers)
                assert "K-sec-1" not in answer.text and "hall-sec" not in answer.text
            wrong = http.get(path, headers={"Authorization": "Bearer not-the-token"})
            assert wrong.status_code == 403 and "K-sec-1" not in wrong.text
        # The sign-in form is all a stranger sees, and it may not be framed.
        form = http.get("/fleet")
        assert 'name="token"' in form.text
        assert "frame-ancestors 'none'" in form.headers["content-security-policy"]
        assert form.headers["cache-control"] == "no-store"
    assert _sessions(server) == 0


def test_a_wrong_token_signs_nobody_in_and_stores_nothing(server: CentralServer) -> None:
    with httpx.Client(base_url=server.url, timeout=10.0) as http:
        for token in ("not-the-token", "", ADMIN_TOKEN + "x", ADMIN_TOKEN[:-1]):
            answer = http.post("/fleet/login", data={"token": token})
            assert answer.status_code == 401
            assert "set-cookie" not in answer.headers
        # Not a form: refused before anything is read.
        assert http.post("/fleet/login", json={"token": ADMIN_TOKEN}).status_code == 422
    assert _sessions(server) == 0


def test_the_session_cookie(server: CentralServer, clock: MovableClock) -> None:
    with httpx.Client(base_url=server.url, timeout=10.0) as http:
        answer = http.post("/fleet/login", data={"token": ADMIN_TOKEN})
        assert answer.status_code == 303 and answer.headers["location"].startswith("/fleet")
        cookie = answer.headers["set-cookie"]
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
        assert {"httponly", "max-age", "path"} <= attributes
        assert "samesite=strict" in cookie.lower() and "path=/fleet" in cookie.lower()
        value = answer.cookies["fleet_session"]
        assert len(value) >= 40 and ADMIN_TOKEN not in value
        page = http.get("/fleet")
        assert page.status_code == 200 and "K-sec-1" in page.text
        # The database holds the digest only: the cookie value is nowhere in it.
        assert value.encode() not in Path(server.db_url.removeprefix("sqlite:///")).read_bytes()
        clock.advance(hours=8, seconds=1)  # the session expires with the cookie
        assert http.get("/fleet").status_code == 401


def test_logout_needs_the_forms_csrf_token(server: CentralServer) -> None:
    http = _signed_in(server)
    with closing(http):
        page = http.get("/fleet/kiosks/K-sec-1").text
        csrf = page.split('name="csrf" value="')[1].split('"')[0]
        # Another site's form (no token, or a wrong one) signs nobody out.
        assert http.post("/fleet/logout", data={}).status_code == 403
        assert http.post("/fleet/logout", data={"csrf": "x" * 32}).status_code == 403
        assert http.get("/fleet").status_code == 200 and _sessions(server) == 1
        answer = http.post("/fleet/logout", data={"csrf": csrf})
        assert answer.status_code == 303
        assert _sessions(server) == 0
        assert http.get("/fleet").status_code == 401


def test_out_of_service_from_the_page_needs_sign_in_and_csrf(server: CentralServer) -> None:
    form = {"reason_zh": "维护", "reason_en": "Maintenance", "alternative_zh": "请到 3 号窗口",
            "alternative_en": "Window 3"}
    path = "/fleet/kiosks/K-sec-1/out-of-service"

    def notice() -> bool:
        engine = make_engine(server.db_url)
        try:
            with Session(engine) as session:
                return session.get(KioskOutOfService, "K-sec-1") is not None
        finally:
            engine.dispose()

    with httpx.Client(base_url=server.url, timeout=10.0) as stranger:
        assert stranger.post(path, data=form).status_code == 401
        assert stranger.post(path, data=form, headers={
            "Authorization": "Bearer wrong"}).status_code == 403
    http = _signed_in(server)
    with closing(http):
        assert http.post(path, data=form).status_code == 403  # no CSRF token
        assert not notice()
        page = http.get("/fleet/kiosks/K-sec-1").text
        csrf = page.split('name="csrf" value="')[1].split('"')[0]
        assert http.post(path, data=form | {"csrf": csrf}).status_code == 303
        assert notice()
        back = http.post("/fleet/kiosks/K-sec-1/in-service", data={"csrf": csrf})
        assert back.status_code == 303 and not notice()
    # A script with the bearer token needs no CSRF token (no browser adds that header).
    with httpx.Client(base_url=server.url, timeout=10.0, headers=ADMIN) as script:
        assert script.post(path, data=form).status_code == 303
    assert notice()


def test_the_terminal_page_shows_no_personal_data_or_slip_references(
        server: CentralServer) -> None:
    """Recent records show seq, kind, status and time: never a payload or a UUID (a
    UUID on a slip is a bearer reference)."""
    from central_helpers import SealingKiosk

    kiosk = SealingKiosk("K-sec-2")
    with httpx.Client(base_url=server.url, timeout=10.0) as http:
        assert http.post("/v1/kiosks/enroll", json=kiosk.enrol_body()).status_code == 200
        record = kiosk.verify_record()
        assert http.post("/v1/sync/batch", json=kiosk.batch(record)).status_code == 200
        page = http.get("/fleet/kiosks/K-sec-2", headers=ADMIN)
        assert page.status_code == 200 and "invoice.verify" in page.text
        assert record.uuid not in page.text
