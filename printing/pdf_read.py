"""Read an A4 PDF back: its text and the QR codes on its rendered pages (QtPdf, no
widgets; zxing-cpp decodes). The simulated hall's A4 printer and the tests use it to
see what a taxpayer takes away, the way a person or a phone would: text as a PDF
reader extracts it, QR codes from the picture of the page, not from the document
model that made it.
"""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtPdf import QPdfDocument

from .preview import _ensure_app

QR_DPI = 200  # modules of a 30 mm QR code are several pixels wide at this resolution


def _open(path: str | os.PathLike[str]) -> QPdfDocument:
    _ensure_app()
    doc = QPdfDocument()
    error = doc.load(str(Path(path)))
    if error != QPdfDocument.Error.None_ or doc.pageCount() < 1:
        doc.close()
        raise ValueError(f"{path} is not a readable PDF ({error.name})")
    return doc


def pdf_pages_text(path: str | os.PathLike[str]) -> list[str]:
    """The text of each page (ValueError for a file that is not a readable PDF)."""
    doc = _open(path)
    try:
        return [doc.getAllText(page).text().replace("\r\n", "\n")
                for page in range(doc.pageCount())]
    finally:
        doc.close()


def pdf_text(path: str | os.PathLike[str]) -> str:
    return "\n".join(pdf_pages_text(path))


def render_page(path: str | os.PathLike[str], page: int = 0, dpi: float = QR_DPI) -> QImage:
    """Page `page` (from 0) drawn at `dpi`, in grey levels."""
    doc = _open(path)
    try:
        size = doc.pagePointSize(page)
        pixels = QSize(round(size.width() * dpi / 72), round(size.height() * dpi / 72))
        rendered = doc.render(page, pixels)
    finally:
        doc.close()
    # The page comes transparent: lay it on white paper.
    paper = QImage(rendered.size(), QImage.Format.Format_RGB32)
    paper.fill(QColor("white"))
    painter = QPainter(paper)
    painter.drawImage(0, 0, rendered)
    painter.end()
    return paper.convertToFormat(QImage.Format.Format_Grayscale8)


def pdf_qr_codes(path: str | os.PathLike[str], dpi: float = QR_DPI) -> list[str]:
    """The QR codes found on the rendered pages, in page order."""
    import zxingcpp

    found: list[str] = []
    for page in range(len(pdf_pages_text(path))):
        image = render_page(path, page, dpi)
        data = bytes(image.constBits())[: image.bytesPerLine() * image.height()]
        view = zxingcpp.ImageView(memoryview(data), image.width(), image.height(),
                                  zxingcpp.ImageFormat.Lum, image.bytesPerLine())
        results = zxingcpp.read_barcodes(
            view, formats=zxingcpp.BarcodeFormats([zxingcpp.BarcodeFormat.QRCode]))
        found.extend(r.text for r in results if r.valid)
    return found
