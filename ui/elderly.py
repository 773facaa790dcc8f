"""Simple mode (长辈模式, issue #13 §4): for people who find the normal screens hard.

Chosen on the attract screen (`action.start_simple`, a large button) or with the top
bar's switch (`action.simple`) during a session. While it is on:

- text is at least 1.4x and touch targets 1.3x (`Units.simple`, the theme's scale);
- the flow kit's screens show one action: their secondary actions are dropped or wait
  behind "更多 / More" (`FlowScreen.mark_secondary`);
- no countdown is shorter than 120 s: the idle limit and the "are you still there?"
  countdown both have that floor (`IdleWatcher.set_floor`);
- the high-contrast theme stays one tap away (the top bar's `action.high_contrast`,
  kept next to this switch); the "larger text" switch is hidden, simple mode's text
  is larger already.

Session end turns it off with the rest of the privacy reset: the next person starts
with the normal screens.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject

from kiosk import log
from ui.idle import SIMPLE_FLOOR_S

if TYPE_CHECKING:
    from ui.main_window import MainWindow

_log = log.get("session")


class ElderlyMode(QObject):
    """The main window's simple mode: its top-bar switch and what it changes."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        from ui.widgets.buttons import make_button

        self.window_ = window
        self.on = False
        self.button = make_button("", "action.simple", role="secondary")
        self.button.setCheckable(True)
        self.button.toggled.connect(self.set_on)
        bar = window.top_bar.layout()
        if bar is not None:
            bar.addWidget(self.button)  # with the other switches, right of the bar
        window.session_ended.connect(lambda _reason: self.set_on(False))
        self.button.installEventFilter(self)  # LanguageChange: the switch's texts
        self._name()

    def start_session(self, language: str | None = None) -> None:
        """The attract screen's large button: a session in simple mode."""
        self.window_.start_session(language)
        if self.window_.in_session:
            self.set_on(True)

    def set_on(self, on: bool) -> None:
        window = self.window_
        changed = on != self.on
        self.on = on
        window.simple = on
        if changed:
            _log.info("simple mode %s", "on" if on else "off")
        window.set_display(simple=on)
        window.idle.set_floor(SIMPLE_FLOOR_S if on else 0)
        window.large_text_button.setVisible(not on)
        if self.button.isChecked() != on:
            self.button.blockSignals(True)  # no toggled() echo back into set_on
            self.button.setChecked(on)
            self.button.blockSignals(False)
        self._name()
        for screen in list(window.screens.values()):
            apply = getattr(screen, "apply_simple", None)
            if apply is not None:
                apply()

    def _name(self) -> None:
        self.button.setText(QCoreApplication.translate("ElderlyMode", "Simple mode"))
        if self.on:
            name = QCoreApplication.translate(
                "ElderlyMode", "Simple mode is on: larger text, one action per screen")
        else:
            name = QCoreApplication.translate(
                "ElderlyMode", "Simple mode: larger text, one action per screen")
        self.button.setAccessibleName(name)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if obj is self.button and event.type() == QEvent.Type.LanguageChange:
            self._name()
        return False
