"""The list/detail screen: a column of entries (title and one line each) and, beside
or below it, the chosen entry's rows. For look-ups that answer with several records
(declarations, tax payments, certificates to print).

A service subclass returns `items()` (ListItemView, built by the core for
`self.lang()`) and its texts; entries are buttons `item.<key>`, the detail is
`label.details`, the empty note `label.empty`. `chosen(key)` is called after a tap.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt

from ui.widgets.scroll_column import scrolling

from .base import Said
from .entries import EntryListScreen
from .flow import ServiceFlow
from .text import Tr

if TYPE_CHECKING:
    from ui.main_window import MainWindow

_CTX = "ListDetailScreen"
EMPTY = QT_TRANSLATE_NOOP("ListDetailScreen", "Nothing found.")


class ListDetailScreen(EntryListScreen):
    def __init__(self, window: MainWindow, flow: ServiceFlow) -> None:
        super().__init__(window, flow)
        self.title = self.bind(self.title_label("label.title"), self.title_text)
        self.empty = self.bind(self.text_label("label.empty", role="subtitle"),
                               self._empty_text, hide_empty=True)
        # The entries scroll (a long list must not push the detail off the panel) and
        # wrap (a long entry must not make the screen wider than the panel).
        self.list_area = self.entry_area("area.list")
        self.details = self.bind(self.text_label("label.details"), self._detail_text)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.empty)
        self.layout_.addWidget(self.list_area, 1)
        # The chosen entry's rows scroll too: a long record must not grow the screen.
        self.layout_.addWidget(scrolling(self.details, "area.details", units=window.units), 1)
        self.refresh()

    # -- hooks (and EntryListScreen's) -------------------------------------------------
    def empty_text(self) -> Said:
        return Tr(_CTX, EMPTY)

    # -- behaviour ---------------------------------------------------------------------
    def _empty_text(self) -> Said:
        return None if self.items() else self.empty_text()
