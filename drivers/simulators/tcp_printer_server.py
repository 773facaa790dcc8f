"""What the network printer simulators share: a raw TCP print port (like a print
server's 9100) with a power switch, and an optional RS-232 port on a pty pair.

`offline` is the power switch: the listening socket is closed (connections are
refused) and open connections are dropped; switched back, it listens again on the
same port. Subclasses decide what a connection's bytes mean (`_on_data`), how a
connection ends (`_finish`, `_drop`) and when jobs are refused (`_refuses_jobs`).
"""
from __future__ import annotations

import os
import select
import socket
import threading
import time
from collections.abc import Callable
from typing import Self

from .pty_device import open_raw_pty

Reply = Callable[[bytes], object]  # sends bytes back to the driver


class TcpPrinterServer:
    """`start()`, print to `.connection`, `stop()`."""

    thread_prefix = "printer-sim"  # names the threads: "<prefix>-<port>", "<prefix>-conn-<port>"
    client_timeout_s = 0.2  # a connection's read slice: how soon it notices a switch

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.connections = 0
        self._offline = False
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)  # notified when something printed
        self._listener: socket.socket | None = None
        self._accept_thread: threading.Thread | None = None
        self._clients: set[socket.socket] = set()
        self._running = False
        self._pty: tuple[int, int] | None = None
        self._pty_thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> Self:
        self._running = True
        self._listen()
        return self

    def stop(self) -> None:
        self._running = False
        self._close_listener()
        self._drop_clients()
        self._close_pty()

    def __enter__(self) -> Self:
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

    # -- hooks ------------------------------------------------------------------------

    def _holding(self) -> bool:
        """True while the printer takes no data (a stall): senders' buffers fill up."""
        return False

    def _refuses_jobs(self) -> bool:
        """True when a job must be refused now (counted by the subclass)."""
        return False

    def _on_data(self, data: bytes, reply: Reply, conn: socket.socket | None) -> None:
        """Bytes from a TCP connection (`conn`) or the pty (None); OSError ends it."""
        raise NotImplementedError

    def _finish(self, conn: socket.socket, orderly: bool) -> None:
        """A connection ended: `orderly` when the sender shut its side down first."""
        conn.close()

    def _drop(self, conn: socket.socket) -> None:
        """Cut a connection (power off, refusal)."""
        try:
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        conn.close()

    # -- TCP --------------------------------------------------------------------------

    def _listen(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.listen(8)
        sock.settimeout(0.1)
        self.port = sock.getsockname()[1]
        self._listener = sock
        thread = threading.Thread(target=self._accept_loop, args=(sock,), daemon=True,
                                  name=f"{self.thread_prefix}-{self.port}")
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
            self._drop(conn)

    def _accept_loop(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            with self._lock:
                self.connections += 1
            if self._refuses_jobs():
                self._drop(conn)
                continue
            conn.settimeout(self.client_timeout_s)
            with self._lock:
                self._clients.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True,
                             name=f"{self.thread_prefix}-conn-{self.port}").start()

    def _serve(self, conn: socket.socket) -> None:
        orderly = False
        try:
            while self._running and not self._offline:
                if self._holding():
                    time.sleep(0.02)
                    continue
                if self._refuses_jobs():
                    break
                try:
                    data = conn.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not data:
                    orderly = True
                    break
                try:
                    self._on_data(data, conn.sendall, conn)
                except OSError:
                    break
        finally:
            with self._lock:
                self._clients.discard(conn)
            self._finish(conn, orderly)

    # -- serial -----------------------------------------------------------------------

    def _attach_pty(self, baudrate: int) -> str:
        """Listen on a pty pair too; returns the serial:// connection string."""
        master, slave = open_raw_pty()
        self._pty = (master, slave)  # the slave stays open so the pty survives reopens
        self._running = True
        thread = threading.Thread(target=self._serve_pty, args=(master,), daemon=True,
                                  name=f"{self.thread_prefix}-pty")
        thread.start()
        self._pty_thread = thread
        return f"serial://{os.ttyname(slave)}?baudrate={baudrate}"

    def _serve_pty(self, master: int) -> None:
        def reply(data: bytes) -> None:
            os.write(master, data)

        while self._running and self._pty is not None:
            if self._holding():  # not read: the sender's writes time out
                time.sleep(0.02)
                continue
            try:
                ready, _, _ = select.select([master], [], [], 0.05)
                if not ready:
                    continue
                data = os.read(master, 65536)
            except (OSError, ValueError):
                break  # the pty was closed by stop()
            if not data or self._offline:
                continue  # powered off: the port is deaf
            try:
                self._on_data(data, reply, None)
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
