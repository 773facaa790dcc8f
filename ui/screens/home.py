"""Home screen, built from the service catalogue (kiosk.services.catalogue): one
section per group (发票业务 / Invoices, 涉税查询 / Look up, ...) with its title, and a
large tile per service with its icon, title and one line of what it does. A service
that cannot start now (a device it needs is down, offline, out of hours) is greyed,
with the reason under its tile (the core's reason code, ui/messages.py's sentence).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from kiosk.services.catalogue import GROUP_TITLES, by_group
from ui.flow import core_api
from ui.flow.text import Msg, Text, render
from ui.messages import unavailable_code, unavailable_message
from ui.theme import IconSize
from ui.widgets.buttons import make_button

from .base import Screen

if TYPE_CHECKING:
    from ui.main_window import MainWindow

COLUMNS = 2  # tiles per row: wide enough for a title and a line on a portrait panel


class HomeScreen(Screen):
    screen_id = "home"
    accepts_scans = True

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.title = self.title_label("label.title")
        self.layout_.addWidget(self.title)
        # A scan no service takes: said here until the next scan or screen change.
        self.scan_note = self.text_label("label.scan_note", role="warning")
        self.scan_note.hide()
        self._scan_note: Text | None = None
        self.layout_.addWidget(self.scan_note)
        self.groups: dict[str, QLabel] = {}
        # service id -> (tile, the note that says why it is unavailable)
        self.tiles: dict[str, tuple[QPushButton, QLabel]] = {}
        self._reasons: dict[str, str | None] = {}
        # service id -> (icon label, title label, summary label, icon name)
        self._tile_parts: dict[str, tuple[QLabel, QLabel, QLabel, str]] = {}
        self.specs = {s.id: s for _g, members in by_group() for s in members}
        for group, members in by_group():
            heading = self.text_label(f"label.group.{group.value}", role="group")
            self.groups[group.value] = heading
            self.layout_.addWidget(heading)
            grid = QGridLayout()
            grid.setSpacing(window.units.px(4))
            for i, spec in enumerate(members):
                self._add_tile(grid, spec.id, spec.icon, i // COLUMNS, i % COLUMNS)
            for column in range(COLUMNS):
                grid.setColumnStretch(column, 1)
            self.layout_.addLayout(grid)
        self.layout_.addStretch(1)
        window.device_status_changed.connect(self._availability_changed)
        self.retranslate()

    def _add_tile(self, grid: QGridLayout, service_id: str, icon: str,
                  row: int, column: int) -> None:
        """A large button holding the service's icon, its title and one wrapped line
        of what it does (labels, so the line wraps; they let clicks through)."""
        units = self.window_.units
        tile = make_button("", f"service.{service_id}", role="tile")
        tile.clicked.connect(lambda: self.window_.open_service(service_id))
        inner = QHBoxLayout(tile)
        inner.setContentsMargins(units.px(4), units.px(3), units.px(4), units.px(3))
        inner.setSpacing(units.px(4))
        picture = QLabel()
        picture.setObjectName(f"icon.{service_id}")
        texts = QVBoxLayout()
        title = self.text_label(f"label.title.{service_id}", role="tile-title")
        summary = self.text_label(f"label.summary.{service_id}", role="tile-summary")
        for label in (picture, title, summary):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        texts.addWidget(title)
        texts.addWidget(summary)
        inner.addWidget(picture, 0, Qt.AlignmentFlag.AlignVCenter)
        inner.addLayout(texts, 1)
        note = self.text_label(f"label.unavailable.{service_id}", role="warning")
        note.hide()
        grid.addWidget(tile, 2 * row, column)
        grid.addWidget(note, 2 * row + 1, column)
        self.tiles[service_id] = (tile, note)
        self._tile_parts[service_id] = (picture, title, summary, icon)

    def _availability_changed(self, _status: object = None) -> None:
        core = self.window_.core
        self._reasons = {sid: core_api.availability(core, sid) for sid in self.tiles}
        self._render_tiles()

    def _render_tiles(self) -> None:
        lang = self.window_.language
        for service_id, (tile, note) in self.tiles.items():
            spec = self.specs[service_id]
            reason = self._reasons.get(service_id)
            picture, title, summary, icon = self._tile_parts[service_id]
            title.setText(spec.title(lang))
            summary.setText(spec.summary(lang))
            tile.setAccessibleName(f"{spec.title(lang)}: {spec.summary(lang)}")
            tile.setEnabled(reason is None)
            _set_picture(picture, icon, self.window_.units.px(IconSize.TILE),
                         enabled=reason is None)
            note.setText(unavailable_message(reason) if reason else "")
            note.setVisible(reason is not None)

    def on_enter(self) -> None:
        self._scan_note = None
        self._availability_changed()
        self.retranslate()

    def retranslate(self) -> None:
        lang = self.window_.language
        self.title.setText(self.tr("Choose a service"))
        for group, heading in self.groups.items():
            zh, en = next(v for g, v in GROUP_TITLES.items() if g.value == group)
            heading.setText(zh if lang == "zh" else en)
        text = render(self._scan_note, lang)
        self.scan_note.setText(text)
        self.scan_note.setVisible(bool(text))
        self._render_tiles()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.ApplicationPaletteChange:
            self._render_tiles()  # high contrast on or off: icons in the new colours
        super().changeEvent(event)

    def scan_not_taken(self, text: str, error: str | None,
                       unavailable: str | None = None) -> None:
        self._scan_note = Msg(unavailable_code(unavailable)) if unavailable \
            else Msg("scan.unknown")
        self.retranslate()


def _set_picture(label: QLabel, name: str, size_px: int, *, enabled: bool) -> None:
    """The service's icon (ui/icons) in the theme's primary colour (muted when the
    service is unavailable); a service whose icon is not drawn shows its texts alone."""
    from ui.icons import UnknownIcon, pixmap, tone_colour
    from ui.theme import current_theme

    palette = current_theme().palette
    colour = tone_colour(palette, "primary") if enabled else palette.text_muted
    try:
        label.setPixmap(pixmap(name, size_px, colour))
    except UnknownIcon:
        label.clear()
