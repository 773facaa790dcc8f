"""Layouts that follow the panel's orientation (portrait 1080x1920, landscape 1920x1080).

A screen decides its orientation from the main window's size (not from the config
alone: a developer's window or a test may be resized) and lays out again on every
resize: blocks side by side in landscape, stacked in portrait. `OrientationBox` is the
box that turns; `panel_orientation` says which way the window stands.
"""
from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QBoxLayout, QWidget

from ui.layout import Orientation, orientation_of

from .item_layout import ItemListLayout

Direction = QBoxLayout.Direction


def panel_orientation(window: QWidget) -> Orientation:
    """The orientation of the main window `window` (pass the window itself: a screen
    built at a session reset has no parent yet, and its own size is Qt's default)."""
    return orientation_of(window.size())


class OrientationBox(QBoxLayout):
    """A box whose items stand side by side in landscape and on top of each other in
    portrait (or the directions given)."""

    def __init__(self, *, portrait: Direction = Direction.TopToBottom,
                 landscape: Direction = Direction.LeftToRight) -> None:
        super().__init__(portrait)
        self._directions = {"portrait": portrait, "landscape": landscape}
        self.orientation: Orientation = "portrait"

    def set_orientation(self, orientation: Orientation) -> bool:
        """Turn the box; True when that changed anything."""
        if orientation == self.orientation:
            return False
        self.orientation = orientation
        self.setDirection(self._directions[orientation])
        return True


class ColumnsLayout(ItemListLayout):
    """Equal-width columns, filled row by row: up to `max_columns`, fewer when the
    widest item would not fit (a long label in English, larger text, a portrait panel),
    down to one. Its minimum width is one item's, so it never widens the window; its
    height follows the width (height for width)."""

    def __init__(self, max_columns: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if max_columns < 1:
            raise ValueError("max_columns must be at least 1")
        self.max_columns = max_columns

    def _gap(self) -> int:
        return max(0, self.spacing())

    def sizeHint(self) -> QSize:
        shown = self.shown_items()
        columns = max(1, min(self.max_columns, len(shown)))
        cell = max((i.sizeHint().width() for i in shown), default=0)
        rows = -(-len(shown) // columns)
        height = max((i.sizeHint().height() for i in shown), default=0)
        m = self.contentsMargins()
        return QSize(columns * cell + (columns - 1) * self._gap() + m.left() + m.right(),
                     rows * height + max(0, rows - 1) * self._gap() + m.top() + m.bottom())

    def columns_for(self, width: int) -> int:
        """How many columns fit `width` (the layout's inner width)."""
        shown = self.shown_items()
        cell = max((i.sizeHint().width() for i in shown), default=1)
        fit = (width + self._gap()) // max(1, cell + self._gap())
        return max(1, min(self.max_columns, fit))

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        shown = self.shown_items()
        if not shown:
            return m.top() + m.bottom()
        gap = self._gap()
        columns = self.columns_for(area.width())
        width = max(1, (area.width() - (columns - 1) * gap) // columns)
        height = max(i.sizeHint().height() for i in shown)
        rows = -(-len(shown) // columns)
        if apply:
            for index, item in enumerate(shown):
                row, column = divmod(index, columns)
                item.setGeometry(QRect(area.left() + column * (width + gap),
                                       area.top() + row * (height + gap), width, height))
        return rows * height + (rows - 1) * gap + m.top() + m.bottom()
