"""A staff card (RFID) reader at the other end of a real pty pair: it types the UID of
each card tapped on it as an ASCII hex line, like a scanner (see serial_scanner_sim)."""
from __future__ import annotations

from .serial_scanner_sim import SimulatedSerialScanner


class SimulatedStaffCardReader(SimulatedSerialScanner):
    """`.tap(uid)` sends one card (`default_uid` if none is given: the simulated hall
    sets the demo staff card); unplug / replug / send_raw as for the scanner."""

    def __init__(self, *, baudrate: int = 9600, stable_link: bool = False,
                 suffix: str = "\r\n", default_uid: str | None = None) -> None:
        super().__init__(baudrate=baudrate, stable_link=stable_link)
        self.suffix = suffix
        self.default_uid = default_uid

    def tap(self, uid: str | None = None) -> None:
        """A card laid on the reader: its UID in upper-case hex, then the suffix."""
        uid = uid if uid is not None else self.default_uid
        if uid is None:
            raise ValueError("no UID given and no default_uid set")
        self.scan(uid.upper(), self.suffix)
