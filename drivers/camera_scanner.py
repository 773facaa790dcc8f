"""Camera barcode scanning, the Qt-free core: decode grayscale frames, off the GUI thread.

A terminal's camera (the taxpayer holds an invoice or a phone in front of it) gives
25-30 frames a second; decoding one 1280x720 frame takes milliseconds with zxing-cpp
and tens of them with zbar. `QrDecodeWorker` runs decoding on its own thread behind a
one-slot mailbox: a new frame replaces one not yet started, so the scanner always
works on the newest picture and never builds a backlog (a queue would answer for what
the camera saw seconds ago).

`CameraScanner` is the device the device manager supervises (kind `camera_scanner`,
connection `camera://default`, `camera://0` or `camera:///dev/video0`): it owns the
decoder and the duplicate filter and hands new codes to `on_scan`, like the serial
scanner. The frames come from a `FrameSource`: QtMultimedia lives on the GUI thread,
so the kiosk window attaches `ui.camera_scanner.QtCameraSource` when it gets the core;
tests attach a source that replays rendered frames. Without a source (the CLI, a
kiosk without a window) or without a camera the device is offline with `no_hardware`;
a camera that stops delivering frames is offline with `timeout` and is reopened.

Text: a QR code carries bytes; Chinese payloads (发票查验 ...) are UTF-8 from most
generators and GB18030 from older Chinese ones, and neither engine knows which
without an ECI marker (zbar guesses and turns GB18030 into Shift-JIS mojibake,
zxing-cpp falls back to ISO-8859-1). So both engines are asked for the raw bytes
(zbar with ZBAR_CFG_BINARY), which are decoded here: UTF-8 if valid, else GB18030;
a code that declares its encoding by ECI is taken as zxing-cpp decoded it.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from ctypes import c_char_p, c_void_p, cast, string_at
from dataclasses import dataclass
from typing import Literal, Protocol

from PIL import Image as PILImage

from .base import DeviceBase, DeviceState, DeviceStatus, StatusCallback
from .connection import parse_connection
from .device import Capability
from .errors import DeviceError, DeviceErrorCode

_log = logging.getLogger("drivers.camera_scanner")

Engine = Literal["zxing", "pyzbar"]
ENGINES: tuple[str, ...] = ("zxing", "pyzbar")
SYMBOLOGIES: tuple[str, ...] = ("qrcode", "code128")

# zbar.h: enum zbar_config_e
_ZBAR_CFG_ENABLE = 0
_ZBAR_CFG_BINARY = 4  # don't convert binary data to text
_ZBAR_CFG_X_DENSITY = 0x100
_ZBAR_CFG_Y_DENSITY = 0x101


@dataclass(frozen=True)
class GrayFrame:
    """8-bit grayscale pixels, row by row; `stride` bytes per row (0: = width)."""

    data: bytes | bytearray | memoryview
    width: int
    height: int
    stride: int = 0

    def __post_init__(self) -> None:
        if self.width <= 0 or self.height <= 0:
            raise ValueError("frame size must be positive")
        stride = self.stride or self.width
        if stride < self.width:
            raise ValueError("stride is smaller than the width")
        if len(self.data) < stride * (self.height - 1) + self.width:
            raise ValueError(f"{len(self.data)} bytes is too little for {self.width}x{self.height}")

    @property
    def row_bytes(self) -> int:
        return self.stride or self.width

    def packed(self) -> bytes:
        """The pixels without row padding (what zbar wants)."""
        stride = self.row_bytes
        data = bytes(self.data)
        if stride == self.width:
            return data[: self.width * self.height]
        return b"".join(data[r * stride: r * stride + self.width] for r in range(self.height))

    @classmethod
    def from_pil(cls, image: PILImage.Image) -> GrayFrame:
        gray = image if image.mode == "L" else image.convert("L")
        return cls(gray.tobytes(), gray.width, gray.height)


Frame = GrayFrame | PILImage.Image


def decode_payload(raw: bytes, fallback: str | None = None) -> str:
    """Bytes of a code -> text: UTF-8 if valid, else GB18030, else `fallback` (the
    engine's own reading) or GB18030 with replacement characters."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return fallback if fallback is not None else raw.decode("gb18030", errors="replace")


def decode_frame(frame: Frame, engine: Engine = "zxing", *,
                 symbologies: tuple[str, ...] = ("qrcode",), zbar_density: int = 2) -> list[str]:
    """The payloads of the codes in `frame`, in the engine's order, duplicates removed.

    `symbologies`: "qrcode" and/or "code128" (fewer is faster and has fewer false
    reads). `zbar_density`: zbar scans every n-th row and column (2 halves the time
    and still reads modules of 3 pixels and up).
    """
    unknown = set(symbologies) - set(SYMBOLOGIES)
    if unknown or not symbologies:
        raise ValueError(f"symbologies must be among {', '.join(SYMBOLOGIES)}")
    if engine == "zxing":
        texts = _decode_zxing(frame, symbologies)
    elif engine == "pyzbar":
        texts = _decode_zbar(frame, symbologies, zbar_density)
    else:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    return list(dict.fromkeys(texts))


def _decode_zxing(frame: Frame, symbologies: tuple[str, ...]) -> list[str]:
    import zxingcpp

    names = {"qrcode": zxingcpp.BarcodeFormat.QRCode, "code128": zxingcpp.BarcodeFormat.Code128}
    formats = zxingcpp.BarcodeFormats([names[name] for name in symbologies])
    if isinstance(frame, GrayFrame):
        image: object = zxingcpp.ImageView(memoryview(bytes(frame.data)), frame.width, frame.height,
                                           zxingcpp.ImageFormat.Lum, frame.row_bytes)
    else:
        image = frame if frame.mode == "L" else frame.convert("L")
    # Dark-on-light only (try_invert off): the kiosk reads paper and phone screens;
    # inverted codes would double the work on every frame without a code.
    results = zxingcpp.read_barcodes(image, formats=formats, try_invert=False)
    texts = []
    for result in results:
        ident = result.symbology_identifier
        has_eci = len(ident) == 3 and ident[1] == "Q" and ident[2] in "246"
        texts.append(result.text if has_eci else decode_payload(bytes(result.bytes), result.text))
    return texts


def _decode_zbar(frame: Frame, symbologies: tuple[str, ...], density: int) -> list[str]:
    from pyzbar import pyzbar as pz
    from pyzbar.wrapper import (
        ZBarSymbol,
        zbar_image_create,
        zbar_image_destroy,
        zbar_image_first_symbol,
        zbar_image_scanner_create,
        zbar_image_scanner_destroy,
        zbar_image_scanner_set_config,
        zbar_image_set_data,
        zbar_image_set_format,
        zbar_image_set_size,
        zbar_scan_image,
        zbar_symbol_get_data,
        zbar_symbol_get_data_length,
        zbar_symbol_next,
    )

    if isinstance(frame, GrayFrame):
        pixels, width, height = frame.packed(), frame.width, frame.height
    else:
        gray = frame if frame.mode == "L" else frame.convert("L")
        pixels, width, height = gray.tobytes(), gray.width, gray.height
    symbols = {"qrcode": ZBarSymbol.QRCODE, "code128": ZBarSymbol.CODE128}
    scanner = zbar_image_scanner_create()
    if not scanner:
        raise RuntimeError("zbar could not create a scanner")
    try:
        zbar_image_scanner_set_config(scanner, ZBarSymbol.NONE, _ZBAR_CFG_ENABLE, 0)
        for name in symbologies:
            zbar_image_scanner_set_config(scanner, symbols[name], _ZBAR_CFG_ENABLE, 1)
            zbar_image_scanner_set_config(scanner, symbols[name], _ZBAR_CFG_BINARY, 1)
        zbar_image_scanner_set_config(scanner, ZBarSymbol.NONE, _ZBAR_CFG_X_DENSITY, max(1, density))
        zbar_image_scanner_set_config(scanner, ZBarSymbol.NONE, _ZBAR_CFG_Y_DENSITY, max(1, density))
        image = zbar_image_create()
        if not image:
            raise RuntimeError("zbar could not create an image")
        try:
            zbar_image_set_format(image, pz._FOURCC["L800"])
            zbar_image_set_size(image, width, height)
            zbar_image_set_data(image, cast(c_char_p(pixels), c_void_p), len(pixels), None)
            if zbar_scan_image(scanner, image) < 0:
                raise RuntimeError("zbar refused the image")
            texts = []
            symbol = zbar_image_first_symbol(image)
            while symbol:
                raw = string_at(zbar_symbol_get_data(symbol), zbar_symbol_get_data_length(symbol))
                texts.append(decode_payload(raw))
                symbol = zbar_symbol_next(symbol)
            return texts
        finally:
            zbar_image_destroy(image)
    finally:
        zbar_image_scanner_destroy(scanner)


class DuplicateFilter:
    """Pass a payload once, then not again until it has been out of sight for
    `window_s` (a code held in front of the camera is one scan, not 30 a second).
    `clock` is injectable so tests need no sleeping."""

    def __init__(self, window_s: float = 2.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.window_s = window_s
        self.clock = clock
        self._last_seen: dict[str, float] = {}

    def accept(self, payload: str) -> bool:
        now = self.clock()
        last = self._last_seen.get(payload)
        self._last_seen[payload] = now
        if len(self._last_seen) > 256:  # forget codes long gone
            self._last_seen = {k: t for k, t in self._last_seen.items() if now - t < self.window_s}
        return last is None or now - last >= self.window_s

    def reset(self) -> None:
        """Forget everything (a new taxpayer session: their codes are new scans)."""
        self._last_seen.clear()


ResultCallback = Callable[[list[str]], None]


class QrDecodeWorker:
    """Decodes frames on one thread behind a one-slot mailbox (stale frames dropped).

    `on_results(payloads)` runs on the worker thread for every frame with at least
    one code; it must be quick and must not touch widgets (the Qt adapter re-emits it
    as a signal). Statistics: frames submitted, dropped (replaced before decoding),
    decoded, failed, and the last decode time in milliseconds.
    """

    def __init__(self, on_results: ResultCallback, engine: Engine = "zxing", *,
                 symbologies: tuple[str, ...] = ("qrcode",), name: str = "qr-decode") -> None:
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
        self.on_results = on_results
        self.engine: Engine = engine
        self.symbologies = symbologies
        self.name = name
        self.frames_submitted = 0
        self.frames_dropped = 0
        self.frames_decoded = 0
        self.frames_failed = 0
        self.last_decode_ms = 0.0
        self._slot: Frame | None = None
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._running = False
        self._busy = False

    def start(self) -> QrDecodeWorker:
        with self._cond:
            if self._running:
                return self
            self._running = True
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        with self._cond:
            self._running = False
            self._slot = None
            self._cond.notify_all()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._running

    def submit(self, frame: Frame) -> bool:
        """Hand over the newest frame; returns False if it replaced one not yet decoded."""
        with self._cond:
            self.frames_submitted += 1
            replaced = self._slot is not None
            if replaced:
                self.frames_dropped += 1
            self._slot = frame
            self._cond.notify()
        return not replaced

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until the mailbox is empty and no frame is being decoded (tests)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._slot is not None or self._busy:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
        return True

    def _loop(self) -> None:
        while True:
            with self._cond:
                while self._running and self._slot is None:
                    self._cond.wait()
                if not self._running or self._slot is None:
                    return
                frame: Frame = self._slot
                self._slot = None
                self._busy = True
            try:
                start = time.perf_counter()
                try:
                    texts = decode_frame(frame, self.engine, symbologies=self.symbologies)
                except Exception:  # noqa: BLE001 - a bad frame or engine hiccup must not kill the scanner
                    self.frames_failed += 1
                    _log.exception("%s: decoding a frame failed", self.name)
                    continue
                self.last_decode_ms = (time.perf_counter() - start) * 1000
                self.frames_decoded += 1
                if texts:
                    try:
                        self.on_results(texts)
                    except Exception:  # noqa: BLE001 - the listener's bug, logged
                        _log.exception("%s: result callback failed", self.name)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()


# -- the device ---------------------------------------------------------------------

class FrameSink(Protocol):
    """What a frame source feeds: `CameraScanner` (every method: any thread)."""

    def frame_due(self) -> bool:
        """A frame arrived; True when it should be converted and submitted (the rate
        limit: converting every frame of a 30 fps camera would waste the GUI thread)."""
        ...

    def submit_frame(self, frame: Frame) -> None:
        """A grayscale frame to decode."""
        ...

    def source_failed(self, error: DeviceErrorCode, message: str) -> None:
        """The camera failed (unplugged, taken by another program, driver error)."""
        ...


class FrameSource(Protocol):
    """Where a camera scanner's frames come from."""

    def start(self, selector: str, sink: FrameSink) -> None:
        """Start camera `selector` ("default", an index, or an id) feeding `sink`;
        raise DeviceError (no_hardware: no such camera) when it cannot."""
        ...

    def stop(self) -> None:
        """Stop feeding (may be called from any thread, more than once)."""
        ...


def _drop_scan(_text: str) -> None:
    """The scan callback when nobody listens (`kiosk devices check`)."""


class CameraScanner(DeviceBase):
    """A camera read as a barcode scanner: frames in, new codes out on `on_scan`.

    `on_scan` runs on the decoder thread and must be quick. Options: `engine`
    (zxing, pyzbar), `symbologies` (qrcode, code128), `duplicate_window_s` (a code in
    view is one scan until out of sight this long), `max_fps` (frames decoded per
    second at most), `stall_s` (no frame for this long: the camera is offline).
    """

    kind = "camera_scanner"
    capabilities = frozenset({Capability.SCAN})

    def __init__(self, connection: str = "camera://default", *,
                 on_scan: Callable[[str], None] = _drop_scan,
                 frame_source: FrameSource | None = None,
                 name: str | None = None, on_status: StatusCallback | None = None,
                 engine: Engine = "zxing", symbologies: tuple[str, ...] = ("qrcode",),
                 duplicate_window_s: float = 2.0, max_fps: float = 10.0,
                 stall_s: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parse_connection(connection, allow=("camera",)), name=name,
                         on_status=on_status)
        unknown = set(symbologies) - set(SYMBOLOGIES)
        if unknown or not symbologies:
            raise ValueError(f"symbologies must be among {', '.join(SYMBOLOGIES)}")
        if not (max_fps >= 0 and stall_s > 0 and duplicate_window_s >= 0):
            raise ValueError("max_fps and duplicate_window_s must be >= 0, stall_s > 0")
        self.selector = self.connection.path or "default"
        self.on_scan = on_scan
        self.max_fps = float(max_fps)
        self.stall_s = float(stall_s)
        self._clock = clock
        self._source = frame_source
        self._filter = DuplicateFilter(duplicate_window_s, clock)
        self._filter_lock = threading.Lock()
        self._worker = QrDecodeWorker(self._on_results, engine, symbologies=symbologies,
                                      name=f"{self.name}-decode")
        self._lock = threading.Lock()  # frame bookkeeping: GUI thread vs. supervisor
        self._open = False
        self._opened_at = 0.0
        self._last_frame_at: float | None = None
        self._last_submit_at: float | None = None
        self._failure: tuple[DeviceErrorCode, str] | None = None

    # -- wiring -------------------------------------------------------------------------

    def attach_source(self, source: FrameSource | None) -> None:
        """Give the device its frames (the kiosk window does, on the GUI thread); the
        next open uses it. Replacing the source of an open device stops the old one."""
        old, self._source = self._source, source
        if old is not None and old is not source and self._open:
            old.stop()

    @property
    def has_source(self) -> bool:
        return self._source is not None

    # -- the Device protocol ------------------------------------------------------------

    def open(self) -> None:
        """Start the decoder and the camera. DeviceError no_hardware without a frame
        source or a camera; the status is idle once the camera runs."""
        source = self._source
        if source is None:
            error = DeviceError(DeviceErrorCode.NO_HARDWARE,
                                "no frame source: the camera is read through the kiosk window")
            self._report_error(error)
            raise error
        with self._lock:
            self._failure = None
            self._last_frame_at = None
            self._last_submit_at = None
            self._opened_at = self._clock()
        self._worker.start()
        try:
            source.start(self.selector, self)
        except DeviceError as exc:
            self._worker.stop()
            self._count("open_failures")
            self._report_error(exc)
            raise
        self._open = True
        self._count("opens")
        self._set_status(DeviceState.IDLE, message=f"camera {self.selector}")

    def close(self) -> None:
        self._open = False
        source = self._source
        if source is not None:
            source.stop()
        self._worker.stop()
        self._set_status(DeviceState.CLOSED)

    def check(self, timeout_s: float) -> DeviceStatus:
        """From what the frames did: a camera failure or no frame for `stall_s` is
        offline (the manager then reopens it with backoff); frames flowing is idle."""
        if not self._open:
            return self.last_status
        now = self._clock()
        with self._lock:
            failure = self._failure
            since = self._last_frame_at if self._last_frame_at is not None else self._opened_at
        if failure is not None:
            return self._report_answer(failure[0], None, failure[1])
        if now - since > self.stall_s:
            what = "no frame" if self._last_frame_at is None else "no new frame"
            return self._report_answer(DeviceErrorCode.TIMEOUT, None,
                                       f"camera {self.selector}: {what} for {self.stall_s:g} s")
        self._set_status(DeviceState.IDLE, message=f"camera {self.selector}")
        return self.last_status

    def clear_buffer(self) -> None:
        """Session end: forget recent codes, so the next taxpayer's scan counts."""
        with self._filter_lock:
            self._filter.reset()

    # -- FrameSink: called by the frame source ------------------------------------------

    def frame_due(self) -> bool:
        now = self._clock()
        with self._lock:
            self._last_frame_at = now
            if not self._open or not self._worker.running:
                return False
            if self.max_fps > 0 and self._last_submit_at is not None \
                    and now - self._last_submit_at < 1.0 / self.max_fps:
                self._count("frames_skipped")
                return False
            self._last_submit_at = now
        return True

    def submit_frame(self, frame: Frame) -> None:
        self._count("frames")
        self._worker.submit(frame)

    def source_failed(self, error: DeviceErrorCode, message: str) -> None:
        with self._lock:
            self._failure = (error, message)
        self._count("camera_errors")
        if self._open:
            self._report_answer(error, None, message)

    @property
    def worker(self) -> QrDecodeWorker:
        """The decoder (its frame counters; tests wait on it)."""
        return self._worker

    def _on_results(self, payloads: list[str]) -> None:
        for payload in payloads:
            with self._filter_lock:
                new = self._filter.accept(payload)
            if not new:
                continue
            self._count("scans")
            try:
                self.on_scan(payload)
            except Exception:  # noqa: BLE001 - the listener's bug must not stop the decoder
                _log.exception("%s: on_scan failed", self.name)
