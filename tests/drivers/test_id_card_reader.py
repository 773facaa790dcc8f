"""The ID card reader driver and `kiosk devices read-id` against the simulated reader on a
real pty pair: speed probing, no card, a card pulled mid-read, a silent reader, noise,
slow replies, unplug, concurrency."""
from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from drivers.base import DeviceState
from drivers.errors import DeviceCondition, DeviceError, DeviceErrorCode
from drivers.id_card.reader import IdCardReader
from drivers.simulators.id_card_sim import SAMPLE_RECORD, SimulatedIdCardReader
from kiosk.commands import devices_idcard

FULL_ID = SAMPLE_RECORD["id_number"]
MASKED_ID = "110***********002X"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sim():
    s = SimulatedIdCardReader()
    yield s
    s.close()


@pytest.fixture
def reader(sim):
    statuses: list = []
    drv = IdCardReader(sim.connection, timeout_s=1.0, on_status=statuses.append)
    drv.statuses = statuses  # type: ignore[attr-defined]
    yield drv
    drv.close()


def raises(fn, *args, **kw) -> DeviceError:  # type: ignore[no-untyped-def]
    with pytest.raises(DeviceError) as info:
        fn(*args, **kw)
    return info.value


# -- reading ----------------------------------------------------------------------------


def test_reads_the_card_at_115200(sim, reader) -> None:
    sim.insert_card()
    record = reader.open().read_card()
    assert reader.baudrate == 115200
    assert record.name == "买买提·艾力" and record.id_number == FULL_ID
    assert record.valid_until is None and record.nation == "汉"
    assert record.photo == b""  # not asked for: not kept
    assert reader.state is DeviceState.IDLE
    assert reader.statistics["cards_read"] == 1
    assert sim.requests == [(0x11, 0xFF), (0x20, 0x01), (0x20, 0x02), (0x30, 0x01)]


def test_photo_only_when_asked(sim, reader) -> None:
    sim.insert_card()
    photo = reader.read_card(include_photo=True).photo  # read_card opens by itself
    assert len(photo) == 1024


@pytest.mark.parametrize("suffix", ["?baudrate=115200", "", "?baudrate=19200"])
def test_probe_finds_a_9600_reader_whatever_the_config_says(suffix: str) -> None:
    with SimulatedIdCardReader(baudrate=9600) as sim:
        sim.insert_card()
        with IdCardReader(f"serial://{sim.path}{suffix}", probe_timeout_s=0.2) as drv:
            assert drv.baudrate == 9600
            assert drv.read_card().id_number == FULL_ID
        assert sim.ignored_wrong_speed >= 1  # the simulator heard the wrong speeds


def test_the_configured_speed_is_tried_first() -> None:
    with SimulatedIdCardReader(baudrate=9600) as sim:
        with IdCardReader(f"serial://{sim.path}?baudrate=9600") as drv:
            assert drv.baudrate == 9600
        assert sim.ignored_wrong_speed == 0


def test_no_card(sim, reader) -> None:
    error = raises(reader.read_card)
    assert (error.code, error.condition) == (DeviceErrorCode.FAILURE, DeviceCondition.NO_CARD)
    assert reader.state is DeviceState.IDLE and reader.is_open  # the reader itself is fine
    sim.insert_card()
    assert reader.read_card().id_number == FULL_ID


def test_a_card_that_was_just_read_is_read_again(sim, reader) -> None:
    sim.halt_after_read = True  # find says "no card", select still works
    sim.insert_card()
    assert reader.read_card().id_number == FULL_ID
    assert reader.read_card().id_number == FULL_ID
    sim.remove_card()
    assert raises(reader.read_card).condition is DeviceCondition.NO_CARD


def test_card_pulled_mid_read(sim, reader) -> None:
    sim.insert_card()
    sim.pull_mid_read = True
    start = time.monotonic()
    error = raises(reader.read_card)
    assert time.monotonic() - start < 1.0  # the gap in the frame, not the full deadline
    assert error.condition is DeviceCondition.CARD_REMOVED
    assert "removed" in error.message and "647 of 1295" in error.message
    assert not sim.has_card
    assert raises(reader.read_card).condition is DeviceCondition.NO_CARD


def test_mute_reader_times_out_within_the_deadline(sim) -> None:
    sim.insert_card()
    drv = IdCardReader(sim.connection, timeout_s=0.5, probe_timeout_s=0.2)
    drv.open()
    sim.mute = True
    start = time.monotonic()
    error = raises(drv.read_card)
    assert 0.45 < time.monotonic() - start < 1.5
    assert error.code is DeviceErrorCode.TIMEOUT and error.condition is None
    assert drv.state is DeviceState.OFFLINE and not drv.is_open
    sim.mute = False  # it comes back: the next read reopens and probes
    assert drv.read_card().id_number == FULL_ID
    drv.close()


def test_mute_from_the_start_fails_open_after_probing_every_speed(sim) -> None:
    sim.mute = True
    drv = IdCardReader(sim.connection, probe_timeout_s=0.2)
    start = time.monotonic()
    error = raises(drv.open)
    assert time.monotonic() - start < 1.2  # 115200 and 9600, 0.2 s each
    assert error.code is DeviceErrorCode.TIMEOUT and "115200, 9600" in error.message
    assert drv.state is DeviceState.OFFLINE


def test_silence_while_reading_means_the_card_went_away(sim) -> None:
    sim.insert_card()
    drv = IdCardReader(sim.connection, timeout_s=0.3).open()
    original = sim._handle

    def mute_on_read(cmd: int, para: int):  # type: ignore[no-untyped-def]
        return None if (cmd, para) == (0x30, 0x01) else original(cmd, para)

    sim._handle = mute_on_read  # type: ignore[method-assign]
    error = raises(drv.read_card)
    assert error.code is DeviceErrorCode.TIMEOUT
    assert error.condition is DeviceCondition.CARD_REMOVED
    drv.close()


def test_noise_before_every_reply_is_tolerated(sim, reader) -> None:
    sim.insert_card()
    sim.garbage = True
    for _ in range(5):
        assert reader.read_card().id_number == FULL_ID


def test_slow_replies_within_the_deadline(sim, reader) -> None:
    sim.insert_card()
    reader.open()
    sim.slow_s = 0.3
    assert reader.read_card().id_number == FULL_ID
    sim.slow_s = 1.5  # beyond the 1 s deadline
    assert raises(reader.read_card).code is DeviceErrorCode.TIMEOUT


@pytest.mark.parametrize("card_type", ["foreigner", "foreigner_2023", "hmt"])
def test_other_card_types_fail_clearly(sim, reader, card_type: str) -> None:
    sim.card_type = card_type
    sim.insert_card()
    error = raises(reader.read_card)
    assert (error.code, error.condition) == (DeviceErrorCode.ILLEGAL,
                                             DeviceCondition.CARD_UNSUPPORTED)
    assert "unsupported card type" in error.message
    assert reader.state is DeviceState.IDLE


def test_failed_self_test_is_reported_at_open(sim) -> None:
    sim.status_sw3 = 0x60
    drv = IdCardReader(sim.connection)
    error = raises(drv.open)
    assert error.code is DeviceErrorCode.FAILURE and "self-test" in error.message
    assert drv.state is DeviceState.ERROR


def test_unplug_and_replug() -> None:
    with SimulatedIdCardReader(stable_link=True) as sim:
        sim.insert_card()
        drv = IdCardReader(sim.connection, timeout_s=0.5, probe_timeout_s=0.2)
        assert drv.read_card().id_number == FULL_ID
        sim.unplug()
        error = raises(drv.read_card)
        assert error.code is DeviceErrorCode.OFFLINE
        assert drv.state is DeviceState.OFFLINE
        sim.replug()
        sim.insert_card()
        assert drv.read_card().id_number == FULL_ID
        assert drv.statistics["opens"] == 2
        drv.close()


def test_missing_port_is_offline() -> None:
    drv = IdCardReader("serial:///dev/does-not-exist-idcard")
    assert raises(drv.open).code is DeviceErrorCode.OFFLINE
    assert drv.state is DeviceState.OFFLINE


def test_only_serial_connections() -> None:
    with pytest.raises(ValueError):
        IdCardReader("tcp://127.0.0.1:9100")


def test_concurrent_reads_are_serialised(sim, reader) -> None:
    sim.insert_card()
    results: list[object] = []

    def work() -> None:
        for _ in range(5):
            try:
                results.append(reader.read_card().id_number)
            except DeviceError as exc:  # pragma: no cover - would be the bug
                results.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == [FULL_ID] * 20
    commands = sim.requests[1:]  # after the status probe: find, select, read, 20 times
    assert commands == [(0x20, 0x01), (0x20, 0x02), (0x30, 0x01)] * 20


def test_no_personal_data_in_statuses_or_logs(sim, reader, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    sim.insert_card()
    record = reader.read_card()
    sim.pull_mid_read = True
    sim.insert_card()
    raises(reader.read_card)
    text = caplog.text + " ".join(s.message for s in reader.statuses) + repr(record)
    for secret in (FULL_ID, "买买提", "建国路", "19491231"):
        assert secret not in text


# -- kiosk devices read-id --------------------------------------------------------------


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    parser = argparse.ArgumentParser(prog="kiosk devices")
    devices_idcard.add_read_id(parser.add_subparsers(dest="devices_command", required=True))
    args = parser.parse_args(argv)
    code = args.func(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_prints_masked_fields_by_default(sim, capsys) -> None:
    sim.insert_card()
    code, out, _ = run_cli(["read-id", "--port", sim.connection], capsys)
    assert code == 0
    assert MASKED_ID in out and FULL_ID not in out
    assert "买买提" not in out and "19491231" not in out and "1949-12-31" not in out
    assert "公民身份号码 / ID number" in out and "男 (male)" in out and "长期" in out


def test_cli_unmasked_and_plain_path(sim, capsys) -> None:
    sim.insert_card()
    code, out, _ = run_cli(["read-id", "--port", sim.path, "--unmasked", "--photo"], capsys)
    assert code == 0 and FULL_ID in out and "买买提·艾力" in out and "1024 bytes" in out


def test_cli_json(sim, capsys) -> None:
    sim.insert_card()
    code, out, _ = run_cli(["read-id", "--port", sim.connection, "--json"], capsys)
    data = json.loads(out)
    assert code == 0
    assert {"name", "gender", "nation", "birth", "address", "id_number", "authority",
            "valid_from", "valid_until"} <= set(data)
    assert data["id_number"] == MASKED_ID and data["valid_until"] == "长期"
    code, out, _ = run_cli(["read-id", "--port", sim.connection, "--json", "--unmasked"],
                           capsys)
    data = json.loads(out)
    assert data["id_number"] == FULL_ID and data["birth"] == "1949-12-31"
    assert data["gender"] == "男" and data["nation"] == "汉"


def test_cli_exit_codes(sim, capsys) -> None:
    code, out, err = run_cli(["read-id", "--port", sim.connection, "--json"], capsys)
    assert code == 2 and json.loads(out)["condition"] == "no_card"
    assert "no card" in err and "Place the ID card" in err
    sim.card_type = "foreigner"
    sim.insert_card()
    code, _, err = run_cli(["read-id", "--port", sim.connection], capsys)
    assert code == 3 and "unsupported card type" in err
    sim.mute = True
    code, _, err = run_cli(["read-id", "--port", sim.connection, "--timeout", "0.2"], capsys)
    assert code == 3 and "no ID card reader answered" in err
    code, _, err = run_cli(["read-id", "--port", "serial:///dev/no-such-reader"], capsys)
    assert code == 3 and "cannot open" in err
    code, _, err = run_cli(["read-id", "--port", "bogus://x"], capsys)
    assert code == 3


def test_cli_through_python_m_kiosk(sim) -> None:
    sim.insert_card()
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "devices", "read-id", "--port", sim.connection, "--json"],
        capture_output=True, text=True, timeout=60, env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["id_number"] == MASKED_ID
    sim.remove_card()
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "devices", "read-id", "--port", sim.connection],
        capture_output=True, text=True, timeout=60, env=env, cwd=ROOT)
    assert result.returncode == 2 and FULL_ID not in result.stdout + result.stderr


def test_health_check(sim, reader) -> None:
    reader.health_check()  # opens, asks status
    assert reader.state is DeviceState.IDLE
    sim.status_sw3 = 0x66
    error = raises(reader.health_check)
    assert error.code is DeviceErrorCode.FAILURE and "not authorised" in error.message
    assert reader.state is DeviceState.ERROR


def test_cli_refuses_a_card_whose_number_fails_the_rules(sim, capsys) -> None:  # type: ignore[no-untyped-def]
    """The reader checks the number's shape only; `read-id` applies GB 11643 (the
    kiosk's rule) and names no personal data in its refusal."""
    sim.insert_card({"id_number": "110101199003074478"})  # wrong check character
    code, out, err = run_cli(["read-id", "--port", sim.connection, "--json"], capsys)
    assert code != 0 and "fails its rules" in err
    assert "110101199003074478" not in out + err and "买买提" not in out + err
