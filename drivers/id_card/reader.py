"""Second-generation ID card reader on a serial port (RS-232 or USB-CDC).

`open()` finds the reader's speed: readers ship at 115200 (modern) or 9600 baud and a
configuration file may not say which, so the configured rate (if any), then 115200,
then 9600 are tried with the status command until one gets a valid frame back.
`read_card()` is find (20 01), select (20 02), read base info (30 01), each with its
own deadline, so a silent reader or a card pulled away never hangs a taxpayer's
session. One lock serialises commands: the protocol has no request ids, so a second
command in flight would take the first one's reply.

A timeout or a lost port closes the port; the next `read_card()` reopens and probes
again (a power-cycled reader may be back at its default speed). Card contents are
never logged.
"""
from __future__ import annotations

import logging
import termios
import threading
import time
from collections.abc import Callable

import serial

from ..base import DeviceBase, DeviceState, DeviceStatus, StatusCallback
from ..connection import ConnectionStringError
from ..device import Capability
from ..errors import DeviceCondition, DeviceError, DeviceErrorCode
from ..serial_link import open_serial
from .protocol import (
    BASE_INFO_FRAME_LENGTH,
    CMD_FIND_CARD,
    CMD_READ_BASE_INFO,
    CMD_SELECT_CARD,
    CMD_STATUS,
    SUCCESS_CODES,
    SW3_NO_CARD,
    FrameReader,
    IdCardRecord,
    Response,
    build_request,
    check_response,
    parse_base_info,
)

_log = logging.getLogger("drivers.id_card")

BAUD_RATES = (115200, 9600)
READ_SLICE_S = 0.02  # one port read; bounds how late a deadline is noticed
PROBE_TIMEOUT_S = 0.4  # a reader answers status within a few ms at the right speed
FRAME_GAP_S = 0.4  # silence inside a frame this long: the rest is not coming
# What a vanished port raises: pyserial's errors, the OS's, termios's own (tcdrain on a
# pty whose other end is gone), and TypeError/AttributeError when pyserial's fd
# disappears under a read.
_PORT_ERRORS = (serial.SerialException, OSError, termios.error, TypeError, AttributeError)
_CARD_CONDITIONS = frozenset({DeviceCondition.NO_CARD, DeviceCondition.CARD_REMOVED,
                              DeviceCondition.CARD_UNREADABLE,
                              DeviceCondition.CARD_UNSUPPORTED})


class IdCardReader(DeviceBase):
    """`open()`, `read_card()` as often as needed, `close()`. Thread-safe."""

    kind = "id_card_reader"
    capabilities = frozenset({Capability.READ_ID})

    def __init__(
        self,
        connection: str,
        *,
        on_status: StatusCallback | None = None,
        timeout_s: float = 2.0,
        name: str | None = None,
        probe_timeout_s: float = PROBE_TIMEOUT_S,
        lock_timeout_s: float = 15.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(connection, name=name, on_status=on_status)
        if self.connection.scheme != "serial":
            raise ConnectionStringError(
                f"an ID card reader needs a serial:// connection, not {self.connection.scheme}://"
            )
        timeout_s, probe_timeout_s = float(timeout_s), float(probe_timeout_s)
        if not (timeout_s > 0 and probe_timeout_s > 0):
            raise ValueError("timeouts must be positive")
        self.timeout_s = timeout_s
        self.probe_timeout_s = probe_timeout_s
        self.lock_timeout_s = lock_timeout_s
        self._clock = clock
        self._lock = threading.Lock()
        self._port: serial.Serial | None = None
        self.baudrate: int | None = None  # the speed the probe found

    # -- lifecycle --------------------------------------------------------------------

    def open(self) -> IdCardReader:
        """Open the port and find the reader's speed; DeviceError if it does not answer."""
        with self._locked():
            self._ensure_open()
        return self

    def close(self) -> None:
        with self._locked():
            self._close_port()
            self._set_status(DeviceState.CLOSED)

    @property
    def is_open(self) -> bool:
        return self._port is not None

    def __enter__(self) -> IdCardReader:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def health_check(self) -> None:
        """Ask the reader's status; raise DeviceError unless it reports itself ready.

        While a card is being read this returns at once: the read itself proves the
        reader alive, and a supervisor must not queue behind a taxpayer.
        """
        if not self._lock.acquire(blocking=False):
            return
        try:
            port = self._ensure_open()
            try:
                check_response(self._exchange(port, CMD_STATUS, self.timeout_s), "status")
            except DeviceError as exc:
                self._after_error(exc)
                raise
            self._set_status(DeviceState.IDLE)
        finally:
            self._lock.release()

    def check(self, timeout_s: float) -> DeviceStatus:
        """`health_check()` as a status: every failure was recorded where it happened
        (the driver's own `timeout_s` bounds each exchange)."""
        try:
            self.health_check()
        except DeviceError:
            pass
        return self.last_status

    # -- reading a card ---------------------------------------------------------------

    def read_card(self, include_photo: bool = False) -> IdCardRecord:
        """Find, select and read the card on the reader.

        Raises DeviceError: failure/no_card when there is no card, */card_removed when
        it was pulled away mid-read, illegal/card_unsupported for another card type,
        illegal/card_unreadable for a record that fails its checks, timeout or offline
        when the reader does not answer or the port is gone.
        """
        with self._locked():
            port = self._ensure_open()
            self._set_status(DeviceState.BUSY)
            try:
                record = self._read(port, include_photo)
            except DeviceError as exc:
                self._after_error(exc)
                raise
            self._count("cards_read")
            self._set_status(DeviceState.IDLE)
            return record

    def _read(self, port: serial.Serial, include_photo: bool) -> IdCardRecord:
        found = self._exchange(port, CMD_FIND_CARD, self.timeout_s)
        if found.sw3 == SW3_NO_CARD:
            # A card that has just been read stays halted: many readers answer "no card"
            # to find until it is lifted, but still select it. Try before giving up.
            selected = self._exchange(port, CMD_SELECT_CARD, self.timeout_s, card_phase=True)
            if selected.sw3 not in SUCCESS_CODES:
                raise DeviceError(DeviceErrorCode.FAILURE, "no card on the reader",
                                  DeviceCondition.NO_CARD)
        else:
            check_response(found, "find card")
            selected = self._exchange(port, CMD_SELECT_CARD, self.timeout_s, card_phase=True)
            check_response(selected, "select card")
        # Allow for the transfer itself: 1,295 bytes take 1.35 s at 9600 baud.
        transfer_s = BASE_INFO_FRAME_LENGTH * 10 / (self.baudrate or BAUD_RATES[-1])
        base = self._exchange(port, CMD_READ_BASE_INFO, self.timeout_s + transfer_s,
                              card_phase=True)
        return parse_base_info(base, include_photo=include_photo)

    # -- port handling ----------------------------------------------------------------

    def _locked(self) -> _LockGuard:
        return _LockGuard(self._lock, self.lock_timeout_s, self.name)

    def _ensure_open(self) -> serial.Serial:
        """The open port, probing the reader's speed first if it is not open yet."""
        if self._port is not None:
            return self._port
        conn = self.connection
        configured = conn.param_int("baudrate", 0)
        rates = [r for r in (configured, *BAUD_RATES) if r > 0]
        rates = list(dict.fromkeys(rates))  # unique, in order
        try:
            port = open_serial(conn, baudrate=rates[0], timeout=READ_SLICE_S,
                               write_timeout=self.timeout_s)
        except (serial.SerialException, OSError, ValueError) as exc:
            self._count("open_failures")
            error = DeviceError(DeviceErrorCode.OFFLINE, f"cannot open {conn.path}: {_first_line(exc)}")
            self._set_status(DeviceState.OFFLINE, error.code, message=error.message)
            raise error from None
        reply: Response | None = None
        for rate in rates:
            try:
                port.baudrate = rate
                reply = self._exchange(port, CMD_STATUS, self.probe_timeout_s, probing=True)
            except DeviceError as exc:
                if exc.code is DeviceErrorCode.OFFLINE:
                    self._close(port)
                    self._set_status(DeviceState.OFFLINE, exc.code, message=exc.message)
                    raise
                continue  # silence or noise: not this speed
            self.baudrate = rate
            break
        if reply is None:
            self._close(port)
            self._count("probe_failures")
            tried = ", ".join(str(r) for r in rates)
            error = DeviceError(DeviceErrorCode.TIMEOUT,
                                f"no ID card reader answered on {conn.path} at {tried} baud")
            self._set_status(DeviceState.OFFLINE, error.code, message=error.message)
            raise error
        try:
            check_response(reply, "status")
        except DeviceError as exc:  # e.g. the SAM failed its self-test
            self._close(port)
            self._set_status(DeviceState.ERROR, exc.code, exc.condition, exc.message)
            raise
        self._port = port
        self._count("opens")
        _log.info("%s: reader answers at %d baud", self.name, self.baudrate)
        self._set_status(DeviceState.IDLE)
        return port

    def _exchange(self, port: serial.Serial, command: tuple[int, int], timeout_s: float,
                  *, card_phase: bool = False, probing: bool = False) -> Response:
        """Send one command and wait, at most `timeout_s`, for its reply."""
        what = _COMMAND_NAMES.get(command, "command")
        reader = FrameReader()
        try:
            port.reset_input_buffer()  # a late reply to an earlier command is not ours
            port.write(build_request(*command))
            port.flush()
            deadline = self._clock() + timeout_s
            last_byte_at = self._clock()
            while True:
                chunk = port.read(max(1, port.in_waiting))
                now = self._clock()
                if chunk:
                    self._count("bytes_in", len(chunk))
                    last_byte_at = now
                    replies = reader.feed(chunk)
                    if replies:
                        return replies[0]  # one command, one reply
                elif reader.in_frame and now - last_byte_at > FRAME_GAP_S:
                    break  # the rest of the frame is not coming
                if now >= deadline:
                    break
        except _PORT_ERRORS as exc:
            self._count("disconnects")
            self._close_port()
            raise DeviceError(DeviceErrorCode.OFFLINE,
                              f"{what}: port lost: {_first_line(exc)}") from None
        if probing:
            raise DeviceError(DeviceErrorCode.TIMEOUT, f"{what}: no valid reply")
        if reader.in_frame or reader.rejected:
            got = reader.pending if reader.in_frame else 0
            size = reader.expected_size
            detail = (f"reply cut short after {got} of {size} bytes" if size and got
                      else "garbled reply")
            if card_phase:
                self._count("cards_removed")
                raise DeviceError(DeviceErrorCode.FAILURE,
                                  f"{what}: {detail}: the card was removed during reading",
                                  DeviceCondition.CARD_REMOVED)
            raise DeviceError(DeviceErrorCode.FAILURE, f"{what}: {detail}",
                              DeviceCondition.BAD_REPLY)
        if card_phase:
            raise DeviceError(DeviceErrorCode.TIMEOUT,
                              f"{what}: no reply within {timeout_s:.1f} s "
                              "(card removed during reading?)", DeviceCondition.CARD_REMOVED)
        raise DeviceError(DeviceErrorCode.TIMEOUT,
                          f"{what}: the ID card reader did not answer within {timeout_s:.1f} s")

    def _after_error(self, exc: DeviceError) -> None:
        """Card problems leave the reader ready; reader problems close the port so the
        next read reopens and probes again."""
        if exc.condition in _CARD_CONDITIONS and exc.code is not DeviceErrorCode.TIMEOUT:
            self._count(str(exc.condition))
            self._set_status(DeviceState.IDLE)
            return
        if exc.code in (DeviceErrorCode.TIMEOUT, DeviceErrorCode.OFFLINE):
            self._close_port()
            self._set_status(DeviceState.OFFLINE, exc.code, exc.condition, exc.message)
            return
        self._set_status(DeviceState.ERROR, exc.code, exc.condition, exc.message)

    def _close_port(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            self._close(port)

    @staticmethod
    def _close(port: serial.Serial) -> None:
        try:
            port.close()
        except _PORT_ERRORS:
            pass


_COMMAND_NAMES = {
    CMD_STATUS: "status",
    CMD_FIND_CARD: "find card",
    CMD_SELECT_CARD: "select card",
    CMD_READ_BASE_INFO: "read base info",
}


class _LockGuard:
    """`with` on the command lock, giving up with DeviceError busy after a while."""

    def __init__(self, lock: threading.Lock, timeout_s: float, name: str) -> None:
        self._lock, self._timeout_s, self._name = lock, timeout_s, name

    def __enter__(self) -> None:
        if not self._lock.acquire(timeout=self._timeout_s):
            raise DeviceError(DeviceErrorCode.BUSY,
                              f"{self._name}: another command is still running")

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
