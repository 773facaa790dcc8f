"""Home screen: one large tile per working service."""
from __future__ import annotations

from PySide6.QtWidgets import QGridLayout

from ui.widgets.buttons import make_button

from .base import Screen


class HomeScreen(Screen):
    screen_id = "home"
    accepts_scans = True

    def __init__(self, window) -> None:  # type: ignore[no-untyped-def]
        super().__init__(window)
        self.title = self.title_label("label.title")
        self.layout_.addWidget(self.title)
        grid = QGridLayout()
        grid.setSpacing(window.units.px(6))
        self.verify_tile = make_button("", "service.invoice.verify", role="tile")
        self.verify_tile.clicked.connect(lambda: window.open_service("invoice.verify"))
        grid.addWidget(self.verify_tile, 0, 0)
        self.layout_.addStretch(1)
        self.layout_.addLayout(grid)
        self.layout_.addStretch(2)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Choose a service"))
        self.verify_tile.setText(self.tr("Invoice verification\nScan or type an invoice"))
        self.verify_tile.setAccessibleName(self.tr("Invoice verification"))

    def handle_scan(self, text: str) -> None:
        self.window_.open_service("invoice.verify")
        self.window_.deliver_scan(text)
