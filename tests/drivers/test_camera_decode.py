"""Camera barcode scanning: the Qt-free decoder on generated 1280x720 frames (noise,
rotation, Chinese payloads, both engines), the decode thread's one-slot mailbox, and
the camera device fed by the Qt frame source with real QImage / QVideoFrame objects (no
camera needed)."""
import random

import pytest
import qrcode
from PIL import Image, ImageFilter, ImageOps

from drivers.camera_scanner import (
    DuplicateFilter,
    GrayFrame,
    QrDecodeWorker,
    decode_frame,
    decode_payload,
)

ENGINES = ["zxing", "pyzbar"]
CHINESE = "发票查验 01,10,044031900111,12345678,1130.00,20240101,12345678901234567890,A1B2"


def qr_image(payload, *, encoding="utf-8", box=5):
    qr = qrcode.QRCode(border=4, box_size=box, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(payload.encode(encoding))
    qr.make(fit=True)
    return qr.make_image().get_image().convert("L")


def camera_frame(*codes, angle=0.0, noise=0.2, blur=0.8, seed=1, size=(1280, 720)):
    """A grey scene with white cards carrying codes, camera noise and a little blur."""
    rng = random.Random(seed)
    frame = Image.new("L", size, 150)
    x = 80
    for code in codes:
        card = code.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
        frame.paste(card, (x, rng.randint(40, max(41, size[1] - card.height - 40))))
        x += card.width + 60
    if noise:
        frame = Image.blend(frame, Image.effect_noise(size, 40), noise)
    if blur:
        frame = frame.filter(ImageFilter.GaussianBlur(blur))
    return frame


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("angle", [0.0, 12.0, 90.0, 205.0])
def test_chinese_utf8_payload_in_a_noisy_rotated_frame(engine, angle):
    frame = camera_frame(qr_image(CHINESE), angle=angle)
    assert frame.size == (1280, 720)
    assert decode_frame(frame, engine) == [CHINESE]


@pytest.mark.parametrize("engine", ENGINES)
def test_gb18030_payload_comes_out_right(engine):
    """Older Chinese generators write GB18030 without an ECI marker: zbar would guess
    Shift-JIS and zxing ISO-8859-1; the raw bytes are decoded here instead."""
    frame = camera_frame(qr_image(CHINESE, encoding="gb18030"), angle=7.0)
    assert decode_frame(frame, engine) == [CHINESE]


@pytest.mark.parametrize("engine", ENGINES)
def test_raw_gray_bytes_with_row_padding(engine):
    image = camera_frame(qr_image("TAXKIOSK:VERIFY:0f8e"), angle=3.0)
    w, h = image.size
    raw = image.tobytes()
    padded = b"".join(raw[r * w:(r + 1) * w] + b"\x00" * 64 for r in range(h))
    assert decode_frame(GrayFrame(padded, w, h, w + 64), engine) == ["TAXKIOSK:VERIFY:0f8e"]
    assert decode_frame(GrayFrame.from_pil(image), engine) == ["TAXKIOSK:VERIFY:0f8e"]


@pytest.mark.parametrize("engine", ENGINES)
def test_two_codes_and_no_code(engine):
    frame = camera_frame(qr_image("A-1"), qr_image("收款码 B-2"))
    assert sorted(decode_frame(frame, engine)) == sorted(["A-1", "收款码 B-2"])
    assert decode_frame(camera_frame(), engine) == []


@pytest.mark.parametrize("engine", ENGINES)
def test_code128_only_when_asked(engine):
    import barcode
    from barcode.writer import ImageWriter

    bars = barcode.get("code128", "TAX-2024-0001", writer=ImageWriter()).render(
        {"module_width": 0.4, "module_height": 12, "dpi": 200, "write_text": False}).convert("L")
    frame = camera_frame(ImageOps.expand(bars, border=40, fill=255))  # a label's quiet zone
    assert decode_frame(frame, engine) == []
    assert decode_frame(frame, engine, symbologies=("qrcode", "code128")) == ["TAX-2024-0001"]


def test_bad_arguments():
    with pytest.raises(ValueError):
        decode_frame(Image.new("L", (10, 10)), "opencv")
    with pytest.raises(ValueError):
        decode_frame(Image.new("L", (10, 10)), symbologies=("pdf417",))
    with pytest.raises(ValueError):
        GrayFrame(b"\x00" * 10, 4, 4)


def test_payload_decoding_order():
    assert decode_payload("发票".encode()) == "发票"
    assert decode_payload("发票".encode("gb18030")) == "发票"
    assert decode_payload(b"plain") == "plain"
    assert decode_payload(b"\xff\xfe\xfd", fallback="engine text") == "engine text"


def test_duplicates_are_suppressed_for_two_seconds():
    now = [100.0]
    dup = DuplicateFilter(2.0, clock=lambda: now[0])
    assert dup.accept("A")
    now[0] += 1.0
    assert not dup.accept("A")  # still in front of the camera
    assert dup.accept("B")
    now[0] += 1.5
    assert not dup.accept("A")  # seen 1.5 s ago: the same scan
    now[0] += 2.0
    assert dup.accept("A")  # out of sight for 2 s: a new scan
    dup.reset()
    assert dup.accept("A")


@pytest.mark.parametrize("engine", ENGINES)
def test_worker_keeps_only_the_newest_frame(engine):
    results = []
    worker = QrDecodeWorker(results.extend, engine).start()
    try:
        frames = [GrayFrame.from_pil(camera_frame(qr_image(f"FRAME-{i}"), seed=i, noise=0, blur=0))
                  for i in range(12)]
        for frame in frames:
            worker.submit(frame)
        assert worker.wait_idle(10)
        assert results[-1] == "FRAME-11"  # the last frame is never dropped
        assert worker.frames_submitted == 12
        assert worker.frames_decoded + worker.frames_dropped == 12
        assert len(results) == worker.frames_decoded
        assert worker.frames_dropped > 0
    finally:
        worker.stop()
    assert not worker.running


def test_worker_survives_a_failing_callback():
    def explode(_):
        raise RuntimeError("listener bug")

    worker = QrDecodeWorker(explode).start()
    try:
        worker.submit(camera_frame(qr_image("X")))
        assert worker.wait_idle(5)
        worker.submit(camera_frame(qr_image("Y")))
        assert worker.wait_idle(5)
        assert worker.frames_decoded == 2
    finally:
        worker.stop()


# -- the Qt adapter, fed with real frames ---------------------------------------------

def to_qimage(image):
    from PySide6.QtGui import QImage

    rgb = image.convert("RGB")
    return QImage(rgb.tobytes(), rgb.width, rgb.height, rgb.width * 3,
                  QImage.Format.Format_RGB888).copy()


def nv12_frame(image):
    """A camera-style NV12 QVideoFrame whose luma plane is `image`."""
    from PySide6.QtCore import QSize
    from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat

    fmt = QVideoFrameFormat(QSize(image.width, image.height), QVideoFrameFormat.PixelFormat.Format_NV12)
    frame = QVideoFrame(fmt)
    assert frame.map(QVideoFrame.MapMode.WriteOnly)
    stride, luma = frame.bytesPerLine(0), image.tobytes()
    y_plane = frame.bits(0)
    for r in range(image.height):
        y_plane[r * stride:r * stride + image.width] = luma[r * image.width:(r + 1) * image.width]
    uv = frame.bits(1)
    uv[:] = b"\x80" * len(uv)
    frame.unmap()
    return frame


class Scans(list):
    """The device's on_scan: collects codes (called on the decoder thread)."""


@pytest.fixture
def scanner(qapp):
    """The camera device fed by the Qt frame source (no camera: frames are handed in)."""
    from drivers.camera_scanner import CameraScanner
    from ui.camera_scanner import QtCameraSource

    class HandFed:
        """A FrameSource whose frames the test hands to the Qt source's entry points."""

        def start(self, selector, sink):
            qt_source.attach_sink(sink)

        def stop(self):
            qt_source.attach_sink(None)

    now = [0.0]
    scans = Scans()
    qt_source = QtCameraSource()
    device = CameraScanner("camera://default", on_scan=scans.append, max_fps=15,
                           frame_source=HandFed(), clock=lambda: now[0])
    device.open()
    device.now, device.scans, device.source = now, scans, qt_source
    yield device
    device.close()


def _wait_for(qtbot, predicate):
    qtbot.waitUntil(predicate, timeout=5000)


def test_adapter_reads_a_qimage_video_frame(scanner, qtbot):
    from PySide6.QtMultimedia import QVideoFrame

    frame = QVideoFrame(to_qimage(camera_frame(qr_image(CHINESE), angle=10)))
    scanner.source.handle_frame(frame)
    _wait_for(qtbot, lambda: scanner.scans == [CHINESE])


def test_adapter_reads_the_luma_plane_of_nv12(scanner, qtbot):
    from ui.camera_scanner import gray_from_video_frame

    image = camera_frame(qr_image("TAXKIOSK:VERIFY:abc"), angle=20)
    frame = nv12_frame(image)
    gray = gray_from_video_frame(frame)
    assert (gray.width, gray.height) == (1280, 720) and gray.packed() == image.tobytes()
    scanner.source.handle_frame(frame)
    _wait_for(qtbot, lambda: scanner.scans == ["TAXKIOSK:VERIFY:abc"])


def test_adapter_suppresses_duplicates_and_limits_the_rate(scanner):
    image = to_qimage(camera_frame(qr_image("SAME")))

    def feed(at):
        scanner.now[0] = at
        scanner.source.handle_image(image)
        assert scanner.worker.wait_idle(5)

    feed(0.0)
    feed(0.02)  # within 1/15 s: not even converted
    assert scanner.statistics["frames_skipped"] == 1
    feed(1.0)  # decoded, but the same code held in view: no new scan
    feed(2.5)
    assert scanner.scans == ["SAME"]
    feed(5.0)  # gone for 2.5 s (last seen at 2.5): counts again
    assert scanner.scans == ["SAME", "SAME"]
    scanner.clear_buffer()  # a new session
    feed(5.5)
    assert scanner.scans == ["SAME", "SAME", "SAME"]
    assert scanner.worker.frames_decoded == 5 and scanner.statistics["scans"] == 3


def test_adapter_without_a_camera_says_so(qapp):
    from PySide6.QtMultimedia import QMediaDevices

    from drivers.camera_scanner import CameraScanner
    from drivers.errors import DeviceError, DeviceErrorCode
    from ui.camera_scanner import QtCameraSource

    if QMediaDevices.videoInputs():
        pytest.skip("this machine has a camera")
    device = CameraScanner("camera://default", frame_source=QtCameraSource())
    with pytest.raises(DeviceError) as raised:
        device.open()  # on the GUI thread here: the source answers at once
    assert raised.value.code is DeviceErrorCode.NO_HARDWARE
    assert "no camera" in raised.value.message
    assert device.last_status.error is DeviceErrorCode.NO_HARDWARE and not device.last_status.ok
    device.close()
