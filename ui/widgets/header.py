"""The header: who this terminal is and what time it is in the hall, above every screen.

A deep-blue band with a gold rule under it: the terminal's mark (drawn for this
project, not the tax service's emblem), the product name, the hall's name and the
terminal's id, and the clock and date in the hall's zone. Below the band, the action
bar the main window owns (home, back, larger text, contrast, language, finish) is
mounted with `set_action_bar`; it keeps its own visibility (hidden on the attract
screen), the band always shows. The bar's buttons wrap onto a second row when they do
not fit the width (a portrait panel with larger text, a signed-in taxpayer's name and
logout), so the bar never makes the window wider than the panel.

Object names: `bar.header` (the whole), `bar.header.band`, `header.mark`,
`header.product`, `header.hall`, `header.clock`, `header.date`.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

import shiboken6
from PySide6.QtCore import QEvent, QRect, QSize, Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk import hall_time
from kiosk.config import KioskConfig
from ui import icons
from ui.theme import IconSize, Space, current_theme, set_style_property
from ui.units import Units, current_units

from .item_layout import ItemListLayout


class HasTopBar(Protocol):
    """What mount_header needs of the main window."""

    config: KioskConfig
    units: Units
    top_bar: QWidget
    header: Header

    @property
    def language(self) -> str: ...

    def centralWidget(self) -> QWidget | None: ...


WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
             "Dec")


def format_date(moment: datetime, language: str) -> str:
    """The header's date: 2026年3月5日 星期四 / Thu 5 Mar 2026."""
    wd = moment.weekday()
    if language == "zh":
        return f"{moment.year}年{moment.month}月{moment.day}日 {WEEKDAYS_ZH[wd]}"
    return f"{WEEKDAYS_EN[wd]} {moment.day} {MONTHS_EN[moment.month - 1]} {moment.year}"


def hall_label(config: KioskConfig, language: str) -> str:
    """The hall's name in `language`, else in the other language, else its id."""
    ui = config.ui
    first, second = ((ui.hall_name, ui.hall_name_en) if language == "zh"
                     else (ui.hall_name_en, ui.hall_name))
    return first or second or (config.hall_id or "")


class Mark(QLabel):
    """The terminal's round mark in the accent colour; re-coloured on theme switches."""

    def __init__(self, units: Units) -> None:
        super().__init__()
        self.setObjectName("header.mark")
        self._px = units.px(IconSize.HEADER_MARK)
        self.setFixedSize(QSize(self._px, self._px))
        self.refresh()

    def refresh(self) -> None:
        self.setPixmap(icons.pixmap("mark", self._px, current_theme().palette.accent))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.ApplicationPaletteChange, QEvent.Type.PaletteChange):
            self.refresh()
        super().changeEvent(event)


class ActionBarLayout(ItemListLayout):
    """The action bar's layout: a left group (home, back) and a right group (the rest),
    on one row when they fit, else the left group on the first row and the right group
    on the rows below, wrapped and right-aligned. Hidden widgets take no room."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._left = 0  # how many of the items form the left group

    # -- building ----------------------------------------------------------------------
    def adopt(self, old: QLayout) -> None:
        """Take over the widgets of a box layout whose first stretch separates the left
        group from the right one."""
        left: int | None = None
        while old.count():
            item = old.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is None:  # the stretch (or a spacing): where the right group starts
                if left is None:
                    left = len(self._items)
                continue
            self.addWidget(widget)
        self._left = len(self._items) if left is None else left

    # Widgets added later (addItem) join the right group.
    def takeAt(self, index: int) -> QLayoutItem | None:
        if 0 <= index < self._left:
            self._left -= 1
        return super().takeAt(index)

    # -- geometry ----------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        # One row: everything side by side.
        m = self.contentsMargins()
        shown = self._shown()
        width = sum(i.sizeHint().width() for i, _ in shown) \
            + self.spacing() * max(0, len(shown) - 1) + 2 * self.spacing()
        height = max((i.sizeHint().height() for i, _ in shown), default=0)
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def _shown(self) -> list[tuple[QLayoutItem, bool]]:
        """(item, in the left group) of the items that take room."""
        return [(item, i < self._left) for i, item in enumerate(self._items)
                if not item.isEmpty()]

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        """Place the items in `rect` (if `apply`); the height they need."""
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        gap = self.spacing()
        shown = self._shown()
        left = [i for i, is_left in shown if is_left]
        right = [i for i, is_left in shown if not is_left]

        def width_of(items: list[QLayoutItem]) -> int:
            return sum(i.sizeHint().width() for i in items) + gap * max(0, len(items) - 1)

        rows: list[tuple[list[QLayoutItem], list[QLayoutItem]]] = []
        if width_of(left) + 2 * gap + width_of(right) <= area.width() or not shown:
            rows.append((left, right))
        else:
            if left:
                rows.append((left, []))
            row: list[QLayoutItem] = []
            for item in right:  # the right group wraps, right-aligned
                if row and width_of([*row, item]) > area.width():
                    rows.append(([], row))
                    row = []
                row.append(item)
            if row:
                rows.append(([], row))
        y = area.top()
        for row_left, row_right in rows:
            height = max(i.sizeHint().height() for i in (*row_left, *row_right))
            if apply:
                x = area.left()
                for item in row_left:
                    w = min(item.sizeHint().width(), area.width())
                    item.setGeometry(QRect(x, y, w, height))
                    x += w + gap
                x = area.right() + 1
                for item in reversed(row_right):
                    w = min(item.sizeHint().width(), area.width())
                    x -= w
                    item.setGeometry(QRect(max(area.left(), x), y, w, height))
                    x -= gap
            y += height + gap
        return y - gap - area.top() + m.top() + m.bottom() if rows else m.top() + m.bottom()


class Header(QWidget):
    """The header band (and, below it, the action bar given to `set_action_bar`).

    `language` returns the current language ("zh" / "en"), for the hall's name and the
    date; `now` the current time (default: the hall's clock)."""

    def __init__(self, config: KioskConfig, language: Callable[[], str], *,
                 units: Units | None = None,
                 now: Callable[[], datetime] = hall_time.now,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bar.header")
        self._config = config
        self._language = language
        self._now = now
        u = units or current_units()

        self.band = QFrame()
        self.band.setObjectName("bar.header.band")
        self.band.setProperty("role", "header")
        self.band.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        row = QHBoxLayout(self.band)
        row.setContentsMargins(u.px(Space.L), u.px(Space.S), u.px(Space.L), u.px(Space.S))
        row.setSpacing(u.px(Space.M))
        self.mark = Mark(u)
        self.product = self._label("header.product", "header-title")
        self.hall = self._label("header.hall", "header-muted")
        # A long hall name wraps instead of widening the window past the panel.
        self.hall.setWordWrap(True)
        self.hall.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.product.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        names = QVBoxLayout()
        names.setSpacing(0)
        names.addWidget(self.product)
        names.addWidget(self.hall)
        self.clock = self._label("header.clock", "clock")
        self.date = self._label("header.date", "header-muted")
        for label in (self.clock, self.date):
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        times = QVBoxLayout()
        times.setSpacing(0)
        times.addWidget(self.clock)
        times.addWidget(self.date)
        row.addWidget(self.mark, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addLayout(names, 1)
        row.addLayout(times)

        self._box = QVBoxLayout(self)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._box.setSpacing(0)
        self._box.addWidget(self.band)
        self.action_bar: QWidget | None = None

        # The clock changes once a minute: wake at the next minute, not every second.
        self._tick = QTimer(self)
        self._tick.setSingleShot(True)
        self._tick.timeout.connect(self.refresh_time)
        self.retranslate()

    def _label(self, name: str, role: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setProperty("role", role)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        return label

    # -- mounting ------------------------------------------------------------------------
    def set_action_bar(self, bar: QWidget) -> None:
        """Put the window's action bar (its buttons stay the window's) under the band,
        styled as the bar and with the standard icon on each known action button."""
        if self.action_bar is not None:
            self._box.removeWidget(self.action_bar)
        self.action_bar = bar
        bar.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        set_style_property(bar, "role", "actionbar")
        u = current_units()
        layout = bar.layout()
        if layout is not None and not isinstance(layout, ActionBarLayout):
            # The same widgets in a layout that wraps instead of widening the window.
            wrapping = ActionBarLayout()
            wrapping.adopt(layout)
            shiboken6.delete(layout)
            bar.setLayout(wrapping)
            layout = wrapping
        if layout is not None:
            layout.setContentsMargins(u.px(Space.L), u.px(Space.XS), u.px(Space.L),
                                      u.px(Space.XS))
            layout.setSpacing(u.px(Space.S))
        icons.decorate_actions(bar)
        self._box.addWidget(bar)

    # -- content -------------------------------------------------------------------------
    def retranslate(self) -> None:
        language = self._language()
        self.product.setText(self.tr("Self-service tax terminal"))
        hall = hall_label(self._config, language)
        terminal = self.tr("Terminal %1").replace("%1", self._config.kiosk_id)
        self.hall.setText(f"{hall} · {terminal}" if hall else terminal)
        self.setAccessibleName(self.product.text())
        self.refresh_time()

    def refresh_time(self) -> None:
        moment = self._now()
        self.clock.setText(moment.strftime("%H:%M"))
        self.date.setText(format_date(moment, self._language()))
        # Wake again just after the next minute starts.
        ms = (60 - moment.second) * 1000 - moment.microsecond // 1000 + 50
        self._tick.start(max(1000, ms))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def mount_header(window: HasTopBar) -> Header:
    """Put a Header above the window's screens, with its action bar (`window.top_bar`)
    moved under the band; the header is also `window.header`. One call in
    MainWindow.__init__, after the top bar and the central layout are built."""
    central = window.centralWidget()
    outer = central.layout() if central is not None else None
    if not isinstance(outer, QVBoxLayout):
        raise TypeError("mount_header needs the window's central QVBoxLayout built")
    index = outer.indexOf(window.top_bar)
    if index < 0:
        raise RuntimeError("the top bar is not in the window's central layout")
    outer.removeWidget(window.top_bar)
    header = Header(window.config, lambda: window.language, units=window.units)
    outer.insertWidget(index, header)
    header.set_action_bar(window.top_bar)
    window.header = header
    return header
