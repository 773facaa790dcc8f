"""A whole kiosk for integration tests: simulated hall (central service on loopback,
pty scanner, TCP printer), the Qt-free core, and the real main window offscreen."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from kiosk_ui_helpers import shown_window  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from kiosk.app import KioskCore  # noqa: E402
from kiosk.config import parse_config  # noqa: E402
from kiosk.simulation import SimulatedHall  # noqa: E402
from ui.idle import ManualClock  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[SimulatedHall]:
    h = SimulatedHall(tmp_path / "hall").start()
    yield h
    h.stop()


@pytest.fixture
def kiosk_settings() -> dict[str, Any]:
    """Extra top-level config tables for `core`; a test class overrides this fixture."""
    return {}


@pytest.fixture
def core(hall: SimulatedHall, tmp_path: Path,
         kiosk_settings: dict[str, Any]) -> Iterator[KioskCore]:
    base = parse_config({"data_dir": str(tmp_path / "kiosk"), "kiosk_id": "test-kiosk",
                         **kiosk_settings})
    base = replace(base, central=replace(base.central, offline_grace_s=0.0))
    c = KioskCore(hall.kiosk_config(base)).start(background_sync=False)
    yield c
    c.stop()


@pytest.fixture
def idle_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def window(qapp: QApplication, qtbot, core: KioskCore,  # type: ignore[no-untyped-def]
           idle_clock: ManualClock) -> Iterator[MainWindow]:
    with shown_window(qapp, qtbot, core, "zh", idle_clock) as w:
        yield w
