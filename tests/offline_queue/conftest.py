"""Fixtures for the outbox tests: real SQLite files under tmp_path and real keys."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from oq_helpers import KIOSK_ID, FakeCentral, FakeClock

from offline_queue.crypto import KioskKeys
from offline_queue.outbox import Outbox


@pytest.fixture
def keys(tmp_path: Path) -> KioskKeys:
    return KioskKeys.load_or_create(tmp_path / "keys")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "queue" / "outbox.sqlite"


@pytest.fixture
def outbox(db_path: Path, keys: KioskKeys, clock: FakeClock) -> Iterator[Outbox]:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    box = Outbox(db_path, KIOSK_ID, keys, clock=clock)
    yield box
    box.close()


@pytest.fixture
def central(keys: KioskKeys) -> FakeCentral:
    fake = FakeCentral()
    fake.register(KIOSK_ID, keys)
    return fake
