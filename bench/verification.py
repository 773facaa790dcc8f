"""Scan-to-result latency online and offline, the longest GUI-thread stall meanwhile,
enqueue latency with fsync, and slip printing time, through the real transports."""
from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import httpx

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QTimer
from PySide6.QtWidgets import QApplication


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def start_central_process(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "central", "--demo-data",
                             "--db", f"sqlite:///{tmp / 'central.sqlite3'}",
                             "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/v1/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the central service did not start")


class StallMeter:
    """A 2 ms GUI-thread timer; the longest gap beyond its interval is the worst stall."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(2)
        self.clock = QElapsedTimer()
        self.worst_ms = 0.0
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.worst_ms = 0.0
        self.clock.start()
        self.timer.start()

    def _tick(self) -> None:
        gap = self.clock.restart()
        self.worst_ms = max(self.worst_ms, float(gap) - 2.0)

    def stop(self) -> float:
        self.timer.stop()
        return self.worst_ms


def measure(samples: int = 30) -> dict[str, float]:
    from central.verification import china_today
    from kiosk.app import KioskCore
    from kiosk.config import parse_config
    from kiosk.simulation import SimulatedHall
    from kiosk.simulation.demo import demo_qr_texts
    from ui.i18n import Translations
    from ui.idle import ManualClock
    from ui.main_window import MainWindow
    from ui.ops import tracker

    app = QApplication.instance() or QApplication([])
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    # The central service runs in its own process, as in a hall: in-process it would
    # compete with the GUI thread for the GIL and distort the stall figure.
    central, central_url = start_central_process(tmp)
    hall = SimulatedHall(tmp / "hall", central_url=central_url).start()
    base = parse_config({"data_dir": str(tmp / "kiosk"), "kiosk_id": "bench-kiosk"})
    base = replace(base, central=replace(base.central, offline_grace_s=600.0))
    core = KioskCore(hall.kiosk_config(base)).start(background_sync=False)
    translations = Translations(app, default_language="zh")
    translations.reset()
    window = MainWindow(core.config, translations, core=core, idle_clock=ManualClock(), kiosk_mode=False)
    window.resize(1080, 1600)
    window.show()
    qrs = [qr for label, qr in demo_qr_texts(china_today()) if "genuine" in label]
    meter = StallMeter()

    def scan_to(screen: str, qr: str) -> float:
        window.show_screen("invoice.verify")
        app.processEvents()
        start = time.perf_counter()
        hall.scanner.scan(qr)
        while window.current_screen().screen_id != screen:
            app.processEvents()
            if time.perf_counter() - start > 10:
                raise TimeoutError(f"no {screen} screen")
        elapsed = (time.perf_counter() - start) * 1000
        tracker.wait_idle(10)
        return elapsed

    window.start_session()
    window.open_service("invoice.verify")  # the taxpayer taps the tile; then scans
    end = time.perf_counter() + 0.3
    while time.perf_counter() < end:
        app.processEvents()
    meter.start()
    online = [scan_to("invoice.verify.result", qrs[i % len(qrs)]) for i in range(samples)]
    online_stall = meter.stop()
    assert hall.network is not None
    hall.network.set_online(False)
    scan_to("invoice.verify.queued", qrs[0])  # the first offline call learns the link is down
    meter.start()
    offline = [scan_to("invoice.verify.queued", qrs[i % len(qrs)]) for i in range(samples)]
    offline_stall = meter.stop()
    hall.network.set_online(True)

    enqueue = []
    for i in range(300):
        start = time.perf_counter()
        core.outbox.enqueue("bench.noop", {"i": i})
        enqueue.append((time.perf_counter() - start) * 1000)

    from kiosk.domain import (
        VerificationOutcome,
        VerificationResult,
        parse_invoice_qr,
        query_from_qr,
    )

    query = query_from_qr(parse_invoice_qr(qrs[0]))
    result = VerificationResult(VerificationOutcome.GENUINE)
    prints = []
    for _ in range(10):
        start = time.perf_counter()
        core.slips.print_result(query, result, "zh")
        prints.append((time.perf_counter() - start) * 1000)

    window.close()
    window.shutdown()
    window.idle.uninstall()
    translations.uninstall()
    core.stop()
    hall.stop()
    central.terminate()
    central.wait(timeout=20)
    return {
        "scan_to_result_online_p95_ms": round(_p(online, 0.95), 1),
        "scan_to_result_offline_p95_ms": round(_p(offline, 0.95), 1),
        "gui_max_stall_ms": round(max(online_stall, offline_stall), 1),
        "enqueue_p50_ms": round(statistics.median(enqueue), 2),
        "enqueue_p99_ms": round(_p(enqueue, 0.99), 2),
        "slip_print_ms": round(statistics.median(prints), 1),
    }
