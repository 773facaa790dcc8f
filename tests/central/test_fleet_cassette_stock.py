"""Stock per cassette on the fleet page (issue #14 §4), end to end through real
transports: a kiosk core with the simulated invoice dispenser on a real pty, a real
central service on loopback (SQLite file), the kiosk's own signed heartbeat, and
`GET /fleet` with the admin token showing what each cassette holds."""
from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from central_helpers import ADMIN_TOKEN

from central.server import CentralServer
from drivers.base import DeviceState
from kiosk.app import CASSETTE_LOW_SHEETS, KioskCore
from kiosk.config import parse_config
from kiosk.simulation import SimulatedHall

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
DISPENSER = "invoice_dispenser"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[CentralServer]:
    # No enrolment token on loopback: the kiosk is approved when it enrols.
    with CentralServer(f"sqlite:///{tmp_path / 'central.db'}", admin_token=ADMIN_TOKEN) as srv:
        yield srv


@pytest.fixture
def hall(tmp_path: Path, server: CentralServer) -> Iterator[SimulatedHall]:
    h = SimulatedHall(tmp_path / "hall", central_url=server.url).start()
    yield h
    h.stop()


@pytest.fixture
def core(hall: SimulatedHall, tmp_path: Path) -> Iterator[KioskCore]:
    base = parse_config({"data_dir": str(tmp_path / "kiosk"), "kiosk_id": "K-stock-1"})
    base = replace(base, central=replace(base.central, offline_grace_s=0.0))
    c = KioskCore(hall.kiosk_config(base)).start(background_sync=False)
    yield c
    c.stop()


def _wait(predicate: Any, timeout: float = 8.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _remaining(core: KioskCore) -> list[int]:
    return [c["remaining"] for c in core.device_states()[DISPENSER].get("cassettes", [])]


def _chips(html: str) -> list[str]:
    return re.findall(r'<span class="chip stock[^"]*"[^>]*>([^<]*)</span>', html)


def test_the_fleet_page_shows_the_kiosks_stock_per_cassette(
        server: CentralServer, hall: SimulatedHall, core: KioskCore) -> None:
    assert core.devices is not None
    _wait(lambda: core.devices is not None and core.devices.status(DISPENSER).ok)
    sim = hall.dispenser
    # Cassette 2 nearly used up; cassette 1 blocked by a reconciliation difference.
    sim.cassettes[2].next_no = sim.cassettes[2].last - 4  # 5 sheets left
    driver = core.devices.get(DISPENSER)
    driver.journal.block(1, "difference 1, manual checks 0")
    # A read that finds the device busy (the supervisor's own checks) keeps the last
    # stock: wait for a read that saw the change, which the heartbeat then sends.
    _wait(lambda: _remaining(core) == [300, 5, 0, 0])

    core.send_heartbeat()

    with httpx.Client(base_url=server.url, headers=ADMIN, timeout=10.0) as http:
        en = http.get("/fleet", params={"lang": "en"})
        zh = http.get("/fleet", params={"lang": "zh"})
        detail = http.get("/fleet/kiosks/K-stock-1", params={"lang": "en"})
    assert en.status_code == zh.status_code == detail.status_code == 200
    assert _chips(en.text) == ["cassette 1=300 blocked", "cassette 2=5 low",
                               "cassette 3=0", "cassette 4=0"]
    assert _chips(zh.text)[:2] == ["票箱 1=300 已封存待核对", "票箱 2=5 余量低"]
    assert 'title="增值税普通发票 · difference 1, manual checks 0"' in en.text
    assert 'class="chip stock warn" title="通用机打发票"' in en.text
    assert "cassette 2=5 low" in detail.text
    assert 5 <= CASSETTE_LOW_SHEETS

    # The dispenser issues from cassette 2 until it is dry: the next heartbeat says so.
    sim.cassettes[2].next_no = sim.cassettes[2].last + 1
    _wait(lambda: _remaining(core) == [300, 0, 0, 0])
    core.send_heartbeat()
    with httpx.Client(base_url=server.url, headers=ADMIN, timeout=10.0) as http:
        en = http.get("/fleet", params={"lang": "en"})
    assert "cassette 2=0 empty" in _chips(en.text)


def test_a_busy_dispenser_does_not_hold_the_heartbeat(hall: SimulatedHall,
                                                      core: KioskCore) -> None:
    """The heartbeat runs on the sync thread: while a command holds the dispenser it
    sends the last stock read at once instead of waiting for the device."""
    assert core.devices is not None
    _wait(lambda: core.devices is not None and core.devices.status(DISPENSER).ok)
    # The first read may find the device busy (its start-up checks): no stock yet.
    _wait(lambda: "cassettes" in core.device_states()[DISPENSER])
    first = core.device_states()[DISPENSER]["cassettes"]
    assert [c["remaining"] for c in first] == [300, 300, 0, 0]

    hall.dispenser.slow_s = 0.5  # every reply takes half a second
    hall.dispenser.cassettes[1].next_no += 10
    driver = core.devices.get(DISPENSER)
    holder = threading.Thread(target=driver.cassettes)  # 4 slow exchanges: ~2 s held
    holder.start()
    try:
        time.sleep(0.2)
        start = time.monotonic()
        states = core.device_states()
        took = time.monotonic() - start
    finally:
        holder.join()
    assert took < 0.3, took
    assert states[DISPENSER]["cassettes"] == first  # the last stock read

    hall.dispenser.slow_s = 0.0
    _wait(lambda: _remaining(core)[:1] == [290])  # a read that is not held sees it
    # A dispenser the supervisor reports offline is not asked at all.
    hall.set_fault(DISPENSER, "unplug")
    _wait(lambda: core.devices is not None
          and core.devices.status(DISPENSER).state is DeviceState.OFFLINE)
    start = time.monotonic()
    assert core.device_states()[DISPENSER]["cassettes"][0]["remaining"] == 290
    assert time.monotonic() - start < 0.3
    hall.restore(DISPENSER)
