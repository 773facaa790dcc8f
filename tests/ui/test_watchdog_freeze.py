"""The watchdog (issue #14 §1): WATCHDOG=1 comes from the GUI thread only while its event
loop turns. A fake supervisor (kiosk.watchdog.NotifyListener, a real unix datagram
socket standing in for systemd) sees READY=1 and the pings of a real `kiosk run`, and,
in-process, sees the pings stop while the GUI thread is frozen on purpose and come back
after."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from pytestqt.qtbot import QtBot

from kiosk.watchdog import NotifyListener
from ui.notify import Watchdog

INTERVAL_MS = 50
FREEZE_S = 1.0


def test_pings_stop_while_the_gui_thread_is_frozen(qtbot: QtBot, tmp_path: Path,
                                                   monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with NotifyListener(tmp_path / "notify.sock") as supervisor:
        monkeypatch.setenv("NOTIFY_SOCKET", str(supervisor.path))
        stop = threading.Event()

        def collect() -> None:  # systemd's side runs on its own, like systemd
            while not stop.is_set():
                supervisor.receive(0.05)

        collector = threading.Thread(target=collect)
        collector.start()
        dog = Watchdog(interval_ms=INTERVAL_MS)
        try:
            assert dog.start()
            qtbot.wait(500)  # the loop turns: pings every 50 ms
            frozen_at = time.monotonic()
            time.sleep(FREEZE_S)  # the GUI thread hangs (the GIL is free meanwhile)
            thawed_at = time.monotonic()
            qtbot.wait(500)
        finally:
            dog.stop()
            stop.set()
            collector.join(5)
    pings = [t for t, m in supervisor.messages if m == "WATCHDOG=1"]
    before = [t for t in pings if t < frozen_at]
    during = [t for t in pings if frozen_at + 0.01 < t < thawed_at]
    after = [t for t in pings if t > thawed_at]
    assert len(before) >= 4, pings
    assert during == [], "a ping while the GUI thread was frozen"
    assert len(after) >= 4, "no pings after the GUI thread came back"
    # systemd with WatchdogSec=2*interval would have killed it: the longest silence.
    gaps = [b - a for a, b in zip(pings, pings[1:], strict=False)]
    assert max(gaps) >= FREEZE_S * 0.9


def test_real_kiosk_run_sends_ready_and_pings(tmp_path: Path) -> None:
    kiosk = str(Path(sys.executable).with_name("kiosk"))
    config = tmp_path / "kiosk.toml"
    config.write_text(f'data_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    with NotifyListener(tmp_path / "notify.sock") as supervisor:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
               "NOTIFY_SOCKET": str(supervisor.path), "WATCHDOG_USEC": "400000"}
        env.pop("WATCHDOG_PID", None)
        proc = subprocess.Popen([kiosk, "run", "--simulate", "--windowed", "--config",
                                 str(config)], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        try:
            assert supervisor.wait_for("READY=1", 60), "no READY=1"
            assert supervisor.wait_for("WATCHDOG=1", 5)
            assert supervisor.wait_for("WATCHDOG=1", 5)
            proc.send_signal(signal.SIGSTOP)  # the whole process hangs: silence
            time.sleep(0.2)
            while supervisor.receive(0.05) is not None:  # what was sent before the stop
                pass
            assert supervisor.receive(1.0) is None
            proc.send_signal(signal.SIGCONT)
            assert supervisor.wait_for("WATCHDOG=1", 5)
        finally:
            proc.send_signal(signal.SIGCONT)
            proc.terminate()
            _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
