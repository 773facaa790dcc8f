"""Documents rendered through python-escpos, decoded by the simulated printer."""
from datetime import datetime, timezone

import pytest
from escpos.printer import Network

from drivers.simulators.escpos_decoder import EscPosDecoder
from drivers.simulators.escpos_printer_sim import SimulatedReceiptPrinter
from printing.document import (
    Barcode, Columns, Cut, Document, Feed, Heading, Image, KeyValue, QrCode, Rule, Text,
)
from printing.escpos_render import find_cjk_font, qr_module_size, render_escpos, render_escpos_bytes
from printing.profiles import PROFILES, PrinterProfile, get_profile
from printing.templates import printer_test_page, queued_slip, verification_slip

NOW = datetime(2024, 11, 28, 10, 30, 5)


def queued(lang="zh"):
    return queued_slip(lang=lang, reference="R-20241128-0042", invoice_number="24312000000012345678",
                       qr_data="TAXKIOSK:VERIFY:R-20241128-0042", printed_at=NOW, kiosk_id="K-0001")


def verification(lang="zh"):
    return verification_slip(
        lang=lang, invoice_number="24312000000012345678", invoice_type="增值税电子普通发票",
        outcome_label="查验一致" if lang == "zh" else "查验一致 / Genuine",
        detail_rows=[("销售方" if lang == "zh" else "Seller", "北京某某科技有限公司")],
        qr_data="TAXKIOSK:CHECKED:04:011002300111:24312000000012345678:20240101:genuine",
        printed_at=NOW, kiosk_id="K-0001")


def decode(data: bytes):
    dec = EscPosDecoder()
    dec.feed(data)
    return dec.documents


@pytest.fixture
def sim():
    s = SimulatedReceiptPrinter().start()
    yield s
    s.stop()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_verification_slip_over_tcp(sim, lang):
    printer = Network("127.0.0.1", sim.port, timeout=2)
    printer.open()
    try:
        render_escpos(verification(lang), printer, PROFILES["default80"])
    finally:
        printer.close()
    (doc,) = sim.wait_for_documents(1, timeout=3)
    assert "发票查验结果" in doc.text
    assert "增值税电子普通发票" in doc.text and "北京某某科技有限公司" in doc.text
    assert ("Invoice verification result" in doc.text) == (lang == "en")
    assert doc.qr_codes == ["TAXKIOSK:CHECKED:04:011002300111:24312000000012345678:20240101:genuine"]
    assert doc.cut


@pytest.mark.parametrize("lang,accepted,scan", [
    ("zh", "已受理，联网后自动查验", "扫描此码查看结果"),
    ("en", "Accepted: it will be checked when the network is back", "Scan this code to see the result"),
])
def test_queued_slip_over_tcp(sim, lang, accepted, scan):
    printer = Network("127.0.0.1", sim.port, timeout=2)
    printer.open()
    try:
        render_escpos(queued(lang), printer, PROFILES["default80"])
    finally:
        printer.close()
    (doc,) = sim.wait_for_documents(1, timeout=3)
    assert "发票查验结果" in doc.text
    flat = " ".join(doc.text.split())  # long English lines wrap
    assert accepted in flat and scan in flat
    assert "R-20241128-0042" in doc.text and "2024-11-28 10:30:05" in doc.text
    assert sim.last_qr() == "TAXKIOSK:VERIFY:R-20241128-0042"
    assert doc.cut


def test_chinese_goes_in_chinese_mode():
    data = render_escpos_bytes(queued(), PROFILES["default80"])
    title = "发票查验结果".encode("gb18030")
    start = data.index(title)
    assert data.rfind(b"\x1c\x26", 0, start) > data.rfind(b"\x1c\x2e", 0, start)
    assert data.find(b"\x1c\x2e", start) > start
    assert b"\x1d\x28\x6b" in data  # native QR
    assert b"\x1dv0" not in data  # no raster image at all


def test_raster_profile_is_images_and_much_larger():
    text_bytes = render_escpos_bytes(queued(), PROFILES["default80"])
    raster_bytes = render_escpos_bytes(queued(), PROFILES["raster80"])
    assert b"\x1dv0" in raster_bytes and b"\x1c\x26" not in raster_bytes
    assert len(raster_bytes) > 10 * len(text_bytes)
    (doc,) = decode(raster_bytes)
    assert doc.images and all(img.width <= 576 for img in doc.images)
    assert doc.qr_codes == ["TAXKIOSK:VERIFY:R-20241128-0042"]  # image QR still scans


def test_58mm_profile_wraps_to_32_columns():
    (doc,) = decode(render_escpos_bytes(verification("en"), PROFILES["default58"]))
    from printing.layout import display_width
    assert max(display_width(line) for line in doc.lines) <= 32
    assert "北京某某科技有限公司" in doc.text


def test_all_block_kinds(tmp_path):
    from PIL import Image as PILImage
    logo = PILImage.new("RGB", (800, 100), "black")  # wider than the paper: scaled down
    path = tmp_path / "logo.png"
    logo.save(path)
    doc = Document([
        Heading("标题 Title"), Text("right", align="right"), Text("bold", bold=True),
        KeyValue("金额", "¥1,130.00"), Columns(["名称", "数量", "金额"], widths=[3, 1, 2]),
        Rule("="), QrCode("DATA-1", size_mm=20, ec="H"), Barcode("ABC-123"),
        Image(path), Image(logo), Feed(2), Cut(partial=True),
    ], title="all")
    (out,) = decode(render_escpos_bytes(doc, PROFILES["default80"]))
    assert out.lines[0].strip() == "标题 Title"
    assert out.lines[1] == " " * 43 + "right"
    assert "¥1,130.00" in out.text and "名称" in out.text
    assert "=" * 48 in out.lines
    assert out.qr_codes == ["DATA-1"] and out.barcodes == ["ABC-123"]
    assert len(out.images) == 2 and out.images[0].width == 576
    assert out.cut


def test_qr_module_size_follows_size_mm():
    small = qr_module_size("TAXKIOSK:VERIFY:1", 15, PROFILES["default80"])
    large = qr_module_size("TAXKIOSK:VERIFY:1", 40, PROFILES["default80"])
    assert 1 <= small < large <= 16


@pytest.mark.parametrize("ec", ["L", "M", "Q", "H"])
def test_qr_module_size_counts_the_modules_of_the_built_symbol(ec):
    """The size is worked out from the QR version alone (building the symbol costs ~10 ms
    of Python per slip); it must match the module count of the symbol qrcode builds."""
    import qrcode

    from printing.escpos_render import _qrcode_ec

    profile = PROFILES["default80"]
    for length in (1, 17, 40, 52, 90, 150, 300):
        data = "TAXKIOSK:VERIFY:" + "7" * length
        built = qrcode.QRCode(error_correction=_qrcode_ec(ec), border=0)
        built.add_data(data)
        built.make(fit=True)
        expected = max(1, min(16, int(30 * profile.dots_per_mm / (built.modules_count + 2))))
        assert qr_module_size(data, 30, profile, ec) == expected


def test_times_print_as_given_never_in_the_machines_zone():
    """The caller passes hall time (kiosk.hall_time.to_hall); the machine's zone (often
    UTC on a terminal) must not shift it."""
    from kiosk.hall_time import to_hall

    utc = NOW.replace(hour=3, minute=33, second=0, tzinfo=timezone.utc)
    doc = queued_slip(lang="zh", reference="R", invoice_number="1", qr_data="x",
                      printed_at=to_hall(utc), kiosk_id="K")
    assert utc.strftime("%Y-%m-%d ") + "11:33:00" in doc.plain_text()


def test_profiles_and_fonts():
    assert get_profile("default80").chars_per_line == 48
    assert get_profile("default58").dots_per_line == 384
    with pytest.raises(ValueError):
        get_profile("nope")
    with pytest.raises(ValueError):
        PrinterProfile("bad", chinese="bitmap")  # type: ignore[arg-type]
    assert find_cjk_font() is not None


def test_printer_test_page_renders():
    (doc,) = decode(render_escpos_bytes(printer_test_page(profile_name="default80", printed_at=NOW,
                                                  kiosk_id="K-1"), PROFILES["default80"]))
    assert "中文打印测试" in doc.text and doc.qr_codes == ["TAXKIOSK:TEST:K-1"]


def test_templates_reject_unknown_language():
    with pytest.raises(ValueError):
        queued(lang="fr")
