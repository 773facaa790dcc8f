"""Illustrations where a person must act on the terminal's hardware: where to hold the
QR code, where to put the ID card, where the slip comes out, where to take the
invoices, where to insert or tap the bank card.

The scenes are SVGs in ui/illustrations/ drawn in five fixed colours that map to theme
tokens at render time (README there), so the high-contrast theme gets them as well.
`SceneView` paints one scene, scaled to fit and centred, from a pixmap cached per size
and theme; `Illustration` adds its caption below. `ui.widgets.busy` animates over the
same scenes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, QPointF, QRectF, QSize
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPixmap, QResizeEvent
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from kiosk.frozen import Frozen
from ui.theme import Palette, Space, align_center, current_theme
from ui.units import Units, current_units

SCENE_DIR: Final = Path(__file__).resolve().parent.parent / "illustrations"
VIEW_BOX: Final = QRectF(0, 0, 320, 240)

# The five colours the scene files are drawn in -> the token each becomes.
SCENE_COLOURS: Final[dict[str, str]] = {
    "#1A1A1A": "text",
    "#EEF3FA": "surface",
    "#FFFFFF": "background",
    "#0B4EA2": "primary",
    "#C25400": "focus",
}
_COLOUR = re.compile("|".join(re.escape(c) for c in SCENE_COLOURS), re.IGNORECASE)


@dataclass(frozen=True, repr=False, eq=False)
class Scene(Frozen):
    """One illustration: its file and the rectangle (viewBox units) that animations
    move over: the QR code being read, the paper leaving the slot."""

    name: str
    focus: QRectF


SCENES: Final[dict[str, Scene]] = {
    "qr-scan": Scene("qr-scan", QRectF(136, 100, 48, 48)),
    "id-card": Scene("id-card", QRectF(92, 146, 136, 72)),
    "printer-slot": Scene("printer-slot", QRectF(118, 108, 84, 92)),
    "dispenser-tray": Scene("dispenser-tray", QRectF(92, 150, 124, 42)),
    "bank-card": Scene("bank-card", QRectF(120, 180, 80, 60)),
}


def scene_names() -> tuple[str, ...]:
    return tuple(SCENES)


@lru_cache(maxsize=16)
def _source(name: str) -> str:
    if name not in SCENES:
        raise KeyError(f"no illustration {name!r}; there are: {', '.join(SCENES)}")
    return (SCENE_DIR / f"{name}.svg").read_text(encoding="utf-8")


def scene_svg(name: str, palette: Palette) -> bytes:
    """The scene's SVG in `palette`'s colours (one pass, so a replaced colour is never
    replaced again)."""
    def swap(match: re.Match[str]) -> str:
        return str(getattr(palette, SCENE_COLOURS[match.group(0).upper()]))

    return _COLOUR.sub(swap, _source(name)).encode("utf-8")


@lru_cache(maxsize=32)
def _renderer(name: str, palette: Palette) -> QSvgRenderer:
    renderer = QSvgRenderer(QByteArray(scene_svg(name, palette)))
    if not renderer.isValid():
        raise ValueError(f"illustration {name!r} is not valid SVG")
    return renderer


@lru_cache(maxsize=32)
def _element_bounds(name: str, element: str) -> tuple[float, float, float, float]:
    # The geometry is the same in every palette: the current one's renderer answers.
    r = _renderer(name, current_theme().palette).boundsOnElement(element)
    return r.x(), r.y(), r.width(), r.height()


def element_bounds(name: str, element: str) -> QRectF:
    """Where a group of the scene (`paper`, `slot`...) lies, in viewBox units (strokes
    may reach a few units beyond)."""
    return QRectF(*_element_bounds(name, element))


def fit(target: QRectF, view: QRectF = VIEW_BOX) -> tuple[float, QPointF]:
    """Scale and offset that fit `view` into `target`, keeping its aspect, centred."""
    scale = min(target.width() / view.width(), target.height() / view.height())
    offset = QPointF(target.x() + (target.width() - view.width() * scale) / 2,
                     target.y() + (target.height() - view.height() * scale) / 2)
    return scale, offset


def map_rect(rect: QRectF, scale: float, offset: QPointF) -> QRectF:
    return QRectF(offset.x() + rect.x() * scale, offset.y() + rect.y() * scale,
                  rect.width() * scale, rect.height() * scale)


def render_element(name: str, palette: Palette, size: QSize, element: str | None = None
                   ) -> QPixmap:
    """The scene (or one of its groups, `scene` / `paper` / `arrow`) rendered into a
    transparent pixmap of `size`, placed where it sits in the whole fitted scene."""
    out = QPixmap(max(1, size.width()), max(1, size.height()))
    out.fill(QColor(0, 0, 0, 0))  # transparent
    renderer = _renderer(name, palette)
    painter = QPainter(out)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    scale, offset = fit(QRectF(0, 0, size.width(), size.height()))
    if element is None:
        renderer.render(painter, map_rect(VIEW_BOX, scale, offset))
    elif renderer.elementExists(element):
        bounds = renderer.boundsOnElement(element)
        renderer.render(painter, element, map_rect(bounds, scale, offset))
    painter.end()
    return out


class SceneView(QWidget):
    """Paints one scene, scaled to the widget (4:3), from a cached pixmap that is
    re-rendered only on resize or a theme switch."""

    def __init__(self, name: str, parent: QWidget | None = None, *,
                 units: Units | None = None) -> None:
        super().__init__(parent)
        if name not in SCENES:
            raise KeyError(f"no illustration {name!r}; there are: {', '.join(SCENES)}")
        self.scene = SCENES[name]
        u = units or current_units()
        self.setMinimumSize(u.px(64), u.px(48))
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self._cache: dict[str | None, QPixmap] = {}
        self._cache_key: tuple[QSize, str] | None = None

    def heightForWidth(self, width: int) -> int:
        return width * 3 // 4

    def hasHeightForWidth(self) -> bool:
        return True

    def sizeHint(self) -> QSize:
        return QSize(self.minimumWidth() * 3 // 2, self.minimumHeight() * 3 // 2)

    def layer(self, element: str | None = None) -> QPixmap:
        """The cached rendering of the whole scene (None) or one of its groups."""
        palette = current_theme().palette
        key = (self.size(), palette.name)
        if key != self._cache_key:
            self._cache.clear()
            self._cache_key = key
        pix = self._cache.get(element)
        if pix is None:
            pix = render_element(self.scene.name, palette, self.size(), element)
            self._cache[element] = pix
        return pix

    def focus_rect(self) -> QRectF:
        """The scene's focus rectangle in widget coordinates."""
        scale, offset = fit(QRectF(self.rect()))
        return map_rect(self.scene.focus, scale, offset)

    def paint_scene(self, painter: QPainter) -> None:
        painter.drawPixmap(0, 0, self.layer())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.paint_scene(painter)
        painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._cache_key = None
        super().resizeEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.ApplicationPaletteChange, QEvent.Type.PaletteChange):
            self._cache_key = None
            self.update()
        super().changeEvent(event)


class Illustration(QFrame):
    """A scene with its caption, e.g. `Illustration("qr-scan")`; objectName
    `illustration.<name>`, caption label `illustration.<name>.caption`. The caption
    follows the language; pass `caption` to say something more specific (already
    translated by the caller, who then re-sets it on LanguageChange)."""

    def __init__(self, name: str, parent: QWidget | None = None, *,
                 caption: str | None = None, units: Units | None = None) -> None:
        super().__init__(parent)
        u = units or current_units()
        self.setObjectName(f"illustration.{name}")
        self.view = self._make_view(name, u)
        self.caption = QLabel()
        self.caption.setObjectName(f"illustration.{name}.caption")
        self.caption.setProperty("role", "caption")
        self.caption.setWordWrap(True)
        align_center(self.caption)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(u.px(Space.S))
        box.addWidget(self.view, 1)
        box.addWidget(self.caption)
        self._custom = caption
        self.retranslate()

    def _make_view(self, name: str, units: Units) -> SceneView:
        return SceneView(name, units=units)

    def set_caption(self, text: str | None) -> None:
        """A caller's caption (translated), or None for the standard one."""
        self._custom = text
        self.retranslate()

    def standard_captions(self) -> dict[str, str]:
        # An explicit context: self.tr() would look the strings up under a subclass's
        # name (BusyIllustration), where lupdate did not put them.
        return {
            "qr-scan": QCoreApplication.translate(
                "Illustration", "Hold the QR code over the scanner window below the screen"),
            "id-card": QCoreApplication.translate(
                "Illustration", "Put your ID card flat on the reader pad"),
            "printer-slot": QCoreApplication.translate(
                "Illustration", "Take your slip from the printer slot"),
            "dispenser-tray": QCoreApplication.translate(
                "Illustration", "Take your invoices from the tray"),
            "bank-card": QCoreApplication.translate(
                "Illustration", "Insert your bank card at the bottom of the card terminal, "
                "or hold it on the wave mark"),
        }

    def retranslate(self) -> None:
        text = self._custom or self.standard_captions()[self.view.scene.name]
        self.caption.setText(text)
        self.setAccessibleName(text)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
