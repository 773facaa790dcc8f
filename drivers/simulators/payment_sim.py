"""A bank-card payment terminal at the other end of a real pty pair.

It speaks docs/payment-protocol.md from the terminal's side: the MIS-POS field set
(sale 00, void 01, sign-in 05, settlement 06, query by reference 07, status 08) in ECR
frames, ACK/NAK, stop-and-wait sending with retransmission, deduplication of a repeated
sale/void frame, and a transaction log kept under each request's reference (across
settlement), which reconciliation queries.

Behaviour: like a real acquirer it decides by the card only, never by the amount
(the taxpayer's real debt): a card number failing the Luhn check is declined "14",
an expired card (`expiry` YYMM before this month) "54", the test cards of
`TEST_CARDS` (docs/automation.md) "51" insufficient funds, "55" incorrect PIN and
"91" issuer unavailable; any other valid card is approved. With `card = None` nobody
presents a card and the sale ends "TO".

Fault switches (set them any time):
- `nak_next = n`: answer NAK to the next n good frames (as if their LRC were wrong)
- `drop_ack`: process frames but never send ACK
- `corrupt_next = n`: send the next n frames with a wrong LRC
- `garbage`: line noise before everything it sends
- `slow_s`: the cardholder takes this long (progress frames still come at once)
- `mute`: hears nothing, answers nothing
- `crash_after_approve` (one shot): the next transaction is approved and stored as the
  last transaction, but its reply is never sent (the terminal rebooted, or the kiosk
  crashed: for the kiosk it is the same unknown outcome)
- `unplug()` / `replug()`: the pty disappears / a new one appears (with `stable_link`
  under the same path, like a /dev/serial/by-id link)
- `card = {"pan": ..., }` or None; `status_code` for the status reply ("00" ready,
  anything else a fault); `signed_in` (False: status answers "Z1" and a sale is
  refused "Z1" until a sign-in)
- `press_cancel()`: the cardholder presses the red key during a sale: it ends "UC"

`frames` lists every good frame received (retransmissions included) and
`transactions` every transaction executed, so a test can prove a sale ran once.
"""
from __future__ import annotations

import logging
import random
import time
from collections import deque
from datetime import datetime

from ..payment.base import mask_pan
from ..payment.frame import (
    ACK,
    NAK,
    STX,
    Ack,
    BadFrame,
    Frame,
    FrameParser,
    Nak,
    encode_frame,
)
from ..payment.mispos import (
    BUSY,
    DEDUPLICATED_TYPES,
    NOT_FOUND,
    NOT_SIGNED_IN,
    PROGRESS,
    QUERY,
    REQUEST,
    SALE,
    SETTLEMENT,
    SIGN_IN,
    STATUS,
    VOID,
    Envelope,
    ProtocolError,
    TransactionRecord,
    decode_envelope,
    record_reply,
)
from .pty_device import PtyDevice, write_all

_log = logging.getLogger("drivers.sim.payment")

#: Test card numbers (Luhn-valid) and the answer the simulated acquirer gives them;
#: listed in docs/automation.md.
TEST_CARDS: dict[str, tuple[str, str]] = {
    "6222020000000000059": ("51", "可用余额不足"),
    "6222020000000000554": ("55", "密码错"),
    "6222020000000000919": ("91", "发卡方状态不正常"),
}
#: The card presented when a test does not choose one (valid, approved).
DEFAULT_CARD = {"pan": "6214830000069012", "expiry": "3012"}


def luhn_ok(pan: str) -> bool:
    """The Luhn check of a card number (ISO/IEC 7812)."""
    if not pan.isdigit() or not 12 <= len(pan) <= 19:
        return False
    total = 0
    for i, ch in enumerate(reversed(pan)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_decision(card: dict[str, str], today: datetime | None = None) -> tuple[str, str]:
    """The acquirer's answer (rc, text) to a sale with `card` ({"pan", "expiry"})."""
    pan = str(card.get("pan", "")).replace(" ", "")
    if not luhn_ok(pan):
        return "14", "无效卡号"
    expiry = str(card.get("expiry", ""))
    now = today or datetime.now()
    if not (len(expiry) == 4 and expiry.isdigit() and 1 <= int(expiry[2:]) <= 12):
        return "54", "该卡已过期"
    if (2000 + int(expiry[:2]), int(expiry[2:])) < (now.year, now.month):
        return "54", "该卡已过期"
    return TEST_CARDS.get(pan, ("00", "交易成功"))
_NOISE = bytes(b for b in range(256) if b not in (STX, ACK, NAK))


#: The identities the simulated acquirer prints (商户号, 终端号, 行号 of the issuer).
MERCHANT_ID = "898500080620629"
TERMINAL_ID = "00000004"
ISSUER = "0308"
#: Stages reported while a sale runs (progress frames) and their texts.
STAGE_TEXTS = {"CARD": "请插卡、刷卡或挥卡", "PIN": "请输入密码", "ONLN": "交易处理中"}


class SimulatedPaymentTerminal(PtyDevice):
    """Simulated pinpad. `start()`, point the driver at `.connection`, `close()`."""

    link_name = "ttyPOS0"
    link_prefix = "payment-sim-"
    reader_name = "payment-sim"
    poll_s = 0.02

    def __init__(
        self,
        *,
        baudrate: int = 115200,
        stable_link: bool = False,
        first_trace: int = 1,
        ack_timeout_s: float = 1.0,
        max_retransmits: int = 3,
        signed_in: bool = False,
        seed: int = 1,
    ) -> None:
        self.ack_timeout_s = ack_timeout_s
        self.max_retransmits = max_retransmits
        # fault switches
        self.nak_next = 0
        self.drop_ack = False
        self.corrupt_next = 0
        self.garbage = False
        self.slow_s = 0.0
        self.mute = False
        self.crash_after_approve = False
        self.status_code = "00"
        self.signed_in = signed_in
        self.card: dict[str, str] | None = dict(DEFAULT_CARD)
        # what happened
        self.frames: list[Envelope] = []
        self.transactions: list[TransactionRecord] = []
        self.settlements: list[TransactionRecord] = []
        self.last: TransactionRecord | None = None
        self.acks_received = 0
        self.naks_received = 0
        # internals
        self.batch = 1
        self._next_trace = first_trace
        self._voided: set[str] = set()
        self._rng = random.Random(seed)
        self._parser = FrameParser()
        self._last_request: Envelope | None = None
        self._last_reply: bytes | None = None
        self._pending: tuple[Envelope, float] | None = None  # request, due time
        self._cancel = False
        self._outbox: deque[bytes] = deque()
        self._inflight: tuple[bytes, int, float] | None = None  # frame, attempts, ack deadline
        super().__init__(baudrate=baudrate, stable_link=stable_link)

    def _unplugged(self) -> None:
        self._inflight = None
        self._parser.reset()

    # -- helpers for tests ------------------------------------------------------------

    def frames_of(self, txn_type: str) -> list[Envelope]:
        """Good request frames of one 交易类型 (SALE, VOID, QUERY, ...)."""
        return [m for m in self.frames if m.txn_type == txn_type]

    def sales(self, approved: bool = True) -> list[TransactionRecord]:
        return [t for t in self.transactions if t.kind == SALE
                and (not approved or t.response_code == "00")]

    def charged_fen(self) -> int:
        """What the cards were charged in all: approved sales not voided since."""
        return sum(t.amount_fen for t in self.sales() if t.trace_no not in self._voided)

    def find(self, reference: str) -> TransactionRecord | None:
        """The newest transaction stored under `reference` (what a query answers)."""
        return next((t for t in reversed(self.transactions) if t.reference == reference), None)

    def send_raw(self, data: bytes) -> None:
        """Write bytes to the driver as they are (noise, hand-made frames)."""
        with self._lock:
            if self._master is not None:
                write_all(self._master, data)

    def press_cancel(self) -> bool:
        """The cardholder presses the red key (取消): a running sale ends "UC".
        False when no sale is running."""
        with self._lock:
            if self._pending is None or self._pending[0].txn_type != SALE:
                return False
            self._cancel = True
            return True

    @property
    def in_transaction(self) -> bool:
        return self._pending is not None

    # -- the terminal -----------------------------------------------------------------

    def _received(self, data: bytes, generation: int) -> None:
        if not self.mute:
            for event in self._parser.feed(data):
                self._on_event(event)

    def _on_event(self, event: object) -> None:
        if isinstance(event, Ack):
            self.acks_received += 1
            if self._inflight is not None:
                self._inflight = None
                self._send_next()
            return
        if isinstance(event, Nak):
            self.naks_received += 1
            if self._inflight is not None:
                self._retransmit()
            return
        if isinstance(event, BadFrame):
            self._write(bytes((NAK,)))
            return
        assert isinstance(event, Frame)
        if self.nak_next > 0:
            self.nak_next -= 1
            self._write(bytes((NAK,)))
            return
        try:
            msg = decode_envelope(event.payload)
        except ProtocolError:
            self._write(bytes((NAK,)))
            return
        if msg.kind != REQUEST:
            self._write(bytes((NAK,)))
            return
        self.frames.append(msg)
        if not self.drop_ack:
            self._write(bytes((ACK,)))
        if self._inflight is not None and _payload_msgno(self._inflight[0]) != msg.msgno:
            # A new request means the kiosk has moved on: stop repeating older frames.
            self._inflight = None
            self._outbox = deque(p for p in self._outbox if _payload_msgno(p) == msg.msgno)
        if msg.txn_type in DEDUPLICATED_TYPES and msg == self._last_request:
            # A retransmission: the kiosk missed our ACK or our reply. Never execute
            # twice; repeat the reply if it was already delivered once.
            if self._last_reply is not None and self._inflight is None and not self._outbox:
                self._enqueue(self._last_reply)
            return
        self._execute(msg)

    def _execute(self, msg: Envelope) -> None:
        req = msg.request
        assert req is not None
        kind = msg.txn_type
        if kind in (STATUS, QUERY) and self._pending is not None:
            self._enqueue_env(Envelope(msg.msgno, BUSY, kind))
        elif kind == STATUS:
            code = self.status_code if self.signed_in else NOT_SIGNED_IN
            text = {"00": "正常", NOT_SIGNED_IN: "未签到"}.get(code, "故障")
            self._reply_admin(msg, code, text, 0)
        elif kind == QUERY:
            found = self.find(req.reference)
            if found is None:
                self._enqueue_env(Envelope(msg.msgno, NOT_FOUND, kind))
            else:
                self._enqueue_env(record_reply(msg.msgno, kind, found, req.nonce))
        elif kind == SIGN_IN:
            if self._pending is not None:
                self._reply_admin(msg, "12", "交易进行中", 0)
            else:
                self.signed_in = True
                self._reply_admin(msg, "00", "签到成功", 0)
        elif kind == SETTLEMENT:
            self._settle(msg)
        elif kind in (SALE, VOID):
            if self._pending is not None:
                return  # one transaction at a time; the kiosk's lock makes this moot
            self._last_request = msg
            self._last_reply = None
            if kind == SALE:
                self._progress(msg, "CARD")
            self._pending = (msg, time.monotonic() + self.slow_s)
        else:  # 02 refund, 03 balance, 04 reprint: not offered by this terminal
            self._reply_admin(msg, "12", "不支持的交易", 0)

    def _reply_admin(self, msg: Envelope, rc: str, text: str, amount_fen: int) -> None:
        assert msg.request is not None
        rec = TransactionRecord(msg.txn_type, rc, text, "", msg.request.reference, amount_fen,
                                "", datetime.now().replace(microsecond=0),
                                batch_no=f"{self.batch:06d}", terminal_id=TERMINAL_ID,
                                merchant_id=MERCHANT_ID)
        self._enqueue_env(record_reply(msg.msgno, msg.txn_type, rec, msg.request.nonce))

    def _settle(self, msg: Envelope) -> None:
        if self._pending is not None:
            self._reply_admin(msg, "12", "交易进行中", 0)
            return
        batch = f"{self.batch:06d}"
        net = sum(t.amount_fen for t in self.transactions
                  if t.kind == SALE and t.response_code == "00" and t.batch_no == batch
                  and t.trace_no not in self._voided)
        assert msg.request is not None
        rec = TransactionRecord(SETTLEMENT, "00", "结算成功", "", msg.request.reference, net,
                                "", datetime.now().replace(microsecond=0), batch_no=batch,
                                terminal_id=TERMINAL_ID, merchant_id=MERCHANT_ID)
        self.settlements.append(rec)
        self.batch += 1
        self.signed_in = False  # 结算 closes the batch: sign in again before a sale
        self._enqueue_env(record_reply(msg.msgno, SETTLEMENT, rec, msg.request.nonce))

    def _progress(self, msg: Envelope, stage: str) -> None:
        self._enqueue_env(Envelope(msg.msgno, PROGRESS, msg.txn_type, stage=stage,
                                   text=STAGE_TEXTS.get(stage, "")))

    def _tick(self) -> None:
        now = time.monotonic()
        if self._pending is not None and (now >= self._pending[1] or self._cancel):
            msg, _ = self._pending
            self._pending = None
            cancelled, self._cancel = self._cancel, False
            self._complete(msg, cancelled)
        if self._inflight is not None and now >= self._inflight[2]:
            self._retransmit()
        if self._inflight is None:
            self._send_next()

    def _complete(self, msg: Envelope, cancelled: bool = False) -> None:
        req = msg.request
        assert req is not None
        trace = f"{self._next_trace:06d}"
        stamp = datetime.now().replace(microsecond=0)
        reference = req.reference
        if msg.txn_type == SALE:
            amount = req.amount_fen
            card = self.card
            if not self.signed_in:
                rc, text, masked = NOT_SIGNED_IN, "未签到", ""
            elif cancelled:
                rc, text, masked = "UC", "持卡人取消", ""
            elif card is None:
                rc, text, masked = "TO", "未插卡，交易超时", ""
            else:
                masked = mask_pan(card.get("pan", ""))
                rc, text = card_decision(card)
                if rc != "14":  # an unreadable number never gets to the PIN
                    self._progress(msg, "PIN")
        else:
            original = req.orig_trace
            sale = next((t for t in self.transactions if t.kind == SALE and t.trace_no == original
                         and t.response_code == "00"), None)
            if sale is None or original in self._voided or sale.batch_no != f"{self.batch:06d}":
                rc, text, amount, masked = "25", "原交易不存在", 0, ""
            elif req.amount_fen and req.amount_fen != sale.amount_fen:
                rc, text, amount, masked = "13", "无效金额", 0, ""
            else:
                rc, text, amount, masked = "00", "撤销成功", sale.amount_fen, sale.card
                self._voided.add(original)
        self._next_trace += 1
        approved = rc == "00"
        rec = TransactionRecord(
            msg.txn_type, rc, text, trace, reference, amount, masked, stamp,
            rrn=stamp.strftime("%H%M%S") + f"{int(trace) % 1_000_000:06d}" if approved else "",
            auth_code=f"{self._rng.randrange(10**6):06d}" if approved else "",
            batch_no=f"{self.batch:06d}", terminal_id=TERMINAL_ID, merchant_id=MERCHANT_ID,
            issuer=ISSUER if masked else "", settle_date=stamp.strftime("%m%d") if approved else "")
        self.transactions.append(rec)
        self.last = rec
        if self.crash_after_approve:
            self.crash_after_approve = False
            self._outbox.clear()
            _log.info("payment sim: stored %s and 'crashed' before replying", reference)
            return
        payload = record_reply(msg.msgno, msg.txn_type, rec, req.nonce).encode()
        self._last_reply = payload
        self._enqueue(payload)

    # -- sending (stop-and-wait, like the kiosk) --------------------------------------

    def _enqueue_env(self, env: Envelope) -> None:
        self._enqueue(env.encode())

    def _enqueue(self, payload: bytes) -> None:
        self._outbox.append(payload)
        if self._inflight is None:
            self._send_next()

    def _send_next(self) -> None:
        if self._inflight is not None or not self._outbox:
            return
        payload = self._outbox.popleft()
        self._inflight = (payload, 0, time.monotonic() + self.ack_timeout_s)
        self._transmit(payload)

    def _retransmit(self) -> None:
        assert self._inflight is not None
        payload, attempts, _ = self._inflight
        if attempts >= self.max_retransmits:
            _log.info("payment sim: gave up sending a frame")
            self._inflight = None
            self._send_next()
            return
        self._inflight = (payload, attempts + 1, time.monotonic() + self.ack_timeout_s)
        self._transmit(payload)

    def _transmit(self, payload: bytes) -> None:
        frame = bytearray(encode_frame(payload))
        if self.corrupt_next > 0:
            self.corrupt_next -= 1
            frame[-1] ^= 0x5A
        self._write(bytes(frame))

    def _write(self, data: bytes) -> None:
        if self.mute:
            return
        if self.garbage:
            noise = bytes(self._rng.choice(_NOISE) for _ in range(self._rng.randint(1, 12)))
            data = noise + b"\x02\xaa" + data  # \x02\xaa: a false start the parser must skip
        self._send(data)


def _payload_msgno(payload: bytes) -> str:
    return payload[:6].decode("ascii", "replace")


__all__ = ["DEFAULT_CARD", "TEST_CARDS", "SimulatedPaymentTerminal", "card_decision",
           "luhn_ok"]
