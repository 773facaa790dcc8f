"""A kiosk configured with a camera scanner beside its serial scanner: the window gives
the camera its Qt frame source when it gets the core, the camera shows in the device
manager with a real status (no camera on this machine: no_hardware, no crash), and
the serial scanner keeps scans flowing."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.base import DeviceState
from drivers.camera_scanner import CameraScanner
from drivers.errors import DeviceErrorCode
from kiosk.app import KioskCore
from kiosk.config import DeviceConfig, parse_config
from kiosk.simulation import SimulatedHall


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[SimulatedHall]:
    h = SimulatedHall(tmp_path / "hall").start()
    yield h
    h.stop()


def test_the_window_attaches_the_camera_and_its_status_shows(
        qapp, qtbot, hall: SimulatedHall, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtMultimedia import QMediaDevices

    from ui.i18n import Translations
    from ui.main_window import MainWindow

    if QMediaDevices.videoInputs():
        pytest.skip("this machine has a camera")
    base = parse_config({"data_dir": str(tmp_path / "kiosk"), "kiosk_id": "test-kiosk"})
    config = hall.kiosk_config(base)
    config = config.with_devices(config.devices + (
        DeviceConfig("camera", "camera_scanner", "camera://default",
                     {"health_interval_s": 0.2, "backoff_max_s": 0.5}),))
    core = KioskCore(config).start(background_sync=False)
    translations = Translations(qapp, default_language="zh")
    window = None
    try:
        camera = core.devices.get("camera")
        assert isinstance(camera, CameraScanner) and not camera.has_source
        window = MainWindow(core.config, translations, core=core, kiosk_mode=False)
        qtbot.addWidget(window)
        assert camera.has_source  # attached by attach_core, on the GUI thread
        qtbot.waitUntil(lambda: "no camera" in core.devices.status("camera").message,
                        timeout=8000)
        status = core.devices.status("camera")
        assert status.error is DeviceErrorCode.NO_HARDWARE
        assert status.state is DeviceState.OFFLINE and core.devices.report("camera").read_by_ui
        # The serial scanner still reads: scanning stays available.
        qtbot.waitUntil(lambda: core.devices.status("scanner").ok, timeout=5000)
        assert core.scanner_available()
    finally:
        core.stop()
        translations.uninstall()
