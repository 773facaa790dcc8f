"""The scenario runner's event pump must behave like the real event loop for memory:
a session reset rebuilds the screens with deleteLater(), and a pump that never runs
deferred deletions would keep every old screen alive (RSS grows per session)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from kiosk.scenario.runner import ScenarioSession


def test_session_resets_do_not_accumulate_widgets(tmp_path: Path) -> None:
    session = ScenarioSession(tmp_path, None, None)
    try:
        counts = []
        for _ in range(6):
            session.do_tap("action.start")
            session.do_open("invoice.verify")
            session.do_idle(10_000)  # past the idle limit and the countdown: a reset
            session.pump(0.05)
            counts.append(len(QApplication.allWidgets()))
        # The first reset may create lazily built widgets; after that the count is flat.
        assert counts[-1] <= counts[1], counts
    finally:
        session.close()
