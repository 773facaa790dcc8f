"""An ESC/P / ESC/P2 decoder: dot-matrix printer bytes -> positioned text on pages.

The simulated invoice printer feeds what it receives through this, so tests can say
"the buyer's name landed 40 mm from the left and 30 mm from the top of the form,
within half a millimetre" instead of comparing byte strings. It follows the Epson
ESC/P2 reference for positioning (ESC ( U, ESC ( C, ESC ( c, ESC ( V, ESC ( v, ESC $,
ESC \\, ESC J, ESC 3 / 2 / 0 / A / +, ESC C, CR, LF, FF), fonts (ESC P / M / g, SI,
ESC SI, DC2, ESC W, ESC !) and the Chinese mode of ESC/PK (FS & ... FS ., GB18030).
Character advance uses the width model of `printing.escp_render` (ASCII one cell, a
double-byte character two). Bytes it does not understand are skipped; it never raises.

Positions are kept in 1/3600 inch, the finest ESC/P2 unit, so every unit the printer
understands is an integer and nothing drifts.
"""
from __future__ import annotations

from dataclasses import dataclass, field

ESC, FS = 0x1B, 0x1C
CR, LF, FF, BS, HT = 0x0D, 0x0A, 0x0C, 0x08, 0x09
SI, DC2, SO, DC4 = 0x0F, 0x12, 0x0E, 0x14
FINE = 3600  # internal unit: 1/3600 inch
MAX_DATA = 16 * 1024 * 1024

# Parameter bytes after "ESC x" for the fixed-length commands we do not act on.
_ESC_SKIP = {
    ord("4"): 0, ord("5"): 0, ord("8"): 0, ord("9"): 0, ord("<"): 0, ord("E"): 0,
    ord("F"): 0, ord("G"): 0, ord("H"): 0, ord("T"): 0, ord("O"): 0, ord("6"): 0,
    ord("7"): 0, ord("#"): 0, ord("="): 0, ord(">"): 0,
    ord("-"): 1, ord("x"): 1, ord("k"): 1, ord("l"): 1, ord("Q"): 1, ord("t"): 1,
    ord("R"): 1, ord("U"): 1, ord("p"): 1, ord("w"): 1, ord("a"): 1, ord("q"): 1,
    ord("r"): 1, ord("S"): 1, ord("N"): 1, ord("/"): 1, ord("s"): 1, ord("%"): 1,
    ord("I"): 1, ord("i"): 1, ord("m"): 1, ord(" "): 1, ord("c"): 2, ord("e"): 1,
    ord("f"): 2, ord("Z"): 0,
}
_FS_SKIP = {ord("!"): 1, ord("-"): 1, ord("W"): 1, ord("S"): 2, ord("T"): 2, ord("r"): 1,
            ord("U"): 0, ord("V"): 0, ord("k"): 1, ord("x"): 1, ord("C"): 1, ord("2"): 74}


@dataclass(frozen=True)
class PrintedText:
    """A run of text where the head put it; the top-left of the first character."""

    x_mm: float
    y_mm: float
    text: str
    font: str  # "normal", "condensed" or "double"

    def near(self, x_mm: float, y_mm: float, tolerance_mm: float = 0.5) -> bool:
        return abs(self.x_mm - x_mm) <= tolerance_mm and abs(self.y_mm - y_mm) <= tolerance_mm


@dataclass
class PrintedForm:
    """One page (form) between form feeds."""

    items: list[PrintedText] = field(default_factory=list)
    page_length_mm: float | None = None
    ejected: bool = False  # ended by FF

    def find(self, text: str) -> PrintedText:
        """The item whose text is exactly `text` (else the only one containing it)."""
        exact = [item for item in self.items if item.text == text]
        if len(exact) == 1:
            return exact[0]
        partial = [item for item in self.items if text in item.text]
        if len(exact) > 1 or len(partial) != 1:
            raise LookupError(f"{len(exact) or len(partial)} printed items match {text!r}")
        return partial[0]

    def at(self, x_mm: float, y_mm: float, tolerance_mm: float = 0.5) -> list[PrintedText]:
        return [item for item in self.items if item.near(x_mm, y_mm, tolerance_mm)]

    @property
    def text(self) -> str:
        """All text, top to bottom, left to right, one line per distinct y."""
        lines: list[str] = []
        last_y: float | None = None
        for item in sorted(self.items, key=lambda i: (round(i.y_mm, 2), i.x_mm)):
            if last_y is not None and abs(item.y_mm - last_y) < 0.01:
                lines[-1] += "  " + item.text
            else:
                lines.append(item.text)
            last_y = item.y_mm
        return "\n".join(lines)


def decode_escp(data: bytes) -> list[PrintedForm]:
    """Every page in `data`; the last one only if something was printed on it."""
    return EscpDecoder().decode(data)


class EscpDecoder:
    """Stateful: `decode()` may be called once per stream."""

    def __init__(self) -> None:
        self.pages: list[PrintedForm] = []
        self.unknown_commands = 0
        self._page = PrintedForm()
        self._run: list[str] = []
        self._run_at: tuple[int, int, str] | None = None  # x, y, font of the run start
        self._run_end_x = 0
        self._reset()
        self.x = 0
        self.y = 0

    def _reset(self) -> None:
        """ESC @: fonts, units and modes back to the power-on defaults."""
        self.unit: int | None = None  # ESC ( U in 1/3600 in; None = not defined
        self.line_spacing = FINE // 6
        self.top_margin = 0
        self.pitch = 360  # cell width in 1/3600 in: 10 cpi
        self.elite = False
        self.fifteen = False
        self.condensed = False
        self.double = False
        self.chinese = False
        self.x = 0

    # -- state helpers ----------------------------------------------------------------

    @property
    def font(self) -> str:
        if self.double:
            return "double"
        return "condensed" if self.condensed else "normal"

    def _cell(self) -> int:
        if self.fifteen:
            base = 240
        elif self.elite:
            base = 180 if self.condensed else 300
        else:
            base = 210 if self.condensed else 360
        return base * (2 if self.double else 1)

    def _flush(self) -> None:
        if self._run and self._run_at is not None:
            x, y, font = self._run_at
            self._page.items.append(PrintedText(round(x * 25.4 / FINE, 3),
                                                round(y * 25.4 / FINE, 3), "".join(self._run), font))
        self._run = []
        self._run_at = None

    def _emit(self, text: str, cells: int) -> None:
        if self._run_at is None or self._run_end_x != self.x or self._run_at[1] != self.y \
                or self._run_at[2] != self.font:
            self._flush()
            self._run_at = (self.x, self.y, self.font)
        self._run.append(text)
        self.x += cells * self._cell()
        self._run_end_x = self.x

    def _form_feed(self) -> None:
        self._flush()
        self._page.ejected = True
        self.pages.append(self._page)
        length = self._page.page_length_mm
        self._page = PrintedForm(page_length_mm=length)
        self.x = 0
        self.y = 0

    # -- parsing ----------------------------------------------------------------------

    def decode(self, data: bytes) -> list[PrintedForm]:
        buf = bytes(data[:MAX_DATA])
        i, end = 0, len(buf)
        while i < end:
            i = self._step(buf, i, end)
        self._flush()
        if self._page.items:
            self.pages.append(self._page)
            self._page = PrintedForm(page_length_mm=self._page.page_length_mm)
        return self.pages

    def _step(self, buf: bytes, i: int, end: int) -> int:
        b = buf[i]
        if b >= 0x20 and b != 0x7F:
            return self._text(buf, i, end)
        if b == ESC:
            return self._esc(buf, i, end)
        if b == FS:
            return self._fs(buf, i, end)
        if b == CR:
            self.x = 0
        elif b == LF:
            self.x = 0
            self.y += self.line_spacing
        elif b == FF:
            self._form_feed()
        elif b == SI:
            self.condensed = True
        elif b == DC2:
            self.condensed = False
        elif b == BS:
            self.x = max(0, self.x - self._cell())
        elif b == HT:
            self.x += 8 * self._cell()
        return i + 1

    def _text(self, buf: bytes, i: int, end: int) -> int:
        b = buf[i]
        if not self.chinese or b < 0x81 or b == 0xFF:
            self._emit(chr(b) if b < 0x80 else bytes((b,)).decode("latin-1"), 1)
            return i + 1
        size = 2
        if i + 1 < end and 0x30 <= buf[i + 1] <= 0x39:
            size = 4
        chunk = buf[i:i + size]
        self._emit(chunk.decode("gb18030", errors="replace"), 2)
        return i + len(chunk)

    def _esc(self, buf: bytes, i: int, end: int) -> int:
        if i + 1 >= end:
            return end
        c = buf[i + 1]
        arg = buf[i + 2] if i + 2 < end else 0
        if c == ord("@"):
            self._reset()
            return i + 2
        if c == ord("("):
            return self._esc_paren(buf, i, end)
        if c == ord("$"):
            n = buf[i + 2] | (buf[i + 3] << 8) if i + 3 < end else 0
            self.x = n * (self.unit or FINE // 60)
            return i + 4
        if c == ord("\\"):
            n = buf[i + 2] | (buf[i + 3] << 8) if i + 3 < end else 0
            n = n - 0x10000 if n & 0x8000 else n
            self.x = max(0, self.x + n * (self.unit or FINE // 180))
            return i + 4
        if c == ord("J"):
            self.y += arg * (FINE // 180)
            return i + 3
        if c == ord("3"):
            self.line_spacing = arg * (FINE // 180)
            return i + 3
        if c == ord("+"):
            self.line_spacing = arg * (FINE // 360)
            return i + 3
        if c == ord("A"):
            self.line_spacing = arg * (FINE // 60)
            return i + 3
        if c == ord("2"):
            self.line_spacing = FINE // 6
            return i + 2
        if c == ord("0"):
            self.line_spacing = FINE // 8
            return i + 2
        if c == ord("C"):
            if arg == 0:
                inches = buf[i + 3] if i + 3 < end else 0
                self._page.page_length_mm = inches * 25.4
                return i + 4
            self._page.page_length_mm = round(arg * self.line_spacing * 25.4 / FINE, 3)
            return i + 3
        if c == ord("W"):
            self.double = arg in (1, 0x31)
            return i + 3
        if c == ord("P"):
            self.elite = self.fifteen = False
            return i + 2
        if c == ord("M"):
            self.elite, self.fifteen = True, False
            return i + 2
        if c == ord("g"):
            self.elite, self.fifteen = False, True
            return i + 2
        if c == SI:
            self.condensed = True
            return i + 2
        if c == ord("!"):
            self.elite = bool(arg & 0x01)
            self.fifteen = False
            self.condensed = bool(arg & 0x04)
            self.double = bool(arg & 0x20)
            return i + 3
        if c in (ord("D"), ord("B")):  # tab stops, NUL-terminated
            j = i + 2
            while j < end and buf[j] != 0:
                j += 1
            return j + 1
        if c in (ord("*"), ord("K"), ord("L"), ord("Y"), ord("Z"), ord("^")):  # bit images
            if i + 4 >= end:
                return end
            if c == ord("*"):
                m, n = buf[i + 2], buf[i + 3] | (buf[i + 4] << 8)
                per_column = 3 if m >= 32 else 1
                return i + 5 + n * per_column
            n = buf[i + 2] | (buf[i + 3] << 8)
            return i + 4 + n
        skip = _ESC_SKIP.get(c)
        if skip is None:
            self.unknown_commands += 1
            return i + 2
        return i + 2 + skip

    def _esc_paren(self, buf: bytes, i: int, end: int) -> int:
        """ESC ( c nL nH data...: length-prefixed, so unknown ones are skipped exactly."""
        if i + 4 >= end:
            return end
        c = buf[i + 2]
        n = buf[i + 3] | (buf[i + 4] << 8)
        data = buf[i + 5:i + 5 + n]
        nxt = i + 5 + n
        if len(data) < n:  # cut off at the end of the stream
            return end
        if c == ord("U") and n >= 1 and data[0]:
            self.unit = data[0]  # m/3600 in
        elif c == ord("C") and n >= 2:
            units = data[0] | (data[1] << 8)
            self._page.page_length_mm = round(units * (self.unit or 10) * 25.4 / FINE, 3)
        elif c == ord("c") and n >= 4:
            self.top_margin = (data[0] | (data[1] << 8)) * (self.unit or 10)
        elif c == ord("V") and n >= 2:
            self.y = self.top_margin + (data[0] | (data[1] << 8)) * (self.unit or 10)
        elif c == ord("v") and n >= 2:
            rel = data[0] | (data[1] << 8)
            rel = rel - 0x10000 if rel & 0x8000 else rel
            self.y = max(0, self.y + rel * (self.unit or 10))
        return nxt

    def _fs(self, buf: bytes, i: int, end: int) -> int:
        if i + 1 >= end:
            return end
        c = buf[i + 1]
        if c == ord("&"):
            self.chinese = True
            return i + 2
        if c == ord("."):
            self.chinese = False
            return i + 2
        skip = _FS_SKIP.get(c)
        if skip is None:
            self.unknown_commands += 1
            return i + 2
        return i + 2 + skip
