"""The fault campaign's harness: kiosk processes (forked by a zygote, or started fresh),
a real central service on loopback behind the fault proxy, the crash loop, the final
drain and the audit. Named uniquely because test folders have no __init__.py."""
from __future__ import annotations

import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audit import AuditReport, audit, central_rows, endpoint_rows
from fault_proxy import FaultPlan, FaultProxy

from central.server import CentralServer
from kiosk.central_client import CentralClient
from offline_queue.crypto import KioskKeys
from offline_queue.outbox import Outbox
from offline_queue.sync_worker import SyncReport, SyncWorker

CHILD = Path(__file__).with_name("kiosk_child.py")
REPO = Path(__file__).resolve().parents[2]
SUMMARY_PATH = REPO / ".fault-summary.json"
KIOSK_ID = "hall-07.t2"
ADMIN_TOKEN = "fault-campaign-admin"
LINE_TIMEOUT_S = 20.0

#: Total SIGKILL cycles across the campaign tests: CI runs the default, `make fault`
#: sets 2000. Each campaign test takes its share (see ``share``).
TOTAL_CYCLES = int(os.environ.get("KIOSK_FAULT_CYCLES", "240"))


def share(fraction: float, minimum: int = 10) -> int:
    return max(minimum, round(TOTAL_CYCLES * fraction))


def timeout_for(cycles: int, per_cycle_s: float = 0.6, base_s: float = 120.0) -> float:
    """A pytest timeout that grows with the configured cycle count."""
    return base_s + cycles * per_cycle_s


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("KIOSK_FAULT_CYCLES", None)
    return env


# ---------------------------------------------------------------------- processes

@dataclass
class RunResult:
    """What one kiosk run printed, and how it ended."""

    pid: int
    lines: list[str] = field(default_factory=list)
    signal: int = 0
    exit_code: int = 0
    ended: bool = False

    @property
    def acked(self) -> list[tuple[int, str]]:
        return [(int(p[1]), p[2]) for p in (ln.split() for ln in self.lines) if p[0] == "A"]

    @property
    def failures(self) -> list[str]:
        return [ln for ln in self.lines if ln.startswith("F ")]

    @property
    def errors(self) -> list[str]:
        return [ln[2:] for ln in self.lines if ln.startswith("E ")]

    @property
    def reports(self) -> list[list[str]]:
        return [ln.split(" ", 6)[1:] for ln in self.lines if ln.startswith("R ")]

    def phase_at_end(self) -> str:
        """Where the run was when it ended: startup, commit (enqueueing) or sync."""
        for line in reversed(self.lines):
            if line == "S":
                return "sync"
            if line.startswith(("R ", "A ", "E ")):
                return "commit"
        return "startup"


class _LineReader:
    """Reads a pipe on a thread so that waits for a line can time out."""

    def __init__(self, stream: Any) -> None:
        self.lines: "queue.Queue[str | None]" = queue.Queue()
        self._stream = stream
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def close(self, timeout: float = 10.0) -> None:
        """Once the process has ended: let the pump see the end, close the pipe (not
        left to the garbage collector)."""
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self._stream.close()

    def _pump(self, stream: Any) -> None:
        for raw in stream:
            self.lines.put(raw.rstrip("\n"))
        self.lines.put(None)

    def get(self, timeout: float) -> str | None:
        """The next line; None at end of stream. Raises TimeoutError."""
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no line from the kiosk process within {timeout} s") from None


class Zygote:
    """One pre-imported interpreter that forks kiosk runs on request (kiosk_child.py)."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, str(CHILD), "zygote"], text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env=child_env(), cwd=REPO)
        assert self.proc.stdout is not None
        self._reader = _LineReader(self.proc.stdout)
        self.active: RunResult | None = None

    def spawn(self, args: list[str]) -> RunResult:
        assert self.proc.stdin is not None
        self.reset()
        self.proc.stdin.write(json.dumps(args) + "\n")
        self.proc.stdin.flush()
        line = self._reader.get(LINE_TIMEOUT_S)
        if line is None or not line.startswith("P "):
            raise RuntimeError(f"zygote did not fork: {line!r}")
        self.active = RunResult(pid=int(line.split()[1]))
        return self.active

    def reset(self) -> None:
        """Kill a run a failed test left behind, so the zygote can fork again."""
        if self.active is not None and not self.active.ended:
            self.kill(self.active)
        self.active = None

    def next_line(self, run: RunResult, timeout: float) -> str | None:
        """The run's next line; None once it has ended (its X line was read)."""
        line = self._reader.get(timeout)
        if line is None:
            raise RuntimeError("the zygote died")
        if line.startswith("X "):
            _, pid, sig, code = line.split()
            assert int(pid) == run.pid, line
            run.signal, run.exit_code, run.ended = int(sig), int(code), True
            return None
        run.lines.append(line)
        return line

    def wait_for(self, run: RunResult, prefix: str, timeout: float) -> bool:
        """Read lines until one starts with ``prefix``; False if the run ended or the
        time ran out first (the run keeps going then)."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.next_line(run, left)
            except TimeoutError:
                return False
            if line is None:
                return False
            if line.startswith(prefix):
                return True
        return False

    def kill(self, run: RunResult) -> None:
        """SIGKILL the run (a run never exits by itself before its X line, so its pid
        cannot have been reused), then collect everything it printed."""
        if not run.ended:
            os.kill(run.pid, signal.SIGKILL)
        self.finish(run)

    def finish(self, run: RunResult, timeout: float = LINE_TIMEOUT_S) -> RunResult:
        """Collect lines until the run has ended."""
        deadline = time.monotonic() + timeout
        while not run.ended:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"kiosk run {run.pid} did not end")
            self.next_line(run, left)
        return run

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self._reader.close()


def start_fresh(args: list[str]) -> tuple[subprocess.Popen[str], _LineReader]:
    """A kiosk run in a fresh interpreter (the plain `python kiosk_child.py run` path)."""
    proc = subprocess.Popen([sys.executable, str(CHILD), "run", *args], text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            env=child_env(), cwd=REPO)
    assert proc.stdout is not None
    return proc, _LineReader(proc.stdout)


# ---------------------------------------------------------------------- environment

@dataclass
class CampaignStats:
    cycles: int = 0
    phases: Counter[str] = field(default_factory=Counter)
    acked: list[tuple[int, str]] = field(default_factory=list)
    enqueue_errors: int = 0
    sync_passes: int = 0
    duplicates_answered: int = 0  # "duplicate" answers: resends after lost replies


class FaultEnv:
    """A kiosk's files, a real central service (SQLite file, fixed port, admin token)
    and the fault proxy in front of it. ``zygote`` may be shared between tests (it
    keeps no state between runs)."""

    def __init__(self, root: Path, seed: int, zygote: Zygote | None = None) -> None:
        self.root = root
        self.seed = seed
        self.kiosk_db = root / "kiosk" / "outbox.sqlite"
        self.key_dir = root / "kiosk" / "keys"
        self.lock = root / "kiosk" / "sync.lock"
        self.central_db = f"sqlite:///{root / 'central' / 'central.sqlite'}"
        self.keys = KioskKeys.load_or_create(self.key_dir)
        self.central: CentralServer | None = None
        self.port = 0
        self.start_central()
        self.proxy = FaultProxy(self.port, seed=seed).start()
        try:
            with _client(self.central_url) as client:
                client.enroll(self.keys)
        except BaseException:
            self.proxy.stop()
            self.stop_central()
            raise
        self._zygote = zygote
        self._own_zygote = zygote is None
        self.rng = random.Random(seed)
        self.acked: list[tuple[int, str]] = []

    @property
    def zygote(self) -> Zygote:
        """Started on first use: tests that need no kiosk process do not pay for it."""
        if self._zygote is None:
            self._zygote = Zygote()
        return self._zygote

    @property
    def central_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- central service
    def start_central(self) -> None:
        self.central = CentralServer(self.central_db, port=self.port, admin_token=ADMIN_TOKEN)
        self.central.start()
        self.port = self.central.port

    def stop_central(self) -> None:
        assert self.central is not None
        self.central.stop()
        self.central = None

    # -- kiosk runs
    def run_args(self, mode: str = "loop", **options: Any) -> list[str]:
        args = ["--db", str(self.kiosk_db), "--keys", str(self.key_dir), "--kiosk-id",
                KIOSK_ID, "--central", options.pop("central", self.proxy.url),
                "--lock", str(self.lock), "--mode", mode,
                "--seed", str(options.pop("seed", self.rng.randrange(2**31)))]
        for name, value in options.items():
            flag = "--" + name.replace("_", "-")
            if value is True:
                args.append(flag)
            elif value not in (False, None):
                args += [flag, str(value)]
        return args

    def run_to_end(self, mode: str, **options: Any) -> RunResult:
        """A run that ends by itself (enqueue, sync): waits for it, keeps its acks."""
        run = self.zygote.spawn(self.run_args(mode, **options))
        self.zygote.finish(run, timeout=60)
        assert not run.failures, run.failures
        assert (run.signal, run.exit_code) == (0, 0), run
        self.acked.extend(run.acked)
        return run

    def crash_cycles(self, cycles: int, stats: CampaignStats | None = None,
                     **options: Any) -> CampaignStats:
        """Start a looping kiosk run, SIGKILL it at a random moment, repeat.

        Kills aim at three kinds of moment: inside a burst of commits (a few ms after
        a commit returned: the next one is under way, mostly in its fsync), inside a
        sync pass (after the run says a pass started), and anywhere from start-up on
        (opening the file, migrations, quick_check)."""
        stats = stats or CampaignStats()
        for _ in range(cycles):
            run = self.zygote.spawn(self.run_args("loop", **options))
            aim = self.rng.random()
            if aim < 0.45 and self.zygote.wait_for(run, "A", 2.0):
                time.sleep(self.rng.uniform(0.0, 0.006))
            elif aim < 0.8 and self.zygote.wait_for(run, "S", 2.0):
                time.sleep(self.rng.uniform(0.0, 0.25))
            else:
                time.sleep(self.rng.uniform(0.0, 0.4))
            self.zygote.kill(run)
            assert not run.failures, run.failures
            assert run.signal == signal.SIGKILL, f"run ended by itself: {run}"
            stats.cycles += 1
            stats.phases[run.phase_at_end()] += 1
            stats.acked.extend(run.acked)
            stats.enqueue_errors += len(run.errors)
            stats.sync_passes += len(run.reports)
            stats.duplicates_answered += sum(int(r[2]) for r in run.reports)
            self.acked.extend(run.acked)
        return stats

    # -- the end of every run
    def final_drain(self, timeout_s: float = 120.0) -> SyncReport:
        """Sync what is left, directly (no proxy faults), in this process."""
        self.proxy.set_plan(FaultPlan())
        with Outbox(self.kiosk_db, KIOSK_ID, self.keys) as box, \
                _client(self.central_url) as client:
            report = SyncWorker(box, client.post_batch, self.lock,
                                batch_size=200).drain(timeout_s)
        assert report.error is None and report.remaining == 0, report
        return report

    def audit(self, *, expect_rejected: set[int] | None = None,
              expect_void: set[int] | None = None, table: str = "records") -> AuditReport:
        rows = central_rows(self.central_db, KIOSK_ID, table=table)
        endpoint = (endpoint_rows(self.central_url, ADMIN_TOKEN, KIOSK_ID)
                    if table == "records" and self.central is not None else None)
        return audit(acknowledged=self.acked, rows=rows, kiosk_id=KIOSK_ID,
                     public_key=self.keys.public_key, data_key=self.keys.data_key,
                     kiosk_db=self.kiosk_db, expect_rejected=expect_rejected or (),
                     expect_void=expect_void or (), endpoint=endpoint)

    def close(self) -> None:
        try:
            if self._zygote is not None:
                if self._own_zygote:
                    self._zygote.close()
                else:
                    self._zygote.reset()
        finally:
            self.proxy.stop()
            if self.central is not None:
                self.central.stop()


class _client:
    """CentralClient as a context manager."""

    def __init__(self, url: str, timeout_s: float = 10.0) -> None:
        self.client = CentralClient((url,), KIOSK_ID, timeout_s=timeout_s)

    def __enter__(self) -> CentralClient:
        return self.client

    def __exit__(self, *exc: object) -> None:
        self.client.close()


# ---------------------------------------------------------------------- summary

_RESULTS: dict[str, dict[str, Any]] = {}


def record_result(name: str, *, cycles: int, report: AuditReport,
                  negative_control: bool = False, **extra: Any) -> None:
    """Remember a test's campaign figures for .fault-summary.json (written at the end
    of the session by conftest.py). Negative controls are kept apart: their losses
    are the point, not a product defect."""
    _RESULTS[name] = {"cycles": cycles, "acknowledged": report.acknowledged,
                      "lost": len(report.lost), "duplicated": len(report.duplicated),
                      "audit_ok": report.ok, "negative_control": negative_control, **extra}


def write_summary() -> Path | None:
    if not _RESULTS:
        return None
    counted = {k: v for k, v in _RESULTS.items() if not v["negative_control"]}
    summary = {
        "cycles_setting": TOTAL_CYCLES,
        "crash_cycles": sum(v["cycles"] for v in counted.values()),
        "acknowledged": sum(v["acknowledged"] for v in counted.values()),
        "lost": sum(v["lost"] for v in counted.values()),
        "duplicated": sum(v["duplicated"] for v in counted.values()),
        "audits_failed": sorted(k for k, v in counted.items() if not v["audit_ok"]),
        "negative_controls_detected": {k: not v["audit_ok"] for k, v in _RESULTS.items()
                                       if v["negative_control"]},
        "tests": _RESULTS,
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    SUMMARY_PATH.write_text(json.dumps(summary, indent=2) + "\n")
    return SUMMARY_PATH
