"""The one main window: top bar, offline banner, a stack of screens, overlays.

Sessions: a session starts at the first touch (or a scan) on the attract screen and ends
on idle timeout, on "finish", or on staff abort. Ending one rebuilds every screen (so
no typed text survives), clears the clipboard, restores the default language and goes
back to the attract screen.
"""
from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QStackedWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from kiosk import hall_time, log
from kiosk.config import KioskConfig
from ui.i18n import Translations
from ui.idle import IdleWatcher
from ui.layout import window_size
from ui.notify import FirstPaint, Watchdog, sd_notify
from ui.screens.attract import AttractScreen
from ui.screens.base import Screen
from ui.theme import HIGH_CONTRAST, NORMAL, Theme
from ui.units import Units, set_current_units
from ui.widgets.buttons import make_button
from ui.widgets.idle_overlay import IdleOverlay
from ui.widgets.offline_banner import OfflineBanner

if TYPE_CHECKING:
    from kiosk.app import KioskCore
    from ui.flow.flow import ServiceFlow
    from ui.ops import LatestRead
    from ui.staff_mode import StaffMode
    from ui.wedge_filter import WedgeScannerFilter

_log = log.get("session")



def screen_module(service_id: str) -> str:
    """The module of a service's screens: ui.screens.<id with dots as underscores>."""
    return "ui.screens." + service_id.replace(".", "_")


class CoreBridge(QObject):
    """Re-emits callbacks from device and sync threads as queued Qt signals."""

    scanned = Signal(str)
    queue_changed = Signal()
    connectivity_changed = Signal(bool)
    device_changed = Signal(object)  # drivers.base.DeviceStatus
    staff_card = Signal(str)  # a staff card UID (normalised hex)
    identity_changed = Signal()  # someone was identified, or no longer is


class MainWindow(QMainWindow):
    session_started = Signal()
    session_ended = Signal(str)  # reason: idle, finish, staff
    screen_changed = Signal(str)
    # A device's status changed (on the GUI thread); screens ask the core what it means.
    device_status_changed = Signal(object)
    # The first screen has been painted and the event loop runs; READY=1 has been sent.
    ready = Signal()

    def __init__(self, config: KioskConfig, translations: Translations, *,
                 core: KioskCore | None = None,
                 idle_clock: Callable[[], float] | None = None, kiosk_mode: bool = True) -> None:
        """With `core=None` the window shows the attract screen at once and takes the
        core later through `attach_core` (fast cold start; see docs/design.md)."""
        super().__init__()
        # Device, sync and worker threads share the GIL with the GUI thread: hand it over
        # every 1 ms instead of 5 ms so no frame waits behind them (gui_max_stall_ms).
        sys.setswitchinterval(0.001)
        self.setObjectName("window.main")
        self.config = config
        hall_time.configure(config.ui.time_zone)  # before any screen shows a time
        self.core: KioskCore | None = None
        self.translations = translations
        self._start_requested: str | None = None
        cfg = config.ui
        self.units = Units(cfg.ppi)
        set_current_units(self.units)  # widgets built without explicit units use these
        self.theme = Theme(HIGH_CONTRAST if cfg.high_contrast else NORMAL, self.units)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        self.theme.apply(app)  # palette, body font (cap height >= 4.8 mm), stylesheet
        self.in_session = False
        self._queue_reads: LatestRead[Any] | None = None  # the banner's status reads
        self._first_paint = FirstPaint(self, self._announce_ready)

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
        # Display switches for this session (ux.md): larger text, high contrast.
        self.large_text_button = make_button("", "action.large_text", role="secondary")
        self.contrast_button = make_button("", "action.high_contrast", role="secondary")
        for toggle in (self.large_text_button, self.contrast_button):
            toggle.setCheckable(True)
        self.contrast_button.setChecked(self.theme.high_contrast)
        self.large_text_button.toggled.connect(lambda on: self.set_display(large_text=on))
        self.contrast_button.toggled.connect(lambda on: self.set_display(high_contrast=on))
        self.home_button.clicked.connect(lambda: self.show_screen("home"))
        self.back_button.clicked.connect(self.go_back)
        self.language_button.clicked.connect(self.toggle_language)
        self.finish_button.clicked.connect(self._finish)
        # While a taxpayer is identified: who (masked), and a way to end it all.
        self.identity_label = QLabel()
        self.identity_label.setObjectName("label.identity")
        self.logout_button = make_button("", "action.logout", role="secondary")
        self.logout_button.clicked.connect(lambda: self.end_session("logout"))
        for b in (self.home_button, self.back_button):
            bar.addWidget(b)
        bar.addStretch(1)
        bar.addWidget(self.identity_label)
        bar.addWidget(self.logout_button)
        bar.addWidget(self.large_text_button)
        bar.addWidget(self.contrast_button)
        bar.addWidget(self.language_button)
        bar.addWidget(self.finish_button)
        self.banner = OfflineBanner(units=self.units)
        self.stack = QStackedWidget()
        self.stack.setObjectName("stack.screens")
        outer.addWidget(self.top_bar)
        outer.addWidget(self.banner)
        outer.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        # The band with the terminal's name, the hall and its clock, above the action bar.
        from ui.widgets.header import Header, mount_header

        self.header: Header = mount_header(self)
        # Voice guidance: the top bar's voice switch, screens spoken (ui/voice.py).
        from ui.voice import VoiceGuidance

        self.voice = VoiceGuidance(self)
        # The panel's size for `[ui] orientation`; full screen (kiosk) overrides it.
        self.resize(window_size(cfg.orientation))

        self.overlay = IdleOverlay(self, units=self.units)
        self.overlay.hide()
        self.overlay.continue_requested.connect(self._continue_session)
        self.idle = IdleWatcher(self, clock=idle_clock or time.monotonic,
                                countdown_s=cfg.countdown_s,
                                min_countdown_s=cfg.min_countdown_s)  # installed by attach_core
        self.idle.warn.connect(self._idle_warn)
        self.idle.tick.connect(self.overlay.update_countdown)
        self.idle.expired.connect(self._idle_expired)
        self.idle.activity.connect(self._idle_activity)

        self.bridge = CoreBridge()
        self.bridge.scanned.connect(self.deliver_scan, Qt.ConnectionType.QueuedConnection)
        self.bridge.queue_changed.connect(self.refresh_queue_status,
                                          Qt.ConnectionType.QueuedConnection)
        self.bridge.connectivity_changed.connect(lambda _o: self.refresh_queue_status(),
                                                 Qt.ConnectionType.QueuedConnection)
        self.bridge.device_changed.connect(self.device_status_changed.emit,
                                           Qt.ConnectionType.QueuedConnection)
        self.bridge.staff_card.connect(self._staff_card, Qt.ConnectionType.QueuedConnection)
        self.staff: StaffMode | None = None  # maintenance mode; made by attach_core
        self.wedge: WedgeScannerFilter | None = None
        wedge_cfg = config.device("wedge_scanner")
        if wedge_cfg is not None:  # a USB keyboard-wedge scanner types its scans
            from ui.wedge_filter import WedgeScannerFilter

            opts = wedge_cfg.options
            self.wedge = WedgeScannerFilter(
                self, max_interkey_ms=float(opts.get("max_interkey_ms", 35)),
                suffix=str(opts.get("suffix", "\r")), min_length=int(opts.get("min_length", 4)))
            self.wedge.scanned.connect(self.deliver_scan)  # installed by attach_core

        self.screens: dict[str, Screen] = {}
        self.flows: dict[str, ServiceFlow] = {}  # service id -> its flow this session
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
        if core is not None:
            self.attach_core(core)

    def attach_core(self, core: KioskCore) -> None:
        """Connect the started core: device and sync callbacks, the service screens."""
        self.core = core
        # The application-wide filters call Python for every event of every QObject. The
        # first event of a Qt-private object (QMainWindow's layout animation timer) makes
        # PySide initialise every lazily loaded Qt class to find its type: ~50 ms that
        # would delay the first paint. Without a core no session runs and scans are
        # dropped, so until now there is nothing for them to do.
        self.idle.install()
        if self.wedge is not None:
            self.wedge.install()
        core.scan_listeners.append(self.bridge.scanned.emit)
        core.queue_listeners.append(self.bridge.queue_changed.emit)
        core.connectivity.subscribe(self.bridge.connectivity_changed.emit)
        core.device_listeners.append(self.bridge.device_changed.emit)
        self.bridge.identity_changed.connect(self._show_identity,
                                             Qt.ConnectionType.QueuedConnection)
        core.identity.listeners.append(lambda _who: self.bridge.identity_changed.emit())
        if self.config.device("camera_scanner") is not None:  # QtMultimedia only if needed
            from ui.camera_scanner import attach_camera_sources

            self.camera_sources = attach_camera_sources(core.devices, self)
        from ui.staff_mode import StaffMode

        self.staff = StaffMode(self)
        card_listeners = getattr(core, "card_listeners", None)
        if card_listeners is not None:
            card_listeners.append(self.bridge.staff_card.emit)
        self._build_service_screens()
        # The on-screen keyboard for free text, docked under the screens; made after
        # the first paint (its QML engine takes ~70 ms).
        from ui.widgets.virtual_keyboard import mount_keyboard

        self.keyboard = mount_keyboard(self)
        self.refresh_queue_status()
        self._warm_up()
        if self._start_requested is not None:
            language, self._start_requested = self._start_requested, None
            self.start_session(language or None)

    # -- screens -----------------------------------------------------------------------
    @property
    def language(self) -> str:
        return self.translations.language

    def _build_screens(self) -> None:
        self._add_screen(AttractScreen(self))
        if self.core is not None:
            self._build_service_screens()

    def _build_service_screens(self) -> None:
        """Screens that need the core. Imported here, not at module level: the attract
        screen must show before these modules (and what they import) have loaded."""
        import importlib

        from ui.flow.core_api import taxpayer_services
        from ui.screens.home import HomeScreen

        self._add_screen(HomeScreen(self))
        # Each service of the catalogue: its screen module ui/screens/<id, dots as
        # underscores>.py names its flow (FLOW) and screens (SCREENS).
        for spec in taxpayer_services():
            module = importlib.import_module(screen_module(spec.id))
            flow = module.FLOW(self, spec)
            flow.navigate.connect(self.show_screen)
            self.flows[spec.id] = flow
            for cls in module.SCREENS:
                self._add_screen(cls(self, flow))

    def _warm_up(self) -> None:
        """Polish and render every screen once while the attract screen shows, so the
        first taxpayer does not wait for style sheets and CJK glyphs (about 100 ms)."""
        size = self.stack.size()
        for screen in self.screens.values():
            if screen is not self.stack.currentWidget():
                screen.resize(size)
                screen.grab()
        # Glyphs of the result texts at the sizes they are shown in (dynamic texts are
        # empty when the screens are rendered above).
        from kiosk.domain import OUTCOME_LABELS

        samples = " ".join(zh + " " + en for zh, en in OUTCOME_LABELS.values())
        for result in self.screens.values():
            label = result.findChild(QLabel, "label.outcome")
            details = result.findChild(QLabel, "label.details")
            for widget in (label, details) if label is not None else ():
                if widget is None:
                    continue
                old = widget.text()
                widget.setText(samples + " 0123456789¥.:-")
                widget.grab()
                widget.setText(old)
        # The idle filter (installed by attach_core) sees Qt-private objects too; PySide
        # finds a Python type for the first one by creating every lazily loaded Qt
        # class (~50 ms). Wrapping the application's children (some are private) has
        # that happen now, not at a later event such as a taxpayer's first touch.
        app = QApplication.instance()
        if app is not None:
            app.children()
        # Everything built so far lives as long as the process. Frozen, it is left out
        # of the collector's full passes, which otherwise walk ~150k objects with the GIL
        # held: a 150-200 ms freeze of the screen whenever one runs (e.g. while syncing).
        gc.freeze()

    def _add_screen(self, screen: Screen) -> None:
        self.screens[screen.screen_id] = screen
        self.stack.addWidget(screen)

    def add_screen(self, screen: Screen) -> None:
        """A screen built on demand (the staff screens: only after a staff card); it
        goes with the others at the end of the session."""
        self._add_screen(screen)

    # Shadows QWidget.screen() (the QScreen getter) on purpose: nothing asks the window
    # for its QScreen, and `window.screen(id)` reads well in the flows and tests.
    def screen(self, screen_id: str) -> Screen:  # type: ignore[override]
        return self.screens[screen_id]

    def current_screen(self) -> Screen:
        return self.stack.currentWidget()  # type: ignore[return-value]

    def show_screen(self, screen_id: str, *, remember: bool = True) -> None:
        if self.staff is not None and self.staff.active \
                and not self.screens[screen_id].staff_screen:
            screen_id = "maintenance"  # signed-in staff never reach taxpayer services
        screen = self.screens[screen_id]
        current = self.stack.currentWidget()
        if remember and isinstance(current, Screen) and current is not screen:
            self._history.append(current.screen_id)
            del self._history[:-20]
        self.stack.setCurrentWidget(screen)
        in_attract = screen_id == "attract"
        self.top_bar.setVisible(not in_attract)
        # Staff screens have their own way out (cancel, log out), nothing to go back to.
        for button in (self.home_button, self.back_button, self.finish_button):
            button.setVisible(not screen.staff_screen)
        self.back_button.setEnabled(bool(self._history) and screen_id != "home")
        self._show_identity()
        limit = self.config.ui.idle_form_s if screen.idle_kind == "form" \
            else self.config.ui.idle_reading_s
        self.idle.set_limit(limit)
        self.idle.enabled = screen.idle_enabled and (self.in_session or screen.staff_screen)
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
        from ui.flow.core_api import entry_screen
        from ui.flow.gate import redirect

        screen_id = entry_screen(service_id)
        if screen_id is None or screen_id not in self.screens:
            raise KeyError(f"no such service on this terminal: {service_id!r}")
        if not self.in_session:
            self.start_session()
        # A service that needs identity opens the identity gate first (ui/flow/gate.py).
        self.show_screen(redirect(self, service_id) or screen_id)

    def deliver_scan(self, text: str) -> None:
        """A scan from any scanner arrives here on the GUI thread. The core decides
        which service takes it (the current one if it claims the scan's kind, else the
        first that does); that service's flow handles it. A scan on the attract screen
        starts a session first."""
        self.idle.reset()
        if self.core is None:
            return
        screen = self.current_screen()
        if not screen.accepts_scans:
            return
        from ui.flow.core_api import route_scan

        current = screen.service_id
        route = route_scan(self.core, text, current)
        target = route.service_id
        if screen.screen_id == "attract":
            if target is None:
                return  # noise between sessions opens nothing
            self.start_session()
            screen = self.current_screen()
        if target is None or target not in self.flows or (
                route.unavailable is not None and target != current):
            # Nobody takes it, or its service cannot start now: the screen says so.
            screen.scan_not_taken(text, route.error, route.unavailable)
            return
        if target != current:
            self.open_service(target)
        self.flows[target].handle_scan(text)

    def _staff_card(self, uid: str) -> None:
        """A staff card was tapped (GUI thread): maintenance mode decides."""
        if self.staff is not None:
            self.staff.card_tapped(uid)

    # -- session -----------------------------------------------------------------------
    def start_session(self, language: str | None = None) -> None:
        if self.core is None:  # still loading (a second or two after boot): start then
            self._start_requested = language or ""
            return
        if self.staff is not None and self.staff.active:
            return  # maintenance mode: no taxpayer session until the staff logs out
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
        if self.core is not None:
            self.core.end_identity()  # the central session ends in the background
        self.in_session = False
        self.idle.enabled = False
        if self.staff is not None:
            self.staff.reset()
        keyboard = getattr(self, "keyboard", None)
        if keyboard is not None:
            keyboard.close_keyboard()  # no half-typed Pinyin into the next session
        for screen in list(self.screens.values()):
            typed: list[QLineEdit | QPlainTextEdit | QTextEdit] = [
                *screen.findChildren(QLineEdit), *screen.findChildren(QPlainTextEdit),
                *screen.findChildren(QTextEdit)]
            for field in typed:
                field.clear()  # nothing typed survives, even before deferred deletion
            self.stack.removeWidget(screen)
            screen.setParent(None)
            screen.deleteLater()
        self.screens.clear()
        for flow in self.flows.values():
            flow.deleteLater()  # late callbacks of the old session are dropped
        self.flows.clear()
        self._history.clear()
        QGuiApplication.clipboard().clear()
        if self.wedge is not None:
            self.wedge.reset()  # half a scan must not leak into the next session
        self._clear_scanners()
        self.set_language(self.config.ui.language)
        self.set_display(large_text=False, high_contrast=self.config.ui.high_contrast)
        self._build_screens()
        self.show_screen("attract", remember=False)
        _log.info("session ended (%s)", reason)
        self.session_ended.emit(reason)

    def _show_identity(self) -> None:
        """The identified taxpayer's masked name and the sign-out button, in the top
        bar while someone is identified (never on staff screens)."""
        who = self.core.identity.current if self.core is not None else None
        screen = self.stack.currentWidget()
        shown = who is not None and self.in_session and not getattr(
            screen, "staff_screen", False)
        self.identity_label.setText(who.masked_name() if shown and who is not None else "")
        self.identity_label.setVisible(shown)
        self.logout_button.setVisible(shown)

    def _clear_scanners(self) -> None:
        """Scanners forget the last session's codes: the serial scanner's half-read
        line, and each camera scanner's duplicate filter (else the next taxpayer's
        first scan of the same invoice within its window would be dropped)."""
        core = self.core
        if core is None:
            return
        scanner = getattr(core, "scanner", None)
        if scanner is not None and hasattr(scanner, "clear_buffer"):
            scanner.clear_buffer()
        devices = core.devices
        cameras = devices.names("camera_scanner") if devices is not None else []
        if cameras:
            from drivers.camera_scanner import CameraScanner  # only where one is set up

            for name in cameras:
                camera = devices.get(name) if devices is not None else None
                if isinstance(camera, CameraScanner):
                    camera.clear_buffer()

    def _finish(self) -> None:
        if self.staff is not None and self.staff.active:
            self.staff.logout("staff")
        else:
            self.end_session("finish")

    def _idle_expired(self) -> None:
        if self.staff is not None and self.staff.handles_idle():
            return  # maintenance or the PIN screen: staff logged out, session ended
        self.end_session("idle")

    def _idle_warn(self, seconds_left: int) -> None:
        self.overlay.show_countdown(seconds_left)

    def _idle_activity(self) -> None:
        if self.overlay.isVisible():
            self.overlay.dismiss()

    def _continue_session(self) -> None:
        self.overlay.dismiss()
        self.idle.reset()

    # -- display -----------------------------------------------------------------------
    def set_display(self, *, large_text: bool | None = None,
                    high_contrast: bool | None = None) -> None:
        """Switch larger text (1.25x) and/or the high-contrast theme for the whole
        window now; sizes in millimetres stay, only text and colours change. Session end
        restores the configured defaults."""
        large = self.units.large_text if large_text is None else large_text
        contrast = self.theme.high_contrast if high_contrast is None else high_contrast
        if (large, contrast) != (self.units.large_text, self.theme.high_contrast):
            self.units = self.units.with_large_text(large)
            set_current_units(self.units)
            self.theme = Theme(HIGH_CONTRAST if contrast else NORMAL, self.units)
            app = QApplication.instance()
            assert isinstance(app, QApplication)
            self.theme.apply(app)
            _log.info("display: large_text=%s high_contrast=%s", large, contrast)
        for toggle, on in ((self.large_text_button, large), (self.contrast_button, contrast)):
            if toggle.isChecked() != on:
                toggle.blockSignals(True)  # no toggled() echo back into set_display
                toggle.setChecked(on)
                toggle.blockSignals(False)

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
        self.logout_button.setText(self.tr("Sign out"))
        self.logout_button.setAccessibleName(self.tr("Sign out, finish and clear my data"))
        self._show_identity()
        # The language button names the other language in that language.
        self.language_button.setText("English" if self.language == "zh" else "中文")
        self.language_button.setAccessibleName(self.tr("Switch language"))
        self.large_text_button.setText(self.tr("Larger text"))
        self.large_text_button.setAccessibleName(self.tr("Larger text"))
        self.contrast_button.setText(self.tr("High contrast"))
        self.contrast_button.setAccessibleName(self.tr("High contrast colours"))
        self.refresh_queue_status()

    # -- queue status ------------------------------------------------------------------
    def refresh_queue_status(self) -> None:
        core = self.core
        if core is None:
            return
        def read() -> tuple[bool, int, datetime | None, str]:
            status = core.outbox.status()
            online = core.connectivity.online
            limit = "ok"
            if not online and status.pending:  # the limits matter only while offline
                exposure = core.exposure()
                limit = ("exceeded" if exposure.exceeded else
                         "warning" if exposure.warning else "ok")
            return online, status.pending, core.connectivity.offline_since, limit

        if self._queue_reads is None:
            from ui.ops import LatestRead  # not needed before the core: off the boot path

            self._queue_reads = LatestRead(self, lambda state: self.banner.set_state(*state))
        self._queue_reads.run(read)

    # -- systemd -----------------------------------------------------------------------
    def _announce_ready(self) -> None:
        sd_notify("READY=1")
        self.ready.emit()
