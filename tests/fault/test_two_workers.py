"""Two sync workers started at once, in two fresh kiosk processes on one queue: the
file lock lets one send, the other reports another worker; a lock holder killed mid-
pass leaves no stale lock, and nothing is stored twice."""
from __future__ import annotations

import signal
import subprocess
import time

import pytest
from fault_helpers import FaultEnv, RunResult, _LineReader, record_result, start_fresh
from fault_proxy import FaultPlan

from offline_queue.sync_worker import ANOTHER_WORKER

READY_TIMEOUT_S = 60.0  # a fresh interpreter imports for over a second on a busy CI box


def start_pair(env: FaultEnv, mode: str) -> list[tuple[subprocess.Popen[str], _LineReader]]:
    pair = [start_fresh(env.run_args(mode, wait_go=True, batch=25, timeout=10)) for _ in range(2)]
    for _, reader in pair:
        assert reader.get(READY_TIMEOUT_S) == "ready"
    for proc, _ in pair:  # "go" to both as close together as two writes get
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    return pair


def collect(proc: subprocess.Popen[str], reader: _LineReader, timeout: float = 60.0
            ) -> RunResult:
    run = RunResult(pid=proc.pid)
    while (line := reader.get(timeout)) is not None:
        run.lines.append(line)
    run.exit_code = proc.wait(timeout)
    reader.close()
    if proc.stdin is not None:
        proc.stdin.close()
    run.signal = -run.exit_code if run.exit_code < 0 else 0
    return run


@pytest.mark.fault
def test_two_workers_started_at_once(env: FaultEnv) -> None:
    """Both wait for "go", then start a pass: one is turned away ("another sync
    worker"), and retries; the holder is SIGKILLed mid-pass; the kernel drops its lock,
    the survivor takes over and drains the queue."""
    # A backlog that takes a while to send (latency on every answer), so the two
    # passes overlap for certain.
    env.run_to_end("enqueue", count=300)
    env.proxy.set_plan(FaultPlan(latency_s=0.1))
    pair = start_pair(env, "sync-until-done")
    procs = dict(zip((proc.pid for proc, _ in pair), pair))
    runs = {pid: RunResult(pid=pid) for pid in procs}
    holder = None
    deadline = time.monotonic() + 30
    while holder is None and time.monotonic() < deadline:
        for pid, (_, reader) in procs.items():  # poll both without blocking on one
            try:
                line = reader.get(0.02)
            except TimeoutError:
                continue
            assert line is not None, runs[pid].lines
            runs[pid].lines.append(line)
            if line.startswith("R ") and ANOTHER_WORKER in line:
                # Turned away: the other one holds the lock and is mid-pass.
                holder = next(p for p in procs if p != pid)
                break
    assert holder is not None, "no second worker was ever turned away"
    procs[holder][0].send_signal(signal.SIGKILL)
    killed = collect(*procs[holder])
    killed.lines[:0] = runs[holder].lines
    assert killed.exit_code == -signal.SIGKILL
    assert "D" not in killed.lines  # it was killed mid-pass, not after finishing
    survivor_pid = next(p for p in procs if p != holder)
    survivor = collect(*procs[survivor_pid])
    survivor.lines[:0] = runs[survivor_pid].lines
    assert survivor.lines[-1] == "D" and survivor.reports[-1][4] == "0", survivor.lines
    assert not survivor.failures

    env.final_drain()
    report = env.audit()
    record_result("two-workers", cycles=1, report=report)
    assert report.ok, report.summary()
    assert report.acknowledged == 300
    # The holder had stored some batches before it died; the survivor sent the rest.
    sent_by_survivor = sum(int(r[0]) for r in survivor.reports)
    assert 0 < sent_by_survivor <= 300
