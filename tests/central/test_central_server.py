"""The server wrapper and the service-level endpoints."""
from __future__ import annotations

import socket
from datetime import datetime, timezone

import httpx
import pytest

from central.server import CentralServer
from central_helpers import TODAY, demo, kiosk_verify, verify_body


def test_start_picks_a_free_port_and_stop_releases_it(db_url: str) -> None:
    server = CentralServer(db_url)
    with pytest.raises(RuntimeError):
        _ = server.url
    server.start()
    try:
        assert server.port > 0 and server.url == f"http://127.0.0.1:{server.port}"
        health = httpx.get(server.url + "/v1/health", timeout=5).json()
        assert health["status"] == "ok"
        assert abs((datetime.fromisoformat(health["time"])
                    - datetime.now(timezone.utc)).total_seconds()) < 60
    finally:
        server.stop()
    with socket.socket() as probe:  # the port is free again
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", server.port))
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.url + "/v1/health", timeout=2)


def test_two_servers_share_one_database(db_url: str) -> None:
    kwargs = {"today": lambda: TODAY, "demo_data": True}
    with CentralServer(db_url, **kwargs) as a, CentralServer(db_url, **kwargs) as b:
        assert a.port != b.port
        body = verify_body(demo("genuine toll (14)"))
        with httpx.Client(base_url=a.url) as http_a, httpx.Client(base_url=b.url) as http_b:
            assert kiosk_verify(http_a, body).json()["checks_today"] == 1
            assert kiosk_verify(http_b, body).json()["checks_today"] == 2


def test_data_survives_a_restart(db_url: str) -> None:
    body = verify_body(demo("genuine roll (11)"))
    for expected in (1, 2):
        with CentralServer(db_url, today=lambda: TODAY, demo_data=True) as server, \
                httpx.Client(base_url=server.url) as http:
            assert kiosk_verify(http, body).json()["checks_today"] == expected


def test_busy_port_is_a_clear_error(db_url: str) -> None:
    with CentralServer(db_url) as first:
        with pytest.raises(OSError):
            CentralServer(db_url, port=first.port).start()


def test_openapi_documents_the_protocol(shared_client: httpx.Client) -> None:
    spec = shared_client.get("/openapi.json").json()
    for path in ["/v1/health", "/v1/invoices/verify", "/v1/kiosks/{kiosk_id}/verify",
                 "/v1/kiosks/enroll", "/v1/sync/batch",
                 "/v1/verifications/{uuid}", "/v1/audit/kiosks/{kiosk_id}/records",
                 "/v1/admin/import-invoices"]:
        assert path in spec["paths"], path
    assert "SyncBatch" in spec["components"]["schemas"]
    assert "text/csv" in spec["paths"]["/v1/admin/import-invoices"]["post"]["requestBody"][
        "content"]


def test_unknown_routes_and_methods_are_4xx(shared_client: httpx.Client) -> None:
    assert shared_client.get("/v1/nothing").status_code == 404
    assert shared_client.get("/v1/invoices/verify").status_code == 405
    assert shared_client.get("/v1/verifications/" + "x" * 300).status_code == 404
