"""Printer capability profiles: what a given receipt printer model can do.

Chinese text goes as GB18030 in the printer's Chinese mode when it has a Chinese font
("gb18030"), else as raster images ("raster"), which are many times larger: seconds
instead of a fraction of one on a 115200-baud serial line. QR codes are either drawn
by the printer ("native", GS ( k) or sent as images ("image").
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class PrinterProfile:
    name: str
    paper_width_mm: int = 80
    chars_per_line: int = 48  # Font A (12x24 dots) on 80 mm paper
    chinese: Literal["gb18030", "raster"] = "gb18030"
    qr: Literal["native", "image"] = "native"
    dots_per_line: int = 576  # printable width in dots (203 dpi heads: 8 dots/mm)

    def __post_init__(self) -> None:
        if self.chinese not in ("gb18030", "raster"):
            raise ValueError(f"chinese must be 'gb18030' or 'raster', not {self.chinese!r}")
        if self.qr not in ("native", "image"):
            raise ValueError(f"qr must be 'native' or 'image', not {self.qr!r}")
        if self.chars_per_line < 16 or self.dots_per_line < 128:
            raise ValueError("paper too narrow")

    @property
    def dots_per_mm(self) -> float:
        """Printable dots per millimetre (72 mm printable on 80 mm paper, 48 on 58)."""
        printable_mm = 72.0 if self.paper_width_mm >= 80 else 48.0
        return self.dots_per_line / printable_mm


PROFILES: dict[str, PrinterProfile] = {
    "default80": PrinterProfile("default80"),
    "raster80": PrinterProfile("raster80", chinese="raster", qr="image"),
    "default58": PrinterProfile("default58", paper_width_mm=58, chars_per_line=32,
                                dots_per_line=384),
    "raster58": PrinterProfile("raster58", paper_width_mm=58, chars_per_line=32,
                               chinese="raster", qr="image", dots_per_line=384),
}


def get_profile(name: str) -> PrinterProfile:
    """Look up a named profile; raise ValueError listing the known names."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown printer profile {name!r}; known: {', '.join(PROFILES)}") from None
