"""A second-generation ID card reader at the other end of a real pty pair.

The driver opens the slave side like any serial port; a thread here reads requests
from the master side and answers them as a reader does. It has its own request parser
and response builder (not drivers.id_card.protocol), so a mistake in the driver's
codec is not mirrored here and hidden.

Baud rate: a pty moves bytes at any speed, but on Linux the master side's termios
reflects the settings the driver made on the slave (the pty driver applies termios
calls on the master to the slave), so the simulator reads the speed the driver set
before each request and ignores requests sent at another speed, as a real reader that
sees only framing errors would. That is what makes the driver's speed probe testable.

Fault switches:
- `mute`: reads requests, never answers (a hung reader)
- `slow_s`: waits this long before each reply
- `garbage`: sends random noise before each reply
- `pull_mid_read`: the card is pulled while its base info is being sent: half the
  reply goes out, then nothing, and the card is gone
- `halt_after_read`: after a read, find says "no card" until the card is put back
  (what many real readers do); select still works
- `card_type`: "resident" (default), "foreigner" (permanent residence card, 'I'),
  "foreigner_2023" ('Y'), "hmt" (Hong Kong / Macau / Taiwan residence permit, 'J')
- `status_sw3`: what the status command answers (0x90; 0x60 = self-test failed)
- `unplug()` / `replug()`: the pty disappears / a new one appears (behind the same
  path with `stable_link`, like a /dev/serial/by-id link)

The simulator does not pace bytes at the baud rate: a 1,295-byte reply arrives at
once, where a real reader at 9600 baud takes 1.35 s.
"""
from __future__ import annotations

import hashlib
import logging
import os
import random
import termios
import time
from datetime import date
from typing import Any

from .pty_device import PtyDevice

_log = logging.getLogger("drivers.sim.id_card")

_PREAMBLE = bytes([0xAA, 0xAA, 0xAA, 0x96, 0x69])

SAMPLE_RECORD: dict[str, Any] = {
    "name": "买买提·艾力",
    "gender": "1",
    "nation": "01",
    "birth": "19491231",
    "address": "北京市朝阳区建国路88号院3号楼2单元501室",
    "id_number": "11010519491231002X",
    "authority": "北京市公安局朝阳分局",
    "valid_from": "20150101",
    "valid_until": "长期",
}

CARD_TYPES = ("resident", "foreigner", "foreigner_2023", "hmt")


class SimulatedIdCardReader(PtyDevice):
    """Simulated SAM ID card reader. `.connection` is what the driver is configured with.
    It answers from the moment it is built."""

    link_name = "ttyIDCARD0"
    link_prefix = "idcard-sim-"
    reader_name = "idcard-sim"

    def __init__(self, *, baudrate: int = 115200, stable_link: bool = False,
                 seed: int | None = None) -> None:
        self._speed = getattr(termios, f"B{baudrate}")
        self.mute = False
        self.slow_s = 0.0
        self.garbage = False
        self.pull_mid_read = False
        self.halt_after_read = False
        self.card_type = "resident"
        self.status_sw3 = 0x90
        self.requests: list[tuple[int, int]] = []  # (CMD, PARA) of every request answered
        self.ignored_wrong_speed = 0
        self._random = random.Random(seed)
        self._card: dict[str, Any] | None = None
        self._halted = False
        self._buf = bytearray()  # a request being received
        self._buf_generation = 0  # the pty it came from
        super().__init__(baudrate=baudrate, stable_link=stable_link)
        self.start()

    # -- the card ---------------------------------------------------------------------

    def insert_card(self, record: dict[str, Any] | None = None) -> None:
        """Put a card on the reader (SAMPLE_RECORD, or these fields over it)."""
        card = dict(SAMPLE_RECORD)
        card.update(record or {})
        self._text_record(card)  # fail here, in the test, if a field does not fit
        with self._lock:
            self._card = card
            self._halted = False

    def remove_card(self) -> None:
        with self._lock:
            self._card = None
            self._halted = False

    @property
    def has_card(self) -> bool:
        return self._card is not None

    # -- the reader's side of the protocol --------------------------------------------

    def _read_master(self, fd: int) -> bytes:
        data = os.read(fd, 4096)
        if termios.tcgetattr(fd)[5] != self._speed:
            self.ignored_wrong_speed += 1  # framing errors on a real line
            return b""
        return data

    def _received(self, data: bytes, generation: int) -> None:
        if generation != self._buf_generation:
            self._buf.clear()  # a new cable: nothing half-received survives
            self._buf_generation = generation
        self._buf += data
        for frame in self._take_requests(self._buf):
            self._answer(frame, generation)

    def _take_requests(self, buf: bytearray) -> list[bytes | int]:
        """Complete requests in `buf` as (CMD, PARA, DATA) bytes, or an int SW3 for a
        request the reader rejects (0x10 bad checksum, 0x11 bad length)."""
        out: list[bytes | int] = []
        while True:
            start = buf.find(_PREAMBLE)
            if start < 0:
                del buf[: max(0, len(buf) - 4)]
                return out
            del buf[:start]
            if len(buf) < 7:
                return out
            length = (buf[5] << 8) | buf[6]
            if length < 3 or length > 1024:
                del buf[:7]
                out.append(0x11)
                continue
            if len(buf) < 7 + length:
                return out
            frame = bytes(buf[: 7 + length])
            del buf[: 7 + length]
            chk = 0
            for b in frame[5:-1]:
                chk ^= b
            if chk != frame[-1]:
                out.append(0x10)
                continue
            out.append(frame[7:-1])
        return out

    def _answer(self, request: bytes | int, generation: int) -> None:
        if isinstance(request, int):
            reply: bytes | None = self._response(request)
        else:
            cmd, para = request[0], request[1]
            self.requests.append((cmd, para))
            reply = self._handle(cmd, para)
        if reply is None or self.mute:
            return
        if self.slow_s > 0:
            time.sleep(self.slow_s)
        if self.garbage:
            noise = bytes(self._random.choice(range(256)) for _ in range(self._random.randint(3, 40)))
            self._send(noise.replace(b"\xaa", b"\x55"), generation)  # noise, not a preamble
        if isinstance(request, bytes) and request[:2] == b"\x30\x01" and self.pull_mid_read:
            with self._lock:
                self._card = None
            self._send(reply[: len(reply) // 2], generation)
            return
        self._send(reply, generation)

    def _handle(self, cmd: int, para: int) -> bytes | None:
        with self._lock:
            card = self._card
            halted = self._halted
        if (cmd, para) == (0x10, 0xFF):  # reset
            return self._response(0x90)
        if (cmd, para) == (0x11, 0xFF):  # status
            return self._response(self.status_sw3)
        if (cmd, para) == (0x20, 0x01):  # find card
            if card is None or halted:
                return self._response(0x80)
            return self._response(0x9F, bytes(4))
        if (cmd, para) == (0x20, 0x02):  # select card
            if card is None:
                return self._response(0x81)
            return self._response(0x90, bytes(8))
        if (cmd, para) == (0x30, 0x01):  # read base info
            if card is None:
                return self._response(0x41)
            text = self._text_record(card)
            photo = _fake_photo(str(card.get("id_number", "")))
            if self.halt_after_read:
                with self._lock:
                    self._halted = True
            return self._response(0x90, (256).to_bytes(2, "big") + (1024).to_bytes(2, "big")
                                  + text + photo)
        return self._response(0x21)

    def _text_record(self, card: dict[str, Any]) -> bytes:
        if self.card_type == "resident":
            return _resident_text(card)
        if self.card_type not in CARD_TYPES:
            raise ValueError(f"card_type must be one of {CARD_TYPES}")
        return _other_text(card, {"foreigner": "I", "foreigner_2023": "Y", "hmt": "J"}[self.card_type])

    @staticmethod
    def _response(sw3: int, data: bytes = b"") -> bytes:
        body = (3 + len(data) + 1).to_bytes(2, "big") + bytes([0x00, 0x00, sw3]) + data
        chk = 0
        for b in body:
            chk ^= b
        return _PREAMBLE + body + bytes([chk])


def _text(value: Any) -> str:
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    return "" if value is None else str(value)


def _resident_text(card: dict[str, Any]) -> bytes:
    gender = {"男": "1", "女": "2", "male": "1", "female": "2"}.get(_text(card.get("gender")),
                                                                  _text(card.get("gender")))
    valid_until = card.get("valid_until")
    fields = [
        (_text(card.get("name")), 15),
        (gender, 1),
        (_text(card.get("nation_code", card.get("nation"))), 2),
        (_text(card.get("birth")), 8),
        (_text(card.get("address")), 35),
        (_text(card.get("id_number")), 18),
        (_text(card.get("authority")), 15),
        (_text(card.get("valid_from")), 8),
        ("长期" if valid_until is None else _text(valid_until), 8),
        ("", 18),
    ]
    out = ""
    for value, width in fields:
        if len(value) > width:
            raise ValueError(f"card field {value[:3]!r}... is longer than {width} characters")
        out += value + " " * (width - len(value))
    return out.encode("utf-16-le")


def _other_text(card: dict[str, Any], letter: str) -> bytes:
    """A foreigner's / HMT layout: same 256 bytes, other fields, the type letter at 124."""
    english = "MUSTERMANN, ERIKA"
    chars = (english.ljust(60) + "2" + "USA120078000001".ljust(15) + "USA"
             + _text(card.get("name"))[:15].ljust(15) + "20200101" + "20300101"
             + "19800101" + "01" + "1100")
    chars = chars[:124].ljust(124) + letter + "   "
    return chars.encode("utf-16-le")


def _fake_photo(key: str) -> bytes:
    """1,024 deterministic bytes standing in for the WLT photo (a real one is encrypted
    and compressed, so it looks random too); never contains a preamble."""
    out = bytearray()
    block = hashlib.sha256(("photo:" + key).encode()).digest()
    while len(out) < 1024:
        out += block
        block = hashlib.sha256(block).digest()
    photo = bytes(out[:1024])
    return b"WL" + photo[2:].replace(b"\xaa\xaa\xaa", b"\xaa\xab\xaa")
