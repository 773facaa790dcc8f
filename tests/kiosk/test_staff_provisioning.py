"""Provisioning staff accounts on the central service and logging in at a kiosk:
`kiosk central --add-staff`, the kiosk's sync (the accounts come through the signed,
encrypted staff endpoint, never the public reference feed), login, and the audit
records reaching the central service; the demo staff account. Real server on loopback,
real files."""
from __future__ import annotations

import argparse
import io
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from central import cli
from central.db import ReferenceItem, create_schema, make_engine
from central.demo_data import DEMO_STAFF_ITEM
from central.server import CentralServer
from kiosk.app import KioskCore
from kiosk.central_client import CentralUnavailable
from kiosk.config import parse_config
from kiosk.simulation import SimulatedHall
from kiosk.simulation.demo import (DEMO_STAFF_CARD_UID, DEMO_STAFF_ID, DEMO_STAFF_PIN,
                                   DEMO_STAFF_ROLES)
from kiosk.staff import AUDIT_KIND, StaffAuthError, card_key, check_pin
from offline_queue.crypto import KioskKeys
from offline_queue.reference import ReferenceInbox
from offline_queue.wire import ReferenceItem as WireReferenceItem
from offline_queue.wire import ReferencePage

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


def stored_items(db_url: str) -> list[tuple[str, str, int, bool]]:
    """(kind, key, updated_seq, deleted) of every reference row in the central database
    (staff rows are not in the public feed, so the tests look here)."""
    engine = make_engine(db_url)
    try:
        create_schema(engine)
        with Session(engine) as session:
            rows = session.execute(select(ReferenceItem).order_by(ReferenceItem.updated_seq)
                                   ).scalars().all()
            return [(r.kind, r.key, r.updated_seq, r.deleted) for r in rows]
    finally:
        engine.dispose()


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
    assert stored_items(db_url) == []


def test_add_staff_then_a_kiosk_syncs_logs_in_and_reports_its_audit(
        tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    notice = tmp_path / "notice.json"
    notice.write_text('{"kind": "announcement", "key": "a1", "body": {"zh": "通知"}}',
                      encoding="utf-8")
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    assert cli.main(parser.parse_args(["--db", db_url, "--add-reference", str(notice)])) == 0
    assert add_staff(db_url, PIN + "\r\n", "--staff-id", "S001", "--role", "hall",
                     "--role", "technician", "--card", UID, monkeypatch=monkeypatch) == 0
    out = capsys.readouterr()
    assert "stored staff account S001" in out.out
    for text in (out.out, out.err):
        assert "04A1B2C3" not in text.replace(":", "") and PIN not in text
    assert stored_items(db_url) == [("announcement", "a1", 1, False),
                                    ("staff", card_key(UID), 2, False)]
    with CentralServer(db_url, admin_token=ADMIN_TOKEN) as server, \
            httpx.Client(base_url=server.url, timeout=10.0) as http:
        # The public feed: the announcement flows, the staff account (PIN hash) never.
        feed = http.get("/v1/reference", params={"cursor": 0}).json()
        assert [(i["kind"], i["key"]) for i in feed["items"]
                if i["kind"] != "certificate_key"] == [("announcement", "a1")]
        # The cursor ends on the last public item (the service's own certificate key,
        # seeded at its first start, comes after the staff row).
        assert feed["next_cursor"] == feed["items"][-1]["updated_seq"]
        assert card_key(UID) not in str(feed)
        assert "scrypt" not in str(feed)
        core = start_core(tmp_path, server.url)
        try:
            assert not core.staff.knows_card(UID)  # not synced yet
            assert core.drain_queue(timeout_s=20).error is None
            assert core.staff.knows_card(UID)
            assert core.reference.get("announcement", "a1") is not None
            assert core.reference.cursor() == feed["next_cursor"]  # staff seqs are not deltas
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

            # An answer this kiosk cannot decrypt (not its enrolled data key) is refused
            # and changes nothing.
            real_keys = core.keys
            core.keys = KioskKeys(real_keys.signing_key, KioskKeys.generate().data_key)
            with pytest.raises(CentralUnavailable, match="unreadable staff accounts"):
                core.download_staff()
            core.keys = real_keys
            assert core.staff.knows_card(UID)

            # The account is withdrawn centrally: after the next forced pass it is gone.
            response = http.post("/v1/admin/reference", headers=ADMIN, json={
                "kind": "staff", "key": card_key(UID), "deleted": True})
            assert response.status_code == 200, response.text
            assert core.drain_queue(timeout_s=20).error is None
            with pytest.raises(StaffAuthError) as info:
                core.staff.login(UID, PIN)
            assert info.value.code == "staff.unknown_card"
            assert core.reference.get("announcement", "a1") is not None
        finally:
            core.stop()


def test_replace_kind_swaps_one_kind_and_keeps_the_cursor(tmp_path: Path) -> None:
    inbox = ReferenceInbox(tmp_path / "inbox.sqlite3")
    try:
        inbox.apply(ReferencePage(items=[WireReferenceItem(
            id=1, kind="announcement", key="a1", body={"zh": "通知"}, updated_seq=7)],
            next_cursor=7))
        assert inbox.replace_kind("staff", {"k1": {"n": 1}, "k2": {"n": 2}}) == 2
        assert inbox.replace_kind("staff", {"k1": {"n": 1}, "k2": {"n": 2}}) == 0
        assert inbox.replace_kind("staff", {"k2": {"n": 3}, "k3": {"n": 4}}) == 3
        assert [(e.key, e.body) for e in inbox.items("staff")] == [
            ("k2", {"n": 3}), ("k3", {"n": 4})]
        assert inbox.replace_kind("staff", {}) == 2 and inbox.items("staff") == []
        assert [e.key for e in inbox.items()] == ["a1"] and inbox.cursor() == 7
    finally:
        inbox.close()


def test_the_demo_staff_item_matches_the_demo_constants() -> None:
    assert DEMO_STAFF_ITEM["key"] == card_key(DEMO_STAFF_CARD_UID)
    body = DEMO_STAFF_ITEM["body"]
    assert body["staff_id"] == DEMO_STAFF_ID and tuple(body["roles"]) == DEMO_STAFF_ROLES
    assert check_pin(DEMO_STAFF_PIN, body["pin"])


def test_demo_central_provisions_the_demo_staff_once(db_url: str) -> None:
    seqs: list[int] = []
    for _ in range(2):  # a restart does not change it again
        with CentralServer(db_url, demo_data=True, demo_staff=True) as server, \
                httpx.Client(base_url=server.url) as http:
            feed = http.get("/v1/reference", params={"cursor": 0}).json()["items"]
            assert not [i for i in feed if i["kind"] == "staff"]
        staff_rows = [r for r in stored_items(db_url) if r[0] == "staff"]
        assert [(kind, key, deleted) for kind, key, _seq, deleted in staff_rows] == [
            ("staff", DEMO_STAFF_ITEM["key"], False)]  # once: a restart changes nothing
        seqs.append(staff_rows[0][2])
    assert seqs[0] == seqs[1]


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
