"""What the kit's list screens share (ListDetailScreen, ScrollListScreen): a scrolling
column of entries, one checkable button `item.<key>` per ListItemView (its title and
summary), the chosen entry kept as `selected` and its rows rendered by
`_detail_text()`.

A screen builds its column with `entry_area(name)` where its layout wants it;
`refresh()` brings the buttons in line with `items()` first.
"""
from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, ClassVar

from PySide6.QtWidgets import QPushButton, QScrollArea, QVBoxLayout

from kiosk.services.views import ListItemView
from ui.widgets.buttons import make_button
from ui.widgets.scroll_column import entry_area
from ui.widgets.wrap_button import WrapButton

from .base import FlowScreen, Said
from .flow import ServiceFlow

if TYPE_CHECKING:
    from ui.main_window import MainWindow


class EntryListScreen(FlowScreen):
    entry_cls: ClassVar[type[QPushButton]] = WrapButton
    entry_left: ClassVar[bool] = False  # entries' text aligned left
    list_box: QVBoxLayout  # the entries' column, from entry_area()

    def __init__(self, window: MainWindow, flow: ServiceFlow) -> None:
        super().__init__(window, flow)
        self.selected: str | None = None
        self.item_buttons: dict[str, QPushButton] = {}

    def entry_area(self, name: str, *, spacing: int | None = None) -> QScrollArea:
        """The entries' scrolling column, named `name`; the screen places it."""
        area, self.list_box = entry_area(name, spacing=spacing)
        return area

    # -- hooks -------------------------------------------------------------------------
    def title_text(self) -> Said:
        return None

    def items(self) -> list[ListItemView]:
        return []

    def chosen(self, key: str) -> None:
        """An entry was tapped (after it is shown as selected)."""

    # -- behaviour ---------------------------------------------------------------------
    def select(self, key: str) -> None:
        self.selected = key
        self.refresh()
        self.chosen(key)

    def _tapped(self, key: str, _checked: bool = False) -> None:
        self.select(key)

    def _detail_text(self) -> str:
        item = next((i for i in self.items() if i.key == self.selected), None)
        return "" if item is None else item.detail.text()

    def refresh(self) -> None:
        if hasattr(self, "list_box"):  # the base class refreshes before the column exists
            self._sync_buttons()
        super().refresh()

    def _sync_buttons(self) -> None:
        """One button per entry, in order, texts in the current language; buttons of
        entries that went away are removed."""
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
                                     cls=self.entry_cls)
                button.setCheckable(True)
                if self.entry_left:
                    button.setStyleSheet("text-align: left;")
                button.clicked.connect(partial(self._tapped, item.key))
                self.item_buttons[item.key] = button
            self.list_box.insertWidget(index, button)  # keeps the items' order
            button.show()  # added to a shown screen: not shown by itself
            text = f"{item.title}\n{item.summary}" if item.summary else item.title
            button.setText(text)
            button.setAccessibleName(text.replace("\n", " "))
            button.setChecked(item.key == self.selected)


__all__ = ["EntryListScreen"]
