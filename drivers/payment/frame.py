"""The payment terminal's serial ECR framing (docs/payment-protocol.md, services.md §4.2).

Frame: STX | LEN (2 bytes BCD, payload length 0..9999) | payload | ETX | LRC, with
LRC = XOR of every byte after STX up to and including ETX. The payload carries the
MIS-POS field set (mispos.py): printable ASCII and GBK (bytes 0x80-0xFE), plus FS, so
STX, ETX, ACK and NAK can never occur inside it; the parser uses that to resynchronise
quickly: a candidate frame that meets a byte its payload cannot contain is abandoned
and the scan restarts one byte after its STX, so a stray STX in line noise cannot
swallow the real frame behind it.

BCD for LEN (as in UnionPay POS protocols) because a non-decimal nibble exposes a false
start at once, where a binary length would make the parser wait for bytes that never
come.
"""
from __future__ import annotations

from dataclasses import dataclass

from .mispos import ProtocolError

__all__ = ["ACK", "ACK_TIMEOUT_S", "ETX", "FS", "MAX_PAYLOAD", "MAX_RETRANSMITS", "NAK", "STX",
           "Ack", "BadFrame", "Event", "Frame", "FrameParser", "Nak", "ProtocolError",
           "bcd_length", "encode_frame", "lrc", "parse_bcd_length"]

STX, ETX, ACK, NAK, FS = 0x02, 0x03, 0x06, 0x15, 0x1C
MAX_PAYLOAD = 1024  # the longest message is under 200 bytes; more is noise
MAX_RETRANSMITS = 3  # after the first transmission
ACK_TIMEOUT_S = 1.0


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
    # Printable ASCII, GBK lead/trail bytes (0x80-0xFE; trail bytes 0x40-0x7E are
    # printable anyway) and FS: never a control byte.
    return 0x20 <= byte <= 0x7E or 0x80 <= byte <= 0xFE or byte == FS


def encode_frame(payload: bytes) -> bytes:
    """STX | LEN | payload | ETX | LRC. Raises ValueError for payloads the protocol forbids."""
    if len(payload) > MAX_PAYLOAD:
        raise ValueError(f"payload of {len(payload)} bytes exceeds {MAX_PAYLOAD}")
    if not all(_payload_byte_ok(b) for b in payload):
        raise ValueError("payload must be printable ASCII, GBK and FS only")
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
