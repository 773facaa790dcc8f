"""Physical units for the kiosk UI: everything is sized in millimetres, not pixels.

A 23.8" 1080p panel is about 93 PPI; the real value comes from the deployment config
(`[ui] ppi`). Sizes are floors (touch targets, capital height), so conversions round up:
a 12 mm minimum never comes out as 11.9 mm.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

from kiosk.frozen import Frozen

MM_PER_INCH = 25.4
DEFAULT_PPI = 93.0

# Capital height of a sans-serif face is about 0.7 of its pixel (em) size; Noto Sans
# CJK is 0.733, so 0.7 errs on the large side.
CAP_HEIGHT_RATIO = 0.7
LARGE_TEXT_SCALE = 1.25
# Simple (elderly) mode: text at least 1.4x and touch targets 1.3x (a 13 mm button
# becomes 17 mm, a primary one 25 mm), for hands that shake and eyes that tire.
SIMPLE_TEXT_SCALE = 1.4
SIMPLE_TARGET_SCALE = 1.3

# Capital heights in mm per text style. Body text is the floor from ux.md (4.8 mm).
BODY_CAP_MM = 4.8
SUBTITLE_CAP_MM = 6.0
TITLE_CAP_MM = 8.0
KEY_CAP_MM = 7.0
COUNTDOWN_CAP_MM = 22.0


class Size:
    """Control sizes in millimetres (ux.md: targets >= 12 mm, primary 18-20 mm,
    >= 3 mm between targets)."""

    TARGET_MIN = 12.0
    SECONDARY = 13.0
    PRIMARY = 19.0
    TILE = 32.0
    TILE_MIN_WIDTH = 60.0
    FIELD = 14.0
    KEY = 18.0
    LETTER_KEY = 15.0  # the keypad's letter mode: eleven keys a row fit a portrait panel
    KEY_GAP = 4.0
    GAP = 3.0
    BORDER = 0.5
    FOCUS_RING = 1.0
    PADDING = 1.5
    RADIUS = 1.5


@dataclass(frozen=True, repr=False, eq=False)
class Units(Frozen):
    """Converts millimetres to device pixels for one panel and one text size."""

    ppi: float = DEFAULT_PPI
    text_scale: float = 1.0
    simple: bool = False  # simple (elderly) mode: larger text and targets

    def __post_init__(self) -> None:
        if not self.ppi > 0:
            raise ValueError(f"ppi must be positive, got {self.ppi}")
        if not self.text_scale > 0:
            raise ValueError(f"text_scale must be positive, got {self.text_scale}")

    def px_exact(self, mm: float) -> float:
        return mm * self.ppi / MM_PER_INCH

    def px(self, mm: float) -> int:
        """Pixels for `mm`, rounded up (the epsilon keeps 51.0000001 from becoming 52)."""
        return max(0, math.ceil(self.px_exact(mm) - 1e-6))

    def mm(self, px: float) -> float:
        return px * MM_PER_INCH / self.ppi

    def font_px(self, cap_mm: float = BODY_CAP_MM) -> int:
        """Font pixel size whose capital letters are at least `cap_mm` tall, scaled by
        the text size switch."""
        scale = max(self.text_scale, SIMPLE_TEXT_SCALE) if self.simple else self.text_scale
        return max(1, math.ceil(self.px_exact(cap_mm / CAP_HEIGHT_RATIO) * scale - 1e-6))

    def target(self, mm: float) -> int:
        """Pixels for a touch target's size (`Size.SECONDARY`, `Size.KEY` ...): grown
        in simple mode; margins and gaps use `px` and stay."""
        return self.px(mm * SIMPLE_TARGET_SCALE if self.simple else mm)

    @property
    def body_font_px(self) -> int:
        return self.font_px(BODY_CAP_MM)

    @property
    def subtitle_font_px(self) -> int:
        return self.font_px(SUBTITLE_CAP_MM)

    @property
    def title_font_px(self) -> int:
        return self.font_px(TITLE_CAP_MM)

    @property
    def key_font_px(self) -> int:
        return self.font_px(KEY_CAP_MM)

    @property
    def countdown_font_px(self) -> int:
        return self.font_px(COUNTDOWN_CAP_MM)

    @property
    def large_text(self) -> bool:
        return self.text_scale > 1.0

    def with_large_text(self, on: bool) -> Units:
        """The same panel with the "larger text" switch on (1.25x) or off."""
        return replace(self, text_scale=LARGE_TEXT_SCALE if on else 1.0)

    def with_simple(self, on: bool) -> Units:
        """The same panel in simple (elderly) mode or not."""
        return replace(self, simple=on)


_current = Units()


def current_units() -> Units:
    """The units widgets use when none is passed (set once at start-up from config,
    and again when the taxpayer toggles larger text)."""
    return _current


def set_current_units(units: Units) -> None:
    global _current
    _current = units
