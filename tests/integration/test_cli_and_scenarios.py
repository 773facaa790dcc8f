"""The command line as operators and the acceptance checks use it: real subprocesses."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from central.server import CentralServer

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "tests" / "scenarios").glob("*.yaml"))
KIOSK = [sys.executable, "-m", "kiosk"]


def run(args: list[str], **kw) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"} | kw.pop("env", {})
    return subprocess.run(KIOSK + args, capture_output=True, text=True,
                          timeout=kw.pop("timeout", 240), env=env, cwd=kw.pop("cwd", ROOT), **kw)


# Every scenario runs, a few to a `kiosk scenario` process: one process for all of them
# would outlive any sensible timeout now that there are dozens, one each would pay the
# start-up dozens of times.
BATCH = 6
BATCHES = [SCENARIOS[i:i + BATCH] for i in range(0, len(SCENARIOS), BATCH)]


@pytest.mark.timeout(1200)
@pytest.mark.parametrize("batch", BATCHES, ids=[b[0].stem for b in BATCHES])
def test_all_scenarios_pass(batch: list[Path], tmp_path: Path) -> None:
    result = run(["scenario", *map(str, batch), "--screenshots", str(tmp_path)], timeout=1100)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("ok ") == len(batch)
    if any(s.stem == "online_verify" for s in batch):  # screenshots are real pictures
        assert (tmp_path / "online_verify" / "result_zh.png").stat().st_size > 10_000


def test_the_batches_cover_every_scenario() -> None:
    assert [s for b in BATCHES for s in b] == SCENARIOS and len(SCENARIOS) > 40


def test_a_failing_scenario_exits_non_zero_naming_the_step(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- tap: action.start\n- expect_screen: home\n- expect_text: 不存在的文字\n",
                   encoding="utf-8")
    result = run(["scenario", str(bad)])
    assert result.returncode != 0
    assert "step 3" in result.stdout and "不存在的文字" in result.stdout


def test_queue_status_json_and_sync(tmp_path: Path) -> None:
    with CentralServer(f"sqlite:///{tmp_path / 'c.db'}", demo_data=True) as central:
        cfg = tmp_path / "kiosk.toml"
        cfg.write_text(f'data_dir = "{tmp_path / "data"}"\n[central]\nurls = ["{central.url}"]\n',
                       encoding="utf-8")
        drill = run(["queue", "status", "--json", "--config", str(cfg)])
        assert drill.returncode == 0, drill.stderr
        status = json.loads(drill.stdout)
        assert {"pending", "oldest_pending_age_s", "acked", "rejected", "last_sync_at",
                "central_reachable", "kiosk_id"} <= set(status)
        assert status["pending"] == 0 and status["central_reachable"] is True
        synced = run(["queue", "sync"], env={"KIOSK_CONFIG": str(cfg)})
        assert synced.returncode == 0, synced.stderr
    # The central service is gone: sync says so and exits non-zero.
    down = run(["queue", "sync", "--config", str(cfg)])
    assert down.returncode != 0 and "unreachable" in down.stderr
    status = json.loads(run(["queue", "status", "--json", "--config", str(cfg)]).stdout)
    assert status["central_reachable"] is False


def test_bad_config_is_refused_with_the_reason(tmp_path: Path) -> None:
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text('[central]\nurls = ["http://127.0.0.1:1"]\n', encoding="utf-8")
    result = run(["queue", "status", "--config", str(cfg)])
    assert result.returncode == 2 and "data_dir" in result.stderr


def test_central_import_reports_bad_rows_by_line(tmp_path: Path) -> None:
    csv = tmp_path / "registry.csv"
    csv.write_text("type_code,code,number,issued_on,amount,total,check_code,status\n"
                   "04,044032500104,55510001,2025-03-01,100.00,103.00,11112222333344445555,normal\n"
                   "04,044032500104,55510002,2025-02-30,100.00,103.00,11112222333344445555,normal\n",
                   encoding="utf-8")
    result = run(["central", "--db", f"sqlite:///{tmp_path / 'c.db'}", "--import-invoices",
                  str(csv)])
    assert result.returncode == 0, result.stderr
    assert "imported 1" in result.stdout and "line 3" in result.stderr


def test_ready_is_sent_to_systemd_when_the_first_screen_shows(tmp_path: Path) -> None:
    """`kiosk run` under systemd Type=notify: READY=1 arrives on $NOTIFY_SOCKET."""
    sock_path = tmp_path / "notify.sock"
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'data_dir = "{tmp_path / "data"}"\n[central]\nurls = ["http://127.0.0.1:9"]\n',
                   encoding="utf-8")
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen", "NOTIFY_SOCKET": str(sock_path)}
    # Both `with`s close what they opened (the socket, the child's pipes) even when an
    # assertion fails: the suite treats a ResourceWarning as an error.
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(sock_path))
        sock.settimeout(60)
        with subprocess.Popen(KIOSK + ["run", "--config", str(cfg)], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as proc:
            try:
                message = sock.recv(256).decode()
                assert "READY=1" in message
                assert proc.poll() is None  # still running, serving the attract screen
            finally:
                proc.terminate()
                proc.wait(timeout=20)
    assert proc.returncode == 0  # SIGTERM is a clean shutdown


@pytest.mark.parametrize("args", [["--help"], ["scenario", "--help"], ["central", "--help"]])
def test_help(args: list[str]) -> None:
    assert run(args).returncode == 0


def test_run_without_a_display_serves_the_ui_over_vnc(tmp_path: Path) -> None:
    """`make run` on a headless machine: the kiosk says where to connect, and a VNC
    client there gets the RFB handshake."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY",
                                                          "QT_QPA_PLATFORM")}
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'data_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    with subprocess.Popen(KIOSK + ["run", "--simulate", "--config", str(cfg)], env=env,
                          cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True) as proc:
        _read_vnc_banner(proc)


def _read_vnc_banner(proc: subprocess.Popen[str]) -> None:
    """The child's first line names the VNC port; a client there gets the RFB banner."""
    import re

    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"VNC platform plugin on port (\d+)", line)
        assert match, line
        port = int(match.group(1))
        banner = b""
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                    banner = s.recv(12)
                break
            except OSError:
                import time

                time.sleep(0.2)
        assert banner.startswith(b"RFB ")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
