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
import socket
import time

from .escpos_decoder import EscPosDecoder, PrintedDocument
from .tcp_printer_server import Reply, TcpPrinterServer

_log = logging.getLogger("drivers.sim.printer")


class SimulatedReceiptPrinter(TcpPrinterServer):
    """A TCP ESC/POS printer. `start()`, print to `.connection`, inspect, `stop()`."""

    thread_prefix = "printer-sim"

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)
        self.paper = "ok"
        self.cover_open = False
        self.jam = False
        self.mute = False
        self.garbage = False
        self.reply_delay_s = 0.0
        self.received_bytes = 0
        self._decoder = EscPosDecoder()

    # -- serving ----------------------------------------------------------------------

    def _on_data(self, data: bytes, reply: Reply, conn: socket.socket | None) -> None:
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
        return self._attach_pty(baudrate)

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
