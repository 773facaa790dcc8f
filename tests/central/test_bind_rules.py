"""central.bind_rules: the bind rules in one place (docs/security.md), and CentralServer
applying them."""
from __future__ import annotations

import socket
from pathlib import Path

import pytest

from central.bind_rules import (
    Exposure,
    demo_refusal,
    exposure_of,
    is_loopback_address,
    is_loopback_host,
)
from central.server import CentralServer


@pytest.mark.parametrize("address", ["127.0.0.1", "127.1.2.3", "::1", "[::1]",
                                     "::ffff:127.0.0.1", "::1%lo"])
def test_loopback_addresses(address: str) -> None:
    assert is_loopback_address(address) and is_loopback_host(address)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "", "10.0.0.5", "192.168.1.1",
                                  "::ffff:10.0.0.1", "fe80::1", "2001:db8::1",
                                  "no-such-host.invalid", "localhost.invalid"])
def test_everything_else_is_public(host: str) -> None:
    assert not is_loopback_host(host)
    assert not is_loopback_address(host)


def test_names_count_as_loopback_only_if_every_address_is(
        monkeypatch: pytest.MonkeyPatch) -> None:
    answers = {"localhost": ["127.0.0.1", "::1"], "mixed": ["127.0.0.1", "10.1.1.1"],
               "empty": []}

    def fake(host: str, *_args: object, **_kw: object) -> list[tuple[object, ...]]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 0)) for a in answers[host]]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    assert is_loopback_host("localhost")
    assert not is_loopback_host("mixed")
    assert not is_loopback_host("empty")
    assert not is_loopback_address("localhost")  # a name is never an address


def decide(host: str, **kw: bool) -> Exposure:
    facts = {"tls": False, "admin_token": False, "enrolment_token": False} | kw
    return Exposure.decide(host, **facts)


def test_loopback_may_run_bare_and_with_demo() -> None:
    for host in ("127.0.0.1", "::1"):
        exposure = decide(host, demo_data=True)
        assert exposure.refusal() is None and exposure.demo_allowed


def test_public_needs_both_tokens_and_tls_unless_insecure_demo() -> None:
    bare = decide("0.0.0.0").refusal()
    assert bare is not None and "admin token" in bare and "enrolment token" in bare \
        and "TLS" in bare and "KIOSK_CENTRAL_ADMIN_TOKEN_FILE" in bare
    only_admin = decide("0.0.0.0", admin_token=True, tls=True).refusal()
    assert only_admin is not None and "enrolment token" in only_admin \
        and "admin token" not in only_admin
    # --insecure-demo waives TLS, never the tokens.
    waived = decide("::", insecure_demo=True).refusal()
    assert waived is not None and "admin token" in waived and "TLS" not in waived
    no_tls = decide("10.0.0.5", admin_token=True, enrolment_token=True).refusal()
    assert no_tls is not None and "without TLS" in no_tls and "admin token" not in no_tls
    assert decide("10.0.0.5", admin_token=True, enrolment_token=True,
                  insecure_demo=True).refusal() is None
    assert decide("10.0.0.5", admin_token=True, enrolment_token=True,
                  tls=True).refusal() is None


def test_demo_data_off_loopback_only_with_insecure_demo() -> None:
    full = {"admin_token": True, "enrolment_token": True, "tls": True}
    refused = decide("0.0.0.0", demo_data=True, **full)
    assert not refused.demo_allowed
    assert "--demo-data" in (refused.refusal() or "")
    allowed = decide("0.0.0.0", demo_data=True, insecure_demo=True, **full)
    assert allowed.refusal() is None and allowed.demo_allowed


def test_demo_endpoints_gate() -> None:
    loopback = decide("127.0.0.1")
    public = decide("0.0.0.0", admin_token=True, enrolment_token=True, tls=True)
    assert demo_refusal(None, None, None) == (404, "demo endpoints are off on this service")
    assert demo_refusal(public, "adm", "Bearer adm")[0] == 404  # type: ignore[index]
    assert demo_refusal(loopback, None, None) is None
    assert demo_refusal(loopback, "adm", None)[0] == 401  # type: ignore[index]
    assert demo_refusal(loopback, "adm", "Bearer nope")[0] == 403  # type: ignore[index]
    assert demo_refusal(loopback, "adm", "Bearer adm") is None
    demo = decide("0.0.0.0", admin_token=True, enrolment_token=True, insecure_demo=True)
    assert demo_refusal(demo, "adm", "bearer adm") is None


def test_central_server_applies_the_rules(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'c.db'}"
    with pytest.raises(ValueError, match="admin token"):
        CentralServer(db_url, host="0.0.0.0")
    with pytest.raises(ValueError, match="TLS"):
        CentralServer(db_url, host="0.0.0.0", admin_token="a", enrolment_token="e")
    with pytest.raises(ValueError, match="--demo-data"):
        CentralServer(db_url, host="0.0.0.0", admin_token="a", enrolment_token="e",
                      ssl_certfile=tmp_path / "s.pem", ssl_keyfile=tmp_path / "s.key",
                      demo_data=True)
    assert not (tmp_path / "c.db").exists()  # refused before touching the database
    with CentralServer(db_url) as server:
        assert exposure_of(server.app) == server.exposure and server.exposure.loopback
