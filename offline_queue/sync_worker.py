"""The sync worker: sends the outbox to the central service in seq order, in batches,
and stores the answers.

Delivery is at-least-once: any failure of ``send`` (timeout, reset, 5xx, a garbled
answer) leaves the records pending and they are sent again later. The central service
keeps (kiosk_id, seq) and uuid unique forever and answers a resend with "duplicate",
so at-least-once sending plus permanent dedupe gives exactly-once storage.

A record the central refuses for its signature is re-checked by the outbox: a damaged
copy is parked and replaced by a signed "void" tombstone, sent in the same pass; an
intact one stays pending and ends the pass (``SIGNATURE_REFUSED``), so a refusal is
never resent in a tight loop.

``send`` is injected (the kiosk's HTTP client), so this module knows nothing about
HTTP; it is Qt-free, and ``on_report`` is how the UI learns about passes.
"""
from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from offline_queue.lock import SingleInstanceLock
from offline_queue.outbox import Outbox, OutboxError, utc_now
from offline_queue.wire import MAX_BATCH, SyncAck, SyncBatch

log = logging.getLogger(__name__)

ANOTHER_WORKER = "another sync worker is running"
# Start of the error of a pass stopped because the central service refused the
# signature of a record whose copy here is intact (the link itself works).
SIGNATURE_REFUSED = "central refused the signature of"
MAX_BACKOFF_S = 60.0
_MAX_ERROR_LEN = 300


@dataclass(frozen=True)
class SyncReport:
    """The outcome of one pass (or of a drain). ``error`` is None when the pass ended
    because nothing was left to send."""

    sent: int = 0
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    remaining: int = 0
    error: str | None = None
    finished_at: datetime | None = None
    # Records found damaged in the queue file after the central refused their
    # signature: parked here, a signed "void" tombstone sent for each seq.
    voided: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None


def backoff_delay(interval_s: float, failures: int, cap_s: float = MAX_BACKOFF_S) -> float:
    """Seconds to wait before the next pass after ``failures`` failed passes in a row:
    the interval doubled per failure, capped at ``cap_s`` (never below the interval)."""
    if failures <= 0:
        return interval_s
    return min(max(cap_s, interval_s), interval_s * 2.0 ** min(failures, 32))


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    return text if len(text) <= _MAX_ERROR_LEN else text[:_MAX_ERROR_LEN - 3] + "..."


class SyncWorker:
    """Sends pending records; at most one worker per kiosk at a time (file lock).

    Passes in this process are serialised (a manual ``sync_once`` waits for the
    background pass); a worker in another process makes a pass return at once with
    ``error == ANOTHER_WORKER``.
    """

    def __init__(self, outbox: Outbox, send: Callable[[SyncBatch], SyncAck],
                 lock_path: Path, batch_size: int = 200,
                 clock: Callable[[], datetime] = utc_now,
                 on_report: Callable[[SyncReport], None] | None = None,
                 jitter: float = 0.1) -> None:
        if not 1 <= batch_size <= MAX_BATCH:
            raise ValueError(f"batch_size must be 1..{MAX_BATCH}")
        self.outbox = outbox
        self.on_report = on_report
        self._send = send
        self._lock = SingleInstanceLock(lock_path)
        self._batch_size = batch_size
        self._clock = clock
        self._jitter = jitter
        self._pass_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_report: SyncReport | None = None

    # ------------------------------------------------------------------ passes

    def sync_once(self) -> SyncReport:
        """Send everything pending, batch after batch, until the queue is empty or a
        batch fails. Never raises for central or queue failures: they are in
        ``error``."""
        with self._pass_lock:
            report = self._pass(deadline=None)
        self.last_report = report
        return report

    def drain(self, timeout_s: float) -> SyncReport:
        """Pass after pass until nothing is pending, a pass fails, or ``timeout_s``
        runs out (then ``error`` says so). Counts are summed over the passes."""
        deadline = time.monotonic() + timeout_s
        total = SyncReport()
        while True:
            with self._pass_lock:
                report = self._pass(deadline=deadline)
            total = replace(report, sent=total.sent + report.sent,
                            accepted=total.accepted + report.accepted,
                            duplicate=total.duplicate + report.duplicate,
                            rejected=total.rejected + report.rejected,
                            voided=total.voided + report.voided)
            if total.error is not None or total.remaining == 0:
                break
            if time.monotonic() >= deadline:
                total = replace(total, error=f"drain timed out after {timeout_s:g} s "
                                             f"with {total.remaining} record(s) pending")
                break
        self.last_report = total
        return total

    def _pass(self, deadline: float | None) -> SyncReport:
        if not self._lock.acquire():
            return self._finish(0, 0, 0, 0, ANOTHER_WORKER)
        sent = accepted = duplicate = rejected = 0
        voided: set[int] = set()
        error: str | None = None
        try:
            while deadline is None or time.monotonic() < deadline:
                try:
                    records = self.outbox.pending(self._batch_size)
                except Exception as exc:
                    error = f"queue unreadable: {_describe(exc)}"
                    break
                if not records:
                    break
                batch = SyncBatch(kiosk_id=self.outbox.kiosk_id, records=records)
                try:
                    ack = self._send(batch)
                    if not isinstance(ack, SyncAck):
                        raise TypeError(f"send returned {type(ack).__name__}, not SyncAck")
                except Exception as exc:  # any failure means: not known to be stored
                    error = f"central unreachable: {_describe(exc)}"
                    break
                sent += len(records)
                if ack.kiosk_id != self.outbox.kiosk_id:
                    error = f"central answered for kiosk {ack.kiosk_id!r}"
                    break
                ours = {r.seq: r.uuid for r in records}
                answered = [r for r in ack.results if ours.get(r.seq) == r.uuid]
                try:
                    outcome = self.outbox.apply_ack(ack)
                except OutboxError as exc:
                    error = f"could not store the acknowledgement: {exc}"
                    break
                accepted += sum(r.status == "accepted" for r in answered)
                duplicate += sum(r.status == "duplicate" for r in answered)
                rejected += sum(r.status == "rejected" and r.seq not in outcome.kept
                                for r in answered)
                if records[0].seq not in {r.seq for r in answered}:
                    # Without this the same batch would be resent forever in this pass.
                    error = f"central did not answer for seq {records[0].seq}"
                    break
                if outcome.kept:
                    # Sending them again now would get the same answer: next pass.
                    error = (f"{SIGNATURE_REFUSED} seq {', '.join(map(str, outcome.kept))}; "
                             f"the copy here is intact and stays pending (the central "
                             f"service may hold another key for this kiosk, or records "
                             f"are altered on the way)")
                    break
                again = voided.intersection(outcome.voided)
                voided.update(outcome.voided)
                if again:  # a tombstone damaged as soon as it is written: stop here
                    error = f"seq {min(again)} was voided twice in one pass"
                    break
        finally:
            self._lock.release()
        return self._finish(sent, accepted, duplicate, rejected, error, len(voided))

    def _finish(self, sent: int, accepted: int, duplicate: int, rejected: int,
                error: str | None, voided: int = 0) -> SyncReport:
        try:
            remaining = self.outbox.pending_count()
        except OutboxError as exc:
            remaining = -1
            error = error or f"queue unreadable: {exc}"
        report = SyncReport(sent=sent, accepted=accepted, duplicate=duplicate,
                            rejected=rejected, remaining=remaining, error=error,
                            finished_at=self._clock(), voided=voided)
        if voided:
            log.warning("sync pass: %d record(s) damaged in the queue file were parked and "
                        "voided; see the parked records", voided)
        if error is not None and error != ANOTHER_WORKER:
            log.warning("sync pass stopped: %s (sent %d, %d pending)", error, sent, remaining)
        elif sent:
            log.info("sync pass: sent %d, accepted %d, duplicate %d, rejected %d, %d pending",
                     sent, accepted, duplicate, rejected, remaining)
        return report

    # ------------------------------------------------------------------ thread

    def start(self, interval_s: float = 5.0) -> None:
        """Run passes on a daemon thread every ``interval_s``, backing off
        exponentially (cap 60 s) while passes fail."""
        if interval_s <= 0:
            raise ValueError("interval_s must be positive")
        if self._thread is not None and self._thread.is_alive():
            raise RuntimeError("sync worker already started")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(interval_s,),
                                        name="sync-worker", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Start a pass now (after an enqueue, or when the network comes back)."""
        self._wake.set()

    def stop(self, timeout_s: float | None = 10.0) -> None:
        """Stop the thread after its current pass; a pass blocked in ``send`` ends
        when the client's own timeout fires."""
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is None or thread is threading.current_thread():  # e.g. from on_report
            return
        thread.join(timeout_s)
        if not thread.is_alive():
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self, interval_s: float) -> None:
        failures = 0
        while not self._stop.is_set():
            # Cleared before the pass: a wake() during the pass triggers another one.
            self._wake.clear()
            try:
                report = self.sync_once()
            except Exception as exc:  # a bug, not an outage; keep the worker alive
                log.exception("sync pass crashed")
                report = SyncReport(error=f"sync pass crashed: {_describe(exc)}",
                                    finished_at=self._clock())
            if report.error is not None and report.error != ANOTHER_WORKER:
                failures += 1
            else:
                failures = 0
            callback = self.on_report
            if callback is not None:
                try:
                    callback(report)
                except Exception:
                    log.exception("sync on_report callback failed")
            if self._stop.is_set():
                break
            delay = backoff_delay(interval_s, failures)
            if failures and self._jitter:
                # Spread a fleet's retries so a recovering central is not stampeded.
                delay = min(delay * random.uniform(1 - self._jitter, 1 + self._jitter),
                            max(MAX_BACKOFF_S, interval_s))
            self._wake.wait(delay)
