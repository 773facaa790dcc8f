"""A network receipt printer (ESC/POS over raw TCP, like port 9100) for tests and demos.

It decodes what it receives with `EscPosDecoder`, so a test can assert the printed
text, QR payloads, images and cuts, and it answers DLE EOT real-time status requests
with the status bytes of the Epson ESC/POS reference, reflecting its fault switches:

- `paper`: "ok" | "near_end" | "empty"
- `cover_open`: the cover is open
- `jam`: auto-cutter error / paper jam (reported through DLE EOT 2 and 3)
- `mute`: accepts connections and data but never answers status requests
- `garbage`: line noise (bytes that are no status reply) before each status reply
- `offline`: powered off / unplugged: the listening socket is closed (connections are
  refused) and reopened on the same port when switched back
- `reply_delay_s`: a slow printer

`attach_serial()` adds an RS-232-like port on a pty pair served by the same printer.
"""
from __future__ import annotations

import logging
import os
import select
import socket
import threading
import time
import tty
from collections.abc import Callable

from .escpos_decoder import EscPosDecoder, PrintedDocument

_log = logging.getLogger("drivers.sim.printer")


class SimulatedReceiptPrinter:
    """A TCP ESC/POS printer. `start()`, print to `.connection`, inspect, `stop()`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.paper = "ok"
        self.cover_open = False
        self.jam = False
        self.mute = False
        self.garbage = False
        self.reply_delay_s = 0.0
        self.received_bytes = 0
        self.connections = 0
        self._offline = False
        self._decoder = EscPosDecoder()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._listener: socket.socket | None = None
        self._accept_thread: threading.Thread | None = None
        self._clients: set[socket.socket] = set()
        self._running = False
        self._pty: tuple[int, int] | None = None
        self._pty_thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> "SimulatedReceiptPrinter":
        self._running = True
        self._listen()
        return self

    def stop(self) -> None:
        self._running = False
        self._close_listener()
        self._drop_clients()
        self._close_pty()

    def __enter__(self) -> "SimulatedReceiptPrinter":
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
        """Power off (refuse connections, drop open ones) or power back on."""
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
        thread = threading.Thread(target=self._accept_loop, args=(sock,),
                                  name=f"printer-sim-{self.port}", daemon=True)
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
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()

    # -- serving ----------------------------------------------------------------------

    def _accept_loop(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                conn, _ = listener.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            conn.settimeout(0.2)
            with self._lock:
                self._clients.add(conn)
                self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True,
                             name=f"printer-sim-conn-{self.port}").start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            while self._running and not self._offline:
                try:
                    data = conn.recv(65536)
                except socket.timeout:
                    continue
                except OSError:
                    break
                if not data:
                    break
                try:
                    self._receive(data, conn.sendall)
                except OSError:
                    break
        finally:
            with self._lock:
                self._clients.discard(conn)
            conn.close()

    def _receive(self, data: bytes, reply: Callable[[bytes], object]) -> None:
        """Decode received bytes and answer the status requests among them."""
        with self._changed:
            self.received_bytes += len(data)
            requests = self._decoder.feed(data)
            self._changed.notify_all()
        for n in requests:
            if self.mute:
                continue
            if self.reply_delay_s:
                time.sleep(self.reply_delay_s)
            noise = b"\xff\x80\xa5\xfe" if self.garbage else b""  # bit 7 set: never a status
            reply(noise + bytes((self.status_byte(n),)))

    # -- serial -----------------------------------------------------------------------

    def attach_serial(self, baudrate: int = 115200) -> str:
        """Also listen on a pty pair, like a printer's RS-232 port; returns the
        serial:// connection string. Same decoder, same fault switches (`offline`
        makes the port deaf: data is dropped and nothing is answered)."""
        master, slave = os.openpty()
        tty.setraw(master)
        tty.setraw(slave)
        self._pty = (master, slave)  # the slave stays open so the pty survives reopens
        self._running = True
        thread = threading.Thread(target=self._serve_pty, args=(master,), daemon=True,
                                  name="printer-sim-pty")
        thread.start()
        self._pty_thread = thread
        return f"serial://{os.ttyname(slave)}?baudrate={baudrate}"

    def _serve_pty(self, master: int) -> None:
        def write(data: bytes) -> None:
            os.write(master, data)

        while self._running and self._pty is not None:
            try:
                ready, _, _ = select.select([master], [], [], 0.1)
                if not ready:
                    continue
                data = os.read(master, 65536)
            except (OSError, ValueError):
                break  # the pty was closed by stop()
            if not data:
                continue
            if self._offline:
                continue
            try:
                self._receive(data, write)
            except OSError:
                continue

    def _close_pty(self) -> None:
        pty, self._pty = self._pty, None
        thread, self._pty_thread = self._pty_thread, None
        if thread is not None:
            thread.join(1.0)
        if pty is not None:
            for fd in pty:
                os.close(fd)

    def status_byte(self, n: int) -> int:
        """The DLE EOT n reply for the current fault switches (Epson ESC/POS reference)."""
        paper_end = self.paper == "empty"
        if n == 1:  # printer status: bit 3 = offline
            return 0x16 | (0x08 if (self.cover_open or paper_end or self.jam) else 0)
        if n == 2:  # offline cause: bit 2 cover, bit 5 paper-end stop, bit 6 error
            return (0x12 | (0x04 if self.cover_open else 0) | (0x20 if paper_end else 0)
                    | (0x40 if self.jam else 0))
        if n == 3:  # error cause: bit 3 auto-cutter error
            return 0x12 | (0x08 if self.jam else 0)
        if n == 4:  # roll paper sensor: bits 2-3 near end, bits 5-6 end
            return 0x12 | (0x0C if self.paper in ("near_end", "empty") else 0) | (0x60 if paper_end else 0)
        return 0x12

    # -- what was printed -------------------------------------------------------------

    @property
    def documents(self) -> list[PrintedDocument]:
        """Completed (cut) documents, oldest first."""
        with self._lock:
            return list(self._decoder.documents)

    def all_text(self) -> str:
        """All text printed so far, including a document not yet cut."""
        with self._lock:
            docs = self._decoder.all_documents
        return "\n".join(doc.text for doc in docs)

    def last_qr(self) -> str | None:
        with self._lock:
            docs = self._decoder.all_documents
        for doc in reversed(docs):
            if doc.qr_codes:
                return doc.qr_codes[-1]
        return None

    def wait_for_documents(self, n: int, timeout: float = 5.0) -> list[PrintedDocument]:
        """Wait until at least `n` documents were cut; raise TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self._decoder.documents) < n:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"{len(self._decoder.documents)} of {n} documents printed after {timeout} s"
                    )
                self._changed.wait(remaining)
            return list(self._decoder.documents)

    def clear(self) -> None:
        """Forget what was printed (the test or scenario starts a new chapter)."""
        with self._lock:
            self._decoder.documents.clear()
            self._decoder.current = PrintedDocument()
