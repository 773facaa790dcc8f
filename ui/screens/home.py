"""Home screen, built from the service catalogue (kiosk.services.catalogue): one
section per group (发票业务 / Invoices, 涉税查询 / Look up, ...) with its title, and a
large tile per service with its icon, title and one line of what it does. A service
that cannot start now (a device it needs is down, offline, out of hours) is greyed,
with the reason under its tile (the core's reason code, ui/messages.py's sentence).

Layout: the tiles fill as many columns as fit the panel (ui.layout: up to 3 standing,
5 lying), re-flowed on every resize, in a scroll area so a long catalogue never grows
the window past the panel. Beside them (landscape) or under them (portrait) a panel
shows where to hold a QR code: a scan works here too and opens its service.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.services.catalogue import GROUP_TITLES, by_group
from ui.flow import core_api
from ui.flow.text import Msg, Text, render
from ui.layout import screen_layout
from ui.messages import unavailable_code, unavailable_message
from ui.ops import Op
from ui.theme import IconSize, Space
from ui.widgets.adaptive import OrientationBox, panel_orientation
from ui.widgets.buttons import make_button
from ui.widgets.illustration import SceneView

from .base import Screen

QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum" for widget sizes

if TYPE_CHECKING:
    from ui.main_window import MainWindow

# The scan panel beside the tiles (landscape: this wide) or under them (portrait: at
# most this high, so a long catalogue keeps most of the screen).
SCAN_PANEL_WIDTH_MM = 105.0
SCAN_PANEL_HEIGHT_MM = 80.0
NOTICES_ID = "notices"


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
        self._grids: list[tuple[QGridLayout, list[str]]] = []  # each group's grid, tiles
        self.columns = 0

        # The tiles scroll: twenty services do not fit one screen in either orientation.
        services = QWidget()
        services.setObjectName("home.services")
        column = QVBoxLayout(services)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(window.units.px(Space.M))
        for group, members in by_group():
            heading = self.text_label(f"label.group.{group.value}", role="group")
            self.groups[group.value] = heading
            column.addWidget(heading)
            grid = QGridLayout()
            for spec in members:
                self._add_tile(spec.id, spec.icon)
            self._grids.append((grid, [spec.id for spec in members]))
            column.addLayout(grid)
        column.addStretch(1)
        self.services_area = QScrollArea()
        self.services_area.setObjectName("area.services")
        self.services_area.setWidget(services)
        self.services_area.setWidgetResizable(True)
        self.services_area.setFrameShape(QFrame.Shape.NoFrame)
        self.services_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        # Where to hold a code: a scan on this screen opens the service that takes it.
        self.scan_panel = QFrame()
        self.scan_panel.setObjectName("panel.scan")
        self.scan_panel.setProperty("role", "card")
        pad = window.units.px(Space.M)
        # The picture beside its words under the tiles (portrait), above them in the
        # narrow column beside the tiles (landscape).
        self.scan_box = OrientationBox(portrait=OrientationBox.Direction.LeftToRight,
                                       landscape=OrientationBox.Direction.TopToBottom)
        self.scan_panel.setLayout(self.scan_box)
        self.scan_box.setContentsMargins(pad, pad, pad, pad)
        self.scan_box.setSpacing(pad)
        self.scan_picture = SceneView("qr-scan", units=window.units)
        self.scan_hint = self.text_label("label.scan_hint", role="caption")
        self.scan_box.addWidget(self.scan_picture, 2)
        self.scan_box.addWidget(self.scan_hint, 3)

        self.body = OrientationBox()
        self.body.setSpacing(window.units.px(Space.L))
        self.body.addWidget(self.services_area, 1)
        self.body.addWidget(self.scan_panel, 0)
        self.layout_.addLayout(self.body, 1)
        window.device_status_changed.connect(self._availability_changed)
        # 我的消息: the identified taxpayer's unread count on its tile.
        self._counting = False
        window.bridge.identity_changed.connect(self._count_notices)
        self._lay_out()
        self.retranslate()

    def _add_tile(self, service_id: str, icon: str) -> None:
        """A large button holding the service's icon over its title and one wrapped
        line of what it does (labels, so the line wraps; they let clicks through)."""
        units = self.window_.units
        tile = make_button("", f"service.{service_id}", role="tile")
        tile.clicked.connect(lambda: self.window_.open_service(service_id))
        inner = QVBoxLayout(tile)
        pad = units.px(Space.M)
        inner.setContentsMargins(pad, pad, pad, pad)
        inner.setSpacing(units.px(Space.XS))
        picture = QLabel()
        picture.setObjectName(f"icon.{service_id}")
        title = self.text_label(f"label.title.{service_id}", role="tile-title")
        summary = self.text_label(f"label.summary.{service_id}", role="tile-summary")
        for label in (picture, title, summary):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        inner.addWidget(picture, 0, Qt.AlignmentFlag.AlignLeft)
        inner.addWidget(title)
        inner.addWidget(summary)
        inner.addStretch(1)
        note = self.text_label(f"label.unavailable.{service_id}", role="warning")
        note.hide()
        self.tiles[service_id] = (tile, note)
        self._tile_parts[service_id] = (picture, title, summary, icon)

    # -- layout --------------------------------------------------------------------------
    def _lay_out(self) -> None:
        """Scan panel beside or under the tiles, and as many tile columns as fit."""
        orientation = panel_orientation(self.window_)
        metrics = screen_layout(orientation, self.window_.units)
        self.body.set_orientation(orientation)
        self.scan_box.set_orientation(orientation)
        panel = self.window_.units.px(SCAN_PANEL_WIDTH_MM)
        if orientation == "landscape":
            self.scan_panel.setFixedWidth(panel)
            self.scan_panel.setMaximumHeight(QWIDGETSIZE_MAX)
        else:
            self.scan_panel.setMinimumWidth(0)
            self.scan_panel.setMaximumWidth(QWIDGETSIZE_MAX)
            self.scan_panel.setMaximumHeight(self.window_.units.px(SCAN_PANEL_HEIGHT_MM))
        # The width the tiles get: the window's, less margins, the scan panel beside
        # them and the scroll bar (known before the layout runs: no flicker on a turn).
        width = self.window_.width() - 2 * self.layout_.contentsMargins().left()
        if orientation == "landscape" and not self.scan_panel.isHidden():
            width -= panel + self.body.spacing()
        width -= self.services_area.verticalScrollBar().sizeHint().width()
        columns = metrics.tile_columns(width)
        if columns == self.columns:
            return
        self.columns = columns
        for grid, ids in self._grids:
            metrics.apply_grid(grid)
            for service_id in ids:
                for widget in self.tiles[service_id]:
                    grid.removeWidget(widget)
            for i, service_id in enumerate(ids):
                tile, note = self.tiles[service_id]
                row, col = divmod(i, columns)
                grid.addWidget(tile, 2 * row, col)
                grid.addWidget(note, 2 * row + 1, col)
            for col in range(max(grid.columnCount(), columns)):
                grid.setColumnStretch(col, 1 if col < columns else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._lay_out()
        super().resizeEvent(event)

    def _availability_changed(self, _status: object = None) -> None:
        # Hidden, the tiles wait for on_enter, which renders them: re-rendering every
        # tile on each device change (the printer turns busy, then idle, for every slip)
        # cost the GUI thread a few ms per print while a service screen showed (#9).
        if self.window_.stack.currentWidget() is not self:
            return
        self._check_availability()
        self._render_tiles()

    def _check_availability(self) -> None:
        core = self.window_.core
        self._reasons = {sid: core_api.availability(core, sid) for sid in self.tiles}
        self.scan_panel.setVisible(self._scanner_ok())

    def _render_tiles(self) -> None:
        lang = self.window_.language
        for service_id, (tile, note) in self.tiles.items():
            spec = self.specs[service_id]
            reason = self._reasons.get(service_id)
            picture, title, summary, icon = self._tile_parts[service_id]
            title.setText(self._tile_title(service_id, spec.title(lang)))
            summary.setText(spec.summary(lang))
            tile.setAccessibleName(f"{spec.title(lang)}: {spec.summary(lang)}")
            tile.setEnabled(reason is None)
            _set_picture(picture, icon, self.window_.units.px(IconSize.TILE),
                         enabled=reason is None)
            note.setText(unavailable_message(reason) if reason else "")
            note.setVisible(reason is not None)

    def on_enter(self) -> None:
        # The tiles are rendered once (by retranslate), not three times: ~0.8 ms of
        # the GUI thread on every return to this screen (#9 §5).
        self._scan_note = None
        self._lay_out()
        self._check_availability()
        self.retranslate()
        self._count_notices(render=False)

    # -- 我的消息 ------------------------------------------------------------------------
    def _notices(self) -> Any:
        core = self.window_.core
        try:
            return None if core is None else core_api.service(core, NOTICES_ID)
        except KeyError:
            return None

    def _tile_title(self, service_id: str, title: str) -> str:
        """A tile's title; the notices tile with its unread count once known."""
        service = self._notices() if service_id == NOTICES_ID else None
        count = service.unread_count() if service is not None else None
        return f"{title} ({count})" if count else title

    def _count_notices(self, render: bool = True) -> None:
        """Fetch the identified taxpayer's notices in the background (once per
        session, again after a failure), then show the count on the tile. Without
        `render` the tiles are known to be current (on_enter has just rendered them)."""
        service = self._notices()
        core = self.window_.core
        if service is None or core is None or self._counting \
                or service.unread_count() is not None:
            if render:
                self._render_tiles()
            return
        who = core.identity.current
        if who is None or who.session is None or not core.connectivity.online:
            if render:
                self._render_tiles()
            return
        self._counting = True

        def settled(_result: object = None) -> None:
            self._counting = False
            self._render_tiles()

        Op(self, service.fetch).success(settled).failure(settled).run_in_background()

    def _scanner_ok(self) -> bool:
        core = self.window_.core
        return core is None or bool(core.scanner_available())

    def retranslate(self) -> None:
        lang = self.window_.language
        self.title.setText(self.tr("Choose a service"))
        self.scan_hint.setText(self.tr(
            "Or scan now: hold the QR code of an invoice, or of a slip from this "
            "terminal, under the scanner below the screen. Its service opens by itself."))
        self.scan_panel.setVisible(self._scanner_ok())
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
        if unavailable:
            self._scan_note = Msg(unavailable_code(unavailable))
        else:  # a payment code opens nothing: it is shown on a payment screen
            from kiosk.services.catalogue import ScanKind
            from kiosk.services.scans import classify

            paying = classify(text).kind is ScanKind.PAYMENT_CODE
            self._scan_note = Msg("payment_code.no_order" if paying else "scan.unknown")
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
