"""Home screen: one large tile per service. A service that needs a device which is
down greys out with the reason under its tile (kiosk.services.availability)."""
from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout

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
        # service id -> (tile, the note that says why it is unavailable)
        self.tiles: dict[str, tuple[QPushButton, QLabel]] = {}
        self._add_tile(grid, "invoice.verify", self.verify_tile, 0, 0)
        self.layout_.addStretch(1)
        self.layout_.addLayout(grid)
        self.layout_.addStretch(2)
        window.device_status_changed.connect(self._devices_changed)
        self.retranslate()

    def _add_tile(self, grid: QGridLayout, service_id: str, tile: QPushButton,
                  row: int, column: int) -> None:
        note = self.text_label(f"label.unavailable.{service_id}", role="warning")
        note.hide()
        cell = QVBoxLayout()
        cell.addWidget(tile)
        cell.addWidget(note)
        grid.addLayout(cell, row, column)
        self.tiles[service_id] = (tile, note)

    def _devices_changed(self, _status: object = None) -> None:
        core = self.window_.core
        for service_id, (tile, note) in self.tiles.items():
            problem = core.service_problem(service_id) if core is not None else None
            tile.setEnabled(problem is None)
            note.setVisible(problem is not None)
            note.setText(self.tr("Not available right now: a device it needs is out of "
                                 "order. Please ask the hall staff.") if problem else "")

    def on_enter(self) -> None:
        self._devices_changed()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Choose a service"))
        self.verify_tile.setText(self.tr("Invoice verification\nScan or type an invoice"))
        self.verify_tile.setAccessibleName(self.tr("Invoice verification"))
        self._devices_changed()

    def handle_scan(self, text: str) -> None:
        self.window_.open_service("invoice.verify")
        self.window_.deliver_scan(text)
