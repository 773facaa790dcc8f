"""An invoice dispenser at the other end of a real pty pair.

It speaks docs/dispenser-protocol.md from the device's side: SEQ echo, a reply cache
for a repeated SEQ (a retransmission is answered, not executed), the job number of the
last job kept with the counters in "non-volatile memory" (these survive `mute`,
`unplug()` and a simulated crash), one sheet every `sheet_s` seconds.

Fault switches (set them any time):
- `stock`: sheets loaded; `low_threshold` sets the stock-low sensor
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

`frames` lists every good frame received, `executed_jobs` every job actually started,
so a test can prove that nothing was dispensed twice.
"""
from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass

from ..dispenser.frame import (
    COUNTERS,
    DISPENSE,
    MAX_SHEETS_PER_JOB,
    RESET,
    SOH,
    STATUS,
    Counters,
    DFrame,
    DispenserFrameParser,
    Result,
    Sensors,
    counters_reply,
    dispense_reply,
    encode_frame,
    parse_dispense_data,
    short_reply,
)
from .pty_device import PtyDevice

_log = logging.getLogger("drivers.sim.dispenser")
_NOISE = bytes(b for b in range(256) if b != SOH)


@dataclass
class _Job:
    key: tuple[int, bytes, bytes]
    seq: int
    job_no: int
    requested: int
    dispensed: int = 0
    next_sheet_at: float = 0.0


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
        # what happened
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
        return Sensors(
            stock_low=0 < self.stock <= self.low_threshold,
            empty=self.stock <= 0,
            jam=self.jammed,
            door_open=self.door_open,
        )

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
        if frame.cmd not in (DISPENSE, STATUS, COUNTERS, RESET):
            return  # a reply echoed back at us: not for a device
        self.frames.append(frame)
        key = (frame.seq, frame.cmd, frame.data)
        if frame.cmd in (DISPENSE, RESET) and key == self._cache_key:
            if self._cache_reply is not None:
                self.cache_hits += 1
                self._reply(self._cache_reply)
            return  # still executing it: the reply comes when the job ends
        if frame.cmd == STATUS:
            self._reply(encode_frame(frame.seq, b"s", short_reply(Result.OK, self.sensors)))
        elif frame.cmd == COUNTERS:
            self._reply(encode_frame(frame.seq, b"c", counters_reply(Result.OK, self.counters)))
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
        if self.stock <= 0:
            return refuse(Result.EMPTY)
        self._cache_key, self._cache_reply = key, None
        self.last_job_no, self.last_job_requested = job_no, count
        self.last_job_dispensed, self.last_job_result = 0, Result.IN_PROGRESS
        self.executed_jobs.append((job_no, count))
        self._job = _Job(key, frame.seq, job_no, count, 0, time.monotonic() + self.sheet_s)

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
            if self.stock <= 0:
                self._finish(job, Result.EMPTY)
                job = None
                break
            self.stock -= 1
            self.total_dispensed += 1
            job.dispensed += 1
            self.last_job_dispensed = job.dispensed
            if job.dispensed >= job.requested:
                self._finish(job, Result.OK)
                job = None
                break
            job.next_sheet_at += self.sheet_s
        if self._outgoing and not self.mute:
            due = [item for item in self._outgoing if item[0] <= now]
            self._outgoing = [item for item in self._outgoing if item[0] > now]
            for _, data in due:
                self._send(data)

    def _finish(self, job: _Job, result: Result) -> None:
        self._job = None
        self.last_job_result = result
        self._answer(job.key, encode_frame(job.seq, b"d", dispense_reply(
            result, self.sensors, job.dispensed, self.total_dispensed)))

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
