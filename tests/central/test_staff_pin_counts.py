"""The central service's wrong-PIN count per card (central.staff_pins): 5 wrong PINs
lock the card for 15 minutes, each further lock without a good PIN lasts twice as
long (at most 24 h), a good PIN after a lock starts afresh. Real database files,
with the clock passed in."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from central.db import StaffPinState, create_schema, make_engine
from central.staff_pins import MAX_LOCK, check_staff_pin, lock_duration
from offline_queue.pins import hash_pin

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
CARD = "a" * 64
PIN = "7531902"


@pytest.fixture(scope="module")
def account() -> dict[str, Any]:
    return {"staff_id": "S001", "roles": ["hall"], "pin": hash_pin(PIN)}


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    create_schema(engine)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


def test_lock_durations_double_up_to_a_day() -> None:
    assert [lock_duration(n) for n in (1, 2, 3, 7)] == [
        timedelta(minutes=15), timedelta(minutes=30), timedelta(hours=1),
        timedelta(hours=16)]
    assert lock_duration(8) == lock_duration(1000) == MAX_LOCK == timedelta(hours=24)


def test_locks_grow_until_a_good_pin_and_then_start_afresh(
        sessions: sessionmaker[Session], account: dict[str, Any]) -> None:
    def check(pin: str, now: datetime) -> dict[str, Any]:
        return check_staff_pin(sessions, CARD, pin, account, now)

    assert [check("0000000", T0)["attempts_left"] for _ in range(4)] == [4, 3, 2, 1]
    first = check("0000000", T0)
    assert first == {"result": "locked", "attempts_left": 0,
                     "locked_until": (T0 + timedelta(minutes=15)).isoformat()}
    # While locked even the right PIN is refused and nothing is counted.
    assert check(PIN, T0 + timedelta(minutes=14))["result"] == "locked"
    # After the lock: a fresh count of 5, and the next lock lasts 30 minutes.
    later = T0 + timedelta(minutes=16)
    for _ in range(4):
        check("0000000", later)
    assert check("0000000", later)["locked_until"] == \
        (later + timedelta(minutes=30)).isoformat()
    # A good PIN after the lock: signed in, and the record of this card is gone.
    ok = check(PIN, later + timedelta(minutes=31))
    assert ok == {"result": "ok", "staff_id": "S001", "roles": ["hall"]}
    with sessions() as session:
        assert session.execute(select(StaffPinState)).scalars().all() == []
    assert check("0000000", later + timedelta(minutes=32))["attempts_left"] == 4


def test_a_malformed_stored_hash_counts_as_a_wrong_pin(
        sessions: sessionmaker[Session]) -> None:
    broken = {"staff_id": "S002", "roles": ["hall"], "pin": "scrypt$1$1$1$x$y"}
    assert check_staff_pin(sessions, CARD, PIN, broken, T0)["result"] == "wrong"
