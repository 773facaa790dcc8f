"""The camera scanner as a supervised device: built from the config like every scanner,
its codes reach the same scan callback, its status shows in the manager. Frames are
QR codes rendered into camera-like pictures and replayed by a frame source thread
through the real decode path; the Qt frame source is tested on a machine without a
camera (CI has none): no_hardware, never a crash."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from drivers.base import DeviceState
from drivers.camera_scanner import CameraScanner, FrameSink, GrayFrame
from drivers.errors import DeviceError, DeviceErrorCode
from drivers.manager import DefaultDriverFactory, DeviceManager
from kiosk.config import DeviceConfig
from tests.drivers.test_camera_decode import CHINESE, camera_frame, qr_image


def wait_for(predicate: Callable[[], bool], timeout: float = 8.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


class ReplayCamera:
    """A FrameSource that plays rendered frames at ~50 fps on its own thread, like a
    camera; `present=False` is a machine without that camera, `frozen` a camera that
    stops delivering (taken by another program, unplugged mid-stream)."""

    def __init__(self, frames: list[GrayFrame], present: bool = True) -> None:
        self.frames = frames
        self.present = present
        self.frozen = threading.Event()
        self.started: list[str] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, selector: str, sink: FrameSink) -> None:
        if not self.present:
            raise DeviceError(DeviceErrorCode.NO_HARDWARE, f"no camera {selector!r} found")
        self.stop()
        self.started.append(selector)
        self._stop = stop = threading.Event()
        self._thread = threading.Thread(target=self._play, args=(sink, stop), daemon=True)
        self._thread.start()

    def _play(self, sink: FrameSink, stop: threading.Event) -> None:
        i = 0
        while not stop.wait(0.02):
            if self.frozen.is_set():
                continue
            if sink.frame_due():
                sink.submit_frame(self.frames[i % len(self.frames)])
            i += 1

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(1.0)
            self._thread = None


@pytest.fixture(scope="module")
def frames() -> list[GrayFrame]:
    # A code in view for a moment, then an empty scene (the taxpayer moves on).
    coded = GrayFrame.from_pil(camera_frame(qr_image(CHINESE), angle=8.0))
    empty = GrayFrame.from_pil(camera_frame())
    return [coded] * 3 + [empty] * 3


def manager(devices: list[DeviceConfig], on_scan: Callable[[str], None] | None = None,
            source: ReplayCamera | None = None) -> DeviceManager:
    kwargs = {"camera_scanner": {"frame_source": source}} if source is not None else {}
    factory = DefaultDriverFactory(on_scan=on_scan, driver_kwargs=kwargs,
                                   backoff_start_s=0.05, backoff_max_s=0.2)
    return DeviceManager(devices, factory, health_interval_s=0.1, health_timeout_s=2.0,
                         backoff_start_s=0.05, backoff_max_s=0.2)


def camera_cfg(**options: object) -> DeviceConfig:
    return DeviceConfig("camera", "camera_scanner", "camera://0",
                        {"max_fps": 20, "stall_s": 0.5, **options})


def test_camera_scans_reach_the_scan_callback_and_its_status_shows(frames) -> None:  # type: ignore[no-untyped-def]
    scans: list[str] = []
    source = ReplayCamera(frames)
    with manager([camera_cfg()], scans.append, source) as mgr:
        assert isinstance(mgr.get("camera"), CameraScanner)
        assert wait_for(lambda: mgr.status("camera").state is DeviceState.IDLE)
        assert source.started == ["0"]  # camera://0: the first camera
        assert wait_for(lambda: CHINESE in scans)
        time.sleep(0.3)  # the same code held in view is one scan, not twenty a second
        assert scans.count(CHINESE) == 1
        report = mgr.report("camera")
        assert report.ok and report.supervised and report.read_by_ui
        assert report.counters.opens == 1 and report.driver_statistics["scans"] >= 1
        assert report.to_json_dict()["kind"] == "camera_scanner"

        source.frozen.set()  # the camera stops delivering
        assert wait_for(lambda: mgr.status("camera").error is DeviceErrorCode.TIMEOUT)
        assert mgr.status("camera").state is DeviceState.OFFLINE
        source.frozen.clear()  # reopened with backoff, no restart
        assert wait_for(lambda: mgr.status("camera").ok)
        assert mgr.report("camera").counters.reconnects == 1 and len(source.started) >= 2
    assert mgr.status("camera").state is DeviceState.CLOSED


def test_no_camera_is_no_hardware_and_keeps_trying(frames) -> None:  # type: ignore[no-untyped-def]
    source = ReplayCamera(frames, present=False)
    with manager([camera_cfg()], source=source) as mgr:
        assert wait_for(lambda: mgr.status("camera").error is DeviceErrorCode.NO_HARDWARE)
        status = mgr.status("camera")
        assert status.state is DeviceState.OFFLINE and "no camera" in status.message
        source.present = True  # plugged in later
        assert wait_for(lambda: mgr.status("camera").ok)


def test_without_a_frame_source_the_camera_waits_for_the_window(frames) -> None:  # type: ignore[no-untyped-def]
    scans: list[str] = []
    mgr = manager([camera_cfg()], scans.append).start()
    try:
        assert wait_for(lambda: mgr.status("camera").error is DeviceErrorCode.NO_HARDWARE)
        assert "kiosk window" in mgr.status("camera").message
        camera = mgr.get("camera")
        assert isinstance(camera, CameraScanner)
        camera.attach_source(ReplayCamera(frames))  # what the window does on the GUI thread
        mgr.wake("camera")
        assert wait_for(lambda: mgr.status("camera").ok, 2.0)
        assert wait_for(lambda: scans == [CHINESE])
    finally:
        mgr.close_all()


def test_the_qt_source_without_a_camera_reports_no_hardware(qapp, qtbot) -> None:  # type: ignore[no-untyped-def]
    """The window's real frame source, started from the manager's thread: the camera
    lookup runs on the GUI thread and the answer comes back within the deadline."""
    from PySide6.QtMultimedia import QMediaDevices

    from ui.camera_scanner import attach_camera_sources

    if QMediaDevices.videoInputs():
        pytest.skip("this machine has a camera")
    mgr = manager([camera_cfg()]).start()
    try:
        sources = attach_camera_sources(mgr)
        assert len(sources) == 1 and attach_camera_sources(mgr) == []  # attached once
        qtbot.waitUntil(lambda: "camera '0'" in mgr.status("camera").message, timeout=5000)
        status = mgr.status("camera")
        assert status.error is DeviceErrorCode.NO_HARDWARE and status.state is DeviceState.OFFLINE
    finally:
        mgr.close_all()
