"""Bank-card payment terminal on a serial line (docs/payment-protocol.md).

Request/response with stop-and-wait: the driver sends one frame, waits up to
`ack_timeout_s` for ACK (a NAK or silence makes it repeat the frame, at most
`max_retransmits` times), then waits for the reply until the transaction deadline
(`transaction_timeout_s`, 60 s by default: the cardholder inserts the card and types
the PIN in that time). Every read has a deadline; there is no reader thread because the
terminal never speaks unasked, and a lock lets one command run at a time. Call it from
a worker thread, never from the GUI thread.

Money safety: each sale and void is journalled ('sent') before the first byte is
written and resolved from the reply. When the outcome is unknown (no reply, cable
pulled, kiosk crash) the entry stays open and the transaction is never sent again;
`reconcile()` (at start-up, and before the next transaction) asks the terminal for its
last transaction and settles the entry from that. The terminal itself drops a repeated
frame with the same message number, so a retransmission cannot charge twice.
"""
from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable

from ..base import DeviceState, DeviceStatus, StatusCallback
from ..device import Capability
from ..errors import DeviceCondition, DeviceError, DeviceErrorCode

# LOCK_WAIT_S, READ_SLICE_S and INTERBYTE_S were defined here: still importable from here.
from ..journalled_device import LOCK_WAIT_S, JournalledSerialDevice  # noqa: F401
from ..serial_link import INTERBYTE_S, READ_SLICE_S  # noqa: F401
from .base import APPROVED, PaymentResult, ReconcileOutcome, mask_pan
from .frame import (
    ACK,
    ACK_TIMEOUT_S,
    MAX_RETRANSMITS,
    NAK,
    PROGRESS,
    SALE,
    VOID,
    Ack,
    BadFrame,
    Event,
    Frame,
    FrameParser,
    Message,
    Nak,
    ProtocolError,
    TransactionRecord,
    check_amount,
    check_reference,
    check_trace,
    decode_message,
    decode_record_fields,
    encode_frame,
    format_msgno,
    parse_query_reply,
    query_request,
    sale_request,
    status_request,
    void_request,
)
from .journal import DuplicateReference, PaymentJob, PaymentJournal

_log = logging.getLogger("drivers.payment")

DEFAULT_TRANSACTION_TIMEOUT_S = 60.0
DEFAULT_REPLY_TIMEOUT_S = 5.0  # status and query-last answer at once

# Terminal status codes in the "t" reply.
STATUS_READY, STATUS_BUSY, STATUS_NOT_SIGNED_IN = "00", "01", "02"

ProgressCallback = Callable[[str, str], None]


class _NotDelivered(Exception):
    """No ACK after all transmissions; `rejected` when every answer was a NAK."""

    def __init__(self, rejected: bool) -> None:
        super().__init__("not delivered")
        self.rejected = rejected


class _NoReply(Exception):
    """The request was acknowledged but its reply did not come before the deadline."""


class SerialPaymentTerminal(JournalledSerialDevice[PaymentJournal, Event]):
    """A PaymentTerminal over pyserial. `open()` is optional: commands open the port."""

    kind = "payment"
    capabilities = frozenset({Capability.PAY})
    label = "payment terminal"
    label_with_article = "a payment terminal"
    _log = _log  # the base class logs as this driver

    def __init__(
        self,
        connection: str,
        *,
        journal: PaymentJournal,
        name: str | None = None,
        on_status: StatusCallback | None = None,
        on_progress: ProgressCallback | None = None,
        transaction_timeout_s: float = DEFAULT_TRANSACTION_TIMEOUT_S,
        reply_timeout_s: float = DEFAULT_REPLY_TIMEOUT_S,
        ack_timeout_s: float = ACK_TIMEOUT_S,
        max_retransmits: int = MAX_RETRANSMITS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(connection, journal=journal, parser=FrameParser(), name=name,
                         on_status=on_status, clock=clock)
        self.on_progress = on_progress
        self.transaction_timeout_s = transaction_timeout_s
        self.reply_timeout_s = reply_timeout_s
        self.ack_timeout_s = ack_timeout_s
        self.max_retransmits = max_retransmits
        # A random start: a restarted kiosk must not repeat the number of the terminal's
        # last request, or the terminal would take a new sale for a retransmission.
        self._msgno = secrets.randbelow(999999) + 1

    # -- the PaymentTerminal interface ------------------------------------------------

    def sale(self, amount_fen: int, reference: str) -> PaymentResult:
        try:
            check_amount(amount_fen)
            check_reference(reference)
        except ValueError as exc:
            raise DeviceError(DeviceErrorCode.ILLEGAL, str(exc)) from None
        return self._transaction("sale", reference, amount_fen, None,
                                 lambda msgno: sale_request(msgno, amount_fen, reference))

    def void(self, original_trace: str, reference: str) -> PaymentResult:
        try:
            check_trace(original_trace)
            check_reference(reference)
        except ValueError as exc:
            raise DeviceError(DeviceErrorCode.ILLEGAL, str(exc)) from None
        return self._transaction("void", reference, 0, original_trace,
                                 lambda msgno: void_request(msgno, original_trace, reference))

    def query_last(self) -> PaymentResult | None:
        with self._claimed():
            self._link.ensure_open()
            rec = self._query_last_locked()
        return None if rec is None else _result(rec)

    def status(self) -> DeviceStatus:
        """Ask the terminal; while a transaction runs, report BUSY without asking."""
        return self._status_unless_busy(self._ask_status)

    def check(self, timeout_s: float) -> DeviceStatus:
        """The Device health check: `status()` (its exchange has the driver's own
        reply deadline; during a transaction the BUSY state stands)."""
        return self.status()

    def _ask_status(self) -> None:
        msg = self._request(status_request(self._next_msgno()))
        code = msg.fields[0] if msg.fields else ""
        text = msg.fields[1] if len(msg.fields) > 1 else ""
        if code == STATUS_READY:
            self._set_status(DeviceState.IDLE)
        elif code == STATUS_BUSY:
            self._set_status(DeviceState.BUSY, message=text)
        elif code == STATUS_NOT_SIGNED_IN:
            self._set_status(DeviceState.ERROR, DeviceErrorCode.FAILURE,
                             message="terminal is not signed in to the acquirer")
        else:
            self._set_status(DeviceState.ERROR, DeviceErrorCode.FAILURE,
                             message=f"terminal status {code[:4]!r}: {text[:64]}")

    def reconcile(self) -> list[ReconcileOutcome]:
        """Settle every journal entry left 'sent' or 'unknown' from the terminal's last
        transaction. Raises DeviceError (entries unchanged) when the terminal cannot be
        asked or is busy."""
        with self._claimed():
            self._link.ensure_open()
            return self._reconcile_locked()

    # -- transactions -----------------------------------------------------------------

    def _transaction(self, kind: str, reference: str, amount_fen: int,
                     original_trace: str | None,
                     build: Callable[[str], Message]) -> PaymentResult:
        with self._claimed():
            self._link.ensure_open()
            # A new transaction overwrites the terminal's "last transaction", the only
            # evidence for an open entry: settle open entries first, or refuse.
            self._reconcile_locked()
            try:
                self.journal.begin(kind, reference, amount_fen, original_trace)
            except DuplicateReference as exc:
                raise DeviceError(DeviceErrorCode.ILLEGAL, str(exc)) from None
            request = build(self._next_msgno())
            self._count(f"{kind}s")
            self._set_status(DeviceState.BUSY)
            self._wrote = False
            deadline = self._clock() + self.transaction_timeout_s
            try:
                reply = self._exchange(request, deadline)
            except _NotDelivered as exc:
                if exc.rejected:
                    # Every transmission was NAKed: the terminal discarded each copy.
                    self.journal.resolve(reference, "not_performed", resolved_by="send",
                                         note="terminal answered NAK to every transmission")
                    self._set_status(DeviceState.ERROR, DeviceErrorCode.FAILURE,
                                     DeviceCondition.BAD_REPLY, "terminal rejects our frames")
                    raise DeviceError(DeviceErrorCode.FAILURE,
                                      f"terminal rejected the {kind} request "
                                      f"{self.max_retransmits + 1} times (NAK)",
                                      DeviceCondition.BAD_REPLY) from None
                self._unknown(reference, "no ACK to any transmission")
                raise DeviceError(DeviceErrorCode.TIMEOUT,
                                  f"terminal did not acknowledge the {kind} request; "
                                  "outcome unknown until reconciled") from None
            except _NoReply:
                self._unknown(reference, f"no reply within {self.transaction_timeout_s:g} s")
                raise DeviceError(DeviceErrorCode.TIMEOUT,
                                  f"no {kind} reply within {self.transaction_timeout_s:g} s; "
                                  "outcome unknown until reconciled") from None
            except DeviceError:
                if self._wrote:
                    self._unknown(reference, "port lost during the transaction")
                else:
                    self.journal.resolve(reference, "not_performed", resolved_by="send",
                                         note="port failed before anything was sent")
                raise
            letter = SALE if kind == "sale" else VOID
            try:
                rec = decode_record_fields(letter, reply.fields)
            except ProtocolError as exc:
                self._unknown(reference, f"unreadable reply: {exc}")
                raise DeviceError(DeviceErrorCode.FAILURE, f"unreadable {kind} reply: {exc}",
                                  DeviceCondition.BAD_REPLY) from None
            if rec.reference != reference or (kind == "sale" and rec.amount_fen != amount_fen):
                self._unknown(reference, "reply does not match the request")
                raise DeviceError(DeviceErrorCode.FAILURE,
                                  f"{kind} reply does not match the request (reference/amount)",
                                  DeviceCondition.BAD_REPLY)
            result = _result(rec)
            self._record(reference, result, resolved_by="reply")
            self._count("approved" if result.approved else "declined")
            self._set_status(DeviceState.IDLE)
            _log.info("%s: %s %s %s (rc %s, trace %s)", self.name, kind, reference,
                      "approved" if result.approved else "declined", result.response_code,
                      result.trace_no)
            return result

    def _record(self, reference: str, result: PaymentResult, *, resolved_by: str,
                note: str | None = None) -> None:
        self.journal.resolve(
            reference,
            "approved" if result.approved else "declined",
            resolved_by=resolved_by,
            response_code=result.response_code,
            message=result.message,
            trace_no=result.trace_no,
            card_masked=result.card_masked,
            terminal_time=result.at.isoformat(timespec="seconds"),
            amount_fen=result.amount_fen,
            note=note,
        )

    # -- reconciliation ---------------------------------------------------------------

    def _reconcile_locked(self) -> list[ReconcileOutcome]:
        open_jobs = self.journal.open_jobs()
        if not open_jobs:
            return []
        last = self._query_last_locked()
        last_job = self.journal.get(last.reference) if last is not None else None
        outcomes = [self._settle(job, last, last_job) for job in open_jobs]
        for o in outcomes:
            _log.warning("%s: reconciled %s %s: %s -> %s (%s)", self.name, o.kind, o.reference,
                         o.previous_state, o.new_state, o.note)
        return outcomes

    def _settle(self, job: PaymentJob, last: TransactionRecord | None,
                last_job: PaymentJob | None) -> ReconcileOutcome:
        letter = SALE if job.kind == "sale" else VOID
        if last is not None and last.reference == job.reference:
            if last.kind != letter or (job.kind == "sale" and last.amount_fen != job.amount_fen):
                return self._manual(job, "terminal's record of this reference differs in kind or amount")
            result = _result(last)
            self._record(job.reference, result, resolved_by="reconcile",
                         note="settled from the terminal's last transaction")
            return ReconcileOutcome(job.reference, job.kind, result.amount_fen, job.state,
                                    "approved" if result.approved else "declined", result,
                                    "terminal's last transaction")
        if last is None or (last_job is not None and last_job.id < job.id):
            note = ("terminal has no transaction on record" if last is None
                    else "terminal's last transaction is older than this one")
            self.journal.resolve(job.reference, "not_performed", resolved_by="reconcile", note=note)
            return ReconcileOutcome(job.reference, job.kind, job.amount_fen, job.state,
                                    "not_performed", None, note)
        return self._manual(job, "terminal's last transaction is another one; "
                                 "check the terminal's batch report")

    def _manual(self, job: PaymentJob, note: str) -> ReconcileOutcome:
        self._count("manual_checks")
        self.journal.resolve(job.reference, "manual_check", resolved_by="reconcile", note=note)
        return ReconcileOutcome(job.reference, job.kind, job.amount_fen, job.state,
                                "manual_check", None, note)

    def _query_last_locked(self) -> TransactionRecord | None:
        msg = self._request(query_request(self._next_msgno()))
        try:
            parsed = parse_query_reply(msg)
        except ProtocolError as exc:
            raise DeviceError(DeviceErrorCode.FAILURE, f"unreadable query reply: {exc}",
                              DeviceCondition.BAD_REPLY) from None
        if parsed == "busy":
            self._set_status(DeviceState.BUSY, message="terminal is in a transaction")
            raise DeviceError(DeviceErrorCode.BUSY, "terminal is still in a transaction")
        assert not isinstance(parsed, str)
        return parsed

    # -- request / reply --------------------------------------------------------------

    def _next_msgno(self) -> str:
        self._msgno = self._msgno % 999999 + 1
        return format_msgno(self._msgno)

    def _request(self, request: Message) -> Message:
        """A query (status, last transaction): same exchange, short deadline, errors mapped."""
        try:
            reply = self._exchange(request, self._clock() + self.reply_timeout_s)
        except _NotDelivered as exc:
            if exc.rejected:
                self._set_status(DeviceState.ERROR, DeviceErrorCode.FAILURE,
                                 DeviceCondition.BAD_REPLY, "terminal rejects our frames")
                raise DeviceError(DeviceErrorCode.FAILURE, "terminal rejected the request (NAK)",
                                  DeviceCondition.BAD_REPLY) from None
            self._set_status(DeviceState.ERROR, DeviceErrorCode.TIMEOUT,
                             message="terminal does not answer")
            raise DeviceError(DeviceErrorCode.TIMEOUT, "terminal does not acknowledge") from None
        except _NoReply:
            self._set_status(DeviceState.ERROR, DeviceErrorCode.TIMEOUT,
                             message="terminal does not answer")
            raise DeviceError(DeviceErrorCode.TIMEOUT,
                              f"no reply within {self.reply_timeout_s:g} s") from None
        if self.state is DeviceState.ERROR and self.last_status.error is DeviceErrorCode.TIMEOUT:
            self._set_status(DeviceState.IDLE)
        return reply

    def _exchange(self, request: Message, deadline: float) -> Message:
        """Send `request` (ACK/NAK and retransmissions), then wait for its reply."""
        reply_type = request.type.lower()
        frame = encode_frame(request.encode())
        self._link.discard_input()
        silences = 0
        for attempt in range(self.max_retransmits + 1):
            if attempt:
                self._count("retransmissions")
            self._link.write(frame)
            self._wrote = True
            self._count("frames_out")
            outcome = self._await_ack(request, reply_type, self._clock() + self.ack_timeout_s)
            if isinstance(outcome, Message):
                return outcome  # the reply came first: it acknowledges the request too
            if outcome == "ack":
                break
            if outcome == "silence":
                silences += 1
                self._count("ack_timeouts")
            else:
                self._count("naks_in")
        else:
            raise _NotDelivered(rejected=silences == 0)
        return self._await_reply(request, reply_type, deadline)

    def _await_ack(self, request: Message, reply_type: str, until: float) -> Message | str:
        while True:
            event = self._link.next_event(until)
            if event is None:
                return "silence"
            if isinstance(event, Ack):
                return "ack"
            if isinstance(event, Nak):
                return "nak"
            msg = self._take_frame(event)
            if msg is None or msg.msgno != request.msgno:
                continue
            if msg.type == reply_type:
                return msg
            if msg.type == PROGRESS:
                self._progress(msg)
                return "ack"  # the terminal is working on our request
            self._count("stale_frames")

    def _await_reply(self, request: Message, reply_type: str, deadline: float) -> Message:
        while True:
            event = self._link.next_event(deadline)
            if event is None:
                raise _NoReply()
            if isinstance(event, (Ack, Nak)):
                continue  # stray: nothing of ours is waiting for one
            msg = self._take_frame(event)
            if msg is None:
                continue
            if msg.msgno == request.msgno and msg.type == reply_type:
                return msg
            if msg.msgno == request.msgno and msg.type == PROGRESS:
                self._progress(msg)
                continue
            self._count("stale_frames")  # e.g. a repeated reply to an earlier request

    def _take_frame(self, event: Event) -> Message | None:
        """ACK a good frame / NAK a bad one; decode the good one."""
        if isinstance(event, BadFrame):
            self._count("naks_out")
            self._link.write(bytes((NAK,)))
            return None
        assert isinstance(event, Frame)
        self._link.write(bytes((ACK,)))
        try:
            return decode_message(event.payload)
        except ProtocolError as exc:
            self._count("bad_messages")
            _log.warning("%s: ignored a frame: %s", self.name, exc)
            return None

    def _progress(self, msg: Message) -> None:
        stage = msg.fields[0] if msg.fields else ""
        text = msg.fields[1] if len(msg.fields) > 1 else ""
        callback = self.on_progress
        if callback is not None:
            try:
                callback(stage, text)
            except Exception:  # a listener's bug must not break a payment
                _log.exception("%s: progress callback failed", self.name)


def _result(rec: TransactionRecord) -> PaymentResult:
    return PaymentResult(
        approved=rec.response_code == APPROVED,
        response_code=rec.response_code,
        message=rec.message,
        trace_no=rec.trace_no,
        reference=rec.reference,
        amount_fen=rec.amount_fen,
        card_masked=mask_pan(rec.card),
        at=rec.at,
        kind="sale" if rec.kind == SALE else "void",
    )
