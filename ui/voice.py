"""Voice guidance (issue #13 §4): each screen's title and key instruction, and results,
spoken in the session language while voice is on.

The engine is QtTextToSpeech: "speechd" (speech-dispatcher with espeak-ng, installed by
`make`) on a terminal, Qt's "mock" engine in tests (`[ui] voice_engine`). Nothing here
blocks the GUI thread: the engine is made, and speaks, in one speech thread of its
own. Making a speech-dispatcher engine connects to (or spawns) the daemon, which takes
about a second, and hangs for as long as a wedged daemon does.

A terminal without an audio output runs with voice unavailable: the engine is not even
made (no ALSA playback device, no PulseAudio/PipeWire socket), the top bar's voice
switch is disabled and nothing fails. The same when the engine cannot start.

What is said: `screen_speech(screen)` - the screen's `spoken_text()` when it has one,
else its title and instruction labels (the flow kit's `label.title`, `label.subtitle`,
`label.instruction`, and for results `label.outcome` and `label.details`), prepared by
kiosk.services.speech_text (codes digit by digit, masked parts as "N hidden").
"""
from __future__ import annotations

import atexit
import glob
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import shiboken6
from PySide6.QtCore import QLocale, QMetaObject, QObject, QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import QLabel, QWidget

from kiosk import log
from kiosk.services.speech_text import join_spoken, speech_text

if TYPE_CHECKING:
    from ui.main_window import MainWindow

_log = log.get("voice")

MOCK: Final = "mock"
# The labels a screen's speech is made of, in reading order (the flow kit's names).
SPOKEN_LABELS: Final = ("label.title", "label.subtitle", "label.instruction",
                        "label.outcome", "label.details")
LOCALES: Final = {"zh": QLocale(QLocale.Language.Chinese, QLocale.Country.China),
                  "en": QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)}


def audio_output_present() -> bool:
    """An ALSA playback device, or a PulseAudio / PipeWire server of this user."""
    if glob.glob("/dev/snd/pcmC*D*p"):
        return True
    runtime = os.environ.get("XDG_RUNTIME_DIR") or f"/run/user/{os.getuid()}"
    return any(os.path.exists(os.path.join(runtime, name))
               for name in ("pulse/native", "pipewire-0"))


def engine_unavailable(engine: str) -> str | None:
    """Why `engine` cannot speak on this machine (None: try it)."""
    if not engine:
        return "voice is off in the configuration ([ui] voice_engine)"
    if engine == MOCK:
        return None
    if not audio_output_present():
        return "no audio output"
    import ctypes.util  # ~5 ms of imports (subprocess): only where audio exists

    if engine == "speechd" and ctypes.util.find_library("speechd") is None:
        return "speech-dispatcher's client library is not installed (libspeechd2)"
    return None


@dataclass(frozen=True)
class Utterance:
    language: str
    text: str


class _SpeechWorker(QObject):
    """Lives in the speech thread: makes the engines and talks to them."""

    ready = Signal(str, bool, str)  # engine, available, reason
    said = Signal(str, str, str)  # engine, language, text (the engine took it)
    first_word = Signal(str, float)  # engine, monotonic time of its first word

    def __init__(self) -> None:
        super().__init__()
        self._engines: dict[str, object] = {}

    def _engine(self, name: str) -> object | None:
        if name in self._engines:
            return self._engines[name]
        from PySide6.QtTextToSpeech import QTextToSpeech

        reason = engine_unavailable(name)
        engine: QTextToSpeech | None = None
        if reason is None:
            engine = QTextToSpeech(name, self)
            if engine.state() == QTextToSpeech.State.Error:
                reason = f"{name} did not start: {engine.errorString() or 'unknown'}"
                engine.deleteLater()
                engine = None
        if engine is not None:
            words = QTextToSpeech.Capability.WordByWordProgress
            if engine.engineCapabilities() & words:
                engine.sayingWord.connect(
                    lambda *_a, n=name: self.first_word.emit(n, time.monotonic()))
            else:  # no word progress (speechd): speaking started is the first word
                def started(state: QTextToSpeech.State, n: str = name) -> None:
                    if state == QTextToSpeech.State.Speaking:
                        self.first_word.emit(n, time.monotonic())

                engine.stateChanged.connect(started)
        self._engines[name] = engine
        self.ready.emit(name, engine is not None, reason or "")
        return engine

    @Slot(str)
    def prepare(self, name: str) -> None:
        self._engine(name)

    @Slot(str, str, str)
    def say(self, name: str, language: str, text: str) -> None:
        from PySide6.QtTextToSpeech import QTextToSpeech

        engine = self._engine(name)
        if not isinstance(engine, QTextToSpeech):
            return
        locale = LOCALES[language]
        if engine.locale() != locale and locale in engine.availableLocales():
            engine.setLocale(locale)
        elif language == "zh" and engine.locale().language() != QLocale.Language.Chinese:
            # speechd lists espeak-ng's Mandarin ("cmn", which QLocale does not map)
            # under the "C" locale, and a voice list holds the current locale's voices
            # only: after an English session the Mandarin voice is found from "C" again
            # (checked with speech-dispatcher 0.11.4 and espeak-ng 1.51, Debian 12).
            if engine.locale() != QLocale.c() and QLocale.c() in engine.availableLocales():
                engine.setLocale(QLocale.c())
            voice = next((v for v in engine.availableVoices()
                          if "mandarin" in v.name().lower() or v.name() == "cmn"), None)
            if voice is not None and voice != engine.voice():
                engine.setVoice(voice)
        engine.stop()  # the screen moved on: its old words are no use
        engine.say(text)
        self.said.emit(name, language, text)

    @Slot(str)
    def stop(self, name: str) -> None:
        engine = self._engines.get(name)
        if engine is not None:
            engine.stop()  # type: ignore[attr-defined]


class _SpeechThread:
    """The one speech thread of the process (windows come and go, tests make many)."""

    _lock = threading.Lock()
    _instance: _SpeechThread | None = None

    def __init__(self) -> None:
        self.thread = QThread()
        self.thread.setObjectName("speech")
        self.worker = _SpeechWorker()
        self.worker.moveToThread(self.thread)
        self.thread.start()
        atexit.register(self.shutdown)

    @classmethod
    def get(cls) -> _SpeechThread:
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def shutdown(self) -> None:
        """At exit: a daemon that never answers must not keep the kiosk from ending."""
        self.thread.quit()
        if not self.thread.wait(2000):
            _log.warning("speech thread did not stop; ended")
            self.thread.terminate()
            self.thread.wait(1000)


def screen_speech(screen: QWidget, language: str) -> str:
    """What a screen says: its spoken_text(), else its title and instruction labels
    (and a result's outcome and details), ready for the engine."""
    custom: Callable[[], str] | None = getattr(screen, "spoken_text", None)
    if callable(custom):
        raw = custom()
        return speech_text(raw, language) if raw else ""
    parts = []
    for name in SPOKEN_LABELS:
        label = screen.findChild(QLabel, name)
        if label is not None and label.text() and not label.isHidden():
            parts.append(label.text())
    return speech_text(join_spoken(parts, language), language) if parts else ""


class Voice(QObject):
    """A window's voice guidance: on or off this session, what was said."""

    availability_changed = Signal(bool)
    spoken = Signal(str)  # what the engine was given, for tests and the scenario runner
    _say = Signal(str, str, str)
    _prepare = Signal(str)
    _stop = Signal(str)

    def __init__(self, engine: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.on = False
        self.available: bool | None = None  # None: not known until first turned on
        self.reason = ""
        self.said: list[Utterance] = []  # this session's utterances (cleared at its end)
        self._last = ""
        self._asked_at: float | None = None
        self.first_word_ms: float | None = None  # from speak() to the engine's first word
        unavailable = engine_unavailable(engine)
        if unavailable is not None:
            self.available, self.reason = False, unavailable
            return
        worker = _SpeechThread.get().worker
        self._say.connect(worker.say)
        self._prepare.connect(worker.prepare)
        self._stop.connect(worker.stop)
        worker.ready.connect(self._ready)
        worker.said.connect(self._said)
        worker.first_word.connect(self._first_word)

    def set_on(self, on: bool) -> None:
        if on and self.available is False:
            on = False
        self.on = on
        self._last = ""
        if on and self.available is None:
            self._prepare.emit(self.engine)  # made in the speech thread, not here
        if not on:
            self.stop()

    def speak(self, text: str, language: str) -> None:
        """Say `text` (already prepared) if voice is on; returns at once."""
        if not self.on or not text or self.available is False:
            return
        self._last = text
        self._asked_at = time.monotonic()
        self._say.emit(self.engine, language, text)

    def announce(self, screen: QWidget, language: str) -> None:
        """Say what `screen` shows, unless that was the last thing said."""
        if not self.on or not shiboken6.isValid(screen):
            return
        text = screen_speech(screen, language)
        if text and text != self._last:
            self.speak(text, language)

    def stop(self) -> None:
        if self.available is not False:
            self._stop.emit(self.engine)

    def reset(self) -> None:
        """Session end: silent, off, nothing remembered."""
        self.set_on(False)
        self.said.clear()

    # -- from the speech thread (queued onto this object's thread) --------------------
    def _ready(self, engine: str, available: bool, reason: str) -> None:
        if engine != self.engine:
            return
        self.available, self.reason = available, reason
        if not available:
            _log.info("voice unavailable: %s", reason)
            self.on = False
        self.availability_changed.emit(available)

    def _said(self, engine: str, language: str, text: str) -> None:
        if engine == self.engine and self.on:
            self.said.append(Utterance(language, text))
            self.spoken.emit(text)

    def _first_word(self, engine: str, at: float) -> None:
        if engine == self.engine and self._asked_at is not None:
            self.first_word_ms = (at - self._asked_at) * 1000.0
            self._asked_at = None


def announce_later(voice: Voice, screen: QWidget, language: Callable[[], str]) -> None:
    """Announce after the screen has rendered its texts (on_enter refreshes them)."""
    QTimer.singleShot(0, voice, lambda: voice.announce(screen, language()))


class VoiceGuidance(QObject):
    """The main window's voice: the top bar's `action.voice` switch, a screen spoken
    when it shows (and again when its result arrives), on/off per session.

    Voice starts on for a session begun with the attract screen's "语音 / Voice"
    button (`start_session_with_voice`) or, with `[ui] voice_at_start`, for every
    session; session end turns it off and forgets what was said."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        from ui.widgets.buttons import make_button

        self.window_ = window
        self.voice = Voice(window.config.ui.voice_engine, self)
        self.button = make_button("", "action.voice", role="secondary")
        self.button.setCheckable(True)
        self.button.toggled.connect(self._toggled)
        self._want_on = False
        self._watch: QMetaObject.Connection | None = None
        bar = window.top_bar.layout()
        if bar is not None:
            bar.addWidget(self.button)  # with the other switches, right of the bar
        self.voice.availability_changed.connect(lambda _a: self._sync_button())
        window.screen_changed.connect(self._screen_changed)
        window.session_started.connect(self._session_started)
        window.session_ended.connect(lambda _reason: self._session_ended())
        self.button.installEventFilter(self)  # LanguageChange: the switch's texts
        self._sync_button()

    # -- session ---------------------------------------------------------------------
    def start_session_with_voice(self, language: str | None = None) -> None:
        self._want_on = True
        self.window_.start_session(language)
        if self.window_.in_session:
            self.set_on(True)

    def _session_started(self) -> None:
        self.set_on(self._want_on or self.window_.config.ui.voice_at_start)
        self._want_on = False

    def _session_ended(self) -> None:
        self._want_on = False
        self.voice.reset()
        self._sync_button()

    def set_on(self, on: bool) -> None:
        self.voice.set_on(on)
        self._sync_button()
        if self.voice.on:
            announce_later(self.voice, self.window_.current_screen(),
                           lambda: self.window_.language)

    def _toggled(self, on: bool) -> None:
        if on != self.voice.on:
            self.set_on(on)

    # -- what is said ------------------------------------------------------------------
    def _screen_changed(self, _screen_id: str) -> None:
        screen = self.window_.current_screen()
        if self._watch is not None:
            QObject.disconnect(self._watch)  # the last screen's flow
            self._watch = None
        flow = getattr(screen, "flow", None)
        if isinstance(flow, QObject) and hasattr(flow, "changed"):
            # A result that arrives on the same screen is said too.
            self._watch = flow.changed.connect(self._flow_changed)
        if self.voice.on:
            announce_later(self.voice, screen, lambda: self.window_.language)

    def _flow_changed(self) -> None:
        if self.voice.on:
            announce_later(self.voice, self.window_.current_screen(),
                           lambda: self.window_.language)

    # -- the switch ----------------------------------------------------------------------
    def _sync_button(self) -> None:
        from PySide6.QtCore import QCoreApplication

        self.button.blockSignals(True)
        self.button.setChecked(self.voice.on)
        self.button.blockSignals(False)
        self.button.setEnabled(self.voice.available is not False)
        self.button.setText(QCoreApplication.translate("VoiceGuidance", "Voice"))
        if self.voice.available is False:
            name = QCoreApplication.translate("VoiceGuidance", "Voice guidance (unavailable)")
        elif self.voice.on:
            name = QCoreApplication.translate("VoiceGuidance", "Voice guidance is on")
        else:
            name = QCoreApplication.translate("VoiceGuidance", "Voice guidance is off")
        self.button.setAccessibleName(name)

    def eventFilter(self, obj: QObject, event: object) -> bool:  # noqa: N802 (Qt API)
        from PySide6.QtCore import QEvent

        if obj is self.button and isinstance(event, QEvent) \
                and event.type() == QEvent.Type.LanguageChange:
            self._sync_button()
            if self.voice.on:  # the same screen, now in the other language
                announce_later(self.voice, self.window_.current_screen(),
                               lambda: self.window_.language)
        return False
