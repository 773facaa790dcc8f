"""A kiosk process for the fault campaign (run as a script, never collected).

  kiosk_child.py run [options]   one kiosk: the real Outbox, the real SyncWorker and the
                                 kiosk's real HTTP client (kiosk.central_client)
  kiosk_child.py zygote          import everything once, then fork one `run` per JSON
                                 argument list read from stdin: a fresh interpreter costs
                                 over a second of imports, a fork a few milliseconds, which
                                 is what lets CI afford hundreds of SIGKILL cycles

Everything a `run` reports goes to fd 1 with one os.write per line (atomic on a pipe,
and already in the kernel when it returns, so a SIGKILL right after cannot lose it):

  A <seq> <uuid>      a record is acknowledged: enqueue() has returned (committed)
  E <message>         an enqueue failed cleanly (nothing acknowledged)
  S                   a sync pass starts
  R <sent> <accepted> <duplicate> <rejected> <remaining> <error or ->
  L                   (diskfull) the file size limit was lifted
  D                   the run finished on its own
  F <message>         an unexpected failure; the process then waits to be killed

The zygote adds `P <pid>` when it forks a run and `X <pid> <signal> <exit code>` when
that run has ended.
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import random
import resource
import signal
import ssl
import sys
import time
import traceback
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root

from kiosk.central_client import CentralClient  # noqa: E402
from offline_queue.crypto import KioskKeys  # noqa: E402
from offline_queue.outbox import Outbox, OutboxError  # noqa: E402
from offline_queue.sync_worker import SyncReport, SyncWorker  # noqa: E402

MAX_RUN_S = 120.0  # a run that nobody kills ends by itself (a parent that died, say)
PR_SET_PDEATHSIG = 1
#: The HTTP client's default TLS context, built once in the zygote: loading the CA
#: bundle takes over 100 ms, which every forked run would otherwise pay again.
_TLS: ssl.SSLContext | None = None


def emit(line: str) -> None:
    os.write(1, (line.rstrip("\n") + "\n").encode())


def die_with_parent() -> None:
    """SIGKILL this process when its parent dies, so no run outlives the test."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


class JumpingClock:
    """Wall time shifted by an offset that jumps up to +-``max_days`` at random on
    every call: created_at then runs back and forth against seq order."""

    def __init__(self, seed: int, max_days: float = 5.0) -> None:
        self._rng = random.Random(seed)
        self._max_s = max_days * 86400.0

    def __call__(self) -> datetime:
        offset = self._rng.uniform(-self._max_s, self._max_s)
        return datetime.now(timezone.utc) + timedelta(seconds=offset)


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="kiosk_child.py run")
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--keys", type=Path, required=True)
    p.add_argument("--kiosk-id", required=True)
    p.add_argument("--central", required=True, help="central (or fault proxy) URL")
    p.add_argument("--lock", type=Path, required=True)
    p.add_argument("--mode", default="loop",
                   choices=("loop", "enqueue", "sync", "sync-until-done", "diskfull"))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--count", type=int, default=10, help="records (enqueue, diskfull)")
    p.add_argument("--burst", type=int, default=12, help="most records between passes")
    p.add_argument("--pad", type=int, default=200, help="most payload padding characters")
    p.add_argument("--batch", type=int, default=40)
    p.add_argument("--timeout", type=float, default=0.6, help="HTTP timeout (s)")
    p.add_argument("--clock-jumps", action="store_true")
    p.add_argument("--ack-before-commit", action="store_true",
                   help="NEGATIVE CONTROL ONLY: report a record before it is committed")
    p.add_argument("--wait-go", action="store_true", help="print 'ready', wait for stdin")
    p.add_argument("--fsize", type=int, default=0, help="diskfull: RLIMIT_FSIZE bytes")
    return p.parse_args(argv)


def report_line(report: SyncReport) -> str:
    error = (report.error or "-").replace("\n", " ")
    return (f"R {report.sent} {report.accepted} {report.duplicate} {report.rejected} "
            f"{report.remaining} {error}")


class Run:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rng = random.Random(args.seed)
        clock: Callable[[], datetime] = (JumpingClock(args.seed) if args.clock_jumps
                                         else (lambda: datetime.now(timezone.utc)))
        self.outbox = Outbox(args.db, args.kiosk_id, KioskKeys.load_or_create(args.keys),
                             clock=clock)
        self.client = CentralClient((args.central,), args.kiosk_id, timeout_s=args.timeout,
                                    verify_tls=_TLS or True)  # type: ignore[arg-type]
        self.worker = SyncWorker(self.outbox, self.client.post_batch, args.lock,
                                 batch_size=args.batch, clock=clock)
        self.i = 0

    def payload(self) -> dict[str, object]:
        self.i += 1
        return {"seed": self.args.seed, "i": self.i,
                "pad": "x" * self.rng.randint(0, self.args.pad)}

    def enqueue_one(self) -> None:
        if self.args.ack_before_commit:
            self._enqueue_acking_first()
            return
        try:
            rec = self.outbox.enqueue("dispense.record", self.payload(),
                                      confirm_later=self.i % 3 == 0)
        except OutboxError as exc:
            emit(f"E {exc}")
            return
        emit(f"A {rec.seq} {rec.uuid}")

    def _enqueue_acking_first(self) -> None:
        """The broken kiosk of the negative control: it shows success (prints the
        reference) before the commit. Its UUID is chosen up front so that the printed
        reference is the one the commit would have stored."""
        chosen = uuid.uuid4()
        real_uuid4 = uuid.uuid4
        uuid.uuid4 = lambda: chosen  # type: ignore[assignment]
        try:
            emit(f"A {self._next_seq()} {chosen}")
            # Shows success (prints the slip...), then gets round to committing. A kill
            # inside the COMMIT itself rarely loses anything: the WAL frames are written
            # before the fsync, and a killed process leaves the page cache intact.
            time.sleep(0.005)
            self.outbox.enqueue("dispense.record", self.payload())
        finally:
            uuid.uuid4 = real_uuid4  # type: ignore[assignment]

    def _next_seq(self) -> int:
        import sqlite3

        raw = sqlite3.connect(self.args.db)
        try:
            (last,) = raw.execute("SELECT COALESCE(MAX(seq), 0) FROM outbox").fetchone()
        finally:
            raw.close()
        return int(last) + 1

    def sync(self) -> SyncReport:
        emit("S")
        report = self.worker.sync_once()
        emit(report_line(report))
        return report

    # ------------------------------------------------------------------ modes

    def loop(self) -> None:
        """Bursts of commits, each followed by a sync pass, until killed."""
        deadline = time.monotonic() + MAX_RUN_S
        while time.monotonic() < deadline:
            for _ in range(self.rng.randint(1, self.args.burst)):
                self.enqueue_one()
            self.sync()

    def enqueue(self) -> None:
        for _ in range(self.args.count):
            self.enqueue_one()

    def sync_until_done(self) -> None:
        """Passes until nothing is pending (another worker may hold the lock for a
        while, or die holding it)."""
        deadline = time.monotonic() + 60.0
        while time.monotonic() < deadline:
            report = self.sync()
            if report.error is None and report.remaining == 0:
                return
            time.sleep(0.05)
        raise TimeoutError("queue not drained within 60 s")

    def diskfull(self) -> None:
        """Enqueue and sync with a file size limit (SIGXFSZ ignored, so writes fail
        with EFBIG), then lift the limit and carry on with the same Outbox."""
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.args.fsize, hard))
        for _ in range(self.args.count):
            self.enqueue_one()
        self.sync()  # the acknowledgement cannot be stored: resent later
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        emit("L")
        for _ in range(5):
            self.enqueue_one()

    def main(self) -> None:
        if self.args.wait_go:
            emit("ready")
            sys.stdin.readline()
        mode = self.args.mode
        if mode == "loop":
            self.loop()
        elif mode == "enqueue":
            self.enqueue()
        elif mode == "sync":
            self.sync()
        elif mode == "sync-until-done":
            self.sync_until_done()
        elif mode == "diskfull":
            self.diskfull()
        self.client.close()
        self.outbox.close()
        emit("D")


def run(argv: list[str]) -> int:
    die_with_parent()
    try:
        Run(parse(argv)).main()
        return 0
    except Exception as exc:  # reported, then wait: the parent decides what it means
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        emit(f"F {detail}".replace("\n", " | "))
        time.sleep(MAX_RUN_S)
        return 3


def warm_up() -> None:
    """Pay the lazy first-use costs (migrations machinery, statement compilation, the
    HTTP client) once in the zygote. Everything is closed again: a fork must not
    inherit an open SQLite connection."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="kiosk-zygote-") as tmp:
        keys = KioskKeys.generate()
        box = Outbox(Path(tmp) / "warm.sqlite", "warm-up", keys)
        box.enqueue("warm.up", {"x": 1})
        box.pending(10)
        box.close()
    global _TLS
    import httpx

    _TLS = httpx.create_ssl_context()
    CentralClient(("http://127.0.0.1:9",), "warm-up", timeout_s=1,
                  verify_tls=_TLS).close()  # type: ignore[arg-type]


def zygote() -> int:
    """Fork one run per stdin line; report its pid and, once reaped, how it ended."""
    die_with_parent()
    warm_up()
    for line in sys.stdin:
        if not line.strip():
            continue
        argv = json.loads(line)
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            code = 3
            try:
                devnull = os.open(os.devnull, os.O_RDONLY)
                os.dup2(devnull, 0)
                random.seed()
                code = run(argv)
            finally:
                os._exit(code)
        emit(f"P {pid}")  # one write: the run may already be writing its lines
        _, status = os.waitpid(pid, 0)
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
        emit(f"X {pid} {sig} {code}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("run", "zygote"):
        sys.exit(__doc__)
    sys.exit(run(sys.argv[2:]) if sys.argv[1] == "run" else zygote())
