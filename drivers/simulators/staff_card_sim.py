"""A staff card (RFID) reader at the other end of a real pty pair: it types the UID of
each card tapped on it as an ASCII hex line, like a scanner (see serial_scanner_sim)."""
from __future__ import annotations

from .serial_scanner_sim import SimulatedSerialScanner


class SimulatedStaffCardReader(SimulatedSerialScanner):
    """`.tap(uid)` sends one card; unplug / replug / send_raw as for the scanner."""

    def __init__(self, *, baudrate: int = 9600, stable_link: bool = False,
                 suffix: str = "\r\n") -> None:
        super().__init__(baudrate=baudrate, stable_link=stable_link)
        self.suffix = suffix

    def tap(self, uid: str) -> None:
        """A card laid on the reader: its UID in upper-case hex, then the suffix."""
        self.scan(uid.upper(), self.suffix)
