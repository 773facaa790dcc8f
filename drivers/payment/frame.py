"""The payment terminal's serial framing and messages (docs/payment-protocol.md).

Frame: STX | LEN (2 bytes BCD, payload length 0..9999) | payload | ETX | LRC, with
LRC = XOR of every byte after STX up to and including ETX. The payload is printable
ASCII plus FS (0x1C) as the field separator, so STX, ETX, ACK and NAK can never occur
inside it; the parser uses that to resynchronise quickly: a candidate frame that meets a
byte its payload cannot contain is abandoned and the scan restarts one byte after its
STX, so a stray STX in line noise cannot swallow the real frame behind it.

BCD for LEN (as in UnionPay POS protocols) because a non-decimal nibble exposes a false
start at once, where a binary length would make the parser wait for bytes that never
come.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

STX, ETX, ACK, NAK, FS = 0x02, 0x03, 0x06, 0x15, 0x1C
MAX_PAYLOAD = 1024  # the longest message is ~120 bytes; more is noise
MAX_RETRANSMITS = 3  # after the first transmission
ACK_TIMEOUT_S = 1.0

# Requests (kiosk -> terminal) are upper case, their replies the same letter lower case.
SALE, VOID, QUERY_LAST, STATUS = "S", "V", "Q", "T"
PROGRESS = "d"  # terminal -> kiosk while a transaction runs: "insert card", "enter PIN"
REQUEST_TYPES = frozenset({SALE, VOID, QUERY_LAST, STATUS})
REPLY_TYPES = frozenset({t.lower() for t in REQUEST_TYPES} | {PROGRESS})
# Only transactions are deduplicated by the terminal; queries are always answered fresh.
DEDUPLICATED_TYPES = frozenset({SALE, VOID})

MAX_AMOUNT_FEN = 10**10 - 1  # 10 digits: 99,999,999.99 yuan; the field has 12
_REFERENCE = re.compile(r"^[0-9A-Za-z_-]{1,32}$")
_DIGITS = re.compile(r"^\d+$")
_CARD = re.compile(r"^[0-9*]{0,19}$")
_CODE = re.compile(r"^[0-9A-Z]{2}$")


class ProtocolError(ValueError):
    """Bytes or fields that do not fit the protocol (a frame with a good LRC, bad content)."""


# -- frame layer -----------------------------------------------------------------------


def lrc(data: bytes | bytearray) -> int:
    """XOR of all bytes."""
    value = 0
    for byte in data:
        value ^= byte
    return value


def bcd_length(n: int) -> bytes:
    """Two BCD bytes for 0..9999 (1234 -> b'\\x12\\x34')."""
    if not 0 <= n <= 9999:
        raise ValueError(f"length {n} does not fit 4 BCD digits")
    digits = f"{n:04d}"
    return bytes(((int(digits[0]) << 4) | int(digits[1]), (int(digits[2]) << 4) | int(digits[3])))


def parse_bcd_length(hi: int, lo: int) -> int | None:
    """The length in two BCD bytes, or None when a nibble is not a decimal digit."""
    nibbles = (hi >> 4, hi & 0x0F, lo >> 4, lo & 0x0F)
    if any(n > 9 for n in nibbles):
        return None
    return nibbles[0] * 1000 + nibbles[1] * 100 + nibbles[2] * 10 + nibbles[3]


def _payload_byte_ok(byte: int) -> bool:
    return 0x20 <= byte <= 0x7E or byte == FS


def encode_frame(payload: bytes) -> bytes:
    """STX | LEN | payload | ETX | LRC. Raises ValueError for payloads the protocol forbids."""
    if len(payload) > MAX_PAYLOAD:
        raise ValueError(f"payload of {len(payload)} bytes exceeds {MAX_PAYLOAD}")
    if not all(_payload_byte_ok(b) for b in payload):
        raise ValueError("payload must be printable ASCII and FS only")
    body = bcd_length(len(payload)) + payload + bytes((ETX,))
    return bytes((STX,)) + body + bytes((lrc(body),))


@dataclass(frozen=True)
class Frame:
    """A frame whose LRC checked out: answer ACK."""

    payload: bytes


@dataclass(frozen=True)
class BadFrame:
    """A well-formed frame with a wrong LRC: answer NAK so the sender repeats it."""

    raw: bytes


@dataclass(frozen=True)
class Ack:
    pass


@dataclass(frozen=True)
class Nak:
    pass


Event = Frame | BadFrame | Ack | Nak
_ACK_EVENT, _NAK_EVENT = Ack(), Nak()


class FrameParser:
    """Incremental parser: `feed()` bytes as they arrive, get events back.

    Never raises on input, keeps at most one candidate frame (bounded by MAX_PAYLOAD),
    and gives the same events however the stream is split into chunks. ACK and NAK are
    only recognised between frames. `garbage` counts bytes that fitted nothing.
    """

    def __init__(self, max_payload: int = MAX_PAYLOAD) -> None:
        self.max_payload = max_payload
        self._buf = bytearray()
        self.garbage = 0

    @property
    def pending(self) -> int:
        """Bytes held for an incomplete frame."""
        return len(self._buf)

    def reset(self) -> None:
        self._buf.clear()

    def feed(self, data: bytes) -> list[Event]:
        self._buf += data
        return self._scan()

    def flush_partial(self) -> list[Event]:
        """Give up on a stalled candidate frame (no bytes for a while): drop its STX and
        rescan what followed it."""
        if not self._buf:
            return []
        del self._buf[0]
        self.garbage += 1
        return self._scan()

    def _scan(self) -> list[Event]:
        events: list[Event] = []
        buf = self._buf
        i = 0
        while i < len(buf):
            byte = buf[i]
            if byte != STX:
                if byte == ACK:
                    events.append(_ACK_EVENT)
                elif byte == NAK:
                    events.append(_NAK_EVENT)
                else:
                    self.garbage += 1
                i += 1
                continue
            verdict, size = self._candidate(i)
            if verdict == "need":
                break
            if verdict == "frame":
                events.append(Frame(bytes(buf[i + 3 : i + size - 2])))
                i += size
            elif verdict == "lrc":
                events.append(BadFrame(bytes(buf[i : i + size])))
                i += 1  # rescan inside: the "frame" may have been noise ahead of a real one
            else:  # not a frame: this STX was noise
                self.garbage += 1
                i += 1
        del buf[:i]
        return events

    def _candidate(self, i: int) -> tuple[str, int]:
        """Judge the candidate frame at buf[i] (an STX): need / frame / lrc / bad."""
        buf = self._buf
        if len(buf) < i + 3:
            return "need", 0
        length = parse_bcd_length(buf[i + 1], buf[i + 2])
        if length is None or length > self.max_payload:
            return "bad", 0
        start = i + 3
        end = start + length  # index of ETX
        for j in range(start, min(end, len(buf))):
            if not _payload_byte_ok(buf[j]):
                return "bad", 0
        if len(buf) < end + 2:
            return "need", 0
        if buf[end] != ETX:
            return "bad", 0
        size = end + 2 - i
        if lrc(buf[i + 1 : end + 1]) != buf[end + 1]:
            return "lrc", size
        return "frame", size


# -- message layer ---------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """One payload: a type letter, the message number, then type-specific fields."""

    type: str
    msgno: str
    fields: tuple[str, ...] = ()

    def encode(self) -> bytes:
        parts = (self.type, self.msgno, *self.fields)
        return bytes((FS,)).join(p.encode("ascii") for p in parts)


def decode_message(payload: bytes) -> Message:
    """Split a payload into a Message; ProtocolError when it is not one."""
    try:
        text = payload.decode("ascii")
    except UnicodeDecodeError:
        raise ProtocolError("payload is not ASCII") from None
    parts = text.split(chr(FS))
    if len(parts) < 2:
        raise ProtocolError("payload has no message number")
    kind, msgno = parts[0], parts[1]
    if kind not in REQUEST_TYPES and kind not in REPLY_TYPES:
        raise ProtocolError(f"unknown message type {kind[:4]!r}")
    if not (len(msgno) == 6 and msgno.isdigit()):
        raise ProtocolError("bad message number")
    return Message(kind, msgno, tuple(parts[2:]))


def format_msgno(n: int) -> str:
    """Message numbers run 000001..999999 and wrap to 000001."""
    return f"{(n - 1) % 999999 + 1:06d}"


def check_reference(reference: str) -> str:
    if not isinstance(reference, str) or not _REFERENCE.match(reference):
        raise ValueError("reference must be 1-32 characters of A-Z a-z 0-9 _ -")
    return reference


def check_amount(amount_fen: int) -> int:
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise ValueError("amount must be an integer number of fen")
    if not 1 <= amount_fen <= MAX_AMOUNT_FEN:
        raise ValueError(f"amount must be 1..{MAX_AMOUNT_FEN} fen")
    return amount_fen


def check_trace(trace: str) -> str:
    if not isinstance(trace, str) or not (len(trace) == 6 and trace.isdigit()):
        raise ValueError("trace number must be 6 digits")
    return trace


def sale_request(msgno: str, amount_fen: int, reference: str) -> Message:
    return Message(SALE, msgno, (f"{check_amount(amount_fen):012d}", check_reference(reference)))


def void_request(msgno: str, original_trace: str, reference: str) -> Message:
    return Message(VOID, msgno, (check_trace(original_trace), check_reference(reference)))


def query_request(msgno: str) -> Message:
    return Message(QUERY_LAST, msgno)


def status_request(msgno: str) -> Message:
    return Message(STATUS, msgno)


@dataclass(frozen=True)
class TransactionRecord:
    """The fields of a sale/void reply and of a found last transaction."""

    kind: str  # SALE or VOID
    response_code: str
    message: str
    trace_no: str
    reference: str
    amount_fen: int
    card: str  # as sent by the terminal; the driver masks it again to be sure
    at: datetime


TXN_FIELDS = 7  # rc, message, trace, reference, amount, card, time


def encode_record_fields(rec: TransactionRecord) -> tuple[str, ...]:
    return (
        rec.response_code,
        rec.message,
        rec.trace_no,
        rec.reference,
        f"{rec.amount_fen:012d}",
        rec.card,
        rec.at.strftime("%Y%m%d%H%M%S"),
    )


def decode_record_fields(kind: str, fields: tuple[str, ...]) -> TransactionRecord:
    """Validate and convert the seven transaction fields; ProtocolError if any is wrong."""
    if len(fields) != TXN_FIELDS:
        raise ProtocolError(f"transaction reply has {len(fields)} fields, expected {TXN_FIELDS}")
    rc, message, trace, reference, amount, card, stamp = fields
    if not _CODE.match(rc):
        raise ProtocolError("bad response code")
    if len(message) > 64:
        raise ProtocolError("message text too long")
    if not (len(trace) == 6 and trace.isdigit()):
        raise ProtocolError("bad trace number")
    if not _REFERENCE.match(reference):
        raise ProtocolError("bad reference")
    if not (len(amount) == 12 and _DIGITS.match(amount)):
        raise ProtocolError("bad amount")
    if not _CARD.match(card):
        raise ProtocolError("bad card field")
    try:
        at = datetime.strptime(stamp, "%Y%m%d%H%M%S")
    except ValueError:
        raise ProtocolError("bad terminal time") from None
    return TransactionRecord(kind, rc, message, trace, reference, int(amount), card, at)


def transaction_reply(request: Message, rec: TransactionRecord) -> Message:
    return Message(request.type.lower(), request.msgno, encode_record_fields(rec))


def query_reply(msgno: str, rec: TransactionRecord | None, *, busy: bool = False) -> Message:
    if busy:
        return Message(QUERY_LAST.lower(), msgno, ("B",))
    if rec is None:
        return Message(QUERY_LAST.lower(), msgno, ("0",))
    return Message(QUERY_LAST.lower(), msgno, ("1", rec.kind, *encode_record_fields(rec)))


def parse_query_reply(msg: Message) -> TransactionRecord | None | str:
    """A found record, None (no transaction), or "busy"."""
    if not msg.fields:
        raise ProtocolError("query reply without a found flag")
    flag = msg.fields[0]
    if flag == "B" and len(msg.fields) == 1:
        return "busy"
    if flag == "0" and len(msg.fields) == 1:
        return None
    if flag == "1" and len(msg.fields) == 2 + TXN_FIELDS:
        kind = msg.fields[1]
        if kind not in (SALE, VOID):
            raise ProtocolError("bad transaction kind")
        return decode_record_fields(kind, msg.fields[2:])
    raise ProtocolError("malformed query reply")
