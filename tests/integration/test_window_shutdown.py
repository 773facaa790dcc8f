"""The kiosk's exit: the window's background reads end before the core stops, so a read
in flight is not cut off by a closed outbox (it was, and logged an error every exit)."""
from __future__ import annotations

import logging
import threading
from typing import Any

import pytest

from kiosk.app import KioskCore
from offline_queue.outbox import QueueStatus
from ui.main_window import MainWindow
from ui.ops import tracker


def _held_status(core: KioskCore) -> tuple[threading.Event, threading.Event, list[QueueStatus]]:
    """The outbox's real status read, held at its start until `release` is set."""
    started, release = threading.Event(), threading.Event()
    results: list[QueueStatus] = []
    real = core.outbox.status

    def held() -> QueueStatus:
        started.set()
        release.wait(10)
        results.append(real())
        return results[-1]

    core.outbox.status = held  # type: ignore[method-assign]
    return started, release, results


def test_a_status_read_in_flight_finishes_before_the_core_stops(
        window: MainWindow, core: KioskCore, qtbot: Any,
        caplog: pytest.LogCaptureFixture) -> None:
    tracker.wait_idle()
    started, release, results = _held_status(core)
    window.refresh_queue_status()  # the banner's read, on a pool thread
    assert started.wait(10)
    threading.Timer(0.1, release.set).start()  # the read goes on while shutdown waits
    with caplog.at_level(logging.ERROR):
        window.shutdown()
        core.stop()
        qtbot.wait(50)  # deliver what the read queued for the GUI thread
    assert len(results) == 1  # it read the open outbox
    assert "background operation failed" not in caplog.text


def test_after_shutdown_the_banner_reads_nothing_more(
        window: MainWindow, core: KioskCore) -> None:
    tracker.wait_idle()
    window.shutdown()
    calls: list[int] = []
    real = core.outbox.status
    core.outbox.status = lambda: calls.append(1) or real()  # type: ignore[method-assign]
    window.refresh_queue_status()
    tracker.wait_idle()
    assert calls == []
    assert not window._queue_timer.isActive()  # the 30 s refresh is off too


def test_a_window_that_outlives_its_core_reads_nothing(
        window: MainWindow, core: KioskCore, caplog: pytest.LogCaptureFixture) -> None:
    """A window still alive after its core stopped (a test's, until Qt deletes it):
    its banner refresh (the 30 s timer, a queued signal) reads nothing."""
    tracker.wait_idle()
    core.stop()
    with caplog.at_level(logging.ERROR):
        window.refresh_queue_status()
        tracker.wait_idle()
    assert "background operation failed" not in caplog.text
