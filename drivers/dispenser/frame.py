"""The invoice dispenser's serial framing (docs/dispenser-protocol.md).

Frame: SOH | SEQ | CMD | LEN | DATA | CRC-16 (big-endian), the CRC being
CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) over SEQ..DATA. Requests are upper-case
command letters, replies the same letter in lower case and echo the request's SEQ.

Every command has exactly one DATA length, so the parser rejects a false SOH in line
noise after at most four bytes in nearly all cases, and a false start can never hold
more than the longest frame (21 bytes) before its CRC fails and the scan resumes one
byte after it.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum

SOH = 0x01

DISPENSE, STATUS, COUNTERS, RESET = b"D", b"S", b"C", b"R"
MAX_SHEETS_PER_JOB = 50  # one taxpayer's invoices; larger batches are several jobs

# DATA length of every command (requests upper case, replies lower case).
DATA_LENGTH: dict[int, int] = {
    ord("D"): 6,  # count u16, job number u32
    ord("S"): 0,
    ord("C"): 0,
    ord("R"): 0,
    ord("d"): 8,  # result, sensors, dispensed u16, total counter u32
    ord("s"): 2,  # result, sensors
    ord("c"): 15,  # result, sensors, total u32, last job u32, requested u16, dispensed u16, result
    ord("r"): 2,  # result, sensors
}
MAX_FRAME = 4 + max(DATA_LENGTH.values()) + 2


class Result(IntEnum):
    """Result byte of every reply, and the recorded result of the last job."""

    OK = 0
    EMPTY = 1  # no stock (before or during the job)
    JAM = 2  # a sheet is stuck; cleared by RESET after staff open the door
    DOOR_OPEN = 3
    BUSY = 4
    BAD_REQUEST = 5
    INTERRUPTED = 6  # last job: power was lost or the firmware restarted mid-job
    IN_PROGRESS = 7  # last job: still running


class Sensor(IntEnum):
    """Bits of the sensor byte in every reply."""

    STOCK_LOW = 0x01
    EMPTY = 0x02
    JAM = 0x04
    DOOR_OPEN = 0x08


class DispenserProtocolError(ValueError):
    """A reply that has a good CRC but does not make sense."""


def crc16_ccitt(data: bytes, crc: int = 0xFFFF) -> int:
    """CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final XOR."""
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def encode_frame(seq: int, cmd: bytes, data: bytes = b"") -> bytes:
    if not 0 <= seq <= 255:
        raise ValueError("SEQ is one byte")
    if len(cmd) != 1 or cmd[0] not in DATA_LENGTH:
        raise ValueError(f"unknown command {cmd!r}")
    if len(data) != DATA_LENGTH[cmd[0]]:
        raise ValueError(f"command {cmd!r} takes {DATA_LENGTH[cmd[0]]} data bytes")
    body = bytes((seq, cmd[0], len(data))) + data
    return bytes((SOH,)) + body + struct.pack(">H", crc16_ccitt(body))


@dataclass(frozen=True)
class DFrame:
    seq: int
    cmd: bytes
    data: bytes

    def encode(self) -> bytes:
        return encode_frame(self.seq, self.cmd, self.data)


class DispenserFrameParser:
    """Incremental, chunking-independent, never raises; counts noise and CRC errors."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self.garbage = 0
        self.crc_errors = 0

    @property
    def pending(self) -> int:
        return len(self._buf)

    def reset(self) -> None:
        self._buf.clear()

    def feed(self, data: bytes) -> list[DFrame]:
        self._buf += data
        return self._scan()

    def flush_partial(self) -> list[DFrame]:
        """Abandon a stalled candidate: drop its SOH and rescan the rest."""
        if not self._buf:
            return []
        del self._buf[0]
        self.garbage += 1
        return self._scan()

    def _scan(self) -> list[DFrame]:
        frames: list[DFrame] = []
        buf = self._buf
        i = 0
        while i < len(buf):
            if buf[i] != SOH:
                self.garbage += 1
                i += 1
                continue
            if len(buf) < i + 4:
                break
            cmd, length = buf[i + 2], buf[i + 3]
            if DATA_LENGTH.get(cmd) != length:
                self.garbage += 1
                i += 1
                continue
            end = i + 4 + length + 2
            if len(buf) < end:
                break
            body = bytes(buf[i + 1 : end - 2])
            if crc16_ccitt(body) != struct.unpack(">H", buf[end - 2 : end])[0]:
                self.crc_errors += 1
                i += 1
                continue
            frames.append(DFrame(body[0], bytes((body[1],)), body[3:]))
            i = end
        del buf[:i]
        return frames


# -- command payloads ------------------------------------------------------------------


def dispense_data(count: int, job_no: int) -> bytes:
    return struct.pack(">HI", count, job_no)


def parse_dispense_data(data: bytes) -> tuple[int, int]:
    count, job_no = struct.unpack(">HI", data)
    return count, job_no


@dataclass(frozen=True)
class Sensors:
    """The dispenser's sensors. `stock_low` is a warning, the others stop dispensing."""

    stock_low: bool = False
    empty: bool = False
    jam: bool = False
    door_open: bool = False

    @classmethod
    def from_byte(cls, value: int) -> Sensors:
        return cls(bool(value & Sensor.STOCK_LOW), bool(value & Sensor.EMPTY),
                   bool(value & Sensor.JAM), bool(value & Sensor.DOOR_OPEN))

    def to_byte(self) -> int:
        return ((Sensor.STOCK_LOW if self.stock_low else 0) | (Sensor.EMPTY if self.empty else 0)
                | (Sensor.JAM if self.jam else 0) | (Sensor.DOOR_OPEN if self.door_open else 0))


@dataclass(frozen=True)
class Counters:
    """Totals kept in the dispenser's non-volatile memory, and its record of the last job."""

    total_dispensed: int
    last_job_no: int
    last_job_requested: int
    last_job_dispensed: int
    last_job_result: Result
    sensors: Sensors


def _result(value: int) -> Result:
    try:
        return Result(value)
    except ValueError:
        raise DispenserProtocolError(f"unknown result code {value}") from None


def dispense_reply(result: Result, sensors: Sensors, dispensed: int, total: int) -> bytes:
    return struct.pack(">BBHI", result, sensors.to_byte(), dispensed, total)


def parse_dispense_reply(data: bytes) -> tuple[Result, Sensors, int, int]:
    result, sensors, dispensed, total = struct.unpack(">BBHI", data)
    return _result(result), Sensors.from_byte(sensors), dispensed, total


def short_reply(result: Result, sensors: Sensors) -> bytes:
    return bytes((result, sensors.to_byte()))


def parse_short_reply(data: bytes) -> tuple[Result, Sensors]:
    return _result(data[0]), Sensors.from_byte(data[1])


def counters_reply(result: Result, c: Counters) -> bytes:
    return struct.pack(">BBIIHHB", result, c.sensors.to_byte(), c.total_dispensed, c.last_job_no,
                       c.last_job_requested, c.last_job_dispensed, c.last_job_result)


def parse_counters_reply(data: bytes) -> tuple[Result, Counters]:
    result, sensors, total, job_no, requested, dispensed, last = struct.unpack(">BBIIHHB", data)
    return _result(result), Counters(total, job_no, requested, dispensed, _result(last),
                                     Sensors.from_byte(sensors))
