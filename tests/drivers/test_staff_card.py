"""The staff card reader against a simulated RFID reader on a real pty pair."""
from __future__ import annotations

import queue
import time

import pytest

from drivers.base import DeviceState
from drivers.staff_card import StaffCardReader, normalise_uid
from drivers.simulators.staff_card_sim import SimulatedStaffCardReader


@pytest.mark.parametrize("text,uid", [
    ("04A2B3C4", "04A2B3C4"),  # 4 bytes
    ("04a2b3c4d5e6f7", "04A2B3C4D5E6F7"),  # 7 bytes, lower case
    ("0102030405060708090A", "0102030405060708090A"),  # 10 bytes
    ("04:A2:B3:C4", "04A2B3C4"),
    (" 04 A2 B3 C4 ", "04A2B3C4"),
])
def test_valid_uids(text: str, uid: str) -> None:
    assert normalise_uid(text) == uid


@pytest.mark.parametrize("text", [
    "", "04A2B3", "04A2B3C", "0102030405060708090A0B", "04A2B3G4", "１２３４５６７８", "0x04A2B3C4",
])
def test_invalid_uids(text: str) -> None:
    assert normalise_uid(text) is None


@pytest.fixture
def sim():
    s = SimulatedStaffCardReader(stable_link=True)
    yield s
    s.close()


@pytest.fixture
def cards():
    return queue.Queue()


@pytest.fixture
def reader(sim, cards):
    drv = StaffCardReader(sim.connection, cards.put, debounce_s=0.5)
    drv.start()
    yield drv
    drv.stop()


def test_a_tap_gives_the_uid(sim, reader, cards) -> None:
    assert reader.state is DeviceState.IDLE
    sim.tap("04a2b3c4")
    assert cards.get(timeout=2) == "04A2B3C4"
    assert reader.statistics["cards"] == 1


def test_noise_and_bad_lines_are_ignored(sim, reader, cards) -> None:
    sim.send_raw(b"\x00\xff\r\n")
    sim.send_raw(b"HELLO WORLD\r\n")
    sim.send_raw(b"04A2B3\r\n")
    sim.tap("0102030405060708090A")
    assert cards.get(timeout=2) == "0102030405060708090A"
    assert reader.statistics["invalid_uids"] >= 2
    assert cards.empty()


def test_a_card_left_on_the_reader_is_one_tap(sim, reader, cards) -> None:
    for _ in range(3):
        sim.tap("04A2B3C4")
    sim.tap("11223344")
    assert [cards.get(timeout=2), cards.get(timeout=2)] == ["04A2B3C4", "11223344"]
    assert reader.statistics["repeats"] == 2
    time.sleep(0.6)  # lifted and laid again after the debounce time
    sim.tap("11223344")
    assert cards.get(timeout=2) == "11223344"


def test_unplug_and_replug(sim, reader, cards) -> None:
    sim.unplug()
    deadline = time.monotonic() + 2
    while reader.state is not DeviceState.OFFLINE and time.monotonic() < deadline:
        time.sleep(0.02)
    assert reader.state is DeviceState.OFFLINE
    sim.replug()
    deadline = time.monotonic() + 4
    while reader.state is not DeviceState.IDLE and time.monotonic() < deadline:
        time.sleep(0.02)
    assert reader.state is DeviceState.IDLE
    sim.tap("A1B2C3D4")
    assert cards.get(timeout=2) == "A1B2C3D4"


def test_uids_are_not_logged(sim, reader, cards, caplog) -> None:
    caplog.set_level("DEBUG")
    sim.tap("DEADBEEF")
    sim.send_raw(b"CAFE\r\n")
    assert cards.get(timeout=2) == "DEADBEEF"
    time.sleep(0.1)
    assert "DEADBEEF" not in caplog.text and "CAFE" not in caplog.text
