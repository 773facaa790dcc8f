"""StaffAuth with the central service's PIN check: its verdict is final and mirrored
into the local lockout file; the local hash decides only when it gives none. Real
reference inbox, lockout file and outbox (SQLite files); the verdicts are what the
central service answers (its side is tested through a real server in
tests/security/test_enrolment_staff.py)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from kiosk.staff import AUDIT_KIND, StaffAuth, StaffAuthError, card_key, staff_reference_item
from offline_queue.crypto import KioskKeys
from offline_queue.outbox import Outbox
from offline_queue.reference import ReferenceInbox
from offline_queue.wire import PinVerdict, ReferenceItem, ReferencePage

UID = "04A2B3C4D5E6F7"
PIN = "135790"
T0 = datetime(2024, 5, 6, 9, 0, tzinfo=timezone.utc)


class Central:
    """What the kiosk's central check returns: a verdict per call, or None (no
    verdict: unreachable); records what it was asked."""

    def __init__(self) -> None:
        self.verdicts: list[dict[str, Any] | None] = []
        self.asked: list[tuple[str, str]] = []

    def __call__(self, card: str, pin: str) -> PinVerdict | None:
        self.asked.append((card, pin))
        verdict = self.verdicts.pop(0)
        if verdict is None:
            return None
        return PinVerdict(card=card, sent_at=T0.isoformat(), **verdict)


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[StaffAuth, Central, Outbox, Path]]:
    inbox = ReferenceInbox(tmp_path / "reference.sqlite3")
    outbox = Outbox(tmp_path / "outbox.sqlite3", "K-staff", KioskKeys.generate())
    item = staff_reference_item("S001", ["hall"], UID, PIN)
    inbox.apply(ReferencePage(items=[ReferenceItem(id=1, updated_seq=1, **item)],
                              next_cursor=1))
    central = Central()
    state = tmp_path / "staff-lockout.json"
    auth = StaffAuth(inbox, state, lambda _e, p: outbox.enqueue(AUDIT_KIND, p),
                     clock=lambda: T0, central_check=central)
    yield auth, central, outbox, state
    outbox.close()
    inbox.close()


def events(outbox: Outbox) -> list[tuple[str, str | None]]:
    views = [outbox.get(r.uuid) for r in outbox.pending()]
    return [(v.payload["event"], v.payload["detail"].get("checked"))
            for v in views if v is not None and v.payload is not None]


def test_the_central_verdict_decides_and_is_mirrored_locally(
        setup: tuple[StaffAuth, Central, Outbox, Path]) -> None:
    auth, central, outbox, _state = setup
    until = T0 + timedelta(minutes=40)
    central.verdicts = [{"result": "wrong", "attempts_left": 2},
                        {"result": "locked", "attempts_left": 0,
                         "locked_until": until.isoformat()}]
    with pytest.raises(StaffAuthError) as caught:
        auth.login(UID, PIN)  # the local hash would say yes
    assert caught.value.code == "staff.bad_pin" and caught.value.attempts_left == 2
    with pytest.raises(StaffAuthError) as caught:
        auth.login(UID, PIN)
    assert caught.value.code == "staff.locked" and caught.value.locked_until == until
    # The PIN went to the check with the card's key, never the UID.
    assert central.asked == [(card_key(UID), PIN)] * 2
    # Locked locally too: the central is not asked again, even with it gone.
    with pytest.raises(StaffAuthError) as caught:
        auth.login(UID, PIN)
    assert caught.value.code == "staff.locked" and len(central.asked) == 2
    assert events(outbox) == [("wrong_pin", "central"), ("locked", "central"),
                              ("locked", None)]


def test_without_a_verdict_the_local_hash_decides(
        setup: tuple[StaffAuth, Central, Outbox, Path]) -> None:
    auth, central, outbox, _state = setup
    central.verdicts = [None, None, {"result": "ok", "staff_id": "S001",
                                     "roles": ["hall", "technician"]}]
    with pytest.raises(StaffAuthError) as caught:
        auth.login(UID, "000000")
    assert caught.value.code == "staff.bad_pin" and caught.value.attempts_left == 4
    assert auth.login(UID, PIN).roles == ("hall",)  # the local account
    # Online again: the central account (roles changed a minute ago) wins.
    assert auth.login(UID, PIN).roles == ("hall", "technician")
    assert events(outbox) == [("wrong_pin", None), ("login", None),
                              ("login", "central")]


def test_a_card_the_central_does_not_serve_here_is_unknown(
        setup: tuple[StaffAuth, Central, Outbox, Path]) -> None:
    auth, central, _outbox, _state = setup
    central.verdicts = [{"result": "unknown"}]
    with pytest.raises(StaffAuthError) as caught:
        auth.login(UID, PIN)
    assert caught.value.code == "staff.unknown_card"
