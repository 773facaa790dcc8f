"""Simple animations for "scanning…" and "printing…".

Scanning: a light band sweeps up and down over the QR code of the qr-scan scene.
Printing: the slip slides out of the printer slot of the printer-slot scene, again and
again while the job runs. Each frame is two blits of pixmaps cached per size and theme
and one rectangle (well under 1 ms); the timer runs only while the widget is visible.
With reduced motion (a switch for the elderly mode, or per widget) the scene stands
still: the band in the middle of the code, the slip half out.
"""
from __future__ import annotations

from typing import Final, Literal

from PySide6.QtCore import QElapsedTimer, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QHideEvent, QPainter, QShowEvent
from PySide6.QtWidgets import QWidget

from ui.theme import current_theme
from ui.units import Units
from ui.widgets.illustration import Illustration, SceneView

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
        self._timer.timeout.connect(self.update)

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

    def paint_scene(self, painter: QPainter) -> None:
        if self.kind == "scanning":
            self._paint_scan(painter, self.phase())
        else:
            self._paint_print(painter, self.phase())

    def _paint_scan(self, painter: QPainter, t: float) -> None:
        painter.drawPixmap(0, 0, self.layer())
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

    def _paint_print(self, painter: QPainter, t: float) -> None:
        painter.drawPixmap(0, 0, self.layer("scene"))
        paper = self.focus_rect()
        # Out of the slot over 80 % of the period, then a short pause fully out.
        out = 0.5 if self.reduced else min(1.0, t / 0.8)
        shift = (1.0 - out) * paper.height()
        painter.save()
        painter.setClipRect(QRectF(0, paper.top(), self.width(), self.height()))
        painter.drawPixmap(0, int(-shift), self.layer("paper"))
        painter.restore()
        # The slot's lip stays in front of the paper that is still inside.
        painter.drawPixmap(0, 0, self.layer("slot"))


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
