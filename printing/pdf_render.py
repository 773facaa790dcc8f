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
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
    QPdfWriter,
    QPen,
)

from .document import (
    Barcode,
    Columns,
    Cut,
    Document,
    Feed,
    Grid,
    GridCell,
    Heading,
    Image,
    KeyValue,
    QrCode,
    Rule,
    Text,
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
    gap: float | None = None  # space below it; None: GAP_MM (rows of a grid: 0)


def mm(value: float) -> float:
    """Millimetres to device units."""
    return value * RESOLUTION / 25.4


def render_pdf(doc: Document, path: str | os.PathLike[str], *, title: str | None = None) -> Path:
    """Write `doc` as an A4 PDF at `path` and return the path (OSError if it cannot)."""
    _ensure_app()
    out = Path(path)
    try:  # here, with the reason: QPainter.begin() would only warn on stderr and fail
        out.touch()
    except OSError as exc:
        raise OSError(f"could not write {out}: {exc.strerror}") from exc
    writer = QPdfWriter(str(out))
    writer.setResolution(RESOLUTION)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0),
                                     QPageLayout.Unit.Millimeter))
    writer.setTitle(title if title is not None else doc.title)
    writer.setCreator("tax-kiosk")
    family = _font_family()
    pages = _paginate(doc, writer, family)
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"could not write {out}")
    try:
        for number in range(1, len(pages) + 1):
            if number > 1:
                writer.newPage()
            _paint_page(painter, pages, number, family)
    finally:
        painter.end()
    if not out.is_file() or out.stat().st_size == 0:
        raise OSError(f"could not write {out}")
    return out


def render_page_image(doc: Document, *, dpi: float = 96.0, page: int = 1) -> QImage:
    """One A4 page of `doc` as a picture (the on-screen preview of what the A4 printer
    prints): laid out exactly as `render_pdf` lays it out, drawn at `dpi`. Raises
    ValueError for a page the document does not have."""
    _ensure_app()
    family = _font_family()
    # Lay out against a device that measures text like the PDF (RESOLUTION dots per
    # inch), then draw scaled down: the same line breaks, the same page breaks.
    scale = dpi / RESOLUTION
    image = QImage(round(mm(210.0) * scale), round(mm(297.0) * scale),
                   QImage.Format.Format_RGB32)
    dots_per_metre = round(RESOLUTION / 0.0254)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    image.fill(QColor("white"))
    pages = _paginate(doc, image, family)
    if not 1 <= page <= len(pages):
        raise ValueError(f"the document has {len(pages)} page(s), not a page {page}")
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.scale(scale, scale)
        _paint_page(painter, pages, page, family)
    finally:
        painter.end()
    image.setDotsPerMeterX(round(dpi / 0.0254))
    image.setDotsPerMeterY(round(dpi / 0.0254))
    return image


def page_count(doc: Document) -> int:
    """How many A4 pages `doc` fills."""
    _ensure_app()
    image = QImage(8, 8, QImage.Format.Format_RGB32)
    image.setDotsPerMeterX(round(RESOLUTION / 0.0254))
    image.setDotsPerMeterY(round(RESOLUTION / 0.0254))
    return len(_paginate(doc, image, _font_family()))


Page = list[tuple[float, _Box]]


def _paginate(doc: Document, device: QPaintDevice, family: str) -> list[Page]:
    """The blocks' boxes placed on A4 pages (a box never splits across pages)."""
    page_w, page_h = mm(210.0), mm(297.0)
    left, width = mm(MARGIN_MM), page_w - 2 * mm(MARGIN_MM)
    top, bottom = mm(MARGIN_MM), page_h - mm(MARGIN_MM) - mm(FOOTER_MM)
    boxes = [box for block in doc.blocks for box in _boxes(block, device, family, left, width)]
    pages: list[Page] = [[]]
    y = top
    for box in boxes:
        if y + box.height > bottom and pages[-1]:
            pages.append([])
            y = top
        pages[-1].append((y, box))
        y += box.height + (mm(GAP_MM) if box.gap is None else box.gap)
    return pages


def _paint_page(painter: QPainter, pages: list[Page], number: int, family: str) -> None:
    page_h = mm(297.0)
    left, width = mm(MARGIN_MM), mm(210.0) - 2 * mm(MARGIN_MM)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    for y, box in pages[number - 1]:
        box.draw(painter, y)
    if len(pages) > 1:
        painter.setFont(_font(family, 9))
        painter.setPen(QColor("black"))
        painter.drawText(QRectF(left, page_h - mm(MARGIN_MM), width, mm(FOOTER_MM)),
                         int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                         f"{number} / {len(pages)}")


def _boxes(block: object, device: QPaintDevice, family: str, left: float,
           width: float) -> list[_Box]:
    if isinstance(block, Grid):
        return _grid_boxes(block, device, family, left, width)
    box = _layout(block, device, family, left, width)
    return [] if box is None else [box]


GRID_PAD_MM = 1.2  # inside a ruled cell
GRID_PT = 10.0  # a little smaller than body text: forms hold many columns
GRID_LINE_MM = 0.25
GRID_SHADE = "#eeeeee"


def _grid_boxes(block: Grid, device: QPaintDevice, family: str, left: float,
                width: float) -> list[_Box]:
    """One box per row, drawn with their borders and no gap between them, so a long
    table may continue on the next page."""
    total = float(sum(block.widths))
    edges = [left]
    for weight in block.widths:
        edges.append(edges[-1] + width * weight / total)
    pad = mm(GRID_PAD_MM)
    boxes: list[_Box] = []
    for index, row in enumerate(block.rows):
        cells: list[tuple[GridCell, float, float, _Box]] = []
        col = 0
        for cell in row:
            x0, x1 = edges[col], edges[col + cell.span]
            col += cell.span
            text = _text_box(cell.text, _font(family, GRID_PT, cell.bold), device,
                             x0 + pad, max(1.0, x1 - x0 - 2 * pad), cell.align)
            cells.append((cell, x0, x1, text))
        height = max(text.height for *_, text in cells) + 2 * pad
        last = index == len(block.rows) - 1

        def draw(p: QPainter, y: float, cells: list[tuple[GridCell, float, float, _Box]]
                 = cells, height: float = height) -> None:
            for cell, x0, x1, text in cells:
                if cell.shaded:
                    p.fillRect(QRectF(x0, y, x1 - x0, height), QColor(GRID_SHADE))
                # Vertically centred in the row, as forms print short labels.
                text.draw(p, y + (height - text.height) / 2)
            pen = QPen(QColor("black"))
            pen.setWidthF(mm(GRID_LINE_MM))
            p.setPen(pen)
            for _cell, x0, x1, _text in cells:
                p.drawRect(QRectF(x0, y, x1 - x0, height))

        boxes.append(_Box(height, draw, gap=None if last else 0.0))
    return boxes


def _font(family: str, points: float, bold: bool = False) -> QFont:
    font = QFont(family)
    font.setPointSizeF(points)
    font.setBold(bold)
    return font


def _text_height(text: str, font: QFont, device: QPaintDevice, width: float, flags: int) -> float:
    metrics = QFontMetricsF(font, device)
    rect = metrics.boundingRect(QRectF(0, 0, width, 1e7), flags | int(Qt.TextFlag.TextWordWrap), text)
    return max(rect.height(), metrics.height())


def _text_box(text: str, font: QFont, device: QPaintDevice, x: float, width: float,
              align: str = "left") -> _Box:
    flags = int(_ALIGN[align] | Qt.AlignmentFlag.AlignTop)
    height = _text_height(text, font, device, width, flags)

    def draw(p: QPainter, y: float) -> None:
        p.setFont(font)
        p.setPen(QColor("black"))
        p.drawText(QRectF(x, y, width, height), flags | int(Qt.TextFlag.TextWordWrap), text)

    return _Box(height, draw)


def _row(cells: list[tuple[str, QFont, float, float, str]], device: QPaintDevice) -> _Box:
    """Side-by-side wrapped texts (x, width, align each); as tall as the tallest."""
    boxes = [_text_box(text, font, device, x, w, align) for text, font, x, w, align in cells]
    height = max(box.height for box in boxes)

    def draw(p: QPainter, y: float) -> None:
        for box in boxes:
            box.draw(p, y)

    return _Box(height, draw)


def _layout(block: object, device: QPaintDevice, family: str, left: float, width: float) -> _Box | None:
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
        for text, weight, align in zip(cells, weights, aligns, strict=False):
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
        return _qr_box(block, left, width, device, family)
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


def _qr_box(block: QrCode, left: float, width: float, device: QPaintDevice | None = None,
            family: str = "") -> _Box:
    matrix = qr_matrix(block.data, block.ec)
    modules = len(matrix)
    size = min(width, mm(max(20.0, block.size_mm)))
    module = max(1, int(size / modules))  # whole device units: every module the same
    side = module * modules
    beside = block.align == "left" and bool(block.caption) and device is not None
    x0 = left if block.align == "left" else (left + width - side if block.align == "right"
                                             else left + (width - side) / 2)
    caption: _Box | None = None
    if beside and device is not None:
        caption = _text_box(block.caption, _font(family, BODY_PT), device,
                            x0 + side + mm(4), max(1.0, width - side - mm(4)))

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
        if caption is not None:
            caption.draw(p, y + max(0.0, (side - caption.height) / 2))

    return _Box(max(side, caption.height if caption else 0.0), draw)


def _barcode_box(block: Barcode, device: QPaintDevice, family: str, left: float, width: float) -> _Box:
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
