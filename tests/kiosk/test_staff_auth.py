"""Staff login against a real reference inbox, lockout persisted in a real file, and
the audit trail in a real outbox (SQLite files, no mocks)."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from kiosk.staff import (AUDIT_KIND, StaffAuth, StaffAuthError, StaffSession,
                         staff_reference_item)
from kiosk.staff.auth import LOCK_FOR
from offline_queue.crypto import KioskKeys
from offline_queue.outbox import Outbox
from offline_queue.reference import ReferenceInbox
from offline_queue.wire import ReferenceItem, ReferencePage

UID = "04A2B3C4D5E6F7"
PIN = "135790"
T0 = datetime(2024, 5, 6, 9, 0, tzinfo=timezone.utc)


@dataclass
class FakeTime:  # the injected clock (time itself, not a boundary)
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Kiosk:
    inbox: ReferenceInbox
    outbox: Outbox
    state: Path
    clock: FakeTime
    uuids: list[str] = field(default_factory=list)
    seq: int = 0

    def audit(self, event: str, payload: dict[str, Any]) -> None:
        self.uuids.append(self.outbox.enqueue(AUDIT_KIND, payload).uuid)

    def auth(self) -> StaffAuth:
        return StaffAuth(self.inbox, self.state, self.audit, clock=self.clock)

    def provision(self, item: dict[str, Any] | None = None, *, deleted_key: str = "") -> None:
        self.seq += 1
        if deleted_key:
            wire = ReferenceItem(id=self.seq, kind="staff", key=deleted_key, deleted=True,
                                 updated_seq=self.seq)
        else:
            assert item is not None
            wire = ReferenceItem(id=self.seq, updated_seq=self.seq, **item)
        self.inbox.apply(ReferencePage(items=[wire], next_cursor=self.seq))

    def audit_payloads(self) -> list[dict[str, Any]]:
        views = [self.outbox.get(u) for u in self.uuids]
        assert all(v is not None and v.kind == AUDIT_KIND for v in views)
        return [v.payload for v in views if v is not None and v.payload is not None]

    def events(self) -> list[str]:
        return [p["event"] for p in self.audit_payloads()]


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[Kiosk]:
    inbox = ReferenceInbox(tmp_path / "reference.sqlite3")
    outbox = Outbox(tmp_path / "outbox.sqlite3", "K-staff", KioskKeys.generate())
    k = Kiosk(inbox, outbox, tmp_path / "staff-lockout.json", FakeTime())
    k.provision(staff_reference_item("S001", ["hall", "technician"], UID, PIN))
    yield k
    inbox.close()
    outbox.close()


def refused(auth: StaffAuth, uid: str, pin: str) -> StaffAuthError:
    with pytest.raises(StaffAuthError) as info:
        auth.login(uid, pin)
    return info.value


def test_a_known_card_with_its_pin_logs_in(kiosk: Kiosk) -> None:
    auth = kiosk.auth()
    assert auth.knows_card(UID) and auth.knows_card("04:a2:b3:c4:d5:e6:f7")
    assert not auth.knows_card("11223344") and not auth.knows_card("garbage")
    assert kiosk.uuids == []  # knows_card audits nothing
    session = auth.login("04-a2-b3-c4-d5-e6-f7", PIN)
    assert session == StaffSession("S001", ("hall", "technician"), T0)
    assert kiosk.events() == ["login"]


def test_unknown_cards_are_refused_and_audited(kiosk: Kiosk) -> None:
    auth = kiosk.auth()
    assert refused(auth, "11223344", PIN).code == "staff.unknown_card"
    assert refused(auth, "not a card", PIN).code == "staff.unknown_card"
    assert kiosk.events() == ["unknown_card", "unknown_card"]
    first = kiosk.audit_payloads()[0]
    assert first["staff_id"] is None and len(first["detail"]["card"]) == 12


def test_wrong_pins_count_down_then_lock_the_card(kiosk: Kiosk) -> None:
    auth = kiosk.auth()
    for left in (4, 3, 2, 1):
        error = refused(auth, UID, "000000")
        assert (error.code, error.attempts_left, error.locked_until) == \
            ("staff.bad_pin", left, None)
    error = refused(auth, UID, "000000")
    assert error.code == "staff.locked" and error.attempts_left == 0
    assert error.locked_until == T0 + timedelta(minutes=15)
    # Locked: even the right PIN is refused.
    again = refused(auth, UID, PIN)
    assert again.code == "staff.locked" and again.locked_until == error.locked_until
    assert kiosk.events() == ["wrong_pin"] * 5 + ["lockout", "locked"]
    # The state file names the card by its digest only.
    text = kiosk.state.read_text(encoding="utf-8")
    assert UID not in text.upper() and PIN not in text


def test_a_lock_survives_a_restart_and_ends_after_15_minutes(kiosk: Kiosk) -> None:
    auth = kiosk.auth()
    for _ in range(5):
        refused(auth, UID, "000000")
    restarted = kiosk.auth()  # a new StaffAuth on the same state file
    kiosk.clock.now = T0 + timedelta(minutes=14, seconds=59)
    assert refused(restarted, UID, PIN).code == "staff.locked"
    kiosk.clock.now = T0 + timedelta(minutes=15)
    assert restarted.login(UID, PIN).staff_id == "S001"
    assert json.loads(kiosk.state.read_text(encoding="utf-8")) == {}


def test_an_expired_lock_gives_five_fresh_attempts(kiosk: Kiosk) -> None:
    auth = kiosk.auth()
    for _ in range(5):
        refused(auth, UID, "000000")
    kiosk.clock.now = T0 + timedelta(minutes=20)
    assert refused(auth, UID, "000000").attempts_left == 4


def test_success_resets_the_counter(kiosk: Kiosk) -> None:
    auth = kiosk.auth()
    for _ in range(4):
        refused(auth, UID, "000000")
    auth.login(UID, PIN)
    assert refused(kiosk.auth(), UID, "000000").attempts_left == 4


def test_a_pin_format_error_is_not_an_attempt(kiosk: Kiosk) -> None:
    auth = kiosk.auth()
    for _ in range(6):
        assert refused(auth, UID, "12").code == "staff.pin_format"
    assert refused(auth, UID, "000000").attempts_left == 4


def test_a_corrupt_state_file_locks_sign_in_for_the_lock_period(
        kiosk: Kiosk, caplog: pytest.LogCaptureFixture) -> None:
    # Fail closed: a damaged counter file never reads as "no failures".
    kiosk.state.write_text("{not json", encoding="utf-8")
    auth = kiosk.auth()
    error = refused(auth, UID, PIN)  # even the right PIN
    assert (error.code, error.locked_until) == ("staff.kiosk_locked", T0 + LOCK_FOR)
    assert any("corrupt" in r.getMessage() for r in caplog.records)
    assert kiosk.state.with_name("staff-lockout.json.corrupt").read_text() == "{not json"
    kiosk.clock.now = T0 + LOCK_FOR - timedelta(seconds=1)
    assert refused(auth, UID, PIN).code == "staff.kiosk_locked"  # survives a restart too
    assert refused(kiosk.auth(), UID, PIN).code == "staff.kiosk_locked"
    assert kiosk.events() == ["locked"] * 3
    assert kiosk.audit_payloads()[0]["detail"]["kiosk_wide"] is True
    kiosk.clock.now = T0 + LOCK_FOR
    assert auth.login(UID, PIN).staff_id == "S001"
    kiosk.state.write_text('{"k": {"failures": "x"}}', encoding="utf-8")
    assert refused(auth, UID, PIN).code == "staff.kiosk_locked"


def test_a_withdrawn_account_can_no_longer_log_in(kiosk: Kiosk) -> None:
    auth = kiosk.auth()
    item = staff_reference_item("S001", ["hall"], UID, PIN)
    auth.login(UID, PIN)
    kiosk.provision(deleted_key=item["key"])
    assert not auth.knows_card(UID)
    assert refused(auth, UID, PIN).code == "staff.unknown_card"


def test_a_malformed_account_is_ignored(kiosk: Kiosk) -> None:
    item = staff_reference_item("S002", ["hall"], "11223344", PIN)
    item["body"]["roles"] = ["boss"]
    kiosk.provision(item)
    auth = kiosk.auth()
    assert not auth.knows_card("11223344")
    assert refused(auth, "11223344", PIN).code == "staff.unknown_card"
    broken = staff_reference_item("S003", ["hall"], "55667788", PIN)
    broken["body"]["pin"] = "scrypt$99999999$8$1$AAAA$AAAA"
    kiosk.provision(broken)
    assert refused(auth, "55667788", PIN).code == "staff.bad_pin"


def test_audit_records_hold_neither_pin_nor_uid(kiosk: Kiosk) -> None:
    auth = kiosk.auth()
    refused(auth, "99887766", PIN)
    refused(auth, UID, "975310")
    session = auth.login(UID, PIN)
    auth.record(session, "test_print", {"printer": "receipt_printer"})
    kiosk.clock.now = T0 + timedelta(minutes=3)
    auth.logout(session, "idle")
    with pytest.raises(ValueError):
        auth.logout(session, "because")
    payloads = kiosk.audit_payloads()
    assert [p["event"] for p in payloads] == ["unknown_card", "wrong_pin", "login", "action",
                                             "logout"]
    assert all(set(p) == {"event", "staff_id", "at", "detail"} for p in payloads)
    assert payloads[3]["detail"] == {"action": "test_print", "printer": "receipt_printer"}
    assert payloads[4]["detail"] == {"reason": "idle", "duration_s": 180.0}
    assert payloads[2]["staff_id"] == "S001" and payloads[2]["at"] == T0.isoformat()
    text = json.dumps(payloads).upper()
    for secret in (UID, "99887766", PIN, "975310"):
        assert secret not in text
    assert kiosk.outbox.verify_chain() == []


def test_no_login_without_its_audit_record(kiosk: Kiosk) -> None:
    def broken(event: str, payload: dict[str, Any]) -> None:
        raise OSError("disk full")

    auth = StaffAuth(kiosk.inbox, kiosk.state, broken, clock=kiosk.clock)
    with pytest.raises(OSError):
        auth.login(UID, PIN)
