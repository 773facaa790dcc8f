"""Invoice dispenser on a serial line (docs/dispenser-protocol.md).

Each request carries a sequence number; a request whose reply does not come is sent
again with the same SEQ, and the dispenser answers a repeated SEQ from its cache instead
of executing it again; a dispense job also carries a job number that the dispenser keeps
in non-volatile memory with its counters, so even a dispenser that rebooted refuses to
run the same job twice. That is what makes retransmission safe.

Before each job the driver reads the counters (sensors included: an empty, jammed or
open dispenser is refused before anything is journalled), journals the job as 'sent'
with the total counter, sends it, and journals the outcome with the number of sheets
the dispenser reports. A job whose outcome is unknown is settled by `reconcile()` from
the counters and never issued again.

Like the payment terminal: no reader thread, one command at a time under a lock, a
deadline on every read. Call it from a worker thread.
"""
from __future__ import annotations

import logging
import re
import secrets
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from ..base import DeviceState, DeviceStatus, StatusCallback
from ..device import Capability
from ..errors import DeviceCondition, DeviceError, DeviceErrorCode

# LOCK_WAIT_S, READ_SLICE_S and INTERBYTE_S were defined here: still importable from here.
from ..journalled_device import LOCK_WAIT_S, JournalledSerialDevice  # noqa: F401
from ..serial_link import INTERBYTE_S, READ_SLICE_S  # noqa: F401
from .frame import (
    CASSETTE,
    CASSETTE_JOB,
    CASSETTES,
    COUNTERS,
    DISPENSE,
    INVOICE_KINDS,
    KIND_BYTES,
    LOAD,
    MAX_RETRACT_S,
    MAX_SHEETS_PER_JOB,
    PRESENTER,
    RESET,
    STATUS,
    CassetteState,
    Counters,
    DFrame,
    DispenserFrameParser,
    Presenter,
    PresenterState,
    Result,
    Sensors,
    cassette_job_data,
    dispense_data,
    encode_frame,
    load_data,
    parse_cassette_job_reply,
    parse_cassette_reply,
    parse_counters_reply,
    parse_dispense_reply,
    parse_presenter_reply,
    parse_short_reply,
)
from .journal import DispenseJob, DispenseJournal, DuplicateJob

_log = logging.getLogger("drivers.dispenser")
_T = TypeVar("_T")

DEFAULT_REPLY_TIMEOUT_S = 1.0
DEFAULT_SHEET_TIME_S = 1.0  # generous: real dispensers feed one sheet in 0.3-0.6 s
MAX_RETRANSMITS = 3
_JOB_ID = re.compile(r"^[\x21-\x7e]{1,64}$")

_FAULTS: dict[Result, tuple[DeviceErrorCode, DeviceCondition | None, str]] = {
    Result.EMPTY: (DeviceErrorCode.FAILURE, DeviceCondition.STOCK_EMPTY, "invoice stock is empty"),
    Result.JAM: (DeviceErrorCode.FAILURE, DeviceCondition.JAM, "a sheet is jammed"),
    Result.DOOR_OPEN: (DeviceErrorCode.FAILURE, DeviceCondition.DOOR_OPEN, "dispenser door is open"),
    Result.BUSY: (DeviceErrorCode.BUSY, None, "dispenser is busy"),
    Result.BAD_REQUEST: (DeviceErrorCode.ILLEGAL, None, "dispenser rejected the request"),
    Result.INTERRUPTED: (DeviceErrorCode.FAILURE, None, "dispenser restarted during the job"),
    Result.IN_PROGRESS: (DeviceErrorCode.BUSY, None, "dispenser is still dispensing"),
    Result.OVERLAP: (DeviceErrorCode.ILLEGAL, None,
                     "the range does not continue what the cassette holds"),
    Result.PRESENTED: (DeviceErrorCode.BUSY, None, "invoices still wait in the exit slot"),
}
DEFAULT_RETRACT_S = 60


class DispenseError(DeviceError):
    """A job failed; `dispensed` sheets left the machine anyway (0 when refused)."""

    def __init__(self, code: DeviceErrorCode, message: str,
                 extended: DeviceCondition | None = None, *, dispensed: int = 0,
                 job_id: str | None = None) -> None:
        super().__init__(code, message, extended)
        self.dispensed = dispensed
        self.job_id = job_id


@dataclass(frozen=True)
class DispenseResult:
    job_id: str
    job_no: int
    requested: int
    dispensed: int
    counter_before: int
    counter_after: int
    stock_low: bool
    at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class IssueResult:
    """One cassette job: `dispensed` sheets numbered first..last of `code` left the
    cassette and wait in the exit slot (`stock_low`: that cassette is nearly empty)."""

    job_id: str
    slot: int
    kind: str
    code: str
    first: int
    last: int
    dispensed: int
    requested: int

    @property
    def complete(self) -> bool:
        return self.dispensed == self.requested


@dataclass(frozen=True)
class DispenseReconcileOutcome:
    """How start-up reconciliation settled one open job ('done', 'failed', 'manual_check')."""

    job_id: str
    requested: int
    dispensed: int | None
    previous_state: str
    new_state: str
    note: str = ""


class _NoReply(Exception):
    pass


def sensors_fault(sensors: Sensors) -> tuple[DeviceErrorCode, DeviceCondition | None, str] | None:
    """The fault that stops dispensing, most urgent first (door, jam, empty)."""
    if sensors.door_open:
        return _FAULTS[Result.DOOR_OPEN]
    if sensors.jam:
        return _FAULTS[Result.JAM]
    if sensors.empty:
        return _FAULTS[Result.EMPTY]
    return None


class InvoiceDispenser(JournalledSerialDevice[DispenseJournal, DFrame]):
    """Paper-invoice dispenser. `open()` is optional: commands open the port."""

    kind = "dispenser"
    capabilities = frozenset({Capability.DISPENSE})
    label = "dispenser"
    label_with_article = "an invoice dispenser"
    _log = _log  # the base class logs as this driver

    def __init__(
        self,
        connection: str,
        *,
        journal: DispenseJournal,
        name: str | None = None,
        on_status: StatusCallback | None = None,
        reply_timeout_s: float = DEFAULT_REPLY_TIMEOUT_S,
        sheet_time_s: float = DEFAULT_SHEET_TIME_S,
        max_retransmits: int = MAX_RETRANSMITS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        parser = DispenserFrameParser()
        super().__init__(connection, journal=journal, parser=parser, name=name,
                         on_status=on_status, clock=clock,
                         # a frame with a bad CRC is dropped: count its bytes as noise too
                         noise=lambda: parser.garbage + parser.crc_errors)
        self.reply_timeout_s = reply_timeout_s
        self.sheet_time_s = sheet_time_s
        self.max_retransmits = max_retransmits
        self._seq = secrets.randbelow(256)  # a restarted kiosk does not reuse the last SEQ

    # -- commands ---------------------------------------------------------------------

    def dispense(self, count: int, job_id: str) -> DispenseResult:
        """Dispense `count` sheets for `job_id` (unique: a job id is dispensed at most once).

        Raises DispenseError with `.dispensed` when the dispenser refuses or fails mid-job,
        DeviceError TIMEOUT/OFFLINE when the outcome is unknown (reconcile settles it).
        """
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_SHEETS_PER_JOB:
            raise DeviceError(DeviceErrorCode.ILLEGAL, f"count must be 1..{MAX_SHEETS_PER_JOB}")
        if not isinstance(job_id, str) or not _JOB_ID.match(job_id):
            raise DeviceError(DeviceErrorCode.ILLEGAL, "job id must be 1-64 printable ASCII characters")
        with self._claimed():
            self._link.ensure_open()
            self._reconcile_locked()  # a new job would blur the counters of an open one
            if self.journal.get(job_id) is not None:
                raise DeviceError(DeviceErrorCode.ILLEGAL, f"dispense job {job_id} already exists")
            before = self._counters_locked()
            fault = sensors_fault(before.sensors)
            if fault is not None:
                code, condition, text = fault
                self._set_status(DeviceState.ERROR, code, condition, text)
                raise DispenseError(code, f"{text}: job {job_id} not started", condition,
                                    dispensed=0, job_id=job_id)
            job_no = secrets.randbits(32)
            try:
                self.journal.begin(job_id, job_no, count, before.total_dispensed)
            except DuplicateJob as exc:
                raise DeviceError(DeviceErrorCode.ILLEGAL, str(exc)) from None
            self._count("jobs")
            self._set_status(DeviceState.BUSY)
            self._wrote = False
            wait_s = self.reply_timeout_s + count * self.sheet_time_s
            try:
                reply = self._exchange(DISPENSE, dispense_data(count, job_no), wait_s)
            except _NoReply:
                self._unknown(job_id, "no reply")
                raise DeviceError(DeviceErrorCode.TIMEOUT,
                                  f"dispenser did not answer job {job_id}; "
                                  "outcome unknown until reconciled") from None
            except DeviceError:
                if self._wrote:
                    self._unknown(job_id, "port lost during the job")
                else:
                    self.journal.resolve(job_id, "failed", resolved_by="send", dispensed=0,
                                         note="port failed before anything was sent")
                raise
            try:
                result, sensors, dispensed, total = _parse(parse_dispense_reply, reply)
            except DeviceError as exc:
                self._unknown(job_id, exc.message)
                raise
            if total - before.total_dispensed != dispensed:
                _log.warning("%s: job %s: counter moved by %d, device reports %d sheets",
                             self.name, job_id, total - before.total_dispensed, dispensed)
            if result is Result.OK and dispensed == count:
                self.journal.resolve(job_id, "done", resolved_by="reply", dispensed=dispensed,
                                     counter_after=total)
                self._count("sheets", dispensed)
                self._report_sensors(sensors)
                _log.info("%s: job %s: %d sheets", self.name, job_id, dispensed)
                return DispenseResult(job_id, job_no, count, dispensed, before.total_dispensed,
                                      total, sensors.stock_low)
            code, condition, text = _FAULTS.get(
                result, (DeviceErrorCode.FAILURE, None, f"dispenser result {int(result)}"))
            self.journal.resolve(job_id, "failed", resolved_by="reply", dispensed=dispensed,
                                 counter_after=total,
                                 fault=condition.value if condition else result.name.lower())
            self._count("sheets", dispensed)
            self._count("failed_jobs")
            self._report_sensors(sensors)
            _log.warning("%s: job %s failed after %d of %d sheets: %s", self.name, job_id,
                         dispensed, count, text)
            raise DispenseError(code, f"{text}: {dispensed} of {count} sheets dispensed",
                                condition, dispensed=dispensed, job_id=job_id)

    def issue(self, slot: int, count: int, job_id: str, *, retract_s: int = DEFAULT_RETRACT_S,
              pickup: str | None = None) -> IssueResult:
        """Issue `count` numbered sheets (1..50: a larger quantity is several jobs) from
        cassette `slot` and present them. Journalled with the cassette, its kind and code
        and the number expected first before the frame is written; the device's answer
        names the numbers issued. Raises like `dispense()`; a job cut short by a fault
        raises DispenseError after journalling what did leave the cassette."""
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_SHEETS_PER_JOB:
            raise DeviceError(DeviceErrorCode.ILLEGAL, f"count must be 1..{MAX_SHEETS_PER_JOB}")
        if not isinstance(slot, int) or not 1 <= slot <= CASSETTES:
            raise DeviceError(DeviceErrorCode.ILLEGAL, f"cassette must be 1..{CASSETTES}")
        if not 1 <= retract_s <= MAX_RETRACT_S:
            raise DeviceError(DeviceErrorCode.ILLEGAL, f"retract time must be 1..{MAX_RETRACT_S} s")
        if not isinstance(job_id, str) or not _JOB_ID.match(job_id):
            raise DeviceError(DeviceErrorCode.ILLEGAL, "job id must be 1-64 printable ASCII characters")
        with self._claimed():
            self._link.ensure_open()
            self._reconcile_locked()
            self._settle_presentations_locked()
            if self.journal.get(job_id) is not None:
                raise DeviceError(DeviceErrorCode.ILLEGAL, f"dispense job {job_id} already exists")
            if self.journal.open_presentations():
                raise DeviceError(DeviceErrorCode.BUSY, "invoices still wait in the exit slot")
            before = self._counters_locked()
            fault = sensors_fault(Sensors(door_open=before.sensors.door_open, jam=before.sensors.jam))
            cassette = self._cassette_locked(slot)
            if fault is None and cassette.remaining <= 0:
                fault = _FAULTS[Result.EMPTY]
            if fault is not None:
                code, condition, text = fault
                raise DispenseError(code, f"{text}: job {job_id} not started", condition,
                                    dispensed=0, job_id=job_id)
            job_no = secrets.randbits(32)
            kind = INVOICE_KINDS.get(cassette.kind, str(cassette.kind))
            try:
                self.journal.begin(job_id, job_no, count, before.total_dispensed, slot=slot,
                                   kind=kind, code=cassette.code, first_no=cassette.next_no,
                                   pickup=pickup, retract_s=retract_s)
            except DuplicateJob as exc:
                raise DeviceError(DeviceErrorCode.ILLEGAL, str(exc)) from None
            self._count("jobs")
            self._set_status(DeviceState.BUSY)
            self._wrote = False
            wait_s = self.reply_timeout_s + count * self.sheet_time_s
            try:
                reply = self._exchange(CASSETTE_JOB, cassette_job_data(slot, count, job_no, retract_s),
                                       wait_s)
            except _NoReply:
                self._unknown(job_id, "no reply")
                raise DeviceError(DeviceErrorCode.TIMEOUT,
                                  f"dispenser did not answer job {job_id}; "
                                  "outcome unknown until reconciled") from None
            except DeviceError:
                if self._wrote:
                    self._unknown(job_id, "port lost during the job")
                else:
                    self.journal.resolve(job_id, "failed", resolved_by="send", dispensed=0,
                                         note="port failed before anything was sent")
                raise
            try:
                result, sensors, _, dispensed, first, total = _parse(parse_cassette_job_reply, reply)
            except DeviceError as exc:
                self._unknown(job_id, exc.message)
                raise
            if dispensed:
                self.journal.set_first(job_id, first)
            ok = result is Result.OK and dispensed == count
            if ok:
                self.journal.resolve(job_id, "done", resolved_by="reply", dispensed=dispensed,
                                     counter_after=total)
            else:
                code, condition, text = _FAULTS.get(
                    result, (DeviceErrorCode.FAILURE, None, f"dispenser result {int(result)}"))
                self.journal.resolve(job_id, "failed", resolved_by="reply", dispensed=dispensed,
                                     counter_after=total,
                                     fault=condition.value if condition else result.name.lower())
            if dispensed:
                self.journal.present(job_id, "presented")
            self._count("sheets", dispensed)
            self._report_sensors(sensors)
            if not ok:
                self._count("failed_jobs")
                raise DispenseError(code, f"{text}: {dispensed} of {count} sheets dispensed",
                                    condition, dispensed=dispensed, job_id=job_id)
            _log.info("%s: cassette job %s: %d sheets from cassette %d", self.name, job_id,
                      dispensed, slot)
            return IssueResult(job_id, slot, kind, cassette.code, first, first + dispensed - 1,
                               dispensed, count)

    def await_presentation(self, job_id: str, timeout_s: float, *, poll_s: float = 0.1) -> str:
        """Wait until the sheets of `job_id` are taken or retracted (journalled); answers
        'taken', 'retracted', or 'presented' when `timeout_s` passed first."""
        deadline = self._clock() + timeout_s
        while True:
            with self._claimed():
                self._link.ensure_open()
                self._settle_presentations_locked()
            job = self.journal.get(job_id)
            if job is None or job.presentation in ("taken", "retracted"):
                return job.presentation if job is not None and job.presentation else "taken"
            if self._clock() >= deadline:
                return "presented"
            time.sleep(poll_s)

    def presenter(self) -> PresenterState:
        with self._claimed():
            self._link.ensure_open()
            return self._presenter_locked()

    def cassette(self, slot: int) -> CassetteState:
        with self._claimed():
            self._link.ensure_open()
            return self._cassette_locked(slot)

    def cassettes(self) -> list[CassetteState]:
        with self._claimed():
            self._link.ensure_open()
            return [self._cassette_locked(slot) for slot in range(1, CASSETTES + 1)]

    def cassettes_unless_busy(self) -> list[CassetteState] | None:
        """`cassettes()` for a reporter that must not wait (the heartbeat on the sync
        thread): None at once while another command holds the device, instead of
        waiting up to LOCK_WAIT_S. Raises DeviceError when the dispenser does not answer."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            self._link.ensure_open()
            return [self._cassette_locked(slot) for slot in range(1, CASSETTES + 1)]
        finally:
            self._lock.release()

    def load(self, slot: int, kind: str, code: str, first: int, last: int) -> CassetteState:
        """Tell the dispenser what box went into cassette `slot` (an empty cassette takes
        any range, a loaded one only the continuation of its range). Callers check the
        box against the allocation first; this refuses overlaps the device can see."""
        if kind not in KIND_BYTES:
            raise DeviceError(DeviceErrorCode.ILLEGAL, f"unknown invoice kind {kind!r}")
        if not 1 <= slot <= CASSETTES or not 0 < first <= last <= 0xFFFFFFFF:
            raise DeviceError(DeviceErrorCode.ILLEGAL, "bad cassette or number range")
        with self._claimed():
            self._link.ensure_open()
            try:
                reply = self._exchange(LOAD, load_data(slot, KIND_BYTES[kind], code, first, last),
                                       self.reply_timeout_s)
            except _NoReply:
                raise DeviceError(DeviceErrorCode.TIMEOUT, "dispenser does not answer") from None
            result, sensors = _parse(parse_short_reply, reply)
            self._report_sensors(sensors)
            if result is not Result.OK:
                code_, condition, text = _FAULTS.get(
                    result, (DeviceErrorCode.FAILURE, None, f"dispenser result {int(result)}"))
                raise DeviceError(code_, f"load refused: {text}", condition)
            return self._cassette_locked(slot)

    def counters(self) -> Counters:
        with self._claimed():
            self._link.ensure_open()
            return self._counters_locked()

    def sensors(self) -> Sensors:
        with self._claimed():
            self._link.ensure_open()
            reply = self._request(STATUS)
        _, sensors = _parse(parse_short_reply, reply)
        self._report_sensors(sensors)
        return sensors

    def reset(self) -> Sensors:
        """Clear a jam after staff removed the sheet (the door must be closed again)."""
        with self._claimed():
            self._link.ensure_open()
            reply = self._request(RESET)
        result, sensors = _parse(parse_short_reply, reply)
        self._report_sensors(sensors)
        if result is not Result.OK:
            code, condition, text = _FAULTS.get(result, (DeviceErrorCode.FAILURE, None, "reset failed"))
            raise DeviceError(code, f"reset refused: {text}", condition)
        return sensors

    def status(self) -> DeviceStatus:
        """Ask the sensors; while a job runs, report BUSY without asking. Never raises."""
        def ask() -> None:
            _, sensors = _parse(parse_short_reply, self._request(STATUS))
            self._report_sensors(sensors)

        return self._status_unless_busy(ask)

    def check(self, timeout_s: float) -> DeviceStatus:
        """The Device health check: `status()` (its exchange has the driver's own
        reply deadline; during a job the BUSY state stands)."""
        return self.status()

    def reconcile(self) -> list[DispenseReconcileOutcome]:
        """Settle jobs a crash or a silent dispenser left open, from the counters.
        Raises DeviceError (jobs unchanged) when the dispenser cannot be asked."""
        with self._claimed():
            self._link.ensure_open()
            return self._reconcile_locked()

    # -- reconciliation ---------------------------------------------------------------

    def _reconcile_locked(self) -> list[DispenseReconcileOutcome]:
        open_jobs = self.journal.open_jobs()
        if not open_jobs:
            self._settle_presentations_locked()
            return []
        counters = self._counters_locked()
        if counters.last_job_result is Result.IN_PROGRESS:
            raise DeviceError(DeviceErrorCode.BUSY, "dispenser is still running a job")
        presenter = (self._presenter_locked()
                     if any(job.slot is not None for job in open_jobs) else None)
        outcomes = [self._settle(job, counters, presenter) for job in open_jobs]
        self._settle_presentations_locked()
        for o in outcomes:
            _log.warning("%s: reconciled job %s: %s -> %s, %s of %d sheets (%s)", self.name,
                         o.job_id, o.previous_state, o.new_state,
                         "?" if o.dispensed is None else o.dispensed, o.requested, o.note)
        return outcomes

    def _settle(self, job: DispenseJob, c: Counters,
                presenter: PresenterState | None = None) -> DispenseReconcileOutcome:
        moved = c.total_dispensed - job.counter_before
        if c.last_job_no == job.job_no:
            n = c.last_job_dispensed
            note = "dispenser's record of this job"
            if moved != n:
                return self._manual(job, f"counter moved by {moved} but the job record says {n}")
            if job.slot is not None and n:
                # the numbers: the presenter keeps the last cassette job's first number
                if presenter is None or presenter.job_no != job.job_no:
                    return self._manual(job, "the dispenser no longer knows this job's numbers")
                self.journal.set_first(job.job_id, presenter.first)
            done = c.last_job_result is Result.OK and n == job.requested
            fault = None if done else _fault_name(c.last_job_result)
            state = "done" if done else "failed"
        elif moved == 0:
            n, state, fault = 0, "failed", "not_performed"
            note = "the dispenser never started this job"
        else:
            return self._manual(job, f"counter moved by {moved} but the dispenser's last job is "
                                     "another one")
        self.journal.resolve(job.job_id, state, resolved_by="reconcile", dispensed=n,
                             counter_after=c.total_dispensed, fault=fault, note=note)
        if job.slot is not None and n:
            self.journal.present(job.job_id, "presented")  # settled from the presenter below
        return DispenseReconcileOutcome(job.job_id, job.requested, n, job.state, state, note)

    def _manual(self, job: DispenseJob, note: str) -> DispenseReconcileOutcome:
        self._count("manual_checks")
        self.journal.resolve(job.job_id, "manual_check", resolved_by="reconcile", note=note)
        return DispenseReconcileOutcome(job.job_id, job.requested, None, job.state,
                                        "manual_check", note)

    def _settle_presentations_locked(self) -> None:
        """Journal whether presented sheets were taken or retracted, from the presenter's
        record of the last cassette job (only that job can still be in the slot)."""
        pending = self.journal.open_presentations()
        if not pending:
            return
        p = self._presenter_locked()
        for job in pending:
            if p.job_no != job.job_no:
                # a later job ran, and a job only starts with an empty slot: these were
                # taken or retracted long ago; the retract counter decides at reconciliation
                _log.warning("%s: job %s: presentation outcome lost", self.name, job.job_id)
                self.journal.present(job.job_id, "lost")
                continue
            if p.state is Presenter.TAKEN:
                self.journal.present(job.job_id, "taken")
            elif p.state is Presenter.RETRACTED:
                self.journal.present(job.job_id, "retracted")
                _log.warning("%s: job %s: %d sheets retracted into the reject bin", self.name,
                             job.job_id, p.sheets)

    def _presenter_locked(self) -> PresenterState:
        try:
            reply = self._exchange(PRESENTER, b"", self.reply_timeout_s)
        except _NoReply:
            raise DeviceError(DeviceErrorCode.TIMEOUT, "dispenser does not answer") from None
        _, state = _parse(parse_presenter_reply, reply)
        return state

    def _cassette_locked(self, slot: int) -> CassetteState:
        try:
            reply = self._exchange(CASSETTE, bytes((slot,)), self.reply_timeout_s)
        except _NoReply:
            raise DeviceError(DeviceErrorCode.TIMEOUT, "dispenser does not answer") from None
        result, _, state = _parse(parse_cassette_reply, reply)
        if result is not Result.OK:
            raise DeviceError(DeviceErrorCode.ILLEGAL, f"no cassette {slot}")
        return state

    def _describe(self, key: str) -> str:
        return f"job {key}"

    def _counters_locked(self) -> Counters:
        _, counters = _parse(parse_counters_reply, self._request(COUNTERS))
        return counters

    def _report_sensors(self, sensors: Sensors) -> None:
        fault = sensors_fault(sensors)
        if fault is not None:
            code, condition, text = fault
            self._set_status(DeviceState.ERROR, code, condition, text)
        elif sensors.stock_low:
            self._set_status(DeviceState.IDLE, None, DeviceCondition.STOCK_LOW, "invoice stock is low")
        else:
            self._set_status(DeviceState.IDLE)

    # -- request / reply --------------------------------------------------------------

    def _request(self, cmd: bytes) -> DFrame:
        try:
            return self._exchange(cmd, b"", self.reply_timeout_s)
        except _NoReply:
            self._set_status(DeviceState.ERROR, DeviceErrorCode.TIMEOUT,
                             message="dispenser does not answer")
            raise DeviceError(DeviceErrorCode.TIMEOUT, "dispenser does not answer") from None

    def _exchange(self, cmd: bytes, data: bytes, wait_s: float) -> DFrame:
        """Send with a fresh SEQ; on silence repeat the very same frame (same SEQ)."""
        self._seq = (self._seq + 1) % 256
        seq = self._seq
        frame = encode_frame(seq, cmd, data)
        reply_cmd = cmd.lower()
        self._link.discard_input()
        for attempt in range(self.max_retransmits + 1):
            if attempt:
                self._count("retransmissions")
            self._link.write(frame)
            self._wrote = True
            until = self._clock() + wait_s
            while True:
                reply = self._link.next_event(until)
                if reply is None:
                    self._count("reply_timeouts")
                    break
                if reply.seq == seq and reply.cmd == reply_cmd:
                    return reply
                self._count("stale_frames")
        raise _NoReply()


def _parse(parse: Callable[[bytes], _T], reply: DFrame) -> _T:
    """Decode reply data; a reply with a good CRC and nonsense inside is a BAD_REPLY."""
    try:
        return parse(reply.data)
    except (ValueError, struct.error) as exc:
        raise DeviceError(DeviceErrorCode.FAILURE, f"unreadable {reply.cmd.decode()} reply: {exc}",
                          DeviceCondition.BAD_REPLY) from None


def _fault_name(result: Result) -> str:
    code_condition = _FAULTS.get(result)
    if code_condition is not None and code_condition[1] is not None:
        return code_condition[1].value
    return result.name.lower()
