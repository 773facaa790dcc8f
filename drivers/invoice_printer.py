"""Dot-matrix invoice printer: fills pre-printed invoice forms with ESC/P.

ESC/P printers have no status channel worth the name (DLE EOT is ESC/POS; most
dot-matrix printers on a serial line or a print server answer nothing), so this
driver never claims more than it knows:

- a job counts as printed only when the transport confirms the printer took all of
  it: over TCP the print server closes the connection in order after our end of data
  (a reset or silence is a failure); over a serial line the output queue drains
  within the deadline (a printer out of paper drops its handshake line and the write
  times out); a file (a capture file, /dev/usb/lp0) takes the write within the deadline;
- `status()` says whether the printer is reachable; paper is always "unknown", so the
  status is never `ok` (an unknown status is never OK), as with a file:// receipt printer.

Each job opens its own connection, so a printer that was power-cycled is picked up by
the next job. One lock serialises jobs.
"""
from __future__ import annotations

import errno
import logging
import os
import select
import socket
import threading
import time
from collections.abc import Mapping
from typing import Any

from printing.escp_render import Dialect, render_escp
from printing.forms import FormLayout, FormLayoutError, load_form

from .base import DeviceBase, DeviceState, DeviceStatus, StatusCallback
from .device import Capability
from .errors import DeviceError, DeviceErrorCode
from .receipt_printer import PrinterStatus

_log = logging.getLogger("drivers.invoice_printer")

DEFAULT_TCP_PORT = 9100
DEFAULT_BAUDRATE = 9600
_MIN_RATE_BPS = 1000  # the slowest a printer's buffer is assumed to take data


class InvoicePrinter(DeviceBase):
    """An ESC/P dot-matrix printer on tcp://, serial:// or file:// with a form layout."""

    kind = "invoice_printer"
    capabilities = frozenset({Capability.PRINT_FORM})

    def __init__(
        self,
        connection: str,
        layout: FormLayout | str,
        *,
        dialect: Dialect = "escp2",
        offset_x_mm: float = 0.0,
        offset_y_mm: float = 0.0,
        timeout_s: float = 10.0,
        on_status: StatusCallback | None = None,
        name: str | None = None,
        lock_timeout_s: float = 60.0,
    ) -> None:
        super().__init__(connection, name=name, on_status=on_status)
        if self.connection.scheme == "usb":
            raise DeviceError(DeviceErrorCode.ILLEGAL,
                              "dot-matrix printers on USB are driven through the kernel's "
                              "printer class device: use file:///dev/usb/lp0")
        self.layout = load_form(layout) if isinstance(layout, str) else layout
        self.dialect = dialect
        self.offset_x_mm = offset_x_mm
        self.offset_y_mm = offset_y_mm
        self.timeout_s = timeout_s
        self.lock_timeout_s = lock_timeout_s
        self._lock = threading.Lock()

    # -- public -----------------------------------------------------------------------

    def render(self, values: Mapping[str, Any]) -> bytes:
        """The ESC/P bytes for one invoice (DeviceError ILLEGAL if the values do not fit
        the form: nothing is sent then)."""
        try:
            return render_escp(self.layout, values, dialect=self.dialect,
                               offset_x_mm=self.offset_x_mm, offset_y_mm=self.offset_y_mm)
        except (FormLayoutError, ValueError) as exc:
            raise DeviceError(DeviceErrorCode.ILLEGAL, f"invoice cannot be printed: {exc}") from exc

    def print_invoice(self, values: Mapping[str, Any]) -> None:
        """Print one invoice on the form at the print position and eject it.

        Raises DeviceError: ILLEGAL (values do not fit the form; nothing sent), BUSY,
        OFFLINE (unreachable, or the printer dropped the job: paper out, cover open,
        off line; the form may be partly printed), TIMEOUT (the printer stopped
        taking data; the form may be partly printed).
        """
        try:
            data = self.render(values)
        except DeviceError:
            self._count("jobs_failed")
            raise
        if not self._lock.acquire(timeout=self.lock_timeout_s):
            raise DeviceError(DeviceErrorCode.BUSY, "another job holds the printer")
        try:
            self._set_status(DeviceState.BUSY)
            self._send(data)
        except DeviceError as exc:
            self._count("jobs_failed")
            self._fail(exc)
            raise
        finally:
            self._lock.release()
        self._count("jobs")
        self._count("bytes_out", len(data))
        self._set_status(DeviceState.IDLE)

    def status(self, *, wait_s: float | None = None) -> PrinterStatus:
        """Reachability only; never raises for device trouble (see `.error`). `wait_s`
        bounds the wait for a running job (default `lock_timeout_s`): then BUSY."""
        if not self._lock.acquire(timeout=self.lock_timeout_s if wait_s is None else wait_s):
            return PrinterStatus(False, "unknown", False, DeviceErrorCode.BUSY,
                                 message="another job holds the printer")
        try:
            self._probe()
        except DeviceError as exc:
            self._fail(exc)
            return PrinterStatus(False, "unknown", False, exc.code, exc.extended, exc.message)
        finally:
            self._lock.release()
        self._set_status(DeviceState.IDLE)
        return PrinterStatus(True, "unknown", False, None,
                             message="reachable; ESC/P printers do not report paper or cover")

    def health_check(self) -> PrinterStatus:
        return self.status()

    # -- the Device protocol: a connection per job, so nothing is held open ----------

    def open(self) -> None:
        """Nothing to take: every job and probe opens its own connection."""

    def close(self) -> None:
        self._set_status(DeviceState.CLOSED)

    def check(self, timeout_s: float) -> DeviceStatus:
        """A reachability probe that never waits behind a job (BUSY stands then)."""
        self.status(wait_s=0.0)
        return self.last_status

    # -- transports -------------------------------------------------------------------

    def _fail(self, exc: DeviceError) -> None:
        offline = exc.code in (DeviceErrorCode.OFFLINE, DeviceErrorCode.TIMEOUT,
                               DeviceErrorCode.NO_HARDWARE)
        self._set_status(DeviceState.OFFLINE if offline else DeviceState.ERROR, exc.code,
                         exc.extended, exc.message)

    def _deadline(self, nbytes: int) -> float:
        return time.monotonic() + self.timeout_s + nbytes / _MIN_RATE_BPS

    def _send(self, data: bytes) -> None:
        scheme = self.connection.scheme
        if scheme == "tcp":
            self._send_tcp(data)
        elif scheme == "serial":
            self._send_serial(data)
        else:
            self._send_file(data)

    def _connect(self) -> socket.socket:
        conn = self.connection
        host, port = conn.host or "", conn.port or DEFAULT_TCP_PORT
        timeout = conn.param_float("timeout", self.timeout_s)
        try:
            sock = socket.create_connection((host, port), timeout=timeout)
        except ConnectionResetError as exc:  # accepted, then reset at once: refusing jobs
            self._count("open_failures")
            raise DeviceError(DeviceErrorCode.OFFLINE, f"the printer at {host}:{port} refused the job "
                              f"(paper out, cover open or off line): {exc}") from exc
        except OSError as exc:
            self._count("open_failures")
            raise DeviceError(DeviceErrorCode.OFFLINE, f"cannot reach the printer at {host}:{port}: {exc}") from exc
        self._count("opens")
        return sock

    def _send_tcp(self, data: bytes) -> None:
        deadline = self._deadline(len(data))
        sock = self._connect()
        try:
            try:
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                sock.sendall(data)
                sock.shutdown(socket.SHUT_WR)  # end of job: the print server closes when done
            except TimeoutError as exc:
                raise DeviceError(DeviceErrorCode.TIMEOUT,
                                  "the printer stopped taking data; the form may be partly printed") from exc
            except OSError as exc:
                raise DeviceError(DeviceErrorCode.OFFLINE,
                                  f"the printer dropped the job (paper out, cover open or off line): {exc}") from exc
            while True:  # wait for the orderly close that confirms the job was taken
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise DeviceError(DeviceErrorCode.TIMEOUT,
                                      "the printer did not confirm the job (stopped taking data?); "
                                      "the form may be partly printed")
                sock.settimeout(remaining)
                try:
                    chunk = sock.recv(256)
                except TimeoutError:
                    continue
                except OSError as exc:
                    raise DeviceError(DeviceErrorCode.OFFLINE,
                                      "the printer dropped the job (paper out, cover open "
                                      f"or off line): {exc}") from exc
                if not chunk:
                    return
        finally:
            sock.close()

    def _open_serial(self, write_timeout: float) -> Any:
        import serial  # pyserial: only needed for serial printers

        conn = self.connection
        try:
            port = serial.Serial(
                conn.path or "",
                baudrate=conn.param_int("baudrate", DEFAULT_BAUDRATE),
                bytesize=conn.param_int("bytesize", 8),
                parity=conn.params.get("parity", "N").upper(),
                stopbits={"1": 1, "1.5": 1.5, "2": 2}[conn.params.get("stopbits", "1")],
                rtscts=conn.param_bool("rtscts", False),
                dsrdtr=conn.param_bool("dsrdtr", False),
                xonxoff=conn.param_bool("xonxoff", False),
                timeout=0,
                write_timeout=write_timeout,
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            self._count("open_failures")
            missing = conn.path is not None and not os.path.exists(conn.path)
            code = DeviceErrorCode.NO_HARDWARE if missing else DeviceErrorCode.OFFLINE
            raise DeviceError(code, f"cannot open the printer port {conn.path}: {exc}") from exc
        self._count("opens")
        return port

    def _send_serial(self, data: bytes) -> None:
        import serial

        deadline = self._deadline(len(data))
        baud = self.connection.param_int("baudrate", DEFAULT_BAUDRATE)
        port = self._open_serial(max(0.05, self.timeout_s + len(data) * 10 / baud))
        try:
            try:
                port.write(data)
            except serial.SerialTimeoutException as exc:
                raise DeviceError(DeviceErrorCode.TIMEOUT,
                                  "the printer stopped taking data (paper out, off line?); "
                                  "the form may be partly printed") from exc
            except (serial.SerialException, OSError) as exc:
                raise DeviceError(DeviceErrorCode.OFFLINE, f"writing to the printer failed: {exc}") from exc
            # flush() would wait for the queue to drain without any deadline.
            while True:
                try:
                    waiting = port.out_waiting
                except (serial.SerialException, OSError):
                    return  # the driver cannot tell: the write itself went through
                if not waiting:
                    return
                if time.monotonic() >= deadline:
                    raise DeviceError(DeviceErrorCode.TIMEOUT,
                                      "the printer stopped taking data; the form may be partly printed")
                time.sleep(0.01)
        finally:
            try:
                port.close()
            except Exception:
                _log.debug("closing the serial port failed", exc_info=True)

    def _send_file(self, data: bytes) -> None:
        path = self.connection.path or ""
        deadline = self._deadline(len(data))
        flags = os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK
        if not path.startswith("/dev/"):
            flags |= os.O_CREAT  # a capture file; never create a missing device node
        try:
            fd = os.open(path, flags, 0o644)
        except OSError as exc:
            self._count("open_failures")
            code = DeviceErrorCode.NO_HARDWARE if exc.errno == errno.ENOENT else DeviceErrorCode.OFFLINE
            raise DeviceError(code, f"cannot open the printer at {path}: {exc}") from exc
        self._count("opens")
        try:
            view = memoryview(data)
            while view:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise DeviceError(DeviceErrorCode.TIMEOUT,
                                      "the printer stopped taking data; the form may be partly printed")
                try:
                    written = os.write(fd, view)
                except BlockingIOError:
                    select.select([], [fd], [], min(remaining, 0.1))
                    continue
                except OSError as exc:
                    raise DeviceError(DeviceErrorCode.OFFLINE, f"writing to the printer failed: {exc}") from exc
                view = view[written:]
        finally:
            os.close(fd)

    def _probe(self) -> None:
        scheme = self.connection.scheme
        if scheme == "tcp":
            self._connect().close()
        elif scheme == "serial":
            self._open_serial(1.0).close()
        else:
            path = self.connection.path or ""
            target = path if path.startswith("/dev/") else os.path.dirname(path) or "/"
            if not os.path.exists(target):
                raise DeviceError(DeviceErrorCode.NO_HARDWARE, f"{target} does not exist")
            if not os.access(target, os.W_OK):
                raise DeviceError(DeviceErrorCode.OFFLINE, f"{target} is not writable")
