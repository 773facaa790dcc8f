"""ESC/POS receipt printer: real status before and after every job, then print.

python-escpos provides the transports and the command encoding; the real-time status
exchange (DLE EOT n) is done here because python-escpos's `paper_status()` reports
"paper adequate" when the printer does not answer at all. Here silence is a timeout
error, never "OK".

Each job opens its own connection (open, status, print, status, close), so a printer
that was power-cycled or replaced is picked up by the next job without a reconnect
dance. One lock serialises jobs and status queries.

TCP, serial and file printers are reached through the socket, pyserial or the file
itself (`_Link`); only USB goes through python-escpos's transport (pyusb). So status
queries at start and in health checks never load python-escpos: it loads at the first
print, when the slip is rendered (printing/escpos_render.py), saving ~8 MiB of RSS and
~0.4 s of CPU at start on a kiosk that has not printed yet (#9).
"""
from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from escpos import exceptions as escpos_exceptions  # light: no capability database

from printing.document import Document
from printing.escpos_render import escpos_capabilities, render_escpos_bytes
from printing.profiles import PrinterProfile

from .base import DeviceBase, DeviceState, DeviceStatus, StatusCallback
from .device import Capability
from .errors import DeviceCondition, DeviceError, DeviceErrorCode

if TYPE_CHECKING:
    from escpos.printer import Usb

_log = logging.getLogger("drivers.printer")

DLE_EOT = b"\x10\x04"
STATUS_PRINTER, STATUS_OFFLINE_CAUSE, STATUS_ERROR_CAUSE, STATUS_PAPER = 1, 2, 3, 4
DEFAULT_TCP_PORT = 9100

Paper = Literal["ok", "near_end", "empty", "unknown"]


@dataclass(frozen=True)
class PrinterStatus:
    """The printer's answer to DLE EOT 1/2/4 (and 3 on error).

    `paper` is "unknown" and `online` False whenever the printer did not answer;
    `ok` is True only for a printer that answered and can print.
    """

    online: bool
    paper: Paper
    cover_open: bool
    error: DeviceErrorCode | None
    condition: DeviceCondition | None = None
    message: str = ""
    raw: dict[int, int] = field(default_factory=dict, hash=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.error is None and self.online and self.paper in ("ok", "near_end")


def decode_status(raw: dict[int, int]) -> PrinterStatus:
    """Interpret DLE EOT reply bytes (Epson ESC/POS reference) keyed by n."""
    s1, s2, s4 = raw[STATUS_PRINTER], raw[STATUS_OFFLINE_CAUSE], raw[STATUS_PAPER]
    s3 = raw.get(STATUS_ERROR_CAUSE, 0x12)
    offline = bool(s1 & 0x08)
    cover_open = bool(s2 & 0x04)
    if s4 & 0x60 or s2 & 0x20:
        paper: Paper = "empty"
    elif s4 & 0x0C:
        paper = "near_end"
    else:
        paper = "ok"
    error: DeviceErrorCode | None = None
    condition: DeviceCondition | None = None
    message = "ready"
    if cover_open:
        error, condition, message = DeviceErrorCode.FAILURE, DeviceCondition.COVER_OPEN, "printer cover is open"
    elif paper == "empty":
        error, condition, message = DeviceErrorCode.FAILURE, DeviceCondition.PAPER_EMPTY, "paper roll is empty"
    elif s2 & 0x40:
        if s3 & 0x08:
            error, condition, message = DeviceErrorCode.FAILURE, DeviceCondition.JAM, "auto-cutter error or paper jam"
        else:
            error, message = DeviceErrorCode.FAILURE, "printer reports an error"
    elif offline:
        error, message = DeviceErrorCode.OFFLINE, "printer reports it is offline"
    elif paper == "near_end":
        condition, message = DeviceCondition.PAPER_NEAR_END, "paper roll is nearly empty"
    return PrinterStatus(online=not offline, paper=paper, cover_open=cover_open, error=error,
                         condition=condition, message=message, raw=dict(raw))


class _Connection(Protocol):
    """What a job needs of a connection: python-escpos's `device`, `_raw`, `close`."""

    device: Any

    def _raw(self, msg: bytes) -> None: ...

    def close(self) -> None: ...


class _Link:
    """An open TCP socket, serial port or file, shaped like a python-escpos printer's
    transport (`device`, `_raw`, `close`) and doing what those do, without loading
    python-escpos."""

    def __init__(self, device: Any, scheme: str) -> None:
        self.device = device
        self._scheme = scheme

    def _raw(self, msg: bytes) -> None:
        if self._scheme == "tcp":
            self.device.sendall(msg)
            return
        self.device.write(msg)
        if self._scheme == "file":
            self.device.flush()  # as python-escpos's File (auto_flush)

    def close(self) -> None:
        if self._scheme == "tcp":
            try:
                self.device.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        elif self._scheme == "serial" and self.device.is_open:
            self.device.flush()
        self.device.close()


def _is_status_byte(b: int) -> bool:
    """Every DLE EOT reply has bits 1 and 4 set and bits 0 and 7 clear."""
    return b & 0x93 == 0x12


class ReceiptPrinter(DeviceBase):
    """An ESC/POS receipt printer on tcp://, serial://, usb:// or file://."""

    kind = "receipt_printer"
    capabilities = frozenset({Capability.PRINT_TEXT, Capability.PRINT_RASTER})

    def __init__(
        self,
        connection: str,
        profile: PrinterProfile,
        *,
        timeout_s: float = 3.0,
        on_status: StatusCallback | None = None,
        name: str | None = None,
        lock_timeout_s: float = 60.0,
    ) -> None:
        super().__init__(connection, name=name, on_status=on_status)
        self.profile = profile
        self.timeout_s = timeout_s
        self.lock_timeout_s = lock_timeout_s
        self._lock = threading.Lock()
        # A file (e.g. /dev/usb/lp0 opened write-only, or a capture file) has no way back.
        self.has_status = self.connection.scheme != "file"

    # -- public -----------------------------------------------------------------------

    def status(self, *, wait_s: float | None = None) -> PrinterStatus:
        """Ask the printer now. Never raises for device trouble: see `.error`.

        `wait_s` bounds the wait for a running job (default `lock_timeout_s`); when the
        job does not finish in time the answer is a BUSY error, not a query.
        """
        wait = self.lock_timeout_s if wait_s is None else wait_s
        if not self._lock.acquire(timeout=wait):
            return PrinterStatus(False, "unknown", False, DeviceErrorCode.BUSY,
                                 message="another job holds the printer")
        try:
            try:
                printer = self._open()
            except DeviceError as exc:
                status = PrinterStatus(False, "unknown", False, exc.code, exc.extended, exc.message)
                self._report(status)
                return status
            try:
                if self.has_status:
                    status = self._read_status(printer)
                else:  # reachable, but what it would say is unknown: never `ok`
                    status = PrinterStatus(True, "unknown", False, None,
                                           message="a file:// printer cannot report status")
            finally:
                self._close(printer)
            self._report(status)
            return status
        finally:
            self._lock.release()

    def health_check(self) -> PrinterStatus:
        """A status query that never waits behind a job: while one runs, its own before
        and after queries are the check, and the answer is BUSY."""
        return self.status(wait_s=0.0)

    # -- the Device protocol: a connection per job, so nothing is held open ----------

    def open(self) -> None:
        """Nothing to take: every job and status query opens its own connection."""

    def close(self) -> None:
        self._set_status(DeviceState.CLOSED)

    def check(self, timeout_s: float) -> DeviceStatus:
        """A status query (DLE EOT) that never waits behind a job: while one runs, its
        own before and after queries report, and the BUSY state stands. The query's
        deadline is the driver's `timeout_s`."""
        self.health_check()  # reported through _report; a BUSY answer changes nothing
        return self.last_status

    def print_document(self, doc: Document) -> PrinterStatus | None:
        """Print `doc`, checking the printer before and after.

        Raises DeviceError: before printing if the printer is unreachable, silent or
        reports a fault (nothing is sent then); after printing if it ran out of paper or
        stopped answering (the slip may be incomplete). A paper-near-end warning is
        reported through `on_status` and the returned status, not raised. Returns None
        for a file:// printer, which cannot report status.
        """
        try:
            data = render_escpos_bytes(doc, self.profile)
        except (ValueError, escpos_exceptions.Error) as exc:
            self._count("jobs_failed")
            raise DeviceError(DeviceErrorCode.ILLEGAL, f"document cannot be printed: {exc}") from exc
        if not self._lock.acquire(timeout=self.lock_timeout_s):
            raise DeviceError(DeviceErrorCode.BUSY, "another job holds the printer")
        try:
            return self._job(data)
        except DeviceError:
            self._count("jobs_failed")
            raise
        finally:
            self._lock.release()

    # -- the job ----------------------------------------------------------------------

    def _job(self, data: bytes) -> PrinterStatus | None:
        try:
            printer = self._open()
        except DeviceError as exc:
            self._report(PrinterStatus(False, "unknown", False, exc.code, exc.extended, exc.message))
            raise
        try:
            if self.has_status:
                before = self._read_status(printer)
                if before.error is not None:
                    self._report(before)
                    raise DeviceError(before.error, f"not printed: {before.message}", before.condition)
            self._set_status(DeviceState.BUSY)
            try:
                if self.connection.scheme == "tcp":
                    # A printer accepts data as fast as it prints: allow 2 kB/s at worst.
                    printer.device.settimeout(self.timeout_s + len(data) / 2000)
                printer._raw(data)
            except (OSError, escpos_exceptions.Error) as exc:
                self._set_status(DeviceState.OFFLINE, DeviceErrorCode.OFFLINE,
                                 message=f"connection lost while printing: {exc}")
                raise DeviceError(DeviceErrorCode.OFFLINE,
                                  f"connection lost while printing, the slip may be incomplete: {exc}") from exc
            self._count("bytes_out", len(data))
            if not self.has_status:
                self._count("jobs")
                self._set_status(DeviceState.IDLE)
                return None
            after = self._read_status(printer)
            self._report(after)
            if after.error is not None:
                raise DeviceError(after.error, f"after printing: {after.message}; the slip may be incomplete",
                                  after.condition)
            self._count("jobs")
            return after
        finally:
            self._close(printer)

    def _report(self, status: PrinterStatus) -> None:
        if status.error in (DeviceErrorCode.OFFLINE, DeviceErrorCode.TIMEOUT, DeviceErrorCode.NO_HARDWARE):
            state = DeviceState.OFFLINE
        elif status.error is not None:
            state = DeviceState.ERROR
        else:
            state = DeviceState.IDLE
        self._set_status(state, status.error, status.condition, status.message)

    # -- transport --------------------------------------------------------------------

    def _open(self) -> _Connection:
        """A connection to the printer for this job (DeviceError if impossible)."""
        conn = self.connection
        where = str(conn)
        try:
            if conn.scheme == "tcp":
                host, port = conn.host or "", conn.port or DEFAULT_TCP_PORT
                timeout = conn.param_float("timeout", self.timeout_s)
                where = f"{host}:{port}"
                sock = socket.create_connection((host, port), timeout=timeout)
                self._count("opens")
                return _Link(sock, "tcp")
            elif conn.scheme == "serial":
                import serial  # pyserial, as python-escpos's Serial uses it

                where = conn.path or ""
                try:
                    line = serial.Serial(
                        port=where, baudrate=conn.param_int("baudrate", 9600), bytesize=8,
                        parity=serial.PARITY_NONE, stopbits=serial.STOPBITS_ONE,
                        timeout=conn.param_float("timeout", self.timeout_s),
                        xonxoff=conn.param_bool("xonxoff", False),
                        dsrdtr=conn.param_bool("dsrdtr", True))
                except (ValueError, serial.SerialException) as exc:
                    raise escpos_exceptions.DeviceNotFoundError(str(exc)) from exc
                p: _Connection = _Link(line, "serial")
            elif conn.scheme == "usb":
                from escpos import printer as escpos_printer

                usb: Usb = escpos_printer.Usb(
                    conn.vid, conn.pid,
                    timeout=int(conn.param_float("timeout", self.timeout_s) * 1000),
                    in_ep=conn.param_int("in_ep", 0x82), out_ep=conn.param_int("out_ep", 0x01),
                )
                where = f"usb {conn.vid:04x}:{conn.pid:04x}"
                escpos_capabilities(usb, self.profile)
                usb.open()
                p = usb
            else:
                where = conn.path or ""
                try:
                    p = _Link(open(where, "wb"), "file")  # noqa: SIM115 (closed by _close)
                except OSError as exc:
                    raise escpos_exceptions.DeviceNotFoundError(str(exc)) from exc
        except escpos_exceptions.DeviceNotFoundError as exc:
            code = DeviceErrorCode.OFFLINE if conn.scheme == "tcp" else DeviceErrorCode.NO_HARDWARE
            self._count("open_failures")
            raise DeviceError(code, f"cannot reach the printer at {where}: {_first_line(exc)}") from exc
        except (RuntimeError, ImportError) as exc:  # an optional dependency (pyusb) missing
            raise DeviceError(DeviceErrorCode.NO_HARDWARE, str(exc)) from exc
        except OSError as exc:
            self._count("open_failures")
            raise DeviceError(DeviceErrorCode.OFFLINE, f"cannot reach the printer at {where}: {exc}") from exc
        self._count("opens")
        return p

    @staticmethod
    def _close(printer: _Connection) -> None:
        try:
            printer.close()
        except Exception:  # closing a broken connection must not mask the real error
            _log.debug("closing the printer connection failed", exc_info=True)

    def _read_status(self, printer: _Connection) -> PrinterStatus:
        """DLE EOT 1, 2, 4 (and 3 when an error is flagged), one deadline for all."""
        deadline = time.monotonic() + self.timeout_s
        raw: dict[int, int] = {}
        try:
            self._drain(printer)
            for n in (STATUS_PRINTER, STATUS_OFFLINE_CAUSE, STATUS_PAPER):
                raw[n] = self._query(printer, n, deadline)
            if raw[STATUS_OFFLINE_CAUSE] & 0x40:
                raw[STATUS_ERROR_CAUSE] = self._query(printer, STATUS_ERROR_CAUSE, deadline)
        except DeviceError as exc:
            return PrinterStatus(False, "unknown", False, exc.code, exc.extended, exc.message, raw)
        return decode_status(raw)

    def _query(self, printer: _Connection, n: int, deadline: float) -> int:
        self._count("status_queries")
        try:
            printer._raw(DLE_EOT + bytes((n,)))
        except (OSError, escpos_exceptions.Error) as exc:
            raise DeviceError(DeviceErrorCode.OFFLINE, f"cannot send the status request: {exc}") from exc
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._count("status_timeouts")
                raise DeviceError(DeviceErrorCode.TIMEOUT,
                                  f"printer did not answer status request {n} within {self.timeout_s:g} s")
            for b in self._read_some(printer, remaining):
                if _is_status_byte(b):
                    return b
                self._count("bad_reply_bytes")

    def _read_some(self, printer: _Connection, timeout: float) -> bytes:
        """Up to a few reply bytes, waiting at most `timeout`; b"" on timeout."""
        device: Any = printer.device
        scheme = self.connection.scheme
        try:
            if scheme == "tcp":
                device.settimeout(timeout)
                try:
                    data = device.recv(1)
                except TimeoutError:
                    return b""
                if not data:
                    raise DeviceError(DeviceErrorCode.OFFLINE, "printer closed the connection")
                return data
            if scheme == "serial":
                device.timeout = timeout
                return device.read(1)
            if scheme == "usb":
                import usb.core  # only reachable when pyusb is installed

                in_ep: int = printer.in_ep  # type: ignore[attr-defined]  # escpos's Usb
                try:
                    return bytes(device.read(in_ep, 16, max(1, int(timeout * 1000))))
                except usb.core.USBTimeoutError:
                    return b""
        except DeviceError:
            raise
        except Exception as exc:  # OSError, SerialException, USBError
            raise DeviceError(DeviceErrorCode.OFFLINE, f"reading the printer failed: {exc}") from exc
        raise DeviceError(DeviceErrorCode.ILLEGAL, f"{scheme}:// printers cannot report status")

    def _drain(self, printer: _Connection) -> None:
        """Throw away stale bytes (a late reply, an automatic status message)."""
        device: Any = printer.device
        try:
            if self.connection.scheme == "tcp":
                device.setblocking(False)
                try:
                    while device.recv(256):
                        pass
                except (BlockingIOError, InterruptedError):
                    pass
                finally:
                    device.settimeout(self.timeout_s)
            elif self.connection.scheme == "serial":
                device.reset_input_buffer()
        except OSError:
            pass  # the query that follows reports the broken connection


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[-1] if text else type(exc).__name__
