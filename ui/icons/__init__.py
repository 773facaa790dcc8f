"""The kiosk's icons: one SVG per service tile and per action, drawn for this project
(see README.md beside them), rendered with QtSvg in any theme colour.

The SVGs are line drawings on a 24 px grid that stroke and fill with `currentColor`;
rendering replaces it with the colour asked for, so one file serves the normal and the
high-contrast theme. Rendered pixmaps and icons are cached (a session reset rebuilds
every screen, and the cache keeps that from rasterising the same SVGs again).

    icon("invoice-verify", 48)              # QIcon in the theme's text colour
    pixmap("print", 26, "#FFFFFF")          # QPixmap
    set_icon(button, "home")                # follows theme switches by itself
"""
from __future__ import annotations

import os
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

from PySide6 import QtCore
from PySide6.QtCore import QByteArray, QEvent, QObject, QRectF, QSize
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QAbstractButton, QWidget

from ui.theme import IconSize, Palette, current_theme

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

ICON_DIR: Final = Path(__file__).resolve().parent

# Other names callers (catalogue entries, older screens) use for the same drawing.
ALIASES: Final[dict[str, str]] = {
    "login": "identity",
    "id-card": "identity",
    "faq": "consult",
    "large-text": "text-size",
    "high-contrast": "contrast",
    "staff": "call-staff",
    "exit": "finish",
    "ok": "confirm",
}

# Which icon each shared action button (objectName) carries: screens and the header
# call `decorate_actions` instead of repeating the mapping.
ACTION_ICONS: Final[dict[str, str]] = {
    "action.home": "home",
    "action.back": "back",
    "action.confirm": "confirm",
    "action.cancel": "cancel",
    "action.print": "print",
    "action.language": "language",
    "action.large_text": "text-size",
    "action.high_contrast": "contrast",
    "action.voice": "voice",
    "action.call_staff": "call-staff",
    "action.help": "help",
    "action.scan": "scan",
    "action.manual": "keyboard",
    "action.keyboard": "keyboard",
    "action.refresh": "refresh",
    "action.sync": "sync",
    "action.finish": "finish",
    "action.again": "invoice-verify",
}

Tone = Literal["text", "primary", "on_primary", "on_header", "danger"]

_MAX_CACHED = 512


class UnknownIcon(KeyError):
    """No SVG of that name in ui/icons/."""


def names() -> frozenset[str]:
    """Every icon name (without aliases)."""
    return _names()


@lru_cache(maxsize=1)
def _names() -> frozenset[str]:
    # os.listdir, not Path.glob: a tenth of the time, and the attract screen asks first.
    return frozenset(n[:-4] for n in os.listdir(ICON_DIR) if n.endswith(".svg"))


def resolve(name: str) -> str:
    """The file name behind `name` (aliases followed); UnknownIcon if there is none."""
    real = ALIASES.get(name, name)
    if real not in _names():
        raise UnknownIcon(name)
    return real


@lru_cache(maxsize=128)
def _source(name: str) -> str:
    return (ICON_DIR / f"{name}.svg").read_text(encoding="utf-8")


def svg_data(name: str, color: str) -> bytes:
    """The SVG text of `name` drawn in `color` (#RRGGBB)."""
    return _source(resolve(name)).replace("currentColor", color).encode("utf-8")


_pixmaps: OrderedDict[tuple[str, int, str], QPixmap] = OrderedDict()


def pixmap(name: str, size_px: int, color: str | None = None) -> QPixmap:
    """A square `size_px` rendering of `name` in `color` (default: the current theme's
    text colour). Cached; do not paint on the returned pixmap."""
    if size_px <= 0:
        raise ValueError(f"icon size must be positive, got {size_px}")
    colour = color or current_theme().palette.text
    key = (resolve(name), size_px, colour.upper())
    cached = _pixmaps.get(key)
    if cached is not None:
        _pixmaps.move_to_end(key)
        return cached
    renderer = QSvgRenderer(QByteArray(svg_data(name, colour)))
    if not renderer.isValid():
        raise ValueError(f"icon {name!r} is not valid SVG")
    out = QPixmap(size_px, size_px)
    out.fill(QColor(0, 0, 0, 0))  # transparent
    painter = QPainter(out)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size_px, size_px))
    painter.end()
    _pixmaps[key] = out
    if len(_pixmaps) > _MAX_CACHED:
        _pixmaps.popitem(last=False)
    return out


_icons: OrderedDict[tuple[str, int, str, str, str], QIcon] = OrderedDict()


def icon(name: str, size_px: int, color: str | None = None, *,
         checked_color: str | None = None, disabled_color: str | None = None) -> QIcon:
    """A QIcon of `name` at `size_px`: `color` normally (default the theme's text),
    `checked_color` for a checked toggle, `disabled_color` when disabled (defaults
    from the current theme: on_primary and text_muted)."""
    palette = current_theme().palette
    colour = color or palette.text
    on = checked_color or palette.on_primary
    off = disabled_color or palette.text_muted
    key = (resolve(name), size_px, colour.upper(), on.upper(), off.upper())
    cached = _icons.get(key)
    if cached is not None:
        _icons.move_to_end(key)
        return cached
    # Here, not at the top: the attract screen paints pixmaps only, and PySide creates
    # QIcon's class (with its ~150 theme icon names) at its first use (cold start, #9).
    from PySide6.QtGui import QIcon

    result = QIcon()
    normal = pixmap(name, size_px, colour)
    for mode in (QIcon.Mode.Normal, QIcon.Mode.Active, QIcon.Mode.Selected):
        result.addPixmap(normal, mode, QIcon.State.Off)
        result.addPixmap(pixmap(name, size_px, on), mode, QIcon.State.On)
    for state in (QIcon.State.Off, QIcon.State.On):
        result.addPixmap(pixmap(name, size_px, off), QIcon.Mode.Disabled, state)
    _icons[key] = result
    if len(_icons) > _MAX_CACHED:
        _icons.popitem(last=False)
    return result


def tone_colour(palette: Palette, tone: Tone) -> str:
    return str(getattr(palette, tone))


class _ThemedIcon(QObject):
    """Re-colours one button's icon when the application's theme changes (the high
    contrast switch posts ApplicationPaletteChange to every widget)."""

    def __init__(self, button: QAbstractButton, name: str, tone: Tone, size_mm: float) -> None:
        super().__init__(button)
        self.setObjectName("themed-icon")
        self._button = button
        self.name, self.tone, self.size_mm = name, tone, size_mm
        button.installEventFilter(self)
        self.refresh()

    def refresh(self) -> None:
        theme = current_theme()
        size = theme.units.px(self.size_mm)
        colour = tone_colour(theme.palette, self.tone)
        self._button.setIcon(icon(self.name, size, colour))
        self._button.setIconSize(QSize(size, size))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.ApplicationPaletteChange, QEvent.Type.PaletteChange):
            self.refresh()
        return False


def set_icon(button: QAbstractButton, name: str, *, tone: Tone = "text",
             size_mm: float = IconSize.ACTION) -> None:
    """Give `button` the icon `name` in the theme colour `tone`, kept in step with the
    high-contrast switch. Calling it again replaces the icon."""
    resolve(name)  # fail here, not at the next theme switch
    for old in button.findChildren(_ThemedIcon, "themed-icon",
                                   QtCore.Qt.FindChildOption.FindDirectChildrenOnly):
        button.removeEventFilter(old)
        old.setParent(None)
        old.deleteLater()
    _ThemedIcon(button, name, tone, size_mm)


def decorate_actions(root: QWidget) -> int:
    """Put the standard icon on every action button under `root` that has one in
    ACTION_ICONS (primary buttons in on_primary); returns how many were decorated."""
    count = 0
    for button in root.findChildren(QAbstractButton):
        name = ACTION_ICONS.get(button.objectName())
        if name is None:
            continue
        role = button.property("role")
        tone: Tone = "on_primary" if role in ("primary", "danger") else "text"
        set_icon(button, name, tone=tone)
        count += 1
    return count
