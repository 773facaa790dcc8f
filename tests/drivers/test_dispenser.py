"""The invoice dispenser: CRC vectors and a fuzzed parser, then the driver against the
simulated dispenser on a real pty pair with a real SQLite journal: counters, faults,
device-side deduplication and crash reconciliation (nothing is ever dispensed twice)."""
import argparse
import time

import pytest
import serial
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.base import DeviceState
from drivers.dispenser import DispenseError, DispenseJournal, InvoiceDispenser
from drivers.dispenser.frame import (
    COUNTERS,
    DISPENSE,
    MAX_FRAME,
    SOH,
    DFrame,
    DispenserFrameParser,
    Result,
    crc16_ccitt,
    dispense_data,
    encode_frame,
    parse_counters_reply,
    parse_dispense_reply,
)
from drivers.errors import DeviceCondition, DeviceError, DeviceErrorCode
from drivers.simulators.dispenser_sim import SimulatedInvoiceDispenser
from kiosk.commands.devices_dispense import add_dispense_test

# -- framing ---------------------------------------------------------------------------


def test_crc16_ccitt_vectors():
    assert crc16_ccitt(b"123456789") == 0x29B1  # CRC-16/CCITT-FALSE check value
    assert crc16_ccitt(b"") == 0xFFFF
    assert crc16_ccitt(b"A") == 0xB915


def test_frame_vector():
    frame = encode_frame(0x05, b"S")
    assert frame[:4] == b"\x01\x05S\x00"
    assert frame[4:] == crc16_ccitt(b"\x05S\x00").to_bytes(2, "big")
    d = encode_frame(0xFF, DISPENSE, dispense_data(3, 0x01020304))
    assert d[:10] == b"\x01\xffD\x06\x00\x03\x01\x02\x03\x04"
    assert DispenserFrameParser().feed(d) == [DFrame(0xFF, b"D", dispense_data(3, 0x01020304))]


def test_encode_checks_lengths():
    with pytest.raises(ValueError):
        encode_frame(1, DISPENSE, b"\x00")
    with pytest.raises(ValueError):
        encode_frame(256, COUNTERS)
    with pytest.raises(ValueError):
        encode_frame(1, b"X")


def test_false_start_and_crc_error_then_good_frame():
    good = encode_frame(9, COUNTERS)
    bad = bytearray(encode_frame(8, COUNTERS))
    bad[-1] ^= 1
    parser = DispenserFrameParser()
    assert parser.feed(b"\x01\x00\x99" + bytes(bad) + good) == [DFrame(9, b"C", b"")]
    assert parser.crc_errors == 1


def _chunks(data, cuts):
    points = sorted({c % (len(data) + 1) for c in cuts})
    out, last = [], 0
    for p in points:
        out.append(data[last:p])
        last = p
    return out + [data[last:]]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000), st.lists(st.integers(min_value=0), max_size=20))
def test_arbitrary_bytes_never_raise_and_chunking_does_not_matter(data, cuts):
    expected = DispenserFrameParser().feed(data)
    parser = DispenserFrameParser()
    got = []
    for chunk in _chunks(data, cuts):
        got += parser.feed(chunk)
    assert got == expected
    assert parser.pending < MAX_FRAME
    while parser.pending:
        parser.flush_partial()


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200).map(lambda b: bytes(x for x in b if x != SOH)),
       st.integers(0, 255), st.integers(1, 50), st.integers(0, 2**32 - 1),
       st.lists(st.integers(min_value=0), max_size=10))
def test_a_frame_after_noise_is_found(noise, seq, count, job_no, cuts):
    frame = encode_frame(seq, DISPENSE, dispense_data(count, job_no))
    parser = DispenserFrameParser()
    got = []
    for chunk in _chunks(noise + frame, cuts):
        got += parser.feed(chunk)
    assert got == [DFrame(seq, b"D", dispense_data(count, job_no))]


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 255), st.integers(1, 50), st.integers(0, 2**32 - 1),
       st.integers(min_value=1), st.integers(0, 7))
def test_a_corrupted_frame_is_never_accepted(seq, count, job_no, position, bit):
    frame = bytearray(encode_frame(seq, DISPENSE, dispense_data(count, job_no)))
    frame[1 + position % (len(frame) - 1)] ^= 1 << bit
    assert DFrame(seq, b"D", dispense_data(count, job_no)) not in DispenserFrameParser().feed(bytes(frame))


# -- driver against the simulator ------------------------------------------------------


@pytest.fixture
def sim():
    s = SimulatedInvoiceDispenser(stock=40, stable_link=True).start()
    yield s
    s.close()


@pytest.fixture
def journal(tmp_path):
    j = DispenseJournal(tmp_path / "dispense.sqlite3")
    yield j
    j.close()


def make(sim, journal, **kw):
    kw.setdefault("reply_timeout_s", 0.3)
    kw.setdefault("sheet_time_s", 0.05)
    return InvoiceDispenser(sim.connection, journal=journal, **kw)


@pytest.fixture
def dispenser(sim, journal):
    d = make(sim, journal)
    yield d
    d.close()


def test_dispense_with_counters(sim, dispenser, journal):
    before = dispenser.counters()
    result = dispenser.dispense(3, "ORDER-1")
    after = dispenser.counters()
    assert result.dispensed == result.requested == 3
    assert (result.counter_before, result.counter_after) == (before.total_dispensed, after.total_dispensed)
    assert after.total_dispensed - before.total_dispensed == 3
    assert after.last_job_no == result.job_no and after.last_job_result is Result.OK
    job = journal.get("ORDER-1")
    assert (job.state, job.dispensed, job.counter_before, job.counter_after) == ("done", 3, 0, 3)
    assert sim.stock == 37
    assert dispenser.state is DeviceState.IDLE


def test_job_id_is_dispensed_at_most_once(sim, dispenser):
    dispenser.dispense(1, "ORDER-2")
    with pytest.raises(DeviceError) as err:
        dispenser.dispense(1, "ORDER-2")
    assert err.value.code is DeviceErrorCode.ILLEGAL
    assert len(sim.executed_jobs) == 1


def test_jam_mid_job(sim, dispenser, journal):
    sim.jam_after = 2
    with pytest.raises(DispenseError) as err:
        dispenser.dispense(5, "ORDER-3")
    assert err.value.condition is DeviceCondition.JAM and err.value.dispensed == 2
    job = journal.get("ORDER-3")
    assert (job.state, job.dispensed, job.fault) == ("failed", 2, "jam")
    assert dispenser.state is DeviceState.ERROR
    # still jammed: refused before anything is journalled or sent
    with pytest.raises(DispenseError) as err:
        dispenser.dispense(1, "ORDER-4")
    assert err.value.condition is DeviceCondition.JAM and err.value.dispensed == 0
    assert journal.get("ORDER-4") is None
    dispenser.reset()  # staff cleared the sheet
    assert dispenser.dispense(1, "ORDER-4").dispensed == 1
    assert sim.total_dispensed == 3


def test_door_open_and_empty_are_refused(sim, dispenser, journal):
    sim.door_open = True
    with pytest.raises(DispenseError) as err:
        dispenser.dispense(1, "ORDER-5")
    assert err.value.condition is DeviceCondition.DOOR_OPEN
    assert dispenser.status().condition is DeviceCondition.DOOR_OPEN
    with pytest.raises(DeviceError):
        dispenser.reset()  # not with the door open
    sim.door_open = False
    sim.stock = 0
    with pytest.raises(DispenseError) as err:
        dispenser.dispense(1, "ORDER-5")
    assert err.value.condition is DeviceCondition.STOCK_EMPTY
    assert journal.jobs() == []
    assert [f for f in sim.frames if f.cmd == DISPENSE] == []


def test_stock_runs_out_mid_job_and_stock_low(sim, dispenser, journal):
    sim.stock = 12
    result = dispenser.dispense(3, "ORDER-6")
    assert result.stock_low and dispenser.last_status.condition is DeviceCondition.STOCK_LOW
    assert dispenser.status().ok  # low stock is a warning, not a fault
    with pytest.raises(DispenseError) as err:
        dispenser.dispense(12, "ORDER-7")
    assert err.value.condition is DeviceCondition.STOCK_EMPTY and err.value.dispensed == 9
    assert journal.get("ORDER-7").dispensed == 9


def test_lost_reply_is_answered_from_the_cache(sim, dispenser, journal):
    sim.drop_replies = 1
    result = dispenser.dispense(2, "ORDER-8")
    assert result.dispensed == 2
    assert dispenser.statistics["retransmissions"] == 1
    assert sim.cache_hits == 1
    assert len(sim.executed_jobs) == 1 and sim.total_dispensed == 2


def test_line_noise(sim, dispenser):
    sim.garbage = True
    assert dispenser.dispense(2, "ORDER-9").dispensed == 2
    assert dispenser.statistics["garbage_bytes"] > 0


def test_status(sim, dispenser):
    assert dispenser.status().state is DeviceState.IDLE
    sim.jammed = True
    status = dispenser.status()
    assert status.state is DeviceState.ERROR and status.condition is DeviceCondition.JAM
    sim.jammed = False
    sim.mute = True
    status = dispenser.status()
    assert status.error is DeviceErrorCode.TIMEOUT and not status.ok


def test_crash_mid_dispense_is_reconciled_from_the_counters(sim, journal):
    sim.crash_mid_dispense = 3
    first = make(sim, journal, max_retransmits=1)
    with pytest.raises(DeviceError) as err:
        first.dispense(6, "ORDER-10")
    assert err.value.code is DeviceErrorCode.TIMEOUT
    assert journal.get("ORDER-10").state == "unknown"
    first.close()  # the kiosk restarts; the dispenser is powered back on
    sim.mute = False

    second = make(sim, journal)
    try:
        outcomes = second.reconcile()
        assert second.reconcile() == []
    finally:
        second.close()
    assert [(o.job_id, o.new_state, o.dispensed) for o in outcomes] == [("ORDER-10", "failed", 3)]
    job = journal.get("ORDER-10")
    assert (job.dispensed, job.fault, job.resolved_by) == (3, "interrupted", "reconcile")
    assert len(sim.executed_jobs) == 1 and sim.total_dispensed == 3  # never re-dispensed


def test_open_reconciles_a_job_the_kiosk_journalled_but_never_sent(sim, journal):
    d = make(sim, journal)
    try:
        d.dispense(2, "ORDER-11")
        journal.begin("ORDER-12", 777, 4, counter_before=2)  # crashed right after this
        d.close()
        d.open()  # start-up: the open job is settled on open
    finally:
        d.close()
    job = journal.get("ORDER-12")
    assert (job.state, job.dispensed, job.fault) == ("failed", 0, "not_performed")
    assert len(sim.executed_jobs) == 1


def raw_port(sim):
    return serial.serial_for_url(sim.path, baudrate=sim.baudrate, timeout=0.5)


def read_reply(port, parser, timeout=2.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        frames = parser.feed(port.read(port.in_waiting or 1))
        if frames:
            return frames[0]
    raise AssertionError("no reply")


def test_repeated_seq_is_answered_from_the_cache_not_dispensed_twice(sim):
    parser = DispenserFrameParser()
    frame = encode_frame(42, DISPENSE, dispense_data(2, 123456))
    with raw_port(sim) as port:
        port.write(frame)
        first = read_reply(port, parser)
        port.write(frame)  # the kiosk did not hear the reply and repeats it
        second = read_reply(port, parser)
        # same job number under a new SEQ (e.g. after a reboot): the job record answers
        port.write(encode_frame(43, DISPENSE, dispense_data(2, 123456)))
        third = read_reply(port, parser)
    assert first == second and first.seq == 42 and first.cmd == b"d"
    assert parse_dispense_reply(first.data)[:3:2] == (Result.OK, 2)
    assert third.seq == 43 and parse_dispense_reply(third.data)[2] == 2
    assert sim.cache_hits == 1
    assert sim.executed_jobs == [(123456, 2)] and sim.total_dispensed == 2


def test_kiosk_crash_after_the_device_dispensed_is_settled_done(sim, journal):
    parser = DispenserFrameParser()
    journal.begin("ORDER-13", 99, 3, counter_before=0)
    with raw_port(sim) as port:  # the frame went out; the kiosk died before the reply
        port.write(encode_frame(1, DISPENSE, dispense_data(3, 99)))
        read_reply(port, parser)
        port.write(encode_frame(2, COUNTERS))
        _, counters = parse_counters_reply(read_reply(port, parser).data)
    assert counters.total_dispensed == 3
    d = make(sim, journal)
    try:
        outcomes = d.reconcile()
    finally:
        d.close()
    assert [(o.new_state, o.dispensed) for o in outcomes] == [("done", 3)]
    assert len(sim.executed_jobs) == 1


def test_foreign_dispensing_needs_a_person(sim, journal):
    journal.begin("ORDER-14", 5, 1, counter_before=0)
    sim.total_dispensed = 4  # someone else used the dispenser since
    d = make(sim, journal)
    try:
        outcomes = d.reconcile()
    finally:
        d.close()
    assert outcomes[0].new_state == "manual_check" and outcomes[0].dispensed is None


def test_unplug_and_replug(sim, dispenser, journal):
    dispenser.dispense(1, "ORDER-15")
    sim.unplug()
    with pytest.raises(DeviceError) as err:
        dispenser.dispense(1, "ORDER-16")
    assert err.value.code is DeviceErrorCode.OFFLINE
    assert journal.get("ORDER-16") is None  # refused while reading the counters: never sent
    sim.replug()
    assert dispenser.dispense(1, "ORDER-16").dispensed == 1
    assert sim.total_dispensed == 2


# -- kiosk devices dispense-test -------------------------------------------------------


def run_cli(argv):
    parser = argparse.ArgumentParser(prog="kiosk")
    sub = parser.add_subparsers(dest="command", required=True)
    devices = sub.add_parser("devices").add_subparsers(dest="devices_command", required=True)
    add_dispense_test(devices)
    args = parser.parse_args(["devices", "dispense-test", *argv])
    return args.func(args)


def test_cli_dispense_test(sim, tmp_path, capsys):
    code = run_cli(["--port", sim.connection, "--count", "2", "--journal", str(tmp_path / "j.db")])
    out = capsys.readouterr().out
    assert code == 0
    assert "before: total dispensed 0" in out
    assert "dispensed 2 of 2 sheets" in out
    assert "after: total dispensed 2" in out


def test_cli_faults(sim, tmp_path, capsys):
    journal = ["--journal", str(tmp_path / "j.db"), "--timeout", "0.2"]
    sim.door_open = True
    assert run_cli(["--port", sim.connection, *journal]) == 1
    assert "door is open" in capsys.readouterr().err
    sim.door_open = False
    sim.stock = 0
    assert run_cli(["--port", sim.connection, *journal]) == 1
    assert "stock is empty" in capsys.readouterr().err
    sim.stock = 10
    sim.jam_after = 1
    assert run_cli(["--port", sim.connection, "--count", "3", *journal]) == 1
    assert "jammed" in capsys.readouterr().err
    sim.mute = True
    assert run_cli(["--port", sim.connection, *journal]) == 3
    assert "no reply" in capsys.readouterr().err


def test_cli_is_reachable_through_kiosk_devices(sim, tmp_path, capsys):
    from kiosk.cli import main

    code = main(["devices", "dispense-test", "--port", sim.connection,
                 "--journal", str(tmp_path / "j.db")])
    assert code == 0
    assert "dispensed 1 of 1 sheets" in capsys.readouterr().out
