"""The invoice dispenser's serial framing (docs/dispenser-protocol.md).

Frame: SOH | SEQ | CMD | LEN | DATA | CRC-16 (big-endian), the CRC being
CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) over SEQ..DATA. Requests are upper-case
command letters, replies the same letter in lower case and echo the request's SEQ.

Every command has exactly one DATA length, so the parser rejects a false SOH in line
noise after at most four bytes in nearly all cases, and a false start can never hold
more than the longest frame (`MAX_FRAME`, 38 bytes) before its CRC fails and the scan
resumes one byte after it.

Numbered stock: the dispenser has several cassettes, each loaded (`L`) with one
invoice kind, code and number range; a cassette job (`K`) names the cassette and
count and answers the first number issued; the sheets wait in the presenter until the
taxpayer takes them or the device retracts them into the reject bin (`P`).
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum

SOH = 0x01

DISPENSE, STATUS, COUNTERS, RESET = b"D", b"S", b"C", b"R"
CASSETTE_JOB, CASSETTE, LOAD, PRESENTER = b"K", b"Q", b"L", b"P"
MAX_SHEETS_PER_JOB = 50  # one taxpayer's invoices; larger batches are several jobs
CASSETTES = 4  # cassette slots 1..4
CODE_BYTES = 12  # an invoice code: 10 or 12 digits, ASCII, space-padded on the right
MAX_RETRACT_S = 3600

# Invoice kinds by the byte the device stores per cassette (docs/dispenser-protocol.md).
INVOICE_KINDS: dict[int, str] = {
    1: "增值税普通发票",
    2: "通用机打发票",
    3: "增值税专用发票",
    4: "定额发票",
}
KIND_BYTES: dict[str, int] = {name: byte for byte, name in INVOICE_KINDS.items()}

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
    ord("K"): 9,  # cassette u8, count u16, job number u32, retract_s u16
    ord("k"): 13,  # result, sensors, cassette u8, dispensed u16, first number u32, total u32
    ord("Q"): 1,  # cassette u8
    ord("q"): 32,  # result, sensors, cassette, kind, code[12], first, last, next, retracted u32
    ord("L"): 22,  # cassette u8, kind u8, code[12], first u32, last u32
    ord("l"): 2,  # result, sensors
    ord("P"): 0,
    ord("p"): 14,  # result, sensors, state, job number u32, cassette, first u32, sheets u16
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
    OVERLAP = 8  # load: the range is not the cassette's continuation (or it is not empty)
    PRESENTED = 9  # sheets still wait in the presenter: a new job must wait


class Presenter(IntEnum):
    """State of the presenter (exit slot) for the last cassette job, non-volatile."""

    NONE = 0  # no cassette job yet
    FEEDING = 1  # sheets are moving
    PRESENTED = 2  # waiting for the taxpayer to take them
    TAKEN = 3
    RETRACTED = 4  # not taken within retract_s: moved into the reject bin


class Sensor(IntEnum):
    """Bits of the sensor byte in every reply."""

    STOCK_LOW = 0x01
    EMPTY = 0x02
    JAM = 0x04
    DOOR_OPEN = 0x08
    PRESENTED = 0x10  # sheets wait in the exit slot


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
    presented: bool = False

    @classmethod
    def from_byte(cls, value: int) -> Sensors:
        return cls(bool(value & Sensor.STOCK_LOW), bool(value & Sensor.EMPTY),
                   bool(value & Sensor.JAM), bool(value & Sensor.DOOR_OPEN),
                   bool(value & Sensor.PRESENTED))

    def to_byte(self) -> int:
        return ((Sensor.STOCK_LOW if self.stock_low else 0) | (Sensor.EMPTY if self.empty else 0)
                | (Sensor.JAM if self.jam else 0) | (Sensor.DOOR_OPEN if self.door_open else 0)
                | (Sensor.PRESENTED if self.presented else 0))


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


# -- numbered stock: cassettes, cassette jobs, presenter ---------------------------------


@dataclass(frozen=True)
class CassetteState:
    """What one cassette holds: kind, code and range loaded, the next number to issue and
    how many of its sheets went to the reject bin. Empty slots have kind 0."""

    slot: int
    kind: int
    code: str
    first: int
    last: int
    next_no: int
    retracted: int

    @property
    def loaded(self) -> int:
        return 0 if self.kind == 0 else self.last - self.first + 1

    @property
    def remaining(self) -> int:
        return 0 if self.kind == 0 else self.last - self.next_no + 1

    @property
    def kind_name(self) -> str:
        return INVOICE_KINDS.get(self.kind, "")


@dataclass(frozen=True)
class PresenterState:
    """The device's record of the last cassette job's sheets."""

    state: Presenter
    job_no: int
    slot: int
    first: int
    sheets: int
    sensors: Sensors


def _code_bytes(code: str) -> bytes:
    if not (code.isascii() and code.isdigit() and len(code) <= CODE_BYTES) and code != "":
        raise ValueError("an invoice code is at most 12 digits")
    return code.encode("ascii").ljust(CODE_BYTES, b" ")


def _code_text(raw: bytes) -> str:
    text = raw.decode("ascii").rstrip(" ")
    if text and not text.isdigit():
        raise DispenserProtocolError("invoice code is not digits")
    return text


def cassette_job_data(slot: int, count: int, job_no: int, retract_s: int) -> bytes:
    return struct.pack(">BHIH", slot, count, job_no, retract_s)


def parse_cassette_job_data(data: bytes) -> tuple[int, int, int, int]:
    slot, count, job_no, retract_s = struct.unpack(">BHIH", data)
    return slot, count, job_no, retract_s


def cassette_job_reply(result: Result, sensors: Sensors, slot: int, dispensed: int, first: int,
                       total: int) -> bytes:
    return struct.pack(">BBBHII", result, sensors.to_byte(), slot, dispensed, first, total)


def parse_cassette_job_reply(data: bytes) -> tuple[Result, Sensors, int, int, int, int]:
    result, sensors, slot, dispensed, first, total = struct.unpack(">BBBHII", data)
    return _result(result), Sensors.from_byte(sensors), slot, dispensed, first, total


def load_data(slot: int, kind: int, code: str, first: int, last: int) -> bytes:
    return struct.pack(">BB", slot, kind) + _code_bytes(code) + struct.pack(">II", first, last)


def parse_load_data(data: bytes) -> tuple[int, int, str, int, int]:
    slot, kind = data[0], data[1]
    first, last = struct.unpack(">II", data[2 + CODE_BYTES:])
    return slot, kind, _code_text(data[2:2 + CODE_BYTES]), first, last


def cassette_reply(result: Result, sensors: Sensors, c: CassetteState) -> bytes:
    return (struct.pack(">BBBB", result, sensors.to_byte(), c.slot, c.kind) + _code_bytes(c.code)
            + struct.pack(">IIII", c.first, c.last, c.next_no, c.retracted))


def parse_cassette_reply(data: bytes) -> tuple[Result, Sensors, CassetteState]:
    result, sensors, slot, kind = struct.unpack(">BBBB", data[:4])
    first, last, next_no, retracted = struct.unpack(">IIII", data[4 + CODE_BYTES:])
    code = _code_text(data[4:4 + CODE_BYTES])
    if kind and not (first <= next_no <= last + 1):
        raise DispenserProtocolError("cassette's next number is outside its range")
    return (_result(result), Sensors.from_byte(sensors),
            CassetteState(slot, kind, code, first, last, next_no, retracted))


def presenter_reply(result: Result, p: PresenterState) -> bytes:
    return struct.pack(">BBBIBIH", result, p.sensors.to_byte(), p.state, p.job_no, p.slot,
                       p.first, p.sheets)


def parse_presenter_reply(data: bytes) -> tuple[Result, PresenterState]:
    result, sensors, state, job_no, slot, first, sheets = struct.unpack(">BBBIBIH", data)
    try:
        presenter = Presenter(state)
    except ValueError:
        raise DispenserProtocolError(f"unknown presenter state {state}") from None
    return _result(result), PresenterState(presenter, job_no, slot, first, sheets,
                                           Sensors.from_byte(sensors))
