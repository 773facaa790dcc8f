"""Simple animations for "scanning…" and "printing…".

Scanning: a light band sweeps up and down over the QR code of the qr-scan scene.
Printing: the slip slides out of the printer slot of the printer-slot scene, again and
again while the job runs. A frame repaints only the rectangle the motion sweeps (the
band's or the paper's path), from pixmaps cached per size and theme: a tenth of the
scene's pixels, not three full-size blends; the timer runs only while the widget is
visible.
With reduced motion (a switch for the elderly mode, or per widget) the scene stands
still: the band in the middle of the code, the slip half out.
"""
from __future__ import annotations

from typing import Final, Literal

from PySide6.QtCore import QElapsedTimer, QRect, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QHideEvent, QPainter, QPaintEvent, QPixmap, QShowEvent
from PySide6.QtWidgets import QWidget

from ui.theme import current_theme
from ui.units import Units
from ui.widgets.illustration import Illustration, SceneView, element_bounds, fit, map_rect

BusyKind = Literal["scanning", "printing"]
FRAME_MS: Final = 33  # about 30 frames a second: smooth enough, light on 2 cores
SWEEP_MS: Final = {"scanning": 1600, "printing": 2000}
SCENE_OF: Final[dict[str, str]] = {"scanning": "qr-scan", "printing": "printer-slot"}

_reduced_motion = False


def set_reduced_motion(on: bool) -> None:
    """Still pictures instead of motion for every busy animation shown from now on
    (the elderly mode's switch)."""
    global _reduced_motion
    _reduced_motion = on


def reduced_motion() -> bool:
    return _reduced_motion


class BusyAnimation(SceneView):
    """The animated scene of one busy kind; objectName `busy.<kind>.scene`."""

    def __init__(self, kind: BusyKind, parent: QWidget | None = None, *,
                 units: Units | None = None, reduced: bool | None = None) -> None:
        if kind not in SCENE_OF:
            raise ValueError(f"unknown busy kind {kind!r}")
        super().__init__(SCENE_OF[kind], parent, units=units)
        self.kind: BusyKind = kind
        self.setObjectName(f"busy.{kind}.scene")
        self._reduced = reduced  # None: follow set_reduced_motion
        self._clock = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.setTimerType(Qt.TimerType.CoarseTimer)
        self._timer.timeout.connect(self._next_frame)

    @property
    def reduced(self) -> bool:
        return _reduced_motion if self._reduced is None else self._reduced

    def set_reduced(self, on: bool | None) -> None:
        self._reduced = on
        self._sync_timer()
        self.update()

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def phase(self) -> float:
        """Where the motion is, 0..1 (still: 0.5)."""
        if self.reduced or not self._clock.isValid():
            return 0.5
        period = SWEEP_MS[self.kind]
        return (self._clock.elapsed() % period) / period

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._sync_timer()

    def hideEvent(self, event: QHideEvent) -> None:
        self._timer.stop()
        super().hideEvent(event)

    def _sync_timer(self) -> None:
        if self.isVisible() and not self.reduced:
            if not self._clock.isValid():
                self._clock.start()
            self._timer.start()
        else:
            self._timer.stop()

    def _next_frame(self) -> None:
        # Only what moves: the rest of the scene is the same from frame to frame.
        self.update(self.motion_rect())

    def motion_rect(self) -> QRect:
        """The part of the widget a frame changes: the band's path over the code, or
        the column the paper slides in (with the slot's lip drawn over it)."""
        if self.kind == "scanning":
            area = self.focus_rect()
            band = max(2.0, area.height() * 0.12)
            return area.adjusted(-7, -band - 2, 7, 3).toAlignedRect() & self.rect()
        return self._element_rect("paper") & self.rect()

    def _element_rect(self, element: str) -> QRect:
        """Where `element` of the scene lies in the widget (its strokes included)."""
        scale, offset = fit(QRectF(self.rect()))
        bounds = element_bounds(self.scene.name, element).adjusted(-3, -3, 3, 3)
        return map_rect(bounds, scale, offset).toAlignedRect()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.paint_scene(painter, event.rect())
        painter.end()

    def paint_scene(self, painter: QPainter, exposed: QRect | None = None) -> None:
        """One frame; with `exposed`, only what lies there is drawn (Qt clips the rest)."""
        area = self.rect() if exposed is None else exposed & self.rect()
        if self.kind == "scanning":
            self._paint_scan(painter, self.phase(), area)
        else:
            self._paint_print(painter, self.phase(), area)

    @staticmethod
    def _blit(painter: QPainter, pix: QPixmap, area: QRect, shift: int = 0) -> None:
        """`pix` drawn `shift` pixels up, within `area` only: blending the whole
        widget-sized layer for a small exposed rectangle is most of a frame's cost."""
        if not area.isEmpty():
            painter.drawPixmap(area, pix, area.translated(0, shift))

    def _paint_scan(self, painter: QPainter, t: float, exposed: QRect) -> None:
        self._blit(painter, self.layer(), exposed)
        area = self.focus_rect()
        # Down then up (a triangle wave), like a scanner's light moving over the code.
        pos = 2 * t if t < 0.5 else 2 * (1 - t)
        if self.reduced:
            pos = 0.5
        y = area.top() + pos * area.height()
        band = max(2.0, area.height() * 0.12)
        colour = QColor(current_theme().palette.focus)
        colour.setAlpha(70)
        painter.fillRect(QRectF(area.left() - 4, y - band, area.width() + 8, band), colour)
        colour.setAlpha(255)
        painter.fillRect(QRectF(area.left() - 6, y - 1.5, area.width() + 12, 3), colour)

    def _paint_print(self, painter: QPainter, t: float, exposed: QRect) -> None:
        self._blit(painter, self.layer("scene"), exposed)
        paper = self.focus_rect()
        # Out of the slot over 80 % of the period, then a short pause fully out.
        out = 0.5 if self.reduced else min(1.0, t / 0.8)
        shift = int((1.0 - out) * paper.height())
        # The paper still inside the printer is hidden: nothing above the slot.
        below_slot = QRectF(0, paper.top(), self.width(), self.height()).toAlignedRect()
        paper_now = self._element_rect("paper").translated(0, -shift)
        self._blit(painter, self.layer("paper"), exposed & below_slot & paper_now, shift)
        # The slot's lip stays in front of the paper that is still inside.
        self._blit(painter, self.layer("slot"), exposed & self._element_rect("slot"))


class BusyIllustration(Illustration):
    """The animated scene with its caption ("Scanning…" / "Printing…" or the caller's);
    objectName `busy.<kind>`."""

    def __init__(self, kind: BusyKind, parent: QWidget | None = None, *,
                 caption: str | None = None, units: Units | None = None,
                 reduced: bool | None = None) -> None:
        self._kind: BusyKind = kind
        self._reduced_arg = reduced
        super().__init__(SCENE_OF[kind], parent, caption=caption, units=units)
        self.setObjectName(f"busy.{kind}")
        self.caption.setObjectName(f"busy.{kind}.caption")

    def _make_view(self, name: str, units: Units) -> SceneView:
        return BusyAnimation(self._kind, units=units, reduced=self._reduced_arg)

    @property
    def animation(self) -> BusyAnimation:
        assert isinstance(self.view, BusyAnimation)
        return self.view

    def standard_captions(self) -> dict[str, str]:
        captions = super().standard_captions()
        captions["qr-scan"] = self.tr("Scanning…")
        captions["printer-slot"] = self.tr("Printing… Take your slip from the printer slot")
        return captions


class SlipTray(BusyIllustration):
    """Where the slip comes out, for a print job's state: the slip sliding out while
    it prints ("printing"), standing half out once printed ("printed"), hidden
    otherwise (no job, or a failed one: the screen says why in words). objectName
    `illustration.slip`."""

    def __init__(self, parent: QWidget | None = None, *, units: Units | None = None) -> None:
        self._printed = False
        super().__init__("printing", parent, units=units)
        self.setObjectName("illustration.slip")
        self.hide()

    def set_state(self, state: str | None) -> None:
        printed = state == "printed"
        if printed != self._printed:
            self._printed = printed
            self.animation.set_reduced(True if printed else None)
            self.retranslate()
        self.setVisible(state in ("printing", "printed"))

    def standard_captions(self) -> dict[str, str]:
        captions = super().standard_captions()
        if self._printed:  # no "Printing…" once the job is done
            captions["printer-slot"] = Illustration.standard_captions(self)["printer-slot"]
        return captions
