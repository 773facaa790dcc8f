"""PNG preview drawn with QtGui."""
from datetime import datetime

from PySide6.QtGui import QImage

from printing.document import Barcode, Cut, Document, Heading, QrCode, Rule, Text
from printing.preview import render_png
from printing.templates import queued_slip


def test_queued_slip_preview(qapp, tmp_path):
    doc = queued_slip(lang="en", reference="R-1", invoice_number="24312000000012345678",
                      qr_data="TAXKIOSK:VERIFY:R-1", printed_at=datetime(2024, 1, 2, 3, 4, 5),
                      kiosk_id="K-1")
    out = render_png(doc, tmp_path / "slip.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert 5_000 < out.stat().st_size < 2_000_000
    img = QImage(str(out))
    assert img.width() == 576 + 32 and 500 < img.height() < 3000


def test_preview_qr_is_scannable(qapp, tmp_path):
    from PIL import Image as PILImage
    from drivers.simulators.escpos_decoder import decode_qr_image

    doc = Document([Heading("发票"), Rule(), QrCode("TAXKIOSK:VERIFY:R-9"), Barcode("AB-1"),
                    Text("尾"), Cut()])
    out = render_png(doc, tmp_path / "qr.png", width_px=384)
    with PILImage.open(out) as img:
        assert decode_qr_image(img.convert("1")) == ["TAXKIOSK:VERIFY:R-9"]


def test_render_png_creates_its_own_gui_application(tmp_path):
    """From the CLI there is no Qt application yet: render_png makes an offscreen one."""
    import os
    import subprocess
    import sys

    out = tmp_path / "cli.png"
    code = ("from printing.document import Document, Heading, QrCode;"
            "from printing.preview import render_png;"
            f"print(render_png(Document([Heading('发票'), QrCode('X')]), {str(out)!r}))")
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run([sys.executable, "-c", code], cwd=os.getcwd(), env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 1000
