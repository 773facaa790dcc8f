"""Cold start: process start -> first screen shown and interactive (READY=1 on
$NOTIFY_SOCKET), for the kiosk and for a bare PySide6 window in the same run."""
from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE_WINDOW = r"""
import os, socket, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(sys.argv)
w = QLabel("bare window")
w.show()
def ready():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.sendto(b"READY=1", os.environ["NOTIFY_SOCKET"])
QTimer.singleShot(0, ready)
QTimer.singleShot(0, lambda: None)
app.exec()
"""


def _time_until_ready(cmd: list[str], env: dict[str, str], tmp: Path) -> float:
    sock_path = tmp / f"notify-{time.monotonic_ns()}.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(sock_path))
    sock.settimeout(60)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env | {"NOTIFY_SOCKET": str(sock_path)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while b"READY=1" not in sock.recv(256):
            pass
        return time.perf_counter() - start
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        sock.close()


def measure(runs: int = 3) -> dict[str, float]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        cfg = tmp / "kiosk.toml"
        cfg.write_text(f'data_dir = "{tmp / "data"}"\n[central]\nurls = ["http://127.0.0.1:9"]\n',
                       encoding="utf-8")
        kiosk = [sys.executable, "-m", "kiosk", "run", "--config", str(cfg)]
        bare = [sys.executable, "-c", BARE_WINDOW]
        _time_until_ready(kiosk, env, tmp)  # warm the page cache for both
        _time_until_ready(bare, env, tmp)
        k = [_time_until_ready(kiosk, env, tmp) for _ in range(runs)]
        b = [_time_until_ready(bare, env, tmp) for _ in range(runs)]
    return {"cold_start_s": round(statistics.median(k), 3),
            "cold_start_baseline_s": round(statistics.median(b), 3)}
