"""A serial barcode scanner at the other end of a real pty pair.

The driver opens the slave side like any serial port; the simulator writes what a
scanner would send into the master side. Fault switches: garbage bytes (`send_raw`),
truncated scans (`send_raw` without suffix), slow byte-by-byte sending, and unplug /
replug (the pty is closed and a new one appears under the same stable link path, which
is what udev's /dev/serial/by-id links do for a real USB scanner).
"""
from __future__ import annotations

import time

from .pty_device import PtyDevice, write_all


class SimulatedSerialScanner(PtyDevice):
    """Simulated scanner. `.connection` is what the driver is configured with."""

    link_name = "ttySCANNER0"
    link_prefix = "scanner-sim-"

    def __init__(self, *, baudrate: int = 9600, stable_link: bool = False) -> None:
        """With `stable_link`, the driver is pointed at a symlink that survives replug."""
        super().__init__(baudrate=baudrate, stable_link=stable_link)

    # -- what the scanner sends -------------------------------------------------------

    def scan(self, data: str, suffix: str = "\r\n") -> None:
        """Send one scan: the code as UTF-8, then the suffix."""
        self.send_raw(data.encode("utf-8") + suffix.encode("ascii"))

    def send_raw(self, data: bytes, *, byte_delay_s: float = 0.0) -> None:
        """Write raw bytes (garbage, half scans); optionally slowly, byte by byte."""
        with self._lock:
            master = self._master
            if master is None:
                raise OSError("simulated scanner is unplugged")
            if byte_delay_s <= 0:
                write_all(master, data)
                return
        for i in range(len(data)):
            with self._lock:
                if self._master is None:
                    raise OSError("simulated scanner is unplugged")
                write_all(self._master, data[i : i + 1])
            time.sleep(byte_delay_s)
