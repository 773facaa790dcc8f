"""The one main window: top bar, offline banner, a stack of screens, overlays.

Sessions: a session starts at the first touch (or a scan) on the attract screen and ends
on idle timeout, on "finish", or on staff abort. Ending one rebuilds every screen (so
no typed text survives), clears the clipboard, restores the default language and goes
back to the attract screen.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLineEdit, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from kiosk import log
from kiosk.app import KioskCore
from ui.i18n import Translations
from ui.idle import IdleWatcher
from ui.notify import Watchdog, sd_notify
from ui.ops import Op
from ui.screens.attract import AttractScreen
from ui.screens.base import Screen
from ui.screens.home import HomeScreen
from ui.screens.invoice_verify import (
    InvoiceVerifyFlow, VerifyManualScreen, VerifyPendingScreen, VerifyQueuedScreen,
    VerifyResultScreen, VerifyScanScreen,
)
from ui.theme import HIGH_CONTRAST, NORMAL, Theme
from ui.units import Units
from ui.widgets.buttons import make_button
from ui.widgets.idle_overlay import IdleOverlay
from ui.widgets.offline_banner import OfflineBanner

_log = log.get("session")

SCREEN_CLASSES: tuple[type[Screen], ...] = (
    AttractScreen, HomeScreen, VerifyScanScreen, VerifyManualScreen, VerifyResultScreen,
    VerifyQueuedScreen, VerifyPendingScreen,
)
SERVICES = {"invoice.verify": "invoice.verify"}  # service id -> entry screen id


class CoreBridge(QObject):
    """Re-emits callbacks from device and sync threads as queued Qt signals."""

    scanned = Signal(str)
    queue_changed = Signal()
    connectivity_changed = Signal(bool)


class MainWindow(QMainWindow):
    session_started = Signal()
    session_ended = Signal(str)  # reason: idle, finish, staff
    screen_changed = Signal(str)

    def __init__(self, core: KioskCore, translations: Translations, *,
                 idle_clock: Callable[[], float] | None = None, kiosk_mode: bool = True) -> None:
        super().__init__()
        self.setObjectName("window.main")
        self.core = core
        self.translations = translations
        cfg = core.config.ui
        self.units = Units(cfg.ppi)
        self.theme = Theme(HIGH_CONTRAST if cfg.high_contrast else NORMAL, self.units)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        self.theme.apply(app)  # palette, body font (cap height >= 4.8 mm), stylesheet
        self.in_session = False
        self._ready_sent = False

        central = QWidget()
        central.setObjectName("window.central")
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.top_bar = QWidget()
        self.top_bar.setObjectName("bar.top")
        bar = QHBoxLayout(self.top_bar)
        self.home_button = make_button("", "action.home", role="secondary")
        self.back_button = make_button("", "action.back", role="secondary")
        self.language_button = make_button("", "action.language", role="secondary")
        self.finish_button = make_button("", "action.finish", role="secondary")
        self.home_button.clicked.connect(lambda: self.show_screen("home"))
        self.back_button.clicked.connect(self.go_back)
        self.language_button.clicked.connect(self.toggle_language)
        self.finish_button.clicked.connect(lambda: self.end_session("finish"))
        for b in (self.home_button, self.back_button):
            bar.addWidget(b)
        bar.addStretch(1)
        bar.addWidget(self.language_button)
        bar.addWidget(self.finish_button)
        self.banner = OfflineBanner(units=self.units)
        self.stack = QStackedWidget()
        self.stack.setObjectName("stack.screens")
        outer.addWidget(self.top_bar)
        outer.addWidget(self.banner)
        outer.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.overlay = IdleOverlay(self, units=self.units)
        self.overlay.hide()
        self.overlay.continue_requested.connect(self._continue_session)
        self.idle = IdleWatcher(self, clock=idle_clock or time.monotonic,
                                countdown_s=cfg.countdown_s)
        self.idle.install()
        self.idle.warn.connect(self._idle_warn)
        self.idle.tick.connect(self.overlay.update_countdown)
        self.idle.expired.connect(lambda: self.end_session("idle"))
        self.idle.activity.connect(self._idle_activity)

        self.bridge = CoreBridge()
        self.bridge.scanned.connect(self.deliver_scan, Qt.ConnectionType.QueuedConnection)
        self.bridge.queue_changed.connect(self.refresh_queue_status,
                                          Qt.ConnectionType.QueuedConnection)
        self.bridge.connectivity_changed.connect(lambda _o: self.refresh_queue_status(),
                                                 Qt.ConnectionType.QueuedConnection)
        core.scan_listeners.append(self.bridge.scanned.emit)
        core.queue_listeners.append(self.bridge.queue_changed.emit)
        core.connectivity.subscribe(self.bridge.connectivity_changed.emit)

        self.screens: dict[str, Screen] = {}
        self._history: list[str] = []
        self._build_screens()
        self.show_screen("attract")
        self._retranslate()
        if kiosk_mode:
            self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
            QGuiApplication.setOverrideCursor(Qt.CursorShape.BlankCursor)
        self._watchdog = Watchdog(self)  # WATCHDOG=1 from the GUI thread, if systemd asks
        self._watchdog.start()
        self._queue_timer = QTimer(self)  # ages in the banner move even with no events
        self._queue_timer.timeout.connect(self.refresh_queue_status)
        self._queue_timer.start(30_000)
        self.refresh_queue_status()

    # -- screens -----------------------------------------------------------------------
    @property
    def language(self) -> str:
        return self.translations.language

    def _build_screens(self) -> None:
        self.invoice_flow = InvoiceVerifyFlow(self)
        for cls in SCREEN_CLASSES:
            screen = cls(self)
            self.screens[cls.screen_id] = screen
            self.stack.addWidget(screen)

    def screen(self, screen_id: str) -> Screen:
        return self.screens[screen_id]

    def current_screen(self) -> Screen:
        return self.stack.currentWidget()  # type: ignore[return-value]

    def show_screen(self, screen_id: str, *, remember: bool = True) -> None:
        screen = self.screens[screen_id]
        current = self.stack.currentWidget()
        if remember and isinstance(current, Screen) and current is not screen:
            self._history.append(current.screen_id)
            del self._history[:-20]
        self.stack.setCurrentWidget(screen)
        in_attract = screen_id == "attract"
        self.top_bar.setVisible(not in_attract)
        self.back_button.setEnabled(bool(self._history) and screen_id != "home")
        limit = self.core.config.ui.idle_form_s if screen.idle_kind == "form" \
            else self.core.config.ui.idle_reading_s
        self.idle.set_limit(limit)
        self.idle.enabled = screen.idle_enabled and self.in_session
        self.idle.reset()
        screen.on_enter()
        self.screen_changed.emit(screen_id)

    def go_back(self) -> None:
        while self._history:
            previous = self._history.pop()
            if previous != "attract":
                self.show_screen(previous, remember=False)
                return
        self.show_screen("home", remember=False)

    def open_service(self, service_id: str) -> None:
        if not self.in_session:
            self.start_session()
        self.show_screen(SERVICES[service_id])

    def deliver_scan(self, text: str) -> None:
        """A scan from any scanner arrives here on the GUI thread."""
        self.idle.reset()
        screen = self.current_screen()
        if screen.accepts_scans:
            screen.handle_scan(text)

    # -- session -----------------------------------------------------------------------
    def start_session(self, language: str | None = None) -> None:
        if language:
            self.set_language(language)
        if not self.in_session:
            self.in_session = True
            _log.info("session started")
            self.session_started.emit()
        if self.current_screen().screen_id == "attract":
            self.show_screen("home", remember=False)

    def end_session(self, reason: str = "finish") -> None:
        """Privacy reset: new screens, empty clipboard, default language, attract screen."""
        self.overlay.dismiss()
        self.in_session = False
        self.idle.enabled = False
        for screen in list(self.screens.values()):
            for field in screen.findChildren(QLineEdit):
                field.clear()  # nothing typed survives, even before deferred deletion
            self.stack.removeWidget(screen)
            screen.setParent(None)
            screen.deleteLater()
        self.screens.clear()
        self.invoice_flow.deleteLater()
        self._history.clear()
        QGuiApplication.clipboard().clear()
        self.set_language(self.core.config.ui.language)
        self._build_screens()
        self.show_screen("attract", remember=False)
        _log.info("session ended (%s)", reason)
        self.session_ended.emit(reason)

    def _idle_warn(self, seconds_left: int) -> None:
        self.overlay.show_countdown(seconds_left)

    def _idle_activity(self) -> None:
        if self.overlay.isVisible():
            self.overlay.dismiss()

    def _continue_session(self) -> None:
        self.overlay.dismiss()
        self.idle.reset()

    # -- language ----------------------------------------------------------------------
    def set_language(self, language: str) -> None:
        if language != self.translations.language:
            self.translations.set_language(language)
            self._retranslate()

    def toggle_language(self) -> None:
        self.set_language("en" if self.language == "zh" else "zh")

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Self-service tax terminal"))
        self.home_button.setText(self.tr("Home"))
        self.home_button.setAccessibleName(self.tr("Home"))
        self.back_button.setText(self.tr("Back"))
        self.back_button.setAccessibleName(self.tr("Back"))
        self.finish_button.setText(self.tr("Finish"))
        self.finish_button.setAccessibleName(self.tr("Finish and clear my data"))
        # The language button names the other language in that language.
        self.language_button.setText("English" if self.language == "zh" else "中文")
        self.language_button.setAccessibleName(self.tr("Switch language"))
        self.refresh_queue_status()

    # -- queue status ------------------------------------------------------------------
    def refresh_queue_status(self) -> None:
        core = self.core

        def read() -> tuple[bool, int, datetime | None]:
            status = core.outbox.status()
            return core.connectivity.online, status.pending, core.connectivity.offline_since

        Op(self, read).success(lambda s: self.banner.set_state(*s)).run_in_background()

    # -- systemd -----------------------------------------------------------------------
    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        super().showEvent(event)
        if not self._ready_sent:
            self._ready_sent = True
            QTimer.singleShot(0, lambda: sd_notify("READY=1"))
