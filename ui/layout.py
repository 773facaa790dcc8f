"""Layout by orientation: the panel is portrait 1080x1920 or landscape 1920x1080
(`[ui] orientation`). Screens ask here for their margins, gaps, how many tile columns
fit, and how wide a column of text may grow, instead of hard-coding pixels.

Portrait: the content is one tall column; tiles in 2-3 columns; primary actions at the
bottom, in the lower two thirds (ux.md: within reach). Landscape: tiles in up to 5
columns; forms and results at most about 240 mm wide, centred, so a line of text stays
readable and the eye does not travel across a 53 cm panel.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QLayout

from kiosk.frozen import Frozen
from ui.theme import Space
from ui.units import Size, Units, current_units

Orientation = Literal["portrait", "landscape"]
ORIENTATIONS: Final[tuple[Orientation, ...]] = ("portrait", "landscape")

WINDOW_SIZES: Final[dict[str, tuple[int, int]]] = {
    "portrait": (1080, 1920),
    "landscape": (1920, 1080),
}
# Most tile columns per orientation (a wider grid would need more than one glance).
MAX_COLUMNS: Final[dict[str, int]] = {"portrait": 3, "landscape": 5}
MIN_COLUMNS: Final = 1
# Width a reading column (forms, results, lists) may take at most.
READING_WIDTH_MM: Final = 240.0


def check_orientation(orientation: str) -> Orientation:
    if orientation not in ORIENTATIONS:
        raise ValueError(f"orientation must be portrait or landscape, not {orientation!r}")
    return orientation  # type: ignore[return-value,unused-ignore]


def window_size(orientation: str) -> QSize:
    """The panel's size in pixels for `orientation` (the main window's size when it is
    not full screen: development, screenshots, tests)."""
    w, h = WINDOW_SIZES[check_orientation(orientation)]
    return QSize(w, h)


def orientation_of(size: QSize) -> Orientation:
    """Landscape when wider than tall, else portrait."""
    return "landscape" if size.width() > size.height() else "portrait"


@dataclass(frozen=True, repr=False, eq=False)
class ScreenLayout(Frozen):
    """Pixel metrics of one screen in one orientation (from millimetre tokens)."""

    orientation: Orientation
    margin: int  # around a screen's content
    gap: int  # between blocks of a screen
    gutter: int  # between tiles (>= 3 mm: ux.md)
    reading_width: int  # a form's or result's column, at most
    tile_min_width: int

    def tile_columns(self, width_px: int) -> int:
        """How many tile columns fit in `width_px` (the grid's own width), within the
        orientation's bounds."""
        usable = max(0, width_px)
        fit = (usable + self.gutter) // max(1, self.tile_min_width + self.gutter)
        return max(MIN_COLUMNS, min(MAX_COLUMNS[self.orientation], fit))

    def apply_margins(self, layout: QLayout) -> None:
        """Screen margins and block spacing on a screen's top layout."""
        layout.setContentsMargins(self.margin, self.margin, self.margin, self.margin)
        if isinstance(layout, (QBoxLayout, QGridLayout)):
            layout.setSpacing(self.gap)

    def apply_grid(self, grid: QGridLayout) -> None:
        grid.setHorizontalSpacing(self.gutter)
        grid.setVerticalSpacing(self.gutter)


def screen_layout(orientation: str, units: Units | None = None) -> ScreenLayout:
    """The metrics for `orientation` on this panel."""
    o = check_orientation(orientation)
    u = units or current_units()
    return ScreenLayout(
        orientation=o,
        margin=u.px(Space.L if o == "portrait" else Space.XL),
        gap=u.px(Space.M),
        gutter=u.px(Space.M),
        reading_width=u.px(READING_WIDTH_MM),
        tile_min_width=u.px(Size.TILE_MIN_WIDTH),
    )


def grid_positions(count: int, columns: int) -> list[tuple[int, int]]:
    """(row, column) of `count` tiles filled row by row."""
    if columns < 1:
        raise ValueError("columns must be at least 1")
    return [(i // columns, i % columns) for i in range(count)]
