"""Bank-card payment terminal on a serial line (docs/payment-protocol.md).

The messages are the MIS-POS field set (mispos.py: sale 00, void 01, sign-in 05,
settlement 06, query by reference 07, status 08) in the serial ECR frames of frame.py.
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
`reconcile()` (at start-up, and before the next transaction) asks the terminal for the
transaction stored under the entry's reference (query by reference) and settles the
entry from that. The terminal itself drops a repeated
frame with the same message number, so a retransmission cannot charge twice.
"""
from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from datetime import date, datetime

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
    Ack,
    BadFrame,
    Event,
    Frame,
    FrameParser,
    Nak,
    encode_frame,
)
from .journal import DuplicateReference, PaymentJob, PaymentJournal
from .mispos import (
    BUSY,
    NOT_FOUND,
    NOT_SIGNED_IN,
    PROGRESS,
    QUERY,
    REPLY,
    REQUEST,
    SALE,
    SETTLEMENT,
    SIGN_IN,
    STATUS,
    VOID,
    Envelope,
    PosRequest,
    ProtocolError,
    TransactionRecord,
    check_amount,
    check_reference,
    check_trace,
    decode_envelope,
    format_msgno,
    record_of,
)

_log = logging.getLogger("drivers.payment")

DEFAULT_TRANSACTION_TIMEOUT_S = 60.0
DEFAULT_REPLY_TIMEOUT_S = 5.0  # status and query answer at once
#: Sign-in and settlement go online to the acquirer but involve no cardholder.
DEFAULT_ADMIN_TIMEOUT_S = 30.0

ProgressCallback = Callable[[str, str], None]


class _NotDelivered(Exception):
    """No ACK after all transmissions; `rejected` when every answer was a NAK."""

    def __init__(self, rejected: bool) -> None:
        super().__init__("not delivered")
        self.rejected = rejected


class _NoReply(Exception):
    """The request was acknowledged but its reply did not come before the deadline."""


_KIND_NAMES = {SALE: "sale", VOID: "void", SIGN_IN: "sign_in", SETTLEMENT: "settlement"}


class SerialPaymentTerminal(JournalledSerialDevice[PaymentJournal, Event]):
    """A PaymentTerminal over pyserial. `open()` is optional: commands open the port.

    `pos_id` (POS机号: the kiosk's number, up to 8 letters/digits) and `operator`
    (操作员号) fill the MIS-POS request. With `auto_sign_in` the driver signs the
    terminal in (签到) when it reports it is not signed in, and before the first sale of
    a day it has not signed in on."""

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
        admin_timeout_s: float = DEFAULT_ADMIN_TIMEOUT_S,
        ack_timeout_s: float = ACK_TIMEOUT_S,
        max_retransmits: int = MAX_RETRANSMITS,
        pos_id: str = "",
        operator: str = "",
        auto_sign_in: bool = True,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], date] = date.today,
    ) -> None:
        super().__init__(connection, journal=journal, parser=FrameParser(), name=name,
                         on_status=on_status, clock=clock)
        probe = PosRequest(STATUS, pos_id=str(pos_id), operator=str(operator))
        try:
            probe.encode()
        except ValueError as exc:
            raise ValueError(f"payment terminal options: {exc}") from None
        self.on_progress = on_progress
        self.transaction_timeout_s = transaction_timeout_s
        self.reply_timeout_s = reply_timeout_s
        self.admin_timeout_s = admin_timeout_s
        self.ack_timeout_s = ack_timeout_s
        self.max_retransmits = max_retransmits
        self.pos_id = str(pos_id)
        self.operator = str(operator)
        self.auto_sign_in = auto_sign_in
        self._today = today
        self.signed_in_on: date | None = None  # the day of our last successful 签到
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
                                 self._build(SALE, amount_fen=amount_fen, reference=reference))

    def void(self, original_trace: str, reference: str, amount_fen: int = 0) -> PaymentResult:
        """撤销 by 原凭证号; `amount_fen` (the sale's amount) is sent when known, and the
        terminal refuses a void whose amount differs from the sale's."""
        try:
            check_trace(original_trace)
            check_reference(reference)
            if amount_fen:
                check_amount(amount_fen)
        except ValueError as exc:
            raise DeviceError(DeviceErrorCode.ILLEGAL, str(exc)) from None
        return self._transaction("void", reference, 0, original_trace,
                                 self._build(VOID, amount_fen=amount_fen, reference=reference,
                                             orig_trace=original_trace))

    def query(self, reference: str) -> PaymentResult | None:
        """The terminal's record of the transaction made under `reference` (查询), or
        None when it never made one. Raises DeviceError BUSY inside a transaction."""
        try:
            check_reference(reference)
        except ValueError as exc:
            raise DeviceError(DeviceErrorCode.ILLEGAL, str(exc)) from None
        with self._claimed():
            self._link.ensure_open()
            rec = self._query_locked(reference)
        return None if rec is None else _result(rec)

    def sign_in(self) -> PaymentResult:
        """签到: the terminal opens the day's batch with the acquirer."""
        with self._claimed():
            self._link.ensure_open()
            return self._sign_in_locked()

    def settlement(self) -> PaymentResult:
        """结算: close the batch; `amount_fen` is its net total (sales minus voids) and
        `batch_no` the closed batch. Open journal entries are settled first (a void of
        the closed batch is no longer possible). The terminal must sign in again."""
        with self._claimed():
            self._link.ensure_open()
            self._reconcile_locked()
            result = self._admin(SETTLEMENT)
            if result.approved:
                self.signed_in_on = None
            return result

    def status(self) -> DeviceStatus:
        """Ask the terminal; while a transaction runs, report BUSY without asking."""
        return self._status_unless_busy(self._ask_status)

    def check(self, timeout_s: float) -> DeviceStatus:
        """The Device health check: `status()` (its exchange has the driver's own
        reply deadline; during a transaction the BUSY state stands)."""
        return self.status()

    def _ask_status(self) -> None:
        env = self._request(self._build(STATUS), self.reply_timeout_s)
        if env.kind == BUSY:
            self._set_status(DeviceState.BUSY, message="terminal is in a transaction")
            return
        code = env.response.rc if env.response is not None else ""
        text = env.response.message if env.response is not None else ""
        if code == NOT_SIGNED_IN and self.auto_sign_in:
            self.signed_in_on = None
            result = self._sign_in_locked()
            code = "00" if result.approved else NOT_SIGNED_IN
        if code == "00":
            self._set_status(DeviceState.IDLE)
        elif code == NOT_SIGNED_IN:
            self._set_status(DeviceState.ERROR, DeviceErrorCode.FAILURE,
                             message="terminal is not signed in to the acquirer")
        else:
            self._set_status(DeviceState.ERROR, DeviceErrorCode.FAILURE,
                             message=f"terminal status {code[:4]!r}: {text[:40]}")

    def reconcile(self) -> list[ReconcileOutcome]:
        """Settle every journal entry left 'sent' or 'unknown' by asking the terminal
        for the transaction under its reference. Raises DeviceError (entries
        unchanged) when the terminal cannot be asked or is busy."""
        with self._claimed():
            self._link.ensure_open()
            return self._reconcile_locked()

    # -- requests ---------------------------------------------------------------------

    def _build(self, txn_type: str, **fields: object) -> Callable[[str], Envelope]:
        """A builder of the request envelope for a message number (a fresh nonce each)."""
        def build(msgno: str) -> Envelope:
            request = PosRequest(txn_type, pos_id=self.pos_id, operator=self.operator,
                                 nonce=f"{secrets.randbelow(900) + 100:03d}",
                                 **fields)  # type: ignore[arg-type]
            return Envelope(msgno, REQUEST, txn_type, request=request)
        return build

    def _sign_in_locked(self) -> PaymentResult:
        result = self._admin(SIGN_IN)
        if result.approved:
            self.signed_in_on = self._today()
        return result

    def _admin(self, txn_type: str) -> PaymentResult:
        """Sign-in or settlement: no money moves, nothing is journalled."""
        self._count(_KIND_NAMES[txn_type] + "s")
        env = self._request(self._build(txn_type), self.admin_timeout_s)
        if env.kind != REPLY:
            raise DeviceError(DeviceErrorCode.FAILURE, "terminal is busy",
                              DeviceCondition.BAD_REPLY)
        try:
            rec = record_of(env, datetime.now())
        except ProtocolError as exc:
            raise DeviceError(DeviceErrorCode.FAILURE, f"unreadable reply: {exc}",
                              DeviceCondition.BAD_REPLY) from None
        result = _result(rec, kind=_KIND_NAMES[txn_type])
        _log.info("%s: %s rc %s batch %s", self.name, _KIND_NAMES[txn_type],
                  result.response_code, result.batch_no)
        return result

    # -- transactions -----------------------------------------------------------------

    def _transaction(self, kind: str, reference: str, amount_fen: int,
                     original_trace: str | None,
                     build: Callable[[str], Envelope]) -> PaymentResult:
        with self._claimed():
            self._link.ensure_open()
            # Settle open entries first: the kiosk must know what an earlier sale did
            # before it takes money again.
            self._reconcile_locked()
            if kind == "sale" and self.auto_sign_in and self.signed_in_on != self._today():
                signed = self._sign_in_locked()  # 签到 once a day, before its first sale
                if not signed.approved:
                    raise DeviceError(DeviceErrorCode.FAILURE,
                                      f"terminal could not sign in (rc {signed.response_code})")
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
            try:
                if reply.kind != REPLY:
                    raise ProtocolError(f"{kind} answered {reply.kind!r}")
                rec = record_of(reply, datetime.now())
            except ProtocolError as exc:
                self._unknown(reference, f"unreadable reply: {exc}")
                raise DeviceError(DeviceErrorCode.FAILURE, f"unreadable {kind} reply: {exc}",
                                  DeviceCondition.BAD_REPLY) from None
            assert request.request is not None and reply.response is not None
            if (rec.reference != reference or rec.kind != request.txn_type
                    or reply.response.nonce != request.request.nonce
                    or (kind == "sale" and rec.amount_fen != amount_fen)):
                self._unknown(reference, "reply does not match the request")
                raise DeviceError(DeviceErrorCode.FAILURE,
                                  f"{kind} reply does not match the request "
                                  "(reference/amount/nonce)", DeviceCondition.BAD_REPLY)
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
            rrn=result.rrn or None,
            batch_no=result.batch_no or None,
            auth_code=result.auth_code or None,
        )

    # -- reconciliation ---------------------------------------------------------------

    def _reconcile_locked(self) -> list[ReconcileOutcome]:
        open_jobs = self.journal.open_jobs()
        outcomes = [self._settle(job, self._query_locked(job.reference)) for job in open_jobs]
        for o in outcomes:
            _log.warning("%s: reconciled %s %s: %s -> %s (%s)", self.name, o.kind, o.reference,
                         o.previous_state, o.new_state, o.note)
        return outcomes

    def _settle(self, job: PaymentJob, found: TransactionRecord | None) -> ReconcileOutcome:
        letter = SALE if job.kind == "sale" else VOID
        if found is None:
            # The terminal stores every transaction it starts under its reference before
            # it answers, and is idle now (a busy one raised): it never started this one.
            note = "terminal has no transaction under this reference"
            self.journal.resolve(job.reference, "not_performed", resolved_by="reconcile",
                                 note=note)
            return ReconcileOutcome(job.reference, job.kind, job.amount_fen, job.state,
                                    "not_performed", None, note)
        if found.kind != letter or (job.kind == "sale" and found.amount_fen != job.amount_fen):
            return self._manual(job, "terminal's record of this reference differs in kind or amount")
        result = _result(found)
        self._record(job.reference, result, resolved_by="reconcile",
                     note="settled from the terminal's record (query by reference)")
        return ReconcileOutcome(job.reference, job.kind, result.amount_fen, job.state,
                                "approved" if result.approved else "declined", result,
                                "terminal's record")

    def _manual(self, job: PaymentJob, note: str) -> ReconcileOutcome:
        self._count("manual_checks")
        self.journal.resolve(job.reference, "manual_check", resolved_by="reconcile", note=note)
        return ReconcileOutcome(job.reference, job.kind, job.amount_fen, job.state,
                                "manual_check", None, note)

    def _query_locked(self, reference: str) -> TransactionRecord | None:
        env = self._request(self._build(QUERY, reference=reference), self.reply_timeout_s)
        if env.kind == BUSY:
            self._set_status(DeviceState.BUSY, message="terminal is in a transaction")
            raise DeviceError(DeviceErrorCode.BUSY, "terminal is still in a transaction")
        if env.kind == NOT_FOUND:
            return None
        try:
            rec = record_of(env, datetime.now())
        except ProtocolError as exc:
            raise DeviceError(DeviceErrorCode.FAILURE, f"unreadable query reply: {exc}",
                              DeviceCondition.BAD_REPLY) from None
        if rec.reference != reference:
            raise DeviceError(DeviceErrorCode.FAILURE, "query reply names another reference",
                              DeviceCondition.BAD_REPLY)
        return rec

    # -- request / reply --------------------------------------------------------------

    def _next_msgno(self) -> str:
        self._msgno = self._msgno % 999999 + 1
        return format_msgno(self._msgno)

    def _request(self, build: Callable[[str], Envelope], timeout_s: float) -> Envelope:
        """A query, status, sign-in or settlement: same exchange, errors mapped."""
        try:
            reply = self._exchange(build(self._next_msgno()), self._clock() + timeout_s)
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
                              f"no reply within {timeout_s:g} s") from None
        if self.state is DeviceState.ERROR and self.last_status.error is DeviceErrorCode.TIMEOUT:
            self._set_status(DeviceState.IDLE)
        return reply

    def _exchange(self, request: Envelope, deadline: float) -> Envelope:
        """Send `request` (ACK/NAK and retransmissions), then wait for its reply."""
        frame = encode_frame(request.encode())
        self._link.discard_input()
        silences = 0
        for attempt in range(self.max_retransmits + 1):
            if attempt:
                self._count("retransmissions")
            self._link.write(frame)
            self._wrote = True
            self._count("frames_out")
            outcome = self._await_ack(request, self._clock() + self.ack_timeout_s)
            if isinstance(outcome, Envelope):
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
        return self._await_reply(request, deadline)

    @staticmethod
    def _answers(request: Envelope, env: Envelope) -> bool:
        return (env.msgno == request.msgno and env.txn_type == request.txn_type
                and env.kind in (REPLY, NOT_FOUND, BUSY))

    def _await_ack(self, request: Envelope, until: float) -> Envelope | str:
        while True:
            event = self._link.next_event(until)
            if event is None:
                return "silence"
            if isinstance(event, Ack):
                return "ack"
            if isinstance(event, Nak):
                return "nak"
            env = self._take_frame(event)
            if env is None or env.msgno != request.msgno:
                continue
            if self._answers(request, env):
                return env
            if env.kind == PROGRESS:
                self._progress(env)
                return "ack"  # the terminal is working on our request
            self._count("stale_frames")

    def _await_reply(self, request: Envelope, deadline: float) -> Envelope:
        while True:
            event = self._link.next_event(deadline)
            if event is None:
                raise _NoReply()
            if isinstance(event, (Ack, Nak)):
                continue  # stray: nothing of ours is waiting for one
            env = self._take_frame(event)
            if env is None:
                continue
            if self._answers(request, env):
                return env
            if env.msgno == request.msgno and env.kind == PROGRESS:
                self._progress(env)
                continue
            self._count("stale_frames")  # e.g. a repeated reply to an earlier request

    def _take_frame(self, event: Event) -> Envelope | None:
        """ACK a good frame / NAK a bad one; decode the good one."""
        if isinstance(event, BadFrame):
            self._count("naks_out")
            self._link.write(bytes((NAK,)))
            return None
        assert isinstance(event, Frame)
        self._link.write(bytes((ACK,)))
        try:
            env = decode_envelope(event.payload)
        except ProtocolError as exc:
            self._count("bad_messages")
            _log.warning("%s: ignored a frame: %s", self.name, exc)
            return None
        if env.kind == REQUEST:
            self._count("bad_messages")
            return None
        return env

    def _progress(self, env: Envelope) -> None:
        callback = self.on_progress
        if callback is not None:
            try:
                callback(env.stage, env.text)
            except Exception:  # a listener's bug must not break a payment
                _log.exception("%s: progress callback failed", self.name)


def _result(rec: TransactionRecord, kind: str | None = None) -> PaymentResult:
    return PaymentResult(
        approved=rec.response_code == APPROVED,
        response_code=rec.response_code,
        message=rec.message,
        trace_no=rec.trace_no,
        reference=rec.reference,
        amount_fen=rec.amount_fen,
        card_masked=mask_pan(rec.card),
        at=rec.at,
        kind=kind or _KIND_NAMES.get(rec.kind, "sale"),
        rrn=rec.rrn,
        auth_code=rec.auth_code,
        batch_no=rec.batch_no,
        terminal_id=rec.terminal_id,
        merchant_id=rec.merchant_id,
        issuer=rec.issuer,
    )
