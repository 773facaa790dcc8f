"""Provisioning staff accounts on the central service and logging in at a kiosk:
`kiosk central --add-staff`, the kiosk's sync, login, and the audit records reaching
the central service; the demo staff account. Real server on loopback, real files."""
from __future__ import annotations

import argparse
import io
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from central import cli
from central.demo_data import DEMO_STAFF_ITEM
from central.server import CentralServer
from kiosk.app import KioskCore
from kiosk.config import parse_config
from kiosk.simulation import SimulatedHall
from kiosk.simulation.demo import (DEMO_STAFF_CARD_UID, DEMO_STAFF_ID, DEMO_STAFF_PIN,
                                   DEMO_STAFF_ROLES)
from kiosk.staff import AUDIT_KIND, StaffAuthError, card_key, check_pin

ADMIN_TOKEN = "staff-admin-token"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
UID = "04:A1:B2:C3"
PIN = "8642097"


def add_staff(db_url: str, pin_line: str, *argv: str,
              monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(pin_line))
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return cli.main(parser.parse_args(["--db", db_url, "--add-staff", *argv]))


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'central.sqlite3'}"


def start_core(tmp_path: Path, url: str, kiosk_id: str = "K-staff") -> KioskCore:
    cfg = parse_config({"data_dir": str(tmp_path / "kiosk"), "kiosk_id": kiosk_id,
                        "central": {"urls": [url]}})
    return KioskCore(cfg).start(background_sync=False)


def test_add_staff_refuses_bad_input_and_stores_nothing(
        db_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    base = ("--staff-id", "S001", "--role", "hall", "--card", UID)
    assert add_staff(db_url, "12ab\n", *base, monkeypatch=monkeypatch) == 2
    assert "6 to 8 digits" in capsys.readouterr().err
    assert add_staff(db_url, "", *base, monkeypatch=monkeypatch) == 2
    assert add_staff(db_url, PIN + "\n", "--staff-id", "S001", "--role", "boss", "--card",
                     UID, monkeypatch=monkeypatch) == 2
    assert "roles must be" in capsys.readouterr().err
    assert add_staff(db_url, PIN + "\n", "--staff-id", "S001", "--role", "hall", "--card",
                     "nope", monkeypatch=monkeypatch) == 2
    assert "not a card UID" in capsys.readouterr().err
    assert add_staff(db_url, PIN + "\n", "--role", "hall", "--card", UID,
                     monkeypatch=monkeypatch) == 2
    assert "--staff-id" in capsys.readouterr().err
    with CentralServer(db_url) as server, httpx.Client(base_url=server.url) as http:
        assert http.get("/v1/reference", params={"cursor": 0}).json()["items"] == []


def test_add_staff_then_a_kiosk_syncs_logs_in_and_reports_its_audit(
        tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert add_staff(db_url, PIN + "\r\n", "--staff-id", "S001", "--role", "hall",
                     "--role", "technician", "--card", UID, monkeypatch=monkeypatch) == 0
    out = capsys.readouterr()
    assert "stored staff account S001" in out.out
    for text in (out.out, out.err):
        assert "04A1B2C3" not in text.replace(":", "") and PIN not in text
    with CentralServer(db_url, admin_token=ADMIN_TOKEN) as server, \
            httpx.Client(base_url=server.url, timeout=10.0) as http:
        items = http.get("/v1/reference", params={"cursor": 0}).json()["items"]
        assert [(i["kind"], i["key"]) for i in items] == [("staff", card_key(UID))]
        assert PIN not in str(items) and "04A1B2C3" not in str(items).upper()
        core = start_core(tmp_path, server.url)
        try:
            assert not core.staff.knows_card(UID)  # not synced yet
            assert core.drain_queue(timeout_s=20).error is None
            assert core.staff.knows_card(UID)
            with pytest.raises(StaffAuthError) as info:
                core.staff.login(UID, "0000000")
            assert info.value.code == "staff.bad_pin" and info.value.attempts_left == 4
            session = core.staff.login("04a1b2c3", PIN)
            assert (session.staff_id, session.roles) == ("S001", ("hall", "technician"))
            core.staff.record(session, "sync")
            core.staff.logout(session, "staff")
            assert (core.config.data_dir / "staff-lockout.json").exists()
            assert core.drain_queue(timeout_s=20).accepted == 4
            records = http.get("/v1/audit/kiosks/K-staff/records", headers=ADMIN).json()
            assert [(r["kind"], r["status"]) for r in records] == \
                [(AUDIT_KIND, "accepted")] * 4
        finally:
            core.stop()

        # The account is withdrawn centrally: after the next sync it is gone.
        response = http.post("/v1/admin/reference", headers=ADMIN,
                             json={"kind": "staff", "key": card_key(UID), "deleted": True})
        assert response.status_code == 200, response.text
        core = start_core(tmp_path, server.url)
        try:
            assert core.drain_queue(timeout_s=20).error is None
            with pytest.raises(StaffAuthError) as info:
                core.staff.login(UID, PIN)
            assert info.value.code == "staff.unknown_card"
        finally:
            core.stop()


def test_the_demo_staff_item_matches_the_demo_constants() -> None:
    assert DEMO_STAFF_ITEM["key"] == card_key(DEMO_STAFF_CARD_UID)
    body = DEMO_STAFF_ITEM["body"]
    assert body["staff_id"] == DEMO_STAFF_ID and tuple(body["roles"]) == DEMO_STAFF_ROLES
    assert check_pin(DEMO_STAFF_PIN, body["pin"])


def test_demo_central_provisions_the_demo_staff_once(db_url: str) -> None:
    for _ in range(2):  # a restart does not change it again
        with CentralServer(db_url, demo_data=True, demo_staff=True) as server, \
                httpx.Client(base_url=server.url) as http:
            items = http.get("/v1/reference", params={"cursor": 0}).json()["items"]
        assert [(i["key"], i["updated_seq"]) for i in items] == [(DEMO_STAFF_ITEM["key"], 1)]


def tap_until_seen(hall: SimulatedHall, core: KioskCore, cards: list[str],
                   uid: str | None = None) -> None:
    """Tap (once the reader is open; again after the reader's debounce) until a card
    reaches the listeners."""
    deadline = time.monotonic() + 15
    while not cards and time.monotonic() < deadline:
        if core.devices is not None and core.devices.status("staff_card_reader").ok:
            hall.tap_staff_card(uid)
            end = time.monotonic() + 1.2
            while not cards and time.monotonic() < end:
                time.sleep(0.02)
        time.sleep(0.02)


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[SimulatedHall]:
    h = SimulatedHall(tmp_path / "hall").start()
    yield h
    h.stop()


def test_the_simulated_hall_taps_the_demo_card_and_it_logs_in(
        hall: SimulatedHall, tmp_path: Path) -> None:
    base = parse_config({"data_dir": str(tmp_path / "kiosk"), "kiosk_id": "K-hall"})
    core = KioskCore(hall.kiosk_config(base)).start(background_sync=False)
    cards: list[str] = []
    core.card_listeners.append(cards.append)
    try:
        assert core.drain_queue(timeout_s=20).error is None
        tap_until_seen(hall, core, cards)
        assert cards == [DEMO_STAFF_CARD_UID]
        session = core.staff.login(cards[0], DEMO_STAFF_PIN)
        assert session.staff_id == DEMO_STAFF_ID and "technician" in session.roles
    finally:
        core.stop()


def test_card_uids_are_not_logged(hall: SimulatedHall, tmp_path: Path,
                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    base = parse_config({"data_dir": str(tmp_path / "kiosk"), "kiosk_id": "K-log"})
    base = replace(base, central=replace(base.central, offline_grace_s=0.0))
    core = KioskCore(hall.kiosk_config(base)).start(background_sync=False)
    cards: list[str] = []
    core.card_listeners.append(cards.append)
    try:
        core.drain_queue(timeout_s=20)
        tap_until_seen(hall, core, cards, "0A0B0C0D")
        assert cards == ["0A0B0C0D"]
        with pytest.raises(StaffAuthError):
            core.staff.login(cards[0], "123456")
    finally:
        core.stop()
    assert not any("0A0B0C0D" in r.getMessage().upper() for r in caplog.records)
