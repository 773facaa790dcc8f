"""An invoice dispenser at the other end of a real pty pair.

It speaks docs/dispenser-protocol.md from the device's side: SEQ echo, a reply cache
for a repeated SEQ (a retransmission is answered, not executed), the job number of the
last job kept with the counters in "non-volatile memory" (these survive `mute`,
`unplug()` and a simulated crash), one sheet every `sheet_s` seconds.

Fault switches (set them any time):
- `stock`: sheets loaded; `low_threshold` sets the stock-low sensor
- `out_of_paper`: every source reads empty, the loose stock and every cassette (sensors
  and jobs); the cassettes' records are kept, so switching it off brings the stock back
- `jam_after = k`: the next job jams after k sheets (stays jammed until RESET)
- `door_open`: refuses to dispense, RESET refused too
- `garbage`: line noise before every reply
- `mute`: hears nothing, answers nothing (powered off)
- `crash_mid_dispense = k` (one shot; True means half the job): the next job delivers k
  sheets, updates the counters, records the job as interrupted and goes `mute` (the
  firmware hung); clear `mute` to "power it back on"
- `slow_s`: delay before each reply
- `drop_replies = n`: the next n replies to DISPENSE/RESET are lost on the line (the
  command was executed; a repeat of the frame gets the cached reply)
- `unplug()` / `replug()`: the pty disappears / a new one appears (`stable_link` keeps
  the path)

Numbered stock: `cassettes` (slots 1..4) each hold a kind, code and range (`load()` or
the `L` command); cassette jobs (`K`) issue from `next_no` upwards, present the sheets,
and retract them into the reject bin when nobody `take()`s them within the job's
retract time. Cassettes, presenter record and reject bin are non-volatile too.

`frames` lists every good frame received, `executed_jobs` every job actually started,
`fed_numbers` every (slot, number) that left a cassette, so a test can prove that
nothing was dispensed twice.
"""
from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass

from ..dispenser.frame import (
    CASSETTE,
    CASSETTE_JOB,
    CASSETTES,
    COUNTERS,
    DISPENSE,
    LOAD,
    MAX_SHEETS_PER_JOB,
    PRESENTER,
    RESET,
    SOH,
    STATUS,
    CassetteState,
    Counters,
    DFrame,
    DispenserFrameParser,
    Presenter,
    PresenterState,
    Result,
    Sensors,
    cassette_job_reply,
    cassette_reply,
    counters_reply,
    dispense_reply,
    encode_frame,
    parse_cassette_job_data,
    parse_dispense_data,
    parse_load_data,
    presenter_reply,
    short_reply,
)
from .pty_device import PtyDevice

_log = logging.getLogger("drivers.sim.dispenser")

#: The scenario's demo stock: (cassette, kind byte, code, first, last). The central
#: demo data allocates the same ranges to `demo-hall` (central.demo_data).
DEMO_STOCK = (
    (1, 1, "144031900111", 12001, 12300),  # 增值税普通发票, 300 份
    (2, 2, "244031900222", 1, 300),  # 通用机打发票, 300 份
)
_NOISE = bytes(b for b in range(256) if b != SOH)


@dataclass
class _Job:
    key: tuple[int, bytes, bytes]
    seq: int
    job_no: int
    requested: int
    dispensed: int = 0
    next_sheet_at: float = 0.0
    slot: int = 0  # 0: a loose-stock `D` job
    retract_s: int = 0


@dataclass
class SimCassette:
    """One cassette's non-volatile record (kind 0 = empty slot)."""

    slot: int
    kind: int = 0
    code: str = ""
    first: int = 0
    last: int = 0
    next_no: int = 0
    retracted: int = 0

    @property
    def remaining(self) -> int:
        return 0 if self.kind == 0 else self.last - self.next_no + 1

    def state(self) -> CassetteState:
        return CassetteState(self.slot, self.kind, self.code, self.first, self.last,
                             self.next_no, self.retracted)


class SimulatedInvoiceDispenser(PtyDevice):
    """Simulated dispenser. `start()`, point the driver at `.connection`, `close()`."""

    link_name = "ttyDISP0"
    link_prefix = "dispenser-sim-"
    reader_name = "dispenser-sim"
    poll_s = 0.005  # sheets are timed between reads

    def __init__(self, stock: int = 100, *, baudrate: int = 9600, stable_link: bool = False,
                 sheet_s: float = 0.01, low_threshold: int = 10, seed: int = 1) -> None:
        self.stock = stock
        self.low_threshold = low_threshold
        self.sheet_s = sheet_s
        # fault switches
        self.jam_after: int | None = None
        self.jammed = False
        self.door_open = False
        self.out_of_paper = False
        self.garbage = False
        self.mute = False
        self.crash_mid_dispense: int | bool | None = None
        self.slow_s = 0.0
        self.drop_replies = 0
        # non-volatile memory
        self.total_dispensed = 0
        self.last_job_no = 0
        self.last_job_requested = 0
        self.last_job_dispensed = 0
        self.last_job_result = Result.OK
        self.cassettes = {slot: SimCassette(slot) for slot in range(1, CASSETTES + 1)}
        self.presenter = Presenter.NONE
        self.presenter_job = (0, 0, 0, 0)  # job number, slot, first number, sheets
        self.retract_at = 0.0
        self.reject_bin = 0
        # what happened
        self.fed_numbers: list[tuple[int, int]] = []  # (slot, number) of every numbered sheet
        self.frames: list[DFrame] = []
        self.executed_jobs: list[tuple[int, int]] = []  # (job number, sheets requested)
        self.cache_hits = 0
        # RAM
        self._cache_key: tuple[int, bytes, bytes] | None = None
        self._cache_reply: bytes | None = None
        self._job: _Job | None = None
        self._outgoing: list[tuple[float, bytes]] = []
        self._parser = DispenserFrameParser()
        self._rng = random.Random(seed)
        super().__init__(baudrate=baudrate, stable_link=stable_link)

    def _unplugged(self) -> None:
        self._outgoing.clear()
        self._parser.reset()

    # -- state ------------------------------------------------------------------------

    @property
    def sensors(self) -> Sensors:
        if self.out_of_paper:
            return Sensors(stock_low=False, empty=True, jam=self.jammed,
                           door_open=self.door_open,
                           presented=self.presenter is Presenter.PRESENTED)
        numbered = [c.remaining for c in self.cassettes.values() if c.kind]
        sheets = self.stock + sum(numbered)
        return Sensors(
            # low: the loose stock, or any loaded cassette, at or below the threshold
            stock_low=(0 < self.stock <= self.low_threshold
                       or any(0 < n <= self.low_threshold for n in numbered)),
            empty=sheets <= 0,
            jam=self.jammed,
            door_open=self.door_open,
            presented=self.presenter is Presenter.PRESENTED,
        )

    def load(self, slot: int, kind: int, code: str, first: int, last: int) -> Result:
        """Load a box into a cassette (what staff do with the door open; also `L`).
        An empty cassette takes any range; a loaded one only the same kind and code
        continuing right after its last number."""
        c = self.cassettes.get(slot)
        if c is None or kind == 0 or not 0 < first <= last:
            return Result.BAD_REQUEST
        if c.kind == 0 or c.remaining == 0:
            c.kind, c.code, c.first, c.last, c.next_no = kind, code, first, last, first
            c.retracted = 0
            return Result.OK
        if c.kind == kind and c.code == code and first == c.last + 1:
            c.last = last
            return Result.OK
        return Result.OVERLAP

    def load_demo_stock(self) -> None:
        """Load the demo hall's stock (DEMO_STOCK) into empty cassettes."""
        for slot, kind, code, first, last in DEMO_STOCK:
            if self.cassettes[slot].kind == 0:
                self.load(slot, kind, code, first, last)

    def take(self) -> bool:
        """The taxpayer takes what the presenter holds. False: nothing was presented."""
        if self.presenter is not Presenter.PRESENTED:
            return False
        self.presenter = Presenter.TAKEN
        return True

    def stray_feed(self, slot: int, sheets: int) -> None:
        """A fault hook: `sheets` leave cassette `slot` outside any job the kiosk ran (a
        service engineer's test feed from the device's own panel, a foreign program),
        so the device's counter runs ahead of the kiosk's journal and reconciliation
        finds the difference. ValueError when the cassette cannot give them."""
        cassette = self.cassettes.get(slot)
        if cassette is None or cassette.kind == 0:
            raise ValueError(f"cassette {slot} is not loaded")
        if not 1 <= sheets <= cassette.remaining:
            raise ValueError(f"cassette {slot} holds {cassette.remaining} sheets, "
                             f"cannot feed {sheets}")
        if self._job is not None:
            raise ValueError("a job is running")
        for _ in range(sheets):
            self.fed_numbers.append((slot, cassette.next_no))
            cassette.next_no += 1
        self.total_dispensed += sheets
        self.reject_bin += sheets  # the test feed goes to the reject bin

    @property
    def presenter_state(self) -> PresenterState:
        job_no, slot, first, sheets = self.presenter_job
        return PresenterState(self.presenter, job_no, slot, first, sheets, self.sensors)

    @property
    def counters(self) -> Counters:
        return Counters(self.total_dispensed, self.last_job_no, self.last_job_requested,
                        self.last_job_dispensed, self.last_job_result, self.sensors)

    # -- the device -------------------------------------------------------------------

    def _received(self, data: bytes, generation: int) -> None:
        if not self.mute:
            for frame in self._parser.feed(data):
                self._on_frame(frame)

    def _on_frame(self, frame: DFrame) -> None:
        if frame.cmd not in (DISPENSE, STATUS, COUNTERS, RESET, CASSETTE_JOB, CASSETTE, LOAD,
                             PRESENTER):
            return  # a reply echoed back at us: not for a device
        self.frames.append(frame)
        key = (frame.seq, frame.cmd, frame.data)
        if frame.cmd in (DISPENSE, RESET, CASSETTE_JOB, LOAD) and key == self._cache_key:
            if self._cache_reply is not None:
                self.cache_hits += 1
                self._reply(self._cache_reply)
            return  # still executing it: the reply comes when the job ends
        if frame.cmd == STATUS:
            self._reply(encode_frame(frame.seq, b"s", short_reply(Result.OK, self.sensors)))
        elif frame.cmd == COUNTERS:
            self._reply(encode_frame(frame.seq, b"c", counters_reply(Result.OK, self.counters)))
        elif frame.cmd == CASSETTE:
            c = self.cassettes.get(frame.data[0])
            result = Result.OK if c is not None else Result.BAD_REQUEST
            state = c.state() if c is not None else CassetteState(frame.data[0], 0, "", 0, 0, 0, 0)
            self._reply(encode_frame(frame.seq, b"q", cassette_reply(result, self.sensors, state)))
        elif frame.cmd == PRESENTER:
            self._reply(encode_frame(frame.seq, b"p", presenter_reply(Result.OK, self.presenter_state)))
        elif frame.cmd == LOAD:
            slot, kind, code, first, last = parse_load_data(frame.data)
            result = Result.BUSY if self._job is not None else self.load(slot, kind, code, first, last)
            self._answer(key, encode_frame(frame.seq, b"l", short_reply(result, self.sensors)))
        elif frame.cmd == CASSETTE_JOB:
            self._cassette_job(frame, key)
        elif frame.cmd == RESET:
            result = Result.DOOR_OPEN if self.door_open else Result.OK
            if result is Result.OK:
                self.jammed = False
            self._answer(key, encode_frame(frame.seq, b"r", short_reply(result, self.sensors)))
        else:
            self._dispense(frame, key)

    def _dispense(self, frame: DFrame, key: tuple[int, bytes, bytes]) -> None:
        count, job_no = parse_dispense_data(frame.data)

        def refuse(result: Result, dispensed: int = 0) -> None:
            self._answer(key, encode_frame(frame.seq, b"d", dispense_reply(
                result, self.sensors, dispensed, self.total_dispensed)))

        if self._job is not None:
            return refuse(Result.BUSY)
        if job_no == self.last_job_no and job_no != 0:
            # This job already ran (we may have rebooted since): report it, never rerun.
            return refuse(self.last_job_result, self.last_job_dispensed)
        if not 1 <= count <= MAX_SHEETS_PER_JOB:
            return refuse(Result.BAD_REQUEST)
        if self.door_open:
            return refuse(Result.DOOR_OPEN)
        if self.jammed:
            return refuse(Result.JAM)
        if self.stock <= 0 or self.out_of_paper:
            return refuse(Result.EMPTY)
        self._cache_key, self._cache_reply = key, None
        self.last_job_no, self.last_job_requested = job_no, count
        self.last_job_dispensed, self.last_job_result = 0, Result.IN_PROGRESS
        self.executed_jobs.append((job_no, count))
        self._job = _Job(key, frame.seq, job_no, count, 0, time.monotonic() + self.sheet_s)

    def _cassette_job(self, frame: DFrame, key: tuple[int, bytes, bytes]) -> None:
        slot, count, job_no, retract_s = parse_cassette_job_data(frame.data)

        def refuse(result: Result, dispensed: int = 0, first: int = 0, at: int = slot) -> None:
            self._answer(key, encode_frame(frame.seq, b"k", cassette_job_reply(
                result, self.sensors, at, dispensed, first, self.total_dispensed)))

        if self._job is not None:
            return refuse(Result.BUSY)
        if job_no == self.last_job_no and job_no != 0:
            # This job already ran (we may have rebooted since): report it, never rerun.
            _, last_slot, first, _ = self.presenter_job
            return refuse(self.last_job_result, self.last_job_dispensed, first, last_slot)
        cassette = self.cassettes.get(slot)
        if cassette is None or not 1 <= count <= MAX_SHEETS_PER_JOB or not 1 <= retract_s <= 3600:
            return refuse(Result.BAD_REQUEST)
        if self.presenter is Presenter.PRESENTED:
            return refuse(Result.PRESENTED)
        if self.door_open:
            return refuse(Result.DOOR_OPEN)
        if self.jammed:
            return refuse(Result.JAM)
        if cassette.remaining <= 0 or self.out_of_paper:
            return refuse(Result.EMPTY)
        self._cache_key, self._cache_reply = key, None
        self.last_job_no, self.last_job_requested = job_no, count
        self.last_job_dispensed, self.last_job_result = 0, Result.IN_PROGRESS
        self.presenter = Presenter.FEEDING
        self.presenter_job = (job_no, slot, cassette.next_no, 0)
        self.executed_jobs.append((job_no, count))
        self._job = _Job(key, frame.seq, job_no, count, 0, time.monotonic() + self.sheet_s,
                         slot, retract_s)

    def _feed_one(self, job: _Job) -> bool:
        """Move one sheet out; False when the source is empty."""
        if self.out_of_paper:
            return False
        if job.slot == 0:
            if self.stock <= 0:
                return False
            self.stock -= 1
        else:
            c = self.cassettes[job.slot]
            if c.remaining <= 0:
                return False
            self.fed_numbers.append((job.slot, c.next_no))
            c.next_no += 1
            job_no, slot, first, _ = self.presenter_job
            self.presenter_job = (job_no, slot, first, job.dispensed + 1)
        return True

    def _present(self, job: _Job, now: float) -> None:
        if job.slot and self.presenter is Presenter.FEEDING:
            self.presenter = Presenter.PRESENTED if job.dispensed else Presenter.NONE
            self.retract_at = now + job.retract_s

    def _tick(self) -> None:
        now = time.monotonic()
        job = self._job
        while job is not None and now >= job.next_sheet_at:
            crash = self.crash_mid_dispense
            if crash is not None and crash is not False:
                limit = job.requested // 2 if crash is True else int(crash)
                if job.dispensed >= limit:
                    self.crash_mid_dispense = None
                    self.last_job_result = Result.INTERRUPTED
                    self._present(job, now)  # after the restart the fed sheets wait in the slot
                    self._job = job = None
                    self._cache_key = self._cache_reply = None  # RAM is lost
                    self._outgoing.clear()
                    self.mute = True
                    _log.info("dispenser sim: crashed mid-job")
                    break
            if self.jam_after is not None and job.dispensed >= self.jam_after:
                self.jam_after = None
                self.jammed = True
                self._finish(job, Result.JAM)
                job = None
                break
            if not self._feed_one(job):
                self._finish(job, Result.EMPTY)
                job = None
                break
            self.total_dispensed += 1
            job.dispensed += 1
            self.last_job_dispensed = job.dispensed
            if job.dispensed >= job.requested:
                self._finish(job, Result.OK)
                job = None
                break
            job.next_sheet_at += self.sheet_s
        if (self.presenter is Presenter.PRESENTED and not self.mute and now >= self.retract_at):
            # nobody took them: into the reject bin, counted against their cassette
            _, slot, _, sheets = self.presenter_job
            self.presenter = Presenter.RETRACTED
            self.reject_bin += sheets
            if slot in self.cassettes:
                self.cassettes[slot].retracted += sheets
            _log.info("dispenser sim: %d sheets retracted", sheets)
        if self._outgoing and not self.mute:
            due = [item for item in self._outgoing if item[0] <= now]
            self._outgoing = [item for item in self._outgoing if item[0] > now]
            for _, data in due:
                self._send(data)

    def _finish(self, job: _Job, result: Result) -> None:
        self._job = None
        self.last_job_result = result
        if job.slot == 0:
            reply = encode_frame(job.seq, b"d", dispense_reply(
                result, self.sensors, job.dispensed, self.total_dispensed))
        else:
            self._present(job, time.monotonic())
            reply = encode_frame(job.seq, b"k", cassette_job_reply(
                result, self.sensors, job.slot, job.dispensed, self.presenter_job[2],
                self.total_dispensed))
        self._answer(job.key, reply)

    def _answer(self, key: tuple[int, bytes, bytes], reply: bytes) -> None:
        """Reply to a state-changing command and remember the reply for a repeat."""
        self._cache_key, self._cache_reply = key, reply
        if self.drop_replies > 0:
            self.drop_replies -= 1
            return
        self._reply(reply)

    def _reply(self, data: bytes) -> None:
        if self.garbage:
            noise = bytes(self._rng.choice(_NOISE) for _ in range(self._rng.randint(1, 12)))
            data = noise + b"\x01\x00\x99" + data  # a false SOH the parser must skip
        self._outgoing.append((time.monotonic() + self.slow_s, data))
