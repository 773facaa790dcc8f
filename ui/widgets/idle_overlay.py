"""The "Are you still there?" overlay: inside the main window, never a modal dialog.

It covers its parent (following the parent's resizes), dims what is behind, shows a
big countdown and one big "continue" button. It only displays; IdleWatcher owns the
timing. Wiring in the main window:

    watcher.warn -> overlay.show_countdown      watcher.tick -> overlay.update_countdown
    watcher.dismissed -> overlay.dismiss        overlay.continue_requested -> watcher.reset
    watcher.expired -> end the session (which also dismisses the overlay)
"""
from __future__ import annotations

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QVBoxLayout, QWidget

from ui.i18n import fill
from ui.units import Size, Units, current_units
from ui.widgets.buttons import make_button

BACKDROP = QColor(0, 0, 0, 170)
PANEL_WIDTH_MM = 170.0


class IdleOverlay(QWidget):
    """Countdown overlay, objectName `overlay.idle`; its button is `action.continue`.

    Signals:
        continue_requested(): the taxpayer tapped "continue" (or the backdrop). The
            overlay hides itself; the owner resets the idle watcher.
    """

    continue_requested = Signal()

    def __init__(self, parent: QWidget, *, units: Units | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overlay.idle")
        u = units or current_units()
        self._seconds = 0
        self._focus_before: QWidget | None = None

        self._panel = QFrame(self)
        self._panel.setObjectName("overlay.idle.panel")
        self._panel.setProperty("role", "panel")
        self._panel.setMaximumWidth(u.px(PANEL_WIDTH_MM))
        # Without a theme the panel would be see-through; the stylesheet overrides this.
        self._panel.setAutoFillBackground(True)

        self._title = QLabel(self._panel)
        self._title.setObjectName("overlay.idle.title")
        self._title.setProperty("role", "title")
        self._title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._title.setWordWrap(True)

        self._count = QLabel(self._panel)
        self._count.setObjectName("idle.countdown")
        self._count.setProperty("role", "countdown")
        self._count.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self._unit = QLabel(self._panel)
        self._unit.setObjectName("overlay.idle.unit")
        self._unit.setProperty("role", "subtitle")
        self._unit.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self._message = QLabel(self._panel)
        self._message.setObjectName("overlay.idle.message")
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setWordWrap(True)

        self._button = make_button("", "action.continue", role="primary", units=u,
                                   parent=self._panel)
        self._button.clicked.connect(self._on_continue)

        gap = u.px(Size.GAP)
        box = QVBoxLayout(self._panel)
        box.setContentsMargins(gap * 3, gap * 3, gap * 3, gap * 3)
        box.setSpacing(gap)
        box.addWidget(self._title)
        box.addWidget(self._count)
        box.addWidget(self._unit)
        box.addWidget(self._message)
        box.addSpacing(gap)
        box.addWidget(self._button)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(gap * 2, gap * 2, gap * 2, gap * 2)
        outer.addStretch(1)
        outer.addWidget(self._panel, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(1)

        parent.installEventFilter(self)
        self.setGeometry(parent.rect())
        self.hide()
        self._retranslate()

    # -- public API ----------------------------------------------------------------

    @property
    def seconds(self) -> int:
        return self._seconds

    @property
    def continue_button(self) -> QWidget:
        return self._button

    def show_countdown(self, seconds: int) -> None:
        """Show over everything with `seconds` left; focus goes to "continue"."""
        focus = QApplication.focusWidget()
        if focus is not None and not self.isAncestorOf(focus):
            self._focus_before = focus
        self.update_countdown(seconds)
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.show()
        self.raise_()
        self._button.setFocus(Qt.FocusReason.OtherFocusReason)

    def update_countdown(self, seconds: int) -> None:
        self._seconds = max(0, int(seconds))
        self._count.setText(str(self._seconds))
        self._count.setAccessibleName(
            fill(QCoreApplication.translate("IdleOverlay", "%1 seconds left"), self._seconds))

    def dismiss(self) -> None:
        """Hide and give focus back to where it was (if that widget still exists)."""
        if self.isHidden():
            return
        self.hide()
        before, self._focus_before = self._focus_before, None
        if before is not None and shiboken6.isValid(before) and before.isVisible():
            before.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- events --------------------------------------------------------------------

    def _on_continue(self) -> None:
        self.dismiss()
        self.continue_requested.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        parent = self.parentWidget()
        if parent is not None and watched is parent and event.type() == QEvent.Type.Resize:
            self.setGeometry(parent.rect())
        return False

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKDROP)
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        # A tap on the dimmed backdrop also means "I am here"; never let it fall
        # through to the screen behind.
        event.accept()
        if not self._panel.geometry().contains(event.position().toPoint()):
            self._on_continue()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        translate = QCoreApplication.translate
        self.setAccessibleName(translate("IdleOverlay", "Session time-out warning"))
        self._title.setText(translate("IdleOverlay", "Are you still there?"))
        self._unit.setText(translate("IdleOverlay", "seconds"))
        self._message.setText(translate(
            "IdleOverlay",
            "To protect your privacy, this session will then end and what you entered will be cleared."))
        self._button.setText(translate("IdleOverlay", "Continue"))
        self._button.setAccessibleName(translate("IdleOverlay", "Continue, I am still here"))
        self.update_countdown(self._seconds)
