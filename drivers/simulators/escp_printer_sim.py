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
import os
import select
import socket
import struct
import threading
import time
import tty

from .escp_decoder import PrintedForm, decode_escp

_log = logging.getLogger("drivers.sim.invoice_printer")


class SimulatedInvoicePrinter:
    """`start()`, print to `.connection`, look at `.forms`, `stop()`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.paper_out = False
        self.stall = False
        self.connections = 0
        self.refused_jobs = 0
        self._offline = False
        self._jobs: list[bytes] = []
        self._serial = bytearray()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._listener: socket.socket | None = None
        self._accept_thread: threading.Thread | None = None
        self._clients: set[socket.socket] = set()
        self._running = False
        self._pty: tuple[int, int] | None = None
        self._pty_thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> "SimulatedInvoicePrinter":
        self._running = True
        self._listen()
        return self

    def stop(self) -> None:
        self._running = False
        self._close_listener()
        self._drop_clients()
        self._close_pty()

    def __enter__(self) -> "SimulatedInvoicePrinter":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def connection(self) -> str:
        return f"tcp://{self.host}:{self.port}"

    @property
    def offline(self) -> bool:
        return self._offline

    @offline.setter
    def offline(self, value: bool) -> None:
        if value == self._offline:
            return
        self._offline = value
        if value:
            self._close_listener()
            self._drop_clients()
        elif self._running:
            self._listen()

    def _listen(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.listen(8)
        sock.settimeout(0.1)
        self.port = sock.getsockname()[1]
        self._listener = sock
        thread = threading.Thread(target=self._accept_loop, args=(sock,), daemon=True,
                                  name=f"invoice-printer-sim-{self.port}")
        self._accept_thread = thread
        thread.start()

    def _close_listener(self) -> None:
        sock, self._listener = self._listener, None
        if sock is not None:
            sock.close()
        thread, self._accept_thread = self._accept_thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(1.0)

    def _drop_clients(self) -> None:
        with self._lock:
            clients = list(self._clients)
            self._clients.clear()
        for conn in clients:
            _reset(conn)

    # -- TCP --------------------------------------------------------------------------

    def _accept_loop(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                conn, _ = listener.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            with self._lock:
                self.connections += 1
            if self.paper_out:
                with self._lock:
                    self.refused_jobs += 1
                _reset(conn)
                continue
            conn.settimeout(0.05)
            with self._lock:
                self._clients.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True,
                             name=f"invoice-printer-sim-conn-{self.port}").start()

    def _serve(self, conn: socket.socket) -> None:
        job = bytearray()
        orderly = False
        try:
            while self._running and not self._offline:
                if self.stall:
                    time.sleep(0.02)
                    continue
                if self.paper_out:
                    with self._lock:
                        self.refused_jobs += 1
                    break
                try:
                    data = conn.recv(65536)
                except socket.timeout:
                    continue
                except OSError:
                    break
                if not data:
                    orderly = True
                    break
                job += data
        finally:
            with self._lock:
                self._clients.discard(conn)
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

    # -- serial -----------------------------------------------------------------------

    def attach_serial(self, baudrate: int = 9600) -> str:
        """Also listen on a pty pair, like the printer's RS-232 port; returns the
        serial:// connection string. `stall` stops reading (the sender's write times
        out), `paper_out` and `offline` drop what arrives."""
        master, slave = os.openpty()
        tty.setraw(master)
        tty.setraw(slave)
        self._pty = (master, slave)
        self._running = True
        thread = threading.Thread(target=self._serve_pty, args=(master,), daemon=True,
                                  name="invoice-printer-sim-pty")
        thread.start()
        self._pty_thread = thread
        return f"serial://{os.ttyname(slave)}?baudrate={baudrate}"

    def _serve_pty(self, master: int) -> None:
        while self._running and self._pty is not None:
            if self.stall:
                time.sleep(0.02)
                continue
            try:
                ready, _, _ = select.select([master], [], [], 0.05)
                if not ready:
                    continue
                data = os.read(master, 65536)
            except (OSError, ValueError):
                break
            if not data or self._offline or self.paper_out:
                continue
            with self._changed:
                self._serial += data
                self._changed.notify_all()

    def _close_pty(self) -> None:
        pty, self._pty = self._pty, None
        thread, self._pty_thread = self._pty_thread, None
        if thread is not None:
            thread.join(1.0)
        if pty is not None:
            for fd in pty:
                os.close(fd)

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
