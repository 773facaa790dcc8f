"""A fault-injecting HTTP/1.1 proxy on loopback, between a kiosk and the central service.

It parses each request and response just enough to know where they end (Content-Length
or chunked), so that a fault hits one request at a time on a keep-alive connection:

- ``reset``: forward the request, read the central service's whole answer (so the
  records are stored), then reset the kiosk's connection: the reply is lost.
- ``delay``: forward, read the answer, and hold it for ``delay_s`` (past the kiosk's
  timeout) before sending it into a connection the kiosk has given up on.
- ``503``: answer "503 Service Unavailable" itself, never forwarding (nothing stored).
- ``drop``: close the kiosk's connection without forwarding and without an answer.

Decisions come from one seeded ``random.Random``, so a failing campaign can be replayed.
When the upstream refuses connections (central service down) the kiosk's connection is
reset, as a pulled cable or a dead host would. Only 127.0.0.1 is ever used.
"""
from __future__ import annotations

import random
import socket
import struct
import threading
from collections import Counter
from dataclasses import dataclass
from types import TracebackType
from typing import BinaryIO

LOOPBACK = "127.0.0.1"
MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 80 * 1024 * 1024
IO_TIMEOUT_S = 30.0
FAULTS = ("reset", "delay", "503", "drop")


class _Closed(Exception):
    """The peer closed the connection (cleanly, between messages or not)."""


@dataclass
class FaultPlan:
    """Per-request fault probabilities (their sum must not exceed 1)."""

    reset: float = 0.0
    delay: float = 0.0
    http503: float = 0.0
    drop: float = 0.0
    delay_s: float = 1.0
    latency_s: float = 0.0  # added to every forwarded answer (below client timeouts)
    path_prefix: str = "/v1/sync/"  # faults hit only these requests

    def choose(self, rng: random.Random) -> str:
        roll = rng.random()
        for name, p in (("reset", self.reset), ("delay", self.delay),
                        ("503", self.http503), ("drop", self.drop)):
            if roll < p:
                return name
            roll -= p
        return "pass"


def _read_head(reader: BinaryIO) -> tuple[bytes, dict[str, str]]:
    """Read a start line plus headers; returns the raw bytes and lower-cased headers."""
    raw = b""
    while True:
        line = reader.readline(MAX_HEADER_BYTES + 1)
        if not line:
            if raw:
                raise ConnectionError("connection closed inside a message head")
            raise _Closed
        raw += line
        if len(raw) > MAX_HEADER_BYTES:
            raise ConnectionError("message head too large")
        if line in (b"\r\n", b"\n"):
            break
    headers: dict[str, str] = {}
    for header in raw.split(b"\r\n")[1:]:
        name, sep, value = header.partition(b":")
        if sep:
            headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
    return raw, headers


def _read_exact(reader: BinaryIO, size: int) -> bytes:
    if size > MAX_BODY_BYTES:
        raise ConnectionError("message body too large")
    data = reader.read(size)
    if len(data) != size:
        raise ConnectionError("connection closed inside a message body")
    return data


def _read_body(reader: BinaryIO, headers: dict[str, str]) -> bytes:
    """The body exactly as framed on the wire (chunked bodies keep their framing)."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        out = b""
        while True:
            size_line = reader.readline(1024)
            if not size_line:
                raise ConnectionError("connection closed inside a chunked body")
            out += size_line
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while True:  # trailers, up to the blank line
                    trailer = reader.readline(MAX_HEADER_BYTES)
                    if not trailer:
                        raise ConnectionError("connection closed inside trailers")
                    out += trailer
                    if trailer in (b"\r\n", b"\n"):
                        return out
            out += _read_exact(reader, size + 2)
            if len(out) > MAX_BODY_BYTES:
                raise ConnectionError("message body too large")
    length = int(headers.get("content-length", "0") or "0")
    return _read_exact(reader, length)


def _reset(sock: socket.socket) -> None:
    """Close with RST instead of FIN (SO_LINGER 0): the peer sees a connection reset."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


class FaultProxy:
    """``with FaultProxy(central_port, seed=1, plan=FaultPlan(reset=0.2)) as proxy:``
    then point the kiosk at ``proxy.url``. ``counts`` says what was injected."""

    def __init__(self, upstream_port: int, *, seed: int, plan: FaultPlan | None = None,
                 upstream_host: str = LOOPBACK, host: str = LOOPBACK,
                 max_connections: int = 64) -> None:
        if host != LOOPBACK or upstream_host != LOOPBACK:
            raise ValueError("the fault proxy runs on 127.0.0.1 only")
        self.upstream = (upstream_host, upstream_port)
        self.plan = plan or FaultPlan()
        self.counts: Counter[str] = Counter()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max_connections)
        self._listener = socket.create_server((host, 0))
        self._listener.settimeout(0.2)
        self.port: int = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._acceptor: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def set_plan(self, plan: FaultPlan) -> None:
        with self._lock:
            self.plan = plan

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> "FaultProxy":
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True,
                                          name=f"fault-proxy:{self.port}")
        self._acceptor.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._acceptor is not None:
            self._acceptor.join(5)
        self._listener.close()
        with self._lock:
            open_sockets = list(self._sockets)
        for sock in open_sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in list(self._threads):
            thread.join(5)

    def __enter__(self) -> "FaultProxy":
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # ------------------------------------------------------------------ plumbing

    def _count(self, name: str) -> None:
        with self._lock:
            self.counts[name] += 1

    def _track(self, sock: socket.socket, add: bool) -> None:
        with self._lock:
            (self._sockets.add if add else self._sockets.discard)(sock)

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            if not self._slots.acquire(timeout=5):
                _reset(client)
                self._count("refused_busy")
                continue
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True,
                                      name=f"fault-proxy-conn:{self.port}")
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
            thread.start()

    def _connect_upstream(self) -> socket.socket | None:
        try:
            sock = socket.create_connection(self.upstream, timeout=IO_TIMEOUT_S)
        except OSError:
            return None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._track(sock, True)
        return sock

    def _drop_upstream(self, up: socket.socket | None) -> None:
        if up is not None:
            self._track(up, False)
            up.close()

    def _serve(self, client: socket.socket) -> None:
        client.settimeout(IO_TIMEOUT_S)
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._track(client, True)
        reader = client.makefile("rb")
        up: socket.socket | None = None
        up_reader: BinaryIO | None = None
        try:
            while not self._stop.is_set():
                try:
                    head, headers = _read_head(reader)
                except _Closed:
                    return
                body = _read_body(reader, headers)
                request = head + body
                path = head.split(b" ", 2)[1].decode("latin-1") if b" " in head else ""
                with self._lock:
                    plan = self.plan
                    fault = (plan.choose(self._rng) if path.startswith(plan.path_prefix)
                             else "pass")
                self._count("requests")
                if fault == "503":
                    self._count("503")
                    payload = b'{"detail":"injected by the fault proxy"}'
                    client.sendall(b"HTTP/1.1 503 Service Unavailable\r\n"
                                   b"content-type: application/json\r\nretry-after: 1\r\n"
                                   b"content-length: " + str(len(payload)).encode() +
                                   b"\r\n\r\n" + payload)
                    continue
                if fault == "drop":
                    self._count("drop")
                    return  # closed below, nothing forwarded, no answer
                if up is None:
                    up = self._connect_upstream()
                    if up is None:
                        self._count("upstream_down")
                        _reset(client)
                        return
                    up_reader = up.makefile("rb")
                assert up_reader is not None
                try:
                    up.sendall(request)
                    resp_head, resp_headers = _read_head(up_reader)
                    resp = resp_head + _read_body(up_reader, resp_headers)
                except (_Closed, OSError):
                    # The central service went away mid-request (stopped): to the kiosk
                    # this is a reset with the outcome unknown.
                    self._count("upstream_lost")
                    _reset(client)
                    return
                if "close" in resp_headers.get("connection", "").lower():
                    self._drop_upstream(up)
                    up, up_reader = None, None
                if fault == "reset":
                    self._count("reset")
                    _reset(client)
                    return
                if fault == "delay":
                    self._count("delay")
                    self._stop.wait(plan.delay_s)
                    try:
                        client.sendall(resp)  # too late: the kiosk timed out already
                    except OSError:
                        pass
                    return
                if plan.latency_s:
                    self._stop.wait(plan.latency_s)
                self._count("forwarded")
                client.sendall(resp)
        except (OSError, ValueError, ConnectionError):
            self._count("client_error")
        finally:
            self._drop_upstream(up)
            self._track(client, False)
            try:
                client.close()
            except OSError:
                pass
            self._slots.release()
