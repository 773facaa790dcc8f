"""Base class of every screen: a stable objectName (`screen.<id>`), re-translation on
LanguageChange, and a per-screen idle limit kind (reading or form)."""
from __future__ import annotations

import logging
import traceback
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from ui.main_window import MainWindow

_log = logging.getLogger("kiosk.ui")


class _Quiet(QObject):
    """Filter on a retired screen: LanguageChange stops there, before QWidget.event
    would hand it to every child (illustrations and other widgets re-render
    themselves on it)."""

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        return event.type() == QEvent.Type.LanguageChange


class Screen(QWidget):
    screen_id = "base"
    idle_kind = "reading"  # "reading" (about 90 s) or "form" (about 180 s)
    accepts_scans = False
    idle_enabled = True
    staff_screen = False  # maintenance mode: no home/back/finish, idle logs out
    service_id: str | None = None  # the service a screen belongs to (scans go there first)
    retired = False  # its session ended; deleted once the event loop gets to it

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window_ = window
        self.setObjectName(f"screen.{self.screen_id}")
        self.layout_ = QVBoxLayout(self)
        margin = window.units.px(8)
        self.layout_.setContentsMargins(margin, margin, margin, margin)
        self.layout_.setSpacing(window.units.px(4))

    def title_label(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setProperty("role", "title")
        label.setWordWrap(True)
        return label

    def text_label(self, name: str, role: str = "body") -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setProperty("role", role)
        label.setWordWrap(True)
        # By name (Qt's property system), as ui.theme.align_center explains.
        label.setProperty("textInteractionFlags", "NoTextInteraction")
        return label

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt naming)
        if event.type() == QEvent.Type.LanguageChange and not self.retired:
            try:
                self.retranslate()
            except Exception as exc:  # noqa: BLE001 - see below
                # An exception escaping a Qt virtual leaves PySide's error state set:
                # every later Python override (the idle and lockdown event filters)
                # then fails in turn and the GUI thread crashes (rc 139). Logged by
                # type and frames only: the message may name the taxpayer.
                _log.error("screen %s: retranslate failed (%s)\n%s", self.screen_id,
                           type(exc).__name__,
                           "".join(traceback.format_tb(exc.__traceback__)))
        super().changeEvent(event)

    def retire(self) -> None:
        """The session that built this screen ended (MainWindow.end_session): it is
        unparented and deleted later, and until then must not react. A language
        switch in that gap (end_session restores the default language) reaches it as
        a top-level widget, and its providers would read a session that is gone."""
        if not self.retired:
            self.retired = True
            self.installEventFilter(_Quiet(self))

    def retranslate(self) -> None:
        """Set every visible string; called at construction and on LanguageChange."""

    def on_enter(self) -> None:
        """Called each time the screen is shown."""

    def handle_scan(self, text: str) -> None:
        """A scan arrived while this screen is shown (only if accepts_scans)."""

    def scan_not_taken(self, text: str, error: str | None,
                       unavailable: str | None = None) -> None:
        """A scan no service takes arrived while this screen is shown (only if
        accepts_scans); `error` is the message code saying what is wrong with it,
        `unavailable` the reason code when the service that takes it cannot start."""
