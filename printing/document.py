"""Printable documents as a list of blocks, independent of any printer.

Templates build a `Document`; renderers turn it into ESC/POS bytes (`escpos_render`)
or a PNG preview (`preview`). Keeping the document abstract lets the same slip go to
an 80 mm or 58 mm printer, with or without a Chinese font, and to the screen.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Union

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


@dataclass(frozen=True)
class Barcode:
    data: str
    symbology: str = "CODE128"
    height_mm: float = 10.0
    show_text: bool = True


@dataclass(frozen=True, eq=False)
class Image:
    """A picture (logo, stamp); scaled down to the paper width if wider. Centred."""

    source: Union[str, Path, PILImage.Image]

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


Block = Union[Heading, Text, KeyValue, Columns, Rule, QrCode, Barcode, Image, Cut, Feed]
BLOCK_TYPES = (Heading, Text, KeyValue, Columns, Rule, QrCode, Barcode, Image, Cut, Feed)


@dataclass
class Document:
    blocks: list[Block] = field(default_factory=list)
    title: str = ""

    def __post_init__(self) -> None:
        for block in self.blocks:
            if not isinstance(block, BLOCK_TYPES):
                raise TypeError(f"not a document block: {block!r}")

    def add(self, *blocks: Block) -> "Document":
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
        return "\n".join(out)
