"""Run the central service in a background thread on a loopback port.

Used by tests, the scenario runner and `make run`: a real uvicorn server on a real
socket, so the kiosk's HTTP client is exercised exactly as in a hall.
"""
from __future__ import annotations

import importlib.util
import os
import socket
import ssl
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn

from central.app import create_app
from central.bind_rules import Exposure
from central.tls_peer import PeerCertH11Protocol

START_TIMEOUT_S = 10.0


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening-ready TCP socket for uvicorn's `sockets=`.

    TCP_NODELAY is inherited by accepted connections: without it, Nagle's algorithm
    and delayed ACKs add ~40 ms to every small request/response on loopback.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def tls_options(certfile: str | os.PathLike[str] | None,
                keyfile: str | os.PathLike[str] | None,
                ca_certs: str | os.PathLike[str] | None) -> dict[str, Any]:
    """uvicorn.Config keyword arguments for HTTPS, and for mutual TLS when a client CA
    is given; {} for plain HTTP. Mutual TLS serves through central.tls_peer's HTTP
    protocol, which hands the client certificate to the app (the staff endpoints
    answer only the kiosk it names)."""
    if certfile is None:
        if keyfile is not None or ca_certs is not None:
            raise ValueError("TLS needs the server certificate (ssl_certfile)")
        return {}
    options: dict[str, Any] = {"ssl_certfile": str(certfile),
                               "ssl_keyfile": str(keyfile) if keyfile else None}
    if ca_certs is not None:
        options |= {"ssl_ca_certs": str(ca_certs), "ssl_cert_reqs": ssl.CERT_REQUIRED,
                    "http": PeerCertH11Protocol}
    return options


#: uvicorn's C HTTP parser and libuv event loop (#14 §6): a heartbeat costs the service
#: ~15 % less CPU than with h11 and asyncio's loop (docs/design.md, "Central load").
FAST_PROTOCOLS = {"http": "httptools", "loop": "uvloop"}


def protocol_options(tls: dict[str, Any]) -> dict[str, Any]:
    """uvicorn.Config keyword arguments for the HTTP parser and the event loop, merged
    with `tls` (tls_options): httptools and uvloop, except that mutual TLS keeps its
    own h11 protocol (central.tls_peer hands the client certificate to the app).
    RuntimeError naming what is missing when either package is not installed: the
    service is never silently served by the slower pure-Python pair."""
    missing = [name for name in FAST_PROTOCOLS.values()
               if importlib.util.find_spec(name) is None]
    if missing:
        raise RuntimeError(f"{' and '.join(missing)} not installed (a dependency of the "
                           f"central service: pip install {' '.join(missing)})")
    return FAST_PROTOCOLS | tls


class CentralServer:
    """`with CentralServer("sqlite:///x.db") as server: httpx.get(server.url + ...)`.

    Port 0 picks a free port: the socket is bound here, before uvicorn starts, so the
    port is known (and cannot be taken by someone else) by the time start() returns.
    """

    def __init__(self, db_url: str, host: str = "127.0.0.1", port: int = 0, *,
                 ssl_certfile: str | os.PathLike[str] | None = None,
                 ssl_keyfile: str | os.PathLike[str] | None = None,
                 ssl_ca_certs: str | os.PathLike[str] | None = None,
                 insecure_demo: bool = False, **create_app_kwargs: Any) -> None:
        """With `ssl_certfile` (and its key) the server speaks HTTPS; with
        `ssl_ca_certs` as well, clients must present a certificate signed by that CA
        (mutual TLS), else the handshake fails. The bind rules of `kiosk central`
        apply (central.bind_rules): off loopback, ValueError without both tokens, or
        without TLS unless `insecure_demo`."""
        self.db_url = db_url
        self.host = host
        self.ssl_options = tls_options(ssl_certfile, ssl_keyfile, ssl_ca_certs)
        self.serving = protocol_options(self.ssl_options)  # before anything is opened
        self.exposure = Exposure.decide(
            host, tls=bool(self.ssl_options), insecure_demo=insecure_demo,
            admin_token=create_app_kwargs.get("admin_token") is not None,
            enrolment_token=create_app_kwargs.get("enrolment_token") is not None,
            demo_data=bool(create_app_kwargs.get("demo_data")
                           or create_app_kwargs.get("demo_staff")))
        refusal = self.exposure.refusal()
        if refusal:
            raise ValueError(refusal)
        if ssl_ca_certs is not None:  # mutual TLS: staff endpoints check the certificate
            create_app_kwargs.setdefault("kiosk_certificates", True)
        self.app = create_app(db_url, **create_app_kwargs)
        self.app.state.exposure = self.exposure
        self._requested_port = port
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port: int = port

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("CentralServer is not started")
        host = f"[{self.host}]" if ":" in self.host else self.host
        scheme = "https" if self.ssl_options else "http"
        return f"{scheme}://{host}:{self.port}"

    def start(self) -> CentralServer:
        """Start serving; returns once the server accepts connections."""
        if self._thread is not None:
            raise RuntimeError("CentralServer already started")
        try:
            sock = bind_socket(self.host, self._requested_port)
        except OSError:
            # A busy port: close what create_app opened (the engine's pooled
            # connection), else it is left for the garbage collector.
            self._cleanup()
            raise
        self._socket = sock
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off",
                                access_log=False, **self.serving)
        # uvicorn builds its handlers in Config(): redact them too (offline_queue.redact).
        from offline_queue.redact import install

        install("uvicorn", "uvicorn.error", "uvicorn.access")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run,
                                        kwargs={"sockets": [sock]},
                                        name=f"central-server:{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive():
                self._cleanup()
                raise RuntimeError("central server failed to start")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("central server did not start in time")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop accepting, finish in-flight requests, and release the port and the DB."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive() and self._server is not None:
                self._server.force_exit = True
                self._thread.join(timeout)
        self._cleanup()

    def _cleanup(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        self._thread = None
        monitor = getattr(self.app.state, "fleet_monitor", None)
        if monitor is not None:  # the fleet alerts' thread (only with a webhook)
            monitor.stop()
        self.app.state.engine.dispose()

    def __enter__(self) -> CentralServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
