"""Lay a document out on a character grid, shared by the ESC/POS and PNG renderers.

Receipt printers print a fixed grid (48 columns of Font A on 80 mm paper); a CJK
character takes two columns. Laying text out here once, in columns, keeps the ESC/POS
output, the raster fallback and the on-screen preview in step.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .document import (
    Align,
    Barcode,
    Columns,
    Cut,
    Document,
    Feed,
    Grid,
    Heading,
    Image,
    KeyValue,
    QrCode,
    Rule,
    Text,
)


@dataclass(frozen=True)
class Cell:
    text: str
    col: int  # first column, in the line's own grid
    width: int  # columns available
    align: Align = "left"


@dataclass(frozen=True)
class TextLine:
    """One printed line. `scale` 2 doubles width and height (so `columns` halves)."""

    cells: tuple[Cell, ...]
    columns: int
    bold: bool = False
    scale: int = 1
    rule: bool = False  # a Rule block: the preview draws a line instead of characters

    def as_string(self) -> str:
        """The line padded with spaces for a monospaced grid (trailing blanks removed)."""
        out = ""
        for cell in sorted(self.cells, key=lambda c: c.col):
            out += " " * max(0, cell.col - display_width(out))
            out += pad(cell.text, cell.width, cell.align)
        return out.rstrip()

    @property
    def is_ascii(self) -> bool:
        return all(cell.text.isascii() for cell in self.cells)


LayoutItem = TextLine | QrCode | Barcode | Image | Cut | Feed


def char_width(ch: str) -> int:
    """Columns a character takes: 2 for CJK (wide / fullwidth), 0 for combining marks."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    return sum(char_width(ch) for ch in text)


def truncate(text: str, width: int) -> str:
    out, used = [], 0
    for ch in text:
        w = char_width(ch)
        if used + w > width:
            break
        out.append(ch)
        used += w
    return "".join(out)


def pad(text: str, width: int, align: Align = "left") -> str:
    """Fit `text` into `width` columns (truncating if needed), aligned."""
    text = truncate(text, width)
    gap = width - display_width(text)
    if align == "right":
        return " " * gap + text
    if align == "center":
        left = gap // 2
        return " " * left + text + " " * (gap - left)
    return text + " " * gap


# A narrow word, a single wide character, or a run of blanks.
_TOKEN = re.compile(r"\s+|[^\s\u1100-\uffff]+|.", re.S)


def wrap(text: str, width: int) -> list[str]:
    """Greedy wrap to `width` columns: Latin words stay whole when they fit, CJK text
    breaks between any two characters, explicit newlines are kept."""
    width = max(1, width)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        for token in _TOKEN.findall(paragraph):
            if token.isspace():
                if line and used + display_width(token) <= width:
                    line += token
                    used += display_width(token)
                elif line:
                    lines.append(line.rstrip())
                    line, used = "", 0
                continue
            w = display_width(token)
            if used + w <= width:
                line += token
                used += w
                continue
            if line:
                lines.append(line.rstrip())
                line, used = "", 0
            while display_width(token) > width:  # a word longer than the line: hard split
                head = truncate(token, width) or token[0]
                lines.append(head)
                token = token[len(head):]
            line, used = token, display_width(token)
        lines.append(line.rstrip())
    return lines


def layout(doc: Document, chars_per_line: int) -> list[LayoutItem]:
    """Turn the blocks into printable lines and graphic items."""
    cpl = chars_per_line
    items: list[LayoutItem] = []
    for block in doc.blocks:
        if isinstance(block, Heading):
            cols = cpl // 2
            for line in wrap(block.text, cols):
                items.append(TextLine((Cell(line, 0, cols, "center"),), cols, bold=True, scale=2))
        elif isinstance(block, Text):
            for line in wrap(block.text, cpl):
                items.append(TextLine((Cell(line, 0, cpl, block.align),), cpl, bold=block.bold))
        elif isinstance(block, KeyValue):
            items.extend(_key_value(block, cpl))
        elif isinstance(block, Columns):
            items.extend(_columns(block, cpl))
        elif isinstance(block, Grid):  # a receipt has no ruled cells: one line a row
            for row in block.rows:
                items.extend(_columns(block.row_columns(row), cpl))
        elif isinstance(block, Rule):
            ch = block.char or "-"
            count = cpl // max(1, display_width(ch[0]))
            items.append(TextLine((Cell(ch[0] * count, 0, cpl),), cpl, rule=True))
        else:
            items.append(block)
    return items


def _key_value(block: KeyValue, cpl: int) -> list[TextLine]:
    key, value = block.key, block.value
    kw, vw = display_width(key), display_width(value)
    if kw + 1 + vw <= cpl:
        return [TextLine((Cell(key, 0, kw), Cell(value, kw + 1, cpl - kw - 1, "right")),
                         cpl, bold=block.bold)]
    lines = [TextLine((Cell(line, 0, cpl),), cpl, bold=block.bold) for line in wrap(key, cpl)]
    indent = 2
    lines += [TextLine((Cell(line, indent, cpl - indent),), cpl, bold=block.bold)
              for line in wrap(value, cpl - indent)]
    return lines


def _columns(block: Columns, cpl: int) -> list[TextLine]:
    cells = list(block.cells)
    n = len(cells)
    if n == 0:
        return []
    weights = list(block.widths) if block.widths else [1] * n
    if len(weights) != n or any(w <= 0 for w in weights):
        raise ValueError("Columns: one positive width per cell")
    left: list[Align] = ["left"] * (n - 1)
    aligns: list[Align] = list(block.aligns) if block.aligns else left + ["right"] if n > 1 else ["left"]
    if len(aligns) != n:
        raise ValueError("Columns: one alignment per cell")
    usable = cpl - (n - 1)  # one blank between columns
    total = sum(weights)
    widths = [max(1, usable * w // total) for w in weights]
    widths[-1] = max(1, usable - sum(widths[:-1]))
    wrapped = [wrap(text, width) for text, width in zip(cells, widths, strict=True)]
    rows = max(len(w) for w in wrapped)
    lines: list[TextLine] = []
    for r in range(rows):
        col = 0
        row_cells = []
        for c in range(n):
            text = wrapped[c][r] if r < len(wrapped[c]) else ""
            row_cells.append(Cell(text, col, widths[c], aligns[c]))
            col += widths[c] + 1
        lines.append(TextLine(tuple(row_cells), cpl))
    return lines
