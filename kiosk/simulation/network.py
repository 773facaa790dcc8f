"""A loopback TCP relay that can be switched off, standing in for the hall's network.

Offline means what a real outage looks like to the kiosk: new connections are refused
and open ones are cut.
"""
from __future__ import annotations

import selectors
import socket
import threading


class NetworkSwitch:
    def __init__(self, target_host: str, target_port: int, listen_port: int = 0) -> None:
        self.target = (target_host, target_port)
        self._listener: socket.socket | None = None
        self.port = listen_port
        self._online = False
        self._lock = threading.Lock()
        self._conns: set[socket.socket] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def online(self) -> bool:
        return self._online

    def start(self) -> NetworkSwitch:
        self.set_online(True)
        return self

    def stop(self) -> None:
        self.set_online(False)

    def set_online(self, online: bool) -> None:
        with self._lock:
            if online == self._online:
                return
            self._online = online
            if online:
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind(("127.0.0.1", self.port))
                sock.listen(64)
                self.port = sock.getsockname()[1]
                self._listener = sock
                threading.Thread(target=self._accept, args=(sock,), daemon=True,
                                 name="netswitch-accept").start()
            else:
                if self._listener is not None:
                    try:
                        self._listener.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    self._listener.close()
                    self._listener = None
                for conn in list(self._conns):
                    _close(conn)
                self._conns.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=2)
            except OSError:
                _close(client)
                continue
            # A router forwards each segment as it comes; a relay that let Nagle's
            # algorithm hold small writes for the peer's delayed ACK would add ~40 ms
            # to a request that the hall's network does not.
            for sock in (client, upstream):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                if not self._online:
                    _close(client)
                    _close(upstream)
                    return
                self._conns.update((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True,
                             name="netswitch-pump").start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        sel = selectors.DefaultSelector()
        try:
            sel.register(a, selectors.EVENT_READ, b)
            sel.register(b, selectors.EVENT_READ, a)
            while True:
                for key, _ in sel.select(timeout=1.0):
                    src: socket.socket = key.fileobj  # type: ignore[assignment]
                    data = src.recv(65536)
                    if not data:
                        return
                    key.data.sendall(data)
        except (OSError, ValueError):
            return
        finally:
            sel.close()
            for s in (a, b):
                _close(s)
                self._conns.discard(s)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
