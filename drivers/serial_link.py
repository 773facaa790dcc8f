"""The serial port of a request/reply device: opened on demand, read against deadlines.

The payment terminal and the invoice dispenser talk alike: no reader thread (the
device never speaks unasked), the caller writes a request and pulls framed events
until a deadline. A port that vanishes (cable pulled, USB adapter reset) is closed and
the device marked offline; the next command opens it again. `open_serial()` is how
every serial driver turns a serial:// connection into a pyserial port.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

import serial

try:
    import termios

    _TERMIOS_ERRORS: tuple[type[BaseException], ...] = (termios.error,)
except ImportError:  # not POSIX
    _TERMIOS_ERRORS = ()

from .base import DeviceState
from .connection import Connection
from .errors import DeviceError, DeviceErrorCode

if TYPE_CHECKING:
    from .base import DeviceBase

# What a vanished port raises: pyserial's own error, OS errors, termios.error from
# tcflush (not an OSError), and TypeError/AttributeError when pyserial's fd went away
# during a close.
PORT_ERRORS: tuple[type[BaseException], ...] = (
    serial.SerialException, OSError, TypeError, AttributeError, *_TERMIOS_ERRORS)
READ_SLICE_S = 0.05  # one blocking read; deadlines are checked between reads
INTERBYTE_S = 0.3  # a half frame with no new byte for this long is abandoned
_STOPBITS = {"1": 1, "1.5": 1.5, "2": 2}

_Event = TypeVar("_Event")


class FrameParser(Protocol[_Event]):
    """What SerialLink needs of a protocol's byte-stream parser."""

    garbage: int  # bytes skipped as noise so far

    @property
    def pending(self) -> int: ...

    def feed(self, data: bytes) -> list[_Event]: ...

    def flush_partial(self) -> list[_Event]: ...

    def reset(self) -> None: ...


def open_serial(conn: Connection, *, timeout: float, write_timeout: float | None = None,
                baudrate: int | None = None, binary: bool = False) -> serial.Serial:
    """A pyserial port with the connection's line settings (9600 8N1 by default).

    `binary` forces XON/XOFF off: those bytes occur inside binary frames and would be
    eaten. Raises what pyserial raises (SerialException, OSError, ValueError)."""
    return serial.serial_for_url(
        conn.path,
        baudrate=conn.param_int("baudrate", 9600) if baudrate is None else baudrate,
        bytesize=conn.param_int("bytesize", 8),
        parity=conn.params.get("parity", "N").upper(),
        stopbits=_STOPBITS[conn.params.get("stopbits", "1")],
        rtscts=conn.param_bool("rtscts", False),
        xonxoff=False if binary else conn.param_bool("xonxoff", False),
        dsrdtr=conn.param_bool("dsrdtr", False),
        timeout=timeout,
        write_timeout=write_timeout,
        exclusive=True,
    )


def close_quietly(port: serial.Serial) -> None:
    """Close a port that may be gone already (its error says nothing new)."""
    try:
        port.close()
    except (serial.SerialException, OSError):
        pass


class SerialLink(Generic[_Event]):
    """A device's binary serial port and its frame parser; the device holds its lock.

    Counts (opens, open_failures, disconnects, bytes_in, garbage_bytes) and status
    changes go to `device`. `noise()` says how many bytes the parser threw away so far
    (by default its `garbage`; a parser that also drops frames with a bad CRC adds those).
    """

    def __init__(self, device: DeviceBase, parser: FrameParser[_Event], *, label: str,
                 clock: Callable[[], float],
                 noise: Callable[[], int] | None = None) -> None:
        self._device = device
        self._parser = parser
        self._label = label  # "dispenser": "dispenser port lost: ..."
        self._clock = clock
        self._noise = noise or (lambda: parser.garbage)
        self._events: deque[_Event] = deque()
        self.port: serial.Serial | None = None

    def ensure_open(self) -> None:
        """Open the port if it is not open; DeviceError OFFLINE when it cannot be."""
        if self.port is not None:
            return
        device, path = self._device, self._device.connection.path
        try:
            port = open_serial(device.connection, timeout=READ_SLICE_S, write_timeout=1.0,
                               binary=True)
        except (serial.SerialException, OSError, ValueError) as exc:
            device._count("open_failures")
            device._set_status(DeviceState.OFFLINE, DeviceErrorCode.OFFLINE,
                               message=f"cannot open {path}")
            raise DeviceError(DeviceErrorCode.OFFLINE, f"cannot open {path}: {exc}") from None
        self.port = port
        self._parser.reset()
        self._events.clear()
        device._count("opens")
        device._set_status(DeviceState.IDLE)

    def close(self) -> None:
        port, self.port = self.port, None
        if port is not None:
            close_quietly(port)

    def write(self, data: bytes) -> None:
        port = self._open_port()
        try:
            port.write(data)
        except PORT_ERRORS as exc:
            raise self._lost(exc) from None

    def discard_input(self) -> None:
        """Forget bytes left from an earlier exchange (late replies, noise)."""
        port = self.port
        try:
            if port is not None:
                port.reset_input_buffer()
        except PORT_ERRORS as exc:
            raise self._lost(exc) from None
        self._parser.reset()
        self._events.clear()

    def next_event(self, until: float) -> _Event | None:
        """The next protocol event (frame, ACK, ...), or None at `until` (clock time)."""
        if self._events:
            return self._events.popleft()
        last_byte_at = self._clock()
        while True:
            port = self._open_port()
            if self._clock() >= until:
                return None
            try:
                data = port.read(max(1, port.in_waiting))
            except PORT_ERRORS as exc:
                raise self._lost(exc) from None
            noise_before = self._noise()
            if data:
                self._device._count("bytes_in", len(data))
                last_byte_at = self._clock()
                self._events.extend(self._parser.feed(data))
            elif self._parser.pending and self._clock() - last_byte_at > INTERBYTE_S:
                self._events.extend(self._parser.flush_partial())
            noise = self._noise() - noise_before
            if noise:
                self._device._count("garbage_bytes", noise)
            if self._events:
                return self._events.popleft()

    def _open_port(self) -> serial.Serial:
        port = self.port
        if port is None:
            raise DeviceError(DeviceErrorCode.OFFLINE, f"{self._label} port is closed")
        return port

    def _lost(self, exc: BaseException) -> DeviceError:
        self._device._count("disconnects")
        self.close()
        self._device._set_status(DeviceState.OFFLINE, DeviceErrorCode.OFFLINE,
                                 message="port lost")
        return DeviceError(DeviceErrorCode.OFFLINE, f"{self._label} port lost: {exc}")
