"""The list/detail screen: a column of entries (title and one line each) and, beside
or below it, the chosen entry's rows. For look-ups that answer with several records
(declarations, tax payments, certificates to print).

A service subclass returns `items()` (ListItemView, built by the core for
`self.lang()`) and its texts; entries are buttons `item.<key>`, the detail is
`label.details`, the empty note `label.empty`. `chosen(key)` is called after a tap.
"""
from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import QFrame, QPushButton, QScrollArea, QVBoxLayout, QWidget

from kiosk.services.views import ListItemView
from ui.widgets.buttons import make_button
from ui.widgets.scroll_column import scrolling
from ui.widgets.wrap_button import WrapButton

from .base import FlowScreen, Said
from .flow import ServiceFlow
from .text import Tr

if TYPE_CHECKING:
    from ui.main_window import MainWindow

_CTX = "ListDetailScreen"
EMPTY = QT_TRANSLATE_NOOP("ListDetailScreen", "Nothing found.")


class ListDetailScreen(FlowScreen):
    def __init__(self, window: MainWindow, flow: ServiceFlow) -> None:
        super().__init__(window, flow)
        self.selected: str | None = None
        self.item_buttons: dict[str, QPushButton] = {}
        self.title = self.bind(self.title_label("label.title"), self.title_text)
        self.empty = self.bind(self.text_label("label.empty", role="subtitle"),
                               self._empty_text, hide_empty=True)
        # The entries scroll (a long list must not push the detail off the panel) and
        # wrap (a long entry must not make the screen wider than the panel).
        holder = QWidget()
        self.list_box = QVBoxLayout(holder)
        self.list_box.setContentsMargins(0, 0, 0, 0)
        self.list_box.addStretch(1)  # entries are inserted above it
        self.list_area = QScrollArea()
        self.list_area.setObjectName("area.list")
        self.list_area.setWidget(holder)
        self.list_area.setWidgetResizable(True)
        self.list_area.setFrameShape(QFrame.Shape.NoFrame)
        self.list_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.details = self.bind(self.text_label("label.details"), self._detail_text)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.empty)
        self.layout_.addWidget(self.list_area, 1)
        # The chosen entry's rows scroll too: a long record must not grow the screen.
        self.layout_.addWidget(scrolling(self.details, "area.details", units=window.units), 1)
        self.refresh()

    # -- hooks -------------------------------------------------------------------------
    def title_text(self) -> Said:
        return None

    def items(self) -> list[ListItemView]:
        return []

    def empty_text(self) -> Said:
        return Tr(_CTX, EMPTY)

    def chosen(self, key: str) -> None:
        """An entry was tapped (after it is shown as selected)."""

    # -- behaviour ---------------------------------------------------------------------
    def select(self, key: str) -> None:
        self.selected = key
        self.refresh()
        self.chosen(key)

    def _tapped(self, key: str, _checked: bool = False) -> None:
        self.select(key)

    def _empty_text(self) -> Said:
        return None if self.items() else self.empty_text()

    def _detail_text(self) -> str:
        item = next((i for i in self.items() if i.key == self.selected), None)
        return "" if item is None else item.detail.text()

    def refresh(self) -> None:
        self._sync_buttons()
        super().refresh()

    def _sync_buttons(self) -> None:
        """One button per entry, texts in the current language; buttons of entries
        that went away are removed."""
        items = self.items()
        keys = [i.key for i in items]
        for key in list(self.item_buttons):
            if key not in keys:
                gone = self.item_buttons.pop(key)
                gone.setParent(None)
                gone.deleteLater()
        if self.selected not in keys:
            self.selected = None
        for item in items:
            button = self.item_buttons.get(item.key)
            if button is None:
                button = make_button("", f"item.{item.key}", role="secondary",
                                     cls=WrapButton)
                button.setCheckable(True)
                button.clicked.connect(partial(self._tapped, item.key))
                self.item_buttons[item.key] = button
                self.list_box.insertWidget(self.list_box.count() - 1, button)
                button.show()  # added to a shown screen: not shown by itself
            text = f"{item.title}\n{item.summary}" if item.summary else item.title
            button.setText(text)
            button.setAccessibleName(text.replace("\n", " "))
            button.setChecked(item.key == self.selected)
