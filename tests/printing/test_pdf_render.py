"""A4 PDF rendering with QPdfWriter, read back with Qt's own PDF engine (QtPdf): page
size, embedded Chinese text, and QR codes and barcodes that still scan."""
import re
import subprocess
from datetime import datetime

import pytest
import zxingcpp
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtPdf import QPdfDocument

from printing.document import Barcode, Columns, Document, Heading, KeyValue, QrCode, Rule, Text
from printing.pdf_render import render_pdf
from printing.templates import verification_slip

NOW = datetime(2024, 11, 28, 10, 30)
QR = "TAXKIOSK:CHECKED:82::24312000000012345678:20240101:genuine"


def slip():
    doc = verification_slip(
        lang="zh", invoice_number="24312000000012345678", invoice_type="电子发票（普通发票）",
        outcome_label="查验一致",
        detail_rows=[("销售方", "北京某某科技有限公司"), ("价税合计", "1,130.00"),
                     ("备注", "这是一段很长的备注文字，用来检查自动换行是否正常工作，中文应当在"
                              "页面宽度内折行显示，而不是超出右边距。")],
        qr_data=QR, printed_at=NOW, kiosk_id="K-0001")
    doc.add(Columns(["货物名称", "数量", "金额"], widths=[3, 1, 1]),
            Columns(["*信息技术服务*软件维护费", "1", "1,000.00"], widths=[3, 1, 1]),
            Barcode("TAX-12345"))
    return doc


def load(path):
    pdf = QPdfDocument()
    assert pdf.load(str(path)) == QPdfDocument.Error.None_
    return pdf


def page_image(pdf, page=0, width=1240):
    """The page on white (QtPdf renders a transparent background)."""
    size = pdf.pagePointSize(page)
    rendered = pdf.render(page, QSize(width, round(width * size.height() / size.width())))
    image = QImage(rendered.size(), QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.drawImage(0, 0, rendered)
    painter.end()
    return image.convertToFormat(QImage.Format.Format_Grayscale8)


def test_slip_as_a4_pdf(qapp, tmp_path):
    out = render_pdf(slip(), tmp_path / "slip.pdf")
    data = out.read_bytes()
    assert data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF")
    pdf = load(out)
    assert pdf.pageCount() == 1
    size = pdf.pagePointSize(0)
    assert (round(size.width()), round(size.height())) == (595, 842)  # A4 in points
    text = pdf.getAllText(0).text()
    for expected in ("发票查验结果", "查验一致", "北京某某科技有限公司", "24312000000012345678",
                     "*信息技术服务*软件维护费", "扫描此码复核查验结果"):
        assert expected in text
    # the long remark wraps inside the margins instead of running off the page
    assert "中文应当在\r\n页面宽度内" in text or "\n" in text.split("备注", 1)[1].split("扫描", 1)[0]


def test_codes_in_the_pdf_still_scan(qapp, tmp_path):
    pdf = load(render_pdf(slip(), tmp_path / "slip.pdf"))
    found = {(b.format, b.text) for b in zxingcpp.read_barcodes(page_image(pdf))}
    assert (zxingcpp.BarcodeFormat.QRCode, QR) in found
    assert (zxingcpp.BarcodeFormat.Code128, "TAX-12345") in found


def test_chinese_is_drawn_not_tofu(qapp, tmp_path):
    """A missing font draws every Chinese character as the same hollow box, so "发票"
    and "票发" would look alike; with real glyphs they differ. And the CJK font is
    embedded, so the PDF prints the same anywhere."""
    from printing.preview import _font_family

    def heading_pixels(text, name):
        image = page_image(load(render_pdf(Document([Heading(text)]), tmp_path / name)))
        top = image.copy(0, 0, image.width(), image.height() // 10)
        return [top.pixelColor(x, y).value() < 128
                for y in range(top.height()) for x in range(top.width())]

    a, b = heading_pixels("发票", "a.pdf"), heading_pixels("票发", "b.pdf")
    assert sum(a) > 200
    assert sum(x != y for x, y in zip(a, b)) > 100
    data = (tmp_path / "a.pdf").read_bytes()
    assert b"FontFile2" in data  # embedded TrueType outlines
    name = re.escape(_font_family().replace(" ", "").encode())
    assert re.search(rb"/BaseFont /(?:[A-Z]{6}\+)?" + name, data)


def test_long_documents_break_pages_with_numbers(qapp, tmp_path):
    doc = Document([Heading("纳税证明")] + [KeyValue(f"项目 {i}", f"金额 {i}.00") for i in range(90)]
                   + [Rule(), Text("完", align="center"), QrCode("TAXKIOSK:CERT:1")])
    pdf = load(render_pdf(doc, tmp_path / "long.pdf"))
    assert pdf.pageCount() >= 2
    assert f"1 / {pdf.pageCount()}" in pdf.getAllText(0).text()
    texts = "".join(pdf.getAllText(p).text() for p in range(pdf.pageCount()))
    assert "项目 0" in texts and "项目 89" in texts


def test_unwritable_path_raises(qapp, tmp_path):
    with pytest.raises(OSError):
        render_pdf(Document([Text("x")]), tmp_path / "missing-dir" / "x.pdf")


# poppler-utils is installed by the Makefile's set-up: no skip, a missing tool fails.
def test_poppler_renders_it_too(qapp, tmp_path):
    out = render_pdf(slip(), tmp_path / "slip.pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(out), str(tmp_path / "p")], check=True,
                   timeout=30)
    assert list(tmp_path.glob("p*.png"))
