"""Render a `Document` to an A4 PDF with Qt's QPdfWriter (QtGui only, no widgets).

The A4 printer prints documents the taxpayer takes away as paper of record (tax
certificates, verification reports), so the PDF is laid out for A4, not as a long
receipt: 20 mm margins, headings, key-value rows with the value wrapping beside its
key, tables, rules, QR codes drawn module by module from the qrcode matrix (exact
squares, scannable at any zoom, no image resampling), barcodes and images. Text is
real text in a CJK font that Qt embeds as a subset, so the PDF is searchable and
prints the same on any printer. Blocks never split across pages; a page that holds
more than one shows "n / N" at the bottom.

Needs a QGuiApplication (created offscreen if the process has none, as for the PNG
preview); painting on a QPdfWriter is allowed from a worker thread once one exists.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import qrcode
from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor, QFont, QFontMetricsF, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen,
)

from .document import (
    Barcode, Columns, Cut, Document, Feed, Heading, Image, KeyValue, QrCode, Rule, Text,
)
from .preview import _barcode_modules, _ensure_app, _font_family

RESOLUTION = 600  # device units per inch: fine enough for exact QR modules
MARGIN_MM = 20.0
FOOTER_MM = 10.0
BODY_PT = 11.0
HEADING_PT = 16.0
GAP_MM = 1.5  # between blocks
KEY_SHARE = 0.38  # of the content width, for the key of a key-value row
IMAGE_DPI = 203  # pictures in documents are made for the receipt printer's head

_ALIGN = {"left": Qt.AlignmentFlag.AlignLeft, "center": Qt.AlignmentFlag.AlignHCenter,
          "right": Qt.AlignmentFlag.AlignRight}
_QR_EC = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
          "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H}

Draw = Callable[[QPainter, float], None]  # (painter, top y) -> draws the block


@dataclass
class _Box:
    height: float
    draw: Draw


def mm(value: float) -> float:
    """Millimetres to device units."""
    return value * RESOLUTION / 25.4


def render_pdf(doc: Document, path: str | os.PathLike[str], *, title: str | None = None) -> Path:
    """Write `doc` as an A4 PDF at `path` and return the path (OSError if it cannot)."""
    _ensure_app()
    out = Path(path)
    writer = QPdfWriter(str(out))
    writer.setResolution(RESOLUTION)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0),
                                     QPageLayout.Unit.Millimeter))
    writer.setTitle(title if title is not None else doc.title)
    writer.setCreator("tax-kiosk")
    page_w, page_h = mm(210.0), mm(297.0)
    left, width = mm(MARGIN_MM), page_w - 2 * mm(MARGIN_MM)
    top, bottom = mm(MARGIN_MM), page_h - mm(MARGIN_MM) - mm(FOOTER_MM)

    family = _font_family()
    boxes = [box for block in doc.blocks
             for box in [_layout(block, writer, family, left, width)] if box is not None]
    pages: list[list[tuple[float, _Box]]] = [[]]
    y = top
    for box in boxes:
        if y + box.height > bottom and pages[-1]:
            pages.append([])
            y = top
        pages[-1].append((y, box))
        y += box.height + mm(GAP_MM)

    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"could not write {out}")
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        for number, page in enumerate(pages, start=1):
            if number > 1:
                writer.newPage()
            for y, box in page:
                box.draw(painter, y)
            if len(pages) > 1:
                font = _font(family, 9)
                painter.setFont(font)
                painter.setPen(QColor("black"))
                painter.drawText(QRectF(left, page_h - mm(MARGIN_MM), width, mm(FOOTER_MM)),
                                 int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                                 f"{number} / {len(pages)}")
    finally:
        painter.end()
    if not out.is_file() or out.stat().st_size == 0:
        raise OSError(f"could not write {out}")
    return out


def _font(family: str, points: float, bold: bool = False) -> QFont:
    font = QFont(family)
    font.setPointSizeF(points)
    font.setBold(bold)
    return font


def _text_height(text: str, font: QFont, device: QPdfWriter, width: float, flags: int) -> float:
    metrics = QFontMetricsF(font, device)
    rect = metrics.boundingRect(QRectF(0, 0, width, 1e7), flags | int(Qt.TextFlag.TextWordWrap), text)
    return max(rect.height(), metrics.height())


def _text_box(text: str, font: QFont, device: QPdfWriter, x: float, width: float,
              align: str = "left") -> _Box:
    flags = int(_ALIGN[align] | Qt.AlignmentFlag.AlignTop)
    height = _text_height(text, font, device, width, flags)

    def draw(p: QPainter, y: float) -> None:
        p.setFont(font)
        p.setPen(QColor("black"))
        p.drawText(QRectF(x, y, width, height), flags | int(Qt.TextFlag.TextWordWrap), text)

    return _Box(height, draw)


def _row(cells: list[tuple[str, QFont, float, float, str]], device: QPdfWriter) -> _Box:
    """Side-by-side wrapped texts (x, width, align each); as tall as the tallest."""
    boxes = [_text_box(text, font, device, x, w, align) for text, font, x, w, align in cells]
    height = max(box.height for box in boxes)

    def draw(p: QPainter, y: float) -> None:
        for box in boxes:
            box.draw(p, y)

    return _Box(height, draw)


def _layout(block: object, device: QPdfWriter, family: str, left: float, width: float) -> _Box | None:
    body = _font(family, BODY_PT)
    if isinstance(block, Heading):
        box = _text_box(block.text, _font(family, HEADING_PT, bold=True), device, left, width, "center")
        return _Box(box.height + mm(2), box.draw)
    if isinstance(block, Text):
        return _text_box(block.text, _font(family, BODY_PT, block.bold), device, left, width, block.align)
    if isinstance(block, KeyValue):
        key_w = width * KEY_SHARE
        gap = mm(3)
        return _row([(block.key, body, left, key_w - gap, "left"),
                     (block.value, _font(family, BODY_PT, block.bold), left + key_w, width - key_w, "left")],
                    device)
    if isinstance(block, Columns):
        cells = list(block.cells)
        weights = list(block.widths or [1] * len(cells))
        if len(weights) != len(cells):
            raise ValueError("Columns: widths and cells differ in number")
        aligns = list(block.aligns or (["left"] * (len(cells) - 1) + ["right"] if len(cells) > 1 else ["left"]))
        total = float(sum(weights)) or 1.0
        x = left
        row = []
        gap = mm(2)
        for text, weight, align in zip(cells, weights, aligns):
            cell_w = width * weight / total
            row.append((text, body, x, max(1.0, cell_w - gap), align))
            x += cell_w
        return _row(row, device)
    if isinstance(block, Rule):
        double = block.char.startswith("=")
        height = mm(3)

        def draw_rule(p: QPainter, y: float) -> None:
            pen = QPen(QColor("black"))
            pen.setWidthF(mm(0.3))
            p.setPen(pen)
            middle = y + height / 2
            for dy in ((-mm(0.6), mm(0.6)) if double else (0.0,)):
                p.drawLine(QPointF(left, middle + dy), QPointF(left + width, middle + dy))

        return _Box(height, draw_rule)
    if isinstance(block, QrCode):
        return _qr_box(block, left, width)
    if isinstance(block, Barcode):
        return _barcode_box(block, device, family, left, width)
    if isinstance(block, Image):
        return _image_box(block, left, width)
    if isinstance(block, Feed):
        lines = max(0, block.lines)
        return _Box(QFontMetricsF(body, device).height() * lines, lambda p, y: None) if lines else None
    if isinstance(block, Cut):
        return None  # a slip's end; an A4 page needs no cut
    raise TypeError(f"not a document block: {block!r}")


def qr_matrix(data: str, ec: str = "M", border: int = 4) -> list[list[bool]]:
    """The QR symbol's modules, with a quiet zone of `border` modules."""
    qr = qrcode.QRCode(error_correction=_QR_EC[ec], border=border)
    qr.add_data(data)
    qr.make(fit=True)
    return qr.get_matrix()


def _qr_box(block: QrCode, left: float, width: float) -> _Box:
    matrix = qr_matrix(block.data, block.ec)
    modules = len(matrix)
    size = min(width, mm(max(20.0, block.size_mm)))
    module = max(1, int(size / modules))  # whole device units: every module the same
    side = module * modules
    x0 = left + (width - side) / 2

    def draw(p: QPainter, y: float) -> None:
        black = QColor("black")
        for r, row in enumerate(matrix):
            c = 0
            while c < modules:  # one rectangle per run of dark modules
                if not row[c]:
                    c += 1
                    continue
                start = c
                while c < modules and row[c]:
                    c += 1
                p.fillRect(QRectF(x0 + start * module, y + r * module, (c - start) * module, module), black)

    return _Box(side, draw)


def _barcode_box(block: Barcode, device: QPdfWriter, family: str, left: float, width: float) -> _Box:
    bars = _barcode_modules(block.data)
    module = max(1, int(min(mm(0.33), width / max(1, len(bars)))))
    bar_h = mm(block.height_mm)
    font = _font(family, 9)
    text_h = QFontMetricsF(font, device).height() if block.show_text else 0.0
    x0 = left + (width - len(bars) * module) / 2

    def draw(p: QPainter, y: float) -> None:
        black = QColor("black")
        for i, bit in enumerate(bars):
            if bit == "1":
                p.fillRect(QRectF(x0 + i * module, y, module, bar_h), black)
        if block.show_text:
            p.setFont(font)
            p.setPen(black)
            p.drawText(QRectF(left, y + bar_h, width, text_h),
                       int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), block.data)

    return _Box(bar_h + text_h, draw)


def _image_box(block: Image, left: float, width: float) -> _Box:
    img = block.load().convert("RGBA")
    w = mm(img.width * 25.4 / IMAGE_DPI)
    h = mm(img.height * 25.4 / IMAGE_DPI)
    if w > width:
        h, w = h * width / w, width
    data = img.tobytes("raw", "RGBA")
    qimg = QImage(data, img.width, img.height, img.width * 4, QImage.Format.Format_RGBA8888).copy()
    x0 = left + (width - w) / 2

    def draw(p: QPainter, y: float) -> None:
        p.drawImage(QRectF(QPointF(x0, y), QSizeF(w, h)), qimg)

    return _Box(h, draw)
