"""A per-kiosk single-instance lock on a file (flock), so that only one sync worker
sends the outbox at a time, whichever process it runs in.

flock locks belong to the open file description: the kernel drops them when the holder
exits or is killed, so a crashed worker never leaves a stale lock behind. Two lock
objects on the same path exclude each other even inside one process.
"""
from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path
from types import TracebackType


class LockHeld(RuntimeError):
    """Another process (or another lock object) holds the lock."""


class SingleInstanceLock:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None
        self._guard = threading.Lock()

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> bool:
        """Take the lock without waiting; True if this object now holds it (also when it
        already did), False if someone else holds it."""
        with self._guard:
            if self._fd is not None:
                return True
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
            except BaseException:
                os.close(fd)
                raise
            # The holder's pid, for "held by" diagnostics only; never trusted for locking.
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            self._fd = fd
            return True

    def release(self) -> None:
        """Give the lock up (idempotent). The file stays: unlinking it would let a
        newcomer lock a fresh inode while an old holder still locks the unlinked one."""
        with self._guard:
            if self._fd is None:
                return
            fd, self._fd = self._fd, None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)

    def holder_pid(self) -> int | None:
        """The pid written by the current holder, if readable."""
        try:
            text = self.path.read_text().strip()
            return int(text) if text else None
        except (OSError, ValueError):
            return None

    def __enter__(self) -> SingleInstanceLock:
        if not self.acquire():
            pid = self.holder_pid()
            raise LockHeld(f"{self.path} is locked"
                           + (f" by process {pid}" if pid is not None else ""))
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()

    def __del__(self) -> None:
        fd = getattr(self, "_fd", None)
        if fd is not None:
            os.close(fd)
