"""A dot-matrix invoice printer behind a raw TCP port (like a print server's 9100) and
optionally an RS-232 port on a pty pair, for tests and demos.

A job is what arrives on one TCP connection; when the sender shuts its side down the
printer takes the job and closes the connection in order, which is how the driver
knows the job was taken. What was printed is decoded by `escp_decoder`, so tests
assert where each field landed. Fault switches:

- `paper_out`: the printer refuses jobs: a connection is reset (RST) at once, or in
  the middle of a job, and nothing more is taken (print servers answer so when the
  printer reports paper end);
- `stall`: the printer stops taking data (paper out on printers that just wait, a
  head jam): the connection stays open and unread, so the sender's buffers fill and
  it times out; on the serial port the pty is not read either;
- `offline`: powered off: the listening socket is closed (connections are refused)
  and reopened on the same port when switched back.
"""
from __future__ import annotations

import logging
import socket
import struct
import time

from .escp_decoder import PrintedForm, decode_escp
from .tcp_printer_server import Reply, TcpPrinterServer

_log = logging.getLogger("drivers.sim.invoice_printer")


class SimulatedInvoicePrinter(TcpPrinterServer):
    """`start()`, print to `.connection`, look at `.forms`, `stop()`."""

    thread_prefix = "invoice-printer-sim"
    client_timeout_s = 0.05

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)
        self.paper_out = False
        self.stall = False
        self.refused_jobs = 0
        self._jobs: list[bytes] = []
        self._receiving: dict[socket.socket, bytearray] = {}  # jobs still arriving
        self._serial = bytearray()

    # -- the printer ------------------------------------------------------------------

    def _holding(self) -> bool:
        return self.stall

    def _refuses_jobs(self) -> bool:
        if not self.paper_out:
            return False
        with self._lock:
            self.refused_jobs += 1
        return True

    def _on_data(self, data: bytes, reply: Reply, conn: socket.socket | None) -> None:
        if conn is not None:
            self._receiving.setdefault(conn, bytearray()).extend(data)
        elif not self.paper_out:  # the serial port just drops what it cannot print
            with self._changed:
                self._serial += data
                self._changed.notify_all()

    def _finish(self, conn: socket.socket, orderly: bool) -> None:
        """Take the job (even a cut one: its bytes were printed); close in order only
        when the sender finished it, so the driver knows the job was taken."""
        job = self._receiving.pop(conn, None)
        if job:
            with self._changed:
                self._jobs.append(bytes(job))
                self._changed.notify_all()
        if orderly:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()
        else:
            _reset(conn)

    def _drop(self, conn: socket.socket) -> None:
        _reset(conn)

    # -- serial -----------------------------------------------------------------------

    def attach_serial(self, baudrate: int = 9600) -> str:
        """Also listen on a pty pair, like the printer's RS-232 port; returns the
        serial:// connection string. `stall` stops reading (the sender's write times
        out), `paper_out` and `offline` drop what arrives."""
        return self._attach_pty(baudrate)

    # -- what was printed -------------------------------------------------------------

    @property
    def jobs(self) -> list[bytes]:
        """Raw bytes of each TCP job, oldest first (serial data is one stream)."""
        with self._lock:
            return list(self._jobs)

    @property
    def forms(self) -> list[PrintedForm]:
        """Every printed form (page), from TCP jobs first, then the serial stream."""
        with self._lock:
            streams = list(self._jobs) + ([bytes(self._serial)] if self._serial else [])
        return [form for data in streams for form in decode_escp(data)]

    def wait_for_forms(self, n: int, timeout: float = 5.0) -> list[PrintedForm]:
        """Wait until at least `n` forms were ejected (FF); TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            forms = [f for f in self.forms if f.ejected]
            if len(forms) >= n:
                return forms
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{len(forms)} of {n} forms printed after {timeout} s")
            with self._changed:
                self._changed.wait(min(remaining, 0.1))

    def clear(self) -> None:
        with self._lock:
            self._jobs.clear()
            self._serial.clear()


def _reset(conn: socket.socket) -> None:
    """Close with RST (SO_LINGER 0), as a print server that refuses the job does."""
    try:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    conn.close()
