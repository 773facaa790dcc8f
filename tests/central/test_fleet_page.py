"""The fleet page's data and alerts (issue #14 §4), through a real central service on
loopback with kiosks sending real signed heartbeats: the page lists every terminal
with its state, filters by hall and problem, and each alert occurrence reaches a real
loopback webhook receiver exactly once."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from central_helpers import ADMIN_TOKEN, ENROLMENT_TOKEN
from fleet_kit import FleetKiosk, healthy_devices

from central.fleet.settings import FleetSettings
from central.server import CentralServer

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


class Receiver:
    """A webhook receiver on 127.0.0.1: keeps every JSON body POSTed to it."""

    def __init__(self, port: int = 0) -> None:
        self.bodies: list[dict[str, Any]] = []
        received = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("content-length", "0"))
                received.append(json.loads(self.rfile.read(length)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def of(self, kiosk_id: str, kind: str) -> list[dict[str, Any]]:
        return [b for b in self.bodies if b["kiosk_id"] == kiosk_id and b["kind"] == kind]


def wait_for(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as rec:
        yield rec


def test_alerts_reach_the_webhook_once_per_occurrence(db_url: str,
                                                       receiver: Receiver) -> None:
    settings = FleetSettings(heartbeat_interval_s=0.5, device_error_s=1.0,
                             queue_age_limit_h=1.0, webhook_url=receiver.url,
                             check_interval_s=0.2)
    with CentralServer(db_url, admin_token=ADMIN_TOKEN, enrolment_token=ENROLMENT_TOKEN,
                       fleet=settings) as server:
        quiet = FleetKiosk(server.url, "K-quiet", "hall-1", ENROLMENT_TOKEN)
        jammed = FleetKiosk(server.url, "K-jam", "hall-2", ENROLMENT_TOKEN)
        behind = FleetKiosk(server.url, "K-old-queue", "hall-2", ENROLMENT_TOKEN)
        jam = healthy_devices() | {"receipt_printer": {
            "kind": "printer", "state": "error", "error": "failure", "condition": "jam"}}
        behind.beat(queue=7, oldest_s=3601.0)
        quiet.beat()
        stop = threading.Event()

        def keep_beating() -> None:  # the jammed kiosk stays in touch, still jammed
            while not stop.wait(0.3):
                jammed.beat(devices=jam)
                behind.beat(queue=7, oldest_s=3601.0)

        beating = threading.Thread(target=keep_beating, daemon=True)
        jammed.beat(devices=jam)
        beating.start()
        try:
            # Silent after 3 intervals (1.5 s), the jam after 1 s, the queue at once.
            wait_for(lambda: receiver.of("K-quiet", "silent")
                     and receiver.of("K-jam", "device")
                     and receiver.of("K-old-queue", "queue_age"))
            time.sleep(1.0)  # many monitor passes later: still one POST each
            assert len(receiver.of("K-quiet", "silent")) == 1
            assert len(receiver.of("K-jam", "device")) == 1
            assert len(receiver.of("K-old-queue", "queue_age")) == 1
            assert not receiver.of("K-jam", "silent")
            body = receiver.of("K-jam", "device")[0]
            assert body["event"] == "fleet.alert" and body["hall"] == "hall-2"
            assert body["subject"] == "receipt_printer" and "jam" in body["detail"]
            assert body["page"] == "/fleet/kiosks/K-jam"

            # Listed at the top of the page too.
            alerts = httpx.get(server.url + "/fleet/alerts", headers=ADMIN).json()
            assert {(a["kiosk_id"], a["kind"]) for a in alerts} == {
                ("K-quiet", "silent"), ("K-jam", "device"), ("K-old-queue", "queue_age")}

            # The quiet kiosk comes back: the occurrence ends; silent again: a new one.
            quiet.beat()
            wait_for(lambda: not any(a["kiosk_id"] == "K-quiet" for a in httpx.get(
                server.url + "/fleet/alerts", headers=ADMIN).json()))
            time.sleep(0.4)
            assert len(receiver.of("K-quiet", "silent")) == 1
            wait_for(lambda: len(receiver.of("K-quiet", "silent")) == 2)
            first, second = receiver.of("K-quiet", "silent")
            assert first["occurrence"] != second["occurrence"]
        finally:
            stop.set()
            beating.join()


def test_a_webhook_that_fails_is_tried_again(db_url: str) -> None:
    """A receiver that is down at first gets the occurrence once it is up."""
    receiver = Receiver()
    port = receiver.server.server_address[1]
    receiver.server.server_close()  # nothing listens on that port for now
    settings = FleetSettings(heartbeat_interval_s=0.3, webhook_url=f"http://127.0.0.1:{port}/",
                             check_interval_s=0.2)
    with CentralServer(db_url, admin_token=ADMIN_TOKEN, enrolment_token=ENROLMENT_TOKEN,
                       fleet=settings) as server:
        FleetKiosk(server.url, "K-late", "hall-1", ENROLMENT_TOKEN).beat()
        time.sleep(1.5)  # silent, and the POSTs fail
        with Receiver(port) as again:
            wait_for(lambda: again.of("K-late", "silent"))
            time.sleep(0.6)
            assert len(again.of("K-late", "silent")) == 1


def test_the_page_lists_and_filters_terminals(tmp_path: Path) -> None:
    with CentralServer(f"sqlite:///{tmp_path / 'c.db'}", admin_token=ADMIN_TOKEN,
                       enrolment_token=ENROLMENT_TOKEN,
                       fleet=FleetSettings(device_error_s=0)) as server:
        a = FleetKiosk(server.url, "K-a", "hall-east", ENROLMENT_TOKEN)
        b = FleetKiosk(server.url, "K-b", "hall-west", ENROLMENT_TOKEN)
        a.beat(version="2.0.1", queue=3, oldest_s=120.0, devices=healthy_devices() | {
            "invoice_dispenser": {"kind": "dispenser", "state": "idle", "error": None,
                                  "condition": "stock_low",
                                  "cassettes": [{"slot": 1, "remaining": 35}]}})
        b.beat(devices={"receipt_printer": {"kind": "printer", "state": "error",
                                            "error": "failure", "condition": "paper_empty"}})
        with httpx.Client(base_url=server.url, headers=ADMIN, timeout=10.0) as http:
            page = http.get("/fleet", params={"lang": "en"}).text
            for text in ("K-a", "K-b", "hall-east", "2.0.1", "3 records", "stock_low",
                         "cassette 1=35", "paper_empty", "Device fault"):
                assert text in page, text
            def rows(**params: str) -> str:  # the table (the alerts above are fleet-wide)
                return http.get("/fleet", params=params).text.split('id="terminals"')[1]

            east = rows(hall="hall-east")
            assert 'data-kiosk="K-a"' in east and 'data-kiosk="K-b"' not in east
            faulty = rows(problem="device")
            assert 'data-kiosk="K-b"' in faulty and 'data-kiosk="K-a"' not in faulty
            assert 'data-kiosk="K-a"' in rows(problem="") and 'K-a' not in rows(
                problem="out_of_service")
            # The script's refresh gets the main part only.
            part = http.get("/fleet", headers={"X-Fleet-Partial": "1"}).text
            assert part.lstrip().startswith("<section") and "<html" not in part
            detail = http.get("/fleet/kiosks/K-b", params={"lang": "zh"})
            assert detail.status_code == 200 and "paper_empty" in detail.text
            assert "<svg" in detail.text and "设备故障" in detail.text
            assert http.get("/fleet/kiosks/K-nobody").status_code == 404
