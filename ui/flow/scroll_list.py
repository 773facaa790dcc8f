"""The scrolling list screen: like ListDetailScreen (entries `item.<key>`, the chosen
entry's rows in `label.details`, `label.empty`), for lists longer than a screen (a
year of paid vouchers): the entries scroll, the detail stays in view
beside them (landscape) or under them (portrait), and a row of actions sits at the
bottom. Also shows the flow's error (`label.error`) and a wait note (`label.status`).

A service subclass returns `items()` and its texts, and adds its action buttons with
`add_action(button)`; `chosen(key)` is called after a tap.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton

from ui.theme import Space
from ui.widgets.adaptive import OrientationBox, panel_orientation
from ui.widgets.scroll_column import scrolling
from ui.widgets.wrap_button import WrapButton

from .base import Said
from .entries import EntryListScreen
from .flow import ServiceFlow
from .text import Tr

if TYPE_CHECKING:
    from ui.main_window import MainWindow

_CTX = "ScrollListScreen"


class EntryButton(WrapButton):
    """A list entry as tall as its wrapped lines (title and summary): the theme's
    minimum height alone fits one line."""

    def _rewrap(self) -> None:
        super()._rewrap()
        if not self.text():
            return  # make_button sets the theme's minimum after its empty text
        if not hasattr(self, "_base_height"):
            self._base_height = self.minimumHeight()
        lines = QPushButton.text(self).count("\n") + 1
        needed = lines * self.fontMetrics().lineSpacing() + self.fontMetrics().height()
        self.setMinimumHeight(max(self._base_height, needed))


EMPTY = QT_TRANSLATE_NOOP("ScrollListScreen", "Nothing found.")
WAIT = QT_TRANSLATE_NOOP("ScrollListScreen", "Please wait…")


class ScrollListScreen(EntryListScreen):
    entry_cls = EntryButton
    entry_left = True

    def __init__(self, window: MainWindow, flow: ServiceFlow) -> None:
        super().__init__(window, flow)
        self.title = self.bind(self.title_label("label.title"), self.title_text)
        self.intro = self.bind(self.text_label("label.instruction", role="subtitle"),
                               self.intro_text, hide_empty=True)
        self.status = self.bind(self.text_label("label.status", role="subtitle"),
                                lambda: Tr(_CTX, WAIT) if flow.busy else None,
                                hide_empty=True)
        self.error = self.bind(self.text_label("label.error", role="error"),
                               lambda: flow.error, hide_empty=True)
        self.empty = self.bind(self.text_label("label.empty", role="subtitle"),
                               self._empty_text, hide_empty=True)
        for widget in (self.title, self.intro, self.status, self.error, self.empty):
            self.layout_.addWidget(widget)
        self.area = self.entry_area("area.items", spacing=window.units.px(Space.S))
        self.details = self.bind(self.text_label("label.details"), self._detail_text)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.body = OrientationBox()
        self.body.setSpacing(window.units.px(Space.XL))
        self.body.addWidget(self.area, 3)
        # The chosen entry's rows scroll too: a long record must not grow the screen.
        self.body.addWidget(scrolling(self.details, "area.details", units=window.units), 2)
        self.body.set_orientation(panel_orientation(window))
        self.layout_.addLayout(self.body, 1)
        self.action_row = QHBoxLayout()
        self.layout_.addLayout(self.action_row)
        self.refresh()

    # -- hooks (and EntryListScreen's) -------------------------------------------------
    def intro_text(self) -> Said:
        return None

    def empty_text(self) -> Said:
        return Tr(_CTX, EMPTY)

    def loaded(self) -> bool:
        """Whether the list has been fetched (no empty note before it is)."""
        return True

    # -- building ----------------------------------------------------------------------
    def add_action(self, button: QPushButton) -> QPushButton:
        self.action_row.addWidget(button)
        return button

    # -- behaviour ---------------------------------------------------------------------
    def select(self, key: str) -> None:
        self.selected = key
        self.refresh()
        button = self.item_buttons.get(key)
        if button is not None:
            self.area.ensureWidgetVisible(button)
        self.chosen(key)

    def _empty_text(self) -> Said:
        if self.flow.busy or not self.loaded() or self.items():
            return None
        return self.empty_text()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.body.set_orientation(panel_orientation(self.window_))
        super().resizeEvent(event)
