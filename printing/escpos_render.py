"""Render a `Document` to ESC/POS through python-escpos, on any of its transports.

Chinese text: in "gb18030" profiles a line with non-ASCII characters is sent in the
printer's Chinese character mode (FS & ... FS .) encoded as GB18030; in "raster"
profiles such lines are drawn with a CJK font into a 1-bit image (GS v 0). ASCII-only
lines always go as plain text, which is what keeps a receipt fast on a serial line.
python-escpos's own text() is only used for ASCII: for CJK it sends GB18030 without
entering Chinese mode, which prints garbage on printers that start in ANK mode.
"""
from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from PIL import Image as PILImage
from PIL import ImageDraw

from .document import Barcode, Cut, Document, Feed, Image, QrCode
from .fonts import find_cjk_font, pil_cjk_font
from .layout import LayoutItem, TextLine, layout
from .profiles import PrinterProfile

# python-escpos (and qrcode, which it pulls in) load at the first render, not with the
# printer driver at start: its capability database alone costs ~8 MiB and ~0.4 s of CPU
# (#9), and a kiosk that never prints needs neither.
if TYPE_CHECKING:
    from escpos.escpos import Escpos

__all__ = ["render_escpos", "render_escpos_bytes", "find_cjk_font", "qr_module_size",
           "escpos_capabilities"]

FS_CHINESE_ON = b"\x1c\x26"  # FS &: select Kanji (Chinese) character mode
FS_CHINESE_OFF = b"\x1c\x2e"  # FS .: cancel Kanji character mode


def _escpos_ec(level: str) -> int:
    """python-escpos's native QR error correction constant for "L"/"M"/"Q"/"H"."""
    from escpos import constants

    return {"L": constants.QR_ECLEVEL_L, "M": constants.QR_ECLEVEL_M,
            "Q": constants.QR_ECLEVEL_Q, "H": constants.QR_ECLEVEL_H}[level]


def _qrcode_ec(level: str) -> int:
    """qrcode's error correction constant for "L"/"M"/"Q"/"H"."""
    from qrcode import constants

    return {"L": constants.ERROR_CORRECT_L, "M": constants.ERROR_CORRECT_M,
            "Q": constants.ERROR_CORRECT_Q, "H": constants.ERROR_CORRECT_H}[level]

# Raster text metrics, in dots: Font A is 12x24 (CJK 24x24) with 30-dot line pitch.
RASTER_FONT_PX = 24
RASTER_LINE_PX = 30


def escpos_capabilities(printer: Escpos, profile: PrinterProfile) -> None:
    """Tell python-escpos the paper width, so it can centre and check images.

    The capability data is copied first: python-escpos shares one dict between all
    printers of a profile class.
    """
    data = printer.profile.profile_data
    width = data.get("media", {}).get("width", {})
    if width.get("pixels") == profile.dots_per_line:
        return
    data = copy.deepcopy(data)
    data.setdefault("media", {})["width"] = {"mm": profile.paper_width_mm,
                                             "pixels": profile.dots_per_line}
    data["media"]["dpi"] = 203
    printer.profile.profile_data = data


def render_escpos(doc: Document, printer: Escpos, profile: PrinterProfile) -> None:
    """Write `doc` to `printer` (Network, Serial, File, Usb or Dummy) for `profile`."""
    escpos_capabilities(printer, profile)
    printer.hw("INIT")  # ESC @: known state whatever the last job left behind
    raster_batch: list[TextLine] = []

    def flush_raster() -> None:
        if raster_batch:
            printer.image(_rasterize(raster_batch, profile), center=False)
            raster_batch.clear()

    for item in layout(doc, profile.chars_per_line):
        if isinstance(item, TextLine):
            if profile.chinese == "raster" and not item.is_ascii:
                raster_batch.append(item)
                continue
            flush_raster()
            _text_line(printer, item)
            continue
        flush_raster()
        _graphic(printer, item, profile)
    flush_raster()


def render_escpos_bytes(doc: Document, profile: PrinterProfile) -> bytes:
    """The ESC/POS bytes for `doc` (tests, benchmarks, file spooling)."""
    from escpos.printer import Dummy

    printer = Dummy()
    render_escpos(doc, printer, profile)
    return printer.output


def _text_line(printer: Escpos, line: TextLine) -> None:
    text = line.as_string()
    if line.scale != 1:
        printer.set(custom_size=True, width=line.scale, height=line.scale)
    if line.bold:
        printer.set(bold=True)
    if text.isascii():
        printer.text(text + "\n")
    else:
        printer._raw(FS_CHINESE_ON + text.encode("gb18030", errors="replace") + FS_CHINESE_OFF + b"\n")
    if line.bold:
        printer.set(bold=False)
    if line.scale != 1:
        printer.set(custom_size=True, width=1, height=1)


def _graphic(printer: Escpos, item: LayoutItem, profile: PrinterProfile) -> None:
    if isinstance(item, QrCode):
        size = qr_module_size(item.data, item.size_mm, profile, item.ec)
        if profile.qr == "native":
            printer.set(align="center")
            printer.qr(item.data, ec=_escpos_ec(item.ec), size=size, native=True)
            printer.set(align="left")
        else:
            printer.qr(item.data, ec=_escpos_ec(item.ec), size=size, native=False,
                       center=True)
    elif isinstance(item, Barcode):
        _barcode(printer, item, profile)
    elif isinstance(item, Image):
        img = item.load()
        if img.width > profile.dots_per_line:
            height = max(1, round(img.height * profile.dots_per_line / img.width))
            img = img.resize((profile.dots_per_line, height))
        printer.image(img, center=True)
    elif isinstance(item, Cut):
        printer.cut(mode="PART" if item.partial else "FULL")
    elif isinstance(item, Feed):
        printer.print_and_feed(max(0, min(255, item.lines)))


def _barcode(printer: Escpos, item: Barcode, profile: PrinterProfile) -> None:
    symbology = item.symbology.upper().replace("-", "").replace("_", "")
    code = item.data
    if symbology == "CODE128":
        if not code.isascii() or not code.isprintable():
            raise ValueError("CODE128 barcodes take printable ASCII only")
        code = "{B" + code.replace("{", "{{")
    height = max(1, min(255, round(item.height_mm * profile.dots_per_mm)))
    # _hw_barcode: barcode() would print "Using hardware barcode renderer" on stdout.
    printer._hw_barcode(code, symbology, height=height, width=2,
                        pos="BELOW" if item.show_text else "OFF", font="A",
                        align_ct=True, function_type="B")
    printer.set(align="left")


def qr_module_size(data: str, size_mm: float, profile: PrinterProfile, ec: str = "M") -> int:
    """Dots per QR module so the symbol is about `size_mm` wide (1..16)."""
    import qrcode

    qr = qrcode.QRCode(error_correction=_qrcode_ec(ec), border=0)
    qr.add_data(data)
    # The size follows from the version alone (4 modules a step from 21). make() would
    # also build the symbol and score its 8 masks: ~10 ms of pure Python per slip,
    # holding the GIL while the screen that started the print paints (#9).
    modules = qr.best_fit() * 4 + 17 + 2  # plus a thin quiet zone
    return max(1, min(16, int(size_mm * profile.dots_per_mm / modules)))


def _rasterize(lines: list[TextLine], profile: PrinterProfile) -> PILImage.Image:
    """Draw text lines into a 1-bit image as wide as the printable area."""
    width = profile.dots_per_line
    height = sum(RASTER_LINE_PX * line.scale for line in lines)
    image = PILImage.new("1", (width, height), 1)
    y = 0
    for line in lines:
        _draw_line(image, line, y, width)
        y += RASTER_LINE_PX * line.scale
    return image


def _draw_line(image: PILImage.Image, line: TextLine, y: int, width: int) -> None:
    font = pil_cjk_font(RASTER_FONT_PX * line.scale)
    stroke = 1 if line.bold else 0
    col_px = width / line.columns
    line_h = RASTER_LINE_PX * line.scale
    for cell in line.cells:
        if not cell.text:
            continue
        cell_w = max(1, int(cell.width * col_px))
        left, top, right, bottom = font.getbbox(cell.text, stroke_width=stroke)
        text_w = max(1, int(right - min(left, 0)))
        canvas = PILImage.new("1", (text_w, line_h), 1)
        # Baseline-ish placement: centre the font's em box in the line pitch.
        y_off = (line_h - RASTER_FONT_PX * line.scale) // 2
        ImageDraw.Draw(canvas).text((-min(left, 0), y_off), cell.text, font=font, fill=0,
                                    stroke_width=stroke, stroke_fill=0)
        if text_w > cell_w:  # proportional glyphs wider than the grid: squeeze, never clip
            canvas = canvas.resize((cell_w, line_h))
            text_w = cell_w
        x0 = int(cell.col * col_px)
        if cell.align == "right":
            x0 += cell_w - text_w
        elif cell.align == "center":
            x0 += (cell_w - text_w) // 2
        image.paste(canvas, (x0, y))
