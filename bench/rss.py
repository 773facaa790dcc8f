"""Memory over a long day: the kiosk process's resident set size (VmRSS) once it has
started (devices up, the core attached, before any session), after session 1, after
session N/10 and after session N (N = 1,000 in `make bench`), and its growth from N/10
to N. `main` prints them beside BASELINE, the figures before #9's memory work.

What is measured is `kiosk run --config FILE` alone, in its own process, with its real
Qt event loop (QT_QPA_PLATFORM=offscreen), so deferred deletions, timers and the worker
threads run as in a hall. Everything else is in other processes:

- the devices: bench/sim_host.py runs the serial scanner simulator (a pty pair) and
  the TCP receipt printer simulator (ESC/POS, decoded);
- the central service: none. The configured URL is a loopback port held bound but not
  listening, so every call is refused at once: each verification is queued offline
  and the kiosk prints the queued slip by itself, without a touch from outside.

One session, driven from this process: the scanner simulator sends an invoice QR; the
attract screen starts a session and verifies; the verification is queued and its slip
printed; nobody touches the screen, so the idle limit and the countdown run out and the
session ends with the idle reset (every screen rebuilt). The bench config sets
`[ui] test_timeouts = true` with a 0.2 s reading limit and a 0 s countdown, so a
session takes about half a second instead of two minutes.

Each step is checked from outside, never through the kiosk's ports: the session start
and the idle reset in the kiosk's JSON log (stderr), the slip in the printer
simulator's decoded jobs, the queued record in the kiosk's outbox (SQLite, opened
read-only). RSS comes from /proc/<pid>/status, sampled once the session has ended and
the event loop has had a moment to run the deferred deletions.

    python -m bench.rss [SESSIONS]
"""
from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
SESSIONS = 1000
START_SETTLE_S = 3.0  # after the devices are up: the core is attached and warmed up
# Before #9's memory work (every service's screens rebuilt at each idle reset, nine
# payment screens a session never freed), `python -m bench.rss 300`: MiB at session
# 1 / 30 / 60 / 120.
BASELINE: dict[int, float] = {1: 318.9, 30: 452.8, 60: 485.0, 120: 476.0}
SETTLE_S = 0.1  # after an idle reset: the loop runs the deferred deletions first
START_TIMEOUT_S = 90.0
DEVICES_S = 20.0
STEP_TIMEOUT_S = 20.0


class KioskFailed(RuntimeError):
    """The kiosk under test exited, or a session did not go as expected."""


def rss_mb(pid: int) -> float:
    """VmRSS of process `pid` in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise KioskFailed(f"no VmRSS for process {pid}")


class SimHost:
    """bench/sim_host.py in its own process, spoken to over its stdin/stdout."""

    def __init__(self, log: IO[bytes]) -> None:
        # From the repository: bench/ is not an installed package.
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.sim_host"], cwd=ROOT,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=log, text=True, encoding="utf-8")
        self.connections: dict[str, str] = self._read()

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise KioskFailed("the simulator host exited")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def ask(self, command: str) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self._read()

    def scan(self, text: str) -> None:
        if not self.ask(f"scan {text}").get("ok"):
            raise KioskFailed("the scanner simulator did not send the scan")

    def wait_documents(self, n: int, timeout: float) -> int:
        answer = self.ask(f"docs {n} {timeout}")
        if not answer.get("ok"):
            raise KioskFailed(f"slip {n} not printed: {answer.get('error')}")
        return int(answer["documents"])

    def close(self) -> None:
        try:
            self.ask("quit")
        except (OSError, ValueError, KioskFailed):
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()


class KioskLog:
    """Reads the kiosk's JSON log lines on a thread; counts session starts and idle
    resets, and remembers which devices came up."""

    def __init__(self, stream: IO[str], keep: Path) -> None:
        self._changed = threading.Condition()
        self.started = 0
        self.idle_resets = 0
        self.devices_up: set[str] = set()
        # The whole log, line by line, for the message of a failure.
        self._keep = keep.open("w", encoding="utf-8", buffering=1)
        self._stream = stream
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def close(self) -> None:
        """After the kiosk exited: the reader sees the end of its stderr."""
        self._thread.join(10)
        self._stream.close()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._keep.write(line)
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # Qt's own messages are plain text
            if not isinstance(entry, dict):
                continue
            message = str(entry.get("message", ""))
            with self._changed:
                if message == "session started":
                    self.started += 1
                elif message.startswith("session ended") and "idle" in message:
                    self.idle_resets += 1
                elif message.endswith(": idle"):  # a device reports it is ready
                    self.devices_up.add(message.rsplit(":", 1)[0])
                self._changed.notify_all()
        self._keep.close()
        with self._changed:
            self._changed.notify_all()

    def wait(self, condition: Callable[[], bool], timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(condition, timeout)



def _tail(path: Path, n: int = 80) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8").splitlines()[-n:])
    except OSError:
        return ""


def _queued_records(db: Path) -> int:
    """Verification records in the kiosk's outbox, read without writing to it."""
    if not db.exists():
        return 0
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return int(conn.execute("SELECT count(*) FROM outbox WHERE kind = 'invoice.verify'")
                   .fetchone()[0])
    finally:
        conn.close()


def _config(tmp: Path, devices: dict[str, str], central_port: int) -> Path:
    path = tmp / "kiosk.toml"
    path.write_text(f"""\
data_dir = "{tmp / 'data'}"
kiosk_id = "bench-rss"

[central]
urls = ["http://127.0.0.1:{central_port}"]

[ui]
test_timeouts = true
idle_reading_s = 0.2
idle_form_s = 5.0
countdown_s = 0

[devices.scanner]
kind = "serial_scanner"
connection = "{devices['scanner']}"
suffix = "\\r\\n"

[devices.receipt_printer]
kind = "receipt_printer"
connection = "{devices['printer']}"
profile = "default80"
""", encoding="utf-8")
    return path


def _invoice_qrs() -> list[str]:
    from central.verification import china_today
    from kiosk.simulation.demo import demo_qr_texts

    return [qr for label, qr in demo_qr_texts(china_today()) if "genuine" in label]


def measure(sessions: int = SESSIONS, *,
            progress: Callable[[int, float], None] | None = None) -> dict[str, float]:
    """Run `sessions` sessions (at least 10) against `kiosk run` and return the RSS
    figures. `progress(session, rss_mb)` is called every tenth of the run."""
    if sessions < 10:
        raise ValueError("sessions must be at least 10")
    early = sessions // 10
    checkpoints = {1, early, sessions}
    qrs = _invoice_qrs()
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-rss-") as d, \
            socket.socket() as refused:
        tmp = Path(d)
        # Bound, never listening: connections to it are refused, and no other program
        # can take the port while the bench runs.
        refused.bind(("127.0.0.1", 0))
        sim_log = (tmp / "sim_host.log").open("wb")
        sims = SimHost(sim_log)
        kiosk: subprocess.Popen[str] | None = None
        log: KioskLog | None = None
        log_path = tmp / "kiosk.log"
        try:
            cfg = _config(tmp, sims.connections, refused.getsockname()[1])
            kiosk = subprocess.Popen(
                [sys.executable, "-m", "kiosk", "--log-json", "run", "--config", str(cfg)],
                # faulthandler: a crash leaves the Python stacks in the log.
                cwd=tmp, env=dict(os.environ, QT_QPA_PLATFORM="offscreen",
                                  PYTHONFAULTHANDLER="1"),
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                text=True, encoding="utf-8", errors="replace")
            assert kiosk.stderr is not None
            log = klog = KioskLog(kiosk.stderr, log_path)
            proc = kiosk

            def alive() -> None:
                if proc.poll() is not None:
                    raise KioskFailed(f"the kiosk exited ({proc.returncode}):\n"
                                      + _tail(log_path))

            # Scan once both devices said they are up; should their log lines change,
            # after DEVICES_S anyway (the first session scans again until one starts).
            klog.wait(lambda: {"scanner", "receipt_printer"} <= klog.devices_up
                      or proc.poll() is not None, DEVICES_S)
            alive()
            time.sleep(START_SETTLE_S)
            alive()
            after_start = rss_mb(kiosk.pid)
            if progress is not None:
                progress(0, after_start)
            figures: dict[int, float] = {}
            outbox = tmp / "data" / "outbox.sqlite3"
            started_at = time.perf_counter()
            for n in range(1, sessions + 1):
                _one_session(n, qrs[n % len(qrs)], sims, klog, outbox, alive, first=n == 1)
                if n in checkpoints or (progress is not None and n % early == 0):
                    time.sleep(SETTLE_S)
                    rss = rss_mb(kiosk.pid)
                    if n in checkpoints:
                        figures[n] = rss
                    if progress is not None and n % early == 0:
                        progress(n, rss)
            elapsed = time.perf_counter() - started_at
        finally:
            if kiosk is not None:
                kiosk.terminate()
                try:
                    kiosk.wait(20)
                except subprocess.TimeoutExpired:
                    kiosk.kill()
                    kiosk.wait()
                if log is not None:
                    log.close()
            sims.close()
            sim_log.close()
    return {
        "rss_mb_after_start": after_start,
        "rss_mb_after_1_session": figures[1],
        f"rss_mb_after_{early}_sessions": figures[early],
        f"rss_mb_after_{sessions}_sessions": figures[sessions],
        "rss_growth_pct": round((figures[sessions] - figures[early]) / figures[early] * 100, 1),
        "rss_session_s": round(elapsed / sessions, 3),
    }


def _one_session(n: int, qr: str, sims: SimHost, log: KioskLog, outbox: Path,
                 alive: Callable[[], None], *, first: bool) -> None:
    """Session `n`: scan, queued record, printed slip, idle reset."""
    # The first scan may come while the core is still being attached to the window
    # (scans are dropped until then): scan again until a session starts.
    attempts = int(START_TIMEOUT_S / 3) if first else 1
    for _ in range(attempts):
        sims.scan(qr)
        if log.wait(lambda: log.started >= n, 3.0 if first else STEP_TIMEOUT_S):
            break
        alive()
    else:
        raise KioskFailed(f"session {n} did not start on a scan")
    sims.wait_documents(n, STEP_TIMEOUT_S)
    # The record is committed before the slip goes out.
    if _queued_records(outbox) != n:
        raise KioskFailed(f"session {n}: {_queued_records(outbox)} verifications queued")
    if not log.wait(lambda: log.idle_resets >= n, STEP_TIMEOUT_S):
        alive()
        raise KioskFailed(f"session {n} did not end by the idle reset")


def main(argv: list[str]) -> int:
    sessions = int(argv[0]) if argv else SESSIONS

    def progress(n: int, rss: float) -> None:
        print(f"session {n}: {rss} MiB", file=sys.stderr, flush=True)

    print(f"{'figure':34} {'measured':>9}  before #9's memory work")
    for key, value in measure(sessions, progress=progress).items():
        n = key.removeprefix("rss_mb_after_").split("_")[0]
        before = BASELINE.get(int(n)) if n.isdigit() else None
        print(f"{key:34} {value:>9}  {'' if before is None else before}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
