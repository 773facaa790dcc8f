"""An uncaught exception anywhere in the kiosk is logged (redacted) and exits non-zero,
so systemd restarts it (kiosk.service: Restart=on-failure). Real subprocesses: the
hooks end the process."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from kiosk import log

PHONE = "13812345678"
ID_NUMBER = "11010519491231002X"

PRELUDE = """
import sys, threading, time
from kiosk import log
log.setup(json_lines=sys.argv[1] == "json")
log.install_crash_hooks()
"""


def run(body: str, mode: str = "plain") -> subprocess.CompletedProcess[str]:
    script = PRELUDE + textwrap.dedent(body)
    return subprocess.run([sys.executable, "-c", script, mode], capture_output=True,
                          text=True, timeout=60)


def assert_crashed(done: subprocess.CompletedProcess[str], thread: str) -> None:
    assert done.returncode == log.CRASH_EXIT, done.stderr
    assert f"uncaught RuntimeError on thread {thread}; exiting with status 70" in done.stderr
    assert "Traceback (most recent call last)" in done.stderr
    # The exception's text went through the redacting filter, traceback included.
    assert PHONE not in done.stderr and ID_NUMBER not in done.stderr
    assert "[phone]" in done.stderr and "[id-number]" in done.stderr
    assert "after the crash" not in done.stdout


def test_main_thread_crash_is_logged_and_exits_non_zero() -> None:
    done = run(f"""
        raise RuntimeError("caller {PHONE} with card {ID_NUMBER}")
        print("after the crash")
    """)
    assert_crashed(done, "MainThread")


def test_crash_on_another_thread_ends_the_process() -> None:
    # Python's default would print the thread's traceback and let the main thread go
    # on: a kiosk whose sync or device thread died would keep running half-broken.
    done = run(f"""
        def work():
            raise RuntimeError("caller {PHONE} with card {ID_NUMBER}")
        threading.Thread(target=work, name="worker").start()
        time.sleep(30)  # the crash ends the process long before
        print("after the crash")
    """)
    assert_crashed(done, "worker")


def test_crash_in_a_qt_slot_ends_the_event_loop() -> None:
    # PySide hands an exception raised in a slot to sys.excepthook and would carry on.
    done = run(f"""
        from PySide6.QtCore import QCoreApplication, QTimer
        app = QCoreApplication([])
        def slot():
            raise RuntimeError("caller {PHONE} with card {ID_NUMBER}")
        QTimer.singleShot(0, slot)
        QTimer.singleShot(30000, app.quit)
        app.exec()
        print("after the crash")
    """)
    assert_crashed(done, "MainThread")


def test_crash_log_is_one_json_line_with_log_json() -> None:
    done = run(f"""
        raise RuntimeError("caller {PHONE} with card {ID_NUMBER}")
    """, mode="json")
    assert done.returncode == log.CRASH_EXIT, done.stderr
    entries = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    crash = [e for e in entries if e["category"] == "crash"]
    assert len(crash) == 1, done.stderr
    assert crash[0]["level"] == "critical"
    assert "RuntimeError: caller [phone] with card [id-number]" in crash[0]["traceback"]
    assert PHONE not in done.stderr and ID_NUMBER not in done.stderr


def test_a_thread_that_exits_on_purpose_is_no_crash() -> None:
    done = run("""
        def work():
            sys.exit(0)
        t = threading.Thread(target=work)
        t.start()
        t.join()
        print("still running")
    """)
    assert done.returncode == 0, done.stderr
    assert "still running" in done.stdout
    assert "uncaught" not in done.stderr


def test_the_launcher_installs_the_hooks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # No display and no platform: `kiosk run` refuses to start (exit 3), after the hooks
    # went in. The conftest puts the previous hooks back after the test.
    from kiosk.config import parse_config
    from kiosk.launcher import run_kiosk

    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    before = (sys.excepthook, threading.excepthook)
    config = parse_config({"data_dir": str(tmp_path)})
    assert run_kiosk(config, simulate=False, windowed=True) == 3
    assert sys.excepthook is not before[0]
    assert threading.excepthook is not before[1]
    assert sys.excepthook.__module__ == threading.excepthook.__module__ == "kiosk.log"
