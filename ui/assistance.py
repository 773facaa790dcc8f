"""Remote assistance on the screen (issue #14 §5): the top bar's "Call staff" button,
the banner while staff help, the masked frames, and the taps staff may make.

- `action.call_staff` (in the action bar on every screen of a session) raises a
  request through kiosk.assistance (the kiosk's own outbound connection to central).
- The banner (`banner.assistance`) says what is happening: calling, "Staff are viewing
  this screen", staff may tap. `action.allow_control` is the taxpayer's on-screen
  agreement to staff tapping (press again to withdraw it); `action.end_assistance`
  ends it. Staff's taps never reach the banner or the call button.
- While staff are assisting, a frame a second: the main window grabbed, every text
  editor and every widget with the dynamic property `personal=True` painted over
  (an editor shows what the taxpayer types: names, ID and phone numbers; one may opt
  out with `personal=False`), and the on-screen keyboard too; scaled down and JPEG
  encoded to fit one sealed call.
- The session's end (finish, idle, sign-out) ends the assistance: the privacy reset.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QEvent,
    QIODevice,
    QObject,
    QPoint,
    QPointF,
    QRect,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QImage, QMouseEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from kiosk import log
from kiosk.assistance import MAX_FRAME_BYTES, Assistance, AssistState
from ui.units import Size, current_units
from ui.widgets.buttons import make_button

if TYPE_CHECKING:
    from kiosk.app import KioskCore
    from ui.main_window import MainWindow

_log = log.get("session")

#: One frame a second while staff are assisting: enough to follow a taxpayer, modest
#: on the hall's uplink (~30 KiB/s at most).
FRAME_INTERVAL_MS = 1000
#: The longest side of a frame; smaller (and lower quality) if it would not fit.
FRAME_SIDE = 960
#: How long "Assistance ended" stays before the banner hides.
ENDED_NOTICE_MS = 4000

_EDITORS = (QLineEdit, QPlainTextEdit, QTextEdit, QAbstractSpinBox)


def is_personal(widget: QWidget) -> bool:
    """Whether a frame hides `widget`: flagged `personal=True`, or a text editor not
    flagged `personal=False` (what a taxpayer types is theirs)."""
    flag = widget.property("personal")
    if flag is True:
        return True
    return isinstance(widget, _EDITORS) and flag is not False


def masked_grab(window: QWidget, extra: list[QWidget] | None = None) -> QImage:
    """The window as staff may see it: personal widgets (and `extra`, e.g. the
    on-screen keyboard) painted over with a hatched block."""
    image = window.grab().toImage()
    ratio = image.devicePixelRatio() or 1.0
    painter = QPainter(image)
    try:
        hidden = [w for w in window.findChildren(QWidget) if is_personal(w)]
        hidden += [w for w in (extra or []) if w is not None]
        for widget in hidden:
            if not widget.isVisible() or widget.window() is not window:
                continue
            top_left = widget.mapTo(window, QPoint(0, 0))
            rect = QRect(int(top_left.x() * ratio), int(top_left.y() * ratio),
                         int(widget.width() * ratio), int(widget.height() * ratio))
            painter.fillRect(rect, QColor("#5b6470"))
            painter.fillRect(rect, QBrush(QColor("#7b8490"), Qt.BrushStyle.BDiagPattern))
    finally:
        painter.end()
    return image


def encode_frame(image: QImage, limit: int = MAX_FRAME_BYTES) -> bytes:
    """JPEG of `image`, at most `limit` bytes: scaled to FRAME_SIDE, then lower quality
    and smaller until it fits."""
    side = FRAME_SIDE
    while side >= 240:
        scaled = image.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                              Qt.TransformationMode.SmoothTransformation)
        for quality in (70, 55, 40, 30):
            data = QByteArray()
            buffer = QBuffer(data)
            buffer.open(QIODevice.OpenModeFlag.WriteOnly)
            # The stubs want bytes for the format; PySide6 itself takes only str.
            saved = scaled.save(buffer, "JPEG", quality)  # type: ignore[call-overload]
            buffer.close()
            if not saved or data.size() == 0:
                raise ValueError("no JPEG writer (Qt's imageformats plugin)")
            if data.size() <= limit:
                return bytes(data.data())
        side = int(side * 0.75)
    raise ValueError("the screen does not fit a frame")


class AssistanceBanner(QFrame):
    """objectName `banner.assistance`; text `banner.assistance.text`; buttons
    `action.allow_control` (checkable: the taxpayer's consent) and `action.end_assistance`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner.assistance")
        self.setProperty("role", "banner")
        self.setProperty("state", "assistance")
        u = current_units()
        self.label = QLabel(self)
        self.label.setObjectName("banner.assistance.text")
        self.label.setWordWrap(True)
        self.allow_button = make_button("", "action.allow_control", role="secondary")
        self.allow_button.setCheckable(True)
        self.end_button = make_button("", "action.end_assistance", role="secondary")
        # The text on a row of its own, so it wraps to the banner's full width (larger
        # text, English) instead of being squeezed by the buttons.
        layout = QVBoxLayout(self)
        pad = u.px(Size.GAP)
        layout.setContentsMargins(pad * 2, pad, pad * 2, pad)
        layout.setSpacing(pad)
        layout.addWidget(self.label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.allow_button)
        buttons.addWidget(self.end_button)
        layout.addLayout(buttons)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.state = AssistState()
        self.hide()

    def show_state(self, state: AssistState) -> None:
        self.state = state
        self.allow_button.setVisible(state.phase == "active")
        self.allow_button.blockSignals(True)
        self.allow_button.setChecked(state.control_allowed)
        self.allow_button.blockSignals(False)
        self.end_button.setVisible(state.phase in ("calling", "waiting", "active", "failed"))
        self.setVisible(state.phase != "idle")
        self.retranslate()

    def retranslate(self) -> None:
        phase = self.state.phase
        if phase in ("calling", "waiting"):
            text = self.tr("Calling staff… a member of staff will look at this screen shortly")
        elif phase == "active" and self.state.control_allowed:
            text = self.tr("Staff are viewing this screen and may tap on it")
        elif phase == "active":
            text = self.tr("Staff are viewing this screen")
        elif phase == "failed":
            text = self.tr("Staff cannot be reached now; please ask at the service desk")
        else:
            text = self.tr("Assistance has ended")
        self.label.setText(text)
        self.setAccessibleName(text)
        if self.state.control_allowed:
            self.allow_button.setText(self.tr("Stop staff tapping"))
        else:
            self.allow_button.setText(self.tr("Let staff tap the screen"))
        self.allow_button.setAccessibleName(self.allow_button.text())
        self.end_button.setText(self.tr("Close") if phase == "failed"
                                else self.tr("End assistance"))
        self.end_button.setAccessibleName(self.end_button.text())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange):
            # Larger text restyles the whole application: measure the buttons again
            # (a button whose text did not change would keep its old, narrower size).
            # Bound to the banner: the call is dropped if the banner goes first.
            QTimer.singleShot(0, self, self._remeasure)
        super().changeEvent(event)

    def _remeasure(self) -> None:
        # A style change also arrives while the window is torn down: by the time the
        # queued call runs, the banner or its buttons may be gone.
        if not shiboken6.isValid(self):
            return
        for button in (self.allow_button, self.end_button):
            if shiboken6.isValid(button):
                button.updateGeometry()
        layout = self.layout()
        if layout is not None:
            layout.invalidate()


class _Bridge(QObject):
    state = Signal(object)
    taps = Signal(object)


class AssistanceUI(QObject):
    """The call button, the banner, the frame timer and the tap injection of one
    window (`window.assistance`)."""

    def __init__(self, window: MainWindow, helper: Assistance) -> None:
        super().__init__(window)
        self.window = window
        self.helper = helper
        self.banner = AssistanceBanner()
        self.call_button = make_button("", "action.call_staff", role="secondary")
        self._bridge = _Bridge(self)
        # The client's listeners run on its worker thread: queue onto the GUI thread.
        self._bridge.state.connect(self._on_state, Qt.ConnectionType.QueuedConnection)
        self._bridge.taps.connect(self._on_taps, Qt.ConnectionType.QueuedConnection)
        helper.state_listeners.append(self._bridge.state.emit)
        helper.tap_listeners.append(self._bridge.taps.emit)
        self.call_button.clicked.connect(self.call)
        self.banner.allow_button.toggled.connect(self.helper.consent)
        self.banner.end_button.clicked.connect(self._end_pressed)
        self._frames = QTimer(self)
        self._frames.setInterval(FRAME_INTERVAL_MS)
        self._frames.timeout.connect(self.send_frame)
        self._hide_later = QTimer(self)
        self._hide_later.setSingleShot(True)
        self._hide_later.timeout.connect(self._hide_if_over)
        self.frames_sent = 0
        window.session_ended.connect(self._session_ended)
        window.destroyed.connect(self.helper.stop)
        self.retranslate()

    def call(self) -> None:
        if self.helper.call():
            _log.info("call staff pressed")

    def _session_ended(self, _reason: str) -> None:
        """The privacy reset: no frame after this, nothing left on the attract screen."""
        self._frames.stop()
        self.helper.end("session_end")
        self.banner.show_state(AssistState())

    def _end_pressed(self) -> None:
        if self.helper.state.phase == "failed":
            self.banner.show_state(AssistState())
            return
        self.helper.end("taxpayer")

    def _on_state(self, state: AssistState) -> None:
        self.banner.show_state(state)
        self.call_button.setEnabled(not state.open)
        if state.phase == "active":
            if not self._frames.isActive():
                self._frames.start()
                QTimer.singleShot(0, self.send_frame)  # staff see the screen at once
        else:
            self._frames.stop()
        if state.phase == "ended" and state.ended_by == "session_end":
            self.banner.show_state(AssistState())
        elif state.phase == "ended":
            self._hide_later.start(ENDED_NOTICE_MS)

    def _hide_if_over(self) -> None:
        if not self.helper.state.open and self.helper.state.phase != "failed":
            self.banner.show_state(AssistState())

    def send_frame(self) -> None:
        """Grab, mask and hand the client the latest frame (only while active)."""
        if self.helper.state.phase != "active":
            return
        keyboard = getattr(self.window, "keyboard", None)
        image = masked_grab(self.window, [keyboard] if isinstance(keyboard, QWidget) else [])
        try:
            self.helper.offer_frame(encode_frame(image))
            self.frames_sent += 1
        except ValueError:
            _log.warning("assistance frame too large; skipped")

    def _on_taps(self, taps: list[tuple[float, float]]) -> None:
        """Staff's taps (fractions of the frame), only with the taxpayer's consent."""
        if not (self.helper.state.phase == "active" and self.helper.state.control_allowed):
            return
        for x, y in taps:
            self.tap(QPoint(int(x * self.window.width()), int(y * self.window.height())))

    def tap(self, at: QPoint) -> bool:
        """A press and release at window point `at`, on the widget there; never on the
        banner or the call button (staff cannot consent or end for the taxpayer)."""
        target = self.window.childAt(at)
        if target is None:
            return False
        for guarded in (self.banner, self.call_button):
            if target is guarded or guarded.isAncestorOf(target):
                return False
        local = QPointF(target.mapFrom(self.window, at))
        global_ = QPointF(self.window.mapToGlobal(at))
        for kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease):
            event = QMouseEvent(kind, local, global_, Qt.MouseButton.LeftButton,
                                Qt.MouseButton.LeftButton if kind == QEvent.Type.MouseButtonPress
                                else Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
            QApplication.sendEvent(target, event)
        return True

    def retranslate(self) -> None:
        self.call_button.setText(self.tr("Call staff"))
        self.call_button.setAccessibleName(self.tr("Call a member of staff to help"))
        self.banner.retranslate()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        return False


def mount_assistance(window: MainWindow, core: KioskCore) -> AssistanceUI:
    """The call button at the end of the action bar and the banner under it, on
    `window.assistance`. One call in MainWindow.attach_core."""
    ui = AssistanceUI(window, Assistance(core.central, core.keys,
                                         as_enrolled=getattr(core, "_as_enrolled", None)))
    bar = window.top_bar.layout()
    if bar is None:
        raise RuntimeError("the action bar has no layout")
    bar.addWidget(ui.call_button)  # the right group, after finish
    central = window.centralWidget()
    outer = central.layout() if central is not None else None
    if not isinstance(outer, QVBoxLayout):
        raise TypeError("mount_assistance needs the window's central QVBoxLayout")
    index = outer.indexOf(window.banner)  # under the offline banner
    outer.insertWidget(index + 1 if index >= 0 else 1, ui.banner)
    window.installEventFilter(ui)  # LanguageChange reaches the window
    window.assistance = ui
    return ui
