"""Fill a pre-printed form on a 24-pin dot-matrix printer: form layout + values -> ESC/P.

Two dialects, because Chinese invoice printers come with either:

- ``"escp2"`` (Epson ESC/P2 and ESC/PK2: LQ-630K, LQ-730K, most current models)::

      ESC @                      initialise (the paper is at the form's top edge)
      ESC ( U 1 0 10             defined unit = 10/3600 in = 1/360 in
      ESC ( C 2 0 mL mH          page length in defined units
      ESC P                      10 cpi
      ESC ( V 2 0 mL mH          absolute vertical position (from the top margin)
      ESC $ nL nH                absolute horizontal position (from the left margin)
      FS & ... FS .              Chinese mode around GB18030 text
      FF                         eject to the next form

  ESC/P2 measures ESC $ in the defined unit once ESC ( U has been sent (1/60 in
  before), so both axes are in 1/360 in: 25.4 mm is exactly 360 units.

- ``"escp"`` (plain 24-pin ESC/P, e.g. printers in "LQ-1600K" emulation, which lack
  the ESC ( commands): page length as ESC 3 n (n/180 in line spacing) + ESC C m lines,
  or ESC C 0 n whole inches; vertical moves forward only, by ESC J n (n/180 in; no
  CR, which adds a line feed on printers set to "auto LF");
  ESC $ in 1/60 in (25.4 mm is exactly 60 units).

Millimetres become units by exact decimal arithmetic, rounded half up:
``units = round(mm * units_per_inch / 25.4)``. The worst error is half a unit (0.035 mm
at 1/360 in, 0.21 mm at 1/60 in), and it never accumulates because every field is
positioned absolutely from the top of the form. Texts go top to bottom (a printer may
not move the paper back far, an ESC/P printer not at all).

Width model used to align and fit text (the simulator's decoder uses the same one):
ASCII characters are one cell, every other character prints as a double-byte GB18030
character in Chinese mode and takes two cells. A cell is 1/10 in in the normal font
(10 cpi), 7/120 in condensed (SI, 17.1 cpi) and 1/5 in double width (ESC W 1, which
also widens Chinese characters on ESC/PK printers).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from .forms import FormLayout, FormLayoutError, PlacedText

Dialect = Literal["escp2", "escp"]
DIALECTS: tuple[str, ...] = ("escp2", "escp")

ESC, FS = b"\x1b", b"\x1c"
INIT = ESC + b"@"
FF = b"\x0c"
SI, DC2 = b"\x0f", b"\x12"  # condensed on / off
PICA = ESC + b"P"  # 10 cpi
DOUBLE_ON, DOUBLE_OFF = ESC + b"W\x01", ESC + b"W\x00"
CHINESE_ON, CHINESE_OFF = FS + b"&", FS + b"."

MM_PER_INCH = Decimal("25.4")
UNIT_360 = 360  # ESC/P2 defined unit set by ESC ( U m=10
UNIT_60 = 60  # ESC/P ESC $
UNIT_180 = 180  # ESC/P ESC J / ESC 3

# Cell width in 1/360 inch, per font (see the width model above).
CELL_360: dict[str, int] = {"normal": 36, "condensed": 21, "double": 72}
_NORMALISE = str.maketrans({"¥": "￥"})  # GB2312 fonts have the full-width yen only


def mm_to_units(mm: float | Decimal, units_per_inch: int) -> int:
    """Millimetres to printer units, rounded half up on the exact decimal value."""
    value = Decimal(str(mm)) * units_per_inch / MM_PER_INCH
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def units_to_mm(units: int, units_per_inch: int) -> float:
    return float(Decimal(units) * MM_PER_INCH / units_per_inch)


def text_cells(text: str) -> int:
    """Cells `text` takes: 1 per ASCII character, 2 per double-byte character."""
    return sum(1 if ord(ch) < 0x80 else 2 for ch in text)


def text_width_mm(text: str, font: str) -> float:
    return text_cells(text) * CELL_360[font] * 25.4 / UNIT_360


@dataclass(frozen=True)
class FittedText:
    """A placed text after fitting: the font actually used and its left edge."""

    field: str
    x_mm: float
    y_mm: float
    text: str
    font: str


def fit(item: PlacedText) -> FittedText:
    """Fit `item` in its box: as is, else condensed, else cut (overflow "truncate") or
    refuse (FormLayoutError: a value on a tax invoice is never silently shortened)."""
    text = item.text.translate(_NORMALISE)
    font: str = item.font
    limit = item.max_width_mm + 1e-6
    if text_width_mm(text, font) > limit:
        if item.overflow == "error":
            raise FormLayoutError(f"field {item.field}: {text!r} is wider than {item.max_width_mm} mm")
        font = "condensed"
        if text_width_mm(text, font) > limit:
            if item.overflow == "shrink":
                raise FormLayoutError(
                    f"field {item.field}: {text!r} does not fit {item.max_width_mm} mm even condensed")
            while text and text_width_mm(text, font) > limit:
                text = text[:-1]
    width = text_width_mm(text, font)
    x = item.x_mm
    if item.align == "right":
        x += item.max_width_mm - width
    elif item.align == "center":
        x += (item.max_width_mm - width) / 2
    return FittedText(item.field, x, item.y_mm, text, font)


def render_escp(layout: FormLayout, values: Mapping[str, Any], *, dialect: Dialect = "escp2",
                offset_x_mm: float = 0.0, offset_y_mm: float = 0.0) -> bytes:
    """ESC/P bytes that print `values` on one form of `layout`, ending with a form feed.

    `offset_x_mm` / `offset_y_mm` shift everything, to calibrate a terminal whose printer
    takes the paper a little off (measured once on a test print). Raises
    FormLayoutError if a value is missing, malformed or does not fit, and ValueError
    for an unknown dialect or a text that has no GB18030 encoding.
    """
    if dialect not in DIALECTS:
        raise ValueError(f"dialect must be one of {', '.join(DIALECTS)}, not {dialect!r}")
    texts = [fit(item) for item in layout.place(values)]
    out = bytearray(INIT)
    out += _page_length(layout.height_mm, dialect)
    out += PICA
    y_180 = 0  # escp: where the paper is now, in 1/180 in from the top of form
    for t in texts:
        x_mm, y_mm = t.x_mm + offset_x_mm, t.y_mm + offset_y_mm
        if x_mm < 0 or y_mm < 0 or y_mm >= layout.height_mm:
            raise FormLayoutError(f"field {t.field}: the offset moves it off the form")
        if dialect == "escp2":
            v = mm_to_units(y_mm, UNIT_360)
            h = mm_to_units(x_mm, UNIT_360)
            out += ESC + b"(V" + b"\x02\x00" + v.to_bytes(2, "little")
        else:
            target = mm_to_units(y_mm, UNIT_180)
            step = target - y_180
            while step > 0:  # sorted top to bottom, so never backwards
                n = min(step, 255)
                out += ESC + b"J" + bytes((n,))  # no CR: "auto LF" would add a line
                step -= n
            y_180 = max(y_180, target)
            h = mm_to_units(x_mm, UNIT_60)
        out += ESC + b"$" + h.to_bytes(2, "little")
        out += _text(t)
    out += FF
    return bytes(out)


def _page_length(height_mm: float, dialect: str) -> bytes:
    if dialect == "escp2":
        units = mm_to_units(height_mm, UNIT_360)
        unit_cmd = ESC + b"(U" + b"\x01\x00" + bytes((3600 // UNIT_360,))
        return unit_cmd + ESC + b"(C" + b"\x02\x00" + units.to_bytes(2, "little")
    # ESC/P: whole inches if possible, else a line spacing that divides the length.
    length_180 = mm_to_units(height_mm, UNIT_180)
    if length_180 % UNIT_180 == 0 and 1 <= length_180 // UNIT_180 <= 22:
        return ESC + b"C\x00" + bytes((length_180 // UNIT_180,))
    for spacing in (30, 36, 45, 60, 90, 15, 18, 20, 24, 10, 12, 9, 6, 5, 4, 3, 2, 1):
        if length_180 % spacing == 0 and length_180 // spacing <= 127:
            return ESC + b"3" + bytes((spacing,)) + ESC + b"C" + bytes((length_180 // spacing,))
    raise FormLayoutError(f"page length {height_mm} mm cannot be set on an ESC/P printer")


def _text(t: FittedText) -> bytes:
    on, off = {"normal": (b"", b""), "condensed": (SI, DC2),
               "double": (DOUBLE_ON, DOUBLE_OFF)}[t.font]
    if t.text.isascii():
        body = t.text.encode("ascii")
    else:
        try:
            body = CHINESE_ON + t.text.encode("gb18030") + CHINESE_OFF
        except UnicodeEncodeError as exc:
            raise ValueError(f"field {t.field}: {exc.object[exc.start]!r} has no GB18030 code") from None
    return on + body + off
