"""The scrolling list screen: like ListDetailScreen (entries `item.<key>`, the chosen
entry's rows in `label.details`, `label.empty`), for lists longer than a screen (a
year of paid vouchers): the entries scroll, the detail stays in view
beside them (landscape) or under them (portrait), and a row of actions sits at the
bottom. Also shows the flow's error (`label.error`) and a wait note (`label.status`).

A service subclass returns `items()` and its texts, and adds its action buttons with
`add_action(button)`; `chosen(key)` is called after a tap.
"""
from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QScrollArea, QVBoxLayout, QWidget

from kiosk.services.views import ListItemView
from ui.theme import Space
from ui.widgets.adaptive import OrientationBox, panel_orientation
from ui.widgets.buttons import make_button
from ui.widgets.scroll_column import scrolling
from ui.widgets.wrap_button import WrapButton

from .base import FlowScreen, Said
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


class ScrollListScreen(FlowScreen):
    def __init__(self, window: MainWindow, flow: ServiceFlow) -> None:
        super().__init__(window, flow)
        self.selected: str | None = None
        self.item_buttons: dict[str, QPushButton] = {}
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
        holder = QWidget()
        self.list_box = QVBoxLayout(holder)
        self.list_box.setContentsMargins(0, 0, 0, 0)
        self.list_box.setSpacing(window.units.px(Space.S))
        self.list_box.addStretch(1)
        self.area = QScrollArea()
        self.area.setObjectName("area.items")
        self.area.setWidget(holder)
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
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

    # -- hooks -------------------------------------------------------------------------
    def title_text(self) -> Said:
        return None

    def intro_text(self) -> Said:
        return None

    def items(self) -> list[ListItemView]:
        return []

    def empty_text(self) -> Said:
        return Tr(_CTX, EMPTY)

    def chosen(self, key: str) -> None:
        """An entry was tapped (after it is shown as selected)."""

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

    def _tapped(self, key: str, _checked: bool = False) -> None:
        self.select(key)

    def _empty_text(self) -> Said:
        if self.flow.busy or not self.loaded() or self.items():
            return None
        return self.empty_text()

    def _detail_text(self) -> str:
        item = next((i for i in self.items() if i.key == self.selected), None)
        return "" if item is None else item.detail.text()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.body.set_orientation(panel_orientation(self.window_))
        super().resizeEvent(event)

    def refresh(self) -> None:
        if hasattr(self, "list_box"):
            self._sync_buttons()
        super().refresh()

    def _sync_buttons(self) -> None:
        """One button per entry, in order, texts in the current language."""
        items = self.items()
        keys = [i.key for i in items]
        for key in list(self.item_buttons):
            if key not in keys:
                gone = self.item_buttons.pop(key)
                gone.setParent(None)
                gone.deleteLater()
        if self.selected not in keys:
            self.selected = None
        for index, item in enumerate(items):
            button = self.item_buttons.get(item.key)
            if button is None:
                button = make_button("", f"item.{item.key}", role="secondary",
                                     cls=EntryButton)
                button.setCheckable(True)
                button.setStyleSheet("text-align: left;")
                button.clicked.connect(partial(self._tapped, item.key))
                self.item_buttons[item.key] = button
            self.list_box.insertWidget(index, button)  # keeps the items' order
            button.show()
            text = f"{item.title}\n{item.summary}" if item.summary else item.title
            button.setText(text)
            button.setAccessibleName(text.replace("\n", " "))
            button.setChecked(item.key == self.selected)
