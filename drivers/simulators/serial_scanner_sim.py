"""A serial barcode scanner at the other end of a real pty pair.

The driver opens the slave side like any serial port; the simulator writes what a
scanner would send into the master side. Fault switches: garbage bytes (`send_raw`),
truncated scans (`send_raw` without suffix), slow byte-by-byte sending, and unplug /
replug (the pty is closed and a new one appears under the same stable link path, which
is what udev's /dev/serial/by-id links do for a real USB scanner).
"""
from __future__ import annotations

import os
import tempfile
import threading
import time
import tty


class SimulatedSerialScanner:
    """Simulated scanner. `.connection` is what the driver is configured with."""

    def __init__(self, *, baudrate: int = 9600, stable_link: bool = False) -> None:
        """With `stable_link`, the driver is pointed at a symlink that survives replug."""
        self.baudrate = baudrate
        self._lock = threading.Lock()
        self._master: int | None = None
        self._slave: int | None = None
        self._link_dir: str | None = tempfile.mkdtemp(prefix="scanner-sim-") if stable_link else None
        self.port = ""
        self._plug()

    # -- pty handling -----------------------------------------------------------------

    def _plug(self) -> None:
        master, slave = os.openpty()
        tty.setraw(master)
        tty.setraw(slave)
        self._master, self._slave = master, slave  # slave stays open: keeps the pty alive
        self.port = os.ttyname(slave)
        if self._link_dir is not None:
            link = self.path
            if os.path.lexists(link):
                os.unlink(link)
            os.symlink(self.port, link)

    @property
    def path(self) -> str:
        """The device path the driver opens (the stable link, or the pty itself)."""
        if self._link_dir is not None:
            return os.path.join(self._link_dir, "ttySCANNER0")
        return self.port

    @property
    def connection(self) -> str:
        return f"serial://{self.path}?baudrate={self.baudrate}"

    @property
    def plugged(self) -> bool:
        return self._master is not None

    def unplug(self) -> None:
        """Pull the cable: the driver's reads fail and the device path disappears."""
        with self._lock:
            if self._link_dir is not None and os.path.lexists(self.path):
                os.unlink(self.path)
            for fd in (self._master, self._slave):
                if fd is not None:
                    os.close(fd)
            self._master = self._slave = None

    def replug(self) -> None:
        """Plug the scanner back in (a new pty behind the same link path)."""
        with self._lock:
            if self._master is None:
                self._plug()

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
                _write_all(master, data)
                return
        for i in range(len(data)):
            with self._lock:
                if self._master is None:
                    raise OSError("simulated scanner is unplugged")
                _write_all(self._master, data[i : i + 1])
            time.sleep(byte_delay_s)

    def close(self) -> None:
        self.unplug()
        if self._link_dir is not None:
            try:
                os.rmdir(self._link_dir)
            except OSError:
                pass
            self._link_dir = None

    def __enter__(self) -> "SimulatedSerialScanner":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
