"""The memory bench's harness (bench/rss.py, `python -m bench --only rss`) on a short
run: `kiosk run` in its own process, the scanner and printer simulators in another,
every session a queued verification with its printed slip and an idle reset.

Only that the harness works and reports RSS is asserted: memory and timing figures are
judged by `make bench` on a quiet machine, not by the test suite.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SESSIONS = 40


def test_rss_bench_runs_sessions_against_kiosk_run_and_reports_rss(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    # From a scratch folder: the results file goes there, not into the checkout.
    done = subprocess.run([sys.executable, "-m", "bench", "--only", "rss",
                           "--sessions", str(SESSIONS)],
                          cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=110, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((tmp_path / "bench-results.json").read_text())
    early = SESSIONS // 10
    for key in ("rss_mb_after_1_session", f"rss_mb_after_{early}_sessions",
                f"rss_mb_after_{SESSIONS}_sessions"):
        assert isinstance(results[key], float) and results[key] > 0, key
    assert "rss_growth_pct" in results
    assert f"rss_mb_after_{SESSIONS}_sessions" in done.stdout  # the printed table
    # Progress every tenth of the run, on stderr.
    assert f"rss: session {SESSIONS}:" in done.stderr


def test_unknown_bench_group_is_refused(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "bench", "--only", "nope"],
                          cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 2
    assert "unknown group(s): nope" in done.stderr
    assert not (tmp_path / "bench-results.json").exists()
