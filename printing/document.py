"""Printable documents as a list of blocks, independent of any printer.

Templates build a `Document`; renderers turn it into ESC/POS bytes (`escpos_render`)
or a PNG preview (`preview`). Keeping the document abstract lets the same slip go to
an 80 mm or 58 mm printer, with or without a Chinese font, and to the screen.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from PIL import Image as PILImage

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Heading:
    """A title line: double size, bold, centred."""

    text: str


@dataclass(frozen=True)
class Text:
    text: str
    bold: bool = False
    align: Align = "left"


@dataclass(frozen=True)
class KeyValue:
    """A "key ....... value" row; wraps the value under the key if it does not fit."""

    key: str
    value: str
    bold: bool = False


@dataclass(frozen=True)
class Columns:
    """A table row. `widths` are relative weights (profile independent); by default
    equal. `aligns` default: left, except a last column that is right-aligned."""

    cells: tuple[str, ...] | list[str]
    widths: tuple[int, ...] | list[int] | None = None
    aligns: tuple[Align, ...] | list[Align] | None = None


@dataclass(frozen=True)
class Rule:
    """A horizontal line across the paper."""

    char: str = "-"


@dataclass(frozen=True)
class QrCode:
    """A centred QR code; `size_mm` is the printed edge length, approximately."""

    data: str
    size_mm: float = 30.0
    ec: Literal["L", "M", "Q", "H"] = "M"
    #: A4 only (receipts centre the code and leave the caption out): "left" puts the
    #: code at the left margin with `caption` (lines of text) beside it.
    align: Align = "center"
    caption: str = ""


@dataclass(frozen=True)
class Barcode:
    data: str
    symbology: str = "CODE128"
    height_mm: float = 10.0
    show_text: bool = True


@dataclass(frozen=True, eq=False)
class Image:
    """A picture (logo, stamp); scaled down to the paper width if wider. Centred."""

    source: str | Path | PILImage.Image

    def load(self) -> PILImage.Image:
        if isinstance(self.source, PILImage.Image):
            return self.source
        with PILImage.open(self.source) as img:
            img.load()
            return img.copy()


@dataclass(frozen=True)
class Cut:
    partial: bool = False


@dataclass(frozen=True)
class Feed:
    lines: int = 1


@dataclass(frozen=True)
class GridCell:
    """One cell of a `Grid`; `span` columns wide; `shaded`: a label cell (grey)."""

    text: str
    span: int = 1
    bold: bool = False
    align: Align = "left"
    shaded: bool = False


@dataclass(frozen=True)
class Grid:
    """A ruled table, as forms of record have (certificates on A4): `widths` are the
    columns' relative weights, each row's cell spans add up to their number. The PDF
    draws every cell's border and may break the page between rows; a receipt prints
    each row as a `Columns` line."""

    widths: tuple[int, ...]
    rows: tuple[tuple[GridCell, ...], ...]

    def __post_init__(self) -> None:
        if not self.widths or any(w <= 0 for w in self.widths):
            raise ValueError("Grid: one positive width per column")
        for i, row in enumerate(self.rows):
            if sum(cell.span for cell in row) != len(self.widths) \
                    or any(cell.span < 1 for cell in row):
                raise ValueError(f"Grid: row {i} spans {sum(c.span for c in row)} "
                                 f"columns, not {len(self.widths)}")

    def row_columns(self, row: tuple[GridCell, ...]) -> Columns:
        """One row as a `Columns` block (its cells' widths summed over their spans)."""
        widths, col = [], 0
        for cell in row:
            widths.append(sum(self.widths[col:col + cell.span]))
            col += cell.span
        return Columns(tuple(cell.text for cell in row), widths=tuple(widths),
                       aligns=tuple(cell.align for cell in row))


Block = (Heading | Text | KeyValue | Columns | Rule | QrCode | Barcode | Image | Cut | Feed
         | Grid)
BLOCK_TYPES = (Heading, Text, KeyValue, Columns, Rule, QrCode, Barcode, Image, Cut, Feed, Grid)


@dataclass
class Document:
    blocks: list[Block] = field(default_factory=list)
    title: str = ""

    def __post_init__(self) -> None:
        for block in self.blocks:
            if not isinstance(block, BLOCK_TYPES):
                raise TypeError(f"not a document block: {block!r}")

    def add(self, *blocks: Block) -> Document:
        for block in blocks:
            if not isinstance(block, BLOCK_TYPES):
                raise TypeError(f"not a document block: {block!r}")
            self.blocks.append(block)
        return self

    def plain_text(self) -> str:
        """The text content, one block per line (logs without personal data, search)."""
        out: list[str] = []
        for block in self.blocks:
            if isinstance(block, (Heading, Text)):
                out.append(block.text)
            elif isinstance(block, KeyValue):
                out.append(f"{block.key}: {block.value}")
            elif isinstance(block, Columns):
                out.append("  ".join(block.cells))
            elif isinstance(block, Grid):
                out.extend("  ".join(cell.text for cell in row) for row in block.rows)
        return "\n".join(out)
