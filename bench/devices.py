"""Device figures: one receipt as ESC/POS text vs raster (bytes and seconds on a
115200-baud line), camera QR decoding per 1280x720 frame with zxing-cpp and zbar, and
the ID card read time when bench/id_card.py is there."""
from __future__ import annotations

import random
import statistics
import time
from datetime import datetime

BAUD = 115200
BITS_PER_BYTE = 10  # 8N1: start + 8 data + stop
FRAME_SIZE = (1280, 720)
QR_PAYLOAD = "发票查验 01,10,044031900111,{n:08d},1130.00,20241128,12345678901234567890,A1B2"


def standard_receipt():
    """A verification result slip with the Chinese a hall prints every day."""
    from printing.templates import verification_slip

    return verification_slip(
        lang="zh", invoice_number="24312000000012345678", invoice_type="电子发票（增值税专用发票）",
        outcome_label="查验一致",
        detail_rows=[("开票日期", "2024-11-28"), ("销售方", "深圳市某某贸易有限公司"),
                     ("销售方识别号", "91440300MA5FXYZ12K"), ("购买方", "北京某某科技有限公司"),
                     ("金额", "1,000.00"), ("税额", "130.00"), ("价税合计", "1,130.00"),
                     ("查验次数", "第 1 次")],
        qr_data="TAXKIOSK:CHECKED:81::24312000000012345678:20241128:genuine",
        printed_at=datetime(2024, 11, 28, 10, 30), kiosk_id="K-0001")


def receipt_figures() -> dict[str, float]:
    from printing.escpos_render import render_escpos_bytes
    from printing.profiles import get_profile

    doc = standard_receipt()
    text = len(render_escpos_bytes(doc, get_profile("default80")))
    raster = len(render_escpos_bytes(doc, get_profile("raster80")))
    return {
        "receipt_bytes_text": text,
        "receipt_bytes_raster": raster,
        "receipt_seconds_text_115200": round(text * BITS_PER_BYTE / BAUD, 3),
        "receipt_seconds_raster_115200": round(raster * BITS_PER_BYTE / BAUD, 3),
    }


def camera_frames(n: int, seed: int = 7) -> list:
    """`n` grayscale 1280x720 frames, each a white card with one QR code on a grey scene,
    slightly rotated, with sensor noise and a little blur (the same frames for every
    engine)."""
    import qrcode
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    frames = []
    for i in range(n):
        qr = qrcode.QRCode(border=4, box_size=rng.choice((4, 5, 6)))
        qr.add_data(QR_PAYLOAD.format(n=i).encode("utf-8"))
        qr.make(fit=True)
        card = qr.make_image().get_image().convert("L").rotate(
            rng.uniform(-15, 15), resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
        frame = Image.new("L", FRAME_SIZE, rng.randint(110, 170))
        frame.paste(card, (rng.randint(0, FRAME_SIZE[0] - card.width),
                           rng.randint(0, FRAME_SIZE[1] - card.height)))
        frame = Image.blend(frame, Image.effect_noise(FRAME_SIZE, 40), 0.2)
        frames.append(frame.filter(ImageFilter.GaussianBlur(0.8)))
    return frames


def decode_figures(n: int = 20) -> dict[str, float]:
    from drivers.camera_scanner import GrayFrame, decode_frame

    frames = [GrayFrame.from_pil(f) for f in camera_frames(n)]
    out: dict[str, float] = {}
    for engine in ("zxing", "pyzbar"):
        decode_frame(frames[0], engine)  # warm-up: imports, first-call costs
        times, misses = [], 0
        for i, frame in enumerate(frames):
            start = time.perf_counter()
            found = decode_frame(frame, engine)
            times.append((time.perf_counter() - start) * 1000)
            misses += found != [QR_PAYLOAD.format(n=i)]
        out[f"decode_ms_{engine}"] = round(statistics.median(times), 2)
        out[f"decode_misses_{engine}"] = misses
    return out


def measure() -> dict[str, float]:
    results: dict[str, float] = {}
    results.update(receipt_figures())
    results.update(decode_figures())
    try:
        from bench.id_card import measure_id_read_ms
    except ImportError:
        pass
    else:
        results["id_read_ms"] = measure_id_read_ms()
    return results


if __name__ == "__main__":
    for key, value in measure().items():
        print(f"{key:34} {value}")
