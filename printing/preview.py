"""PNG preview of a document, drawn with QtGui (no widgets): the screen shows the slip
before it prints, tests and the maintenance screen can look at it without paper.

Uses the same column layout as the printer, at the printer's resolution, so what the
taxpayer sees is what comes out. Needs a QGuiApplication; one is created (offscreen
when there is no display) if the process has none. Call from the thread that owns the
application (the GUI thread).
"""
from __future__ import annotations

import os
from pathlib import Path

import qrcode
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetrics,
    QGuiApplication,
    QImage,
    QPainter,
    QPen,
)

from .document import Barcode, Cut, Document, Feed, Image, QrCode
from .fonts import find_cjk_font
from .layout import LayoutItem, TextLine, layout

FONT_PX = 24
LINE_PX = 30
MARGIN_PX = 16
_app: QGuiApplication | None = None
_family: str | None = None


def _ensure_app() -> None:
    global _app
    if QGuiApplication.instance() is not None:
        return
    if not os.environ.get("QT_QPA_PLATFORM") and not os.environ.get("DISPLAY") \
            and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    _app = QGuiApplication([])


def _font_family() -> str:
    global _family
    if _family is None:
        family = ""
        path = find_cjk_font()
        if path is not None:
            font_id = QFontDatabase.addApplicationFont(path)
            families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
            preferred = [f for f in families if " SC" in f or "Micro Hei" in f]
            family = (preferred or families or [""])[0]
        _family = family or QFont().defaultFamily()
    return _family


def render_png(doc: Document, path: str | os.PathLike[str], *, width_px: int = 576,
               chars_per_line: int | None = None) -> Path:
    """Draw `doc` into a PNG at `path` and return the path."""
    _ensure_app()
    cpl = chars_per_line or max(16, width_px // 12)
    items = layout(doc, cpl)
    total_w = width_px + 2 * MARGIN_PX
    total_h = max(1, sum(_height(item, width_px, cpl) for item in items) + 2 * MARGIN_PX)
    image = QImage(total_w, total_h, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        y = MARGIN_PX
        for item in items:
            _draw(painter, item, MARGIN_PX, y, width_px, cpl)
            y += _height(item, width_px, cpl)
    finally:
        painter.end()
    out = Path(path)
    # PySide6 6.10 takes the format as str only; its stub declares bytes.
    if not image.save(str(out), "PNG"):  # type: ignore[call-overload]
        raise OSError(f"could not write {out}")
    return out


def _qr_matrix(item: QrCode) -> list[list[bool]]:
    ec = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
          "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H}[item.ec]
    qr = qrcode.QRCode(error_correction=ec, border=2)
    qr.add_data(item.data)
    qr.make(fit=True)
    return qr.get_matrix()


def _qr_module_px(item: QrCode, width_px: int, modules: int) -> int:
    dots_per_mm = width_px / 72.0 if width_px >= 500 else width_px / 48.0
    return max(1, min(int(item.size_mm * dots_per_mm) // modules, width_px // modules))


def _barcode_modules(data: str) -> str:
    import barcode  # python-barcode, a python-escpos dependency

    code = barcode.get("code128", data)
    return "".join(code.build())


def _height(item: LayoutItem, width_px: int, cpl: int) -> int:
    if isinstance(item, TextLine):
        return LINE_PX * item.scale
    if isinstance(item, QrCode):
        modules = len(_qr_matrix(item))
        return modules * _qr_module_px(item, width_px, modules) + 8
    if isinstance(item, Barcode):
        return int(item.height_mm * width_px / 72.0) + (LINE_PX if item.show_text else 0) + 8
    if isinstance(item, Image):
        img = item.load()
        scale = min(1.0, width_px / max(1, img.width))
        return int(img.height * scale) + 8
    if isinstance(item, Feed):
        return LINE_PX * max(0, item.lines)
    if isinstance(item, Cut):
        return LINE_PX
    return 0


def _draw(painter: QPainter, item: LayoutItem, x: int, y: int, width_px: int, cpl: int) -> None:
    black = QColor("black")
    if isinstance(item, TextLine) and item.rule:
        pen = QPen(black)
        pen.setWidth(2)
        painter.setPen(pen)
        middle = y + LINE_PX // 2
        offsets = (-3, 3) if item.cells[0].text.startswith("=") else (0,)
        for dy in offsets:
            painter.drawLine(x, middle + dy, x + width_px, middle + dy)
    elif isinstance(item, TextLine):
        font = QFont(_font_family())
        font.setPixelSize(FONT_PX * item.scale)
        font.setBold(item.bold)
        painter.setFont(font)
        painter.setPen(black)
        metrics = QFontMetrics(font)
        col_px = width_px / item.columns
        line_h = LINE_PX * item.scale
        for cell in item.cells:
            if not cell.text:
                continue
            cell_x = x + int(cell.col * col_px)
            cell_w = int(cell.width * col_px)
            text_w = metrics.horizontalAdvance(cell.text)
            painter.save()
            if text_w > cell_w:  # squeeze like the raster renderer, never clip
                painter.translate(cell_x, y)
                painter.scale(cell_w / text_w, 1.0)
                painter.drawText(QRect(0, 0, text_w, line_h),
                                 int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                                 cell.text)
            else:
                flags = {"left": Qt.AlignmentFlag.AlignLeft, "right": Qt.AlignmentFlag.AlignRight,
                         "center": Qt.AlignmentFlag.AlignHCenter}[cell.align]
                painter.drawText(QRect(cell_x, y, cell_w, line_h),
                                 int(flags | Qt.AlignmentFlag.AlignVCenter), cell.text)
            painter.restore()
    elif isinstance(item, QrCode):
        matrix = _qr_matrix(item)
        modules = len(matrix)
        px = _qr_module_px(item, width_px, modules)
        left = x + (width_px - modules * px) // 2
        for r, row in enumerate(matrix):
            for c, dark in enumerate(row):
                if dark:
                    painter.fillRect(left + c * px, y + 4 + r * px, px, px, black)
    elif isinstance(item, Barcode):
        bars = _barcode_modules(item.data)
        px = max(1, min(2, width_px // max(1, len(bars))))
        bar_h = int(item.height_mm * width_px / 72.0)
        left = x + (width_px - len(bars) * px) // 2
        for i, bit in enumerate(bars):
            if bit == "1":
                painter.fillRect(left + i * px, y + 4, px, bar_h, black)
        if item.show_text:
            font = QFont(_font_family())
            font.setPixelSize(FONT_PX)
            painter.setFont(font)
            painter.setPen(black)
            painter.drawText(QRect(x, y + 4 + bar_h, width_px, LINE_PX),
                             int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter),
                             item.data)
    elif isinstance(item, Image):
        img = item.load().convert("RGBA")
        scale = min(1.0, width_px / max(1, img.width))
        if scale < 1.0:
            img = img.resize((width_px, max(1, int(img.height * scale))))
        data = img.tobytes("raw", "RGBA")
        qimg = QImage(data, img.width, img.height, img.width * 4, QImage.Format.Format_RGBA8888)
        painter.drawImage(x + (width_px - img.width) // 2, y + 4, qimg)
    elif isinstance(item, Cut):
        pen = QPen(QColor("gray"))
        pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawLine(x - MARGIN_PX, y + LINE_PX // 2, x + width_px + MARGIN_PX, y + LINE_PX // 2)


def render_a4_png(doc: Document, path: str | os.PathLike[str], *, dpi: float = 96.0,
                  page: int = 1) -> Path:
    """One A4 page of `doc` as the A4 printer prints it (printing.pdf_render's layout),
    as a PNG for the screen's preview. Call from the GUI thread."""
    from .pdf_render import render_page_image  # pdf_render imports this module

    out = Path(path)
    # PySide6 6.10 takes the format as str only; its stub declares bytes.
    if not render_page_image(doc, dpi=dpi, page=page).save(str(out), "PNG"):  # type: ignore[call-overload]
        raise OSError(f"could not write {out}")
    return out
