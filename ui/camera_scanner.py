"""Camera barcode scanner, the Qt side: the frame source of `drivers.camera_scanner`.

The device (`drivers.camera_scanner.CameraScanner`, kind `camera_scanner`) is built
and supervised by the device manager like every scanner, and its codes go to the same
scan callback. QtMultimedia must run on the GUI thread, so the frames come from here:
`attach_camera_sources(manager, parent)` (called by the window when it gets the core)
gives each camera device a `QtCameraSource`.

QCamera -> QMediaCaptureSession -> QVideoSink; every frame arrives on the GUI thread
through `videoFrameChanged`. Work there is kept to a copy, and only for frames the
device's rate limit wants: cameras deliver YUV (NV12, YUV420P, ...) whose luma plane
already is the grayscale picture, so it is copied straight out of the mapped frame;
other formats go through QVideoFrame.toImage() and a grayscale conversion. The device
decodes on its own thread (a one-slot mailbox drops stale frames).
"""
from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import (
    QCamera,
    QCameraDevice,
    QMediaCaptureSession,
    QMediaDevices,
    QVideoFrame,
    QVideoFrameFormat,
    QVideoSink,
)

from drivers.camera_scanner import CameraScanner, FrameSink, GrayFrame
from drivers.errors import DeviceError, DeviceErrorCode

if TYPE_CHECKING:
    from drivers.manager import DeviceManager

_log = logging.getLogger("ui.camera_scanner")

_PF = QVideoFrameFormat.PixelFormat
# Formats whose plane 0 is 8-bit luma: the grayscale frame, without conversion.
LUMA_PLANE_FORMATS = frozenset({_PF.Format_NV12, _PF.Format_NV21, _PF.Format_YUV420P,
                                _PF.Format_YUV422P, _PF.Format_YV12, _PF.Format_IMC1,
                                _PF.Format_IMC2, _PF.Format_IMC3, _PF.Format_IMC4,
                                _PF.Format_Y8})


def gray_from_image(image: QImage) -> GrayFrame:
    """A QImage as a grayscale frame (one copy of the pixels, row padding kept)."""
    gray = image if image.format() == QImage.Format.Format_Grayscale8 \
        else image.convertToFormat(QImage.Format.Format_Grayscale8)
    data = bytes(gray.constBits())[: gray.sizeInBytes()]
    return GrayFrame(data, gray.width(), gray.height(), gray.bytesPerLine())


def gray_from_video_frame(frame: QVideoFrame) -> GrayFrame | None:
    """A camera frame as grayscale: the luma plane if there is one, else via QImage.
    None for an invalid or unmappable frame."""
    if not frame.isValid():
        return None
    if frame.pixelFormat() in LUMA_PLANE_FORMATS:
        if frame.map(QVideoFrame.MapMode.ReadOnly):
            try:
                bits = frame.bits(0)
                stride = frame.bytesPerLine(0)
                height = frame.height()
                if bits is not None and stride >= frame.width():
                    data = bytes(bits[: stride * height])
                    return GrayFrame(data, frame.width(), height, stride)
            finally:
                frame.unmap()
    image = frame.toImage()
    if image.isNull():
        return None
    return gray_from_image(image)


def find_camera(selector: str) -> QCameraDevice | None:
    """The camera a connection names: "default", an index into the cameras Qt lists,
    or a device id (camera:///dev/video0) or description. None if there is none."""
    if selector == "default":
        device = QMediaDevices.defaultVideoInput()
        return None if device.isNull() else device
    cameras = QMediaDevices.videoInputs()
    if selector.isdigit():
        index = int(selector)
        return cameras[index] if index < len(cameras) else None
    for camera in cameras:
        if bytes(camera.id().data()).decode(errors="replace") == selector \
                or camera.description() == selector:
            return camera
    return None


class QtCameraSource(QObject):
    """A `drivers.camera_scanner.FrameSource` on QtMultimedia; lives on the GUI thread.

    `start()` and `stop()` may come from the device manager's threads: the camera is
    created, started and stopped on the GUI thread, and `start()` waits up to
    `start_timeout_s` for the answer (no such camera: DeviceError no_hardware).
    `handle_frame()` / `handle_image()` are the frame entry points (the video sink
    calls the first); tests feed real frames through them without a camera.
    """

    _start_requested = Signal(str, object, object)  # selector, sink, reply box
    _stop_requested = Signal()

    def __init__(self, parent: QObject | None = None, *, start_timeout_s: float = 5.0) -> None:
        super().__init__(parent)
        self.setObjectName("device.camera_source")
        self.start_timeout_s = start_timeout_s
        self.frames_seen = 0
        self.frames_unusable = 0
        self._sink: FrameSink | None = None
        self.camera: QCamera | None = None
        self.video_sink = QVideoSink(self)
        self.video_sink.videoFrameChanged.connect(self.handle_frame)
        self.session = QMediaCaptureSession(self)
        self.session.setVideoSink(self.video_sink)
        self._start_requested.connect(self._start_here, Qt.ConnectionType.QueuedConnection)
        self._stop_requested.connect(self._stop_here, Qt.ConnectionType.QueuedConnection)

    # -- FrameSource ----------------------------------------------------------------------

    def start(self, selector: str, sink: FrameSink) -> None:
        reply: dict[str, object] = {}
        if QThread.currentThread() is self.thread():
            self._start_here(selector, sink, reply)
        else:
            reply["done"] = done = threading.Event()
            self._start_requested.emit(selector, sink, reply)
            if not done.wait(self.start_timeout_s):
                raise DeviceError(DeviceErrorCode.TIMEOUT,
                                  f"the kiosk window did not start camera {selector} within "
                                  f"{self.start_timeout_s:g} s")
        error = reply.get("error")
        if isinstance(error, DeviceError):
            raise error

    def stop(self) -> None:
        self._sink = None  # frames already queued go nowhere
        if QThread.currentThread() is self.thread():
            self._stop_here()
        else:
            self._stop_requested.emit()

    @Slot(str, object, object)
    def _start_here(self, selector: str, sink: FrameSink, reply: dict[str, object]) -> None:
        try:
            self._stop_here()
            device = find_camera(selector)
            if device is None:
                reply["error"] = DeviceError(DeviceErrorCode.NO_HARDWARE,
                                             f"no camera {selector!r} found")
                return
            camera = QCamera(device, self)
            camera.errorOccurred.connect(self._on_camera_error)
            self.session.setCamera(camera)
            self.camera = camera
            self._sink = sink
            camera.start()
        finally:
            done = reply.get("done")
            if isinstance(done, threading.Event):
                done.set()

    @Slot()
    def _stop_here(self) -> None:
        camera, self.camera = self.camera, None
        if camera is not None:
            camera.stop()
            self.session.setCamera(None)  # type: ignore[arg-type]
            camera.deleteLater()

    # -- frames -------------------------------------------------------------------------

    def attach_sink(self, sink: FrameSink | None) -> None:
        """Feed `sink` without a camera (frames come from `handle_frame`/`handle_image`)."""
        self._sink = sink

    @Slot(QVideoFrame)
    def handle_frame(self, frame: QVideoFrame) -> None:
        self.frames_seen += 1
        sink = self._sink
        if sink is None or not sink.frame_due():
            return
        gray = gray_from_video_frame(frame)
        if gray is None:
            self.frames_unusable += 1
            return
        sink.submit_frame(gray)

    def handle_image(self, image: QImage) -> None:
        self.frames_seen += 1
        sink = self._sink
        if sink is None or not sink.frame_due():
            return
        if image.isNull():
            self.frames_unusable += 1
            return
        sink.submit_frame(gray_from_image(image))

    @Slot(QCamera.Error, str)
    def _on_camera_error(self, error: QCamera.Error, message: str) -> None:
        _log.warning("camera error %s: %s", error, message)
        sink = self._sink
        if sink is not None:
            sink.source_failed(DeviceErrorCode.OFFLINE, message or "camera error")


def attach_camera_sources(manager: DeviceManager | None,
                          parent: QObject | None = None) -> list[QtCameraSource]:
    """Give every camera scanner the manager built a Qt frame source (call on the GUI
    thread), and have the manager open it now rather than at its next retry."""
    sources: list[QtCameraSource] = []
    if manager is None:
        return sources
    for name in manager.names():
        device = manager.get(name)
        if isinstance(device, CameraScanner) and not device.has_source:
            source = QtCameraSource(parent)
            device.attach_source(source)
            manager.wake(name)
            sources.append(source)
    return sources
