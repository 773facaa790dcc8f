"""The base of the layouts that place their items themselves and wrap to the width they
are given: the header's action bar (ui.widgets.header.ActionBarLayout) and the columns
that follow the panel's orientation (ui.widgets.adaptive.ColumnsLayout).

Qt asks every custom layout for the same bookkeeping (a list of items, count, itemAt,
takeAt) and, for one whose height follows its width, the height for each width it
tries. A subclass writes only `_arrange`: it places the items in a rectangle, or just
measures, and answers the height they need. Its minimum width is one item's (the rest
wraps), so such a layout never makes the window wider than the panel.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6 import QtCore
from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget

if TYPE_CHECKING:
    from PySide6.QtCore import Qt


class ItemListLayout(QLayout):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        # heightForWidth answers, until the next invalidate(): Qt asks the same width
        # dozens of times per screen change, each a full pass over the items' size hints.
        self._heights: dict[int, int] = {}

    # -- the items ---------------------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        if not 0 <= index < len(self._items):
            return None
        item = self._items.pop(index)
        self.invalidate()
        return item

    def shown_items(self) -> list[QLayoutItem]:
        """The items that take room (a hidden widget takes none)."""
        return [i for i in self._items if not i.isEmpty()]

    # -- geometry ----------------------------------------------------------------------
    def expandingDirections(self) -> Qt.Orientation:
        # QtCore.Qt looked up only now: why, see ui.theme.align_center.
        return QtCore.Qt.Orientation.Horizontal

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        height = self._heights.get(width)
        if height is None:
            height = self._heights[width] = self._arrange(QRect(0, 0, width, 0),
                                                          apply=False)
        return height

    def invalidate(self) -> None:
        # Items added or taken, shown or hidden, or an item's size hint changed (a new
        # language: Qt invalidates the layout then): the heights are measured again.
        self._heights.clear()
        super().invalidate()

    def minimumSize(self) -> QSize:
        # As narrow as the widest single item: the rest wraps.
        shown = self.shown_items()
        m = self.contentsMargins()
        return QSize(max((i.minimumSize().width() for i in shown), default=0)
                     + m.left() + m.right(),
                     max((i.minimumSize().height() for i in shown), default=0)
                     + m.top() + m.bottom())

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        """Place the items in `rect` (only if `apply`); the height they need there."""
        raise NotImplementedError
