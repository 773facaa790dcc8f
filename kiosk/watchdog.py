"""systemd's notification protocol without libsystemd, both ends, Qt-free.

The kiosk is the sending end (`sd_notify`): READY=1 once its first screen is painted and
WATCHDOG=1 from a GUI-thread timer (ui/notify.py), so a frozen event loop stops the
pings and systemd (`WatchdogSec=`, `Restart=always`) restarts it. `NotifyListener` is
the receiving end, standing in for systemd where none runs (tests, CI): a unix datagram
socket whose path goes into the child's $NOTIFY_SOCKET.
"""
from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Mapping
from pathlib import Path

log = logging.getLogger("kiosk.init")


def _address(env: Mapping[str, str]) -> str | None:
    addr = env.get("NOTIFY_SOCKET", "")
    if addr.startswith("@"):
        return "\0" + addr[1:]  # abstract namespace
    if addr.startswith("/"):
        return addr
    return None  # unset, or a kind we do not speak (vsock:)


def sd_notify(message: str, env: Mapping[str, str] | None = None) -> bool:
    """Send `message` ("READY=1", "WATCHDOG=1", "STATUS=...") to $NOTIFY_SOCKET.

    Returns False without doing anything when not started by systemd, and False
    (logged) when the send fails; never raises, because a notification must not take
    the kiosk down.
    """
    addr = _address(os.environ if env is None else env)
    if addr is None:
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(addr)
            sock.sendall(message.encode("utf-8"))
    except OSError as exc:
        log.warning("sd_notify(%s) failed: %s", message.split("=", 1)[0], exc)
        return False
    return True


def watchdog_interval_ms(env: Mapping[str, str] | None = None) -> int | None:
    """Half of WatchdogSec in ms, if systemd asked this process for watchdog pings."""
    env = os.environ if env is None else env
    usec = env.get("WATCHDOG_USEC")
    pid = env.get("WATCHDOG_PID")
    if not usec or (pid and pid != str(os.getpid())):
        return None
    try:
        value = int(usec)
    except ValueError:
        return None
    return max(1, value // 2000) if value > 0 else None


class NotifyListener:
    """The supervisor's end: a bound unix datagram socket collecting (monotonic time,
    message) pairs. Use as a context manager; `path` goes into $NOTIFY_SOCKET."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.messages: list[tuple[float, str]] = []
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        self._sock.bind(str(path))

    def __enter__(self) -> NotifyListener:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._sock.close()
        self.path.unlink(missing_ok=True)

    def receive(self, timeout_s: float) -> str | None:
        """The next message within `timeout_s`, or None."""
        self._sock.settimeout(max(timeout_s, 0.001))
        try:
            data = self._sock.recv(4096)
        except TimeoutError:
            return None
        text = data.decode("utf-8", "replace")
        self.messages.append((time.monotonic(), text))
        return text

    def wait_for(self, wanted: str, timeout_s: float) -> bool:
        """Whether a message containing the line `wanted` (e.g. "READY=1") arrives
        within `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            text = self.receive(left)
            if text is not None and wanted in text.splitlines():
                return True
        return False
