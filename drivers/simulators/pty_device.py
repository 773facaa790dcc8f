"""A simulated serial device at the other end of a real pty pair.

The driver opens the slave side like any serial port; the simulator reads and writes
the master side. `unplug()` closes both sides, so the driver's reads fail and the
device path disappears, like a pulled cable; `replug()` opens a new pair, behind the
same path with `stable_link` (as udev's /dev/serial/by-id links do for a USB device).
Devices that answer requests run `_run()` on a reader thread from `start()`.
"""
from __future__ import annotations

import os
import select
import tempfile
import threading
import time
import tty
from typing import Self


def open_raw_pty() -> tuple[int, int]:
    """A (master, slave) pty pair in raw mode: binary bytes pass through untouched."""
    master, slave = os.openpty()
    tty.setraw(master)
    tty.setraw(slave)
    return master, slave


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class PtyDevice:
    """Pty pair, stable link, plug state and reader thread of one simulated device.

    Subclasses name the link (`link_name`, `link_prefix`); the ones that answer set
    `reader_name` and implement `_received()` (and `_tick()` for timed work). `_lock`
    guards the pty; subclasses may use it for their own state too.
    """

    link_name = "ttySIM0"  # the stable link's name
    link_prefix = "pty-sim-"  # the stable link's temporary directory
    reader_name: str | None = None  # the reader thread's name; None: no reader
    poll_s = 0.05  # how long the reader waits for bytes before a `_tick()`

    def __init__(self, *, baudrate: int, stable_link: bool) -> None:
        self.baudrate = baudrate
        self._lock = threading.Lock()
        self._master: int | None = None
        self._slave: int | None = None
        # Bumped on every plug and unplug, so bytes read from (or meant for) an older
        # pty are dropped, as they would be with the cable.
        self._generation = 0
        self._link_dir: str | None = tempfile.mkdtemp(prefix=self.link_prefix) if stable_link else None
        self.port = ""
        self._running = False
        self._thread: threading.Thread | None = None
        self._plug()

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> Self:
        """Start answering the driver (a device that only sends has nothing to start)."""
        if self.reader_name is not None and self._thread is None:
            self._running = True
            self._thread = threading.Thread(target=self._run, name=self.reader_name, daemon=True)
            self._thread.start()
        return self

    def close(self) -> None:
        self._running = False
        if self._thread is not None:
            self._thread.join(2.0)
            self._thread = None
        self.unplug()
        if self._link_dir is not None:
            try:
                os.rmdir(self._link_dir)
            except OSError:
                pass
            self._link_dir = None

    def stop(self) -> None:
        self.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- pty handling -----------------------------------------------------------------

    @property
    def path(self) -> str:
        """The device path the driver opens (the stable link, or the pty itself)."""
        if self._link_dir is not None:
            return os.path.join(self._link_dir, self.link_name)
        return self.port

    @property
    def connection(self) -> str:
        return f"serial://{self.path}?baudrate={self.baudrate}"

    @property
    def plugged(self) -> bool:
        return self._master is not None

    def _plug(self) -> None:
        # The slave stays open here too: it keeps the pty alive while the driver reopens.
        self._master, self._slave = open_raw_pty()
        self._generation += 1
        self.port = os.ttyname(self._slave)
        if self._link_dir is not None:
            if os.path.lexists(self.path):
                os.unlink(self.path)
            os.symlink(self.port, self.path)

    def unplug(self) -> None:
        """Pull the cable: the driver's reads fail and the device path disappears."""
        with self._lock:
            if self._link_dir is not None and os.path.lexists(self.path):
                os.unlink(self.path)
            for fd in (self._master, self._slave):
                if fd is not None:
                    os.close(fd)
            self._master = self._slave = None
            self._generation += 1
            self._unplugged()

    def replug(self) -> None:
        """Plug the device back in (a new pty, behind the same link path)."""
        with self._lock:
            if self._master is None:
                self._plug()

    def _unplugged(self) -> None:
        """Forget what was in flight on the old line (called with `_lock` held)."""

    # -- the reader -------------------------------------------------------------------

    def _run(self) -> None:
        while self._running:
            with self._lock:
                fd, generation = self._master, self._generation
            if fd is None:
                time.sleep(0.02)  # unplugged: nothing to hear, nothing to do
                continue
            try:
                ready, _, _ = select.select([fd], [], [], self.poll_s)
            except (OSError, ValueError):
                ready = []  # closed under us by unplug()
            data = b""
            if ready:
                with self._lock:
                    if self._master == fd and self._generation == generation:
                        try:
                            data = self._read_master(fd)
                        except OSError:
                            data = b""
            if data:
                self._received(data, generation)
            self._tick()

    def _read_master(self, fd: int) -> bytes:
        """What the driver sent (called with `_lock` held)."""
        return os.read(fd, 4096)

    def _received(self, data: bytes, generation: int) -> None:
        """Handle bytes from the driver, read from the pty of `generation`."""
        raise NotImplementedError

    def _tick(self) -> None:
        """Timed work between reads (sheets feeding, replies falling due)."""

    def _send(self, data: bytes, generation: int | None = None) -> None:
        """Write to the driver; lost when unplugged, or replugged since `generation`."""
        with self._lock:
            if self._master is None or (generation is not None and generation != self._generation):
                return
            try:
                write_all(self._master, data)
            except OSError:
                pass
