"""Numbered stock in the invoice dispenser: cassettes loaded with kind/code/range,
cassette jobs that answer the numbers issued, the presenter (take or retract into the
reject bin), and crash reconciliation of a cassette job. Driver against the simulator
on a real pty pair with a real SQLite journal."""
import time

import pytest

from drivers.dispenser import DispenseError, DispenseJournal, InvoiceDispenser
from drivers.dispenser.frame import (
    CASSETTE_JOB,
    MAX_FRAME,
    CassetteState,
    DispenserFrameParser,
    Result,
    Sensors,
    cassette_job_data,
    cassette_reply,
    encode_frame,
    parse_cassette_reply,
)
from drivers.errors import DeviceError, DeviceErrorCode
from drivers.simulators.dispenser_sim import SimulatedInvoiceDispenser

CODE = "144031900111"


@pytest.fixture
def sim():
    s = SimulatedInvoiceDispenser(stock=0, stable_link=True, sheet_s=0.002).start()
    yield s
    s.close()


@pytest.fixture
def journal(tmp_path):
    j = DispenseJournal(tmp_path / "dispense.sqlite3")
    yield j
    j.close()


@pytest.fixture
def dispenser(sim, journal):
    d = InvoiceDispenser(sim.connection, journal=journal, reply_timeout_s=0.3, sheet_time_s=0.05)
    yield d
    d.close()


def test_cassette_frames_round_trip():
    state = CassetteState(2, 1, CODE, 12001, 12100, 12026, 3)
    result, sensors, back = parse_cassette_reply(cassette_reply(Result.OK, Sensors(), state))
    assert (result, back) == (Result.OK, state)
    assert back.loaded == 100 and back.remaining == 75
    frame = encode_frame(7, CASSETTE_JOB, cassette_job_data(2, 25, 99, 60))
    assert len(frame) == 4 + 9 + 2 <= MAX_FRAME
    assert DispenserFrameParser().feed(frame)[0].data == cassette_job_data(2, 25, 99, 60)


def test_load_then_issue_answers_the_numbers(sim, dispenser, journal):
    state = dispenser.load(1, "增值税普通发票", CODE, 12001, 12100)
    assert (state.kind_name, state.remaining) == ("增值税普通发票", 100)
    first = dispenser.issue(1, 25, "job-1", retract_s=5, pickup="P1")
    assert (first.first, first.last, first.code, first.dispensed) == (12001, 12025, CODE, 25)
    assert sim.presenter_state.sheets == 25 and dispenser.presenter().sensors.presented
    # a new job waits until the slot is empty
    with pytest.raises(DeviceError) as exc:
        dispenser.issue(1, 1, "job-2", retract_s=5)
    assert exc.value.code is DeviceErrorCode.BUSY
    assert sim.take()
    assert dispenser.await_presentation("job-1", 2.0) == "taken"
    second = dispenser.issue(1, 3, "job-2", retract_s=5)
    assert (second.first, second.last) == (12026, 12028)
    job = journal.get("job-1")
    assert (job.slot, job.first_no, job.last_no, job.presentation, job.pickup) == (
        1, 12001, 12025, "taken", "P1")
    numbers = [n for _, n in sim.fed_numbers]
    assert len(numbers) == len(set(numbers)) == 28


def test_not_taken_is_retracted_into_the_reject_bin(sim, dispenser, journal):
    dispenser.load(2, "通用机打发票", "244031900222", 1, 10)
    dispenser.issue(2, 4, "job-r", retract_s=1)
    assert dispenser.await_presentation("job-r", 0.2) == "presented"
    assert dispenser.await_presentation("job-r", 3.0) == "retracted"
    assert journal.get("job-r").presentation == "retracted"
    c = dispenser.cassette(2)
    assert (c.retracted, c.remaining, sim.reject_bin) == (4, 6, 4)


def test_overlapping_or_foreign_box_is_refused(dispenser):
    dispenser.load(1, "增值税普通发票", CODE, 1, 50)
    dispenser.issue(1, 1, "j", retract_s=5)
    for kind, code, first, last in (("增值税普通发票", CODE, 40, 90),  # overlaps
                                    ("增值税普通发票", "999", 51, 60),  # another code
                                    ("通用机打发票", CODE, 51, 60)):  # another kind
        with pytest.raises(DeviceError) as exc:
            dispenser.load(1, kind, code, first, last)
        assert exc.value.code is DeviceErrorCode.ILLEGAL
    assert dispenser.load(1, "增值税普通发票", CODE, 51, 60).last == 60  # continuation
    with pytest.raises(DeviceError):
        dispenser.load(1, "no such kind", CODE, 61, 70)


def test_empty_cassette_and_bad_requests(sim, dispenser, journal):
    with pytest.raises(DispenseError) as exc:
        dispenser.issue(3, 1, "job-e", retract_s=5)
    assert exc.value.dispensed == 0 and journal.get("job-e") is None
    for slot, count, retract in ((0, 1, 5), (1, 51, 5), (1, 1, 0)):
        with pytest.raises(DeviceError) as exc:
            dispenser.issue(slot, count, "job-x", retract_s=retract)
        assert exc.value.code is DeviceErrorCode.ILLEGAL


def test_stock_runs_out_mid_job(sim, dispenser, journal):
    dispenser.load(1, "增值税普通发票", CODE, 1, 3)
    with pytest.raises(DispenseError) as exc:
        dispenser.issue(1, 5, "job-short", retract_s=5)
    assert exc.value.dispensed == 3
    job = journal.get("job-short")
    assert (job.state, job.first_no, job.last_no, job.presentation) == ("failed", 1, 3, "presented")


def test_crash_mid_cassette_job_is_settled_with_its_numbers(sim, journal):
    sim.load(1, 1, CODE, 100, 199)
    d = InvoiceDispenser(sim.connection, journal=journal, reply_timeout_s=0.2,
                         sheet_time_s=0.02, max_retransmits=1)
    sim.crash_mid_dispense = 4
    with pytest.raises(DeviceError) as exc:
        d.issue(1, 10, "job-c", retract_s=30)
    assert exc.value.code is DeviceErrorCode.TIMEOUT
    assert journal.get("job-c").state == "unknown"
    d.close()
    sim.mute = False  # powered back on
    d2 = InvoiceDispenser(sim.connection, journal=journal, reply_timeout_s=0.3)
    outcomes = d2.reconcile()
    assert [(o.new_state, o.dispensed) for o in outcomes] == [("failed", 4)]
    job = journal.get("job-c")
    assert (job.first_no, job.last_no, job.presentation) == (100, 103, "presented")
    sim.take()
    assert d2.await_presentation("job-c", 2.0) == "taken"
    assert d2.cassette(1).next_no == 104
    assert len(sim.executed_jobs) == 1  # never run again
    d2.close()


def test_repeated_job_frame_is_answered_not_rerun(sim, dispenser):
    dispenser.load(1, "增值税普通发票", CODE, 1, 100)
    dispenser.issue(1, 2, "job-a", retract_s=5)
    sim.take()
    job_no = dispenser.journal.get("job-a").job_no
    # the same job number again (e.g. after a reboot wiped the SEQ cache): not run
    sim._cache_key = None
    before = list(sim.fed_numbers)
    dispenser._link.write(encode_frame(1, CASSETTE_JOB, cassette_job_data(1, 2, job_no, 5)))
    time.sleep(0.2)
    assert sim.fed_numbers == before
    assert len(sim.executed_jobs) == 1


def test_schema_1_journal_gains_the_cassette_columns(tmp_path):
    import sqlite3
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.execute("""CREATE TABLE dispense_jobs (id INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id TEXT NOT NULL UNIQUE, job_no INTEGER NOT NULL, requested INTEGER NOT NULL,
        counter_before INTEGER NOT NULL, state TEXT NOT NULL, dispensed INTEGER,
        counter_after INTEGER, fault TEXT, resolved_by TEXT, note TEXT,
        created_at REAL NOT NULL, updated_at REAL NOT NULL)""")
    db.execute("INSERT INTO dispense_jobs (job_id, job_no, requested, counter_before, state,"
               " dispensed, created_at, updated_at) VALUES ('old', 1, 2, 0, 'done', 2, 0, 0)")
    db.execute("PRAGMA user_version=1")
    db.commit()
    db.close()
    with DispenseJournal(path) as j:
        old = j.get("old")
        assert (old.state, old.slot, old.first_no) == ("done", None, None)
        assert j.cassette_jobs() == []
