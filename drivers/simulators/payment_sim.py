"""A bank-card payment terminal at the other end of a real pty pair.

It speaks docs/payment-protocol.md from the terminal's side: ACK/NAK, stop-and-wait
sending with retransmission, deduplication of a repeated sale/void frame, a batch of
today's transactions and the "last transaction" record that reconciliation relies on.

Behaviour: sales are approved unless the amount's last two digits (in fen) are in
`decline_codes` (…51 -> "51 insufficient funds", …55 -> "55 incorrect PIN", …54 ->
"54 expired card"); with `card = None` nobody presents a card and the sale ends "TO".

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
- `card = {"pan": ..., }` or None; `status_code` for the "t" reply ("00" ready,
  "02" not signed in, ...)

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
    DEDUPLICATED_TYPES,
    NAK,
    PROGRESS,
    QUERY_LAST,
    SALE,
    STATUS,
    STX,
    VOID,
    Ack,
    BadFrame,
    Frame,
    FrameParser,
    Message,
    Nak,
    ProtocolError,
    TransactionRecord,
    decode_message,
    encode_frame,
    query_reply,
    transaction_reply,
)
from .pty_device import PtyDevice, write_all

_log = logging.getLogger("drivers.sim.payment")

DEFAULT_DECLINES: dict[int, tuple[str, str]] = {
    51: ("51", "insufficient funds"),
    55: ("55", "incorrect PIN"),
    54: ("54", "expired card"),
    5: ("05", "do not honour"),
}
_NOISE = bytes(b for b in range(256) if b not in (STX, ACK, NAK))


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
        decline_codes: dict[int, tuple[str, str]] | None = None,
        first_trace: int = 1,
        ack_timeout_s: float = 1.0,
        max_retransmits: int = 3,
        seed: int = 1,
    ) -> None:
        self.decline_codes = dict(DEFAULT_DECLINES if decline_codes is None else decline_codes)
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
        self.card: dict[str, str] | None = {"pan": "6228480402561234", "expiry": "2812"}
        # what happened
        self.frames: list[Message] = []
        self.transactions: list[TransactionRecord] = []
        self.last: TransactionRecord | None = None
        self.acks_received = 0
        self.naks_received = 0
        # internals
        self._next_trace = first_trace
        self._voided: set[str] = set()
        self._rng = random.Random(seed)
        self._parser = FrameParser()
        self._last_request: Message | None = None
        self._last_reply: bytes | None = None
        self._pending: tuple[Message, float] | None = None  # request, due time
        self._outbox: deque[bytes] = deque()
        self._inflight: tuple[bytes, int, float] | None = None  # frame, attempts, ack deadline
        super().__init__(baudrate=baudrate, stable_link=stable_link)

    def _unplugged(self) -> None:
        self._inflight = None
        self._parser.reset()

    # -- helpers for tests ------------------------------------------------------------

    def frames_of(self, kind: str) -> list[Message]:
        return [m for m in self.frames if m.type == kind]

    def send_raw(self, data: bytes) -> None:
        """Write bytes to the driver as they are (noise, hand-made frames)."""
        with self._lock:
            if self._master is not None:
                write_all(self._master, data)

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
            msg = decode_message(event.payload)
        except ProtocolError:
            self._write(bytes((NAK,)))
            return
        self.frames.append(msg)
        if not self.drop_ack:
            self._write(bytes((ACK,)))
        if self._inflight is not None and _payload_msgno(self._inflight[0]) != msg.msgno:
            # A new request means the kiosk has moved on: stop repeating older frames.
            self._inflight = None
            self._outbox = deque(p for p in self._outbox if _payload_msgno(p) == msg.msgno)
        if msg.type in DEDUPLICATED_TYPES and msg == self._last_request:
            # A retransmission: the kiosk missed our ACK or our reply. Never execute
            # twice; repeat the reply if it was already delivered once.
            if self._last_reply is not None and self._inflight is None and not self._outbox:
                self._enqueue(self._last_reply)
            return
        self._execute(msg)

    def _execute(self, msg: Message) -> None:
        if msg.type == STATUS:
            code = "01" if self._pending else self.status_code
            text = {"00": "ready", "01": "busy", "02": "not signed in"}.get(code, "fault")
            self._enqueue_msg(Message("t", msg.msgno, (code, text)))
        elif msg.type == QUERY_LAST:
            self._enqueue_msg(query_reply(msg.msgno, self.last, busy=self._pending is not None))
        elif msg.type in (SALE, VOID):
            if self._pending is not None:
                return  # one transaction at a time; the kiosk's lock makes this moot
            self._last_request = msg
            self._last_reply = None
            if msg.type == SALE:
                self._enqueue_msg(Message(PROGRESS, msg.msgno, ("CARD", "insert, swipe or tap card")))
            self._pending = (msg, time.monotonic() + self.slow_s)

    def _tick(self) -> None:
        now = time.monotonic()
        if self._pending is not None and now >= self._pending[1]:
            msg, _ = self._pending
            self._pending = None
            self._complete(msg)
        if self._inflight is not None and now >= self._inflight[2]:
            self._retransmit()
        if self._inflight is None:
            self._send_next()

    def _complete(self, msg: Message) -> None:
        trace = f"{self._next_trace:06d}"
        stamp = datetime.now().replace(microsecond=0)
        if msg.type == SALE:
            amount, reference = int(msg.fields[0]), msg.fields[1]
            card = self.card
            if card is None:
                rc, text, masked = "TO", "no card presented", ""
            else:
                masked = mask_pan(card.get("pan", ""))
                rc, text = self.decline_codes.get(amount % 100, ("00", "approved"))
                self._enqueue_msg(Message(PROGRESS, msg.msgno, ("PIN", "enter PIN")))
        else:
            original, reference = msg.fields[0], msg.fields[1]
            sale = next((t for t in self.transactions if t.kind == SALE and t.trace_no == original
                         and t.response_code == "00"), None)
            if sale is None or original in self._voided:
                rc, text, amount, masked = "25", "original not found", 0, ""
            else:
                rc, text, amount, masked = "00", "approved", sale.amount_fen, sale.card
                self._voided.add(original)
        self._next_trace += 1
        rec = TransactionRecord(msg.type, rc, text, trace, reference, amount, masked, stamp)
        self.transactions.append(rec)
        self.last = rec
        if self.crash_after_approve:
            self.crash_after_approve = False
            self._outbox.clear()
            _log.info("payment sim: stored %s and 'crashed' before replying", reference)
            return
        payload = transaction_reply(msg, rec).encode()
        self._last_reply = payload
        self._enqueue(payload)

    # -- sending (stop-and-wait, like the kiosk) --------------------------------------

    def _enqueue_msg(self, msg: Message) -> None:
        self._enqueue(msg.encode())

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
    parts = payload.split(b"\x1c")
    return parts[1].decode("ascii", "replace") if len(parts) > 1 else ""
