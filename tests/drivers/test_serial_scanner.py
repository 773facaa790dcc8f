"""The serial scanner driver against a simulated scanner on a real pty pair."""
import queue
import time

import pytest

from drivers.base import DeviceState
from drivers.serial_scanner import SerialScanner, decode_scan
from drivers.simulators.serial_scanner_sim import SimulatedSerialScanner


@pytest.fixture
def sim():
    s = SimulatedSerialScanner()
    yield s
    s.close()


@pytest.fixture
def scans():
    return queue.Queue()


@pytest.fixture
def scanner(sim, scans):
    statuses = []
    drv = SerialScanner(sim.connection, on_scan=scans.put, on_status=statuses.append)
    drv.statuses = statuses
    drv.start()
    yield drv
    drv.stop()


def next_scan(scans, timeout=2.0):
    return scans.get(timeout=timeout)


def test_a_scan_arrives(sim, scanner, scans):
    assert scanner.state is DeviceState.IDLE
    sim.scan("01,32,031001900111,12345678,100.00,20240101,,A1B2")
    assert next_scan(scans) == "01,32,031001900111,12345678,100.00,20240101,,A1B2"
    assert scanner.statistics["scans"] == 1


def test_chinese_utf8_payload(sim, scanner, scans):
    sim.scan("发票查验：北京市海淀区")
    assert next_scan(scans) == "发票查验：北京市海淀区"


def test_gb18030_payload_is_decoded_too(sim, scanner, scans):
    sim.send_raw("国家税务总局".encode("gb18030") + b"\r\n")
    assert next_scan(scans) == "国家税务总局"


def test_several_scans_in_one_read_and_split_across_reads(sim, scanner, scans):
    sim.send_raw(b"AAAA\r\nBBBB\r\nCC")
    time.sleep(0.15)
    sim.send_raw(b"CC\r\n")
    assert [next_scan(scans) for _ in range(3)] == ["AAAA", "BBBB", "CCCC"]


def test_garbage_then_valid_scan(sim, scanner, scans):
    sim.send_raw(b"\x00\xff\xfe\x1b\x07\r\n")  # line noise ending like a scan
    sim.scan("VALID-123")
    got = [next_scan(scans)]
    while got[-1] != "VALID-123":
        got.append(next_scan(scans))
    assert got[-1] == "VALID-123"
    assert all("\x00" not in s and "\x1b" not in s for s in got)


def test_truncated_scan_is_dropped(sim, scanner, scans):
    sim.send_raw(b"HALF-A-SC")  # the scanner lost the rest
    time.sleep(1.3)
    sim.scan("WHOLE")
    assert next_scan(scans) == "WHOLE"
    assert scanner.statistics["truncated"] == 1


def test_noise_does_not_crash(sim, scanner, scans):
    sim.send_raw(bytes(range(256)) * 19 + b"x" * 136)  # 5,000 bytes of noise
    time.sleep(1.3)
    sim.scan("AFTER-NOISE")
    got = next_scan(scans)
    while got != "AFTER-NOISE":
        got = next_scan(scans)
    assert scanner.is_running


def test_overlong_line_is_discarded(sim, scanner, scans):
    sim.send_raw(b"Z" * 9000 + b"\r\n")
    sim.scan("NEXT")
    assert next_scan(scans) == "NEXT"
    assert scanner.statistics["overflows"] == 1


def test_cr_suffix(sim, scans):
    drv = SerialScanner(sim.connection, suffix="\r", on_scan=scans.put)
    drv.start()
    try:
        sim.scan("CR-ONLY", suffix="\r")
        assert next_scan(scans) == "CR-ONLY"
    finally:
        drv.stop()


def test_callback_exception_does_not_kill_the_reader(sim, scans):
    def on_scan(text):
        if text == "BOOM":
            raise RuntimeError("listener bug")
        scans.put(text)

    drv = SerialScanner(sim.connection, on_scan=on_scan)
    drv.start()
    try:
        sim.scan("BOOM")
        sim.scan("FINE")
        assert next_scan(scans) == "FINE"
    finally:
        drv.stop()


def test_stop_joins_fast(sim, scanner):
    t0 = time.monotonic()
    scanner.stop()
    assert time.monotonic() - t0 < 1.0
    assert not scanner.is_running
    assert scanner.state is DeviceState.CLOSED


def test_unplug_goes_offline_and_replug_reconnects(scans):
    sim = SimulatedSerialScanner(stable_link=True)
    statuses = []
    drv = SerialScanner(sim.connection, on_scan=scans.put, on_status=statuses.append)
    drv.start()
    try:
        sim.scan("BEFORE")
        assert next_scan(scans) == "BEFORE"
        sim.unplug()
        deadline = time.monotonic() + 2
        while drv.state is not DeviceState.OFFLINE and time.monotonic() < deadline:
            time.sleep(0.02)
        assert drv.state is DeviceState.OFFLINE
        sim.replug()
        deadline = time.monotonic() + 4
        while drv.state is not DeviceState.IDLE and time.monotonic() < deadline:
            time.sleep(0.02)
        assert drv.state is DeviceState.IDLE
        sim.scan("AFTER")
        assert next_scan(scans) == "AFTER"
        assert drv.statistics["reconnects"] >= 1
        assert [s.state for s in statuses][:3] == [DeviceState.IDLE, DeviceState.OFFLINE, DeviceState.IDLE]
    finally:
        drv.stop()
        sim.close()


def test_missing_port_reports_offline_and_keeps_trying(tmp_path, scans):
    drv = SerialScanner(f"serial://{tmp_path}/ttyNOPE", on_scan=scans.put)
    drv.start()
    try:
        assert drv.state is DeviceState.OFFLINE
        assert drv.is_running
    finally:
        drv.stop()


def test_only_serial_connections():
    with pytest.raises(ValueError):
        SerialScanner("tcp://127.0.0.1:9100", on_scan=print)
    with pytest.raises(ValueError):
        SerialScanner("serial:///dev/null", suffix="\t", on_scan=print)


def test_decode_scan_fallbacks():
    assert decode_scan("税".encode("utf-8")) == "税"
    # GB18030 bytes that happen to be valid UTF-8 ("税" = CB B0) are read as UTF-8:
    # longer Chinese text practically never is.
    assert decode_scan("国家税务总局".encode("gb18030")) == "国家税务总局"
    assert decode_scan(b"\xff\x00A") == "ÿA"
