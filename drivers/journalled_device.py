"""Base of the serial devices whose jobs are journalled: payment terminal, dispenser.

Both run one command at a time under a lock (call them from a worker thread, never
the GUI thread), open their port on demand through a SerialLink, and journal each job
before its first byte is written. A job whose outcome is unknown stays open in the
journal and is never sent again; the subclass's `_reconcile_locked()` settles it from
what the device remembers, at `open()` and before the next job.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Generic, Protocol, Self, TypeVar

from .base import DeviceBase, DeviceState, DeviceStatus, StatusCallback
from .connection import ConnectionStringError
from .errors import DeviceError, DeviceErrorCode
from .serial_link import FrameParser, SerialLink

LOCK_WAIT_S = 10.0  # a job waits this long for a status query to finish

_Event = TypeVar("_Event")


class Journal(Protocol):
    """What the base uses of a device's job journal."""

    def open_jobs(self) -> Sequence[object]: ...

    def resolve(self, key: str, state: str, /, *, resolved_by: str,
                note: str | None = None) -> None: ...


_J = TypeVar("_J", bound=Journal)


class JournalledSerialDevice(DeviceBase, Generic[_J, _Event]):
    """A journalled request/reply device. `open()` is optional: commands open the port."""

    label = "device"  # in messages: "<label> is busy", "<label> port lost"
    label_with_article = "a device"  # "<...> needs a serial:// connection"
    _log = logging.getLogger("drivers")

    def __init__(
        self,
        connection: str,
        *,
        journal: _J,
        parser: FrameParser[_Event],
        name: str | None = None,
        on_status: StatusCallback | None = None,
        clock: Callable[[], float] = time.monotonic,
        noise: Callable[[], int] | None = None,
    ) -> None:
        super().__init__(connection, name=name, on_status=on_status)
        if self.connection.scheme != "serial":
            raise ConnectionStringError(
                f"{self.label_with_article} needs a serial:// connection, "
                f"not {self.connection.scheme}://"
            )
        self.journal = journal
        self._clock = clock
        self._link = SerialLink(self, parser, label=self.label, clock=clock, noise=noise)
        self._lock = threading.Lock()
        self._wrote = False  # a byte of the current job reached the port: outcome unknown

    # -- lifecycle --------------------------------------------------------------------

    def open(self) -> None:
        """Open the port and settle journal entries a crash left open. Best effort: when
        the device cannot tell yet, the next transaction tries again before it starts."""
        with self._claimed():
            self._link.ensure_open()
            if self.journal.open_jobs():
                try:
                    self._reconcile_locked()
                except DeviceError as exc:
                    self._log.warning("%s: open entries not reconciled yet: %s", self.name, exc)

    def close(self) -> None:
        with self._lock:
            self._link.close()
            self._set_status(DeviceState.CLOSED)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _claimed(self) -> Iterator[None]:
        """Hold the device for one command; BUSY if another one keeps it too long."""
        if not self._lock.acquire(timeout=LOCK_WAIT_S):
            raise DeviceError(DeviceErrorCode.BUSY, f"{self.label} is busy with another command")
        try:
            yield
        finally:
            self._lock.release()

    def _status_unless_busy(self, ask: Callable[[], None]) -> DeviceStatus:
        """Open the port and run `ask` (which sets the status), unless a command holds
        the device: then the last status (BUSY) stands. Never raises."""
        if not self._lock.acquire(blocking=False):
            return self.last_status
        try:
            self._link.ensure_open()
            ask()
        except DeviceError:
            pass  # the status was set where the failure was noticed
        finally:
            self._lock.release()
        return self.last_status

    # -- journal ----------------------------------------------------------------------

    def _reconcile_locked(self) -> Sequence[object]:
        """Settle the journal's open entries from the device (lock held)."""
        raise NotImplementedError

    def _describe(self, key: str) -> str:
        """How a journal key reads in the log."""
        return key

    def _unknown(self, key: str, note: str) -> None:
        """The job may or may not have run: leave it to reconciliation, never resend."""
        self._count("unknown_outcomes")
        self.journal.resolve(key, "unknown", resolved_by="send", note=note)
        if self.state is not DeviceState.OFFLINE:
            self._set_status(DeviceState.ERROR, DeviceErrorCode.TIMEOUT, message=note)
        self._log.warning("%s: outcome of %s unknown (%s); will reconcile", self.name,
                          self._describe(key), note)
