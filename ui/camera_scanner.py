"""Camera barcode scanner, the Qt side: QtMultimedia frames -> grayscale -> decoder
thread -> `scanned(str)` on the GUI thread.

QCamera -> QMediaCaptureSession -> QVideoSink; every frame arrives on the GUI thread
through `videoFrameChanged`. Work there is kept to a copy: cameras deliver YUV
(NV12, YUV420P, ...) whose luma plane already is the grayscale picture, so it is
copied straight out of the mapped frame; other formats go through QVideoFrame.toImage()
and a grayscale conversion. Frames are rate-limited (`max_fps`), then handed to
`drivers.camera_scanner.QrDecodeWorker`, whose one-slot mailbox drops stale frames.
Results come back over a queued signal, pass the 2-second duplicate filter and are
emitted as `scanned(payload)`.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import (
    QCamera, QCameraDevice, QMediaCaptureSession, QMediaDevices, QVideoFrame, QVideoFrameFormat,
    QVideoSink,
)

from drivers.camera_scanner import DuplicateFilter, Engine, GrayFrame, QrDecodeWorker

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


class CameraScanner(QObject):
    """Reads codes from a camera. `start()` / `stop()`; `scanned(str)` per new code;
    `failed(str)` when the camera cannot be used (no camera, camera error).

    `handle_frame()` / `handle_image()` are the frame entry points (the video sink
    calls the first); tests feed real frames through them without a camera.
    """

    scanned = Signal(str)
    failed = Signal(str)
    _results = Signal(list)  # worker thread -> GUI thread (queued)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        engine: Engine = "zxing",
        device: QCameraDevice | None = None,
        duplicate_window_s: float = 2.0,
        max_fps: float = 15.0,
        clock: Callable[[], float] = time.monotonic,
        symbologies: tuple[str, ...] = ("qrcode",),
    ) -> None:
        super().__init__(parent)
        self.setObjectName("device.camera_scanner")
        self.device = device
        self.max_fps = max_fps
        self.clock = clock
        self.frames_seen = 0
        self.frames_skipped = 0  # over the rate limit, or unusable
        self._last_submit: float | None = None
        self._filter = DuplicateFilter(duplicate_window_s, clock)
        self.worker = QrDecodeWorker(self._results.emit, engine, symbologies=symbologies,
                                     name="camera-qr-decode")
        self._results.connect(self._on_results, Qt.ConnectionType.QueuedConnection)
        self.sink = QVideoSink(self)
        self.sink.videoFrameChanged.connect(self.handle_frame)
        self.session = QMediaCaptureSession(self)
        self.session.setVideoSink(self.sink)
        self.camera: QCamera | None = None

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> bool:
        """Start the decoder and the camera; False (and `failed`) if there is none."""
        self.worker.start()
        device = self.device if self.device is not None else QMediaDevices.defaultVideoInput()
        if device.isNull():
            self.failed.emit("no camera found")
            return False
        camera = QCamera(device, self)
        camera.errorOccurred.connect(self._on_camera_error)
        self.session.setCamera(camera)
        self.camera = camera
        camera.start()
        return True

    def start_decoding(self) -> None:
        """The decoder without a camera (frames come from `handle_frame`)."""
        self.worker.start()

    def stop(self) -> None:
        if self.camera is not None:
            self.camera.stop()
            self.session.setCamera(None)  # type: ignore[arg-type]
            self.camera.deleteLater()
            self.camera = None
        self.worker.stop()

    def reset(self) -> None:
        """Session end: forget recent codes, so the next taxpayer's scan counts."""
        self._filter.reset()

    # -- frames -----------------------------------------------------------------------

    @Slot(QVideoFrame)
    def handle_frame(self, frame: QVideoFrame) -> None:
        self.frames_seen += 1
        if not self._due():
            return
        gray = gray_from_video_frame(frame)
        if gray is None:
            self.frames_skipped += 1
            return
        self.worker.submit(gray)

    def handle_image(self, image: QImage) -> None:
        self.frames_seen += 1
        if not self._due() or image.isNull():
            return
        self.worker.submit(gray_from_image(image))

    def _due(self) -> bool:
        """Rate limit, and nothing to do while the decoder is stopped."""
        if not self.worker.running:
            self.frames_skipped += 1
            return False
        now = self.clock()
        if self.max_fps > 0 and self._last_submit is not None \
                and now - self._last_submit < 1.0 / self.max_fps:
            self.frames_skipped += 1
            return False
        self._last_submit = now
        return True

    # -- results ----------------------------------------------------------------------

    @Slot(list)
    def _on_results(self, payloads: list) -> None:
        for payload in payloads:
            if self._filter.accept(payload):
                self.scanned.emit(payload)

    @Slot(QCamera.Error, str)
    def _on_camera_error(self, error: QCamera.Error, message: str) -> None:
        _log.warning("camera error %s: %s", error, message)
        self.failed.emit(message or "camera error")
