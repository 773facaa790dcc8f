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

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
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
from ui.widgets.offline_banner import OfflineBanner
from ui.widgets.screen_stack import ScreenStack

if TYPE_CHECKING:
    from kiosk.app import KioskCore
    from kiosk.services.catalogue import ServiceSpec
    from ui.elderly import ElderlyMode
    from ui.flow.flow import ServiceFlow
    from ui.ops import LatestRead
    from ui.staff_mode import StaffMode
    from ui.voice import VoiceGuidance
    from ui.wedge_filter import WedgeScannerFilter
    from ui.widgets.keyboard_dock import KeyboardDock
    from ui.widgets.virtual_keyboard import VirtualKeyboard

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


def _malloc_trim() -> None:
    """Return the C heap's free pages to the system (glibc only; elsewhere nothing)."""
    global _libc
    if _libc is None:
        import ctypes

        try:  # by name: ctypes.util.find_library would run ldconfig
            _libc = ctypes.CDLL("libc.so.6")
            _libc.malloc_trim.argtypes = [ctypes.c_size_t]
        except (OSError, AttributeError):
            _libc = False
    if _libc:
        _libc.malloc_trim(0)


_libc: Any = None


class _Screens(dict[str, Screen]):
    """The screens built this session. `screens[id]` builds the owning service's
    screens on first use; `in`, `get` and iteration see only those built."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self._window = window

    def __missing__(self, screen_id: str) -> Screen:
        self._window._build_owner(screen_id)
        return dict.__getitem__(self, screen_id)


class _Flows(dict[str, "ServiceFlow"]):
    """The service flows built this session. `flows[id]` and `flows.get(id)` build the
    service (flow and screens) on first use; `id in flows` says whether the service is
    on this terminal, built or not; iteration sees only those built."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self._window = window

    def __missing__(self, service_id: str) -> ServiceFlow:
        self._window._build_service(service_id)
        return dict.__getitem__(self, service_id)

    def get(self, service_id: str, default: Any = None) -> Any:
        try:
            return self[service_id]
        except KeyError:
            return default

    def __contains__(self, service_id: object) -> bool:
        return dict.__contains__(self, service_id) or (
            isinstance(service_id, str) and service_id in self._window._service_specs())


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
        self.banner = OfflineBanner(units=self.units)
        self.stack = ScreenStack()
        self.stack.setObjectName("stack.screens")
        outer.addWidget(self.banner)
        outer.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.simple = False  # simple mode (ui/elderly.py): a session may turn it on
        # The panel's size for `[ui] orientation`; full screen (kiosk) overrides it.
        self.resize(window_size(cfg.orientation))
        self.idle = IdleWatcher(self, clock=idle_clock or time.monotonic,
                                countdown_s=cfg.countdown_s,
                                min_countdown_s=cfg.min_countdown_s)  # installed by attach_core
        self.idle.expired.connect(self._idle_expired)
        # The action bar, the header, voice guidance, simple mode and the idle overlay
        # (_build_chrome). With a core they are built now; without one (a booting kiosk)
        # right after the first paint of the attract screen, which shows none of them
        # but the header band (cold start, #9), or when the core or a session comes.
        self._chrome = False
        if core is not None:
            self._build_chrome()

        # Connected in attach_core, as the core's threads are the only ones that emit.
        self.bridge = CoreBridge()
        self.staff: StaffMode | None = None  # maintenance mode; made by attach_core
        self._keyboard_dock: KeyboardDock | None = None  # made by attach_core
        self.wedge: WedgeScannerFilter | None = None
        wedge_cfg = config.device("wedge_scanner")
        if wedge_cfg is not None:  # a USB keyboard-wedge scanner types its scans
            from ui.wedge_filter import WedgeScannerFilter

            opts = wedge_cfg.options
            self.wedge = WedgeScannerFilter(
                self, max_interkey_ms=float(opts.get("max_interkey_ms", 35)),
                suffix=str(opts.get("suffix", "\r")), min_length=int(opts.get("min_length", 4)))
            self.wedge.scanned.connect(self.deliver_scan)  # installed by attach_core

        # This session's screens and service flows, built on first use (_Screens).
        self.screens: dict[str, Screen] = _Screens(self)
        self.flows: dict[str, ServiceFlow] = _Flows(self)  # service id -> its flow
        self._history: list[str] = []
        self._build_screens()
        self.show_screen("attract")
        self._retranslate()
        self._kiosk_mode = kiosk_mode  # full screen, no pointer: see _announce_ready
        self._watchdog = Watchdog(self)  # WATCHDOG=1 from the GUI thread, if systemd asks
        self._watchdog.start()
        self._shut_down = False  # shutdown(): the core is about to stop
        self._queue_timer = QTimer(self)  # ages in the banner move even with no events
        self._queue_timer.timeout.connect(self.refresh_queue_status)
        self._queue_timer.start(30_000)
        if core is not None:
            self.attach_core(core)

    def _build_chrome(self) -> None:
        """The action bar (home, back, display switches, language, finish), the header
        band above it, voice guidance, simple mode and the idle overlay."""
        self._chrome = True
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
        central = self.centralWidget()
        outer = central.layout() if central is not None else None
        assert isinstance(outer, QVBoxLayout)  # made by __init__
        outer.insertWidget(0, self.top_bar)
        # The band with the terminal's name, the hall and its clock, above the action bar.
        from ui.widgets.header import Header, mount_header

        self.header: Header = mount_header(self)
        # Voice guidance: the top bar's voice switch, screens spoken (ui/voice.py).
        from ui.voice import VoiceGuidance

        self._voice = VoiceGuidance(self)
        # Simple mode (长辈模式): larger text and targets, one action per screen.
        from ui.elderly import ElderlyMode

        self._elderly = ElderlyMode(self)
        from ui.widgets.idle_overlay import IdleOverlay

        self.overlay = IdleOverlay(self, units=self.units)
        self.overlay.hide()
        self.overlay.continue_requested.connect(self._continue_session)
        self.idle.warn.connect(self._idle_warn)
        self.idle.tick.connect(self.overlay.update_countdown)
        self.idle.activity.connect(self._idle_activity)
        screen = self.stack.currentWidget()
        if isinstance(screen, Screen):  # built after a screen showed: catch up with it
            self._sync_bar(screen)
            self._retranslate()

    def _ensure_chrome(self) -> None:
        if not self._chrome:
            self._build_chrome()

    @property
    def voice(self) -> VoiceGuidance:
        """Voice guidance (the attract screen's voice button may come first)."""
        self._ensure_chrome()
        return self._voice

    @property
    def elderly(self) -> ElderlyMode:
        """Simple mode (the attract screen's simple-mode button may come first)."""
        self._ensure_chrome()
        return self._elderly

    def attach_core(self, core: KioskCore) -> None:
        """Connect the started core: device and sync callbacks, the service screens."""
        self._ensure_chrome()
        self.core = core
        # The application-wide filters call Python for every event of every QObject. The
        # first event of a Qt-private object (QMainWindow's layout animation timer) makes
        # PySide initialise every lazily loaded Qt class to find its type: ~50 ms that
        # would delay the first paint. Without a core no session runs and scans are
        # dropped, so until now there is nothing for them to do.
        self.idle.install()
        if self.wedge is not None:
            self.wedge.install()
        from ui.lockdown import install_lockdown  # no context menus or file dialogs

        self.lockdown = install_lockdown(QApplication.instance())  # type: ignore[arg-type]
        from ui.screens.out_of_service import mount_out_of_service

        self.out_of_service = mount_out_of_service(self, core)
        from ui.assistance import mount_assistance  # "Call staff" (remote assistance)

        self.assistance = mount_assistance(self, core)
        # Queued: the core emits from its device and sync threads. Made here, not in
        # __init__: PySide builds its whole Qt namespace (~90 enums, ~15 ms) at its first
        # use, which the attract screen's first paint must not wait for (cold start, #9).
        from PySide6.QtCore import Qt

        queued = Qt.ConnectionType.QueuedConnection
        bridge = self.bridge
        bridge.scanned.connect(self.deliver_scan, queued)
        bridge.queue_changed.connect(self.refresh_queue_status, queued)
        bridge.connectivity_changed.connect(lambda _o: self.refresh_queue_status(), queued)
        bridge.device_changed.connect(self.device_status_changed.emit, queued)
        bridge.staff_card.connect(self._staff_card, queued)
        bridge.identity_changed.connect(self._show_identity, queued)
        core.scan_listeners.append(bridge.scanned.emit)
        core.queue_listeners.append(bridge.queue_changed.emit)
        core.connectivity.subscribe(bridge.connectivity_changed.emit)
        core.device_listeners.append(bridge.device_changed.emit)
        core.identity.listeners.append(lambda _who: self.bridge.identity_changed.emit())
        if self.config.device("camera_scanner") is not None:  # QtMultimedia only if needed
            from ui.camera_scanner import attach_camera_sources

            self.camera_sources = attach_camera_sources(core.devices, self)
        from ui.staff_mode import StaffMode

        self.staff = StaffMode(self)
        card_listeners = getattr(core, "card_listeners", None)
        if card_listeners is not None:
            card_listeners.append(self.bridge.staff_card.emit)
        from ui.screens.home import HomeScreen

        self._add_screen(HomeScreen(self))
        # The on-screen keyboard for free text, docked under the screens; mounted when
        # the first text field needs it (its QML engine: ~24 MiB and ~70 ms).
        from ui.widgets.keyboard_dock import KeyboardDock

        self._keyboard_dock = KeyboardDock(self)
        self.refresh_queue_status()
        self._warm_up()
        if self._start_requested is not None:
            language, self._start_requested = self._start_requested, None
            self.start_session(language or None)

    @property
    def keyboard(self) -> VirtualKeyboard | None:
        """The on-screen keyboard, mounted now if no text field has needed it yet; None
        before the core is attached or without the input method."""
        return self._keyboard_dock.keyboard if self._keyboard_dock is not None else None

    # -- screens -----------------------------------------------------------------------
    @property
    def language(self) -> str:
        return self.translations.language

    def _build_screens(self) -> None:
        """A session's first screens: attract, and home once the core is attached. A
        service's flow and screens are built when the session first opens them
        (`flows[id]`, `screens[id]`), and all go at the session's end: a terminal with
        thirty services does not rebuild ~200 screens at every idle reset."""
        self._add_screen(AttractScreen(self))
        if self.core is not None:
            from ui.screens.home import HomeScreen

            self._add_screen(HomeScreen(self))

    def _service_specs(self) -> dict[str, ServiceSpec]:
        if self.core is None:
            return {}
        from ui.flow.core_api import taxpayer_services

        return {spec.id: spec for spec in taxpayer_services()}

    def _build_service(self, service_id: str) -> None:
        """Build `service_id`'s flow and screens for this session. Its screen module
        ui/screens/<id, dots as underscores>.py names its flow (FLOW) and screens
        (SCREENS); imported here, not at module level, so the attract screen shows
        before these modules (and what they import) have loaded."""
        spec = self._service_specs().get(service_id)
        if spec is None:
            raise KeyError(f"no such service on this terminal: {service_id!r}")
        import importlib

        module = importlib.import_module(screen_module(spec.id))
        flow = module.FLOW(self, spec)
        flow.navigate.connect(self.show_screen)
        dict.__setitem__(self.flows, spec.id, flow)
        for cls in module.SCREENS:
            # Screens several services append (payment.*) exist once per window.
            if cls.screen_id not in self.screens:
                self._add_screen(cls(self, flow))

    def _build_owner(self, screen_id: str) -> None:
        """Build the service whose screens include `screen_id` (KeyError if none).
        A service's screen ids start with its id; shared ones (payment.*) are found
        in the screen modules' SCREENS."""
        import importlib

        specs = self._service_specs()
        unbuilt = [sid for sid in specs if not dict.__contains__(self.flows, sid)]
        owners = sorted((sid for sid in unbuilt
                         if screen_id == sid or screen_id.startswith(sid + ".")),
                        key=len, reverse=True)
        for sid in owners + [sid for sid in unbuilt if sid not in owners]:
            module = importlib.import_module(screen_module(sid))
            if any(cls.screen_id == screen_id for cls in module.SCREENS):
                self._build_service(sid)
                return
        raise KeyError(f"no such screen on this terminal: {screen_id!r}")

    def build_all_screens(self) -> None:
        """Build every service's screens now (tools and tests that visit them all)."""
        for service_id in self._service_specs():
            self.flows.get(service_id)

    def _warm_up(self) -> None:
        """Polish and render the home screen once while the attract screen shows, so
        the first taxpayer does not wait for its style sheets and CJK glyphs; the glyph
        caches stay for every later session. Only attract (painted already) and home:
        rendering every screen of invoice verification as well kept ~16 MiB of
        pixmaps and glyph caches from the start for a gain of tens of milliseconds in
        the first session only (every later session builds its screens anew, #9)."""
        # The window, the core and the staff mode live as long as the process. Frozen,
        # they are left out of the collector's full passes, which otherwise walk ~150k
        # objects with the GIL held: a 150-200 ms freeze of the screen whenever one runs
        # (e.g. while syncing). Screens built from here on go with their session: never
        # frozen, so their reference cycles are collected.
        gc.collect()
        gc.freeze()
        home = self.screens.get("home")
        if home is not None:
            home.resize(self.stack.size())
            home.grab()
        # The idle filter (installed by attach_core) sees Qt-private objects too; PySide
        # finds a Python type for the first one by creating every lazily loaded Qt
        # class (~50 ms). Wrapping the application's children (some are private) has
        # that happen now, not at a later event such as a taxpayer's first touch.
        app = QApplication.instance()
        if app is not None:
            app.children()

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
        self._sync_bar(screen)
        limit = self.config.ui.idle_form_s if screen.idle_kind == "form" \
            else self.config.ui.idle_reading_s
        self.idle.set_limit(limit)
        self.idle.enabled = screen.idle_enabled and (self.in_session or screen.staff_screen)
        self.idle.reset()
        screen.on_enter()
        self.screen_changed.emit(screen_id)

    def _sync_bar(self, screen: Screen) -> None:
        """The action bar for `screen` (nothing to do before the bar is built)."""
        if not self._chrome:
            return
        self.top_bar.setVisible(screen.screen_id != "attract")
        # Staff screens have their own way out (cancel, log out), nothing to go back to.
        for button in (self.home_button, self.back_button, self.finish_button):
            button.setVisible(not screen.staff_screen)
        self.back_button.setEnabled(bool(self._history) and screen.screen_id != "home")
        self._show_identity()

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
        if screen_id is None or self.flows.get(service_id) is None:  # built now
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
        self._ensure_chrome()
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
        self._ensure_chrome()
        self.overlay.dismiss()
        if self.core is not None:
            self.core.end_identity()  # the central session ends in the background
        self.in_session = False
        self.idle.enabled = False
        if self.staff is not None:
            self.staff.reset()
        if self._keyboard_dock is not None:
            self._keyboard_dock.close_keyboard()  # no half-typed Pinyin into the next session
        # Here, not at the top: PySide creates a class at its first use, and the text
        # editors (~3 ms) have no part in the attract screen's first paint (#9).
        from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QTextEdit

        for screen in list(self.screens.values()):
            # First, so that nothing below (the default language, a queued signal)
            # re-renders it from a session that is gone (Screen.retire).
            screen.retire()
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
        self.simple = False  # simple mode ends with the session (ui/elderly.py)
        self.set_display(large_text=False, high_contrast=self.config.ui.high_contrast,
                         simple=False)
        self._build_screens()
        self.show_screen("attract", remember=False)
        # Once the loop has deleted the old screens: see _reclaim_memory.
        QTimer.singleShot(0, self._reclaim_memory)
        _log.info("session ended (%s)", reason)
        self.session_ended.emit(reason)

    def _reclaim_memory(self) -> None:
        """After a session's screens are gone, free their memory at once while the
        attract screen shows. Their Python wrappers sit in reference cycles (slots
        that capture the screen) with pixmaps and timers of their own; left to the
        collector's rare full passes, a kiosk grew ~2.5 MiB a session. The pass walks
        only what was built since the warm-up (the rest is frozen): a few ms. Freed
        heap goes back to the system (glibc's malloc_trim) so RSS shows the truth."""
        app = QApplication.instance()
        if app is not None:  # the old screens' deleteLater, if the loop has not yet
            app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()
        _malloc_trim()

    def _show_identity(self) -> None:
        """The identified taxpayer's masked name and the sign-out button, in the top
        bar while someone is identified (never on staff screens)."""
        if not self._chrome:
            return
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
                    high_contrast: bool | None = None, simple: bool | None = None) -> None:
        """Switch larger text (1.25x), the high-contrast theme and/or simple mode's
        scale (ui/elderly.py) for the whole window now; layout sizes in millimetres
        stay, text, targets and colours change. Session end restores the configured
        defaults."""
        large = self.units.large_text if large_text is None else large_text
        contrast = self.theme.high_contrast if high_contrast is None else high_contrast
        scale = self.units.simple if simple is None else simple
        if (large, contrast, scale) != (self.units.large_text, self.theme.high_contrast,
                                        self.units.simple):
            self.units = self.units.with_large_text(large).with_simple(scale)
            set_current_units(self.units)
            self.theme = Theme(HIGH_CONTRAST if contrast else NORMAL, self.units)
            app = QApplication.instance()
            assert isinstance(app, QApplication)
            self.theme.apply(app)
            _log.info("display: large_text=%s high_contrast=%s", large, contrast)
        toggles = ((self.large_text_button, large), (self.contrast_button, contrast)) \
            if self._chrome else ()
        for toggle, on in toggles:
            if toggle.isChecked() != on:
                toggle.blockSignals(True)  # no toggled() echo back into set_display
                toggle.setChecked(on)
                toggle.blockSignals(False)

    # -- language ----------------------------------------------------------------------
    def set_language(self, language: str) -> None:
        self.translations.set_language(language)  # LanguageChange re-translates the chrome

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        # However the language changes (the button, a session reset, the scenario
        # runner), the header, the bar and the banner follow it, as every screen does.
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def toggle_language(self) -> None:
        self.set_language("en" if self.language == "zh" else "zh")

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Self-service tax terminal"))
        if not self._chrome:
            return
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
        if core is None or self._shut_down or core.stopped:
            return  # a window outliving its core (tests) never reads a closed outbox
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

    def shutdown(self) -> None:
        """Call before the core stops (the kiosk's exit, a bench's teardown): the banner's
        status reads stop, and the background work in flight finishes while the core is
        still open. Otherwise a read that was running when the outbox closed failed
        ("the outbox is closed") and was logged as an error at every exit."""
        self._shut_down = True
        self._queue_timer.stop()
        from ui.ops import wait_for_pool  # not needed before the core: off the boot path

        if not wait_for_pool():
            _log.warning("background work still running at shutdown")

    # -- systemd -----------------------------------------------------------------------
    def _announce_ready(self) -> None:
        sd_notify("READY=1")
        if self._kiosk_mode:
            # A touch panel shows no pointer. Hidden only now: PySide's Qt namespace
            # costs ~15 ms at its first use, and nobody points at a screen not yet shown.
            from PySide6.QtCore import Qt

            QGuiApplication.setOverrideCursor(Qt.CursorShape.BlankCursor)
        self.ready.emit()
        # What the attract screen does not show is built once it has been painted.
        QTimer.singleShot(0, self, self._ensure_chrome)
