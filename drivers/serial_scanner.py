"""Barcode / QR scanner on a serial port (real RS-232 or USB-CDC "virtual COM").

Scanners send each code followed by a configured suffix (CR, LF or CR LF). One daemon
reader thread owns the port: it reads with a short timeout (so `stop()` is prompt),
splits the byte stream on the suffix and hands each complete scan to `on_scan` on the
reader thread. It survives what happens in a hall: line noise, half scans, a cable
pulled and plugged back (the port is reopened with backoff until `stop()`).

Scan contents are never logged: a scanner also reads ID numbers.
"""
from __future__ import annotations

import logging
import threading
import time
import unicodedata
from collections.abc import Callable

import serial

from .base import DeviceBase, DeviceState, DeviceStatus, StatusCallback
from .connection import ConnectionStringError
from .device import Capability
from .errors import DeviceErrorCode
from .serial_link import close_quietly, open_serial

_log = logging.getLogger("drivers.scanner")

READ_TIMEOUT_S = 0.1
PARTIAL_TIMEOUT_S = 1.0  # a code without its suffix after this long is a truncated scan
MAX_SCAN_BYTES = 8 * 1024  # longer "lines" are noise, not codes
BACKOFF_START_S = 0.1
BACKOFF_MAX_S = 2.0
_SUFFIXES = ("\r", "\n", "\r\n")


def decode_scan(raw: bytes) -> str:
    """Decode scanner bytes: UTF-8 (modern scanners), GB18030 (older Chinese setups),
    and last latin-1 so nothing raises; control characters are removed.

    UTF-8 goes first because it is self-checking: GB18030 text is almost never valid
    UTF-8 beyond a character or two, while nearly any bytes are "valid" GB18030.
    """
    for encoding in ("utf-8", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = raw.decode("latin-1")
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc")


class SerialScanner(DeviceBase):
    """Serial barcode scanner: `start()`, scans arrive on `on_scan`, `stop()`.

    `on_scan` and `on_status` run on the reader thread and must return quickly.
    """

    kind = "scanner"
    capabilities = frozenset({Capability.SCAN})

    def __init__(
        self,
        connection: str,
        *,
        suffix: str = "\r\n",
        on_scan: Callable[[str], None],
        on_status: StatusCallback | None = None,
        name: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        backoff_start_s: float = BACKOFF_START_S,
        backoff_max_s: float = BACKOFF_MAX_S,
    ) -> None:
        """`backoff_*`: how soon, then how often at most, a lost port is reopened (the
        device manager passes its own policy)."""
        super().__init__(connection, name=name, on_status=on_status)
        if not 0 < backoff_start_s <= backoff_max_s:
            raise ValueError("need 0 < backoff_start_s <= backoff_max_s")
        self.backoff_start_s = backoff_start_s
        self.backoff_max_s = backoff_max_s
        if self.connection.scheme != "serial":
            raise ConnectionStringError(
                f"a serial scanner needs a serial:// connection, not {self.connection.scheme}://"
            )
        if suffix not in _SUFFIXES:
            raise ValueError(f"suffix must be one of {_SUFFIXES!r}")
        self.suffix = suffix
        self._suffix_bytes = suffix.encode("ascii")
        self.on_scan = on_scan
        self._clock = clock
        self._port: serial.Serial | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._buffer = bytearray()
        self._discarding = False  # after an overflow: drop bytes up to the next suffix
        self._last_byte_at = 0.0
        self._clear_requested = threading.Event()

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> None:
        """Open the port and start the reader thread.

        A missing port is not an error here: the scanner reports `offline` and the
        reader thread keeps trying, as it does after an unplug.
        """
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._open()
        self._thread = threading.Thread(
            target=self._run, name=f"{self.name}-reader", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 1.0) -> None:
        """Stop the reader thread (within about one read timeout) and close the port."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        self._thread = None
        self._close()
        self._buffer.clear()
        self._set_status(DeviceState.CLOSED)

    # -- the Device protocol: the reader thread reports every change as it happens ----

    def open(self) -> None:
        self.start()

    def close(self) -> None:
        self.stop()

    def check(self, timeout_s: float) -> DeviceStatus:
        """Nothing to ask: a serial scanner has no status command; the reader thread
        publishes open, lost and reopened ports itself."""
        return self.last_status

    def clear_buffer(self) -> None:
        """Forget a half-received scan (called when a taxpayer session ends)."""
        self._clear_requested.set()

    @property
    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- reader thread ----------------------------------------------------------------

    def _open(self) -> bool:
        conn = self.connection
        try:
            port = open_serial(conn, timeout=READ_TIMEOUT_S)
        except (serial.SerialException, OSError, ValueError) as exc:
            self._count("open_failures")
            self._set_status(DeviceState.OFFLINE, DeviceErrorCode.OFFLINE,
                             message=f"cannot open {conn.path}: {exc}")
            return False
        self._port = port
        self._buffer.clear()
        self._discarding = False
        self._count("opens")
        self._set_status(DeviceState.IDLE)
        return True

    def _close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            close_quietly(port)

    def _run(self) -> None:
        backoff = self.backoff_start_s
        while not self._stop.is_set():
            port = self._port
            if port is None:
                if self._stop.wait(backoff):
                    break
                backoff = min(backoff * 2, self.backoff_max_s)
                if self._open():
                    self._count("reconnects")
                    backoff = self.backoff_start_s
                continue
            try:
                data = port.read(1)
                if data and port.in_waiting:
                    data += port.read(port.in_waiting)
            except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
                # TypeError/AttributeError: pyserial's fd vanished under us during close.
                if self._stop.is_set():
                    break
                self._count("disconnects")
                self._close()
                self._set_status(DeviceState.OFFLINE, DeviceErrorCode.OFFLINE,
                                 message=f"port lost: {exc}")
                continue
            if self._clear_requested.is_set():
                self._clear_requested.clear()
                self._buffer.clear()
                self._discarding = False
            if data:
                self._count("bytes_in", len(data))
                self._last_byte_at = self._clock()
                self._feed(data)
            elif self._buffer or self._discarding:
                self._expire_partial()
        self._close()

    def _feed(self, data: bytes) -> None:
        """Split incoming bytes on the suffix; deliver complete scans."""
        self._buffer += data
        suffix = self._suffix_bytes
        while True:
            index = self._buffer.find(suffix)
            if index < 0:
                break
            raw = bytes(self._buffer[:index])
            del self._buffer[: index + len(suffix)]
            if self._discarding:
                self._discarding = False  # the tail of an overlong line ends here
                continue
            if len(raw) > MAX_SCAN_BYTES:
                self._count("overflows")
                _log.warning("%s: discarded a %d-byte line", self.name, len(raw))
                continue
            self._deliver(raw)
        if len(self._buffer) > MAX_SCAN_BYTES:
            # Keep a trailing CR when the suffix is CR LF: the LF may be on its way.
            keep = 1 if suffix == b"\r\n" and self._buffer.endswith(b"\r") else 0
            self._count("overflows")
            _log.warning("%s: %d bytes without a suffix, discarded", self.name, len(self._buffer))
            self._buffer = self._buffer[len(self._buffer) - keep:] if keep else bytearray()
            self._discarding = True

    def _expire_partial(self) -> None:
        if self._clock() - self._last_byte_at > PARTIAL_TIMEOUT_S:
            if self._buffer:
                self._count("truncated")
                _log.info("%s: dropped a truncated scan of %d bytes", self.name, len(self._buffer))
            self._buffer.clear()
            self._discarding = False

    def _deliver(self, raw: bytes) -> None:
        text = decode_scan(raw)
        if not text:
            self._count("empty")
            return
        self._count("scans")
        try:
            self.on_scan(text)
        except Exception:  # the listener's bug must not stop the reader
            _log.exception("%s: on_scan failed", self.name)
